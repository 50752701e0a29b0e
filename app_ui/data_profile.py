"""The Data page's profile: metrics, plain-words warnings, the profile charts and a preview."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_ui import state
from app_ui.common import md_escape
from recsys.data.dataset import Dataset
from recsys.data.layouts import LAYOUT_LABELS
from recsys.viz import data_profile


def _list_text(values) -> list[str]:
    return [", ".join(v) if isinstance(v, list) else "" for v in values]


def profile(ds: Dataset) -> None:
    """Summary metrics, plain-words warnings, the four profile charts and a preview."""
    stats = ds.stats()
    flash = st.session_state.pop(state.DATA_FLASH, None)
    if flash:
        st.success(md_escape(flash), icon=":material/check_circle:")
    st.subheader(f"Profile: {md_escape(ds.name)}")
    cols = st.columns(5)
    cols[0].metric("Users", f"{stats['users']:,}")
    cols[1].metric("Items", f"{stats['items']:,}")
    cols[2].metric("Interactions", f"{stats['interactions']:,}")
    cols[3].metric("Density", f"{stats['density']:.3%}")
    if ds.rating_scale is not None:
        cols[4].metric(
            "Ratings",
            f"{ds.rating_scale[0]:g} to {ds.rating_scale[1]:g}",
            help="Explicit feedback: the rating scale.",
        )
    else:
        cols[4].metric(
            "Feedback", ds.feedback, help="Implicit feedback: counts, clicks or plain interactions."
        )
    report = ds.report
    layout = report.get("layout_label") or LAYOUT_LABELS.get(
        report.get("layout", ""), report.get("layout", "")
    )
    st.caption(
        f"Layout: {layout}. Duplicates: {report.get('duplicates_policy', 'none in the demo files')}."
    )
    for warning in report.get("warnings", []):
        st.warning(md_escape(warning), icon=":material/warning:")
    steps = report.get("steps", [])
    if steps or report.get("mapping"):
        with st.expander("What the loader did", expanded=False):
            if report.get("mapping"):
                st.dataframe(
                    pd.DataFrame(
                        {
                            "role": list(report["mapping"]),
                            "column": list(report["mapping"].values()),
                        }
                    ),
                    hide_index=True,
                )
            for step in steps:
                st.text(step)
            if report.get("license"):
                st.caption(report["license"])
    left, right = st.columns(2)
    with left:
        st.plotly_chart(data_profile.popularity_long_tail(ds), key="fig-pop")
        st.plotly_chart(data_profile.rating_distribution(ds), key="fig-ratings")
    with right:
        st.plotly_chart(data_profile.user_activity_histogram(ds), key="fig-activity")
        over_time = data_profile.interactions_over_time(ds)
        if over_time is not None:
            st.plotly_chart(over_time, key="fig-time")
        else:
            st.info("No time column: the time chart and time-based splits are not available.")
    cats = data_profile.category_counts(ds)
    if cats is not None:
        st.plotly_chart(cats, key="fig-cats")
    items, hist = st.tabs(["Items", "Interactions"])
    with items:
        head = ds.items.head(500)
        view = pd.DataFrame(
            {
                "item": head["item_id"],
                "title": head["title"],
                "categories": _list_text(head["categories"]),
                "tags": _list_text(head["tags"]),
                "users": ds.item_popularity[: len(head)],
            }
        )
        st.dataframe(view, hide_index=True, width="stretch")
    with hist:
        n = min(500, ds.n_interactions)
        rows = pd.DataFrame(
            {
                "user": ds.user_ids.to_external(ds.user_index[:n]),
                "item": ds.item_ids.to_external(ds.item_index[:n]),
                "title": ds.titles[ds.item_index[:n]],
                "value": ds.values[:n],
            }
        )
        if ds.has_timestamps:
            rows["time"] = pd.to_datetime(ds.timestamps[:n], unit="s")
        st.dataframe(rows, hide_index=True, width="stretch")
