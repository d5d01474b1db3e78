"""A deliberate leak for `bench/soak.py --leak MB_PER_MIN` only, to show that its check fails on one.

soak.py puts this folder on the server's PYTHONPATH, so Python imports this file as the server starts. The
server process then keeps MB_PER_MIN / 60 MB more every second (touched bytes: they count in PSS and RSS).
The variable is removed at once, so the processes the server starts (zygote, workers) import this file but do
not leak. Nothing in the app reads it."""
import os
import threading
import time

_RATE = os.environ.pop("RNNP_SOAK_LEAK_MB_PER_MIN", "")

if _RATE:
    _kept = []

    def _leak(per_second: int) -> None:
        while True:
            time.sleep(1)
            _kept.append(b"\x01" * per_second)

    threading.Thread(target=_leak, args=(int(float(_RATE) * 2**20 / 60),), daemon=True, name="soak-leak").start()
