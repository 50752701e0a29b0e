"""Figures for the Evaluate page: leaderboard bars, fit times, per-user comparisons, search.

Pure functions: frames in, plotly figures out. Model names and user ids are escaped in hover
text (they can come from user data or saved-model names).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recsys.evaluation.metrics import ACTIVITY_BUCKETS, metric_label

MODEL_COLOUR = "#4C78A8"
BASELINE_COLOUR = "#B0B0B0"
WIN_A, WIN_B = "#4C78A8", "#F58518"
BASELINE_KEYS = ("popular", "random")
_LAYOUT = dict(template="plotly_white", margin=dict(l=10, r=10, t=60, b=10))


def _esc(values) -> list[str]:
    return [html.escape(str(v)) for v in values]


def _colours(board: pd.DataFrame) -> list[str]:
    keys = board["key"] if "key" in board else pd.Series([""] * len(board))
    return [BASELINE_COLOUR if k in BASELINE_KEYS else MODEL_COLOUR for k in keys]


SHORT_TITLES = {"coverage": "Coverage", "avg_popularity": "Avg popularity", "novelty": "Novelty"}


def metric_bars(board: pd.DataFrame, metrics: list[str], k: int, title: str | None = None) -> go.Figure:
    """One panel per metric, one horizontal bar per model (baselines in grey), best on top."""
    metrics = [m for m in metrics if m in board and board[m].notna().any()]
    if not metrics:
        return go.Figure().update_layout(title="No metrics to show", **_LAYOUT)
    board = board.iloc[::-1]  # plotly draws the first category at the bottom
    names = _esc(board["model"])
    fig = make_subplots(
        rows=1, cols=len(metrics), shared_yaxes=True, horizontal_spacing=0.02,
        subplot_titles=[html.escape(SHORT_TITLES.get(m, metric_label(m, k))) for m in metrics],
    )
    colours = _colours(board)
    for c, m in enumerate(metrics, start=1):
        values = board[m].to_numpy(dtype=float)
        fig.add_trace(
            go.Bar(
                x=values, y=names, orientation="h", marker_color=colours,
                text=[_fmt(v) for v in values], textangle=0, constraintext="none",
                textposition="auto", cliponaxis=False,
                hovertemplate="%{y}<br>" + html.escape(metric_label(m, k)) + " %{x:.4f}<extra></extra>",
            ),
            row=1, col=c,
        )
        fig.update_xaxes(showticklabels=False, row=1, col=c)
    layout = dict(_LAYOUT)
    if title:
        layout["margin"] = dict(l=10, r=10, t=90, b=10)
        fig.update_layout(title=html.escape(title))
    fig.update_layout(height=max(260, 34 * len(board) + 90), showlegend=False, bargap=0.25, **layout)
    return fig


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return ""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) >= 10 else f"{value:.3f}"


def fit_times(board: pd.DataFrame) -> go.Figure:
    """Training and evaluation seconds per model (stacked bars)."""
    board = board.iloc[::-1]
    names = _esc(board["model"])
    fit = pd.to_numeric(board.get("fit_seconds"), errors="coerce").fillna(0.0)
    ev = pd.to_numeric(board.get("eval_seconds"), errors="coerce").fillna(0.0)
    fig = go.Figure(
        [
            go.Bar(x=fit, y=names, orientation="h", name="training", marker_color=MODEL_COLOUR,
                   hovertemplate="%{y}<br>training %{x:.2f} s<extra></extra>"),
            go.Bar(x=ev, y=names, orientation="h", name="evaluation", marker_color=BASELINE_COLOUR,
                   hovertemplate="%{y}<br>evaluation %{x:.2f} s<extra></extra>"),
        ]
    )
    fig.update_layout(
        barmode="stack", title="Time per model (seconds)",
        height=max(260, 34 * len(board) + 90),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0, traceorder="normal"), **_LAYOUT,
    )
    return fig


def bucket_bars(per_user: pd.DataFrame, models: list[str], metric: str, k: int) -> go.Figure:
    """Mean per-user ``metric`` by user activity bucket, one bar group per model.

    ``per_user`` has a ``bucket`` column and one column per model (see
    :meth:`recsys.evaluation.comparison.Comparison.per_user`).
    """
    labels = [b[0] for b in ACTIVITY_BUCKETS]
    counts = per_user["bucket"].value_counts().reindex(labels).fillna(0).astype(int)
    x = [f"{lab} ({counts[lab]:,} users)" for lab in labels]
    fig = go.Figure()
    for name in models:
        means = per_user.groupby("bucket", observed=False)[name].mean().reindex(labels)
        fig.add_trace(go.Bar(x=x, y=means, name=html.escape(str(name)),
                             hovertemplate="%{x}<br>%{y:.4f}<extra>" + html.escape(str(name)) + "</extra>"))
    fig.update_layout(
        barmode="group", title=f"{metric_label(metric, k)} by training interactions per user",
        yaxis_title=metric_label(metric, k), height=360, legend=dict(orientation="h", y=-0.25), **_LAYOUT,
    )
    return fig


def head_to_head_scatter(h2h: pd.DataFrame, a: str, b: str, metric: str, k: int) -> go.Figure:
    """Per-user ``metric`` of model ``a`` (x) against ``b`` (y); colour = who wins."""
    fig = go.Figure()
    colour = {a: WIN_A, b: WIN_B, "tie": BASELINE_COLOUR}
    for who, label in ((a, f"{a} wins"), (b, f"{b} wins"), ("tie", "tie")):
        part = h2h[h2h["winner"] == who]
        if part.empty:
            continue
        # jitter ties on (0, 0) a little so the crowd is visible
        fig.add_trace(
            go.Scattergl(
                x=part[a], y=part[b], mode="markers", name=html.escape(f"{label} ({len(part):,})"),
                marker=dict(color=colour[who], size=6, opacity=0.6),
                customdata=np.stack([_esc(part["user"]), part["n_train"]], axis=1),
                hovertemplate="user %{customdata[0]} (%{customdata[1]} train)<br>"
                + html.escape(a) + " %{x:.3f}<br>" + html.escape(b) + " %{y:.3f}<extra></extra>",
            )
        )
    top = float(np.nanmax([h2h[a].max(), h2h[b].max(), 0.05]))
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", line=dict(color="#888", dash="dot"),
                             hoverinfo="skip", showlegend=False))
    fig.update_layout(
        title=f"{metric_label(metric, k)} per user", xaxis_title=html.escape(a),
        yaxis_title=html.escape(b), height=420, legend=dict(orientation="h", y=-0.2), **_LAYOUT,
    )
    return fig


def search_chart(table: pd.DataFrame, params: list[str], metric: str, k: int) -> go.Figure:
    """Validation ``metric`` against the first searched parameter; one line per other setting."""
    x = params[0]
    others = params[1:]
    fig = go.Figure()
    groups = table.groupby(others, sort=True) if others else [((), table)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        name = ", ".join(f"{p}={v}" for p, v in zip(others, key, strict=False)) or metric_label(metric, k)
        part = part.sort_values(x)
        fig.add_trace(
            go.Scatter(x=part[x], y=part[metric], mode="lines+markers", name=html.escape(name),
                       hovertemplate=html.escape(x) + " %{x}<br>%{y:.4f}<extra>" + html.escape(name) + "</extra>")
        )
    best = table.loc[table[metric].idxmax()]
    fig.add_trace(go.Scatter(x=[best[x]], y=[best[metric]], mode="markers", name="best",
                             marker=dict(symbol="star", size=16, color="#E45756"), hoverinfo="skip"))
    numeric = pd.api.types.is_numeric_dtype(table[x])
    positive = numeric and (table[x] > 0).all()
    span = table[x].max() / max(table[x].min(), 1e-12) if positive else 1
    fig.update_layout(
        title=f"Validation {metric_label(metric, k)} by {html.escape(x)}", xaxis_title=html.escape(x),
        yaxis_title=metric_label(metric, k), height=360, legend=dict(orientation="h", y=-0.25), **_LAYOUT,
    )
    if positive and span >= 50:
        fig.update_xaxes(type="log")
    return fig
