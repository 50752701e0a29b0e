"""Installable: the wheel works outside the checkout, and every import is a declared dependency.

How the wheel is tested (no network at test time, and a full dependency download per CI run
would take minutes): the wheel is built offline (``pip wheel --no-deps --no-build-isolation``
from a copy of the sources), installed with ``--no-deps --no-index`` into a fresh virtualenv
whose only access to third-party packages is a ``.pth`` line pointing at the project venv's
site-packages. Path entries added by a ``.pth`` line are not site folders, so the checkout's
editable install there is NOT active: ``recsys``, ``app_ui`` and ``app_pages`` come from the
wheel. That the dependencies are *declared* is checked separately (fast test below): every
third-party module imported anywhere in the package must belong to a distribution named in
``[project.dependencies]`` (or an optional extra, for lazily imported modules), and every declared
requirement must be satisfied by the installed version.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("recsys", "app_ui", "app_pages")
#: modules imported lazily inside functions that only an optional extra provides
OPTIONAL = {"jax", "optax", "pyspark", "authlib"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _imported_modules() -> dict[str, str]:
    """Top-level third-party modules imported by the package: {module: one file importing it}."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PACKAGES:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_every_imported_module_is_declared_with_a_satisfied_lower_bound():
    project = _pyproject()["project"]
    required = [Requirement(r) for r in project["dependencies"]]
    extras = [Requirement(r) for reqs in project["optional-dependencies"].values() for r in reqs]
    declared = {_norm(r.name) for r in required}
    declared_extra = {_norm(r.name) for r in extras}
    dists = md.packages_distributions()
    missing = []
    for module, where in sorted(_imported_modules().items()):
        owners = {_norm(d) for d in dists.get(module, [])}
        if owners & declared:
            continue
        if module in OPTIONAL and owners & declared_extra:
            continue
        missing.append(f"{module} (imported in {where}; distribution {sorted(owners) or '?'})")
    assert not missing, "imported but not declared in pyproject dependencies: " + ", ".join(missing)
    for req in required:
        assert req.specifier.contains(md.version(req.name), prereleases=True), (
            f"installed {req.name} {md.version(req.name)} does not satisfy {req}"
        )
        assert any(s.operator == ">=" for s in req.specifier), f"{req} has no lower bound"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed (no deps) and the project venv's packages visible."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "workspace", "test-artifacts", "build", "dist", "*.egg-info",
        "__pycache__", ".ruff_cache", ".import_linter_cache", "tests", "benchmarks",
    )  # fmt: skip
    shutil.copytree(ROOT, src, ignore=ignore)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(tmp / "dist"), str(src)],
        check=True, cwd=tmp,
    )  # fmt: skip
    wheel = next((tmp / "dist").glob("recsys_explorer-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "project-venv-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True, cwd=tmp,
    )  # fmt: skip
    print(f"wheel built and installed in {time.perf_counter() - started:.1f} s: {wheel.name}")
    return venv


@pytest.mark.slow
def test_wheel_contains_the_app_and_the_demo(installed):
    py = installed / "bin" / "python"
    out = subprocess.run(
        [str(py), "-c",
         "import recsys, app_ui.entry, app_pages, recsys.data.demo as d; "
         "print(recsys.__file__); print(app_ui.entry.PAGES_DIR); print(d.DEMO_DIR)"],
        check=True, capture_output=True, text=True, cwd=installed.parent,
    ).stdout.split()  # fmt: skip
    for path in out:
        assert str(installed) in path, f"{path} is not from the installed wheel"
    pages = Path(out[1])
    assert {"home.py", "data.py", "recommend.py"} <= {p.name for p in pages.glob("*.py")}
    assert (Path(out[2]) / "ratings.csv").exists()


@pytest.mark.slow
def test_cli_trains_on_the_shipped_demo_outside_the_checkout(installed, tmp_path):
    env = {**os.environ, "RECSYS_WORKSPACE": str(tmp_path / "ws")}
    run = subprocess.run(
        [str(installed / "bin" / "recsys"), "train", "--data", "demo", "--model", "popular"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    models = subprocess.run(
        [str(installed / "bin" / "recsys"), "models"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    assert "popular" in models.stdout


@pytest.mark.slow
def test_recsys_app_starts_and_is_healthy(installed, tmp_path):
    port = _free_port()
    log = open(tmp_path / "app.log", "w")
    proc = subprocess.Popen(
        [str(installed / "bin" / "recsys"), "app", "--port", str(port), "--headless",
         "--workspace", str(tmp_path / "ws")],
        cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"},
    )  # fmt: skip
    try:
        # the server prepares before listening; a fresh install compiles UMAP's kernels once
        deadline = time.time() + 300
        healthy = False
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as r:
                    healthy = r.status == 200
                    break
            except OSError:
                time.sleep(0.5)
        assert healthy, (tmp_path / "app.log").read_text()
        assert "demo model ready" in (tmp_path / "app.log").read_text()
        assert (tmp_path / "ws" / "models").is_dir()  # the demo's ready model was saved
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    # one script run of the installed entry (Home page) without an exception
    check = (
        "from streamlit.testing.v1 import AppTest; import app_ui.entry as e; "
        "at = AppTest.from_file(e.__file__, default_timeout=120).run(); "
        "assert not at.exception, at.exception; "
        "print(' '.join(m.value for m in at.markdown)[:200])"
    )
    run = subprocess.run(
        [str(installed / "bin" / "python"), "-c", check],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={**os.environ, "RECSYS_WORKSPACE": str(tmp_path / "ws")},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
