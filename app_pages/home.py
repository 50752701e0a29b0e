"""Home: what the app is for and how to start."""

import streamlit as st

from app_ui.common import get_dataset, page_link

st.title("Recsys Embedding Explorer")
st.markdown(
    "See what a recommender has learned. Train lightweight embedding models on your "
    "interaction data, explore items and users on interactive maps, and ask *what would this "
    "user get, and why?* and *what is near this item, and why?*"
)

st.subheader("Start in three steps")
c1, c2, c3 = st.columns(3)
with c1:
    st.markdown("**1. Load data**")
    st.caption(
        "The demo catalogue is already loaded. Upload a CSV, Parquet or zip, or fetch "
        "MovieLens on the Data page."
    )
    page_link("data", "Go to Data", ":material/table:")
with c2:
    st.markdown("**2. Train a model**")
    st.caption("ALS, BPR, PureSVD, item2vec, EASE and more train in seconds on the Train page.")
    page_link("train", "Go to Train", ":material/model_training:")
with c3:
    st.markdown("**3. Explore**")
    st.caption("Look at the map, the recommendations with their reasons, and the neighbours.")
    page_link("map", "Go to Map", ":material/scatter_plot:")

ds = get_dataset()
st.subheader("Loaded now")
st.text(ds.name)
stats = ds.stats()
cols = st.columns(4)
cols[0].metric("Users", f"{stats['users']:,}")
cols[1].metric("Items", f"{stats['items']:,}")
cols[2].metric("Interactions", f"{stats['interactions']:,}")
cols[3].metric("Density", f"{stats['density']:.2%}")
