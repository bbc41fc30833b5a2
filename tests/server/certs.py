#!/usr/bin/python3
"""Test PKI for the reference server, made with the ``openssl`` CLI (EC P-256).

``make_certs(directory)`` writes, and returns the paths of:

  ca_cert/ca_key                  test CA
  server_cert/server_key          good server cert: localhost, 127.0.0.1, ::1 (signed by CA)
  wrong_host_cert/wrong_host_key  signed by CA, SAN wrong.example.com only
  expired_cert/expired_key        signed by CA, valid 2020-01-01 .. 2020-01-02
  self_signed_cert/self_signed_key  self-signed, localhost
  other_ca_cert/other_ca_key      a second, unrelated CA
  other_server_cert/other_server_key  localhost cert signed by the other CA
  client_ca_cert/client_ca_key    CA for client certificates (mutual TLS)
  client_cert/client_key          client cert (clientAuth) signed by the client CA
  bad_client_cert/bad_client_key  client cert signed by the other CA (not trusted)
  pin_file, pin                   curl pin of the good cert: sha256//BASE64 of the SPKI

CLI: ``/usr/bin/python3 certs.py DIR`` prints the dict as JSON.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys

# Our own minimal OpenSSL config, so the system openssl.cnf (its default
# extensions and CA policy) cannot change what we produce.
_CONFIG = """\
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[ self_signed_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[ wrong_host_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong.example.com
[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# "openssl ca" is the only bookworm openssl tool that sets arbitrary dates;
# it needs this database section.
[ ca ]
default_ca = expired_ca
[ expired_ca ]
database = {dir}/.ca-work/index.txt
new_certs_dir = {dir}/.ca-work
serial = {dir}/.ca-work/serial
default_md = sha256
policy = any_policy
unique_subject = no
copy_extensions = none
[ any_policy ]
commonName = supplied
"""

_EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']


def _openssl(*args, cwd=None):
    result = subprocess.run(['openssl', *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    if result.returncode != 0:
        raise RuntimeError(f'openssl {" ".join(args)} failed: {result.stderr.decode(errors="replace")}')
    return result.stdout


def spki_pin(cert_path: str) -> str:
    """curl's --pinnedpubkey form: sha256// + base64(SHA-256(DER SubjectPublicKeyInfo))."""
    public_pem = _openssl('x509', '-in', cert_path, '-noout', '-pubkey')
    der = _pem_public_key_to_der(public_pem)
    return 'sha256//' + base64.b64encode(hashlib.sha256(der).digest()).decode()


def _pem_public_key_to_der(pem: bytes) -> bytes:
    lines = [line for line in pem.decode().splitlines() if line and not line.startswith('-----')]
    return base64.b64decode(''.join(lines))


def make_certs(directory: str) -> dict:
    """Generate the whole test PKI into ``directory`` (created if needed)."""
    os.makedirs(directory, exist_ok=True)
    d = os.path.abspath(directory)
    config = os.path.join(d, '.openssl.cnf')
    with open(config, 'w') as f:
        f.write(_CONFIG.format(dir=d))
    paths = {}

    def path(name):
        return os.path.join(d, name)

    def new_ca(name, cn):
        _openssl('req', '-config', config, '-x509', *_EC, '-keyout', path(f'{name}.key'),
                 '-out', path(f'{name}.crt'), '-days', '3650', '-subj', f'/CN={cn}',
                 '-extensions', 'ca_ext', '-sha256')
        paths[f'{name}_cert'], paths[f'{name}_key'] = path(f'{name}.crt'), path(f'{name}.key')

    def new_key_and_csr(name, cn):
        _openssl('req', '-config', config, '-new', *_EC, '-keyout', path(f'{name}.key'),
                 '-out', path(f'{name}.csr'), '-subj', f'/CN={cn}')
        paths[f'{name}_cert'], paths[f'{name}_key'] = path(f'{name}.crt'), path(f'{name}.key')

    def sign(name, ca, extensions, days='825'):
        _openssl('x509', '-req', '-in', path(f'{name}.csr'), '-CA', path(f'{ca}.crt'),
                 '-CAkey', path(f'{ca}.key'), '-set_serial', str(int.from_bytes(os.urandom(8), 'big')),
                 '-days', days, '-sha256', '-extfile', config, '-extensions', extensions,
                 '-out', path(f'{name}.crt'))
        os.remove(path(f'{name}.csr'))

    new_ca('ca', 'crauth test CA')
    new_ca('other_ca', 'crauth unrelated CA')
    new_ca('client_ca', 'crauth client CA')

    for name, cn, ca, ext in (('server', 'localhost', 'ca', 'server_ext'),
                              ('wrong_host', 'wrong.example.com', 'ca', 'wrong_host_ext'),
                              ('other_server', 'localhost', 'other_ca', 'server_ext'),
                              ('client', 'crauth-client', 'client_ca', 'client_ext'),
                              ('bad_client', 'crauth-client', 'other_ca', 'client_ext')):
        new_key_and_csr(name, cn)
        sign(name, ca, ext)

    # Expired: "openssl ca" with explicit past dates.
    new_key_and_csr('expired', 'localhost')
    work = path('.ca-work')
    shutil.rmtree(work, ignore_errors=True)
    os.mkdir(work)
    open(os.path.join(work, 'index.txt'), 'w').close()
    with open(os.path.join(work, 'serial'), 'w') as f:
        f.write(os.urandom(8).hex() + '\n')
    _openssl('ca', '-config', config, '-batch', '-notext', '-in', path('expired.csr'),
             '-cert', path('ca.crt'), '-keyfile', path('ca.key'),
             '-startdate', '20200101000000Z', '-enddate', '20200102000000Z',
             '-extfile', config, '-extensions', 'server_ext', '-out', path('expired.crt'))
    os.remove(path('expired.csr'))
    shutil.rmtree(work)

    _openssl('req', '-config', config, '-x509', *_EC, '-keyout', path('self_signed.key'),
             '-out', path('self_signed.crt'), '-days', '825', '-subj', '/CN=localhost',
             '-extensions', 'self_signed_ext', '-sha256')
    paths['self_signed_cert'], paths['self_signed_key'] = path('self_signed.crt'), path('self_signed.key')

    paths['pin'] = spki_pin(paths['server_cert'])
    paths['pin_file'] = path('pin.txt')
    with open(paths['pin_file'], 'w') as f:
        f.write(paths['pin'] + '\n')
    os.remove(config)
    return paths


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(f'usage: {sys.argv[0]} DIRECTORY')
    print(json.dumps(make_certs(sys.argv[1]), indent=1))
