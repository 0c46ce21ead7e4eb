"""Reading a Server-Sent Event stream of a real server, as a browser's EventSource does."""
import queue
import re
import threading
from dataclasses import dataclass

import requests


@dataclass
class Event:
    id: str | None
    kind: str
    data: str


class Stream:
    """An open event stream; `next_event()` waits for the next event (comments are skipped)."""

    def __init__(self, session: requests.Session, url: str, headers=None):
        self.response = session.get(url, headers=headers or {}, stream=True, timeout=(5, 30))
        self.events = queue.Queue()
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        fields = {}
        try:
            for raw in self.response.iter_lines(decode_unicode=True):
                line = raw or ""
                if not line:
                    if "event" in fields:
                        self.events.put(Event(fields.get("id"), fields["event"], "\n".join(fields.get("data", []))))
                    fields = {}
                elif line.startswith(":"):
                    continue
                else:
                    name, _colon, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "data":
                        fields.setdefault("data", []).append(value)
                    else:
                        fields[name] = value
        except (requests.RequestException, AttributeError, ValueError):
            return

    def next_event(self, timeout: float = 15.0) -> Event:
        return self.events.get(timeout=timeout)

    def quiet_for(self, seconds: float) -> bool:
        try:
            self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self):
        """Hang up without waiting: closing blocks until the reader's next line (a keep-alive)."""
        threading.Thread(target=self.response.close, daemon=True).start()


CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def signed_in(base_url: str, email: str, password: str) -> requests.Session:
    """A browser session signed in through the login form, with its CSRF token where the app
    checks them (the test config does not)."""
    session = requests.Session()
    token = CSRF_TOKEN.search(session.get(f"{base_url}/login", timeout=10).text)
    answer = session.post(f"{base_url}/login", data={"email": email, "password": password,
                                                     "csrf_token": token.group(1) if token else ""},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return session
