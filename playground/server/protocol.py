"""The socket protocol between the server and its worker processes: plain pickles over a Unix socket, replies as
(request id, ok, value), errors that survive the trip, and accepting a worker's call back without hanging."""
from __future__ import annotations

import logging
import pickle
import socket
import threading
from multiprocessing.connection import Connection, Listener
from typing import Any, Callable

from playground.errors import PlaygroundError

log = logging.getLogger("playground")
ACCEPT_TIMEOUT = 60.0  # a worker that never calls back: fail, do not hang


class WorkerGone(PlaygroundError):
    """The process that trained this session stopped."""


class RoomOnly(PlaygroundError):
    """A room's follower asked to move the room's run: only its presenter may."""


def send(conn: Connection, obj: Any) -> None:
    """Plain pickle, not Connection.send's: that one lets torch pass a tensor as a handle to shared memory, which
    only a multiprocessing child of the sender can open (a trained model's weights in a job's result)."""
    conn.send_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def recv(conn: Connection) -> Any:
    return pickle.loads(conn.recv_bytes())


def _portable(e: PlaygroundError) -> PlaygroundError:
    """The error as one that survives pickling to the server: its own class when that takes just a message."""
    try:
        return type(e)(str(e))
    except TypeError:
        return PlaygroundError(str(e))


def answer(rid: int, request: Callable[[], Any]) -> tuple:
    """A worker's reply to request `rid`: (rid, True, its result), or (rid, False, the error) for the server to
    raise; the worker outlives any error."""
    try:
        return rid, True, request()
    except PlaygroundError as e:
        return rid, False, _portable(e)
    except Exception as e:  # noqa: BLE001 - the worker must outlive one bad request
        log.exception("worker request failed")
        return rid, False, RuntimeError(f"{type(e).__name__}: {e}")


def accept(listener: Listener, address: str, timeout: float = ACCEPT_TIMEOUT) -> Connection:
    """The connection of the process that calls back at `address`; OSError if none does within `timeout` s.

    Listener.accept has no timeout: it waits in a thread, and on time-out a plain connection of our own (which
    fails the authentication) wakes it, so nothing is left blocked."""
    box: dict[str, Any] = {}

    def wait() -> None:
        try:
            box["conn"] = listener.accept()
        except Exception as e:  # noqa: BLE001 - handed to the caller below
            box["error"] = e

    t = threading.Thread(target=wait, daemon=True, name="playground-accept")
    t.start()
    t.join(timeout)
    if t.is_alive():
        with socket.socket(socket.AF_UNIX) as wake:
            wake.connect(address)
        t.join()
    if "conn" in box:
        return box["conn"]
    raise OSError(f"no worker called back within {timeout:.0f} s") from box.get("error")
