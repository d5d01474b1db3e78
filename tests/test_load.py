"""CI's short form of the lecture-hall benchmark: five sessions train live at once on one served app."""
import subprocess
import sys

from conftest import ROOT


def test_five_sessions_training_at_once_each_advance_with_their_own_numbers():
    """bench/load.py --check asserts: every session's step count advances, each shows its own seed's numbers
    (never another session's), the server log has no traceback from the app, the shipped models are unchanged."""
    out = subprocess.run([sys.executable, "bench/load.py", "--sessions", "5", "--seconds", "15", "--warmup", "12",
                          "--check"], cwd=ROOT, capture_output=True, text=True, timeout=240,
                         env={"PATH": "/usr/bin:/bin", "PLAYGROUND_WORKERS": ""})
    assert out.returncode == 0 and "load check: ok" in out.stdout, out.stdout + out.stderr[-2000:]
