"""The Learn page's first visit in a real browser: the 'learn' row of ``bench_pages``, alone.

Run: ``nice -n 19 .venv/bin/python -m benchmarks.bench_learn_page`` (``--only synthetic,movielens``).
The datasets are saved in a fresh workspace (as an upload would be), the server is warmed on the
demo (Learn visited once), then ``/learn?dataset=…`` is opened in a fresh session, twice per
dataset, and timed to the lesson's text (its heading), to the first plotly chart (what
``bench_pages`` times: a static stand-in while the model trains counts) and to the lesson's own
interactive figure (budget: first useful content <= 3 s). Prints one table and the server's CPU seconds;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from benchmarks.bench_pages import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FIRST_CONTENT,
    ROWS,
    Server,
    open_timed,
    record,
    wait_for,
    wait_idle,
)

LESSON_TEXT = 'h3:has-text("What is an embedding?")'
#: the lesson's own (interactive) figure, not the static one standing in while it trains
LESSON_FIGURE = ".js-plotly-plot .nsewdrag"


def _datasets(parts: list[str]):
    from benchmarks.synthetic import synthetic_dataset
    from recsys.data.loader import load_path
    from recsys.data.reference import ml_small_path

    makers = {"synthetic": synthetic_dataset, "movielens": lambda: load_path(ml_small_path())}
    return {part: makers[part]() for part in parts}


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the server process and its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="synthetic,movielens")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from recsys.dataset_store import DatasetStore

    workspace = Path(tempfile.mkdtemp(prefix="bench-learn-")) / "ws"
    workspace.mkdir()
    datasets = _datasets(args.only.split(","))
    for ds in datasets.values():
        DatasetStore(workspace).save(ds)
    server = Server(workspace)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            server.wait_healthy()
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server.url + "/learn")  # warm: the page's imports, the demo's lesson
            wait_for(page, FIRST_CONTENT["learn"][0])
            wait_idle(page)
            cpu = _server_cpu(server.proc.pid)
            for label, ds in datasets.items():
                data = f"{label} ({ds.n_items:,} items × {ds.n_users:,} users)"
                for visit in ("first", "again"):
                    url = f"{server.url}/learn?dataset={ds.fingerprint}"
                    t = time.perf_counter()
                    text = open_timed(page, url, LESSON_TEXT)
                    marks = []
                    for selector in (FIRST_CONTENT["learn"][0], LESSON_FIGURE):
                        s = wait_for(page, selector)
                        marks.append(None if s is None else time.perf_counter() - t)
                    record(data, f"Learn, {visit} visit: lesson text", text, 3)
                    record(data, f"Learn, {visit} visit: first plotly chart", marks[0], 3)
                    record(data, f"Learn, {visit} visit: the lesson's figure", marks[1], 3)
                    wait_idle(page)
            cpu = _server_cpu(server.proc.pid) - cpu
        finally:
            server.stop()
            browser.close()
    print(
        f"\nServer CPU during the timed visits: {cpu:.1f} s; load average "
        f"{os.getloadavg()[0]:.1f} (2 shared cores)\n"
    )
    print("| data | what | time | budget | note |\n|---|---|---|---|---|")
    for row in ROWS:
        print(row.line())


if __name__ == "__main__":
    main()
