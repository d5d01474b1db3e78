"""The deployed topology without Docker: Debian's nginx, rendered from deploy/nginx.conf, before two app processes.

    python bench/proxy.py            # prints where each session and room went and how far its training got
    python bench/proxy.py --check    # the same, asserting; exits 1 on a failure (tests/test_deploy.py)

It starts two app processes (bench/load.py's `Server`), replicas A and C (PLAYGROUND_REPLICA: each one's room codes
start with its letter), and nginx with deploy/nginx.py's rendering of deploy/nginx.conf in front of them, then, as
browsers on one machine would:
1. `--visitors` fresh visitors each load the page without a cookie: nginx gives each a route cookie, and the
   visitors must land on both processes (hashing the client address would put them all on one);
2. two of those visitors per process go on as a browser does with the cookie it got: /_stcore/health,
   /_stcore/host-config, the websocket (bench/stclient.py, with the browser's Cookie and Origin headers) on
   Train live pressing Play until --steps more steps are shown, then a second websocket (as after a reload)
   until its page draws, and the page again;
3. nginx's access log (its format logs each request's route and `$upstream_addr`) must show every request of
   a visitor on the process its first page load went to, and each session's Step must advance through the
   proxy;
4. rooms: on each process, a presenter (a visitor of step 1 whose route went there) opens a room on the Lecture
   page over its websocket; three browsers follow each room by its link `/?room=CODE`: a fresh one, one whose route
   cookie goes to the other process, and the presenter's own (the projector's window). Each must follow the room
   (its sidebar says so, and the presenter's counts reach three), and the access log must show every request of
   theirs on the room's process: the page load with the room in its query, and then the websocket and a later page
   load without it, routed by the room cookie nginx set. A code whose letter no process has routes as if absent.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "deploy"))
import nginx as nginx_conf  # noqa: E402  (deploy/nginx.py)
from load import Server, free_port  # noqa: E402
from stclient import Client  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ route=(?P<route>\S+) '
                      r'upstream=(?P<upstream>\S+) request_time=\S+ room=(?P<room>\S*)$')
REPLICAS = "AC"  # the two app processes' PLAYGROUND_REPLICA
ROOM_CODE = re.compile(r"room-code'>([A-Z0-9]+)-([A-Z0-9]+)<")

# The browser's headers on its websocket: stclient opens it without any, so the connect call it makes is given
# this task's Cookie and Origin (each session runs in a task of its own, with its own context).
_ws_headers: contextvars.ContextVar[dict] = contextvars.ContextVar("ws_headers", default={})
_connect = websockets.connect


def _connect_as_browser(uri, **kw):
    return _connect(uri, additional_headers=_ws_headers.get(), **kw)


class Nginx:
    """nginx in the foreground on a free port, its conf, logs and temp files in a folder of its own.

    It listens on 127.0.0.2, not 127.0.0.1: Streamlit lets a websocket from a 127.0.0.1 or localhost page in
    whatever Host it is given, so only another address shows that nginx passes the browser's Host on (Streamlit
    then accepts the websocket because its Origin matches that Host, as for a real host name)."""

    def __init__(self, servers: list[str], host: str = "127.0.0.2"):
        self.host, self.port = host, free_port()
        self.prefix = Path(tempfile.mkdtemp(prefix="rnnp-nginx-"))
        self.prefix.chmod(0o755)  # nginx's workers (not root) write their temp files here
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(nginx_conf.render(servers, f"{host}:{self.port}", self.prefix))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> "Nginx":
        cmd = [NGINX, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "error.log")]
        check = subprocess.run([*cmd, "-t"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx rejects the rendered config: {check.stderr}")
        self.proc = subprocess.Popen([*cmd, "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"nginx stopped: {self.proc.stderr.read()}")
                time.sleep(0.1)
        raise RuntimeError("nginx did not answer within 10 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def log(self) -> list[dict]:
        path = self.prefix / "access.log"
        lines = path.read_text().splitlines() if path.exists() else []
        return [m.groupdict() for m in map(LOG_LINE.search, lines) if m]


def fetch(url: str, cookies: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    """GET url (as the browser, with its cookies): (status, the cookies nginx set, name -> value)."""
    req = urllib.request.Request(url, headers={"Cookie": cookie_header(cookies)} if cookies else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()
        return r.status, dict(re.match(r"([^=]+)=([^;]*)", c).groups() for c in r.headers.get_all("Set-Cookie") or [])


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def get(url: str, cookie: str | None = None) -> tuple[int, str | None]:
    """GET url (as the browser, with its route cookie if it has one): (status, the route cookie nginx set)."""
    status, set_cookies = fetch(url, {"rnnp_route": cookie} if cookie else None)
    return status, set_cookies.get("rnnp_route")


async def visit_until(c: Client, done, limit: float, press: str | None = None, during=None) -> None:
    """c.visit(...) until done(c) holds (then close, as a student closing the tab), at most `limit` seconds."""
    task = asyncio.ensure_future(c.visit(limit, press=press, press_after=0.2, during=during))
    while not task.done() and not done(c):
        await asyncio.sleep(0.2)
    if not task.done():
        if c._ws is not None:  # close the websocket first: the client's reader then ends cleanly
            await c._ws.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@dataclass
class Visit:
    """One browser's visit through the proxy: its route, its Train live session and a second websocket."""

    route: str
    first: Client  # Train live, Play pressed
    again: Client  # a second websocket from the same browser (as after a reload)
    took: float = 0.0  # seconds of the first session
    drawn: float | None = None  # ...when its page first drew, and when its Step first moved
    moving: float | None = None
    cookies_reset: list[str] = field(default_factory=list)  # route cookies nginx set although the browser had one


async def session(proxy: Nginx, route: str, seed: int, steps: int, limit: float) -> Visit:
    """One browser with its cookie: page, health, host-config, Train live + Play until `steps` more steps are
    shown, a second websocket until its page draws, the page again."""
    _ws_headers.set({"Cookie": f"rnnp_route={route}", "Origin": proxy.url})
    query = f"task=parity&seed={seed}"
    v = Visit(route, Client(proxy.url, "train_live", query), Client(proxy.url, "train_live", query))
    for path in ("/train_live", "/_stcore/health", "/_stcore/host-config"):
        v.cookies_reset.append((await asyncio.to_thread(get, proxy.url + path, route))[1])
    t0 = time.perf_counter()
    await visit_until(v.first, lambda c: len(s := steps_seen(c)) > 1 and s[-1] - s[0] >= steps, limit, "train:play")
    v.took = time.perf_counter() - t0
    runs = v.first.finished_runs()
    v.drawn = next((r.finished - t0 for r in runs if r.metrics), None)
    v.moving = next((r.finished - t0 for r in runs if r.metrics.get("Step", "0") not in ("0", "")), None)
    await visit_until(v.again, lambda c: any(r.metrics for r in c.finished_runs()), limit)
    v.cookies_reset.append((await asyncio.to_thread(get, proxy.url + "/", route))[1])
    v.cookies_reset = [c for c in v.cookies_reset if c]
    return v


def steps_seen(c: Client) -> list[int]:
    """The Step metric of each finished run that showed one, in order."""
    shown = [r.metrics.get("Step", "").replace(",", "") for r in c.finished_runs()]
    return [int(v) for v in shown if v.isdigit()]


def report(i: int, v: Visit, reqs: list[dict], port_of: dict[str, int], home: int) -> list[str]:
    """Print where one visit's requests went and how far it trained; return what is wrong with it."""
    where = Counter(port_of.get(e["upstream"], e["upstream"]) for e in reqs)
    ws = [e for e in reqs if e["path"].startswith("/_stcore/stream")]
    steps = steps_seen(v.first)
    moved = steps[-1] - steps[0] if len(steps) > 1 else 0
    at = lambda t: "never" if t is None else f"{t:.0f} s"  # noqa: E731
    print(f"session {i} (route {v.route[:8]}, first page load on process {home}): {len(reqs)} requests, "
          f"{len(ws)} of them websockets (status {'/'.join(sorted({e['status'] for e in ws}))}), served by "
          f"process(es) {dict(where)}; Train live drawn at {at(v.drawn)}, Step {steps[0] if steps else '-'} -> "
          f"{steps[-1] if steps else '-'} in {v.took:.0f} s (moving at {at(v.moving)}), "
          f"{len(v.first.finished_runs())} script runs; second websocket drew {len(v.again.finished_runs())} runs")
    out = []
    if set(where) != {home}:
        out.append(f"session {i} left process {home}: {dict(where)}")
    if len(ws) != 2 or {e["status"] for e in ws} != {"101"}:
        out.append(f"session {i}: expected 2 websockets upgraded (101), the log has {ws}")
    if v.cookies_reset:
        out.append(f"session {i}: nginx set a new route cookie although the browser sent one: {v.cookies_reset}")
    if moved <= 0:
        out.append(f"session {i}: training did not advance through the proxy (steps {steps[:3]}...)")
    errs = v.first.errors + v.again.errors + [x for c in (v.first, v.again) for r in c.runs for x in r.exceptions]
    if errs or not v.again.finished_runs():
        out.append(f"session {i}: errors {errs[:3]}, second websocket's runs {len(v.again.finished_runs())}")
    return out


def run(visitors: int, per_backend: int, steps: int, limit: float) -> list[str]:
    failures: list[str] = []
    with contextlib.ExitStack() as stack:
        servers = [Server(env={"PLAYGROUND_WORKERS": "1", "PLAYGROUND_REPLICA": r}) for r in REPLICAS]
        with ThreadPoolExecutor(2) as ex:  # both start at once (each waits for its health check)
            started = [ex.submit(s.__enter__) for s in servers]
        for s in servers:
            if s.proc is not None:
                stack.push(s.__exit__)
        for f in started:
            f.result()
        port_of = {f"127.0.0.1:{s.port}": i for i, s in enumerate(servers)}
        proxy = stack.enter_context(Nginx([f"{r}={a}" for r, a in zip(REPLICAS, port_of)]))
        procs = ", ".join(f"{i}: port {s.port} (pid {s.proc.pid}, replica {REPLICAS[i]})"
                          for i, s in enumerate(servers))
        print(f"nginx on port {proxy.port} before app processes {procs}")

        # 1. fresh visitors, no cookie: each gets a route; where did their first page load go?
        routes = [get(proxy.url + "/")[1] for _ in range(visitors)]
        if None in routes or len(set(routes)) != visitors:
            failures.append(f"nginx did not set a distinct route cookie for every fresh visitor: {routes}")
            return failures
        deadline = time.time() + 10  # nginx writes a request's log line just after its response
        while True:
            first = {e["route"]: e["upstream"] for e in proxy.log() if e["route"] in routes}
            if len(first) == len(routes) or time.time() > deadline:
                break
            time.sleep(0.1)
        spread = Counter(port_of.get(first.get(r), "?") for r in routes)
        print(f"{visitors} fresh visitors (one client address): first page load on process 0: {spread[0]}, "
              f"process 1: {spread[1]}")
        if not (spread[0] and spread[1]):
            failures.append(f"fresh visitors were not spread over both processes: {dict(spread)}")
            return failures

        # 2. a few of them, per_backend on each process, go on to train live through the proxy
        chosen = [r for b in (0, 1) for r in [r for r in routes if port_of.get(first.get(r)) == b][:per_backend]]
        with _patched_connect():
            async def all_sessions():
                return await asyncio.gather(*(session(proxy, r, i + 1, steps, limit) for i, r in enumerate(chosen)))
            results = asyncio.run(all_sessions())
        time.sleep(0.5)  # nginx logs a websocket when it closes

        # 3. every request of each visitor on one process, the one of its first page load
        by_route = defaultdict(list)
        for e in proxy.log():
            by_route[e["route"]].append(e)
        for i, v in enumerate(results):
            failures += report(i, v, by_route[v.route], port_of, home=port_of[first[v.route]])
        homes = Counter(port_of[first[r]] for r in chosen)
        print(f"sessions per process: {dict(sorted(homes.items()))}")

        # 4. a room on each process: its presenter and followers all on that process
        spare = [[r for r in routes if port_of.get(first.get(r)) == b and r not in chosen] for b in (0, 1)]
        if min(map(len, spare)) < 2:
            failures.append(f"too few fresh visitors for the rooms on each process: {list(map(len, spare))}")
            return failures
        # each room: a presenter whose route goes to its process, a follower whose route goes to the other one
        failures += rooms(proxy, [spare[0][0], spare[1][0]], [spare[1][1], spare[0][1]], port_of, limit)
        for s in servers:
            if s.log_errors():
                failures.append(f"app on port {s.port} logged errors: {s.log_errors()[:3]}")
    return failures


@dataclass
class Room:
    """A room opened through the proxy: its presenter's browser and session, and the browsers that follow it."""

    home: int  # the process the presenter's route goes to
    route: str  # the presenter's route cookie
    presenter: Client
    code: str = ""
    followers: dict[str, tuple[dict[str, str], Client]] = field(default_factory=dict)  # who -> (cookies, session)
    followed: float | None = None  # when every follower's visit had ended


async def as_browser(cookies: dict[str, str], origin: str, coro):
    """Run coro (a session's visit) with this browser's Cookie and Origin on its websocket."""
    _ws_headers.set({"Cookie": cookie_header(cookies), "Origin": origin})
    return await coro


def texts(c: Client) -> list[str]:
    return [t for r in c.runs for t in r.texts]


def following(c: Client, code: str) -> bool:
    shown = f"Following the lecturer's room **{code[:3]}-{code[3:]}**"
    return any(t.startswith(shown) for t in texts(c))


def refused(c: Client) -> list[str]:
    """The app's warnings about a room (e.g. "There is no open room ...": the browser reached another process)."""
    return [a for r in c.runs for a in r.alerts if "room" in a.lower()]


def counted(c: Client, n: int) -> bool:
    """The presenter's counts show n followers."""
    return any(t.startswith("Presenting room") and f": {n} following" in t for t in texts(c))


FOLLOWERS = 3  # per room: a fresh browser, one routed elsewhere, the presenter's own (its projector)


async def open_rooms(proxy: Nginx, rooms_: list[Room], routes_elsewhere: list[str], limit: float) -> None:
    """Each presenter opens its room and stays; three browsers follow each room by its link; then all leave."""
    async def present(room: Room) -> None:
        async def press_then_read(c: Client) -> None:
            while c.widget("room:open") is None:
                await asyncio.sleep(0.1)
            await c.press("room:open")
            while not (m := next(filter(None, map(ROOM_CODE.search, texts(c))), None)):
                await asyncio.sleep(0.1)
            room.code = m.group(1) + m.group(2)
        # it stays until its counts show every follower (they refresh every 5 s), or 15 s after the last one left
        def done(c: Client) -> bool:
            return counted(c, FOLLOWERS) or bool(room.followed and time.perf_counter() - room.followed > 15)
        await as_browser({"rnnp_route": room.route}, proxy.url,
                         visit_until(room.presenter, done, limit, during=press_then_read))

    async def follow(room: Room, who: str, cookies: dict[str, str]) -> None:
        status, set_cookies = await asyncio.to_thread(fetch, f"{proxy.url}/?room={room.code}", cookies)
        cookies = {**cookies, **set_cookies}  # as a browser keeps what nginx set
        c = Client(proxy.url, "", f"room={room.code}")
        room.followers[who] = (cookies, c)
        if status != 200:
            c.errors.append(f"the room's link answered {status}")
        await as_browser(cookies, proxy.url, visit_until(c, lambda c: following(c, room.code) or refused(c), limit))
        _, set_cookies = await asyncio.to_thread(fetch, f"{proxy.url}/", cookies)  # a later page, no room
        if set_cookies:
            c.errors.append(f"nginx set {set_cookies} on a page load although the browser had its cookies")

    tasks = [asyncio.ensure_future(present(r)) for r in rooms_]
    deadline = time.perf_counter() + limit
    while not all(r.code for r in rooms_) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    async def followers(room: Room, other: str) -> None:
        await asyncio.gather(*(follow(room, who, cookies) for who, cookies in (
            ("fresh", {}), ("routed elsewhere", {"rnnp_route": other}), ("projector", {"rnnp_route": room.route}))))
        room.followed = time.perf_counter()
    await asyncio.gather(*(followers(r, other) for r, other in zip(rooms_, routes_elsewhere) if r.code))
    await asyncio.gather(*tasks)  # each presenter stays until its counts show its followers (or its limit)


def rooms(proxy: Nginx, presenters: list[str], elsewhere: list[str], port_of: dict[str, int],
          limit: float) -> list[str]:
    """Step 4: a room on each process (its presenter's route goes there), followed through the proxy by link, by
    a fresh browser, one whose route goes to another process (`elsewhere`) and the presenter's own browser."""
    failures: list[str] = []
    before = len(proxy.log())
    rooms_ = [Room(b, route, Client(proxy.url, "lecture")) for b, route in enumerate(presenters)]
    with _patched_connect():
        asyncio.run(open_rooms(proxy, rooms_, elsewhere, limit))
    time.sleep(0.5)  # nginx logs a websocket when it closes
    log = proxy.log()[before:]
    for room in rooms_:
        letter = REPLICAS[room.home]
        print(f"room {room.code or '(none)'} opened by a presenter on process {room.home} (replica {letter})")
        if not room.code.startswith(letter):
            failures.append(f"the presenter on process {room.home} opened room {room.code!r}, not one of {letter}")
            continue
        counts = [t for t in texts(room.presenter) if t.startswith("Presenting room")]
        print(f"  the presenter's counts: {counts[-1] if counts else '(none)'}")
        if len(room.followers) != FOLLOWERS or not counted(room.presenter, FOLLOWERS):
            failures.append(f"room {room.code}: the presenter's counts never showed its {FOLLOWERS} followers: "
                            f"{counts[-1:]}")
        for who, (cookies, c) in [("presenter", ({"rnnp_route": room.route}, room.presenter)),
                                  *room.followers.items()]:
            # a browser's requests: its route cookie's (the presenter's browser's are also its projector's)
            reqs = [e for e in log if e["route"] == cookies.get("rnnp_route")]
            where = Counter(port_of.get(e["upstream"], e["upstream"]) for e in reqs)
            ws = [e for e in reqs if e["path"].startswith("/_stcore/stream")]
            print(f"  {who}: cookies {cookies}; {len(reqs)} requests ({len(ws)} websockets, status "
                  f"{'/'.join(sorted({e['status'] for e in ws}))}), served by process(es) {dict(where)}; "
                  + ("following" if who == "presenter" or following(c, room.code) else "NOT following"))
            if set(where) != {room.home}:
                failures.append(f"room {room.code}, {who}: requests left process {room.home}: {dict(where)} "
                                f"{[(e['path'], e['upstream'], e['room']) for e in reqs][:6]}")
            if not ws or {e["status"] for e in ws} != {"101"}:
                failures.append(f"room {room.code}, {who}: expected its websockets upgraded (101): {ws}")
            if who != "presenter" and (cookies.get("rnnp_room") != letter or not following(c, room.code)):
                failures.append(f"room {room.code}, {who}: not following it (room cookie "
                                f"{cookies.get('rnnp_room')!r}, alerts {refused(c)[:2]})")
            errs = c.errors + [x for r in c.runs for x in r.exceptions]
            if errs:
                failures.append(f"room {room.code}, {who}: errors {errs[:3]}")
    unknown = next(ch for ch in "ACDEFHJKLMNPRTUVWXY3479" if ch not in REPLICAS)
    status, set_cookies = fetch(f"{proxy.url}/?room={unknown}K7M4")
    print(f"a code of letter {unknown} (no process has it): status {status}, cookies set {sorted(set_cookies)}")
    if status != 200 or set(set_cookies) != {"rnnp_route"}:
        failures.append(f"a room code no process has: status {status}, nginx set {set_cookies}")
    return failures


@contextlib.contextmanager
def _patched_connect():
    websockets.connect = _connect_as_browser  # stclient calls websockets.connect(...)
    try:
        yield
    finally:
        websockets.connect = _connect


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visitors", type=int, default=24, help="fresh visitors loading the page (spread check)")
    ap.add_argument("--per-backend", type=int, default=2, help="of them, sessions per process that train live")
    ap.add_argument("--steps", type=int, default=20, help="each session trains until it shows this many more steps")
    ap.add_argument("--limit", type=float, default=240.0, help="...or for at most this many seconds")
    ap.add_argument("--check", action="store_true", help="exit 1 on a failure")
    a = ap.parse_args(argv)
    if NGINX is None:
        print("nginx is not installed (apt-get install nginx)")
        return 2
    failures = run(a.visitors, a.per_backend, a.steps, a.limit)
    for f in failures:
        print(f"FAIL: {f}")
    print("proxy check: " + ("ok" if not failures else f"{len(failures)} failure(s)"))
    return 1 if failures and a.check else 0


if __name__ == "__main__":
    sys.exit(main())
