"""Evaluation runs: save, list, load, damaged files reported and skipped."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from recsys.data.dataset import Dataset
from recsys.errors import StoreError
from recsys.evaluation.comparison import ModelSpec, run_comparison
from recsys.evaluation.metrics import temporal_split
from recsys.evaluation.runs import delete_run, list_runs, load_run, save_run
from recsys.store import Workspace


@pytest.fixture(scope="module")
def small() -> Dataset:
    rng = np.random.default_rng(0)
    users = np.repeat(np.arange(60), 12)
    items = rng.integers(0, 40, len(users))
    frame = pd.DataFrame({"user": users, "item": items}).drop_duplicates()
    frame["timestamp"] = np.arange(len(frame))
    return Dataset.from_frame(frame, name="small")


@pytest.fixture(scope="module")
def comparison(small):
    return run_comparison(small, temporal_split(small, 0.25), [ModelSpec("svd", {"factors": 4})], k=5)


def test_save_list_load_round_trip(tmp_path, small, comparison):
    ws = Workspace(tmp_path)
    path = save_run(comparison, ws)
    assert path.parent == tmp_path / "runs" and path.suffix == ".json"
    infos, problems = list_runs(ws)
    assert problems == [] and [i.run_id for i in infos] == [comparison.run_id]
    info = infos[0]
    assert info.k == 5 and info.dataset_fingerprint == small.fingerprint
    assert info.models == [r.name for r in comparison.results]
    loaded = load_run(comparison.run_id, ws)
    np.testing.assert_array_equal(loaded.split.test_mask, comparison.split.test_mask)
    for a, b in zip(comparison.results, loaded.results, strict=True):
        assert a.name == b.name and a.params == b.params
        assert b.metrics["ndcg"] == pytest.approx(a.metrics["ndcg"])
        for col in ("hits", "precision", "recall", "hit", "n_train", "n_test"):
            np.testing.assert_allclose(b.per_user[col], a.per_user[col])
        for col in ("bucket", "user"):
            assert b.per_user[col].tolist() == a.per_user[col].tolist()
        np.testing.assert_allclose(b.per_user["ndcg"], a.per_user["ndcg"], atol=1e-5)
    board_a, board_b = comparison.leaderboard(), loaded.leaderboard()
    assert board_a["model"].tolist() == board_b["model"].tolist()
    # the loaded split applies to the same data again (comparisons reuse it)
    assert loaded.split.apply(small).test.n_interactions == comparison.split.n_test
    # by path as well
    assert load_run(path).run_id == comparison.run_id


def test_damaged_and_foreign_files_are_reported_and_skipped(tmp_path, comparison):
    ws = Workspace(tmp_path)
    save_run(comparison, ws)
    (ws.runs_dir / "broken.json").write_text("{ not json", encoding="utf-8")
    (ws.runs_dir / "foreign.json").write_text(json.dumps({"hello": 1}), encoding="utf-8")
    good = json.loads((ws.runs_dir / f"{comparison.run_id}.json").read_text())
    good["split"]["test_mask_bits"] = "AAAA"
    (ws.runs_dir / "truncated.json").write_text(json.dumps(good), encoding="utf-8")
    infos, problems = list_runs(ws)
    assert [i.run_id for i in infos] == [comparison.run_id]
    assert len(problems) == 3
    assert any("broken.json" in p for p in problems)
    with pytest.raises(StoreError, match="cannot be read"):
        load_run(ws.runs_dir / "broken.json")
    with pytest.raises(StoreError, match="no saved evaluation run"):
        load_run("nope", ws)
    with pytest.raises(StoreError, match="not a valid run id"):
        load_run("../../etc/passwd", ws)


def test_filter_by_fingerprint_and_delete(tmp_path, comparison):
    ws = Workspace(tmp_path)
    save_run(comparison, ws)
    assert list_runs(ws, fingerprint="other")[0] == []
    assert len(list_runs(ws, fingerprint=comparison.dataset_fingerprint)[0]) == 1
    delete_run(comparison.run_id, ws)
    assert list_runs(ws) == ([], [])


def test_no_runs_folder_is_not_an_error(tmp_path):
    assert list_runs(Workspace(tmp_path / "fresh")) == ([], [])


def test_saved_file_is_strict_json(tmp_path, comparison):
    path = save_run(comparison, Workspace(tmp_path))
    data = json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    assert data["format"] == "recsys-explorer-run" and data["k"] == 5
    assert len(data["users"]["user"]) == len(comparison.results[0].per_user)
