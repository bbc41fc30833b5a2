"""Command line of the reference server (``authserver.py --config FILE.json``).

The JSON holds ``users`` plus any ``AuthServer`` keyword; cert paths are
relative to the file.  The clock is real time plus an offset that the
control API can move.
"""

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time


class OffsetClock:
    """Real time plus an offset the control API can move (POST /clock)."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self):
        return time.time() + self.offset


def load_config(path: str) -> dict:
    """Read the JSON config; relative file paths are relative to its directory."""
    with open(path, encoding='utf-8') as f:
        config = json.load(f)
    base = os.path.dirname(os.path.abspath(path))
    for key in ('certfile', 'keyfile', 'client_ca'):
        if config.get(key) and not os.path.isabs(config[key]):
            config[key] = os.path.join(base, config[key])
    return config


def _write_atomically(path: str, text: str) -> None:
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, path)


def main(server_class, argv=None) -> int:
    parser = argparse.ArgumentParser(description='Reference authUser SOAP server for crauth tests.')
    parser.add_argument('--config', required=True, help='JSON file: users and server options')
    parser.add_argument('--port', type=int, help='port to listen on (default: config or ephemeral)')
    parser.add_argument('--port-file', help='write the listening port here once ready')
    parser.add_argument('--control-port', type=int, help='plain-HTTP loopback control API port (0 = any)')
    parser.add_argument('--control-port-file', help='write the control port here once ready')
    parser.add_argument('--verbose', '-v', action='count', default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
                        format='%(asctime)s %(name)s %(message)s')
    config = load_config(args.config)
    faults = config.pop('faults', [])
    if args.port is not None:
        config['port'] = args.port
    config.setdefault('clock', OffsetClock())
    server = server_class(**config)
    for fault in faults:
        server.set_fault(**fault)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    control = None
    if args.control_port is not None:
        from authsrv.control import ControlServer
        control = ControlServer(server, args.control_port)
        if args.control_port_file:
            _write_atomically(args.control_port_file, f'{control.port}\n')
    if args.port_file:
        _write_atomically(args.port_file, f'{server.port}\n')
    print(f'authserver {server.instance} listening on {server.url}', file=sys.stderr, flush=True)
    while not stop.wait(3600):
        pass
    if control:
        control.stop()
    server.stop()
    return 0
