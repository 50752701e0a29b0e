"""Every page at MovieLens-25M size, in Chromium (issue 13.2).

Saves a large dataset (default: the data ``benchmarks.bench_scale`` generates, e.g.
``/tmp/bench25m``) and an ALS model trained on it (all cores) into a workspace, as an upload and a
training would; starts the app's server on that workspace; then opens each page by its link and
times its first useful content, taking a screenshot of each:

- **Data**: the profile's metrics, then its first chart;
- **Train**: press Train (ALS at the app's defaults), time to the first progress report, open
  another page in a second tab while the fit runs (does the server still answer?), press Cancel
  and time until the page is idle again; check that nothing was saved;
- **Map**: the first map drawn, the UMAP map of the items, its quality scores and clusters (from
  the background worker), a lasso selection, a title search, then the users map (a seeded
  sample);
- **Recommend**: the first user's list with its reasons;
- **Neighbours**: the first item's neighbour table;
- **Evaluate**: the split's held-out count.

Besides each time it prints the server's CPU seconds for that page and its peak RSS so far
(``VmHWM``). Nothing is asserted.

Run: ``nice -n 19 .venv/bin/python -m benchmarks.bench_scale_pages --data /tmp/bench25m
--workspace /tmp/scale-ws --shots /tmp/scale-shots`` (a workspace that already holds the dataset
and the model is reused, so a second run skips the preparation).
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from benchmarks.bench_pages import (
    CHROMIUM,
    FIRST_CONTENT,
    TIMEOUT,
    UMAP_TITLE,
    Server,
    open_timed,
    wait_for,
    wait_idle,
)
from benchmarks.bench_scale import in_child

MODEL = "als-scale"
#: a title typed into the Map page's search (the generated catalogue's titles: "Movie N (year)")
SEARCH = "Movie 100 ("
ROWS: list[tuple[str, float | None, float | None, float, str]] = []
_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------- preparation
def _prepare(folder: str, workspace: str) -> dict:
    """Load the data, save it and an ALS model into the workspace (in a forked child)."""
    from recsys.data import load_path
    from recsys.dataset_store import DatasetStore
    from recsys.models.registry import create_model
    from recsys.store import Workspace

    out: dict = {}
    t = time.perf_counter()
    ds = load_path(folder)
    out["load_s"] = time.perf_counter() - t
    store, ws = DatasetStore(workspace), Workspace(workspace)
    if not (store.path(ds.fingerprint) / "dataset.json").exists():
        t = time.perf_counter()
        store.save(ds)
        out["save_dataset_s"] = time.perf_counter() - t
    if not ws.model_path(MODEL).exists():
        t = time.perf_counter()
        model = create_model("als", threads=0).fit(ds)
        out["fit_s"] = time.perf_counter() - t
        ws.save_model(model, MODEL, ds)
    else:
        from recsys.models.base import Recommender

        model = Recommender.load(ws.model_path(MODEL))
    user = model.recommend(ds.user_ids.ids[0], n=1)
    out.update(
        fingerprint=ds.fingerprint,
        users=ds.n_users,
        items=ds.n_items,
        interactions=ds.n_interactions,
        first_user=str(ds.user_ids.ids[0]),
        first_top=str(user["item"].iloc[0]),
    )
    return out


# ---------------------------------------------------------------------- server figures
def _server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _server_peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Meter:
    """CPU seconds of the server since the last reading, and its peak RSS."""

    def __init__(self, pid: int) -> None:
        self.pid, self.last = pid, _server_cpu(pid)

    def read(self) -> tuple[float, float]:
        now = _server_cpu(self.pid)
        spent, self.last = now - self.last, now
        return spent, _server_peak_mib(self.pid)


def record(what: str, seconds: float | None, meter: Meter, note: str = "") -> None:
    cpu, peak = meter.read()
    ROWS.append((what, seconds, cpu, peak, note))
    shown = "timeout" if seconds is None else f"{seconds:.1f} s"
    print(
        f"{what}: {shown}; server {cpu:.1f} CPU-s, peak {peak:,.0f} MiB {note}".rstrip(),
        flush=True,
    )


def _lasso_timed(page, attempts: int = 3) -> float | None:
    """Draw a lasso over the middle of the map; seconds until the selection summary shows."""
    plot = page.locator(".js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    time.sleep(1)
    for _ in range(attempts):
        drag = plot.locator(".nsewdrag").first.bounding_box()
        cx, cy = drag["x"] + drag["width"] / 2, drag["y"] + drag["height"] / 2
        w, h = drag["width"] * 0.15, drag["height"] * 0.15
        t = time.perf_counter()
        page.mouse.move(cx - w, cy - h)
        page.mouse.down()
        for x, y in [(cx + w, cy - h), (cx + w, cy + h), (cx - w, cy + h), (cx - w, cy - h + 2)]:
            page.mouse.move(x, y, steps=8)
        page.mouse.up()
        if wait_for(page, "text=/Selection:/", timeout=120) is not None:
            return time.perf_counter() - t
    return None


def shot(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


# ---------------------------------------------------------------------- pages
def bench_pages(browser, url: str, facts: dict, meter: Meter, shots: Path, ws: Path) -> None:
    fp = facts["fingerprint"]
    q = f"?dataset={fp}&model={MODEL}"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT * 1000)

    # Data: the first visit also loads the dataset into the server
    t = time.perf_counter()
    first = open_timed(page, f"{url}/data?dataset={fp}", FIRST_CONTENT["data"][0])
    record("Data: profile metrics (first visit: the server loads the data)", first, meter)
    chart = wait_for(page, ".js-plotly-plot")
    record("Data: first profile chart", None if chart is None else time.perf_counter() - t, meter)
    wait_idle(page)
    shot(page, shots, "1-data")

    # Train: start a fit, visit another page meanwhile, cancel it
    models_before = sorted(p.name for p in (ws / "models").iterdir())
    s = open_timed(page, f"{url}/train?dataset={fp}", FIRST_CONTENT["train"][0])
    wait_idle(page)
    record("Train: page open", s, meter)
    t = time.perf_counter()
    page.locator(".st-key-train_go button").click()
    started = wait_for(page, "text=/Iteration 1\\//")
    record(
        "Train: press Train → first progress report",
        None if started is None else time.perf_counter() - t,
        meter,
        "(ALS, app defaults: 1 thread)",
    )
    shot(page, shots, "2-train-running")
    other = browser.new_page(viewport={"width": 1400, "height": 1000})
    s = open_timed(other, f"{url}/data?dataset={fp}", FIRST_CONTENT["data"][0])
    record("Train running: another tab opens the Data page", s, meter)
    other.close()
    t = time.perf_counter()
    page.locator(".st-key-train_cancel button").first.click()
    gone = wait_for(page, ".st-key-train_go button:not([disabled])")
    wait_idle(page)
    record(
        "Train: press Cancel → page idle again",
        None if gone is None else time.perf_counter() - t,
        meter,
    )
    shot(page, shots, "3-train-cancelled")
    models_after = sorted(p.name for p in (ws / "models").iterdir())
    print(f"  models before {models_before}, after {models_after}", flush=True)

    # Map: items (first map, then UMAP, its quality panels; lasso; title search), then users
    t = time.perf_counter()
    s = open_timed(page, f"{url}/map{q}", FIRST_CONTENT["map"][0])
    record("Map (items): first map drawn", s, meter)
    u = wait_for(page, UMAP_TITLE)
    record("Map (items): UMAP map drawn", None if u is None else time.perf_counter() - t, meter)
    shot(page, shots, "4-map-items-umap")
    for what, sel in (
        ("quality scores", "text=Trustworthiness"),
        ("clusters", "text=/mean silhouette/"),
    ):
        w = wait_for(page, sel)
        record(
            f"Map (items): {what} shown (background job)",
            None if w is None else time.perf_counter() - t,
            meter,
            "from opening the page",
        )
    wait_idle(page)
    shot(page, shots, "4-map-items")
    record("Map (items): lasso → selection summary", _lasso_timed(page), meter)
    wait_idle(page)
    shot(page, shots, "4b-map-lasso")
    box = page.get_by_label("Find an item by title")
    t = time.perf_counter()
    box.fill(SEARCH)
    box.press("Enter")
    w = wait_for(page, "text=/Nearest to/")
    record(
        "Map (items): title search → nearest items",
        None if w is None else time.perf_counter() - t,
        meter,
        f"({SEARCH!r})",
    )
    wait_idle(page)
    shot(page, shots, "4c-map-search")
    box.fill("")
    box.press("Enter")
    wait_idle(page)
    t = time.perf_counter()
    page.locator('[data-testid="stButtonGroup"] button:has-text("Users")').first.click()
    first = wait_for(page, ".js-plotly-plot .gtitle:has-text('· Users ·')")
    record("Map (users): first map drawn after the click", first, meter)
    u = wait_for(page, ".js-plotly-plot .gtitle:has-text('UMAP 2-D · Users')")
    record("Map (users): UMAP map drawn", None if u is None else time.perf_counter() - t, meter)
    w = wait_for(page, "text=/mean silhouette/")
    record(
        "Map (users): quality and clusters shown",
        None if w is None else time.perf_counter() - t,
        meter,
    )
    wait_idle(page)
    shot(page, shots, "5-map-users")

    for name, pg in (("6-recommend", "recommend"), ("7-neighbours", "neighbours")):
        s = open_timed(page, f"{url}/{pg}{q}", FIRST_CONTENT[pg][0])
        record(f"{pg.capitalize()}: first useful content", s, meter)
        wait_idle(page)
        shot(page, shots, name)
    s = open_timed(page, f"{url}/evaluate?dataset={fp}", FIRST_CONTENT["evaluate"][0])
    record("Evaluate: split ready (held-out count)", s, meter)
    wait_idle(page)
    shot(page, shots, "8-evaluate")
    s = open_timed(page, f"{url}/recommend{q}", FIRST_CONTENT["recommend"][0])
    record("Recommend: again (model and data cached)", s, meter)
    page.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/tmp/bench25m", help="folder written by bench_scale")
    ap.add_argument("--workspace", default="/tmp/scale-ws", help="reused when it has the data")
    ap.add_argument("--shots", default="/tmp/scale-shots", help="screenshots go here")
    args = ap.parse_args()
    ws, shots = Path(args.workspace), Path(args.shots)
    ws.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    t = time.perf_counter()
    facts = in_child(_prepare, args.data, str(ws))
    if "error" in facts:
        raise SystemExit(facts["error"])
    print(f"prepared in {time.perf_counter() - t:.1f} s: {facts}", flush=True)

    from playwright.sync_api import sync_playwright

    from tests.e2e.chromium import CHROMIUM_ARGS

    server = Server(ws)
    try:
        server.wait_healthy()
        meter = Meter(server.proc.pid)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            bench_pages(browser, server.url, facts, meter, shots, ws)
            browser.close()
    finally:
        server.stop()
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}; screenshots in {shots}\n")
    print("| page | first useful content | server CPU s | server peak RSS | note |")
    print("|---|---|---|---|---|")
    for what, s, cpu, peak, note in ROWS:
        shown = "timeout" if s is None else f"{s:.1f} s"
        print(f"| {what} | {shown} | {cpu:.1f} | {peak:,.0f} MiB | {note} |")


if __name__ == "__main__":
    main()
