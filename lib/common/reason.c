/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reason.c - the reason catalog: number, name, PAM code, meaning and fix.
 *
 * The PAM mapping is deliberate (a contract, README "Emergency path"):
 * PAM_AUTHINFO_UNAVAIL, which admins key an emergency path on with
 * [authinfo_unavail=...], only when no server could be asked, for causes
 * outside this host (refused, timed out, no such name, TLS handshake with
 * the peer, reset, HTTP 502/503/504).  A server that answered without a
 * verdict fails closed (PAM_AUTH_ERR), and local causes map to
 * PAM_SERVICE_ERR or PAM_SYSTEM_ERR, so neither a broken configuration nor
 * a hostile caller's resource limits ever open that path.
 */
#include "lib/common/reason.h"

#include <security/_pam_types.h>
#include <stdlib.h>
#include <string.h>

static const struct crauth_reason_info catalog[] = {
    {REASON_OK, "ok", PAM_SUCCESS, "The user was authenticated.", "Nothing to change."},

    {REASON_WRONG_RESPONSE, "wrong-response", PAM_AUTH_ERR,
     "The response or one-time code does not match the token.",
     "Check that the user typed the code for the challenge shown, that the token's key and "
     "suite match the backend, and for time-based tokens that the clocks agree (totp_skew)."},
    {REASON_REPLAYED, "replayed-code", PAM_AUTH_ERR,
     "The code was already used for an earlier login and cannot be used twice.",
     "Wait for the next code (TOTP) or press the token again (HOTP)."},
    {REASON_CHALLENGE_EXPIRED, "challenge-expired", PAM_AUTH_ERR,
     "The challenge outlived its lifetime before the response arrived.",
     "Answer faster, or raise the server's challenge lifetime and [cache] challenge_ttl."},
    {REASON_CHALLENGE_UNKNOWN, "challenge-unknown", PAM_AUTH_ERR,
     "The server does not know the challenge key (already used, or issued by another server).",
     "Start the login again to get a fresh challenge; if it persists, check that all url "
     "lines point at servers sharing challenge state, or that failover is not splitting "
     "the two steps."},
    {REASON_USER_UNKNOWN, "user-unknown", PAM_USER_UNKNOWN,
     "The backend has no such user (no line in the tokens file, or unknown to the server).",
     "Enrol the user, or let unenrolled users pass with [user_unknown=ignore] in the PAM "
     "stack if that is the policy."},
    {REASON_LOCKED, "locked", PAM_PERM_DENIED, "The backend reports the account as locked.",
     "Unlock the user on the authentication server after checking why it was locked."},
    {REASON_RATE_LIMITED, "rate-limited", PAM_MAXTRIES,
     "Too many failed attempts for this user in a short time; this attempt was not tried.",
     "Wait and try again; `crauth cache flush --user U` resets the local counter."},
    {REASON_CANCELLED, "cancelled", PAM_CONV_ERR,
     "The conversation was ended by the user or the application before an answer.",
     "Nothing to change unless the application cannot show prompts: see single_prompt."},
    {REASON_ANSWER_TIMEOUT, "answer-timeout", PAM_AUTH_ERR,
     "No answer to the prompt arrived within prompt_timeout.",
     "Raise [auth] prompt_timeout if users need longer."},
    {REASON_SAME_ANSWER, "same-answer-to-every-prompt", PAM_AUTH_ERR,
     "The client answered every prompt with the same text: it cannot show the challenge "
     "(sshd PasswordAuthentication, sudo -S).",
     "Use keyboard-interactive for sshd, or set [auth] single_prompt = yes for this service."},
    {REASON_EMPTY_ANSWER, "empty-answer", PAM_AUTH_ERR, "The answer to a prompt was empty.",
     "Type the code shown by the token."},
    {REASON_CHALLENGE_ISSUED, "challenge-issued", PAM_AUTH_ERR,
     "single_prompt: this attempt asked the server for a challenge and showed it; it ends "
     "so that the next attempt can take the response.",
     "Nothing is wrong: enter the token's response to the challenge shown at the next "
     "password prompt (within challenge_ttl)."},
    {REASON_ACCOUNT_DISABLED, "account-disabled", PAM_PERM_DENIED,
     "The server reports the account as disabled (statusCode 1009).",
     "Enable the user on the authentication server if the account should log in; a "
     "disabled account is refused whatever the user types."},
    {REASON_USER_NAME_REFUSED, "user-name-refused", PAM_AUTH_ERR,
     "The user name is longer than 256 bytes, not UTF-8, or holds a space, '/' or ':' or "
     "starts with '-' or '+': crauth cannot carry it, so no backend was asked.  This is not "
     "user-unknown: a roll-out stack's [user_unknown=ignore] would let such an account in "
     "on its password alone.",
     "If it is a real account (a directory name with a space), rename it, or exempt it "
     "explicitly before the crauth line (pam_succeed_if user = NAME)."},
    {REASON_INVALID_CHALLENGE_RESPONSE, "invalid-challenge-response", PAM_AUTH_ERR,
     "The response to a key-possession challenge does not match the 20 bytes in the envelope "
     "(OFTP2's end-session reason 11).",
     "Check that the user decrypted with the private key of the certificate in the tokens "
     "file, that the certificate file is the right one, and that the envelope was copied "
     "whole, from -----BEGIN CMS----- to -----END CMS-----."},

    {REASON_SERVER_UNREACHABLE, "server-unreachable", PAM_AUTHINFO_UNAVAIL,
     "No authentication server could be connected to (DNS, refused, or connect timeout).",
     "Check the url lines, DNS, routing and firewalls; `crauth check` tests each server."},
    {REASON_SERVER_TIMEOUT, "server-timeout", PAM_AUTHINFO_UNAVAIL,
     "A server accepted the connection but did not answer within timeout.",
     "Check the server's health; raise [server] timeout only if it is merely slow."},
    {REASON_TLS_FAILURE, "tls-failure", PAM_AUTHINFO_UNAVAIL,
     "The TLS handshake or the server certificate check failed.",
     "Check ca_file holds the CA that signed the server certificate, that the url host "
     "name is in the certificate, that it has not expired, and the pinned key if set."},
    {REASON_HTTP_AUTH_REFUSED, "http-auth-refused", PAM_AUTH_ERR,
     "The server or proxy refused our HTTP authentication (basic or NTLM), or closed "
     "NTLM's connection between its legs; no verdict, and the attempt fails closed.",
     "Check http_user/http_password (or proxy_user/proxy_password) in the secrets file "
     "and that the account may use the service; for a closed connection, keep-alive and "
     "affinity on any load balancer or proxy in front."},
    {REASON_HTTP_ERROR, "http-error", PAM_AUTH_ERR,
     "The server answered with an unexpected HTTP status (other than 502, 503, 504), "
     "content type or a redirect: no verdict, and the attempt fails closed.",
     "Check that url points at the authUser SOAP endpoint itself (redirects are not "
     "followed) and the server's own logs."},
    {REASON_MALFORMED_REPLY, "malformed-reply", PAM_AUTH_ERR,
     "The server's reply is not a well-formed authUser response (or HTTP 500 without a "
     "SOAP Fault): no verdict, and the attempt fails closed.",
     "Check that url points at the authUser SOAP endpoint; capture the reply with "
     "`crauth check --user U` and report it to the server's vendor."},
    {REASON_SOAP_FAULT, "soap-fault", PAM_AUTH_ERR,
     "The server answered with a SOAP Fault instead of a result: no verdict, and the "
     "attempt fails closed.",
     "Read the fault text in the log line; usually component_type or domain is not "
     "registered on the server."},
    {REASON_METHOD_MISMATCH, "method-mismatch", PAM_AUTH_ERR,
     "The server's answer does not fit the configured method (a challenge where none was "
     "expected, or none after the keyword).",
     "Set [auth] method to what the server's policy for this user does: otp, "
     "client-challenge (1-step) or server-challenge (2-step with keyword)."},
    {REASON_SERVER_REFUSED, "server-refused", PAM_AUTH_ERR,
     "The server refused the request with a status that has no code of its own here.",
     "Read the status code and message in the log line and check the user's policy on "
     "the server."},
    {REASON_CONNECTION_LOST, "connection-lost", PAM_AUTHINFO_UNAVAIL,
     "The server closed or reset the connection before its reply was complete.",
     "Check the server's logs and any load balancer or proxy between; the next url line "
     "was tried if there is one."},
    {REASON_UNAUTHENTIC_REPLY, "unauthenticated-reply", PAM_AUTH_ERR,
     "A reply arrived, but its Response Authenticator or Message-Authenticator did not "
     "verify (a wrong shared secret, or a forged reply).",
     "Check that the shared secret is the same on both sides, and that the server sends a "
     "Message-Authenticator in every reply (FreeRADIUS: require_message_authenticator; "
     "the Blast-RADIUS fixes, CVE-2024-3596)."},

    {REASON_SERVER_ERROR, "server-error", PAM_AUTH_ERR,
     "The server answered with an error of its own (a negative statusCode such as -13): "
     "no verdict, and the attempt fails closed.",
     "Read the status and error text in the log line and the server's own logs; the next "
     "url line was tried if there is one."},
    {REASON_SERVER_UNAVAILABLE, "server-unavailable", PAM_AUTHINFO_UNAVAIL,
     "The server or a gateway before it (the proxy, to CONNECT) answered HTTP 502, 503 or "
     "504: it cannot serve now.",
     "Check the server and any load balancer or reverse proxy in front of it; the next url "
     "line was tried if there is one."},

    {REASON_CONFIG, "config-error", PAM_SERVICE_ERR,
     "The configuration is missing, unreadable or invalid.",
     "Run `crauth check --conf PATH`: it names the file, line and key to fix."},
    {REASON_TOKENS_FILE, "tokens-file-error", PAM_SERVICE_ERR,
     "The local tokens file is unreadable, invalid or cannot be updated.",
     "Fix the line named in the log (USER TYPE KEY [STATE]) and check the file and its "
     "directory are writable by the helper."},
    {REASON_SECRETS_FILE, "secrets-file-error", PAM_SERVICE_ERR,
     "The secrets file is unreadable, or readable by others.",
     "Make the secrets file owned by root or _crauth with mode 0600 or 0640."},
    {REASON_CACHE, "cache-error", PAM_SERVICE_ERR,
     "The cache directory is unusable and this login needs it.",
     "Create it owned by _crauth with mode 0700 (see conf/crauth.tmpfiles) and check "
     "the disk is not full or read-only."},
    {REASON_CALLER_NOT_ALLOWED, "caller-not-allowed", PAM_PERM_DENIED,
     "A non-root caller asked for something only root may ask for (another user, conf=).",
     "Run the application as root, or authenticate the calling user only."},
    {REASON_NO_TOKEN, "no-token-for-method", PAM_AUTH_ERR,
     "The user has tokens, but none usable with the configured method.",
     "Give the user a token of the right kind (hotp/totp for otp, an OCRA suite for "
     "client-challenge) or change [auth] method."},
    {REASON_CERT_EXPIRED, "certificate-expired", PAM_AUTH_ERR,
     "The user's certificate is not yet valid or has expired (the log line says which).",
     "Issue the user a certificate valid now and put its path in the tokens file; if it "
     "should be valid, check this machine's clock."},
    {REASON_CERT_UNTRUSTED, "certificate-untrusted", PAM_AUTH_ERR,
     "The user's certificate does not verify against the CAs in [local] x509_ca, or a CRL "
     "there revokes it, has lapsed, or is missing for a CA of the chain.",
     "Read the verification error in the log line; check that x509_ca holds the issuing CA "
     "and its root (the certificate file holds the user's certificate only), that no "
     "certificate in the chain has expired, and, with CRLs in x509_ca, that each CA has a "
     "current one (crauth check says when the first lapses)."},
    {REASON_CERT_INVALID, "certificate-invalid", PAM_SERVICE_ERR,
     "The user's certificate is unreadable, not one PEM certificate, or has a key that cannot "
     "be used (type, size, key usage); or, when answering, the key does not belong to the "
     "certificate.",
     "Read the log line; make the file one PEM certificate (RSA of 2048 bits or more, or EC "
     "on a named curve) owned by root or _crauth and writable by no one else, or give the "
     "private key that matches the certificate."},

    {REASON_RESOURCE_LIMIT, "resource-limit", PAM_SYSTEM_ERR,
     "A resource limit of the calling process is below what a login needs, or this machine "
     "ran out of a resource (file descriptors, processes, memory, local ports), or the "
     "helper was held (stopped, frozen, throttled by a CPU quota, a thread moved to another "
     "cgroup) while it waited for a server, so a timeout could not be blamed on the server; "
     "nothing was judged.",
     "Read the log line.  A limit: raise it for the calling user (limits.conf, ulimit -H), "
     "or find what exhausts the machine (ss -tuap shows who holds the ports).  'kept from "
     "running' or 'not all in one cgroup': look at the caller's cgroup (systemd-cgls; "
     "cpu.max, cgroup.freeze) and whoever started the login.  No server was marked down and "
     "the fallback path stays shut."},
    {REASON_CALLER_BUSY, "caller-busy", PAM_MAXTRIES,
     "The calling user already has the most logins in progress that crauth allows one "
     "non-root caller (4).",
     "Finish or cancel the other logins of that user; a process that starts many is "
     "probably guessing."},
    {REASON_HELPER_PRIVILEGES, "helper-privileges", PAM_SYSTEM_ERR,
     "crauth-helper could not set up its privileges: it is not installed set-uid/set-gid "
     "_crauth with the cap_setgid file capability.",
     "Reinstall it: `make install-setuid` or the Debian package; by hand: chown "
     "_crauth:_crauth HELPER && chmod 6755 HELPER && setcap cap_setgid=ep HELPER."},
    {REASON_BROKER, "broker", PAM_SYSTEM_ERR,
     "crauth-broker (crauth.conf(5) broker) answered at the start of the attempt, but then "
     "could not be reached, was busy, broke off, gave no outcome within its bound "
     "(connect_timeout + 2 x timeout, one timeout more with NTLM, and 1 s), or gave an "
     "outcome no server call yields; nothing was judged.",
     "Read the log line and the broker's own (journalctl -u crauth-broker).  No server was "
     "marked down and the fallback path stays shut; a broker that is not running at the "
     "start of a login is not used (the helper calls the servers itself)."},

    {REASON_HELPER_UNAVAILABLE, "helper-unavailable", PAM_SYSTEM_ERR,
     "The module could not start crauth-helper.",
     "Check the helper path (helper= argument), that it exists and is executable."},
    {REASON_HELPER_CRASHED, "helper-crashed", PAM_AUTH_ERR,
     "The helper died, or exited without giving a verdict.",
     "Look for a crash report of crauth-helper and report it; the attempt was refused. "
     "Killed by signal 31 (SIGSYS): its seccomp filter stopped a system call, which the "
     "kernel's audit log names (type=SECCOMP, syscall=N); report it with that number."},
    {REASON_HELPER_TIMEOUT, "helper-timeout", PAM_AUTH_ERR,
     "The helper did not answer within its announced time budget and was killed.",
     "Check the server timeouts in the configuration and the helper's log lines."},
    {REASON_PROTOCOL, "protocol-error", PAM_AUTH_ERR,
     "A frame between module and helper was malformed, unexpected, or contradicted the "
     "helper's exit status.",
     "Make sure pam_crauth.so and crauth-helper come from the same build."},

    {REASON_INTERNAL, "internal-error", PAM_SYSTEM_ERR,
     "An internal error (out of memory, a failed system call, a bug).",
     "Read the log line for the failing call; report it if it is not a resource shortage."},
};

const struct crauth_reason_info *
crauth_reason_lookup(int code)
{
    for (size_t i = 0; i < sizeof(catalog) / sizeof(catalog[0]); i++)
        if (catalog[i].code == code)
            return &catalog[i];
    return NULL;
}

const struct crauth_reason_info *
crauth_reason_find(const char *name)
{
    char *end;
    long code;

    if (name == NULL || *name == '\0')
        return NULL;
    code = strtol(name, &end, 10);
    if (*end == '\0')
        return crauth_reason_lookup((int)code);
    for (size_t i = 0; i < sizeof(catalog) / sizeof(catalog[0]); i++)
        if (strcmp(catalog[i].name, name) == 0)
            return &catalog[i];
    return NULL;
}

bool
crauth_reason_server_unreached(int code)
{
    switch (code) {
    case REASON_SERVER_UNREACHABLE:
    case REASON_SERVER_TIMEOUT:
    case REASON_TLS_FAILURE:
    case REASON_CONNECTION_LOST:
    case REASON_SERVER_UNAVAILABLE:
        return true;
    default:
        return false;
    }
}

const char *
crauth_reason_name(int code)
{
    const struct crauth_reason_info *info = crauth_reason_lookup(code);

    return info ? info->name : "unknown-reason";
}

int
crauth_reason_pam(int code)
{
    const struct crauth_reason_info *info = crauth_reason_lookup(code);

    return info ? info->pam_code : PAM_AUTH_ERR;
}

const struct crauth_reason_info *
crauth_reason_at(unsigned i)
{
    return i < sizeof(catalog) / sizeof(catalog[0]) ? &catalog[i] : NULL;
}
