"""Internals of the reference authUser server (see ../authserver.py).

soap       SOAP 1.1 request parsing and reply rendering
policy     users, tokens, policies, challenge keys, lockout
faults     fault rules and the replies of the fault knobs
transport  HTTP/1.1 connection handling (keep-alive, body bounds)
control    plain-HTTP control API of the CLI
"""
