"""Server-side data (RECSYS_DATA_DIR): files inside open, nothing outside can be named."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from recsys.data import server_files
from recsys.data.server_files import list_entries, resolve
from recsys.errors import DataError
from recsys.training import load_data

RATINGS = (
    "user_id,item_id,rating,timestamp\nu1,i1,5,1000\nu1,i2,3,1001\nu2,i1,4,1002\nu2,i3,2,1003\n"
)


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "data"
    (root / "shop").mkdir(parents=True)
    (root / "ratings.csv").write_text(RATINGS)
    (root / "shop" / "events.csv").write_text(RATINGS)
    (root / "notes.md").write_text("not data")
    (tmp_path / "secret.csv").write_text(RATINGS)  # outside the data folder
    monkeypatch.setenv(server_files.ENV_VAR, str(root))
    return root


def test_a_file_inside_loads_by_its_relative_name(data_dir):
    assert resolve("ratings.csv") == (data_dir / "ratings.csv").resolve()
    ds = load_data("ratings.csv")  # the CLI's --data with RECSYS_DATA_DIR set
    assert ds.n_interactions == 4 and ds.has_timestamps
    assert load_data("shop/events.csv").n_users == 2


def test_a_folder_inside_opens_as_a_whole(data_dir):
    assert resolve("shop") == (data_dir / "shop").resolve()
    assert load_data("shop").n_interactions == 4


def test_listing_names_data_files_and_folders_only(data_dir):
    entries = {e.name: e for e in list_entries()}
    assert set(entries) == {"ratings.csv", "shop", "shop/events.csv"}
    assert entries["shop"].is_dir and entries["shop"].size == len(RATINGS)
    assert entries["ratings.csv"].label == f"ratings.csv ({len(RATINGS)} bytes)"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("../secret.csv", "climbs out of the server data folder"),
        ("shop/../../secret.csv", "climbs out"),
        ("..", "climbs out"),
        ("/etc/passwd", "is an absolute path"),
        ("C:\\Windows\\win.ini", "is an absolute path"),
        ("~/secret.csv", "is an absolute path"),
        ("missing.csv", "There is no file or folder 'missing.csv'"),
        ("", "Name a file or folder"),
    ],
)
def test_names_outside_the_folder_are_refused(data_dir, name, says):
    with pytest.raises(DataError, match=says.replace("(", r"\(")):
        resolve(name)


def test_a_link_pointing_outside_is_refused_and_not_listed(data_dir, tmp_path):
    os.symlink(tmp_path / "secret.csv", data_dir / "link.csv")
    os.symlink(tmp_path, data_dir / "up")
    with pytest.raises(DataError, match="'link.csv' is a link to a place outside"):
        resolve("link.csv")
    with pytest.raises(DataError, match="is a link to a place outside"):
        resolve("up/secret.csv")
    with pytest.raises(DataError, match="outside"):
        load_data("link.csv")
    assert {e.name for e in list_entries()} == {"ratings.csv", "shop", "shop/events.csv"}


def test_a_folder_holding_a_link_out_cannot_be_opened(data_dir, tmp_path):
    os.symlink(tmp_path / "secret.csv", data_dir / "shop" / "items.csv")
    with pytest.raises(DataError, match="'items.csv' in 'shop' is a link to a place outside"):
        resolve("shop")


def test_a_link_that_stays_inside_is_fine(data_dir):
    os.symlink(data_dir / "ratings.csv", data_dir / "alias.csv")
    assert resolve("alias.csv") == (data_dir / "ratings.csv").resolve()


def test_without_the_variable_nothing_is_served(monkeypatch, tmp_path):
    monkeypatch.delenv(server_files.ENV_VAR, raising=False)
    assert server_files.data_dir() is None
    with pytest.raises(DataError, match="RECSYS_DATA_DIR"):
        resolve("ratings.csv")
    monkeypatch.setenv(server_files.ENV_VAR, str(tmp_path / "nope"))
    with pytest.raises(DataError, match="is not a folder"):
        server_files.data_dir()


def test_parquet_is_advised_for_big_text_files(data_dir):
    big = server_files.ServerEntry("big.csv", False, server_files.BIG_TEXT_BYTES + 1)
    assert big.big_text
    assert not server_files.ServerEntry("big.parquet", False, big.size).big_text
    pd.read_csv(data_dir / "ratings.csv").to_parquet(data_dir / "ratings.parquet")
    assert load_data("ratings.parquet").n_interactions == 4
    assert "Parquet" in server_files.PARQUET_ADVICE


def test_the_stamp_changes_when_a_file_is_replaced(data_dir):
    before = server_files.stamp(resolve("ratings.csv"))
    (data_dir / "ratings.csv").write_text(RATINGS + "u3,i1,1,1004\n")
    assert server_files.stamp(resolve("ratings.csv")) != before
