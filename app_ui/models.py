"""Saved models in the UI: the workspace, a model picker, cached loading, the quick-train fallback.

Contract used by every page that needs a model:

- ``workspace()`` -> :class:`recsys.store.Workspace`
- ``model_picker(label, key, embeddings_only)`` -> ``(name, model)`` or None
- ``load_saved_model(name, fingerprint)`` -> a fitted Recommender (cached; treat read-only)
"""

from __future__ import annotations

import time

import streamlit as st

from app_ui import state
from app_ui.common import get_dataset, show_error
from app_ui.workspace import workspace as session_workspace
from recsys.errors import RecsysError, TrainingCancelled
from recsys.models.base import Recommender
from recsys.store import ModelInfo, Workspace
from recsys.training import train_and_save

#: session_state key of the model chosen last on any page (pages start from it)
ACTIVE_MODEL_KEY = state.ACTIVE_MODEL


def workspace() -> Workspace:
    """This session's workspace (root from $RECSYS_WORKSPACE, default ./workspace): shared by
    everyone on the server, or the signed-in user's own when login is configured."""
    return session_workspace()


@st.cache_resource(show_spinner="Loading the saved model…", max_entries=16)
def _load_cached(root: str, name: str, fingerprint: str, created_at: str) -> Recommender:
    return Workspace(root).load_model(name)


def load_saved_model(name: str, fingerprint: str, created_at: str = "") -> Recommender:
    """A saved model, loaded once per server and shared by sessions: treat it as read-only.

    ``fingerprint`` (and ``created_at``) are part of the cache key, so a model saved again
    under the same name is loaded afresh.
    """
    if not created_at:
        created_at = workspace().info(name).created_at
    return _load_cached(str(workspace().root), name, fingerprint, created_at)


def clear_model_cache() -> None:
    """Forget cached models (after a rename or delete)."""
    _load_cached.clear()


def models_for_dataset(
    fingerprint: str, embeddings_only: bool = False
) -> tuple[list[ModelInfo], list[ModelInfo], list[str]]:
    """(models trained on this dataset, models for other datasets, problems)."""
    infos, problems = workspace().list_models()
    mine = [
        i for i in infos if i.matches(fingerprint) and (i.has_embeddings or not embeddings_only)
    ]
    others = [i for i in infos if not i.matches(fingerprint)]
    return mine, others, problems


def set_active_model(name: str) -> None:
    st.session_state[ACTIVE_MODEL_KEY] = name


def model_picker(
    label: str = "Model",
    key: str = "model",
    embeddings_only: bool = True,
    compare_with: str | None = None,
) -> tuple[str, Recommender] | None:
    """A selectbox of saved models trained on the current dataset; returns (name, model).

    When there are none, shows a short note and a "Train a quick ALS model" button. A second
    picker for comparisons passes ``compare_with`` (the first model's name): it starts on a
    different model and does not change the active model of the other pages.
    """
    ds = get_dataset()
    try:
        mine, _, _ = models_for_dataset(ds.fingerprint, embeddings_only)
    except RecsysError as exc:
        show_error(exc)
        return None
    if not mine and demo_default_model(ds):
        mine, _, _ = models_for_dataset(ds.fingerprint, embeddings_only)
    if not mine:
        st.info(
            "No saved model for this dataset yet. Train one on the Train page, or start with a "
            "quick ALS model (a few seconds on the demo).",
            icon=":material/model_training:",
        )
        if st.button("Train a quick ALS model", key=f"{key}_quick_train", type="primary"):
            quick_train(ds)
        return None
    by_name = {i.name: i for i in mine}
    names = list(by_name)
    # the model chosen last anywhere (Train page, another picker) wins over this picker's memory
    remembered = st.session_state.get(f"_{key}_choice")
    if compare_with is None:
        remembered = st.session_state.get(ACTIVE_MODEL_KEY) or remembered
    elif remembered not in by_name:
        remembered = next((n for n in names if n != compare_with), compare_with)
    index = names.index(remembered) if remembered in by_name else 0
    widget = f"{key}_select"
    if widget in st.session_state and st.session_state[widget] not in by_name:
        del st.session_state[widget]  # the model was deleted or renamed
    name = st.selectbox(
        label,
        names,
        index=index,
        key=widget,
        on_change=None if compare_with else lambda: set_active_model(st.session_state[widget]),
        format_func=lambda n: f"{n} ({by_name[n].label})",
        help="Saved models trained on the loaded dataset. Train more on the Train page.",
    )
    st.session_state[f"_{key}_choice"] = name
    if compare_with is None:
        set_active_model(name)  # the model a page shows is the active one (and in the URL)
    info = by_name[name]
    try:
        model = load_saved_model(name, info.dataset_fingerprint, info.created_at)
    except RecsysError as exc:
        show_error(exc)
        return None
    return name, model


# ---------------------------------------------------------------- the demo's ready model
#: name of the model trained automatically for the demo (a product team's demo starts on Map or
#: Recommend: it must not begin with "train a model first")
DEMO_DEFAULT_MODEL = "als-demo"


@st.cache_resource(show_spinner=False, max_entries=8)
def _demo_default_trained(root: str, fingerprint: str, _ds) -> str | None:
    """Train and save ALS at its defaults for the demo, once per (workspace, demo version).

    ``st.cache_resource`` runs this once per key even when several sessions arrive together;
    the model is saved, so a restarted server finds it and trains nothing.
    """
    return train_demo_model(Workspace(root), _ds)


def train_demo_model(ws: Workspace, demo) -> str | None:
    """Train and save ALS at its defaults on the demo as the ready model; its name (None when
    training failed: the pages then offer their "Train a quick ALS model" button)."""
    try:
        _, info = train_and_save(
            "als", {}, demo, name=ws.unique_name(DEMO_DEFAULT_MODEL), workspace=ws
        )
    except RecsysError:
        return None
    return info.name


def demo_default_model(ds) -> bool:
    """On the demo with no saved model, train the default model (ALS, ~1 s) without a click.

    Returns True when a model was trained. Other datasets keep the explicit button: training
    on a large upload is the user's decision.
    """
    if ds.report.get("layout") != "demo":
        return False
    with st.spinner("Training a quick ALS model on the demo catalogue (first visit only)…"):
        name = _demo_default_trained(str(workspace().root), ds.fingerprint, ds)
    if name is None:
        return False
    if not st.session_state.get(ACTIVE_MODEL_KEY):
        set_active_model(name)
    return True


def quick_train(ds) -> None:
    """Train ALS with default settings, save it, make it the active model, rerun."""
    bar = st.progress(0.0, text="Training ALS…")
    start = time.perf_counter()

    def progress(step: int, total: int, info: dict) -> None:
        bar.progress(
            min(step / max(total, 1), 1.0),
            text=f"Training ALS: iteration {step}/{total} · {time.perf_counter() - start:.1f} s",
        )

    try:
        _, info = train_and_save("als", {}, ds, progress=progress, workspace=workspace())
    except TrainingCancelled:
        st.warning("Training cancelled; nothing was saved.")
        return
    except RecsysError as exc:
        show_error(exc)
        return
    set_active_model(info.name)
    st.rerun()
