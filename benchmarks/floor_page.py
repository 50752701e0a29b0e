"""A bare Streamlit page with one plotly map, shaped like the demo's item map (1,456 points in
14 traces, SVG markers, hover texts, lasso selection): what Streamlit and plotly alone cost a
browser. ``bench_pages --only floor`` serves it with ``streamlit run`` and times it."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

POINTS, TRACES = 1456, 14

st.title("Floor")
xy = np.random.default_rng(0).normal(size=(POINTS, 2))
fig = go.Figure(
    [
        go.Scatter(
            x=xy[k::TRACES, 0],
            y=xy[k::TRACES, 1],
            mode="markers",
            hovertext=[f"item {i}" for i in range(k, POINTS, TRACES)],
        )
        for k in range(TRACES)
    ]
)
fig.update_layout(height=700, dragmode="lasso")
st.plotly_chart(fig, on_select="rerun", key="map")
