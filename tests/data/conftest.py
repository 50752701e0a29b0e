"""Shared helpers of the data-layer tests: small files written to tmp dirs, MovieLens by path."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from recsys.data.reference import ml_small_path

ML_SMALL = ml_small_path()


@pytest.fixture
def ml_small() -> Path:
    if not (ML_SMALL / "ratings.csv").exists():
        pytest.skip(f"MovieLens latest-small not found at {ML_SMALL} (set RECSYS_ML_SMALL)")
    return ML_SMALL


def zip_bytes(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def ml_small_zip(ml_small, tmp_path) -> Path:
    """A zip laid out like GroupLens's ml-latest-small.zip, built from the shared folder."""
    files = {f"ml-latest-small/{p.name}": p.read_bytes() for p in ml_small.iterdir() if p.is_file()}
    path = tmp_path / "src" / "ml-latest-small.zip"
    path.parent.mkdir()
    path.write_bytes(zip_bytes(files))
    return path
