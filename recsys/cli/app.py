"""`recsys app`: start the Streamlit app from an installed package (or the checkout)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from recsys.data.limits import max_bytes
from recsys.errors import RecsysError
from recsys.store import ENV_VAR


def entry_script() -> Path:
    """The app's entry script (app_ui/entry.py), wherever the package is installed.

    Found by spec, not imported: the library never imports the UI.
    """
    spec = importlib.util.find_spec("app_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RecsysError(
            "The app is not installed (no app_ui package); reinstall recsys-explorer."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "entry.py"
    if not path.exists():
        raise RecsysError(f"The app's entry script is missing: {path}; reinstall recsys-explorer.")
    return path


def streamlit_command(port: int, address: str | None, headless: bool) -> list[str]:
    """The server's command line: ``app_ui.serve`` prepares the app, then runs Streamlit on the
    entry script with these options (settings the checkout keeps in .streamlit/config.toml)."""
    entry_script()  # a clear message when the app is not installed
    cmd = [
        sys.executable, "-m", "app_ui.serve",
        "--server.port", str(port),
        "--server.maxUploadSize", str(max(1, max_bytes() // 1024**2)),
        "--browser.gatherUsageStats", "false",
        "--theme.base", "light",
    ]  # fmt: skip
    if address:
        cmd += ["--server.address", address]
    if headless:
        cmd += ["--server.headless", "true"]
    return cmd


def add_app_command(sub: Any) -> None:
    """Register ``recsys app``: start the app."""
    p = sub.add_parser("app", help="start the app in the browser (streamlit run)")
    p.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p.add_argument("--address", help="address to listen on (default: all)")
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.add_argument("--workspace", help=f"workspace folder (default: ${ENV_VAR} or ./workspace)")
    p.set_defaults(handler=_app_command)


def _app_command(args: Any) -> int:
    env = dict(os.environ)
    if args.workspace:
        env[ENV_VAR] = str(Path(args.workspace).expanduser().resolve())
    cmd = streamlit_command(args.port, args.address, args.headless)
    print(f"Starting the app on http://localhost:{args.port} (Ctrl+C stops it)", flush=True)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0
