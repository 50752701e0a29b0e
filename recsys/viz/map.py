"""Plotly figures of embedding maps (pure: arrays in, figure out).

Every point carries its index in ``customdata`` (items >= 0, users encoded as ``-(index + 1)``;
a plain list of ints, so the browser hands back plain numbers), so a lasso selection maps back to
items and users. Hover text is escaped plain text. Above
``MAX_POINTS`` points a seeded sample is drawn and :func:`map_figure` returns a notice saying so.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

MAX_POINTS = 100_000
#: above this many points a 2-D map gets density contours under the points by default
DENSITY_FROM = 3000
#: 2-D maps of at most this many drawn points use SVG markers (``Scatter``), bigger ones WebGL
#: (``Scattergl``). Measured in headless Chromium (no GPU), page opened by its link, 14 traces,
#: median of 5: 1,300 points 1.23 s SVG / 1.22 s WebGL, 2,500 points 1.74 / 1.37 s, 4,000
#: points 1.67 / 1.24 s: SVG grows with the points, WebGL pays a set-up per trace
SVG_UP_TO = 1500
#: px above the plot area of a titled map: plotly's mode bar (~30 px), then the title
TITLE_MARGIN = 64
#: low-support points: this share of the normal size and this opacity
WEAK_SIZE = 0.5
WEAK_OPACITY = 0.22
OPACITY = 0.75
OTHER = "other"
NO_CATEGORY = "(no category)"
PALETTE = [
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#E45756",
    "#72B7B2",
    "#B279A2",
    "#FF9DA6",
    "#9D755D",
    "#EECA3B",
    "#2E8B57",
    "#8C6D31",
    "#6B6ECF",
    "#D6616B",
    "#17BECF",
    "#BCBD22",
    "#7F7F7F",
]
GREY = "#C7C7C7"


@dataclass
class Colouring:
    """How points are coloured: categorical labels (one legend entry each) or numbers."""

    label: str
    values: np.ndarray
    categorical: bool
    colorscale: str = "Viridis"
    tick_values: list | None = None
    tick_texts: list | None = None


def encode_users(indices: np.ndarray) -> np.ndarray:
    """customdata codes of users (items keep their index)."""
    return -(np.asarray(indices, dtype=np.int64) + 1)


def decode_points(codes) -> tuple[np.ndarray, np.ndarray]:
    """(item indices, user indices) from customdata codes of selected points."""
    flat = []
    for c in codes:
        if isinstance(c, dict):  # a 2-D typed array arrives as {"0": value}
            c = next(iter(c.values()), None)
        if isinstance(c, list | tuple | np.ndarray):
            c = c[0] if len(c) else None
        if c is None:
            continue
        flat.append(int(c))
    arr = np.asarray(flat, dtype=np.int64)
    return np.unique(arr[arr >= 0]), np.unique(-arr[arr < 0] - 1)


def colour_by_category(categories: list[list[str]], top: int = 12) -> Colouring:
    """Each point's first category among the ``top`` most common; else "other"."""
    counts = Counter(c for cs in categories for c in cs)
    keep = [c for c, _ in counts.most_common(top)]
    keep_set = set(keep)
    labels = []
    for cs in categories:
        first = next((c for c in cs if c in keep_set), None)
        labels.append(first if first else (OTHER if cs else NO_CATEGORY))
    return Colouring("category", np.asarray(labels, dtype=object), True)


def colour_by_labels(labels, label: str) -> Colouring:
    """Categorical colours from given labels (cluster names, item/user)."""
    return Colouring(label, np.asarray([str(x) for x in labels], dtype=object), True)


def colour_by_values(values, label: str, colorscale: str = "Viridis") -> Colouring:
    """Continuous colours (a colour bar) from numbers."""
    return Colouring(label, np.asarray(values, dtype=np.float64), False, colorscale)


def colour_by_log(values, label: str) -> Colouring:
    """log10(1 + value) colours with the colour bar labelled in the original units."""
    v = np.asarray(values, dtype=np.float64)
    logs = np.log10(1.0 + np.clip(v, 0, None))
    top = float(logs.max()) if len(logs) else 1.0
    ticks = [
        t
        for t in (0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 100_000, 1e6)
        if np.log10(1 + t) <= top + 1e-9
    ]
    return Colouring(
        label,
        logs,
        False,
        "Viridis",
        [float(np.log10(1 + t)) for t in ticks],
        [f"{t:,.0f}" for t in ticks],
    )


def colour_by_time(seconds, label: str = "first seen") -> Colouring:
    """Colours by a timestamp (seconds since the epoch); the colour bar shows dates."""
    s = np.asarray(seconds, dtype=np.float64)
    lo, hi = float(np.nanmin(s)), float(np.nanmax(s))
    ticks = np.linspace(lo, hi, 5) if hi > lo else np.array([lo])
    texts = [np.datetime64(int(t), "s").astype("datetime64[D]").astype(str) for t in ticks]
    return Colouring(label, s, False, "Plasma", ticks.tolist(), texts)


def hover_texts(
    titles,
    categories: list[list[str]] | None = None,
    popularity=None,
    extra: list[str] | None = None,
    popularity_label: str = "interactions",
) -> np.ndarray:
    """Escaped plain-text hover labels: title, categories, popularity (and an extra line)."""
    out = []
    for i, title in enumerate(titles):
        lines = [f"<b>{html.escape(str(title))}</b>"]
        if categories is not None and categories[i]:
            lines.append(html.escape(", ".join(str(c) for c in categories[i])))
        if popularity is not None:
            lines.append(f"{popularity[i]:,.0f} {popularity_label}")
        if extra is not None and extra[i]:
            lines.append(html.escape(str(extra[i])))
        out.append("<br>".join(lines))
    return np.asarray(out, dtype=object)


def popularity_sizes(popularity, smallest: float = 3.0, largest: float = 14.0) -> np.ndarray:
    """Marker sizes growing with log popularity."""
    logs = np.log1p(np.clip(np.asarray(popularity, dtype=np.float64), 0, None))
    span = logs.max() - logs.min() if len(logs) else 0
    scaled = (logs - logs.min()) / span if span > 0 else np.zeros_like(logs)
    return smallest + (largest - smallest) * scaled


def cluster_centres(
    coords: np.ndarray, labels: np.ndarray, names: dict[int, str]
) -> list[tuple[str, np.ndarray]]:
    """(name, centre) per cluster: the member point nearest the cluster's median (always on it)."""
    out = []
    for c in sorted(names):
        if c < 0:
            continue
        members = np.flatnonzero(labels == c)
        if len(members) == 0:
            continue
        med = np.median(coords[members], axis=0)
        nearest = members[np.argmin(((coords[members] - med) ** 2).sum(axis=1))]
        out.append((names[c], coords[nearest]))
    return out


def sample_indices(
    n: int, max_points: int, seed: int, keep: np.ndarray | None = None
) -> np.ndarray:
    """All indices when n <= max_points, else a sorted seeded sample that includes ``keep``."""
    if n <= max_points:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(n, size=max_points, replace=False)
    if keep is not None and len(keep):
        chosen = np.union1d(chosen, np.asarray(keep, dtype=np.int64))
    return np.sort(chosen)


def density_trace(coords: np.ndarray) -> go.Histogram2dContour:
    """Density contours of 2-D points (grey lines, no hover), drawn under a crowded map."""
    return go.Histogram2dContour(
        x=coords[:, 0],
        y=coords[:, 1],
        name="density",
        ncontours=10,
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(60,60,60,0.9)"]],
        contours={"coloring": "lines", "showlabels": False},
        line={"width": 0.7},
        showscale=False,
        showlegend=False,
        hoverinfo="skip",
        nbinsx=60,
        nbinsy=60,
    )


def static_figure(fig: go.Figure, subtitle: str = "") -> go.Figure:
    """A copy of a map figure for a file: SVG-friendly traces, a legend at the side, a subtitle.

    WebGL traces (Scattergl) become Scatter so an SVG holds real vector points.
    """
    out = go.Figure(fig)
    data = []
    for tr in out.data:
        if isinstance(tr, go.Scattergl):
            props = tr.to_plotly_json()
            props.pop("type", None)
            tr = go.Scatter(**props)
        data.append(tr)
    out = go.Figure(data=data, layout=out.layout)
    title = out.layout.title.text or ""
    if subtitle:
        title = f"{title}<br><sup>{html.escape(subtitle)}</sup>"
    out.update_layout(
        title={"text": title, "x": 0.01},
        legend={"orientation": "v", "x": 1.01, "y": 1, "xanchor": "left", "yanchor": "top"},
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        paper_bgcolor="white",
    )
    return out


def placeholder_figure(n_points: int, height: int = 640) -> go.Figure:
    """What stands where the map will be while it is computed: the number of points to place.

    It has no axes (nothing to select), and it makes the browser load plotly's code while the
    server computes, instead of after (measured: plotly's first chart costs the browser 2-3 s).
    """
    fig = go.Figure(
        go.Indicator(
            mode="number",
            value=n_points,
            number={"valueformat": ",", "font": {"size": 40, "color": "#888"}},
            title={"text": "points being placed on the map…", "font": {"color": "#888"}},
        )
    )
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def export_image(fig: go.Figure, fmt: str = "png", width: int = 1400, height: int = 900) -> bytes:
    """The map as a PNG or SVG file (plotly's static export through kaleido and Chromium)."""
    from recsys.errors import RecsysError

    if fmt not in ("png", "svg"):
        raise RecsysError(f"Images are PNG or SVG, not {fmt!r}.")
    try:
        return fig.to_image(format=fmt, width=width, height=height, scale=2 if fmt == "png" else 1)
    except Exception as exc:  # noqa: BLE001 - kaleido/Chromium missing or failing: say so
        raise RecsysError(
            "Could not draw the map as an image: plotly's static export needs the kaleido "
            f"package and a Chrome/Chromium browser ({type(exc).__name__}: {exc})."
        ) from exc


def _trace(dims: int, coords: np.ndarray, svg: bool = False, **kwargs):
    if dims == 3:
        return go.Scatter3d(x=coords[:, 0], y=coords[:, 1], z=coords[:, 2], **kwargs)
    kind = go.Scatter if svg else go.Scattergl
    return kind(x=coords[:, 0], y=coords[:, 1], **kwargs)


def map_figure(
    coords: np.ndarray,
    colouring: Colouring,
    hover: np.ndarray,
    *,
    codes: np.ndarray | None = None,
    sizes: np.ndarray | None = None,
    highlight: int | None = None,
    neighbours: np.ndarray | None = None,
    labels_at: list[tuple[str, np.ndarray]] | None = None,
    title: str = "",
    max_points: int = MAX_POINTS,
    seed: int = 0,
    height: int = 640,
    weak: np.ndarray | None = None,
    density: bool = False,
) -> tuple[go.Figure, str | None]:
    """A 2-D (Scatter up to :data:`SVG_UP_TO` drawn points, else Scattergl) or 3-D (Scatter3d)
    map; returns (figure, notice or None).

    Parameters
    ----------
    coords : (n, 2 or 3) coordinates.
    colouring : how to colour the points.
    hover : escaped hover text per point (see :func:`hover_texts`).
    codes : customdata per point (default: the point's index).
    sizes : marker size per point (default 5 in 2-D, 3 in 3-D).
    highlight : index of a searched point, drawn as a large star; the view centres on it.
    neighbours : indices of its embedding-space neighbours, drawn as rings.
    labels_at : (text, position) pairs drawn as labels (cluster names at their centres).
    weak : boolean per point: low-support points, drawn smaller and fainter (never dropped).
    density : draw density contours under the points (2-D only; for crowded maps).
    """
    coords = np.asarray(coords, dtype=np.float64)
    n, dims = coords.shape
    codes = np.arange(n) if codes is None else np.asarray(codes)
    keep = [highlight] if highlight is not None else []
    if neighbours is not None:
        keep = keep + list(neighbours)
    shown = sample_indices(n, max_points, seed, np.asarray(keep, dtype=np.int64))
    notice = None
    if len(shown) < n:
        notice = (
            f"{n:,} points: drawing a random sample of {len(shown):,} (seed {seed}) so the browser "
            "stays responsive. Clusters, faithfulness and search use all points."
        )
    base_size = 5.0 if dims == 2 else 3.0
    size = np.full(n, base_size) if sizes is None else np.asarray(sizes, dtype=np.float64)
    if dims == 3 and sizes is not None:
        size = size * 0.6
    weak = np.zeros(n, dtype=bool) if weak is None else np.asarray(weak, dtype=bool)
    size = np.where(weak, size * WEAK_SIZE, size)
    opacity = np.where(weak, WEAK_OPACITY, OPACITY)
    fig = go.Figure()
    if density and dims == 2:
        fig.add_trace(density_trace(coords[shown]))
    common = {
        "mode": "markers",
        "hovertemplate": "%{text}<extra></extra>",
        "svg": len(shown) <= SVG_UP_TO,
    }
    if colouring.categorical:
        counts = Counter(colouring.values[shown].tolist())
        order = [v for v, _ in counts.most_common() if v not in (OTHER, NO_CATEGORY)]
        order += [v for v in (OTHER, NO_CATEGORY) if v in counts]
        for k, value in enumerate(order):
            idx = shown[colouring.values[shown] == value]
            colour = GREY if value in (OTHER, NO_CATEGORY) else PALETTE[k % len(PALETTE)]
            fig.add_trace(
                _trace(
                    dims,
                    coords[idx],
                    name=f"{value} ({len(idx):,})",
                    text=hover[idx],
                    customdata=codes[idx].tolist(),
                    marker={
                        "size": size[idx],
                        "color": colour,
                        "opacity": opacity[idx] if weak.any() else OPACITY,
                        "line": {"width": 0},
                    },
                    **common,
                )
            )
    else:
        colorbar = {"title": {"text": colouring.label}, "thickness": 14}
        if colouring.tick_values is not None:
            colorbar.update(tickvals=colouring.tick_values, ticktext=colouring.tick_texts)
        fig.add_trace(
            _trace(
                dims,
                coords[shown],
                name=colouring.label,
                text=hover[shown],
                customdata=codes[shown].tolist(),
                showlegend=False,
                marker={
                    "size": size[shown],
                    "color": colouring.values[shown],
                    "colorscale": colouring.colorscale,
                    "showscale": True,
                    "colorbar": colorbar,
                    "opacity": opacity[shown] if weak.any() else 0.8,
                    "line": {"width": 0},
                },
                **common,
            )
        )
    if neighbours is not None and len(neighbours):
        nb = np.asarray(neighbours, dtype=np.int64)
        fig.add_trace(
            _trace(
                dims,
                coords[nb],
                name="nearest in embedding",
                text=hover[nb],
                customdata=codes[nb].tolist(),
                marker={
                    "size": 13 if dims == 2 else 6,
                    "color": "rgba(0,0,0,0)",
                    "line": {"width": 2, "color": "#111111"},
                    "symbol": "circle-open" if dims == 3 else "circle",
                },
                **common,
            )
        )
    if highlight is not None:
        fig.add_trace(
            _trace(
                dims,
                coords[[highlight]],
                name="searched item",
                text=hover[[highlight]],
                customdata=codes[[highlight]].tolist(),
                marker={
                    "size": 22 if dims == 2 else 9,
                    "color": "#FFD700",
                    "symbol": "star" if dims == 2 else "diamond",
                    "line": {"width": 2, "color": "#111111"},
                },
                **common,
            )
        )
    annotations = [
        {
            "text": html.escape(str(name)),
            "showarrow": False,
            "font": {"size": 12, "color": "#111111"},
            "bgcolor": "rgba(255,255,255,0.75)",
            "borderpad": 2,
            "x": float(p[0]),
            "y": float(p[1]),
            **({"z": float(p[2])} if dims == 3 else {}),
        }
        for name, p in (labels_at or [])
    ]
    layout = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": TITLE_MARGIN if title else 10, "b": 10},
        # a horizontal legend under the map leaves the full width to the points
        "legend": {
            "itemsizing": "constant",
            "orientation": "h",
            "yanchor": "top",
            "y": -0.01,
            "xanchor": "left",
            "x": 0,
            "title": {"text": colouring.label if colouring.categorical else ""},
        },
        "hoverlabel": {"align": "left"},
        "uirevision": title,
        "plot_bgcolor": "white",
    }
    if title:
        # just above the plot area, under the mode bar (which covered a long title)
        layout["title"] = {
            "text": html.escape(title),
            "x": 0.01,
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "pad": {"b": 8},
            "font": {"size": 15},
        }
    if dims == 2:
        axis = {"showgrid": False, "zeroline": False, "showticklabels": False, "title": None}
        layout.update(xaxis=dict(axis), yaxis=dict(axis), dragmode="lasso", annotations=annotations)
        if highlight is not None:
            span = coords.max(axis=0) - coords.min(axis=0)
            c = coords[highlight]
            layout["xaxis"]["range"] = [c[0] - span[0] / 4, c[0] + span[0] / 4]
            layout["yaxis"]["range"] = [c[1] - span[1] / 4, c[1] + span[1] / 4]
    else:
        axis3 = {"showticklabels": False, "title": "", "showgrid": True}
        scene = {"xaxis": axis3, "yaxis": axis3, "zaxis": axis3, "annotations": annotations}
        if highlight is not None:
            lo, hi = coords.min(axis=0), coords.max(axis=0)
            rel = (coords[highlight] - (lo + hi) / 2) / np.where(hi > lo, hi - lo, 1)
            scene["camera"] = {
                "center": {"x": float(rel[0]), "y": float(rel[1]), "z": float(rel[2])}
            }
        layout["scene"] = scene
    fig.update_layout(**layout)
    return fig, notice
