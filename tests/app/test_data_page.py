"""AppTest smoke tests of the Data page (uploads are covered in Chromium: AppTest cannot drive them)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recsys.data.reference import ml_small_path

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "data.py")
ML_SMALL = ml_small_path()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _run(monkeypatch, tmp_path, base_url: str | None = None) -> AppTest:
    monkeypatch.setenv("RECSYS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path / "ws"))
    if base_url:
        monkeypatch.setenv("RECSYS_MOVIELENS_BASE_URL", base_url)
    return AppTest.from_file(PAGE, default_timeout=120).run()


def test_demo_profile_is_shown(monkeypatch, tmp_path):
    at = _run(monkeypatch, tmp_path)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Data"
    assert _metric(at, "Users") == "2,000" and _metric(at, "Ratings") == "1 to 5"
    assert any("Profile: Demo catalogue" in s.value for s in at.subheader)
    assert len(at.get("plotly_chart")) >= 4


def test_upload_tab_shows_the_file_input(monkeypatch, tmp_path):
    at = _run(monkeypatch, tmp_path)
    at.radio(key="data_source").set_value("Upload a file").run()
    assert not at.exception, at.exception
    assert any("Parquet" in md.value for md in at.markdown)


def test_movielens_download_offline_keeps_the_demo(monkeypatch, tmp_path):
    at = _run(monkeypatch, tmp_path, base_url=(tmp_path / "offline").as_uri())
    at.radio(key="data_source").set_value("Download MovieLens").run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "offline" in at.error[0].value
    assert _metric(at, "Users") == "2,000"


def test_movielens_download_from_a_local_mirror(monkeypatch, tmp_path):
    if not (ML_SMALL / "ratings.csv").exists():
        pytest.skip("MovieLens latest-small not available")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    with zipfile.ZipFile(mirror / "ml-latest-small.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for p in ML_SMALL.iterdir():
            zf.write(p, f"ml-latest-small/{p.name}")
    at = _run(monkeypatch, tmp_path, base_url=mirror.as_uri())
    at.radio(key="data_source").set_value("Download MovieLens").run()
    at.selectbox(key="ml_release").set_value("ml-latest-small").run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert _metric(at, "Users") == "610" and _metric(at, "Interactions") == "100,836"
    # back to the demo
    at.radio(key="data_source").set_value("Demo catalogue").run()
    at.button[0].click().run()
    assert _metric(at, "Users") == "2,000"
