"""AppTest smoke tests of the Learn page: every lesson renders on the demo, knobs rerun it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recsys.data.dataset import Dataset

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "learn.py")
LESSONS = ["1 Embeddings", "2 Dot products", "3 Factors", "4 Neighbours", "5 Projections",
           "6 Sparsity"]


def _run(monkeypatch, tmp_path, lesson: str | None = None, **state) -> AppTest:
    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path))
    at = AppTest.from_file(PAGE, default_timeout=240)
    if lesson:
        at.session_state["lesson"] = lesson
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_learn_page_opens_on_lesson_one_with_a_live_two_factor_plot(monkeypatch, tmp_path):
    at = _run(monkeypatch, tmp_path)
    _ok(at)
    assert at.title[0].value == "Learn"
    assert [t.label for t in at.tabs] == LESSONS
    assert at.subheader[0].value == "What is an embedding?"
    assert len(at.get("plotly_chart")) == 1  # only the open lesson ran
    assert any("Set iterations to 1" in i.value for i in at.info)
    before = _figure(at)
    at.slider(key="l1_iter").set_value(1).run()
    _ok(at)
    after = _figure(at)
    xs = [t["x"] for t in before["data"] if t.get("name") not in (None, "origin")]
    assert xs != [t["x"] for t in after["data"] if t.get("name") not in (None, "origin")]


@pytest.mark.parametrize("lesson", LESSONS[1:4] + LESSONS[5:])
def test_each_lesson_renders_a_figure_and_a_prompt(monkeypatch, tmp_path, lesson):
    at = _run(monkeypatch, tmp_path, lesson)
    _ok(at)
    assert len(at.subheader) == 1
    assert len(at.get("plotly_chart")) >= 1
    assert len(at.info) == 1  # the "try this" prompt


def test_sparsity_lesson_reports_lower_ndcg_when_data_is_dropped(monkeypatch, tmp_path):
    at = _run(monkeypatch, tmp_path, "6 Sparsity", l6_drop=0.8)
    _ok(at)
    ndcg = next(m for m in at.metric if m.label == "NDCG@10")
    assert ndcg.delta.startswith("-")


def test_lessons_needing_planted_truth_say_so_on_other_data(monkeypatch, tmp_path):
    rows = [(f"u{u}", f"i{(u * 7 + k) % 40}") for u in range(60) for k in range(8)]
    ds = Dataset.from_frame(pd.DataFrame(rows, columns=["user", "item"]), name="plain")
    at = _run(monkeypatch, tmp_path, "3 Factors", dataset=ds)
    _ok(at)
    assert any("no genres, categories or tags" in c.value for c in at.caption)
    at = _run(monkeypatch, tmp_path, "6 Sparsity", dataset=ds)
    _ok(at)
    assert "Genre recovery (ARI)" not in [m.label for m in at.metric]


# last: the page starts UMAP's warm-up thread, which would slow the tests after it
def test_projection_lesson_shows_pca_and_tsne_with_faithfulness(monkeypatch, tmp_path):
    at = _run(monkeypatch, tmp_path, "5 Projections")
    _ok(at)
    spec = _figure(at)
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles[0].startswith("PCA: trust") and titles[1].startswith("t-SNE: trust")
    assert all("kNN recall@" in t for t in titles)


def _texts(at: AppTest) -> str:
    parts = [i.value for i in at.info] + [m.value for m in at.markdown]
    parts += [m.label for m in at.metric] + [s.value for s in at.subheader]
    return "\n".join(parts)


# absence stated as such ("this data has no genres, categories or tags") is allowed
_ABSENT = ("genres, categories or tags", "planted genres")


@pytest.mark.parametrize("tagged", [False, True], ids=["no labels", "tags only"])
def test_every_prompt_fits_data_without_genres(monkeypatch, tmp_path, tagged):
    rows = [(f"u{u}", f"i{(u * 7 + k) % 40}") for u in range(60) for k in range(8)]
    items = pd.DataFrame({"item": [f"i{i}" for i in range(40)],
                          "title": [f"Track {i}" for i in range(40)]})
    if tagged:
        items["tags"] = [["drone", "ambient"] if i % 2 else ["punk"] for i in range(40)]
    ds = Dataset.from_frame(pd.DataFrame(rows, columns=["user", "item"]), name="plain",
                            items=items)
    for lesson in LESSONS[:4] + LESSONS[5:]:
        at = _run(monkeypatch, tmp_path, lesson, dataset=ds)
        _ok(at)
        text = _texts(at)
        assert len(at.info) == 1, lesson  # the "try this" prompt is there
        for phrase in _ABSENT:
            text = text.replace(phrase, "")
        assert "genre" not in text.lower(), (lesson, text)
        if tagged:
            prompt = at.info[0].value
            assert lesson in (LESSONS[3],) or "tag" in prompt or lesson == LESSONS[0], (
                lesson, prompt)
