"""What every page shares: the loaded dataset, the workspace, caching, errors, the sidebar.

Streamlit caching lives here, not in recsys/. A user's selections live in st.session_state.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from app_ui import state
from recsys.data.dataset import Dataset
from recsys.data.demo import load_demo
from recsys.errors import RecsysError

DATASET_KEY = state.DATASET


@st.cache_resource(show_spinner="Loading the demo catalogue…")
def demo_dataset() -> Dataset:
    """The offline demo, shared read-only by every session."""
    return load_demo()


def get_dataset() -> Dataset:
    """The dataset this session works on; the demo until the user loads another."""
    if DATASET_KEY not in st.session_state:
        st.session_state[DATASET_KEY] = demo_dataset()
    return st.session_state[DATASET_KEY]


def set_dataset(dataset: Dataset) -> None:
    """Make ``dataset`` this session's dataset (only called after it loaded without error)."""
    st.session_state[DATASET_KEY] = dataset


PAGES_DIR = Path(__file__).parent.parent / "app_pages"


def page_link(page: str, label: str, icon: str) -> None:
    """A link to ``app_pages/<page>.py`` when that page exists (only working pages are listed)."""
    if (PAGES_DIR / f"{page}.py").exists():
        st.page_link(str(PAGES_DIR / f"{page}.py"), label=label, icon=icon)


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
