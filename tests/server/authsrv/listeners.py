"""Listening sockets of the reference server: the accept loop it shares with
``DeadListener`` (a TCP listener that never speaks HTTP), and ``closed_port``.
"""

import selectors
import socket
import struct
import threading
from typing import Callable, List, Optional


class TcpListener:
    """A listening socket plus an accept loop thread that calls ``on_accept``."""

    def __init__(self, host: str, port: int, on_accept: Callable, name: str):
        family = socket.AF_INET6 if ':' in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self._on_accept = on_accept
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _loop(self):
        with selectors.DefaultSelector() as selector:
            selector.register(self.sock, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    try:
                        conn, peer = self.sock.accept()
                    except OSError:
                        continue
                    self._on_accept(conn, peer)

    def close(self):
        self._wake_w.send(b'x')
        self._thread.join(5)
        for s in (self.sock, self._wake_r, self._wake_w):
            s.close()


def url_for(scheme: str, host: str, port: int) -> str:
    return f'{scheme}://[{host}]:{port}/' if ':' in host else f'{scheme}://{host}:{port}/'


class DeadListener:
    """A loopback TCP listener that never speaks HTTP; counts connection attempts.

    mode 'hang': accept and hold the connection open, never read or answer;
    'close': accept and close at once (FIN); 'reset': accept and reset (RST).
    It listens as soon as it is constructed; stop() (or ``with``) ends it.
    """

    MODES = ('hang', 'close', 'reset')

    def __init__(self, mode: str = 'hang', host: str = '127.0.0.1', port: int = 0):
        if mode not in self.MODES:
            raise ValueError(f'mode must be one of {self.MODES}')
        self.mode, self.host, self.port = mode, host, port
        self._listener: Optional[TcpListener] = None
        self._held: List[socket.socket] = []
        self._attempts = 0
        self._cond = threading.Condition()
        self.start()

    def start(self) -> 'DeadListener':
        if self._listener is None:
            self._listener = TcpListener(self.host, self.port, self._accepted, f'dead-{self.mode}')
            self.port = self._listener.port
        return self

    def _accepted(self, sock, peer):
        with self._cond:
            self._attempts += 1
            self._cond.notify_all()
        if self.mode == 'hang':
            self._held.append(sock)
            return
        if self.mode == 'reset':
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        sock.close()

    @property
    def attempts(self) -> int:
        with self._cond:
            return self._attempts

    def wait_for_attempts(self, n: int, timeout: float = 10) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._attempts >= n, timeout)

    @property
    def url(self) -> str:
        return url_for('https', self.host, self.port)

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for sock in self._held:
            sock.close()
        self._held = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def closed_port(host: str = '127.0.0.1') -> int:
    """A port nothing listens on (bound, read, closed: connecting is refused)."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
