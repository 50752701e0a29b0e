"""Browser tests: a real Streamlit server and Debian's Chromium driven by Playwright.

Under CI=true a missing browser fails the run; elsewhere the tests skip and say how to enable them.
Screenshots go to ``test-artifacts/screenshots`` (printed at the end of the session).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.chromium import CHROMIUM_ARGS, find_chromium

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = (
            "Chromium not found: install Debian's chromium (apt-get install -y chromium) to run "
            "the browser tests."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " Under CI=true browser tests must run.")
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def workspace_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="session")
def app_url(chromium_path, workspace_dir) -> str:
    """Start the app's server (`python -m app_ui.serve`, as `recsys app` does) on a free port;
    stop it by its process id at the end."""
    port = _free_port()
    env = {**os.environ, "RECSYS_WORKSPACE": str(workspace_dir)}
    log = open(workspace_dir.parent / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "app_ui.serve",
            "--server.headless", "true", "--server.port", str(port),
            "--browser.gatherUsageStats", "false",
            # no file watcher: a source edit during the run must not leave pages "running"
            "--server.fileWatcherType", "none",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180  # the first start after an install compiles UMAP (~20-50 s)
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"Streamlit did not become healthy on {url}; see {log.name}")
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def open_page(page, app_url: str, path: str = "") -> None:
    """Go to a page of the app and wait until Streamlit has finished running the script."""
    page.goto(f"{app_url}/{path}")
    wait_idle(page)


def wait_idle(page, timeout: float = 120) -> None:
    """Wait until the app shows no 'running' indicator and no skeleton."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.time() + timeout
    time.sleep(0.5)
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count()
        if running == 0:
            return
        time.sleep(0.3)
    raise AssertionError(f"the app was still running after {timeout:.0f} s")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.exists():
        terminalreporter.write_line(f"Browser screenshots: {SCREENSHOTS}")
