"""Plain-HTTP loopback control API of a CLI-run AuthServer (for shell benches).

  POST /fault   {"kind": "delay", "seconds": 5, "count": 1, "step": "any", ...}
  POST /clear   {} or {"kind": "delay"}
  GET  /stats   counters, open connections, TLS errors, active faults
  GET  /requests            recorded requests (JSON list)
  GET  /keys                issued challenge keys
  POST /unlock  {"user": "alice"}           POST /lock {"user": "alice"}
  POST /user    {"name": "dave", "spec": {...}}
  POST /update_user {"name": "dave", "disabled": true, ...}   flags; token kept
  GET  /users/NAME          token state, lock state, failure count
  GET  /answer?user=NAME[&challenge=C]   the code the token shows now
  GET  /options             server options, shape, strict_types
  POST /options {"generic_status": true, "one_step_cr": "any", ...}
  POST /shape   {"shape": ["no_wrapper", "latin1"]}
  GET  /sent_otps[?user=NAME]            OTPs the VMA "sent"
  GET  /host_code?user=NAME&code=C       the CREDFLD_HOST_CODE of that login
  POST /clock   {"advance": 61}          (only with the CLI's offset clock)

Replies are JSON; errors are 400 {"error": "..."}.
"""

import json
import threading
import urllib.parse
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _ControlHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        self.server.auth.log.debug('control: ' + fmt, *args)

    def _json_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        data = self.rfile.read(length) if length else b''
        return json.loads(data or b'{}')

    def _send(self, status, payload):
        data = (json.dumps(payload, indent=1, default=str) + '\n').encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self, routes):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        path = url.path.rstrip('/') or '/'
        for prefix, action in routes:
            if path == prefix or (prefix.endswith('/') and path.startswith(prefix)):
                try:
                    self._send(200, action(path[len(prefix):], query))
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    self._send(400, {'error': f'{type(exc).__name__}: {exc}'})
                return
        self._send(404, {'error': f'no such endpoint {url.path}'})

    def do_GET(self):
        srv = self.server.auth
        self._dispatch([
            ('/stats', lambda _, q: dict(srv.stats, faults=srv.faults)),
            ('/requests', lambda _, q: [r.to_dict() for r in srv.requests]),
            ('/keys', lambda _, q: {k: asdict(v) for k, v in srv.issued_keys.items()}),
            ('/users/', lambda name, q: srv.user_state(name)),
            ('/answer', lambda _, q: {'answer': srv.answer_for(q['user'], q.get('challenge'))}),
            ('/options', lambda _, q: srv.options),
            ('/sent_otps', lambda _, q: ({'otp': srv.sent_otps[q['user']]} if 'user' in q
                                         else srv.sent_otps)),
            ('/host_code', lambda _, q: {'host_code': srv.host_code_for(q['user'], q['code'])}),
        ])

    def do_POST(self):
        srv, body = self.server.auth, self._json_body()
        self._dispatch([
            ('/fault', lambda _, q: (srv.set_fault(**body), {'faults': srv.faults})[1]),
            ('/clear', lambda _, q: (srv.clear_faults(body.get('kind')), {'faults': srv.faults})[1]),
            ('/unlock', lambda _, q: (srv.unlock(body['user']), srv.user_state(body['user']))[1]),
            ('/lock', lambda _, q: (srv.lock(body['user']), srv.user_state(body['user']))[1]),
            ('/user', lambda _, q: (srv.add_user(body['name'], body['spec']),
                                    srv.user_state(body['name']))[1]),
            ('/update_user', lambda _, q: self._update_user(dict(body))),
            ('/options', lambda _, q: (srv.set_options(**body), srv.options)[1]),
            ('/shape', lambda _, q: (srv.set_shape(*body.get('shape', [])), srv.options)[1]),
            ('/clock', lambda _, q: self._advance_clock(float(body['advance']))),
        ])

    def _update_user(self, body):
        name = body.pop('name')
        self.server.auth.update_user(name, **body)
        return self.server.auth.user_state(name)

    def _advance_clock(self, seconds):
        clock = self.server.auth.authenticator.clock
        if not hasattr(clock, 'offset'):
            raise ValueError('this server does not use a movable clock')
        clock.offset += seconds
        return {'offset': clock.offset, 'now': clock()}


class ControlServer:
    """Runs the control API on 127.0.0.1:port in a background thread."""

    def __init__(self, auth_server, port: int = 0):
        self._httpd = ThreadingHTTPServer(('127.0.0.1', port), _ControlHandler)
        self._httpd.daemon_threads = True
        self._httpd.auth = auth_server
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name='authserver-control',
                                        daemon=True)
        self._thread.start()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)
