"""Figures for explanations: contribution bars and a user's neighbourhood on the joint map.

Pure functions: data in, plotly figure out. Titles are user data: escaped in every label.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from recsys.explain.explanations import Explanation
from recsys.models.breakdown import KIND_FACTORS, KIND_HISTORY
from recsys.viz.map import SVG_UP_TO

POSITIVE = "#2a7ab9"
NEGATIVE = "#d1603d"


def _short(text: str, width: int = 38) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def contribution_chart(expl: Explanation, n: int = 8, height: int | None = None) -> go.Figure:
    """Horizontal bars of the largest contributions (history items or factors) to one score."""
    top = expl.top(n)
    fig = go.Figure()
    if top.empty:
        fig.add_annotation(text="nothing to decompose", showarrow=False)
    else:
        if expl.kind == KIND_HISTORY:
            labels = [_short(t) for t in top["title"]]
            hover = [
                f"{html.escape(str(t))}<br>value {v:g} · weight {w:.3g}<br>contribution {c:.3g} ({s:.0%})"
                for t, v, w, c, s in zip(
                    top["title"],
                    top["value"],
                    top["weight"],
                    top["contribution"],
                    top["share"],
                    strict=True,
                )
            ]
        elif expl.kind == KIND_FACTORS:
            labels = list(top["term"])
            hover = [
                f"{html.escape(str(term))}<br>{html.escape(_short(name, 90))}<br>"
                f"contribution {c:.3g} ({s:.0%})"
                for term, name, c, s in zip(
                    top["term"], top["name"], top["contribution"], top["share"], strict=True
                )
            ]
        else:
            labels = list(top["term"])
            hover = [f"{c:.3g}" for c in top["contribution"]]
        values = top["contribution"].to_numpy(dtype=float)
        fig.add_bar(
            x=values[::-1],
            y=[html.escape(x) for x in labels][::-1],
            orientation="h",
            marker_color=[POSITIVE if v >= 0 else NEGATIVE for v in values[::-1]],
            hovertext=hover[::-1],
            hoverinfo="text",
        )
    fig.update_layout(
        height=height or 90 + 26 * max(len(top), 1),
        margin=dict(l=10, r=10, t=10, b=30),
        xaxis_title="contribution to the score",
        showlegend=False,
        bargap=0.25,
    )
    fig.update_yaxes(automargin=True)
    return fig


def compare_drivers_chart(
    a: Explanation, b: Explanation, label_a: str, label_b: str, n: int = 6
) -> go.Figure:
    """Shares of the top drivers of the same item's score under two models (grouped bars)."""
    fig = go.Figure()
    for expl, label in ((a, label_a), (b, label_b)):
        top = expl.top(n)
        if top.empty:
            continue
        names = top["title"] if "title" in top else top["term"]
        fig.add_bar(
            name=html.escape(label),
            x=[html.escape(_short(x, 30)) for x in names],
            y=top["share"],
        )
    fig.update_layout(
        height=300, margin=dict(l=10, r=10, t=30, b=10), yaxis_tickformat=".0%", barmode="group"
    )
    return fig


def neighbourhood_map(
    item_xy: np.ndarray,
    titles: np.ndarray,
    history: np.ndarray,
    recommended: np.ndarray,
    user_xy: np.ndarray | None = None,
    user_label: str = "user",
    other_users_xy: np.ndarray | None = None,
    cold_xy: np.ndarray | None = None,
    cold_titles: np.ndarray | None = None,
    title: str = "",
    history_label: str = "history",
    background: np.ndarray | None = None,
) -> go.Figure:
    """The joint map: items (grey), the history, the recommendations and the user.

    Parameters
    ----------
    item_xy : (n_items, 2) map coordinates of every item.
    history, recommended : item indices to highlight.
    user_xy : (2,) coordinates of the user or visitor ("you are here").
    other_users_xy : (m, 2) other users, drawn faintly.
    cold_xy, cold_titles : cold-start items with predicted vectors.
    background : indices of the items drawn grey (default: all); the history and the
        recommendations are drawn whether they are among them or not.

    Up to :data:`recsys.viz.map.SVG_UP_TO` points the markers are SVG, above WebGL (all
    traces alike, so the layers keep their order).
    """
    background = np.arange(len(item_xy)) if background is None else np.asarray(background)
    n_drawn = len(background) + (0 if other_users_xy is None else len(other_users_xy))
    points = go.Scatter if n_drawn <= SVG_UP_TO else go.Scattergl
    fig = go.Figure()

    def add(**trace) -> None:
        fig.add_trace(points(**trace))

    if other_users_xy is not None and len(other_users_xy):
        add(
            x=other_users_xy[:, 0],
            y=other_users_xy[:, 1],
            mode="markers",
            name="other users",
            marker=dict(size=3, color="#c9b8e8", opacity=0.5),
            hoverinfo="skip",
        )
    add(
        x=item_xy[background, 0],
        y=item_xy[background, 1],
        mode="markers",
        name="items",
        marker=dict(size=4, color="#bbbbbb", opacity=0.6),
        text=[html.escape(str(titles[i])) for i in background],
        hoverinfo="text",
    )
    layers = (
        (history, history_label, dict(size=6, color="#2a9d8f", symbol="circle", opacity=0.75)),
        (
            recommended,
            "recommended",
            dict(size=13, color="#e76f51", symbol="diamond", line=dict(width=1, color="white")),
        ),
    )
    for idx, name, marker in layers:
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx):
            add(
                x=item_xy[idx, 0],
                y=item_xy[idx, 1],
                mode="markers",
                name=name,
                marker=marker,
                text=[html.escape(str(titles[i])) for i in idx],
                hoverinfo="text",
            )
    if cold_xy is not None and len(cold_xy):
        ct = [
            html.escape(str(t)) + " (cold start)"
            for t in (cold_titles if cold_titles is not None else [])
        ]
        add(
            x=cold_xy[:, 0],
            y=cold_xy[:, 1],
            mode="markers",
            name="cold-start items",
            marker=dict(
                size=9, color="#f4a261", symbol="triangle-up", line=dict(width=1, color="black")
            ),
            text=ct or None,
            hoverinfo="text",
        )
    if user_xy is not None:
        # the star is a trace of the same kind as the others (WebGL draws above SVG); its label
        # an annotation
        add(
            x=[float(user_xy[0])],
            y=[float(user_xy[1])],
            mode="markers",
            name=html.escape(user_label),
            text=[html.escape(user_label)],
            hoverinfo="text",
            marker=dict(
                size=20, color="#264653", symbol="star", line=dict(width=1.5, color="white")
            ),
        )
        fig.add_annotation(
            x=float(user_xy[0]),
            y=float(user_xy[1]),
            text=html.escape(user_label),
            showarrow=True,
            arrowhead=0,
            ax=0,
            ay=-28,
            font=dict(size=13, color="#264653"),
            bgcolor="rgba(255,255,255,0.8)",
        )
    fig.update_layout(
        height=480,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        title=html.escape(title) if title else None,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis=dict(showticklabels=False, title=None),
        yaxis=dict(showticklabels=False, title=None),
    )
    return fig
