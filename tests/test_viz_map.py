"""Map figures: escaped hover text, seeded sampling with a notice, selection codes."""

from __future__ import annotations

import numpy as np

from recsys.viz import map as vmap


def _points(n: int) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, 2))


def test_hover_is_escaped_plain_text():
    hover = vmap.hover_texts(["<script>alert(1)</script>"], [["<b>x</b>"]], [3])
    assert "<script>" not in hover[0] and "&lt;script&gt;" in hover[0]
    assert "&lt;b&gt;x&lt;/b&gt;" in hover[0]


def test_category_colours_keep_top_categories_and_other():
    cats = [["a"]] * 5 + [["b"]] * 3 + [["c"]] + [[]]
    colouring = vmap.colour_by_category(cats, top=2)
    assert colouring.values.tolist() == ["a"] * 5 + ["b"] * 3 + [vmap.OTHER, vmap.NO_CATEGORY]


def test_large_maps_draw_a_seeded_sample_with_a_notice():
    n = 1_000
    coords = _points(n)
    colouring = vmap.colour_by_values(np.arange(n), "value")
    hover = vmap.hover_texts([f"item {i}" for i in range(n)])
    fig, notice = vmap.map_figure(coords, colouring, hover, max_points=200, seed=3, highlight=999)
    drawn = sum(len(t.x) for t in fig.data if t.name != "searched item")
    assert 200 <= drawn <= 201 and notice and f"sample of {drawn:,}" in notice
    again, _ = vmap.map_figure(coords, colouring, hover, max_points=200, seed=3, highlight=999)
    assert list(fig.data[0].customdata) == list(again.data[0].customdata)
    assert 999 in list(fig.data[0].customdata)  # the searched item is always drawn
    full, none = vmap.map_figure(coords, colouring, hover)
    assert none is None and len(full.data[0].x) == n


def test_codes_round_trip_items_and_users():
    codes = np.concatenate([np.arange(3), vmap.encode_users(np.arange(2))])
    items, users = vmap.decode_points([int(c) for c in codes] + [{"0": 1}, [2]])
    assert items.tolist() == [0, 1, 2] and users.tolist() == [0, 1]


def test_three_d_maps_use_scatter3d_small_2d_maps_svg_and_big_ones_webgl():
    colouring = vmap.colour_by_labels(["x"] * 10, "kind")
    hover = vmap.hover_texts([str(i) for i in range(10)])
    fig3, _ = vmap.map_figure(np.random.default_rng(0).normal(size=(10, 3)), colouring, hover)
    fig2, _ = vmap.map_figure(_points(10), colouring, hover, labels_at=[("A & B", np.zeros(2))])
    assert fig3.data[0].type == "scatter3d" and fig2.data[0].type == "scatter"
    n = vmap.SVG_UP_TO + 1
    big, _ = vmap.map_figure(
        _points(n), vmap.colour_by_labels(["x"] * n, "kind"), vmap.hover_texts(["p"] * n),
        highlight=0, neighbours=np.array([1, 2]),
    )  # fmt: skip
    assert {t.type for t in big.data} == {"scattergl"}  # points, rings and star alike
    assert fig2.layout.annotations[0].text == "A &amp; B"
