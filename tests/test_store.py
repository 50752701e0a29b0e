"""The workspace: atomic writes, safe names, damaged entries reported, rename and delete."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from recsys import store
from recsys.errors import StoreError
from recsys.models.registry import create_model
from recsys.store import Workspace, atomic_write_text, sanitize_name


@pytest.fixture(scope="module")
def small_model(request):
    from recsys.data.demo import load_demo

    ds = load_demo()
    return create_model("svd", factors=4).fit(ds), ds


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "runs" / "a.json"
    atomic_write_text(path, "first")
    atomic_write_text(path, "second")
    assert path.read_text() == "second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.json"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    atomic_write_text(path, "old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../x", "x"),
        ("a/b\\c", "a-b-c"),
        ("..", None),
        ("", None),
        ("ALS  run 1", "ALS run 1"),
        ("/etc/passwd", "etc-passwd"),
        (".hidden", "hidden"),
        ("café", "caf"),
    ],
)
def test_sanitize_name(name, expected):
    if expected is None:
        with pytest.raises(StoreError):
            sanitize_name(name)
    else:
        assert sanitize_name(name) == expected


def test_escaping_name_stays_inside_the_workspace(tmp_path, small_model):
    model, ds = small_model
    ws = Workspace(tmp_path / "ws")
    info = ws.save_model(model, "../../x", ds)
    assert info.name == "x" and info.path.parent == ws.models_dir
    assert not (tmp_path / "x").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["ws"]


def test_save_list_load_roundtrip_with_metadata(tmp_path, small_model, monkeypatch):
    model, ds = small_model
    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path))
    info = store.save_model(model, "svd one", ds)
    assert Workspace().root == tmp_path.resolve()
    infos, problems = store.list_models()
    assert problems == [] and [i.name for i in infos] == ["svd one"]
    meta = json.loads((info.path / "model.json").read_text())
    for field in (
        "model",
        "params",
        "dataset_fingerprint",
        "dataset_name",
        "fit_seconds",
        "created_at",
        "app_version",
    ):
        assert field in meta
    assert info.model == "svd" and info.params["factors"] == 4 and info.matches(ds.fingerprint)
    assert info.dataset_name == ds.name and info.n_items == ds.n_items
    loaded = store.load_model("svd one")
    np.testing.assert_array_equal(loaded.item_factors_, model.item_factors_)


def test_existing_name_needs_overwrite(tmp_path, small_model):
    model, ds = small_model
    ws = Workspace(tmp_path)
    ws.save_model(model, "m", ds)
    with pytest.raises(StoreError, match="already exists"):
        ws.save_model(model, "m", ds)
    ws.save_model(model, "m", ds, overwrite=True)
    assert [i.name for i in ws.list_models()[0]] == ["m"]
    assert ws.unique_name("m") == "m-2"


def test_crash_mid_save_keeps_the_previous_model(tmp_path, small_model, monkeypatch):
    model, ds = small_model
    ws = Workspace(tmp_path)
    ws.save_model(model, "m", ds)
    before = (ws.model_path("m") / "arrays.npz").read_bytes()

    def half_save(directory, extra_meta=None):
        os.makedirs(directory, exist_ok=True)
        (directory / "arrays.npz").write_bytes(b"half")
        raise KeyboardInterrupt  # the process is killed mid-write

    monkeypatch.setattr(model, "save", half_save)
    with pytest.raises(KeyboardInterrupt):
        ws.save_model(model, "m", ds, overwrite=True)
    monkeypatch.undo()
    assert (ws.model_path("m") / "arrays.npz").read_bytes() == before
    infos, problems = ws.list_models()
    assert [i.name for i in infos] == ["m"] and problems == []
    ws.load_model("m")


def test_damaged_and_foreign_entries_are_reported_and_skipped(tmp_path, small_model):
    model, ds = small_model
    ws = Workspace(tmp_path)
    ws.save_model(model, "good", ds)
    models = ws.models_dir
    (models / "bad-json").mkdir()
    (models / "bad-json" / "model.json").write_text("{oops")
    (models / "foreign").mkdir()
    (models / "foreign" / "model.json").write_text(json.dumps({"hello": 1}))
    (models / "no-meta").mkdir()
    (models / "stray.csv").write_text("a,b")
    ws.save_model(model, "no-arrays", ds)
    (models / "no-arrays" / "arrays.npz").unlink()
    ws.save_model(model, "bad-arrays", ds)
    (models / "bad-arrays" / "arrays.npz").write_bytes(b"not a zip")
    infos, problems = ws.list_models()
    assert sorted(i.name for i in infos) == ["bad-arrays", "good"]
    text = "\n".join(problems)
    for name in ("bad-json", "foreign", "no-meta", "stray.csv", "no-arrays"):
        assert name in text
    with pytest.raises(StoreError, match="cannot be read"):
        ws.load_model("bad-arrays")


def test_pickled_arrays_are_refused(tmp_path, small_model):
    model, ds = small_model
    ws = Workspace(tmp_path)
    info = ws.save_model(model, "m", ds)
    with np.load(info.path / "arrays.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["m_item_factors"] = np.array([{"evil": 1}], dtype=object)
    np.savez(info.path / "arrays.npz", **arrays)
    with pytest.raises(StoreError):
        ws.load_model("m")


def test_rename_and_delete(tmp_path, small_model):
    model, ds = small_model
    ws = Workspace(tmp_path)
    ws.save_model(model, "a", ds)
    ws.save_model(model, "b", ds)
    with pytest.raises(StoreError, match="already exists"):
        ws.rename_model("a", "b")
    info = ws.rename_model("a", "../c")
    assert info.name == "c"
    assert sorted(i.name for i in ws.list_models()[0]) == ["b", "c"]
    assert ws.load_model("c").is_fitted
    ws.delete_model("c")
    assert [i.name for i in ws.list_models()[0]] == ["b"]
    with pytest.raises(StoreError, match="no saved model"):
        ws.delete_model("c")
    assert not any(p.name.startswith(".") for p in ws.models_dir.iterdir())


def test_empty_workspace_lists_nothing(tmp_path):
    assert Workspace(tmp_path / "never-made").list_models() == ([], [])
