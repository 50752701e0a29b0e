"""Saved datasets: a round trip keeps the fingerprint, ids as text, metadata and the report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data.build import build_dataset
from recsys.data.demo import load_demo
from recsys.data.loader import inspect_upload
from recsys.dataset_store import DatasetStore
from recsys.errors import StoreError
from recsys.store import Workspace
from recsys.training import train_and_save


def _upload(csv: str, name: str = "plays.csv"):
    det = inspect_upload(name, csv.encode("utf-8"))
    return build_dataset(det, det.mapping)


def _same(a, b) -> None:
    assert b.fingerprint == a.fingerprint
    assert b.name == a.name
    assert b.feedback == a.feedback and b.rating_scale == a.rating_scale
    assert b.has_timestamps == a.has_timestamps
    assert list(b.user_ids.ids) == list(a.user_ids.ids)
    assert list(b.item_ids.ids) == list(a.item_ids.ids)
    assert (b.matrix != a.matrix).nnz == 0
    assert list(b.items.columns) == list(a.items.columns)
    for col in a.items.columns:
        assert b.items[col].tolist() == a.items[col].tolist(), col
    assert b.users.astype(str).equals(a.users.astype(str))
    assert b.report == a.report


def test_demo_round_trip(tmp_path):
    store = DatasetStore(tmp_path)
    demo = load_demo()
    info = store.save(demo)
    assert info.key == demo.fingerprint and info.n_interactions == demo.n_interactions
    back = store.load(info.key)
    _same(demo, back)
    assert back.items["categories"].iloc[0] == demo.items["categories"].iloc[0]
    assert isinstance(back.items["categories"].iloc[0], list)
    assert back.history_order == demo.history_order


def test_ids_stay_text_and_models_still_match(tmp_path):
    csv = "user,item,plays\n007,7,3\n7,007,1\n007,007,2\nA1,7,5\nA1,x,1\n7,x,4\n"
    ds = _upload(csv)
    assert "007" in ds.item_ids and "7" in ds.item_ids
    store = DatasetStore(tmp_path)
    key = store.save(ds).key
    back = DatasetStore(tmp_path).load(key)  # a new process would do the same
    _same(ds, back)
    assert back.user_ids.index("007") != back.user_ids.index("7")
    # a model saved against the original still matches the reloaded dataset
    _, info = train_and_save("popular", {}, ds, workspace=Workspace(tmp_path))
    assert info.matches(back.fingerprint)


def test_list_delete_and_bad_keys(tmp_path):
    store = DatasetStore(tmp_path)
    assert store.list() == ([], [])
    ds = _upload("u,i\na,b\na,c\nb,b\n")
    key = store.save(ds).key
    store.save(ds)  # the same data again: still one copy
    infos, problems = store.list()
    assert [i.key for i in infos] == [key] and problems == []
    assert "3 interactions" in infos[0].summary()
    (store.dir / "junk").mkdir()
    infos, problems = store.list()
    assert len(infos) == 1 and len(problems) == 1 and "junk" in problems[0]
    for bad in ("../../etc", "demo", "0123456789abcdeX"):
        with pytest.raises(StoreError):
            store.load(bad)
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(StoreError, match="no saved dataset"):
        store.load(key)


def test_damaged_copy_is_reported_not_loaded(tmp_path):
    store = DatasetStore(tmp_path)
    ds = _upload("u,i,r\na,b,1\na,c,2\nb,b,3\n")
    key = store.save(ds).key
    pd.DataFrame(
        {
            "user_index": np.array([0], np.int32),
            "item_index": np.array([0], np.int32),
            "value": np.array([1], np.float32),
            "timestamp": np.array([0], np.int64),
        }
    ).to_parquet(store.path(key) / "interactions.parquet")
    with pytest.raises(StoreError, match="damaged"):
        store.load(key)
    (store.path(key) / "items.parquet").write_bytes(b"not parquet")
    with pytest.raises(StoreError, match="cannot be read"):
        store.load(key)


def test_personal_workspaces_are_apart_and_inside(tmp_path):
    base = Workspace(tmp_path)
    a = base.for_user("alice@example.com")
    b = base.for_user("alice@example,com")  # sanitises alike, still another folder
    assert a.root != b.root
    assert a.root.parent == b.root.parent == tmp_path.resolve() / "users"
    assert base.for_user("../../etc").root.parent == tmp_path.resolve() / "users"
    assert base.for_user("alice@example.com").root == a.root  # stable across sessions
    with pytest.raises(StoreError):
        base.for_user("  ")
    ds = _upload("u,i\na,b\na,c\nb,b\n")
    DatasetStore(a.root).save(ds)
    assert DatasetStore(b.root).list() == ([], [])
    assert base.list_models() == ([], [])  # personal folders are not listed as models
