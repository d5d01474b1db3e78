"""A new server's first page comes first; what the other pages need is loaded after it, in the background.

Home needs neither torch nor pandas (app.py and the facade import them only where a page uses them), so a
server's first visitor sees a page as soon as Streamlit can draw one. Then, once per server process, a
background thread imports what the other pages compute with (torch, the models' and views' code) and starts the
training workers, so that the first visit of Train live does not wait for them (about 4 s on 2 cores).

Not with PLAYGROUND_WORKERS=0 (tests, AppTest: everything in the page, nothing in the background).
"""
from __future__ import annotations

import logging
import threading
import time

from playground.server import default_workers

log = logging.getLogger("playground")
_started = threading.Event()
WARM_AFTER = 1.5  # seconds: the first page's messages go out first (an import in a thread holds the server's GIL)


def one_thread() -> None:
    """Every model here is tiny: one torch thread per computation is fastest, and on a shared server it leaves the
    other cores to other users. Set for the whole process by the first page that computes (never by Home)."""
    import torch

    torch.set_num_threads(1)


def warm_up() -> None:
    """After a page's run: once per server process, load the other pages' code and start the workers."""
    if _started.is_set() or default_workers() == 0:
        return
    _started.set()
    threading.Thread(target=_warm, daemon=True, name="playground-warm-up").start()


def _warm() -> None:
    time.sleep(WARM_AFTER)
    try:
        one_thread()
        from playground.web import live  # torch, the training code and the worker pool
        from playground.views import gates, lecture, onestep, review  # noqa: F401 - the pages' own code

        live.live_pool()
    except Exception:  # noqa: BLE001 - a page does the same on first use and says what went wrong
        log.exception("warming up the server")
