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
