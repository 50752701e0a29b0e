"""Whose workspace a session uses: the server's shared one, or a signed-in user's own.

Without Streamlit login configured (no ``[auth]`` section in ``.streamlit/secrets.toml``),
everyone who opens the server shares one workspace: saved datasets, models and evaluation runs
are visible to (and deletable by) all of them. What each browser session has *loaded* and
*picked* (dataset, model, user, item) is its own (``st.session_state``). With login configured,
a visitor must sign in, and each signed-in user gets a workspace of their own under
``<root>/users/`` (:meth:`recsys.store.Workspace.for_user`).
"""

from __future__ import annotations

import streamlit as st

from recsys.dataset_store import DatasetStore
from recsys.store import Workspace


def login_configured() -> bool:
    """True when the server has Streamlit login configured (st.user then has ``is_logged_in``)."""
    return "is_logged_in" in st.user


def signed_in_identity() -> str | None:
    """The signed-in user's e-mail (or subject), or None when nobody is signed in."""
    if not login_configured() or not st.user.get("is_logged_in"):
        return None
    identity = st.user.get("email") or st.user.get("sub")
    return str(identity) if identity else None


def workspace() -> Workspace:
    """This session's workspace: the shared one, or the signed-in user's own."""
    base = Workspace()
    identity = signed_in_identity()
    return base.for_user(identity) if identity else base


def dataset_store() -> DatasetStore:
    """The saved datasets of this session's workspace."""
    return DatasetStore(workspace().root)


def require_sign_in() -> None:
    """With login configured, stop here until the visitor signs in (each gets their own data)."""
    if not login_configured():
        return
    if st.user.get("is_logged_in"):
        with st.sidebar:
            st.text(f"Signed in as {st.user.get('name') or signed_in_identity()}")
            if st.button("Sign out", key="_sign_out"):
                st.logout()
        return
    st.title("Recsys Embedding Explorer")
    st.markdown(
        "This server keeps a separate workspace (datasets, models, evaluation runs) for each "
        "signed-in user. Sign in to continue."
    )
    if st.button("Sign in", type="primary"):
        st.login()
    st.stop()
