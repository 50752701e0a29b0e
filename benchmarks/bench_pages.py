"""Latency budgets of every page, in a real browser (issue 14.1).

Run: ``.venv/bin/python -m benchmarks.bench_pages`` (``--only floor,fresh,synthetic,movielens``
picks parts; ``--models als,bpr,ease`` picks the models trained on the synthetic catalogue; EASE
at 18k items takes minutes to fit). Prints one table; nothing is asserted.

- **floor**: what Streamlit and plotly alone cost a browser: a bare page with one demo-sized map
  (``benchmarks/floor_page.py``), opened in a new browser context (empty cache) and again.
- **fresh**: a new server on an empty workspace with the demo: the Map page opens (no click) on a
  model trained automatically, and the UMAP map is drawn; then Recommend opens on that model.
- **synthetic** (``benchmarks/synthetic.py``: ~18.6k items with interactions, 2,000 users, play
  counts, tags, no timestamps) and **movielens** (ml-latest-small, ``$RECSYS_ML_SMALL``): the
  datasets and models are saved in a workspace first (as an upload would be), the server is
  warmed (started, UMAP compiled, each page visited once on the demo), then every page is
  opened by its link (``?dataset=…&model=…``, a fresh session each time, as a bookmark would)
  and timed to its first useful content, once with the model new to the server ("first") and
  once more ("again"). On Recommend, another user is picked and timed until their top
  recommendation and its explanation are shown; on Neighbours, a title is typed into the item
  search and timed until matching choices are offered. Last, each page's link is opened once
  more in a new browser context (empty cache), as by a colleague given a shared link.

Budgets: first useful content <= 3 s; UMAP map <= 15 s (fresh demo server: <= 8 s after the
first page load); a user's recommendations + explanations <= 1 s after the pick; title search
choices <= 0.5 s after typing.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.e2e.chromium import CHROMIUM_ARGS, find_chromium  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM") or find_chromium() or "/usr/bin/chromium"

#: page -> (CSS selector of its first useful content, budget in s)
FIRST_CONTENT = {
    "home": ("h1", 3.0),
    "data": ('[data-testid="stMetric"]', 3.0),
    "train": ('[data-testid="stSelectbox"]', 3.0),
    "map": (".js-plotly-plot .nsewdrag", 3.0),
    "recommend": ('[data-testid="stExpander"] summary:has-text("why?")', 3.0),
    "neighbours": ('[data-testid="stDataFrame"]', 3.0),
    "evaluate": ('[data-testid="stMetric"]', 3.0),
    "learn": (".js-plotly-plot .nsewdrag", 3.0),  # the lesson figure, not its static stand-in
}
UMAP_TITLE = ".js-plotly-plot .gtitle:has-text('UMAP')"
TIMEOUT = float(os.environ.get("BENCH_PAGES_TIMEOUT", 600))  # s: slower is reported as a timeout


@dataclass
class Row:
    data: str
    what: str
    seconds: float | None
    budget: float | None
    note: str = ""

    def line(self) -> str:
        s = "timeout" if self.seconds is None else f"{self.seconds:.2f} s"
        b = "" if self.budget is None else f"≤ {self.budget:g} s"
        ok = (
            ""
            if self.budget is None
            else ("✓" if self.seconds is not None and self.seconds <= self.budget else "✗")
        )
        return f"| {self.data} | {self.what} | {s} | {b} {ok} | {self.note} |"


ROWS: list[Row] = []


def record(data: str, what: str, seconds: float | None, budget: float | None, note: str = ""):
    row = Row(data, what, seconds, budget, note)
    ROWS.append(row)
    print("  " + row.line(), flush=True)


# ---------------------------------------------------------------------- server and browser
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The app's server (``python -m app_ui.serve``, what ``recsys app`` and ``make run`` start)
    on a free port with its own workspace, or ``streamlit run`` of another ``script``; stopped
    by process id."""

    def __init__(self, workspace: Path, script: str | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(workspace.parent / f"bench-pages-{self.port}.log", "w")
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", *(["streamlit", "run", script] if script else ["app_ui.serve"]),
                "--server.headless", "true", "--server.port", str(self.port),
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT,
            env={**os.environ, "RECSYS_WORKSPACE": str(workspace)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def wait_healthy(self) -> None:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start; see {self.log.name}")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def wait_for(page, selector: str, timeout: float = TIMEOUT) -> float | None:
    """Seconds until ``selector`` is visible (None on timeout), from now."""
    t = time.perf_counter()
    try:
        page.locator(selector).first.wait_for(state="visible", timeout=timeout * 1000)
    except Exception:  # Playwright's TimeoutError
        return None
    return time.perf_counter() - t


def wait_idle(page, timeout: float = TIMEOUT) -> None:
    """Until the page's script run has finished (no 'running' indicator)."""
    deadline = time.time() + timeout
    time.sleep(0.3)
    while time.time() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return
        time.sleep(0.2)


def open_timed(page, url: str, selector: str, timeout: float = TIMEOUT) -> float | None:
    """Navigate and time until ``selector`` is visible (from the start of the navigation)."""
    t = time.perf_counter()
    page.goto(url)
    if wait_for(page, selector, timeout) is None:
        return None
    return time.perf_counter() - t


# ---------------------------------------------------------------------- data and models
def prepare(workspace: Path, parts: list[str], models: list[str]) -> dict[str, tuple]:
    """Save the datasets and train the models (not timed). Returns {label: (dataset, {name: model})}."""
    from benchmarks.synthetic import synthetic_dataset
    from recsys.data.loader import load_path
    from recsys.data.reference import ml_small_path
    from recsys.dataset_store import DatasetStore
    from recsys.models.registry import create_model
    from recsys.store import Workspace

    ws, store = Workspace(workspace), DatasetStore(workspace)
    out = {}
    for part in parts:
        if part == "synthetic":
            t = time.perf_counter()
            ds, keys = synthetic_dataset(), models
            print(f"synthetic catalogue built in {time.perf_counter() - t:.1f} s", flush=True)
        elif part == "movielens":
            ds, keys = load_path(ml_small_path()), ["als"]
        else:
            continue
        store.save(ds)
        fitted = {}
        for key in keys:
            t = time.perf_counter()
            model = create_model(key).fit(ds)
            name = f"{key}-{part}"
            ws.save_model(model, name, ds)
            fitted[name] = model
            print(f"  {name}: trained in {time.perf_counter() - t:.1f} s", flush=True)
        out[part] = (ds, fitted)
    return out


def expected_top(model, ds, user: str) -> str:
    """The label of the rank-1 expander the Recommend page shows for ``user`` (default filters)."""
    recs = model.recommend(user, n=10, exclude_seen=True)
    return f"1. {ds.titles[model.item_ids_.index(recs['item'].iloc[0])]} — why?"


# ---------------------------------------------------------------------- parts
def bench_fresh(browser) -> None:
    """Fresh server, empty workspace, demo: Map opens on a ready model; UMAP drawn."""
    workspace = Path(tempfile.mkdtemp(prefix="bench-pages-fresh-")) / "ws"
    workspace.mkdir()
    server = Server(workspace)
    try:
        server.wait_healthy()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        t = time.perf_counter()
        page.goto(server.url + "/map")
        first = wait_for(page, FIRST_CONTENT["map"][0])
        first = None if first is None else time.perf_counter() - t
        umap = wait_for(page, UMAP_TITLE)
        umap = None if umap is None else time.perf_counter() - t
        # no budget of its own: the browser's cache is empty (see bench_new_visitor) and the
        # first map is the UMAP map, whose budget is the next row's
        record(
            "demo, fresh server",
            "Map: first map, no click (model trained by itself)",
            first,
            None,
            "new browser, empty cache",
        )
        record("demo, fresh server", "Map: UMAP map drawn after the first page load", umap, 8)
        rec = open_timed(page, server.url + "/recommend", FIRST_CONTENT["recommend"][0])
        record("demo, fresh server", "Recommend: list with reasons, no click", rec, 3)
        page.close()
    finally:
        server.stop()


def bench_floor(browser, rounds: int = 3) -> None:
    """What Streamlit and plotly alone cost: a bare page with one demo-sized map
    (``benchmarks/floor_page.py``), opened by a new visitor and reloaded; medians of ``rounds``."""
    workspace = Path(tempfile.mkdtemp(prefix="bench-pages-floor-")) / "ws"
    workspace.mkdir()
    server = Server(workspace, script="benchmarks/floor_page.py")
    new, again = [], []
    try:
        server.wait_healthy()
        for _ in range(rounds):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            for times in (new, again):
                times.append(open_timed(page, server.url, FIRST_CONTENT["map"][0]))
                wait_idle(page)
            context.close()
    finally:
        server.stop()
    for label, times in (("new visitor", new), ("link again", again)):
        ok = sorted(t for t in times if t is not None)
        median = ok[len(ok) // 2] if len(ok) == len(times) else None
        record(
            "bare page, one map",
            f"Streamlit + plotly alone, {label}",
            median,
            None,
            f"median of {rounds}; range {ok[0]:.2f}–{ok[-1]:.2f} s" if ok else "",
        )


def warm_up(page, url: str) -> None:
    """A warm server: UMAP compiled and every page's code imported once (on the demo)."""
    t = time.perf_counter()
    page.goto(url + "/map")
    wait_for(page, UMAP_TITLE)
    for name in FIRST_CONTENT:
        page.goto(f"{url}/{'' if name == 'home' else name}")
        wait_idle(page)
    print(f"server warmed in {time.perf_counter() - t:.1f} s", flush=True)


def data_label(label: str, ds) -> str:
    return f"{label} ({ds.n_items:,} items × {ds.n_users:,} users)"


def bench_dataset(page, url: str, label: str, ds, fitted: dict) -> None:
    import numpy as np

    key = ds.fingerprint
    data = data_label(label, ds)
    for name, model in fitted.items():
        q = f"?dataset={key}&model={name}"
        for visit in ("first", "again"):
            for pg in ("recommend", "map", "neighbours"):
                sel, budget = FIRST_CONTENT[pg]
                s = open_timed(page, f"{url}/{pg}{q}", sel)
                record(data, f"{pg.capitalize()} ({name}), {visit} visit", s, budget)
                if pg == "map" and visit == "first":
                    u = wait_for(page, UMAP_TITLE)
                    u = None if u is None else u + (s or 0)
                    record(data, f"Map ({name}): UMAP map drawn", u, 15)
                wait_idle(page)
        # a user picked on Recommend -> their list and explanations
        page.goto(f"{url}/recommend{q}")
        wait_for(page, FIRST_CONTENT["recommend"][0])
        wait_idle(page)
        rng = np.random.default_rng(0)
        times = []
        for user in rng.choice(model.user_ids_.ids, 3, replace=False):
            times.append(pick_user(page, str(user), expected_top(model, ds, str(user))))
        ok = [x for x in times if x is not None]
        record(
            data,
            f"Recommend ({name}): pick a user → list + explanations",
            max(ok) if len(ok) == len(times) else None,
            1,
            "worst of 3 users",
        )
    # title search on Neighbours (the picker does not depend on the model)
    name = next(iter(fitted))
    page.goto(f"{url}/neighbours?dataset={key}&model={name}")
    wait_for(page, FIRST_CONTENT["neighbours"][0])
    wait_idle(page)
    titles = [str(t) for t in ds.titles]
    rng = np.random.default_rng(1)
    times = []
    for t in rng.choice(titles, 3, replace=False):
        times.append(search_title(page, t[1:5] if len(t) > 5 else t))
    ok = [x for x in times if x is not None]
    record(
        data,
        "Neighbours: type a title → choices offered",
        max(ok) if len(ok) == len(times) else None,
        0.5,
        "worst of 3 searches",
    )
    for pg in ("data", "train", "evaluate", "learn"):
        sel, budget = FIRST_CONTENT[pg]
        s = open_timed(page, f"{url}/{pg}?dataset={key}", sel)
        record(data, pg.capitalize(), s, budget)
        wait_idle(page)
    # the same pages reached from the sidebar (no page load: the browser keeps its scripts)
    page.goto(f"{url}/data{q}")
    wait_for(page, FIRST_CONTENT["data"][0])
    wait_idle(page)
    for pg in ("map", "recommend", "neighbours", "train", "evaluate", "learn", "data"):
        sel, budget = FIRST_CONTENT[pg]
        s = click_timed(page, pg.capitalize(), sel)
        record(data, f"{pg.capitalize()} from the sidebar ({name})", s, budget)
        wait_idle(page)


def bench_new_visitor(browser, url: str, data: str, query: str) -> None:
    """Each page opened by its link in a new browser context (empty cache: a colleague opening a
    shared link for the first time), so the browser fetches and compiles every script again."""
    for pg in ("map", "recommend", "neighbours", "data", "learn"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        sel, budget = FIRST_CONTENT[pg]
        s = open_timed(page, f"{url}/{pg}{query}", sel)
        record(data, f"{pg.capitalize()}, new visitor", s, budget, "new browser, empty cache")
        wait_idle(page)
        context.close()


def click_timed(page, link: str, selector: str, timeout: float = TIMEOUT) -> float | None:
    """Click a sidebar page link and time until ``selector`` is visible on the new page.

    Matches already on the page left behind are marked first and do not count.
    """
    page.locator(selector).evaluate_all("els => els.forEach(e => e.dataset.benchOld = '1')")
    nav = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=link, exact=True)
    t = time.perf_counter()
    nav.click()
    page.wait_for_url(re.compile(rf"/{link.lower()}(\?|$)"), timeout=timeout * 1000)
    if wait_for(page, f"{selector}:not([data-bench-old])", timeout) is None:
        return None
    return time.perf_counter() - t


def pick_user(page, user: str, expected: str) -> float | None:
    """Type ``user`` into the Recommend user picker; seconds until its rank-1 reason shows."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="User (type to search")
    try:
        box.locator("input").click()
        page.keyboard.type(user)
        # exactly this user ("17 · …", not "117 · …": the filter matches substrings)
        option = page.get_by_role("option", name=re.compile(rf"^{re.escape(user)} ·")).first
        option.wait_for(timeout=30_000)
    except Exception:  # the picker did not offer the user: report a timeout, go on
        page.keyboard.press("Escape")
        return None
    t = time.perf_counter()
    option.click()
    target = page.locator('[data-testid="stExpander"] summary').filter(has_text=expected)
    try:
        target.first.wait_for(state="visible", timeout=TIMEOUT * 1000)
    except Exception:
        return None
    s = time.perf_counter() - t
    wait_idle(page)
    return s


def search_title(page, text: str) -> float | None:
    """Type ``text`` into the Neighbours item search; seconds from the last key to the choices."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Item (type to search")
    try:
        box.locator("input").click()
    except Exception:
        return None
    page.keyboard.type(text[:-1])
    t = time.perf_counter()
    page.keyboard.type(text[-1])
    try:
        page.locator('[role="option"]').filter(has_text=text).first.wait_for(
            state="visible", timeout=60_000
        )
    except Exception:
        return None
    s = time.perf_counter() - t
    page.keyboard.press("Escape")
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="floor,fresh,synthetic,movielens")
    parser.add_argument("--models", default="als,bpr", help="models for the synthetic catalogue")
    args = parser.parse_args()
    parts = args.only.split(",")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if "floor" in parts:
            bench_floor(browser)
        if "fresh" in parts:
            bench_fresh(browser)
        data_parts = [p for p in parts if p in ("synthetic", "movielens")]
        if data_parts:
            workspace = Path(tempfile.mkdtemp(prefix="bench-pages-")) / "ws"
            workspace.mkdir()
            prepared = prepare(workspace, data_parts, args.models.split(","))
            server = Server(workspace)
            try:
                server.wait_healthy()
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(TIMEOUT * 1000)
                warm_up(page, server.url)
                for label in data_parts:
                    ds, fitted = prepared[label]
                    bench_dataset(page, server.url, label, ds, fitted)
                    data = data_label(label, ds)
                    query = f"?dataset={ds.fingerprint}&model={next(iter(fitted))}"
                    bench_new_visitor(browser, server.url, data, query)
            finally:
                server.stop()
        browser.close()
    load = os.getloadavg()[0]
    print(f"\nLoad average at the end: {load:.1f} (2 shared cores)\n")
    print("| data | what | time | budget | note |\n|---|---|---|---|---|")
    for row in ROWS:
        print(row.line())


if __name__ == "__main__":
    main()
