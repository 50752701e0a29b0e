"""Data: choose a source (demo, upload, MovieLens), check the mapping, and see the profile."""

import streamlit as st

from app_ui import data_forms as _data
from app_ui import state
from app_ui.common import demo_dataset, get_dataset, set_dataset
from app_ui.data_profile import profile
from app_ui.saved_datasets import saved_datasets_panel
from recsys.data.limits import format_bytes, max_bytes
from recsys.data.movielens import LICENSE_NOTE, RELEASES, cached_path, load_movielens
from recsys.errors import RecsysError

st.title("Data")
st.caption(
    "Load interactions (who did what, optionally with a rating and a time) and see what they "
    "look like. The loaded dataset is used by every other page."
)

SOURCES = ["Demo catalogue", "Upload a file", "Download MovieLens", "Server data folder"]
source = st.radio(
    "Source", SOURCES, horizontal=True, key="data_source", label_visibility="collapsed"
)

if source == SOURCES[0]:
    st.markdown(
        "A fictional catalogue of 1,500 titles in 12 planted genres and 2,000 users with planted "
        "tastes. It ships with the app and needs no network."
    )
    if get_dataset().report.get("layout") == "demo":
        st.success("The demo catalogue is loaded.", icon=":material/check_circle:")
    elif st.button("Use the demo catalogue", type="primary"):
        set_dataset(demo_dataset())
        st.session_state.pop(state.DATA_LOADED_DIGEST, None)
        st.rerun()

elif source == SOURCES[1]:
    st.markdown(
        "CSV/TSV (comma, semicolon, tab or `::`, any header), Parquet, `.gz`, or a `.zip` with an "
        "interactions file and optionally an items file. MovieLens and Last.fm HetRec archives are "
        f"recognised as they are. Up to {format_bytes(max_bytes())}."
    )
    upload = st.file_uploader("Interactions file", type=_data.UPLOAD_TYPES, key="data_upload")
    if upload is not None:
        _data.handle_upload(upload.name, upload.getvalue())

elif source == SOURCES[2]:
    key = st.selectbox(
        "Release", list(RELEASES), format_func=lambda k: RELEASES[k].label, key="ml_release"
    )
    release = RELEASES[key]
    cached = cached_path(key).exists()
    st.caption(
        f"From files.grouplens.org, about {release.approx_mb:g} MB"
        + (" (already downloaded; loads from the cache)." if cached else ".")
        + f" {LICENSE_NOTE}"
    )
    if st.button("Download and load" if not cached else "Load", type="primary"):
        bar, update = _data.progress_bar(f"Fetching {key}…")
        try:
            set_dataset(load_movielens(key, progress=update))
            st.session_state.pop(state.DATA_LOADED_DIGEST, None)
            bar.empty()
            st.rerun()
        except RecsysError as exc:
            _data.report_error(exc)
        finally:
            bar.empty()

else:  # files the operator put in RECSYS_DATA_DIR (nothing outside it can be named)
    _data.server_source()

st.divider()
saved_datasets_panel()  # kept in the workspace: open again or delete

st.divider()
profile(get_dataset())
