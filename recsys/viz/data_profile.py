"""Figures for the Data page's profile: pure functions, a Dataset in and a plotly figure out.

Titles are never put in hover text unescaped (they are user data).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from recsys.data.dataset import Dataset

ACCENT = "#4C78A8"
_LAYOUT = dict(
    margin=dict(l=10, r=10, t=70, b=10), height=320, template="plotly_white", showlegend=False
)


def popularity_long_tail(ds: Dataset, max_points: int = 5000) -> go.Figure:
    """Items ranked by number of users, on a log scale: the long tail."""
    pop = np.sort(ds.item_popularity)[::-1]
    order = np.argsort(-ds.item_popularity, kind="stable")
    ranks = np.arange(1, len(pop) + 1)
    # thin the curve for big catalogues (the shape is what matters), keeping the head exactly
    if len(pop) > max_points:
        keep = np.unique(
            np.concatenate([np.arange(200), np.geomspace(1, len(pop), max_points).astype(int) - 1])
        )
        keep = keep[keep < len(pop)]
    else:
        keep = np.arange(len(pop))
    titles = [html.escape(str(t)) for t in ds.titles[order[keep]]]
    top_share = pop[: max(1, len(pop) // 10)].sum() / max(pop.sum(), 1)
    fig = go.Figure(
        go.Scatter(
            x=ranks[keep],
            y=pop[keep],
            mode="lines",
            line=dict(color=ACCENT, width=2),
            customdata=titles,
            hovertemplate="rank %{x}<br>%{y} users<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        title=dict(
            text="Item popularity (long tail)",
            subtitle=dict(text=f"the top 10% of items get {top_share:.0%} of the interactions"),
        ),
        xaxis=dict(title="item rank", type="log", dtick=1),
        yaxis=dict(title="users per item", type="log", dtick=1),
        **_LAYOUT,
    )
    return fig


def user_activity_histogram(ds: Dataset) -> go.Figure:
    """How many items each user has: a histogram over log-spaced bins."""
    act = ds.user_activity
    hi = max(int(act.max()), 2)
    edges = np.unique(np.geomspace(1, hi + 1, 40).astype(int))
    counts, _ = np.histogram(act, bins=edges)
    labels = [
        f"{a}" if b - a == 1 else f"{a}-{b - 1}" for a, b in zip(edges[:-1], edges[1:], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=counts,
            marker_color=ACCENT,
            hovertemplate="%{x} items: %{y} users<extra></extra>",
        )
    )
    fig.update_layout(
        title=dict(
            text="User activity", subtitle=dict(text=f"median {np.median(act):g} items per user")
        ),
        xaxis=dict(title="items per user", type="category"),
        yaxis=dict(title="users"),
        **_LAYOUT,
    )
    return fig


def rating_distribution(ds: Dataset) -> go.Figure:
    """How often each rating occurs (explicit), or the distribution of weights (implicit)."""
    v = ds.values
    if ds.feedback == "explicit":
        vals, counts = np.unique(v, return_counts=True)
        fig = go.Figure(
            go.Bar(
                x=[f"{x:g}" for x in vals],
                y=counts,
                marker_color=ACCENT,
                hovertemplate="rating %{x}: %{y} interactions<extra></extra>",
            )
        )
        fig.update_layout(
            title=dict(text="Rating distribution", subtitle=dict(text=f"mean {v.mean():.2f}")),
            xaxis=dict(title="rating", type="category"),
            yaxis=dict(title="interactions"),
            **_LAYOUT,
        )
        return fig
    if np.all(v == v[0]):
        fig = go.Figure(go.Bar(x=[f"{v[0]:g}"], y=[len(v)], marker_color=ACCENT))
        fig.update_layout(
            title="Values: every interaction counts once",
            xaxis=dict(title="value", type="category"),
            yaxis=dict(title="interactions"),
            **_LAYOUT,
        )
        return fig
    hi = float(v.max())
    edges = np.unique(
        np.geomspace(max(float(v[v > 0].min()) if (v > 0).any() else 1, 1e-9), hi * 1.0001, 30)
    )
    counts, _ = np.histogram(v, bins=edges)
    fig = go.Figure(
        go.Bar(
            x=edges[:-1],
            y=counts,
            width=np.diff(edges),
            marker_color=ACCENT,
            offset=0,
            hovertemplate="from %{x:.3g}: %{y} interactions<extra></extra>",
        )
    )
    fig.update_layout(
        title=dict(
            text="Value distribution",
            subtitle=dict(text=f"counts or weights; median {np.median(v):g}"),
        ),
        xaxis=dict(title="value", type="log"),
        yaxis=dict(title="interactions"),
        **_LAYOUT,
    )
    return fig


def interactions_over_time(ds: Dataset) -> go.Figure | None:
    """Interactions per month (per day for short spans); None when the data has no times."""
    if not ds.has_timestamps:
        return None
    ts = pd.to_datetime(ds.timestamps, unit="s")
    span_days = (ts.max() - ts.min()).days
    freq, word = (
        ("D", "day") if span_days <= 60 else ("W", "week") if span_days <= 730 else ("MS", "month")
    )
    counts = pd.Series(1, index=ts).resample(freq).sum()
    fig = go.Figure(
        go.Scatter(
            x=counts.index,
            y=counts.to_numpy(),
            mode="lines",
            fill="tozeroy",
            line=dict(color=ACCENT),
            hovertemplate="%{x|%Y-%m-%d}: %{y}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Interactions per {word}",
        xaxis=dict(title=None),
        yaxis=dict(title="interactions"),
        **_LAYOUT,
    )
    return fig


def category_counts(ds: Dataset, top: int = 20) -> go.Figure | None:
    """Items per category (top ``top``); None when items have no categories."""
    cats = pd.Series([c for cs in ds.items["categories"] for c in cs], dtype=object)
    if cats.empty:
        return None
    counts = cats.value_counts().head(top)[::-1]
    fig = go.Figure(
        go.Bar(
            x=counts.to_numpy(),
            y=[html.escape(str(c)) for c in counts.index],
            orientation="h",
            marker_color=ACCENT,
            hovertemplate="%{y}: %{x} items<extra></extra>",
        )
    )
    fig.update_layout(
        title="Items per category",
        xaxis=dict(title="items"),
        **{**_LAYOUT, "height": max(320, 18 * len(counts) + 80)},
    )
    return fig
