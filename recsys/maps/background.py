"""Slow map work off the page's thread: a page asks for it, shows what it has meanwhile, and polls.

UMAP and t-SNE take seconds (a few hundred points) to minutes (tens of thousands); so do a big
map's quality scores and clusters (at 59k items: the embedding-space kNN, HDBSCAN, naming). A
page that computed them inline froze until they were done. :func:`request` queues a map, and
:func:`submit` any other named computation of :data:`TASKS` ("quality", "clusters"), for one
worker thread per process, and returns its :class:`Job`; :func:`describe` says in words what the
page is waiting for (UMAP's one-time kernel compile, jobs queued before it, or this one and for
how long). Finished jobs are kept (the newest ``MAX_KEPT``), so every later visitor of the same
map gets them at once. PCA is quick and never queued here.

UMAP's numba kernels (and the pure-Python parts of naming clusters) hold the GIL, so work done
on a thread of the server slows every page of every session while it runs. The server
(``app_ui.serve``) therefore calls :func:`start_process_pool` before Streamlit starts: one child
process, forked while the server has everything imported and UMAP warm, runs the jobs on the
other core. Without it (tests, ``streamlit run app.py``) they run on the worker thread.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recsys.errors import RecsysError
from recsys.maps import clusters, projection, quality

#: finished jobs kept in memory (maps: n x 3 floats; quality: n floats; clusters: n labels)
MAX_KEPT = 32
#: the worker thread exits after this long without work (a new request starts another)
IDLE_SECONDS = 60.0

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

#: the computations a job can run: module-level functions of recsys (a child process gets them
#: by name), each returning a picklable result
TASKS: dict[str, Callable[..., Any]] = {
    "map": projection.project,
    "quality": quality.map_quality,
    "clusters": clusters.cluster_embeddings,
}


@dataclass
class Job:
    """One computation asked for: its state, timing, and the result (or the error) once done.

    ``task`` names the function in :data:`TASKS`; ``what`` says in words what it computes
    ("UMAP 2-D map of 1,456 points"); ``params`` are the map's projection parameters (of the map
    itself, or of the map the quality / clusters belong to).
    """

    key: Hashable
    n_points: int
    params: projection.ProjectionParams | None
    task: str = "map"
    what: str = ""
    state: str = QUEUED
    queued_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    seconds: float | None = None
    result: Any = field(default=None, repr=False)
    error: RecsysError | None = None
    args: tuple | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @property
    def coords(self) -> np.ndarray | None:
        """A map job's coordinates (its result)."""
        return self.result


_lock = threading.Condition()
_jobs: OrderedDict[Hashable, Job] = OrderedDict()
#: the map process yields the CPU to the server and the browser (its jobs are the slow ones)
CHILD_NICENESS = 10

_queue: deque[Hashable] = deque()
_worker: list[threading.Thread] = []
_pool: list[ProcessPoolExecutor] = []


def start_process_pool() -> None:
    """Run the jobs in one child process from now on, forked at once.

    Call it while the process has a single thread (before a server starts its threads): the
    child is forked here, so it inherits the imported modules and UMAP's loaded kernels.
    """
    if _pool:
        return
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=os.nice,
        initargs=(CHILD_NICENESS,),
    )
    pool.submit(int).result()  # fork the worker now
    _pool.append(pool)


def _compute(task: str, args: tuple) -> Any:
    """One job: in the child process when there is one (a broken pool falls back to here)."""
    fn = TASKS[task]
    if _pool:
        try:
            return _pool[0].submit(fn, *args).result()
        except BrokenProcessPool:
            _pool.clear()
    return fn(*args)


def _id(task: str, key: Hashable) -> tuple:
    return (task, key)


def request(key: Hashable, vectors: np.ndarray, params: projection.ProjectionParams) -> Job:
    """The job of the map ``key`` (``vectors`` projected with ``params``), queued if new.

    A failed job is queued again on the next request (the error may have been transient).
    """
    projection.import_for(params.method)
    v = np.asarray(vectors, dtype=np.float32)
    return submit(
        "map",
        key,
        lambda: (v.copy(), params),
        len(v),
        params,
        f"{params.label} map of {len(v):,} points",
    )


def submit(
    task: str,
    key: Hashable,
    args: Callable[[], tuple],
    n_points: int,
    params: projection.ProjectionParams | None = None,
    what: str | None = None,
) -> Job:
    """The job running ``TASKS[task](*args())`` for ``key``, queued if new.

    ``args`` is called only when the job is new (it may copy or gather data; the arguments are
    handed to the other process as they are, so pass copies of anything that may change). Keys
    of different tasks never collide. A failed job is queued again on the next request.
    """
    if task not in TASKS:
        raise RecsysError(f"Unknown background task {task!r}; one of {sorted(TASKS)}.")
    jid = _id(task, key)
    with _lock:
        job = _jobs.get(jid)
        if job is not None and job.state != FAILED:
            _jobs.move_to_end(jid)
            return job
    made = tuple(args())  # outside the lock: gathering the data may take a moment
    with _lock:
        job = _jobs.get(jid)
        if job is not None and job.state != FAILED:  # another session queued it meanwhile
            _jobs.move_to_end(jid)
            return job
        job = Job(key, int(n_points), params, task, what or f"{task} of {n_points:,} points")
        job.args = made
        _jobs[jid] = job
        _queue.append(jid)
        _trim()
        if not _worker or not _worker[0].is_alive():
            _worker[:] = [threading.Thread(target=_work, name="maps-background", daemon=True)]
            _worker[0].start()
        _lock.notify_all()
        return job


def get(key: Hashable, task: str = "map") -> Job | None:
    """The job of ``key`` if it was requested (and not yet dropped)."""
    with _lock:
        return _jobs.get(_id(task, key))


def ahead_of(job: Job) -> int:
    """How many jobs will be computed before this one, the running one included (0 when it
    runs or is done)."""
    jid = _id(job.task, job.key)
    with _lock:
        if job.state != QUEUED or jid not in _queue:
            return 0
        return list(_queue).index(jid) + (
            1 if any(j.state == RUNNING for j in _jobs.values()) else 0
        )


def describe(job: Job) -> str:
    """What a page waiting for ``job`` is waiting for, in words."""
    name = job.what
    if job.state == QUEUED:
        ahead = ahead_of(job)
        return f"The {name} is queued behind {ahead} other computation{'s' * (ahead != 1)}."
    if job.state == RUNNING:
        elapsed = time.monotonic() - (job.started_at or time.monotonic())
        if (
            job.task == "map"
            and job.params.method == "umap"
            and not projection.umap_ready(job.n_points)
        ):
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
            result, error = _compute(job.task, job.args), None
            if job.task == "map" and job.params.method == "umap":
                projection.mark_ready(job.n_points)  # also when computed in the child
        except RecsysError as exc:  # kept on the job; the page shows it
            result, error = None, exc
        except Exception as exc:  # noqa: BLE001 - a broken install: a message, not a traceback
            result, error = None, RecsysError(f"{type(exc).__name__}: {exc}")
        with _lock:
            job.result, job.error, job.args = result, error, None
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
