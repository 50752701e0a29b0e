"""Maps computed off the page's thread: a page asks for one, shows PCA meanwhile, and polls.

UMAP and t-SNE take seconds (a few hundred points) to minutes (tens of thousands); a page that
computed them inline showed nothing at all until they were done. :func:`request` queues a map
for one worker thread per process and returns its :class:`Job`; :func:`describe` says in words
what the page is waiting for (UMAP's one-time kernel compile, maps queued before it, or this map
and for how long). Finished maps are kept (the newest ``MAX_KEPT``), so every later visitor of
the same map gets it at once. PCA is quick and never queued here.

UMAP's numba kernels hold the GIL, so a map computed on a thread of the server slows every
page of every session while it runs. The server (``app_ui.serve``) therefore calls
:func:`start_process_pool` before Streamlit starts: one child process, forked while the server
has everything imported and UMAP warm, computes the maps on the other core. Without it (tests,
``streamlit run app.py``) maps are computed on the worker thread.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Hashable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np

from recsys.errors import RecsysError
from recsys.maps import projection

#: finished maps kept in memory (coordinates only: n x 3 floats each)
MAX_KEPT = 32
#: the worker thread exits after this long without work (a new request starts another)
IDLE_SECONDS = 60.0

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass
class Job:
    """One map asked for: its state, timing, and the coordinates (or the error) once done."""

    key: Hashable
    n_points: int
    params: projection.ProjectionParams
    state: str = QUEUED
    queued_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    seconds: float | None = None
    coords: np.ndarray | None = None
    error: RecsysError | None = None
    vectors: np.ndarray | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)


_lock = threading.Condition()
_jobs: OrderedDict[Hashable, Job] = OrderedDict()
_queue: deque[Hashable] = deque()
_worker: list[threading.Thread] = []
_pool: list[ProcessPoolExecutor] = []


def start_process_pool() -> None:
    """Compute maps in one child process from now on, forked at once.

    Call it while the process has a single thread (before a server starts its threads): the
    child is forked here, so it inherits the imported modules and UMAP's loaded kernels.
    """
    if _pool:
        return
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    pool.submit(int).result()  # fork the worker now
    _pool.append(pool)


def _compute(vectors: np.ndarray, params: projection.ProjectionParams) -> np.ndarray:
    """One map: in the child process when there is one (a broken pool falls back to here)."""
    if _pool:
        try:
            return _pool[0].submit(projection.project, vectors, params).result()
        except BrokenProcessPool:
            _pool.clear()
    return projection.project(vectors, params)


def request(key: Hashable, vectors: np.ndarray, params: projection.ProjectionParams) -> Job:
    """The job of the map ``key`` (``vectors`` projected with ``params``), queued if new.

    A failed job is queued again on the next request (the error may have been transient).
    """
    projection.import_for(params.method)
    with _lock:
        job = _jobs.get(key)
        if job is not None and job.state != FAILED:
            _jobs.move_to_end(key)
            return job
        job = Job(key, len(vectors), params, vectors=np.asarray(vectors, dtype=np.float32).copy())
        _jobs[key] = job
        _queue.append(key)
        _trim()
        if not _worker or not _worker[0].is_alive():
            _worker[:] = [threading.Thread(target=_work, name="maps-background", daemon=True)]
            _worker[0].start()
        _lock.notify_all()
        return job


def get(key: Hashable) -> Job | None:
    """The job of ``key`` if it was requested (and not yet dropped)."""
    with _lock:
        return _jobs.get(key)


def ahead_of(job: Job) -> int:
    """How many queued maps will be computed before this one (0 when it runs or is done)."""
    with _lock:
        if job.state != QUEUED or job.key not in _queue:
            return 0
        return list(_queue).index(job.key)


def describe(job: Job) -> str:
    """What a page waiting for ``job`` is waiting for, in words."""
    name = f"{job.params.label} map of {job.n_points:,} points"
    if job.state == QUEUED:
        ahead = ahead_of(job)
        return f"The {name} is queued behind {ahead} other map{'s' * (ahead != 1)}."
    if job.state == RUNNING:
        elapsed = time.monotonic() - (job.started_at or time.monotonic())
        if job.params.method == "umap" and not projection.umap_ready(job.n_points):
            return (
                f"Computing the {name} ({elapsed:.0f} s); UMAP is compiling its kernels first "
                "(once per installation, about 20-50 s)."
            )
        return f"Computing the {name} ({elapsed:.0f} s so far)."
    if job.state == FAILED:
        return f"The {name} could not be computed: {job.error}"
    return f"The {name} took {job.seconds:.1f} s."


def _trim() -> None:
    """Drop the oldest finished jobs beyond ``MAX_KEPT`` (queued and running ones stay)."""
    finished = [k for k, j in _jobs.items() if j.finished]
    for key in finished[: max(0, len(finished) - MAX_KEPT)]:
        del _jobs[key]


def _work() -> None:
    while True:
        with _lock:
            if not _queue:
                _lock.wait(timeout=IDLE_SECONDS)
                if not _queue:
                    return
            job = _jobs.get(_queue.popleft())
            if job is None or job.state != QUEUED:
                continue
            job.state, job.started_at = RUNNING, time.monotonic()
        try:
            coords, error = _compute(job.vectors, job.params), None
            if job.params.method == "umap":
                projection.mark_ready(job.n_points)  # also when computed in the child
        except RecsysError as exc:  # kept on the job; the page shows it
            coords, error = None, exc
        except Exception as exc:  # noqa: BLE001 - a broken install: a message, not a traceback
            coords, error = None, RecsysError(f"{type(exc).__name__}: {exc}")
        with _lock:
            job.coords, job.error, job.vectors = coords, error, None
            job.seconds = time.monotonic() - job.started_at
            job.state = DONE if error is None else FAILED
            _trim()
            _lock.notify_all()


def wait(job: Job, timeout: float | None = None) -> bool:
    """Block until ``job`` is finished (or ``timeout`` seconds pass); True when finished."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with _lock:
        while not job.finished:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            _lock.wait(timeout=left)
        return True
