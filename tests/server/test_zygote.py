"""Workers forked from one preloaded process: they share its memory, and a dead or reused pid is seen as gone."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.server import pool
from playground.server import zygote
from playground.training import live


def private_mb(pid: int) -> float:
    """Memory only this process holds (what a second worker really adds), MB."""
    fields = {line.split(":")[0]: int(line.split()[1]) for line in
              Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:] if line.endswith("kB")}
    return (fields["Private_Clean"] + fields["Private_Dirty"]) / 1024


def ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_forked_worker_shares_the_preloaded_memory_a_worker_of_its_own_would_hold(monkeypatch):
    forked = pool.Worker("live")
    monkeypatch.setattr(pool, "USE_ZYGOTE", False)
    alone = pool.Worker("live")
    try:
        for w in (forked, alone):  # both serve: open a session and train a tick
            assert w.submit(1, "s", "open", (live.LiveConfig(hidden=4, length=4),)).result(60)[1].step == 0
            assert w.submit(2, "s", "step_once", ()).result(60).step > 0
        assert ppid(forked.process.pid) == pool._forker().process.pid  # a child of the zygote
        assert isinstance(alone.process, subprocess.Popen)
        shared_saving = private_mb(alone.process.pid) - private_mb(forked.process.pid)
        assert shared_saving > 100, (private_mb(alone.process.pid), private_mb(forked.process.pid))  # ~235 MB here
    finally:
        forked.stop()
        alone.stop()
    assert forked.process.wait(5) is not None and not forked.alive


def test_proc_sees_a_process_end_and_never_takes_a_reused_pid_for_it():
    child = subprocess.Popen(["sleep", "30"])
    p = zygote.Proc(child.pid)
    assert p.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        p.wait(0.1)
    p.kill()
    child.wait(5)  # reaped by its parent (here, this test), as the zygote reaps its workers
    assert p.wait(5) == -1 and p.poll() == -1
    p2 = zygote.Proc(child.pid)  # a pid that no longer exists
    assert p2.poll() == -1
    later = subprocess.Popen(["sleep", "30"])
    other = zygote.Proc(later.pid)
    other._start -= 1  # as if the pid had been reused by a later process
    assert other.poll() == -1
    later.kill()
    later.wait(5)


PRELOADED = """
import importlib, sys
from playground.server import zygote
for name in zygote.PRELOAD:
    importlib.import_module(name)
zygote._warm_up()
print(sorted(m for m in ("pandas", "plotly", "streamlit") if m in sys.modules))
"""


def test_the_zygote_preloads_no_pandas_plotly_or_streamlit():
    """What the zygote imports, every worker holds: pandas alone was ~85 MB of the workers' memory (PSS). Tables are
    made where a page asks for one (history.history_frame, RaceResult.table); a worker writes its CSV without."""
    out = subprocess.run([sys.executable, "-c", PRELOADED], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr[-2000:]


def test_a_zygote_forked_from_the_server_shares_the_server_s_torch_and_still_forks_workers():
    """The server (here, this test's process, with torch imported) forks the zygote: it holds little of its own, where a
    zygote started as a process of its own imports torch and the package again."""
    forked, alone = zygote.Zygote(from_server=True), zygote.Zygote(from_server=False)
    try:
        assert forked.forked and not alone.forked
        assert ppid(forked.process.pid) == os.getpid()
        assert private_mb(forked.process.pid) < private_mb(alone.process.pid) - 80, (
            private_mb(forked.process.pid), private_mb(alone.process.pid))  # here ~25 MB against ~200 MB
        assert ppid(forked.fork("live", "/nonexistent/worker.sock", b"k").pid) == forked.process.pid  # it forks on
    finally:
        forked.stop()
        alone.stop()
    assert forked.process.poll() is not None  # reaped: no zombie left under the server


def test_a_zygote_that_is_not_ready_in_time_is_killed_and_started_as_a_process_of_its_own(monkeypatch):
    """Forking a process with threads can copy a lock another thread holds: a forked zygote that hangs is not used."""
    monkeypatch.setattr(zygote, "READY_TIMEOUT", 2.0)
    forked: list[int] = []
    real_fork = os.fork

    def fork_and_hang() -> int:  # the child hangs as if on a copied lock; the parent notes its pid
        pid = real_fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        forked.append(pid)
        return pid

    monkeypatch.setattr(zygote.os, "fork", fork_and_hang)
    z = zygote.Zygote(from_server=True)
    monkeypatch.undo()
    try:
        assert not z.forked and isinstance(z.process, subprocess.Popen)  # the fallback
        assert zygote._start_time(forked[0]) is None  # the hung one is gone (killed and reaped)
    finally:
        z.stop()
