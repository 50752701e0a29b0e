"""Data files on the server: a folder the operator names with ``RECSYS_DATA_DIR``.

Big logs do not go through a browser upload: the operator puts them in one folder and the Data
page (and ``recsys ... --data NAME``) opens them by their path *inside* that folder. Nothing
outside it can be named: absolute paths, ``..`` and symbolic links that lead out are refused,
each with a message that says so. Paths are resolved (links followed) and then checked to lie
inside the resolved folder, so a link cannot be used to escape it either.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from recsys.data.limits import format_bytes
from recsys.data.readers import ARCHIVE_SUFFIXES, is_table_name
from recsys.errors import DataError

ENV_VAR = "RECSYS_DATA_DIR"
#: CSV files above this size get the advice to convert them to Parquet
BIG_TEXT_BYTES = 100 * 1024**2
PARQUET_ADVICE = (
    "Parquet is preferred for big files: it loads several times faster than CSV and needs less "
    "memory (columns are typed and compressed). Convert a file once, e.g. with "
    "`pandas.read_csv('ratings.csv').to_parquet('ratings.parquet')`."
)
_MAX_DEPTH = 3  # folder levels listed (and read when a folder is opened)


@dataclass(frozen=True)
class ServerEntry:
    """A file or folder of the data folder that can be opened.

    Attributes
    ----------
    name : str
        Its path inside the data folder, with ``/`` ("ml-25m/ratings.csv", "ml-25m").
    is_dir : bool
        A folder (opened as a whole: interactions plus metadata files).
    size : int
        Bytes (for a folder: of the data files in it).
    """

    name: str
    is_dir: bool
    size: int

    @property
    def label(self) -> str:
        kind = "folder, " if self.is_dir else ""
        return f"{self.name}{'/' if self.is_dir else ''} ({kind}{format_bytes(self.size)})"

    @property
    def big_text(self) -> bool:
        """A large file (or folder) that is not Parquet: worth converting."""
        parquet = PurePosixPath(self.name.lower()).suffix in (".parquet", ".pq")
        return self.size > BIG_TEXT_BYTES and not parquet


def data_dir() -> Path | None:
    """The operator's data folder (resolved), or None when ``RECSYS_DATA_DIR`` is not set.

    Raises
    ------
    DataError
        When the variable names something that is not a folder.
    """
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return None
    root = Path(value).expanduser()
    if not root.is_dir():
        raise DataError(
            f"The server data folder {ENV_VAR}={value} is not a folder. The operator should "
            "point it at an existing folder of data files."
        )
    return root.resolve()


def _root(root: Path | str | None) -> Path:
    if root is not None:
        return Path(root).resolve()
    found = data_dir()
    if found is None:
        raise DataError(
            f"No server data folder is configured: the operator sets {ENV_VAR} to a folder of "
            "data files, which can then be opened by their name inside it."
        )
    return found


def _is_data_file(path: Path) -> bool:
    return is_table_name(path.name) or path.suffix.lower() in ARCHIVE_SUFFIXES


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a broken or looping link
        return False


def resolve(name: str, root: Path | str | None = None) -> Path:
    """The real path of ``name`` inside the data folder, after checking it stays inside.

    Parameters
    ----------
    name : str
        A path relative to the data folder ("ratings.parquet", "ml-25m/ratings.csv").
    root : Path, optional
        The data folder (default: ``RECSYS_DATA_DIR``).

    Raises
    ------
    DataError
        When no folder is configured, the name is absolute or climbs out with ``..``, a link
        leads outside the folder, or nothing of that name exists.
    """
    base = _root(root)
    text = str(name).strip()
    shown = text[:120]
    if not text:
        raise DataError("Name a file or folder inside the server data folder.")
    if "\x00" in text:
        raise DataError("That name contains a NUL character; choose a file from the list.")
    if (
        PurePosixPath(text).is_absolute()
        or PureWindowsPath(text).is_absolute()
        or PureWindowsPath(text).drive
        or text.startswith("~")
    ):
        raise DataError(
            f"{shown!r} is an absolute path: only files inside the server data folder can be "
            "opened, named by their path inside it (e.g. 'ratings.parquet')."
        )
    parts = PurePosixPath(text.replace("\\", "/")).parts
    if ".." in parts:
        raise DataError(
            f"{shown!r} climbs out of the server data folder with '..': only files inside it "
            "can be opened."
        )
    path = base.joinpath(*parts)
    if not _inside(path, base):
        raise DataError(
            f"{shown!r} is a link to a place outside the server data folder: only files inside "
            "it can be opened."
        )
    if not path.exists():
        raise DataError(
            f"There is no file or folder {shown!r} in the server data folder. Choose one from "
            "the list (names are case-sensitive)."
        )
    real = path.resolve()
    if real.is_dir():
        _check_folder(real, base, shown)
    return real


def _check_folder(folder: Path, base: Path, shown: str) -> None:
    """Refuse a folder that holds a link leading outside the data folder (it would be read)."""
    for path in _walk(folder):
        if path.is_symlink() and not _inside(path, base):
            rel = path.relative_to(folder).as_posix()
            raise DataError(
                f"{rel!r} in {shown!r} is a link to a place outside the server data folder, so "
                "the folder cannot be opened. The operator should remove the link or copy the "
                "file in."
            )


def _walk(folder: Path, depth: int = _MAX_DEPTH):
    """Files and folders under ``folder`` (not following links), up to ``depth`` levels."""
    try:
        children = sorted(folder.iterdir())
    except OSError:
        return
    for child in children:
        if child.name.startswith("."):
            continue
        yield child
        if depth > 1 and child.is_dir() and not child.is_symlink():
            yield from _walk(child, depth - 1)


def list_entries(root: Path | str | None = None, limit: int = 1000) -> list[ServerEntry]:
    """Data files and folders of the data folder that :func:`resolve` accepts, by name.

    A folder is listed when it holds data files (it is opened as a whole, like a MovieLens
    folder); links that lead outside the folder are left out.

    Raises
    ------
    DataError
        When no folder is configured (see :func:`data_dir`).
    """
    base = _root(root)
    files: list[ServerEntry] = []
    folder_sizes: dict[str, int] = {}
    for path in _walk(base):
        if not _inside(path, base):
            continue
        rel = path.relative_to(base).as_posix()
        if path.is_file() and _is_data_file(path):
            size = path.stat().st_size
            files.append(ServerEntry(rel, False, size))
            parents = PurePosixPath(rel).parents
            for parent in list(parents)[:-1]:  # every enclosing folder but the root
                folder_sizes[parent.as_posix()] = folder_sizes.get(parent.as_posix(), 0) + size
        if len(files) >= limit:
            break
    folders = [ServerEntry(name, True, size) for name, size in folder_sizes.items()]
    return sorted(files + folders, key=lambda e: (e.name.lower(), e.is_dir))


def stamp(path: Path) -> str:
    """A short digest of a file's (or a folder's files') names, sizes and modification times.

    Used as a cache key: it changes when the operator replaces a file.
    """
    h = hashlib.sha256(str(path).encode())
    items = [path] if path.is_file() else [p for p in _walk(path) if p.is_file()]
    for p in items:
        st = p.stat()
        h.update(f"{p.name}\x1f{st.st_size}\x1f{st.st_mtime_ns}\x1e".encode())
    return h.hexdigest()[:32]
