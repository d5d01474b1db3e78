"""Streamlit glue of Why LSTM & GRU's long runs: shared by every session that asks for the same settings
(playground.server.jobs), and views computed once per server for the same settings."""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

import streamlit as st

from playground.server import jobs, pool

T = TypeVar("T")


JOB_POLL = 0.5  # seconds between progress redraws while a shared run trains


@st.cache_resource
def shared_jobs() -> jobs.Jobs:
    """The server's queue of shared runs (PLAYGROUND_WORKERS=0, as in AppTest: each runs at once in the page)."""
    return jobs.Jobs(inline=pool.default_workers() == 0)


@st.cache_resource
def job_runner() -> jobs.JobRunner:
    """The worker process that runs the shared runs (started with the first one)."""
    return jobs.JobRunner()


VIEWS_KEPT = 64  # shared views kept per server (each a few figures); the least recently used goes first


@st.cache_resource(max_entries=VIEWS_KEPT, show_spinner=False)
def _shared(name: str, key: Hashable, _compute: Callable[[], T]) -> T:
    return _compute()  # Streamlit locks per key: sessions asking meanwhile wait for this result


def shared_view(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), once per server for (name, key): every session with the same settings gets the same view, to read
    and never change. `key` must hold everything the view depends on (settings, the shared run's key)."""
    return _shared(name, key, compute)


def start_job(name: str, run: str, *args: Hashable) -> None:
    """Ask for the shared run `run` (a name in jobs.RUNS) with `args`, joining it if another session asked for
    the same, and remember it as this session's run `name` until finished_job collects it. The job's key is
    (run, *args): everything the result depends on."""
    q = shared_jobs()
    call = jobs.call if q.inline else job_runner().call
    st.session_state[f"job:{name}"] = q.submit((run, *args), lambda progress: call(run, args, progress))


def pending(name: str) -> bool:
    """Whether this session's run `name` was asked for and has not been collected by finished_job yet."""
    return f"job:{name}" in st.session_state


def finished_job(name: str) -> jobs.Job | None:
    """This session's run `name` once it has finished (its error shown, if any), else None; while it trains, a
    progress bar that follows it and reruns the page when it ends."""
    job = st.session_state.get(f"job:{name}")
    if job is None:
        return None
    if job.done:
        del st.session_state[f"job:{name}"]
        if job.error:
            st.warning(job.error)
            return None
        return job

    @st.fragment(run_every=JOB_POLL)
    def follow() -> None:
        if job.done:
            st.rerun()
        ahead = shared_jobs().ahead_of(job)
        st.progress(job.fraction, text=job.message if not ahead else
                    f"Waiting: {ahead} run{'s' if ahead > 1 else ''} with other settings first (one at a time on "
                    "this server)…")

    follow()
    return None
