"""server: the worker processes that train the live runs and the shared jobs, and their protocol (imports training
and what it imports; no sentiment, no figures, no views, no Streamlit). The web layer is its only user.

    protocol.py  plain pickles over a Unix socket, replies, errors that survive the trip, accepting a call back
    worker.py    a worker's side: the live sessions trained in slices (Engine), the shared runs (RUNS)
    zygote.py    one preloaded process that forks the workers (they share its memory)
    pool.py      the server's side: workers, the pool, a session's handle
    hold.py      a page before the next training slices: how long the workers may hold (a budget)
    jobs.py      shared runs computed once per server for the same settings
"""
import os


def default_workers() -> int:
    """PLAYGROUND_WORKERS, else one per core (at most 4): Community Cloud gives up to 2. Here, not in pool.py, so that
    asking costs no torch import (web/warm.py asks on Home's first run)."""
    env = os.environ.get("PLAYGROUND_WORKERS", "")
    if env.strip().isdigit():
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))
