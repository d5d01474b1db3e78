"""Streamlit glue of Why LSTM & GRU's long runs: shared by every session that asks for the same settings
(playground.server.jobs), and views computed once per server for the same settings."""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

import streamlit as st

from playground.server import jobs, pool
from playground.web import ui

T = TypeVar("T")


JOB_POLL = 0.5  # seconds between progress redraws while a shared run trains
FOLLOWER_POLL = 1.0  # ...on a room follower's screen (a class of them at once)


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
    _submit(name, (run, *args))
    ui.share_with_room(f"job:{name}", (run, *args))  # a presenter's run: its room's followers show it too


def _submit(name: str, key: tuple) -> None:
    q = shared_jobs()
    run, args = key[0], key[1:]
    call = jobs.call if q.inline else job_runner().call
    st.session_state[f"job:{name}"] = q.submit(key, lambda progress: call(run, args, progress))
    st.session_state[f"job_seen:{name}"] = key


def _room_job(name: str) -> None:
    """A room's follower takes the presenter's run `name` as its own (joining it: computed once) the first time its
    page sees it, so that its progress and result show as on the presenter's screen."""
    key = ui.room_shared(f"job:{name}")
    if key is not None and st.session_state.get(f"job_seen:{name}") != key:
        _submit(name, key)


def pending(name: str) -> bool:
    """Whether this session's run `name` was asked for and has not been collected by finished_job yet."""
    _room_job(name)
    return f"job:{name}" in st.session_state


def finished_job(name: str) -> jobs.Job | None:
    """This session's run `name` once it has finished (its error shown, if any), else None; while it trains, a
    progress bar that follows it and reruns the page when it ends."""
    _room_job(name)
    job = st.session_state.get(f"job:{name}")
    if job is None:
        return None
    if job.done:
        del st.session_state[f"job:{name}"]
        if job.error:
            st.warning(job.error)
            return None
        return job

    @st.fragment(run_every=FOLLOWER_POLL if ui.following_room() else JOB_POLL)
    def follow() -> None:
        if job.done:
            st.rerun()
        ahead = shared_jobs().ahead_of(job)
        st.progress(job.fraction, text=job.message if not ahead else
                    f"Waiting: {ahead} run{'s' if ahead > 1 else ''} with other settings first (one at a time on "
                    "this server)…")

    follow()
    return None
