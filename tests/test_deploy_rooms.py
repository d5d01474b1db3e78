"""Room affinity in deploy/nginx.conf, request by request: Debian's nginx with the rendered file before two stub
backends (replicas A and C) that answer every request with their letter, so each routing rule is checked alone.

The whole topology (two app processes, presenters opening rooms, followers following them through nginx) is
bench/proxy.py's room check, run by tests/test_deploy.py."""
from __future__ import annotations

import re
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy"))
import nginx as nginx_conf  # noqa: E402  (deploy/nginx.py)
from proxy import NGINX, Nginx  # noqa: E402  (bench/proxy.py)

needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (`make test` installs Debian's nginx)")


class _Stub(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = self.server.letter.encode()
        self.send_response(200)
        self.send_header("X-Replica", self.server.letter)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def proxy():
    stubs = []
    for letter in "AC":
        s = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
        s.letter = letter
        threading.Thread(target=s.serve_forever, daemon=True).start()
        stubs.append(s)
    try:
        with Nginx([f"{s.letter}=127.0.0.1:{s.server_port}" for s in stubs]) as px:
            yield px
    finally:
        for s in stubs:
            s.shutdown()
            s.server_close()


def go(px: Nginx, path: str, **cookies: str) -> tuple[str, dict[str, str]]:
    """GET path through nginx with these cookies: (the replica that answered, the cookies nginx set)."""
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    with urllib.request.urlopen(urllib.request.Request(px.url + path, headers=headers), timeout=10) as r:
        r.read()
        set_cookies = dict(re.match(r"([^=]+)=([^;]*)", c).groups() for c in r.headers.get_all("Set-Cookie") or [])
        return r.headers["X-Replica"], set_cookies


@pytest.fixture(scope="module")
def routes(proxy):
    """A route cookie that hashes to each replica (fresh visitors without a room spread over both)."""
    found: dict[str, str] = {}
    for _ in range(64):
        replica, set_cookies = go(proxy, "/")
        assert "rnnp_room" not in set_cookies
        found.setdefault(replica, set_cookies["rnnp_route"])
        if len(found) == 2:
            return found
    pytest.fail(f"64 fresh visitors without a room all went to {set(found)}")


def test_the_deployed_conf_names_each_replica_alike_in_every_replica_line():
    assert nginx_conf.replicas() == [("A", "app-a:8501"), ("C", "app-c:8501"), ("D", "app-d:8501")]


@needs_nginx
def test_a_room_link_goes_to_the_replica_of_its_code_s_letter_whatever_the_route_cookie(proxy, routes):
    for letter in "AC":
        for path in (f"/?room={letter}K7M4", f"/train_live?task=parity&room={letter}K7M4",
                     f"/?room={letter.lower()}k7m4"):
            replica, set_cookies = go(proxy, path)  # a fresh browser (a student scanning the QR code)
            assert replica == letter and set_cookies["rnnp_room"] == letter, (path, replica, set_cookies)
            assert "rnnp_route" in set_cookies  # and its route cookie, as for any fresh browser
            for route in routes.values():  # a browser that was on either replica before
                replica, set_cookies = go(proxy, path, rnnp_route=route)
                assert replica == letter and set_cookies == {"rnnp_room": letter}, (path, replica, set_cookies)


@needs_nginx
def test_the_room_cookie_alone_keeps_the_websocket_and_later_requests_on_the_room_s_replica(proxy, routes):
    for letter in "AC":
        other = routes["C" if letter == "A" else "A"]  # a route cookie that would hash to the other replica
        for path in ("/_stcore/stream", "/_stcore/host-config", "/_stcore/health", "/", "/train_live?task=parity"):
            replica, set_cookies = go(proxy, path, rnnp_route=other, rnnp_room=letter)
            assert replica == letter and set_cookies == {}, (path, replica, set_cookies)
    # another room's link moves the browser there, cookie and all
    assert go(proxy, "/?room=CK7M4", rnnp_route=routes["A"], rnnp_room="A") == ("C", {"rnnp_room": "C"})


@needs_nginx
def test_a_letter_no_replica_has_routes_as_if_there_were_no_room(proxy, routes):
    for letter, route in routes.items():
        # D is a letter of the alphabet but no replica here; 0 and Q are no letter of it; an empty room
        for path in ("/?room=DK7M4", "/?room=0K7M4", "/?room=QK7M4", "/?room="):
            assert go(proxy, path, rnnp_route=route) == (letter, {}), path
        assert go(proxy, "/_stcore/stream", rnnp_route=route, rnnp_room="D") == (letter, {})
        assert go(proxy, "/_stcore/stream", rnnp_route=route, rnnp_room="a") == (letter, {})  # nginx sets it upper
    other = {"A": "C", "C": "A"}
    for letter, route in routes.items():  # an unknown room keeps the browser where its room cookie has it
        assert go(proxy, "/?room=DK7M4", rnnp_route=route, rnnp_room=other[letter]) == (other[letter], {})
    replica, set_cookies = go(proxy, "/?room=DK7M4")  # a fresh browser: a route cookie, no room cookie
    assert replica in "AC" and set(set_cookies) == {"rnnp_route"}


def test_the_renderer_knows_the_app_s_alphabet():
    from playground.server.rooms import ALPHABET

    assert nginx_conf.ALPHABET == ALPHABET
