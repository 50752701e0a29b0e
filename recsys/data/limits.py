"""The size limit for uploads and paths (default 1 GiB, the same as Streamlit's maxUploadSize).

The app's ``.streamlit/config.toml`` sets ``server.maxUploadSize`` in megabytes; the loader reads
the same number so that a path given on the command line, an archive's contents and a download
are held to the same limit as an upload. ``RECSYS_MAX_BYTES`` overrides it (tests use it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from recsys.errors import FileTooLargeError

DEFAULT_MAX_BYTES = 1024**3
CONFIG_FILE = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def _config_limit(config: Path = CONFIG_FILE) -> int | None:
    """``server.maxUploadSize`` (MB) from the Streamlit config, in bytes, if set."""
    try:
        text = config.read_text(encoding="utf-8")
    except OSError:
        return None
    # a tiny reader (tomllib is 3.11+): the key is unique in the file
    match = re.search(r"^\s*maxUploadSize\s*=\s*(\d+)", text, flags=re.MULTILINE)
    return int(match.group(1)) * 1024**2 if match else None


def max_bytes() -> int:
    """The configured maximum size in bytes of a file or of an archive's unpacked contents."""
    env = os.environ.get("RECSYS_MAX_BYTES")
    if env and env.strip().isdigit():
        return int(env)
    return _config_limit() or DEFAULT_MAX_BYTES


def format_bytes(n: float) -> str:
    """Human-readable size: 1.5 MB, 1 GB."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n} TB"  # pragma: no cover


def check_size(n_bytes: int, what: str, limit: int | None = None) -> None:
    """Raise :class:`FileTooLargeError` when ``n_bytes`` exceeds the limit.

    Parameters
    ----------
    n_bytes : int
        Size of the file, or of the contents unpacked so far.
    what : str
        What is being measured, for the message (e.g. "ratings.csv inside data.zip").
    limit : int, optional
        Defaults to :func:`max_bytes`.
    """
    limit = max_bytes() if limit is None else limit
    if n_bytes > limit:
        raise FileTooLargeError(
            f"{what} is {format_bytes(n_bytes)}, more than the limit of {format_bytes(limit)}. "
            "Use a smaller sample of the data (for example the most recent months), or raise "
            "server.maxUploadSize in .streamlit/config.toml."
        )
