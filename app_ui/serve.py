"""``python -m app_ui.serve [streamlit options]``: the app's server, warm before its first visitor.

Streamlit runs the entry script only when a first browser connects, so everything slow about a
first visit used to land on that visitor: importing the stack (~6 s on 2 cores, 3.5 s of it
umap-learn), loading UMAP's numba kernels, training the demo's ready model. Measured on a fresh
demo server, the UMAP map came 18 s after the first page load. This command does that work once,
in the server process, before Streamlit starts listening (the health check answers when it is
done), then hands over to ``streamlit run`` on the entry script:

1. import every app module (the pages' code paths) in this one thread, so no page ever imports
   a module while another thread imports it too; and give BLAS one thread: a page's matrix
   products are small, and on 2 busy cores OpenBLAS's threads made a 18k x 32 Gram matrix take
   40-60 ms (1.8 s on its first call) instead of 1 ms;
2. fork the child process that computes UMAP and t-SNE maps (:mod:`recsys.maps.background`),
   now, while this process has one thread and has run no numba kernel: numba's default threading
   layer (GNU OpenMP) is not fork-safe, and a child forked after the parent ran a parallel
   kernel terminates on its first one ("Terminating: fork() called from a process already using
   GNU OpenMP"), after which every map fell back to the server's thread (measured: the fresh
   demo's UMAP map came 6 s after its PCA stand-in);
3. run UMAP once on a tiny set in the child and, at the same time, here (the fallback): numba
   loads the kernels from its disk cache (compiled by the first start after an install, ~20 s,
   once; :mod:`recsys.maps.umap_import`);
4. with an empty workspace, train and save the demo's ready model (ALS defaults, ~1 s), so the
   Map and Recommend pages open on it without a click; and compute the Map page's first map of
   it (UMAP, default settings, ~2-3 s) in the map process before listening, so the first visit
   draws it at once (computed while the first browser loaded the page, it came 5.2-7.9 s after
   the page load instead of ~2 s).

``recsys app`` and ``make run`` start the app this way; ``streamlit run app.py`` still works
and warms up on the first visit instead.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

ENTRY = Path(__file__).resolve().parent / "entry.py"


def import_app_modules() -> list[str]:
    """Import every module of the app_ui package (and through them the library); their names."""
    import app_ui

    names = []
    for info in pkgutil.iter_modules(app_ui.__path__, "app_ui."):
        if info.name == __name__ or info.name.endswith(".serve"):
            continue
        importlib.import_module(info.name)
        names.append(info.name)
    return names


def single_threaded_blas() -> None:
    """BLAS on one thread for the whole server (training code sets its own threads)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")  # kept: not used as a context manager


def start_map_process() -> None:
    """Fork the maps' child process (before any numba kernel, OpenMP pool or thread ran here)."""
    from recsys.maps import background

    background.start_process_pool()


def warm_up_umap() -> float:
    """One tiny UMAP fit in the map process and one here, at the same time; seconds.

    Each process loads UMAP's kernels from numba's disk cache; this one's is the fallback for
    when the map process is gone.
    """
    import numpy as np

    from recsys.maps import background, projection

    tiny = np.random.default_rng(0).normal(size=(120, 8)).astype(np.float32)
    job = background.request(
        ("warm-up",), tiny, projection.ProjectionParams(method="umap", n_neighbors=10)
    )
    start = time.perf_counter()
    projection.warm_up(large=False)
    background.wait(job)
    return time.perf_counter() - start


def ensure_demo_model(root: str | None = None) -> str | None:
    """Train and save the demo's ready model when the workspace has none for the demo.

    Returns the name of the model trained, or None when one was there already (or training
    failed: the pages then offer their "Train a quick ALS model" button).
    """
    from app_ui.models import train_demo_model
    from recsys.data.demo import load_demo
    from recsys.store import Workspace

    ws = Workspace(root) if root else Workspace()
    demo = load_demo()
    infos, _ = ws.list_models()
    if any(i.matches(demo.fingerprint) for i in infos):
        return None
    return train_demo_model(ws, demo)


#: at most this long (s) the server waits for the demo's first map before it starts listening
DEMO_MAP_WAIT = 60.0


def start_demo_map(root: str | None = None, wait: float = 0.0) -> bool:
    """Queue the Map page's first map (items, UMAP at the default settings) of the demo's ready
    model in the map process, when the workspace has exactly one model of the demo (the one the
    pages open); True when queued. ``wait``: seconds to wait for it (the server waits, so that
    the first visit of the Map page draws UMAP at once instead of PCA and a poll, and the map is
    not computed while that first visitor's browser loads the page)."""
    from app_ui.maps import request_first_map
    from recsys.data.demo import load_demo
    from recsys.maps import background
    from recsys.store import Workspace

    ws = Workspace(root) if root else Workspace()
    demo = load_demo()
    infos, _ = ws.list_models()
    ready = [i for i in infos if i.matches(demo.fingerprint)]
    if len(ready) != 1:
        return False
    name = ready[0].name
    job = request_first_map(name, ws.load_model(name), demo)
    if wait > 0:
        background.wait(job, timeout=wait)
    return True


def prepare() -> None:
    """Steps 1-4 of the module docstring, each timed on stdout."""
    for label, step in (
        ("app modules imported", import_app_modules),
        ("BLAS on one thread", single_threaded_blas),
        ("map process started", start_map_process),
        ("UMAP ready", warm_up_umap),
        ("demo model ready", ensure_demo_model),
        ("demo's first map computed", lambda: start_demo_map(wait=DEMO_MAP_WAIT)),
    ):
        start = time.perf_counter()
        step()
        print(f"  {label} in {time.perf_counter() - start:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Prepare, then ``streamlit run`` the entry script with ``argv`` as Streamlit options."""
    argv = sys.argv[1:] if argv is None else argv
    print("Preparing the app (imports, UMAP, the demo's model)…", flush=True)
    prepare()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ENTRY), *streamlit_options(argv)]
    return cli.main()


def streamlit_options(argv: list[str]) -> list[str]:
    """``argv`` plus this server's defaults for options it does not set.

    Both defaults keep the server's event loop free while a page runs: it is the thread that
    serves the browser's files and messages, and anything holding the GIL stalls it. Measured
    on a fresh demo server (py-spy), the browser's 4.7 MB plotly bundle took 3.5-4 s to arrive
    instead of 0.02 s, the loop busy with:

    - the source-file watcher, walking every loaded module's path when a session starts
      (numpy, scipy, scikit-learn, umap, numba, jax: thousands of files). Reloading on save is
      for developing the app (``streamlit run app.py``, or ``--server.fileWatcherType auto``);
    - a full garbage collection after every script run, every fragment run included (the map's
      poll runs every 0.75 s): 0.15 s with the stack imported, more with datasets loaded.
      Python's own collector still runs as objects accumulate.
    """
    given = {a.split("=", 1)[0] for a in argv if a.startswith("--")}
    defaults = {"--server.fileWatcherType": "none", "--runner.postScriptGC": "false"}
    return [*argv, *(x for k, v in defaults.items() if k not in given for x in (k, v))]


if __name__ == "__main__":
    sys.exit(main())
