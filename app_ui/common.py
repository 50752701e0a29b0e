"""What every page shares: the loaded dataset, the workspace, caching, errors, the sidebar.

Streamlit caching lives here, not in recsys/. A user's selections live in st.session_state.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from app_ui import state
from app_ui.workspace import dataset_store
from recsys.data.dataset import Dataset
from recsys.data.demo import load_demo
from recsys.dataset_store import DatasetStore
from recsys.errors import RecsysError

DATASET_KEY = state.DATASET
#: what state.DATASET_SAVED holds for the demo (it ships with the app and is never copied)
DEMO = "demo"


@st.cache_resource(show_spinner="Loading the demo catalogue…")
def demo_dataset() -> Dataset:
    """The offline demo, shared read-only by every session."""
    return load_demo()


def get_dataset() -> Dataset:
    """The dataset this session works on; the demo until the user loads another."""
    if DATASET_KEY not in st.session_state:
        st.session_state[DATASET_KEY] = demo_dataset()
    return st.session_state[DATASET_KEY]


def set_dataset(dataset: Dataset, saved_key: str | None = None) -> None:
    """Make ``dataset`` this session's dataset (only called after it loaded without error).

    Anything but the demo is kept in the workspace (Parquet, see recsys.dataset_store), so a
    reload, a restart or a shared link opens it again; ``saved_key`` says it already is.
    """
    st.session_state[DATASET_KEY] = dataset
    if dataset.report.get("layout") == "demo":
        st.session_state[state.DATASET_SAVED] = DEMO
        return
    if saved_key is None:
        try:
            with st.spinner("Keeping a copy in the workspace…"):
                saved_key = dataset_store().save(dataset).key
        except RecsysError as exc:
            st.session_state.pop(state.DATASET_SAVED, None)
            st.toast(
                f"The dataset is loaded but could not be kept in the workspace, so a reload will "
                f"not bring it back: {md_escape(exc)}",
                icon=":material/warning:",
            )
            return
    st.session_state[state.DATASET_SAVED] = saved_key


@st.cache_resource(max_entries=4, show_spinner="Opening the saved dataset…")
def _load_saved(root: str, key: str, created_at: str) -> Dataset:
    return DatasetStore(root).load(key)


def open_saved_dataset(key: str) -> Dataset:
    """Load a saved dataset of this workspace (cached, shared read-only) and make it current.

    Raises RecsysError (unknown key, damaged copy); the current dataset then stays.
    """
    store = dataset_store()
    info = store.info(key)
    ds = _load_saved(str(store.root), key, info.created_at)
    set_dataset(ds, saved_key=key)
    return ds


PAGES_DIR = Path(__file__).parent.parent / "app_pages"


def page_link(page: str, label: str, icon: str) -> None:
    """A link to ``app_pages/<page>.py`` when that page exists (only working pages are listed)."""
    if (PAGES_DIR / f"{page}.py").exists():
        st.page_link(str(PAGES_DIR / f"{page}.py"), label=label, icon=icon)


def count(n: int, noun: str) -> str:
    """``n`` with its noun, plural when needed: "1 user", "2,000 users"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def switch_to(page: str) -> None:
    """Go to ``app_pages/<page>.py`` (by absolute path: the entry script may live in app_ui/)."""
    st.switch_page(str(PAGES_DIR / f"{page}.py"))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """User text (titles, file and column names) shown literally in markdown-rendering elements."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def show_error(error: Exception) -> None:
    """Show a library error as a plain message (never a traceback for a RecsysError).

    The message may quote user text (file names, cells), so markdown is escaped.
    """
    if isinstance(error, RecsysError):
        st.error(md_escape(error), icon=":material/error:")
    else:
        st.error(
            f"Something went wrong ({type(error).__name__}: {md_escape(error)}). Your data and models are "
            "unchanged; please report this with the file you used.",
            icon=":material/error:",
        )


def sidebar() -> None:
    """Which dataset (and model) this session is using."""
    ds = get_dataset()
    with st.sidebar:
        st.caption("Dataset")
        st.text(ds.name)
        st.caption(f"{ds.n_users:,} users · {ds.n_items:,} items · {ds.n_interactions:,} interactions")
