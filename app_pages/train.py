"""Train: pick a model, set its hyperparameters, watch it learn, keep it in the workspace.

Widgets and runs: app_ui.train_panels; the saved-model list: app_ui.saved_models; what the page
says: recsys.train_text; fitting and searching: recsys.training and recsys.evaluation.tuning.
"""

from __future__ import annotations

import streamlit as st

from app_ui import train_panels as P
from app_ui.common import get_dataset, md_escape
from app_ui.saved_models import saved_models
from recsys import train_text

st.title("Train a model")
ds = get_dataset()
st.caption(f"On **{md_escape(ds.name)}** · {train_text.dataset_summary(ds)}")
P.cancelled_notices()

left, right = st.columns([2, 3], gap="large")
with left:  # what to train, and how
    model_key, klass = P.model_choice()
    params = P.hyperparameters(model_key, klass)
    name = st.text_input(
        "Name (optional)",
        key="train_name",
        max_chars=80,
        help="Saved under this name in the workspace; leave empty for <model>-<data>-<time>.",
    )
    train = st.button("Train", type="primary", icon=":material/play_arrow:", key="train_go")
    tune = P.tune_controls(model_key, klass)

with right:  # the run as it happens, or what the last one gave
    status, chart = st.empty(), st.empty()
    if tune is not None:
        P.run_tuning(ds, model_key, name, params, tune, status, chart)
    if train:
        P.run_training(ds, model_key, name, params, status, chart)
    if tune is None and not train:
        P.show_last_run(status, chart)

st.divider()
saved_models(ds)
