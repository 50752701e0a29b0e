"""Map benchmarks: cold server to first map and to UMAP, UMAP at 10k/50k, our call vs bare
umap-learn, and the browser's time to draw a 50k-point map.

Run: ``.venv/bin/python benchmarks/bench_projection.py`` (add ``--only server,umap,ratio,browser``
to pick parts). Prints figures; nothing is asserted. Uses Debian's chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.e2e.chromium import CHROMIUM_ARGS, find_chromium  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM") or find_chromium() or "/usr/bin/chromium"
ARGS = CHROMIUM_ARGS


def low_rank_vectors(n: int, dim: int = 64, rank: int = 12, seed: int = 0) -> np.ndarray:
    """Random vectors with low-rank structure plus noise (like learned embeddings)."""
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(n, rank)) @ rng.normal(size=(rank, dim)) + 0.3 * rng.normal(size=(n, dim))
    ).astype(np.float32)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_server() -> None:
    """Cold `streamlit run` -> first map on the Map page, and -> the UMAP map (demo data)."""
    from playwright.sync_api import sync_playwright

    from recsys.data.demo import load_demo
    from recsys.models.registry import create_model
    from recsys.store import Workspace

    workspace = Path(tempfile.mkdtemp(prefix="bench-map-"))
    ds = load_demo()
    Workspace(workspace).save_model(create_model("svd").fit(ds), "svd", ds)
    # The browser is started before the clock: a user's browser is already open when the server
    # starts, and launching Chromium is not the app's time.
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        port = _free_port()
        start = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env={**os.environ, "RECSYS_WORKSPACE": str(workspace)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            healthy = time.perf_counter() - start
            page.goto(url + "/map")
            page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=180_000)
            first_map = time.perf_counter() - start
            first_title = page.locator(".js-plotly-plot .gtitle").first.text_content() or ""
            page.wait_for_selector(".js-plotly-plot .gtitle:has-text('UMAP 2-D')", timeout=300_000)
            umap_map = time.perf_counter() - start
            browser.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
    print(
        f"cold server: healthy {healthy:.1f} s; first map {first_map:.1f} s ({first_title.split('·')[-1].strip()}); "
        f"UMAP map {umap_map:.1f} s (target <= 15 s)"
    )


def bench_umap() -> None:
    """UMAP time for 10k and 50k 64-d items after the warm-up (compilation excluded)."""
    from recsys.maps import projection

    t = time.perf_counter()
    projection.warm_up()
    print(
        f"UMAP warm-up (import + numba compile, exact and NN-descent paths): {time.perf_counter() - t:.1f} s"
    )
    for n in (10_000, 50_000):
        v = low_rank_vectors(n)
        t = time.perf_counter()
        projection.project(v, method="umap")
        print(f"UMAP {n:,} x 64 -> 2-D: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        projection.project(v, method="pca")
        print(f"PCA  {n:,} x 64 -> 2-D: {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        coords = projection.project(v, method="pca")
        f = projection.faithfulness(v, coords, k=10)
        print(
            f"faithfulness {n:,} (kNN recall all points, trustworthiness sampled={f.trust_sampled}): "
            f"{time.perf_counter() - t:.1f} s"
        )


def bench_ratio(n: int = 10_000, rounds: int = 3) -> None:
    """Our projection call vs a bare umap-learn fit on the same vectors, alternately."""
    import umap

    from recsys.maps import projection
    from recsys.maps.projection import ProjectionParams

    projection.warm_up()
    v = low_rank_vectors(n, seed=1)
    params = ProjectionParams(method="umap")
    ours, bare = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        projection.project(v, params)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        umap.UMAP(
            n_components=2, n_neighbors=15, min_dist=0.1, metric="cosine", random_state=42
        ).fit_transform(v)
        bare.append(time.perf_counter() - t)
    ratio = np.median(ours) / np.median(bare)
    print(
        f"ours vs bare umap-learn on {n:,} x 64 ({rounds} alternating rounds): median "
        f"{np.median(ours):.2f} s vs {np.median(bare):.2f} s, ratio {ratio:.3f} (target <= 1.10)"
    )


def bench_browser(n: int = 50_000) -> None:
    """Time until a 50k-point map figure (our builder) is drawn in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from recsys.viz import map as vmap

    rng = np.random.default_rng(0)
    coords = rng.normal(size=(n, 2))
    cats = [[f"genre {i % 12}"] for i in range(n)]
    t = time.perf_counter()
    fig, _ = vmap.map_figure(
        coords,
        vmap.colour_by_category(cats),
        vmap.hover_texts([f"Item {i}" for i in range(n)], cats, rng.integers(1, 500, n)),
    )
    build = time.perf_counter() - t
    import plotly.offline

    html_path = Path(tempfile.mkdtemp()) / "map50k.html"
    html_path.write_text(
        "<html><head><meta charset='utf-8'><script>" + plotly.offline.get_plotlyjs() + "</script>"
        "</head><body><div id='map' style='width:1300px;height:640px'></div><script>"
        "var fig = " + fig.to_json() + ";"
        "Plotly.newPlot('map', fig.data, fig.layout).then(function(){"
        "window.__drawn = performance.now();}, function(e){window.__error = String(e);});"
        "</script></body></html>",
        encoding="utf-8",
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        t = time.perf_counter()
        page.goto(html_path.as_uri())
        page.wait_for_function(
            "window.__drawn !== undefined || window.__error !== undefined", timeout=120_000
        )
        if page.evaluate("window.__error"):
            raise RuntimeError(page.evaluate("window.__error"))
        wall = time.perf_counter() - t
        drawn = page.evaluate("window.__drawn") / 1000
        browser.close()
    size_mb = html_path.stat().st_size / 1e6
    print(
        f"browser: {n:,}-point Scattergl map drawn {drawn:.1f} s after navigation "
        f"(wall {wall:.1f} s; figure built in {build:.1f} s; HTML {size_mb:.1f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="server,umap,ratio,browser")
    parts = parser.parse_args().only.split(",")
    # each part that measures UMAP compile costs needs a fresh process: run the server first
    for name, fn in (
        ("server", bench_server),
        ("browser", bench_browser),
        ("umap", bench_umap),
        ("ratio", bench_ratio),
    ):
        if name in parts:
            fn()
            sys.stdout.flush()


if __name__ == "__main__":
    main()
