"""Figures for the Learn page's lessons.

Pure functions: lesson results (:mod:`recsys.lessons`) in, plotly figures out. Titles and labels
are user data: every hover text and tick label is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recsys.lessons import DotProduct, FactorSpace, FoldIn, LengthEffect, ProjectedMap
from recsys.viz.map import SVG_UP_TO

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#393b79", "#ad494a", "#637939", "#7b4173", "#3182bd", "#e6550d", "#31a354",
)
MUTED = "#b8b8b8"
USER_COLOUR = "rgba(120,120,120,0.35)"
POSITIVE = "#2a7ab9"
NEGATIVE = "#d1603d"
METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}


def esc(text: object) -> str:
    """HTML-escape user text for plotly labels."""
    return html.escape(str(text))


def short(text: object, width: int = 40) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def label_colours(labels: Sequence[str]) -> dict[str, str]:
    """A stable colour per label (sorted order; "other" and "all items" grey)."""
    out: dict[str, str] = {}
    named = sorted({str(x) for x in labels} - {"other", "all items"})
    for k, name in enumerate(named):
        out[name] = PALETTE[k % len(PALETTE)]
    out["other"] = MUTED
    out["all items"] = MUTED
    return out


def _item_hover(frame: pd.DataFrame) -> list[str]:
    return [
        f"{esc(t)}<br>{esc(lab)} · {p:,} users"
        for t, lab, p in zip(frame["title"], frame["label"], frame["popularity"], strict=True)
    ]


def points_trace(n_points: int) -> type:
    """The trace type for a figure of ``n_points`` markers: SVG up to
    :data:`recsys.viz.map.SVG_UP_TO` (quicker to draw there, and no WebGL set-up), else WebGL."""
    return go.Scatter if n_points <= SVG_UP_TO else go.Scattergl


def _items_by_label(fig: go.Figure, items: pd.DataFrame, x: np.ndarray, y: np.ndarray,
                    colours: dict[str, str], row: int | None = None, col: int | None = None,
                    showlegend: bool = True, size: int = 5, opacity: float = 0.8,
                    trace_type: type = go.Scattergl) -> None:
    hover = np.asarray(_item_hover(items), dtype=object)
    labels = items["label"].astype(str).to_numpy()
    for name in sorted(set(labels), key=lambda s: (s in ("other", "all items"), s)):
        m = labels == name
        trace = trace_type(
            x=x[m], y=y[m], mode="markers", name=esc(name), legendgroup=esc(name),
            showlegend=showlegend, hovertext=hover[m], hoverinfo="text",
            marker={"size": size, "color": colours.get(name, MUTED), "opacity": opacity},
        )
        if row is None:
            fig.add_trace(trace)
        else:
            fig.add_trace(trace, row=row, col=col)


def _square(fig: go.Figure) -> None:
    fig.update_yaxes(scaleanchor="x", scaleratio=1)


def waiting_figure(text: str, height: int = 560) -> go.Figure:
    """What stands where a lesson figure will be while its model trains: ``text``, no axes.

    Drawn first, it makes the browser load plotly's code and set up WebGL (its empty
    ``Scattergl`` trace) while the server works, not after: measured in headless Chromium, a
    WebGL chart 1 s after the page's text came 0.6 s sooner with it.
    """
    fig = go.Figure(go.Scattergl(x=[], y=[], mode="markers", hoverinfo="skip"))
    fig.add_annotation(text=esc(text), showarrow=False, font={"size": 16, "color": "#888"},
                       x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis={"visible": False}, yaxis={"visible": False}, showlegend=False)
    return fig


# ---------------------------------------------------------------------------- lesson 1
def factor_space_figure(space: FactorSpace, show_users: bool = True, height: int = 560) -> go.Figure:
    """Items (coloured by label) and users (grey) in the raw 2-factor space, origin marked."""
    fig = go.Figure()
    points = points_trace(len(space.items) + (len(space.users) if show_users else 0))
    if show_users:
        scale = space.user_scale
        name = "users" if abs(scale - 1) < 0.05 else f"users (lengths ×{scale:.3g})"
        fig.add_trace(points(
            x=space.users["x"] * scale, y=space.users["y"] * scale, mode="markers", name=name,
            marker={"size": 3, "color": USER_COLOUR},
            hovertext=[f"user {esc(u)} · {a:,} items" for u, a in
                       zip(space.users["user"], space.users["activity"], strict=True)],
            hoverinfo="text",
        ))
    items = space.items
    _items_by_label(fig, items, items["x"].to_numpy(), items["y"].to_numpy(),
                    label_colours(items["label"]), trace_type=points)
    fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", name="origin", showlegend=False,
                             marker={"symbol": "x", "size": 12, "color": "black"},
                             hoverinfo="text", hovertext=["origin (0, 0)"]))
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis_title="factor 0", yaxis_title="factor 1",
        legend={"orientation": "h", "y": -0.12, "title": {"text": "items by "
                + esc(space.label_source or "label") + ":"}},
    )
    _square(fig)
    return fig


# ---------------------------------------------------------------------------- lesson 2
def dot_product_figure(dp: DotProduct, height: int = 460) -> go.Figure:
    """The user vector, the item vector and their element-wise products, one bar per factor."""
    factors = [f"f{f}" for f in range(len(dp.products))]
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(f"user {esc(dp.user)}", f"item {esc(dp.item)}",
                                        "user × item, factor by factor"))
    for row, values in ((1, dp.user_vector), (2, dp.item_vector), (3, dp.products)):
        fig.add_bar(x=factors, y=values, row=row, col=1, showlegend=False,
                    marker_color=[POSITIVE if v >= 0 else NEGATIVE for v in values],
                    hovertemplate="%{x}: %{y:.4f}<extra></extra>")
    bias = f" + biases {sum(dp.biases.values()):.3f}" if dp.biases else ""
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 60, "b": 10},
        title={"text": f"sum of products{bias} = {dp.total:.4f}  ·  model score = "
               f"{dp.model_score:.4f}  ·  cosine = {dp.cosine:.3f}", "font": {"size": 14}},
    )
    return fig


def length_figure(effect: LengthEffect, height: int = 460) -> go.Figure:
    """Item vector length against popularity; the user's top items by dot and by cosine."""
    items = effect.items
    fig = go.Figure()
    fig.add_trace(go.Scattergl(
        x=items["popularity"], y=items["norm"], mode="markers", name="all items",
        marker={"size": 4, "color": MUTED},
        hovertext=[f"{esc(t)}<br>{p:,} users · length {n:.3f}" for t, p, n in
                   zip(items["title"], items["popularity"], items["norm"], strict=True)],
        hoverinfo="text",
    ))
    norm_of = dict(zip(items["item"], items["norm"], strict=True))
    for frame, name, colour, symbol in (
        (effect.by_dot, "top 10 by dot product", NEGATIVE, "circle"),
        (effect.by_cosine, "top 10 by cosine", POSITIVE, "diamond-open"),
    ):
        fig.add_trace(go.Scatter(
            x=frame["popularity"], y=[norm_of[i] for i in frame["item"]], mode="markers",
            name=name, marker={"size": 11, "color": colour, "symbol": symbol,
                               "line": {"width": 2, "color": colour}},
            hovertext=[f"#{r} {esc(t)}<br>{p:,} users" for r, t, p in
                       zip(frame["rank"], frame["title"], frame["popularity"], strict=True)],
            hoverinfo="text",
        ))
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": f"Spearman(length, popularity) = {effect.norm_popularity_corr:.2f}",
               "font": {"size": 14}},
        xaxis={"title": "popularity (users, log scale)", "type": "log"},
        yaxis_title="item vector length",
        legend={"orientation": "h", "y": -0.18},
    )
    return fig


# ---------------------------------------------------------------------------- lesson 3
def factor_ends_figure(extremes: pd.DataFrame, factor: int, height: int = 420) -> go.Figure:
    """One factor's strongest items at both ends, as horizontal bars coloured by label."""
    part = extremes[extremes["factor"] == factor]
    part = pd.concat([part[part["end"] == "low"].iloc[::-1], part[part["end"] == "high"]])
    colours = label_colours(extremes["label"])
    fig = go.Figure()
    fig.add_bar(
        x=part["value"], y=[esc(short(t)) for t in part["title"]], orientation="h",
        marker_color=[colours.get(str(lab), MUTED) for lab in part["label"]],
        hovertext=[f"{esc(t)}<br>{esc(lab)} · value {v:.3f}" for t, lab, v in
                   zip(part["title"], part["label"], part["value"], strict=True)],
        hoverinfo="text", showlegend=False,
    )
    # a legend of the labels present, without the bars repeating
    for lab in dict.fromkeys(part["label"].astype(str)):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=esc(lab),
                                 marker={"size": 10, "color": colours.get(lab, MUTED)}))
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": f"factor {factor}: low end (left) and high end (right)",
               "font": {"size": 14}},
        xaxis_title="item value on this factor",
        yaxis={"type": "category", "automargin": True},
    )
    return fig


def recovery_figure(recovery: pd.DataFrame, label_source: str | None,
                    highlight: int | None = None, height: int = 360) -> go.Figure:
    """Adjusted Rand index of k-means clusters vs the labels, by number of factors."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=recovery["factors"], y=recovery["ari"], mode="lines+markers",
                             name="clusters vs " + esc(label_source or "labels"),
                             line={"color": POSITIVE, "width": 3}))
    fig.add_trace(go.Scatter(x=recovery["factors"], y=recovery["shuffled_ari"],
                             mode="lines+markers", name="same clusters vs shuffled labels",
                             line={"color": MUTED, "dash": "dash"}))
    if highlight is not None and highlight in set(recovery["factors"]):
        row = recovery[recovery["factors"] == highlight].iloc[0]
        fig.add_trace(go.Scatter(x=[highlight], y=[row["ari"]], mode="markers",
                                 name="the model above", marker={"size": 16, "color": NEGATIVE,
                                                                 "symbol": "circle-open",
                                                                 "line": {"width": 3}}))
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": "factors (embedding size)", "type": "log",
               "tickvals": list(recovery["factors"])},
        yaxis={"title": "adjusted Rand index", "range": [-0.05, 1.05]},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


# ---------------------------------------------------------------------------- lesson 4
def neighbours_figure(table: pd.DataFrame, height: int = 440) -> go.Figure:
    """Union of both neighbour lists: cosine (x) against co-occurrence (y), by membership."""
    styles = {
        "both": ("#6a3d9a", "star"),
        "cosine only": (POSITIVE, "circle"),
        "co-occurrence only": (NEGATIVE, "square"),
    }
    fig = go.Figure()
    for name, (colour, symbol) in styles.items():
        part = table[table["found_by"] == name]
        if part.empty:
            continue
        size = 8 + 14 * np.sqrt(part["popularity"] / max(table["popularity"].max(), 1))
        fig.add_trace(go.Scatter(
            x=part["cosine"], y=part["co_users"], mode="markers", name=name,
            marker={"size": size, "color": colour, "symbol": symbol, "opacity": 0.85},
            hovertext=[f"{esc(t)}<br>cosine {c:.2f} · {n:,} users in common · {p:,} users"
                       for t, c, n, p in zip(part["title"], part["cosine"], part["co_users"],
                                             part["popularity"], strict=True)],
            hoverinfo="text",
        ))
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis_title="cosine similarity of the vectors",
        yaxis_title="users who interacted with both",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


# ---------------------------------------------------------------------------- lesson 5
def projections_figure(maps: Sequence[ProjectedMap], items: pd.DataFrame,
                       height: int = 470) -> go.Figure:
    """The same items under each projection, side by side, with faithfulness in the titles."""
    titles = [
        f"{METHOD_NAMES.get(m.method, m.method)}: trust {m.trustworthiness:.2f} · "
        f"kNN recall@{m.k} {m.knn_recall:.2f}"
        for m in maps
    ]
    fig = make_subplots(rows=1, cols=len(maps), subplot_titles=titles,
                        horizontal_spacing=0.03)
    colours = label_colours(items["label"])
    for c, m in enumerate(maps, start=1):
        _items_by_label(fig, items, m.coords[:, 0], m.coords[:, 1], colours, row=1, col=c,
                        showlegend=(c == 1), size=4)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": -0.05})
    for annotation in fig.layout.annotations:
        annotation.font.size = 13
    return fig


# ---------------------------------------------------------------------------- lesson 6
def sparsity_figure(curve: pd.DataFrame, selected: float | None = None,
                    height: int = 380, label: str = "genre") -> go.Figure:
    """Held-out NDCG (left axis) and ``label`` recovery ARI (right axis) against the share
    dropped (``label``: "genre", "category", "tag", as the data has)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = 100 * curve["drop_share"]
    fig.add_trace(go.Scatter(x=x, y=curve["ndcg"], mode="lines+markers", name="held-out NDCG@10",
                             line={"color": NEGATIVE, "width": 3}), secondary_y=False)
    if curve["ari"].notna().any():
        fig.add_trace(go.Scatter(x=x, y=curve["ari"], mode="lines+markers",
                                 name=f"{label} recovery (ARI)",
                                 line={"color": POSITIVE, "width": 3, "dash": "dot"}),
                      secondary_y=True)
    if selected is not None:
        fig.add_vline(x=100 * selected, line={"color": "black", "dash": "dash", "width": 1})
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(title_text="training interactions dropped (%)", range=[-3, 93])
    fig.update_yaxes(title_text="NDCG@10", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="ARI", range=[-0.05, 1.05], tickvals=[0, 0.25, 0.5, 0.75, 1],
                     showgrid=False, secondary_y=True)
    return fig


def fold_in_figure(space: FactorSpace, fold: FoldIn, height: int = 520) -> go.Figure:
    """The 2-factor space with the picked items ringed and the folded-in user as a star."""
    fig = factor_space_figure(space, show_users=False, height=height)
    for trace in fig.data:
        if trace.name != "origin":
            trace.marker.opacity = 0.35
    picked = set(fold.items)
    items = space.items[space.items["item"].isin(picked)]
    fig.add_trace(go.Scatter(
        x=items["x"], y=items["y"], mode="markers", name="the 3 items picked",
        marker={"size": 14, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": "black"}},
        hovertext=[esc(t) for t in items["title"]], hoverinfo="text",
    ))
    recs = space.items[space.items["item"].isin(set(fold.recommendations["item"]))]
    fig.add_trace(go.Scatter(
        x=recs["x"], y=recs["y"], mode="markers", name="their top recommendations",
        marker={"size": 11, "symbol": "diamond", "color": "#ffd92f",
                "line": {"width": 1.5, "color": "black"}},
        hovertext=[esc(t) for t in recs["title"]], hoverinfo="text",
    ))
    # Only the direction of a user vector matters for its ranking, and a 3-item user is short:
    # draw the star along its direction at the reach of the item cloud.
    reach = float(np.percentile(np.hypot(space.items["x"], space.items["y"]), 95))
    length = float(np.hypot(fold.vector[0], fold.vector[1]))
    star = fold.vector[:2] * (reach / length if length > 0 else 0.0)
    fig.add_trace(go.Scatter(
        x=[star[0]], y=[star[1]], mode="markers+text", name="new user (its direction)",
        text=["new user"], textposition="top center",
        marker={"size": 22, "symbol": "star", "color": "#e31a1c",
                "line": {"width": 1.5, "color": "black"}},
        hoverinfo="text",
        hovertext=[f"the folded-in user, drawn at item scale (true length {length:.3g})"],
    ))
    fig.add_trace(go.Scatter(x=[0, star[0]], y=[0, star[1]], mode="lines",
                             showlegend=False, hoverinfo="skip",
                             line={"color": "#e31a1c", "width": 2, "dash": "dot"}))
    return fig
