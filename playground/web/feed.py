"""A room's Train live, served to its followers' browsers without a script run per redraw.

Through Streamlit, a follower's redraw is a fragment run in the server's one Python thread: ~20 ms of it for every
follower, every redraw, even with the figures built once for the room (bench/room.py: 100 followers got 0.34
redraws/s each, the goal is 1). So on Train live a follower's browser asks the server for the room's panel itself:

    GET /_room/CODE/live?room=CODE&c=1&f=ID
        the room run's numbers and six figures as JSON, encoded once per snapshot and kind of screen (c=1:
        classroom), shared by every follower; room=CODE routes it to the room's replica behind a proxy
    GET /_room/plotly.js
        plotly.js, from the plotly package (cached by the browser)

and a small script in the page (follow(), below) draws them with plotly.js, every POLL_S seconds. A follower then
costs the server one cached response per redraw. The JSON carries the room's version: when the presenter moves (a
new scene, a changed setting), the script presses a hidden button, and its fragment's rerun takes the follower
where the room is (rooms.check_moved). `f` is the follower's session: the request counts as its heartbeat for the
presenter's counts (only a session the room has already; rooms.Rooms.heard).

serve.py mounts the routes (st.App, Streamlit's public way to add routes); under `streamlit run app.py` there are
none, served() is False and a follower redraws through its fragment as before. So does a session without a browser
(AppTest).
"""
from __future__ import annotations

import functools
import gzip
import html
import json
import threading
import time
from pathlib import Path
from typing import Any

import streamlit as st

from playground.errors import PlaygroundError
from playground.server.rooms import RoomError, normal_code, run_id
from playground.views import classroom
from playground.views.pages import app_root
from playground.web import internals
from playground.web import rooms as rooms_ui

POLL_S = 0.5  # a follower's browser asks this often (after drawing the last answer): >= 1 redraw a second
PRESS_AGAIN_S = 5.0  # a move the press did not take the follower to (e.g. lost in a rerun) is pressed again
MOVED_BUTTON = "room_moved"  # the hidden button the script presses when the room has moved
CHARTS = ("curves", "network", "probe", "grads", "spectral", "weights")  # Train live's panel, top to bottom
FULL_HEIGHT = {"curves"}  # in classroom mode, charts kept at their height (on the projector's first screen)
NO_STORE = {"Cache-Control": "no-store"}
_served = False


def served() -> bool:
    """True when this server process answers the routes (serve.py mounted them)."""
    return _served


def routes() -> list:
    """The routes serve.py gives st.App."""
    global _served
    from starlette.routing import Route

    _served = True
    return [Route("/_room/plotly.js", _plotly_js), Route("/_room/{code}/live", _live)]


@functools.cache
def _plotly_gz() -> bytes:
    """plotly.min.js (4.8 MB), gzipped once per server (1.4 MB) rather than by the server for every browser."""
    import plotly

    return gzip.compress((Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes(), 6)


def _plotly_js(request) -> Any:
    from starlette.responses import Response

    return Response(_plotly_gz(), media_type="text/javascript", headers={
        "Content-Encoding": "gzip", "Cache-Control": f"public, max-age={24 * 3600}"})


def _live(request) -> Any:
    """The room's panel (sync: Starlette runs it in a worker thread, away from the event loop)."""
    from starlette.responses import JSONResponse, Response

    code = normal_code(request.path_params["code"])
    try:
        room = rooms_ui.server_rooms().get(code, time.monotonic())
    except RoomError as e:
        return JSONResponse({"gone": str(e)}, status_code=404, headers=NO_STORE)
    rooms_ui.server_rooms().heard(code, request.query_params.get("f", ""), time.monotonic())
    zipped = "gzip" in request.headers.get("accept-encoding", "")
    body = panel_json(code, room.version, request.query_params.get("c") == "1", zipped)
    return Response(body, media_type="application/json",  # compressed once here, not per follower by the server
                    headers=NO_STORE | ({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"} if zipped else {}))


class _Cached:
    def __init__(self):
        self.lock = threading.Lock()
        self.key, self.version, self.bodies = None, None, {}


def _key(s: Any) -> tuple | None:
    """What a snapshot shows: a new snapshot of a paused run (one per quarter second) has the same key, and its
    answer is not encoded again (a new setting or scene moves the room's version, which the cache also keys on)."""
    return None if s is None else (s.task, s.step, s.status, len(s.rows), s.message, s.note, s.steps_per_sec,
                                   s.has_model)


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()


def panel_json(code: str, version: int, classroom_on: bool, zipped: bool = False) -> bytes:
    """Room `code`'s panel as the feed sends it: built from the room's shared snapshot (web/live.py: one per quarter
    second for all its screens), encoded (and gzipped, if asked) once per snapshot and kind of screen."""
    from playground.web import live as live_ui

    h = live_ui.room_watcher(code)
    s = live_ui.room_snapshot(h)
    with _cache_lock:
        if run_id(code) not in _cache:  # a new room's: forget those of closed rooms (not on every request)
            open_runs = {run_id(c) for c in rooms_ui.server_rooms().codes()}
            for gone in [k for k in _cache if k not in open_runs]:
                del _cache[gone]
        entry = _cache.setdefault(run_id(code), _Cached())
    with entry.lock:
        if entry.key != _key(s) or entry.version != version:
            entry.key, entry.version, entry.bodies = _key(s), version, {}
        if classroom_on not in entry.bodies:
            entry.bodies[classroom_on] = encode(version, s, lambda: live_ui.panel(h, s, _panel, newest=False),
                                                 classroom_on)
        if zipped and (classroom_on, True) not in entry.bodies:
            entry.bodies[classroom_on, True] = gzip.compress(entry.bodies[classroom_on], compresslevel=5)
        return entry.bodies[classroom_on, True] if zipped else entry.bodies[classroom_on]


def _panel(s: Any) -> Any:
    from playground.views import train_live

    return train_live.panel(s)


def encode(version: int, s: Any, build, classroom_on: bool) -> bytes:
    """The JSON of one answer: `v` the room's version, `id` this snapshot's (the script redraws when it changes),
    the numbers as the page words them, a message, and each chart's figure as plotly.js takes it."""
    from playground.views import train_live as live

    meta: dict[str, Any] = {"v": version}
    if s is None:
        meta["waiting"] = ("Waiting for the lecturer's run: it appears here as soon as their Train live page opens "
                           "it.")
        return json.dumps(meta).encode()
    meta |= {"id": f"{s.task}:{s.step}:{s.status}:{len(s.rows)}", "status": s.status,
             "message": s.message or "", "note": s.note or ""}
    try:
        p = build()
    except PlaygroundError as e:  # no model: the settings were refused
        meta["message"] = meta["message"] or str(e)
        return json.dumps(meta).encode()
    meta["numbers"] = live.numbers(p.stats)
    figs = []
    for name in CHARTS:
        spec = getattr(p, name)
        if classroom_on:
            spec = classroom.scaled_spec(spec, height_factor=1 if name in FULL_HEIGHT else classroom.HEIGHT_SCALE)
        figs.append(f'"{name}":{spec.json}')
    return (json.dumps(meta)[:-1] + ',"figs":{' + ",".join(figs) + "}}").encode()


# ---- the page's side ----------------------------------------------------------------------------------------------

def wanted() -> bool:
    """Whether this run of a follower's Train live draws the room through the feed: routes served, a browser."""
    return served() and bool(st.context.headers)


def follow(code: str, version: int, classroom_on: bool, url_path: str = "train_live") -> None:
    """A follower's Train live panel: the feed's element (numbers, six charts, drawn by its script) and the hidden
    button the script presses when the room moves."""
    with st.sidebar:
        _moved(url_path)
    base = app_root(st.context.url or "").split("://", 1)[-1]
    path = "/" + base.split("/", 1)[1] if "/" in base else ""
    # room=CODE: behind several processes the proxy sends a request that names a room to its replica, as it does
    # the room's link (deploy/nginx.conf); here the path names it too
    url = f"{path}/_room/{code}/live?room={code}&c={int(classroom_on)}&f={internals.session_id()}"
    st.html(PANEL_HTML.format(url=html.escape(url), v=version, plotly=f"{path}/_room/plotly.js",
                              poll_ms=int(POLL_S * 1000), again_ms=int(PRESS_AGAIN_S * 1000), button=MOVED_BUTTON,
                              key=code),
            unsafe_allow_javascript=True)


@st.fragment
def _moved(url_path: str) -> None:
    """The hidden button (CSS in the feed's element). Its press reruns this fragment alone, which takes the follower
    where the room is (rooms.check_moved), without a whole run of Train live first."""
    if st.button("The room moved", key=MOVED_BUTTON):
        rooms_ui.check_moved(url_path)


PANEL_HTML = """<style>
.st-key-{button} {{ display: none; }}
.room-feed .feed-numbers {{ display: flex; gap: 1.5rem; flex-wrap: wrap; margin-bottom: .5rem; }}
.room-feed .feed-label {{ font-size: .875rem; color: rgba(49, 51, 63, .75); }}
.room-feed .feed-value {{ font-size: 2.25rem; line-height: 1.2; }}
.room-feed .feed-delta {{ font-size: .875rem; color: rgba(49, 51, 63, .6); }}
.room-feed .feed-cols {{ display: flex; gap: 1rem; }}
.room-feed .feed-cols > div {{ flex: 1; min-width: 0; }}
.room-feed .feed-message:empty {{ display: none; }}
.room-feed .feed-message {{ padding: .75rem 1rem; border-radius: .5rem; background: rgba(28, 131, 225, .1);
  margin-bottom: .5rem; }}
.room-feed .feed-message[data-status="diverged"] {{ background: rgba(255, 43, 43, .09); }}
.room-feed .feed-head {{ font-weight: 600; margin: .75rem 0 .25rem; }}
</style>
<div class="room-feed" id="room-feed-{key}" data-room-feed="{url}" data-v="{v}" data-shown>
  <div class="feed-numbers"></div>
  <div class="feed-message" role="status"></div>
  <div class="feed-chart" data-chart="curves" role="img"
       aria-label="Loss and metric against training step, for training batches and the held-out set"></div>
  <div class="feed-chart" data-chart="network" role="img" aria-label="The network unrolled over the first steps of
    one held-out sequence: nodes coloured by their values, edges coloured and sized by their weights"></div>
  <div class="feed-head">One held-out sequence: <i>h<sub>t</sub></i> at every step, and the answer
    <i>y<sub>t</sub></i></div>
  <div class="feed-chart" data-chart="probe" role="img" aria-label="Hidden state h_t of one held-out sequence"></div>
  <div class="feed-cols">
    <div><div class="feed-head">Gradient reaching each step, ‖∂L/∂<i>h<sub>t</sub></i>‖ (log scale)</div>
      <div class="feed-chart" data-chart="grads" role="img" aria-label="Gradient norm reaching each step"></div></div>
    <div><div class="feed-head">Spectral radius of <i>W<sub>hh</sub></i> (largest |eigenvalue|)</div>
      <div class="feed-chart" data-chart="spectral" role="img" aria-label="Spectral radius of W_hh"></div></div>
  </div>
  <div class="feed-head">Weights (one colour scale for all three, centred on 0)</div>
  <div class="feed-chart" data-chart="weights" role="img" aria-label="Heatmaps of the weight matrices"></div>
</div>
<script>
(() => {{
  const root = document.getElementById('room-feed-{key}');
  if (!root || root.dataset.started) return;
  root.dataset.started = '1';
  const url = root.dataset.roomFeed, v0 = Number(root.dataset.v);
  let last = null, pressed = -1e9;
  const plotly = () => window.Plotly ? Promise.resolve() : (window.__roomPlotly ??= new Promise((ok, bad) => {{
    const s = document.createElement('script'); s.src = '{plotly}'; s.onload = ok; s.onerror = bad;
    document.head.appendChild(s);
  }}));
  const press = () => {{ pressed = Date.now(); document.querySelector('.st-key-{button} button')?.click(); }};
  const text = (tag, cls, value) => {{ const e = document.createElement(tag); e.className = cls;
                                       e.textContent = value; return e; }};
  const draw = async (d) => {{
    const note = root.querySelector('.feed-message');
    note.textContent = d.waiting || d.message || d.note || '';
    note.dataset.status = d.status || '';  // a blow-up's message in red, as the page's own st.error
    if (!d.figs) return;
    const numbers = root.querySelector('.feed-numbers');
    numbers.replaceChildren(...d.numbers.map(([label, value, delta]) => {{
      const box = document.createElement('div'); box.className = 'feed-metric';
      box.append(text('div', 'feed-label', label), text('div', 'feed-value', value));
      if (label === 'Step') box.lastChild.dataset.feed = 'step';
      if (delta) box.append(text('div', 'feed-delta', delta));
      return box;
    }}));
    await plotly();
    for (const [name, fig] of Object.entries(d.figs)) {{
      const el = root.querySelector(`[data-chart="${{name}}"]`);
      if (el) await window.Plotly.react(el, fig.data, fig.layout, {{displaylogo: false, responsive: true}});
    }}
  }};
  const tick = async () => {{
    if (!root.isConnected) return;  // the page has moved on: this element is gone
    try {{
      const r = await fetch(url, {{cache: 'no-store'}});
      const d = await r.json();
      if (r.status === 404 || (d.v !== undefined && d.v !== v0)) {{ if (Date.now() - pressed > {again_ms}) press(); }}
      else if ((d.id ?? d.waiting ?? d.message) !== last) {{ last = d.id ?? d.waiting ?? d.message; await draw(d); }}
    }} catch (e) {{ /* a missed answer: the next one redraws */ }}
    setTimeout(tick, {poll_ms});
  }};
  tick();
}})();
</script>"""
