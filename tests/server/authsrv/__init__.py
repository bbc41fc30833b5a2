"""Internals of the reference authUser server (see ../authserver.py).

namespaces XML namespaces of the messages
soap       SOAP 1.1 request parsing (authUser, getChallenge) and Faults
shapes     results replies, in the layouts real servers send
soapclient the test-client side: requests out, any reply shape in
status     status codes, messages, the generic mapping, outcomes
tokens     HOTP/TOTP/OCRA/VMA tokens, host codes, the fake clock
users      user specs: policies, request methods, per-user flags
policy     the authUser decisions and the server options
challenges 2-step, getChallenge and VMA challenges, and their keys
faults     fault rules and the replies of the fault knobs
transport  HTTP/1.1 connection handling (keep-alive, body bounds)
listeners  the accept loop, DeadListener, closed_port
cli        the command line; control: its plain-HTTP control API
testing    helpers for Python tests
"""
