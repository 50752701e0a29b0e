"""Figure builders for explanations: the bars show the contributions, user text is escaped."""

from __future__ import annotations

import numpy as np

from recsys.explain.explanations import Explanation
from recsys.models.breakdown import KIND_HISTORY
from recsys.viz.explain import contribution_chart, neighbourhood_map
from recsys.viz.map import SVG_UP_TO


def _expl() -> Explanation:
    return Explanation(
        KIND_HISTORY,
        "m",
        "i9",
        "Target",
        1.0,
        1.0,
        {
            "item": np.array(["a", "b", "c"], dtype=object),
            "title": np.array(["<b>Alien</b>", "Aliens", "Heat"], dtype=object),
            "value": np.array([5.0, 4.0, 1.0]),
            "rated": np.array([True, True, True]),
            "weight": np.array([10.0, 8.0, 2.0]),
            "contribution": np.array([0.7, 0.5, -0.2]),
            "share": np.array([0.7, 0.5, -0.2]),
        },
    )


def test_contribution_chart_bars_and_escaping():
    fig = contribution_chart(_expl(), n=2)
    bar = fig.data[0]
    assert list(bar.x) == [0.5, 0.7]  # largest at the top (plotly draws bottom-up)
    assert "&lt;b&gt;Alien&lt;/b&gt;" in bar.y
    assert all("<b>Alien" not in h for h in bar.hovertext)


def test_neighbourhood_map_layers():
    xy = np.random.default_rng(0).normal(size=(20, 2))
    fig = neighbourhood_map(
        xy,
        np.array([f"<i>{i}</i>" for i in range(20)], dtype=object),
        np.array([1, 2]),
        np.array([3]),
        user_xy=np.array([0.0, 0.0]),
        user_label="you are here",
        cold_xy=np.zeros((2, 2)),
        cold_titles=np.array(["x", "y"], dtype=object),
    )
    names = [t.name for t in fig.data]
    assert names == ["items", "history", "recommended", "cold-start items", "you are here"]
    assert list(fig.data[2].text) == ["&lt;i&gt;3&lt;/i&gt;"]
    assert fig.layout.annotations[0].text == "you are here"


def test_neighbourhood_map_draws_only_the_background_asked_for_but_every_history_item():
    xy = np.random.default_rng(1).normal(size=(30, 2))
    titles = np.array([f"t{i}" for i in range(30)], dtype=object)
    fig = neighbourhood_map(
        xy, titles, np.array([25, 26]), np.array([27]), background=np.arange(10)
    )
    items, history, recs = fig.data[:3]
    assert list(items.text) == [f"t{i}" for i in range(10)]
    assert list(history.text) == ["t25", "t26"] and list(recs.text) == ["t27"]
    assert {t.type for t in fig.data} == {"scatter"}  # few points: SVG
    n = SVG_UP_TO + 1
    big = neighbourhood_map(np.zeros((n, 2)), np.array(["x"] * n, dtype=object), [0], [1])
    assert {t.type for t in big.data} == {"scattergl"}
