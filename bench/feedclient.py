"""What a follower's browser does on a room's Train live (playground/web/feed.py's script), for light clients.

The page sends an element naming the room's feed (`data-room-feed="/_room/CODE/live?..."`, `data-v` the room
version it shows). The script asks that URL every POLL_S seconds after the last answer, draws an answer whose `id`
is new, and presses the hidden `room_moved` button when the room's version is not the page's (again after
PRESS_AGAIN_S if the page has not moved). A `Feed` does the
same over one keep-alive HTTP connection, without drawing, and notes when each new answer (a redraw) arrived and
the Step it showed.
"""
from __future__ import annotations

import asyncio
import contextlib
import gzip
import html
import json
import re
import time
import zlib
from typing import Awaitable, Callable
from urllib.parse import urlsplit

FEED_RE = re.compile(r'data-room-feed="([^"]+)" data-v="(-?\d+)"')
POLL_S, PRESS_AGAIN_S = 0.5, 5.0  # as playground/web/feed.py's


def feed_of(html_body: str) -> tuple[str, int] | None:
    """(url, version) of a feed element's HTML, None for any other element."""
    m = FEED_RE.search(html_body)
    return (html.unescape(m.group(1)), int(m.group(2))) if m else None


class Feed:
    """One follower page's feed: polls until stopped; on_step(arrival, step) for each redraw, on_move() when the
    room has moved (the caller presses the hidden button)."""

    def __init__(self, base: str, url: str, version: int, on_step: Callable[[float, int], None],
                 on_move: Callable[[], Awaitable[None]]):
        u = urlsplit(base)
        self.host, self.port, self.url, self.version = u.hostname, u.port or 80, url, version
        self.on_step, self.on_move = on_step, on_move
        self.draws: list[float] = []  # when each new answer arrived
        self.errors: list[str] = []
        self._task = asyncio.ensure_future(self._run())

    def stop(self) -> None:
        self._task.cancel()

    async def _run(self) -> None:
        last, pressed = None, -1e9
        reader = writer = None
        try:
            while True:
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection(self.host, self.port)
                    status, d = await self._get(reader, writer)
                except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                    self.errors.append(f"feed: {e!r}")
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    await asyncio.sleep(POLL_S)
                    continue
                now = time.perf_counter()
                if status == 404 or d.get("v", self.version) != self.version:
                    if now - pressed > PRESS_AGAIN_S:
                        pressed = now
                        await self.on_move()
                else:
                    key = d.get("id") or d.get("waiting") or d.get("message")
                    if key != last:
                        last = key
                        self.draws.append(now)
                        step = next((n[1] for n in d.get("numbers", []) if n[0] == "Step"), None)
                        if step is not None:
                            self.on_step(now, int(step.replace(",", "")))
                await asyncio.sleep(POLL_S)
        finally:
            if writer is not None:
                writer.close()

    async def _get(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[int, dict]:
        writer.write(f"GET {self.url} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept-Encoding: gzip\r\n"
                     "Accept: application/json\r\n\r\n".encode())
        await writer.drain()
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status = int(head.split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head.split("\r\n")[1:])
                   if k}
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:  # chunked
            body = b""
            while True:
                size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        return status, meta(body, gzipped=headers.get("content-encoding") == "gzip")


HEAD_BYTES = 16_384  # an answer's numbers and message come first (web/feed.encode), well within this


def meta(body: bytes, gzipped: bool) -> dict:
    """An answer's JSON without its figures: what the bench reads of it (version, id, Step). A browser draws the
    figures on the student's own machine; decoding them here took the bench's share of the server's cores (a
    hundred followers' answers, twice a second)."""
    head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, HEAD_BYTES) if gzipped else body[:HEAD_BYTES]
    cut = head.find(b',"figs":')
    with contextlib.suppress(ValueError):
        return json.loads(head[:cut] + b"}" if cut >= 0 else gzip.decompress(body) if gzipped else body)
    return {}
