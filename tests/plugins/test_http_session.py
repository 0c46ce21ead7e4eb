"""The session the core hands to adapters never waits forever on a silent server."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from guestrel.plugins.plugin_api import TimeoutSession


@pytest.fixture
def slow_server():
    """A local server that answers /fast at once and holds /silent until the test ends."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self._answer()

        def do_POST(self):
            self._answer()

        def _answer(self):
            if self.path == "/silent":
                release.wait(30)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    release.set()
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_request_to_a_silent_server_times_out_without_naming_a_timeout(slow_server, method):
    session = TimeoutSession(timeout=0.2)
    with pytest.raises(requests.Timeout):
        session.request(method, f"{slow_server}/silent")


def test_a_server_that_answers_in_time_is_heard(slow_server):
    session = TimeoutSession(timeout=0.2)
    response = session.get(f"{slow_server}/fast")
    assert (response.status_code, response.text) == (200, "ok")


def test_every_session_has_a_timeout_by_default():
    session = TimeoutSession()
    assert session.timeout is not None and all(part > 0 for part in session.timeout)
