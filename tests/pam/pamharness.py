# SPDX-License-Identifier: BSD-3-Clause
"""Drive the real libpam from Python: pam_start_confdir + a scripted conversation.

The module under test is loaded by libpam itself from a service file written
into a private directory, so nothing under /etc is touched and no root is
needed.  Each test supplies a conversation function that sees every
conversation call (a list of (style, text) messages) and returns the answers.

Log lines: pam_syslog goes through libc's syslog(); opening the log with
LOG_PERROR makes libc copy every line to stderr, which authenticate()
captures for the duration of the call.
"""
import ctypes
import os
import re
import tempfile

PAM_PROMPT_ECHO_OFF = 1
PAM_PROMPT_ECHO_ON = 2
PAM_ERROR_MSG = 3
PAM_TEXT_INFO = 4

PAM_SILENT = 0x8000
PAM_SERVICE, PAM_USER, PAM_TTY, PAM_RHOST, PAM_CONV = 1, 2, 3, 4, 5
PAM_AUTHTOK, PAM_RUSER = 6, 8
PAM_FAIL_DELAY = 10

PAM_CODES = {
    0: "PAM_SUCCESS", 1: "PAM_OPEN_ERR", 2: "PAM_SYMBOL_ERR", 3: "PAM_SERVICE_ERR",
    4: "PAM_SYSTEM_ERR", 5: "PAM_BUF_ERR", 6: "PAM_PERM_DENIED", 7: "PAM_AUTH_ERR",
    8: "PAM_CRED_INSUFFICIENT", 9: "PAM_AUTHINFO_UNAVAIL", 10: "PAM_USER_UNKNOWN",
    11: "PAM_MAXTRIES", 19: "PAM_CONV_ERR", 25: "PAM_IGNORE", 26: "PAM_ABORT",
}
PAM = {name: code for code, name in PAM_CODES.items()}

# The global namespace, not libc.so.6 itself: the module frees our answers,
# so they must come from the same (possibly sanitizer-interposed) malloc.
_libc = ctypes.CDLL(None, use_errno=True)
_libc.strdup.restype = ctypes.c_void_p
_libc.strdup.argtypes = [ctypes.c_char_p]
_libc.calloc.restype = ctypes.c_void_p
_libc.calloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
_libc.openlog.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
_libc.setlogmask.argtypes = [ctypes.c_int]
_libc.setlogmask.restype = ctypes.c_int
_libpam = ctypes.CDLL("libpam.so.0")


class _Message(ctypes.Structure):
    _fields_ = [("msg_style", ctypes.c_int), ("msg", ctypes.c_char_p)]


class _Response(ctypes.Structure):
    _fields_ = [("resp", ctypes.c_void_p), ("resp_retcode", ctypes.c_int)]


_CONV_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int,
                            ctypes.POINTER(ctypes.POINTER(_Message)),
                            ctypes.POINTER(ctypes.POINTER(_Response)), ctypes.c_void_p)
_DELAY_FN = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p)


class _Conv(ctypes.Structure):
    _fields_ = [("conv", _CONV_FN), ("appdata_ptr", ctypes.c_void_p)]


_libpam.pam_start_confdir.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                      ctypes.POINTER(_Conv), ctypes.c_char_p,
                                      ctypes.POINTER(ctypes.c_void_p)]
_libpam.pam_authenticate.argtypes = [ctypes.c_void_p, ctypes.c_int]
_libpam.pam_set_item.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
_libpam.pam_end.argtypes = [ctypes.c_void_p, ctypes.c_int]
_libpam.pam_setcred.argtypes = [ctypes.c_void_p, ctypes.c_int]
_libpam.pam_acct_mgmt.argtypes = [ctypes.c_void_p, ctypes.c_int]
PAM_ESTABLISH_CRED = 0x2

_LOG_PERROR = 0x20
_LOG_AUTHPRIV = 10 << 3
# openlog keeps the pointer, so the ident must outlive every syslog call
_IDENT = ctypes.create_string_buffer(b"pamharness")
_libc.openlog(ctypes.cast(_IDENT, ctypes.c_char_p), _LOG_PERROR, _LOG_AUTHPRIV)


class ConversationError(Exception):
    """Raise from a conversation function to make the conversation fail."""


class Result:
    """What one pam_authenticate call did."""

    def __init__(self, code, calls, log, fail_delay):
        self.code = code                # PAM return code
        self.calls = calls              # [[(style, text), ...], ...] one list per conv call
        self.log = log                  # captured log text
        self.fail_delay = fail_delay    # usec requested through pam_fail_delay, or None

    @property
    def name(self):
        return PAM_CODES.get(self.code, str(self.code))

    @property
    def messages(self):
        return [m for call in self.calls for m in call]

    def texts(self, style=None):
        return [t for s, t in self.messages if style is None or s == style]

    def reason(self):
        """The reason code in the module's attempt line, or None."""
        m = re.search(r"reason=(\d+) \(([a-z-]+)\)", self.log)
        return int(m.group(1)) if m else None

    def __repr__(self):
        return "<Result %s reason=%s calls=%r>" % (self.name, self.reason(), self.calls)


def _capture_through_pipe(call):
    """Run call() with stderr on a pipe read by a thread: unlike a file, a
    pipe is not subject to RLIMIT_FSIZE (tests of hostile limits)."""
    import threading
    rfd, wfd = os.pipe()
    chunks = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(rfd, 4096),
                                                                 b"")))
    reader.start()
    saved = os.dup(2)
    os.dup2(wfd, 2)
    os.close(wfd)
    try:
        code = call()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        reader.join()
        os.close(rfd)
    return code, b"".join(chunks).decode("utf-8", "replace")


LOG_NOTICE, LOG_INFO = 5, 6


def log_mask_only(*priorities):
    """A setlogmask(3) mask that lets only these priorities through."""
    mask = 0
    for p in priorities:
        mask |= 1 << p
    return mask


def authenticate(service, user, confdir, conversation, *, rhost=None, tty=None,
                 ruser=None, flags=0, capture_log=True, log_pipe=False, log_mask=None):
    """Run pam_start_confdir / pam_authenticate / pam_end once.

    `conversation(messages)` gets a list of (style, text) for one conversation
    call and returns a list of answers (str or None), one per message.
    `log_mask` (setlogmask(3), see log_mask_only) keeps only lines of those
    priorities, in the captured log too: how a test tells a line's level.
    """
    if log_mask is not None:
        saved = _libc.setlogmask(log_mask)
        try:
            return authenticate(service, user, confdir, conversation, rhost=rhost, tty=tty,
                                ruser=ruser, flags=flags, capture_log=capture_log,
                                log_pipe=log_pipe)
        finally:
            _libc.setlogmask(saved)
    calls = []
    delays = []

    def conv(n, msgs, resp_out, _appdata):
        batch = [(msgs[i].contents.msg_style, msgs[i].contents.msg.decode("utf-8", "replace"))
                 for i in range(n)]
        calls.append(batch)
        try:
            answers = conversation(batch)
        except ConversationError:
            return PAM["PAM_CONV_ERR"]
        resp = _libc.calloc(n, ctypes.sizeof(_Response))
        arr = ctypes.cast(resp, ctypes.POINTER(_Response))
        for i, answer in enumerate(answers or []):
            if answer is not None and i < n:
                arr[i].resp = _libc.strdup(answer.encode())
        resp_out[0] = arr
        return 0

    def delay(_retval, usec, _appdata):
        delays.append(usec)

    conv_fn = _CONV_FN(conv)
    delay_fn = _DELAY_FN(delay)
    pconv = _Conv(conv_fn, None)
    pamh = ctypes.c_void_p()
    def as_bytes(v):  # bytes pass as they are: names that are not UTF-8
        return v if isinstance(v, bytes) else v.encode()
    rc = _libpam.pam_start_confdir(service.encode(), as_bytes(user) if user else None,
                                   ctypes.byref(pconv), confdir.encode(), ctypes.byref(pamh))
    if rc != 0:
        raise RuntimeError("pam_start_confdir failed: %d" % rc)
    for item, value in ((PAM_RHOST, rhost), (PAM_TTY, tty), (PAM_RUSER, ruser)):
        if value is not None:
            _libpam.pam_set_item(pamh, item, ctypes.c_char_p(as_bytes(value)))
    _libpam.pam_set_item(pamh, PAM_FAIL_DELAY, ctypes.cast(delay_fn, ctypes.c_void_p))
    if not capture_log:   # opens no file: the caller controls every descriptor
        code = _libpam.pam_authenticate(pamh, flags)
        log = ""
    elif log_pipe:
        code, log = _capture_through_pipe(lambda: _libpam.pam_authenticate(pamh, flags))
    else:
        with tempfile.TemporaryFile() as logf:
            saved = os.dup(2)
            os.dup2(logf.fileno(), 2)
            try:
                code = _libpam.pam_authenticate(pamh, flags)
            finally:
                os.dup2(saved, 2)
                os.close(saved)
            logf.seek(0)
            log = logf.read().decode("utf-8", "replace")
    _libpam.pam_end(pamh, code)
    return Result(code, calls, log, delays[-1] if delays else None)


def other_entry_points(service, user, confdir):
    """pam_setcred and pam_acct_mgmt on a fresh handle: (setcred code, acct code)."""
    conv_fn = _CONV_FN(lambda *a: PAM["PAM_CONV_ERR"])
    pconv = _Conv(conv_fn, None)
    pamh = ctypes.c_void_p()
    if _libpam.pam_start_confdir(service.encode(), user.encode(), ctypes.byref(pconv),
                                 confdir.encode(), ctypes.byref(pamh)) != 0:
        raise RuntimeError("pam_start_confdir failed")
    codes = (_libpam.pam_setcred(pamh, PAM_ESTABLISH_CRED), _libpam.pam_acct_mgmt(pamh, 0))
    _libpam.pam_end(pamh, 0)
    return codes


def write_service(confdir, name, module_args, module=None, password_first=False):
    """A PAM service file with pam_crauth.so as the auth module.

    With `password_first`, a test module asks "Password: " first and stores
    the answer as PAM_AUTHTOK, as pam_unix would in a real stack.
    """
    module = module or os.environ["PAM_CRAUTH"]
    other = os.path.join(confdir, "other")
    if not os.path.exists(other):   # libpam complains when the fallback service is missing
        with open(other, "w") as f:
            f.write("auth required pam_deny.so\n")
    with open(os.path.join(confdir, name), "w") as f:
        if password_first:
            f.write("auth optional %s\n" % os.environ["PAM_SETTOK"])
        f.write("auth required %s %s\n" % (module, " ".join(module_args)))


def children_of(pid):
    """Pids whose parent is `pid` (the helper is a child of the test process)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def challenge_in(text):
    """The challenge shown in a prompt made from the default response_prompt."""
    m = re.search(r"challenge (\S+):", text)
    return m.group(1) if m else None
