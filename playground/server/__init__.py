"""server: the worker processes that train the live runs and the shared jobs, and their protocol (imports training
and what it imports; no sentiment, no figures, no views, no Streamlit). The web layer is its only user.

    protocol.py  plain pickles over a Unix socket, replies, errors that survive the trip, accepting a call back
    worker.py    a worker's side: the live sessions trained in slices (Engine), the shared runs (RUNS)
    zygote.py    one preloaded process that forks the workers (they share its memory)
    pool.py      the server's side: workers, the pool, a session's handle
    jobs.py      shared runs computed once per server for the same settings
"""
