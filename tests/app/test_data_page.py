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


# ---------------------------------------------------------------------- server data folder
GUESSY = (
    "a;b;rating\n"
    "José;“Amélie”;five\n"
    "José;Café €;4 stars\n"
    "Zoë;“Amélie”;three\n"
    "Zoë;Café €;five\n"
    "Ann;Café €;two\n"
).encode("cp1252")


def _server(monkeypatch, tmp_path) -> tuple[AppTest, Path]:
    root = tmp_path / "serverdata"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "guessy.csv").write_bytes(GUESSY)
    (tmp_path / "outside.csv").write_bytes(GUESSY)
    (root / "escape.csv").symlink_to(tmp_path / "outside.csv")
    monkeypatch.setenv("RECSYS_DATA_DIR", str(root))
    at = _run(monkeypatch, tmp_path)
    at.radio(key="data_source").set_value("Server data folder").run()
    return at, root


def test_server_folder_lists_files_and_warns_what_was_guessed(monkeypatch, tmp_path):
    at, _ = _server(monkeypatch, tmp_path)
    assert not at.exception, at.exception
    pick = at.selectbox(key="data_server_pick")
    # the link out is not offered
    assert pick.options == ["shop/ (folder, 100 bytes)", "shop/guessy.csv (100 bytes)"]
    assert any("Parquet is preferred for big files" in c.value for c in at.caption)
    pick.set_value("shop/guessy.csv").run()
    at.button(key="data_server_open").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert _metric(at, "Users") == "3" and _metric(at, "Items") == "2"
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")  # markdown escapes
    assert "not UTF-8" in warnings and "Windows-1252" in warnings
    assert "'rating'" in warnings and "holds words" in warnings
    assert "by position" in warnings and "'a' as the user" in warnings
    # the mapping stays editable, opened, with the guesses beside it
    assert at.selectbox(key=next(k for k in _keys(at) if k.startswith("map-user-"))).value == "a"
    assert any("by position" in c.value.replace("\\", "") for c in at.caption)
    # the curly quotes and the euro sign survived
    assert any("Café €" in str(df.value.to_numpy().tolist()) for df in at.dataframe)


def test_server_folder_without_the_variable_says_how_to_set_it(monkeypatch, tmp_path):
    monkeypatch.delenv("RECSYS_DATA_DIR", raising=False)
    at = _run(monkeypatch, tmp_path)
    at.radio(key="data_source").set_value("Server data folder").run()
    assert not at.exception, at.exception
    assert any("RECSYS_DATA_DIR" in i.value for i in at.info)
    assert _metric(at, "Users") == "2,000"


def _keys(at: AppTest) -> list[str]:
    return [s.key for s in at.selectbox if s.key]
