"""Rooms: a lecturer presents, a class follows. The server's list of open rooms, shared by every session.

A room is where the presenter is (a page and its settings, as the page's link parameters) and who follows. The
presenter's rights are a secret the room gives its opener: it lives in the presenter's session and never in a
link, so a student who edits a URL, forges a widget value or replays a message cannot move the room: every move
names the secret, and a wrong one is refused.

    rooms = Rooms()
    room, secret = rooms.open(now)                          # the presenter's session keeps the secret
    rooms.move(room.code, secret, "train_live", {"task": "parity", ...}, now)
    rooms.join(room.code, follower_id, now)                 # a student: RoomError says why not (wrong, gone, full)
    rooms.get(room.code).where                              # (version, page, params) the followers go to
    rooms.share(room.code, secret, "why:race", key, now)    # a result the presenter's press made, for all to show

Bounded: at most MAX_ROOMS rooms, MAX_FOLLOWERS followers each; a room nobody has asked about for IDLE_AFTER
seconds is closed. Times are passed in (monotonic seconds), so tests need no clock.
"""
from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from playground.errors import PlaygroundError

ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"  # no 0/O, 1/I, 2/Z, 5/S, 6/G, 8/B: easy to read aloud and to type
CODE_LENGTH = 5  # 23**5 = 6.4 million codes
MAX_ROOMS = 20  # rooms a server holds at once
MAX_FOLLOWERS = 250  # followers per room
IDLE_AFTER = 3 * 3600.0  # a room the presenter has not touched and nobody has followed for this long is closed
SEEN_WITHIN = 30.0  # a follower heard from within this many seconds counts as in the room


RUN_PREFIX = "room-"  # a room's Train live run on the training workers is "room-CODE"


def run_id(code: str) -> str:
    """The id of room `code`'s Train live run on the training workers: one run, trained once, drawn by all."""
    return f"{RUN_PREFIX}{code}"


def code_of_run(sid: str) -> str | None:
    """The room whose run `sid` is (None: a session's own run)."""
    return sid[len(RUN_PREFIX):] if sid.startswith(RUN_PREFIX) else None


class RoomError(PlaygroundError):
    """A room that cannot be opened, joined or moved: the message says why and what to do."""


def normal_code(text: str) -> str:
    """A typed code as the room has it: upper case, without spaces or dashes ("kq7 m4" -> "KQ7M4")."""
    return "".join(ch for ch in str(text).upper() if ch.isalnum())


def shown(text: str, most: int = 12) -> str:
    """A code as a message quotes it: a pasted paragraph is cut, not echoed whole."""
    text = str(text)
    return repr(text if len(text) <= most else text[:most] + "…")


def spaced(code: str) -> str:
    """A code to read aloud or project: "KQ7-M4" style, in two halves."""
    half = (len(code) + 1) // 2
    return f"{code[:half]}-{code[half:]}"


@dataclass
class Room:
    code: str
    _secret: str = field(repr=False)
    touched: float = 0.0  # when the presenter last moved, or a follower last asked (monotonic seconds)
    version: int = 0  # counts the presenter's moves: a follower that has applied this one is where the room is
    moved: float = 0.0  # when the version last changed (monotonic seconds)
    page: str = ""  # the page's url path ("" = the landing page)
    params: dict[str, str] = field(default_factory=dict)  # the page's link parameters (its settings, the scene)
    shared: dict[str, Any] = field(default_factory=dict)  # the presenter's results (a shared run's key, a text)
    followers: dict[str, float] = field(default_factory=dict)  # follower id -> last heard of
    branched: set[str] = field(default_factory=set)  # followers exploring on their own

    @property
    def where(self) -> tuple[int, str, dict[str, str]]:
        return self.version, self.page, dict(self.params)

    def counts(self, now: float) -> tuple[int, int]:
        """(following, exploring on their own) among the followers heard from within SEEN_WITHIN seconds."""
        here = {f for f, seen in self.followers.items() if now - seen <= SEEN_WITHIN}
        return len(here - self.branched), len(here & self.branched)


class Rooms:
    """The open rooms of one server process. Thread-safe: every session's script thread calls it."""

    def __init__(self, max_rooms: int = MAX_ROOMS, max_followers: int = MAX_FOLLOWERS,
                 idle_after: float = IDLE_AFTER, replica: str = ""):
        """`replica`: one letter of ALPHABET that starts every code of this server process, so that a proxy in
        front of several processes routes a room's browsers to the one that holds it (deploy/nginx.conf)."""
        if replica and (len(replica) != 1 or replica not in ALPHABET):
            raise ValueError(f"a replica is one letter of {ALPHABET}, not {replica!r}")
        self.max_rooms, self.max_followers, self.idle_after = max_rooms, max_followers, idle_after
        self.replica = replica
        self._rooms: dict[str, Room] = {}
        self._lock = threading.Lock()

    def open(self, now: float, page: str = "", params: dict[str, str] | None = None) -> tuple[Room, str]:
        """A new room at `page` with `params`, and its presenter's secret."""
        with self._lock:
            self._expire(now)
            if len(self._rooms) >= self.max_rooms:
                raise RoomError(f"This server already holds {self.max_rooms} rooms, its limit. Close one, or try "
                                "again later (an idle room closes by itself after a few hours).")
            code = _new_code(set(self._rooms), self.replica)
            secret = secrets.token_urlsafe(24)
            room = Room(code, secret, touched=now, page=page, params=dict(params or {}))
            self._rooms[code] = room
            return room, secret

    def get(self, code: str, now: float | None = None) -> Room:
        """The open room with `code` (typed in any case, with or without its dash)."""
        with self._lock:
            if now is not None:
                self._expire(now)
            room = self._rooms.get(normal_code(code))
            if room is None:
                raise RoomError(f"There is no open room {shown(code)}: check the code, or ask the lecturer for the link. "
                                "A room closes when its lecturer closes it or after a few idle hours.")
            return room

    def is_presenter(self, code: str, secret: str | None) -> bool:
        room = self._rooms.get(normal_code(code))
        return bool(room and secret and hmac.compare_digest(room._secret, secret))

    def move(self, code: str, secret: str | None, page: str, params: dict[str, str], now: float) -> int:
        """The presenter moves the room to `page` with `params`; returns the room's version (new if it moved).
        Refused (RoomError) without the room's secret."""
        with self._lock:
            room = self._presented(code, secret)
            room.touched = now
            if (page, params) != (room.page, room.params):
                room.page, room.params, room.version, room.moved = page, dict(params), room.version + 1, now
            return room.version

    def share(self, code: str, secret: str | None, name: str, value: Any, now: float) -> int:
        """The presenter's press made a result the followers should show too (the race they started, the text
        they generated): kept as the room's `name` (read-only for all) and counted as a move, so that every follower
        runs its page again and shows it. Returns the room's version. Refused (RoomError) without the secret."""
        with self._lock:
            room = self._presented(code, secret)
            room.touched = now
            if room.shared.get(name) != value:
                room.shared[name] = value
                room.version, room.moved = room.version + 1, now
            return room.version

    def close(self, code: str, secret: str | None) -> None:
        with self._lock:
            room = self._presented(code, secret)
            del self._rooms[room.code]

    def join(self, code: str, follower: str, now: float) -> Room:
        """`follower` follows the room (again): heard of now, not branched off. RoomError when full or gone."""
        return self.seen(code, follower, now)

    def seen(self, code: str, follower: str, now: float, branched: bool = False) -> Room:
        """A follower's heartbeat (every run of its page): heard of now, following or exploring on its own. A new
        follower of a full room (once the silent ones are forgotten) is refused."""
        room = self.get(code, now)
        with self._lock:
            if follower not in room.followers and len(room.followers) >= self.max_followers:
                self._forget_silent(room, now)
                if len(room.followers) >= self.max_followers:
                    raise RoomError(f"Room {spaced(room.code)} is full ({self.max_followers} followers). Open the "
                                    "page on your own, or ask the lecturer to open a second room.")
            room.followers[follower] = now
            (room.branched.add if branched else room.branched.discard)(follower)
            room.touched = now
            return room

    def heard(self, code: str, follower: str, now: float) -> bool:
        """A heartbeat from a follower's browser (web/feed.py: its Train live asks the room's panel): heard of now.
        Only a follower the room has already (a page run joined it): a request that names another id adds no one
        and fills no room. False when the room or the follower is not there."""
        with self._lock:
            room = self._rooms.get(normal_code(code))
            if room is None or follower not in room.followers:
                return False
            room.followers[follower] = now
            room.touched = now
            return True

    def codes(self) -> list[str]:
        """The codes of the open rooms."""
        with self._lock:
            return list(self._rooms)

    def _presented(self, code: str, secret: str | None) -> Room:
        room = self._rooms.get(normal_code(code))
        if room is None:
            raise RoomError(f"Room {shown(code)} is closed: open a new room on the Lecture page.")
        if not (secret and hmac.compare_digest(room._secret, secret)):
            raise RoomError("Only the room's presenter can move it.")
        return room

    def _expire(self, now: float) -> None:
        for code in [c for c, r in self._rooms.items() if now - r.touched > self.idle_after]:
            del self._rooms[code]

    @staticmethod
    def _forget_silent(room: Room, now: float) -> None:
        for f in [f for f, seen in room.followers.items() if now - seen > SEEN_WITHIN]:
            del room.followers[f]
            room.branched.discard(f)


def _new_code(taken: set[str], first: str = "") -> str:
    while True:
        code = first + "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH - len(first)))
        if code not in taken:
            return code
