"""The server's preparation (app_ui.serve): what it does before Streamlit starts listening."""

from app_ui import serve
from recsys.data.demo import load_demo
from recsys.store import Workspace


def test_the_demo_model_is_trained_once_into_an_empty_workspace(tmp_path):
    name = serve.ensure_demo_model(str(tmp_path))
    assert name == "als-demo"
    infos, problems = Workspace(tmp_path).list_models()
    assert not problems and [i.name for i in infos] == ["als-demo"]
    assert infos[0].matches(load_demo().fingerprint)
    assert serve.ensure_demo_model(str(tmp_path)) is None  # a restart trains nothing


def test_every_app_module_is_imported_before_the_server_starts():
    names = serve.import_app_modules()
    assert {"app_ui.entry", "app_ui.maps", "app_ui.common"} <= set(names)
    assert "app_ui.serve" not in names


CHILD_SURVIVES = """
import multiprocessing, numpy as np
from app_ui import serve
serve.start_map_process()
serve.warm_up_umap()
from recsys.maps import background, projection
vectors = np.random.default_rng(1).normal(size=(800, 16)).astype(np.float32)
job = background.request("map", vectors, projection.ProjectionParams(method="umap", seed=3))
background.wait(job, 300)
print("RESULT", job.state, len(multiprocessing.active_children()))
"""


def test_the_map_process_survives_the_server_preparation_and_computes_maps():
    """The child is forked before any numba kernel runs in the server: numba's GNU-OpenMP layer
    kills a child forked after the parent ran a parallel kernel, on the child's first map."""
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run(
        [sys.executable, "-c", CHILD_SURVIVES],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Terminating" not in out.stderr, out.stderr[-2000:]
    assert "RESULT done 1" in out.stdout, (out.stdout[-1000:], out.stderr[-2000:])


def test_the_server_watches_no_source_files_and_skips_the_full_gc_unless_asked():
    off = ["--server.fileWatcherType", "none", "--runner.postScriptGC", "false"]
    assert serve.streamlit_options(["--server.port", "9"]) == ["--server.port", "9", *off]
    asked = ["--server.fileWatcherType", "auto", "--runner.postScriptGC", "true"]
    assert serve.streamlit_options(asked) == asked
    assert serve.streamlit_options(["--server.fileWatcherType=poll"]) == [
        "--server.fileWatcherType=poll",
        *off[2:],
    ]


def test_the_demos_first_map_is_computed_before_the_first_visit(monkeypatch, tmp_path):
    """The server queues the Map page's opening map (UMAP, default settings) of the demo's ready
    model; the page's first run then draws it, with no PCA stand-in and no new map job."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from recsys.maps import background

    assert serve.ensure_demo_model(str(tmp_path)) == "als-demo"
    assert serve.start_demo_map(str(tmp_path), wait=300)
    queued = [j for j in background._jobs.values() if j.task == "map"]
    assert queued[-1].state == background.DONE  # the server waited for it
    n_jobs = len(background._jobs)

    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path))
    page = Path(__file__).resolve().parents[1] / "app_pages" / "map.py"
    at = AppTest.from_file(str(page), default_timeout=120).run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "PCA meanwhile" not in captions
    assert "Trustworthiness" in [m.label for m in at.metric]  # the real map's quality panel
    assert len(background._jobs) == n_jobs  # the page found the server's job
    ws = Workspace(tmp_path)  # with two demo models the server does not guess which one opens
    ws.save_model(ws.load_model("als-demo"), "als-2", load_demo())
    assert not serve.start_demo_map(str(tmp_path))
