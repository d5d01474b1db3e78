"""A light Streamlit client: speaks the app's own protobuf messages over its websocket, as the browser does.

One `Client` is one browser tab, without the rendering: it opens a page with a query string, presses a button
by its widget key, re-runs fragments on the timer the server asks for (`auto_rerun`), and records what it
was sent: each script run's elements (metrics, charts, alerts, exceptions) and when it finished. Fifty of
these fit on a machine where fifty Chromiums would not. Checked by hand against Chromium at N = 2 (README): the
server ran as many redraws for two Chromium tabs as for two of these.

Widget values: a rerun sends the values of the widgets the client has changed (none but button triggers
here); every other widget keeps its session-state value on the server, as for a browser that changed nothing.
"""
from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


@dataclass
class Run:
    """One script run (a whole page or one fragment) as the client saw it."""

    started: float
    fragment: str = ""
    finished: float | None = None
    metrics: dict[str, str] = field(default_factory=dict)  # label -> shown value
    charts: int = 0  # plotly charts sent
    cached: int = 0  # elements sent as a reference to an identical earlier message (Streamlit's message cache)
    chart_bytes: int = 0
    downloads: int = 0  # download buttons sent
    whole: bool = False  # a run of the whole page (its new_session names no fragment), not a fragment's
    alerts: list[str] = field(default_factory=list)  # warning / error / info bodies
    texts: list[str] = field(default_factory=list)  # markdown and captions
    progress: bool = False  # it drew a progress bar
    exceptions: list[str] = field(default_factory=list)
    status: str = ""  # how it finished: FINISHED_SUCCESSFULLY, FINISHED_EARLY_FOR_RERUN, ...


@dataclass
class Client:
    """One session on `base` (http://host:port). `widgets` maps widget key suffix -> widget id once seen."""

    base: str
    page: str
    query: str = ""
    runs: list[Run] = field(default_factory=list)
    widgets: dict[str, str] = field(default_factory=dict)
    widget_fragments: dict[str, str] = field(default_factory=dict)  # widget id -> the fragment it was drawn in
    errors: list[str] = field(default_factory=list)
    _ws: object = None
    _timers: dict[str, asyncio.Task] = field(default_factory=dict)
    _run: Run | None = None
    _page_hash: str = ""
    pressed_at: float | None = None  # when press() last sent its click
    # As the browser's frontend does (App.handleNewSession, handleAutoRerun): a full run's start clears every fragment's
    # timer (the run re-sends those of the fragments it still has), and a repeated auto_rerun with the same interval
    # keeps its timer. Off by default: the benches measured without it keep their figures.
    browser_timers: bool = False

    # ---- sending ----
    async def _send_rerun(self, fragment: str = "", auto: bool = False, trigger: str | None = None) -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = self.page
        if self._page_hash:
            cs.page_script_hash = self._page_hash
        if fragment:
            cs.fragment_id, cs.is_auto_rerun = fragment, auto
        if trigger:
            w = cs.widget_states.widgets.add()
            w.id, w.trigger_value = trigger, True
        await self._ws.send(msg.SerializeToString())

    async def press(self, key: str) -> None:
        """Click the button whose widget key ends with `key` (it must have been drawn); a button drawn in a fragment
        reruns that fragment, as the browser's click does."""
        wid = self.widget(key)
        if wid is None:
            raise KeyError(f"no button {key!r} on the page yet (seen: {sorted(self.widgets)})")
        self.pressed_at = time.perf_counter()
        await self._send_rerun(self.widget_fragments.get(wid, ""), trigger=wid)  # in a fragment: it alone reruns

    def widget(self, key: str) -> str | None:
        return next((wid for k, wid in self.widgets.items() if k.endswith(key)), None)

    # ---- receiving ----
    async def _receive(self) -> None:
        async for data in self._ws:
            msg = ForwardMsg.FromString(data)
            kind = msg.WhichOneof("type")
            now = time.perf_counter()
            if kind == "new_session":
                if self.browser_timers and not msg.metadata.run.fragment_ids:  # a full run, not a fragment's
                    self._stop_timers()
                self._run = Run(now, whole=not msg.metadata.run.fragment_ids)
                self.runs.append(self._run)
            elif kind == "navigation":  # the page this run shows: later reruns name it, as the browser does
                self._page_hash = msg.navigation.page_script_hash or self._page_hash
            elif kind == "page_info_changed":  # the app rewrote the query string (the page's settings)
                self.query = msg.page_info_changed.query_string
            elif kind == "delta":
                self._delta(msg)
            elif kind == "ref_hash" and self._run is not None:  # an element the server sent before: unchanged
                self._run.cached += 1
            elif kind == "script_finished":
                if self._run is not None and self._run.finished is None:
                    self._run.finished = now
                    self._run.status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                self._run = None
            elif kind == "auto_rerun":
                self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
            elif kind == "stop_auto_rerun":
                self._stop_timers()
            elif kind == "session_status_changed" and msg.session_status_changed.script_is_running:
                if self._run is None or self._run.finished is not None:
                    self._run = Run(now)
                    self.runs.append(self._run)

    def _delta(self, msg: ForwardMsg) -> None:
        run = self._run
        if run is None:
            run = self._run = Run(time.perf_counter())
            self.runs.append(run)
        if msg.delta.fragment_id:
            run.fragment = msg.delta.fragment_id
        if msg.delta.WhichOneof("type") != "new_element":
            return
        el = msg.delta.new_element
        what = el.WhichOneof("type")
        if what in ("button", "download_button"):
            b = getattr(el, what)
            self.widgets[b.id.rsplit("-", 1)[-1] if "-" in b.id else b.id] = b.id
            if msg.delta.fragment_id:
                self.widget_fragments[b.id] = msg.delta.fragment_id
            run.downloads += what == "download_button"
        elif what == "metric":
            run.metrics[el.metric.label] = el.metric.body
        elif what == "plotly_chart":
            run.charts += 1
            run.chart_bytes += len(el.plotly_chart.spec)
        elif what == "alert":
            run.alerts.append(el.alert.body)
        elif what == "markdown":
            run.texts.append(el.markdown.body)
        elif what == "progress":
            run.progress = True
        elif what == "exception":
            run.exceptions.append(f"{el.exception.type}: {el.exception.message}")

    def _start_timer(self, fragment: str, interval: float) -> None:
        if self.browser_timers and getattr(self._timers.get(fragment), "interval", None) == interval:
            return
        old = self._timers.pop(fragment, None)
        if old is not None:
            old.cancel()

        async def tick() -> None:
            while True:
                await asyncio.sleep(interval)
                await self._send_rerun(fragment=fragment, auto=True)

        self._timers[fragment] = asyncio.ensure_future(tick())
        self._timers[fragment].interval = interval  # type: ignore[attr-defined]

    def _stop_timers(self) -> None:
        for t in self._timers.values():
            t.cancel()
        self._timers.clear()

    # ---- a whole visit ----
    async def visit(self, seconds: float, press: str | None = None, press_after: float = 0.0,
                    during: Callable[["Client"], Awaitable[None]] | None = None) -> None:
        """Open the page, optionally press a button once it is drawn, stay `seconds`, then close. `during(self)`,
        if given, runs from then on until it returns or the stay ends (e.g. pressing Reset when a run is done)."""
        url = self.base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        reader = None
        try:
            async with websockets.connect(url, max_size=None, subprotocols=["streamlit"]) as ws:
                self._ws = ws
                reader = asyncio.ensure_future(self._receive())
                await self._send_rerun()
                end = time.perf_counter() + seconds
                if press:  # as a user does: once the page has drawn (its button, and a run that drew something)
                    drawn = lambda: any(r.metrics or r.charts for r in self.finished_runs())  # noqa: E731
                    while (self.widget(press) is None or not drawn()) and time.perf_counter() < end:
                        await asyncio.sleep(0.05)
                    await asyncio.sleep(press_after)
                    if self.widget(press) is not None:
                        await self.press(press)
                    else:
                        self.errors.append(f"never saw the button {press!r}")
                if during is not None:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(during(self), max(0.0, end - time.perf_counter()))
                await asyncio.sleep(max(0.0, end - time.perf_counter()))
                self._stop_timers()
                reader.cancel()
        except (OSError, websockets.WebSocketException) as e:
            self.errors.append(f"{type(e).__name__}: {e}")
        finally:
            self._stop_timers()
            if reader is not None:
                reader.cancel()

    # ---- what it saw ----
    def finished_runs(self, since: float = 0.0) -> list[Run]:
        return [r for r in self.runs if r.finished is not None and r.finished >= since]
