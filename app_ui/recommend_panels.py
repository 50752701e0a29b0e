"""Widgets shared by the Recommend page's tabs: filters, a list with explanations, the map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app_ui.common import md_escape
from recsys.data.dataset import Dataset
from recsys.explain.explanations import KIND_TEXT, Explanation, explain_items
from recsys.explain.filters import all_categories, allowed_mask, popularity_cap
from recsys.maps.projection import project
from recsys.maps.quality import support_of
from recsys.models.base import Recommender
from recsys.models.profile import Profile
from recsys.viz.explain import contribution_chart, neighbourhood_map

MAP_USERS = 3000  # other users drawn faintly on the joint map (a seeded sample above this)


def model_key(name: str, model: Recommender) -> str:
    """A cache key for a saved model (name + training time)."""
    return f"{name}:{getattr(model, 'fit_seconds_', 0.0)}:{model.dataset_fingerprint_}"


def filters(ds: Dataset, key: str) -> tuple[int, bool, np.ndarray | None, str]:
    """List length, exclude-seen and the ``allowed`` mask from filter widgets; plus a summary."""
    with st.expander("Filters", icon=":material/filter_alt:"):
        c1, c2, c3 = st.columns(3)
        n = c1.slider("How many", 5, 50, 10, key=f"{key}_n")
        seen = c1.checkbox("Exclude items already seen", True, key=f"{key}_seen")
        cats = all_categories(ds)
        inc = c2.multiselect("Only these categories", cats, key=f"{key}_inc")
        exc = c2.multiselect("Never these categories", cats, key=f"{key}_exc")
        top = c3.slider(
            "Hide the most popular items (%)",
            0,
            90,
            0,
            5,
            key=f"{key}_pop",
            help="Caps popularity to surface long-tail items: 10 hides the top 10% by users.",
        )
    cap = popularity_cap(ds, top / 100) if top else None
    mask = allowed_mask(ds, inc, exc, cap)
    summary = ", ".join(
        s
        for s in (
            f"only {', '.join(inc)}" if inc else "",
            f"no {', '.join(exc)}" if exc else "",
            f"at most {cap:,} users per item" if cap is not None else "",
        )
        if s
    )
    return n, seen, mask, summary


#: above this many users the picker lists the most active ones (a list of 160k ids took the
#: browser and the label function ~10 s per run at 25M); any id can still be typed
MAX_USER_OPTIONS = 5_000


@st.cache_data(max_entries=8, show_spinner=False)
def _most_active(_ds: Dataset, _model: Recommender, key: str, n: int) -> dict[str, int]:
    """{user id: interactions} of the ``n`` most active users of the model (cached)."""
    ids = np.asarray(_model.user_ids_.ids).astype(str)
    activity = np.asarray(_ds.user_activity)[: len(ids)]
    order = np.argsort(-activity, kind="stable")[:n]
    return dict(zip(ids[order].tolist(), activity[order].tolist(), strict=True))


def user_options(
    ds: Dataset, model: Recommender, key: str, current: str | None, extra: list[str]
) -> tuple[list[str], dict[str, int], bool]:
    """(ids to list, {id: interactions} for their labels, capped?) for the user picker.

    Every user when there are at most ``MAX_USER_OPTIONS``; otherwise the most active ones plus
    the current user and ``extra`` (e.g. the map selection).
    """
    n = len(model.user_ids_)
    top = _most_active(ds, model, key, min(n, MAX_USER_OPTIONS))
    wanted = [u for u in [current, *extra] if u is not None and u not in top]
    labels = dict(top)
    for u in wanted:
        labels[u] = int(ds.user_activity[model.user_ids_.index(u)])
    if n <= MAX_USER_OPTIONS:
        return [str(u) for u in model.user_ids_.ids], labels, False
    return list(dict.fromkeys([*wanted, *top])), labels, True


def recommendation_table(ds: Dataset, model: Recommender, recs: pd.DataFrame) -> pd.DataFrame:
    idx = model.item_ids_.indices(recs["item"])
    table = pd.DataFrame({"rank": recs["rank"].to_numpy(), "title": ds.titles[idx]})
    if ds.label_column:  # categories, else tags; no empty column when there are neither
        table[ds.label_column] = ds.label_texts(idx)
    return table.assign(score=recs["score"].to_numpy(), users=ds.item_popularity[idx])


def show_explained_list(
    ds: Dataset, model: Recommender, profile: Profile, recs: pd.DataFrame, key: str
) -> list[Explanation]:
    """The list as a table, then one expander per item with its reason and a bar chart."""
    if recs.empty:
        st.info("No item passes the filters; loosen them.", icon=":material/filter_alt_off:")
        return []
    st.dataframe(
        recommendation_table(ds, model, recs),
        hide_index=True,
        width="stretch",
        column_config={"score": st.column_config.NumberColumn(format="%.3f")},
    )
    expls = explain_items(model, ds, profile, list(recs["item"]))
    st.caption(f"Explanations: {KIND_TEXT[expls[0].kind].lower()}.")
    for rank, e in zip(recs["rank"], expls, strict=True):
        # the chart and table are drawn only in an open expander (opening one reruns the page):
        # ten plotly charts per list made picking a user slow, in Python and in the browser
        box = st.expander(f"{rank}. {e.title} — why?", key=f"{key}_why{rank}", on_change="rerun")
        with box:
            st.markdown(md_escape(e.reason))
            st.caption(_method_note(e))
            if not box.open:
                continue
            if not e.contributions.empty:
                st.plotly_chart(contribution_chart(e), width="stretch", key=f"{key}_c{rank}")
            if not e.similar_history.empty:
                st.caption("Most similar items in the history (cosine of item vectors):")
                st.dataframe(
                    e.similar_history.drop(columns="item"),
                    hide_index=True,
                    width="stretch",
                    column_config={"cosine": st.column_config.NumberColumn(format="%.2f")},
                )
    return expls


def _method_note(e: Explanation) -> str:
    note = f"{e.method}. Contributions sum to {e.score:.4g}"
    if abs(e.score - e.model_score) > 1e-3 * max(1.0, abs(e.model_score)):
        note += (
            f" (the ranking used {e.model_score:.4g}: the stored vector comes from an iterative "
            "solver, the explanation from the exact solve)"
        )
    return note + "."


@st.cache_data(max_entries=16, show_spinner="Drawing the map…")
def _joint_coords(
    key: str, _item_v: np.ndarray, _user_v: np.ndarray | None, extra: bytes
) -> np.ndarray:
    """PCA coordinates of items, (a sample of) users and extra points, projected together."""
    parts = [_item_v] + ([_user_v] if _user_v is not None else [])
    if extra:
        parts.append(np.frombuffer(extra, dtype=np.float32).reshape(-1, _item_v.shape[1]))
    return project(np.vstack(parts).astype(np.float32), method="pca", dims=2, metric="cosine")


def sampled_users(model: Recommender) -> tuple[np.ndarray | None, np.ndarray]:
    """User vectors drawn on the map (a seeded sample above MAP_USERS) and their indices."""
    users = getattr(model, "user_factors_", None)
    if users is None:
        return None, np.array([], dtype=np.int64)
    pick = np.arange(len(users))
    if len(users) > MAP_USERS:
        pick = np.sort(np.random.default_rng(0).choice(len(users), MAP_USERS, replace=False))
    return np.asarray(users[pick], dtype=np.float32), pick


def show_map(
    ds: Dataset,
    model: Recommender,
    mkey: str,
    history: np.ndarray,
    recs: pd.DataFrame,
    user_vector: np.ndarray | None,
    label: str,
    key: str,
    cold: tuple[np.ndarray, np.ndarray] | None = None,
    user_index: int | None = None,
    history_label: str = "history",
    title: str = "On the map, among all items and users: the history and the recommendations",
    expanded: bool = False,
) -> None:
    """Items, other users, the history, the recommendations and the user on one PCA map, in an
    expander drawn only when open (its label does not name the user, so it stays open for the
    next one).

    An existing user already among the drawn users is not projected again (the map is then
    cached for every user); a visitor's vector and cold-start vectors are projected with the rest.
    Measured on a 18.6k-item catalogue in Chromium, drawing the map took 0.4-1.5 s of each
    pick of a user (the list and its reasons: 0.5 s without it).
    """
    if not model.has_embeddings:
        st.caption("This model has no embeddings, so there is no map.")
        return
    box = st.expander(
        title,
        expanded=expanded,
        icon=":material/scatter_plot:",
        key=f"{key}_open",
        on_change="rerun",
    )
    with box:
        if not box.open:
            return
        users, picked = sampled_users(model)
        drawn = np.flatnonzero(picked == user_index) if user_index is not None else []
        extra = (
            []
            if user_vector is None or len(drawn)
            else [np.asarray(user_vector, np.float32)[None, :]]
        )
        if cold is not None and len(cold[0]):
            extra.append(np.asarray(cold[0], np.float32))
        blob = np.vstack(extra).astype(np.float32).tobytes() if extra else b""
        xy = _joint_coords(mkey, np.asarray(model.item_factors_, np.float32), users, blob)
        n_i, n_u = model.item_factors_.shape[0], 0 if users is None else len(users)
        rest = xy[n_i + n_u :]
        if len(drawn):
            user_xy = xy[n_i + int(drawn[0])]
        else:
            user_xy, rest = (rest[0], rest[1:]) if user_vector is not None else (None, rest)
        support = support_of(np.asarray(ds.item_popularity)[:n_i])
        fig = neighbourhood_map(
            xy[:n_i],
            ds.titles,
            history,
            model.item_ids_.indices(recs["item"]),
            user_xy=user_xy,
            user_label=label,
            other_users_xy=xy[n_i : n_i + n_u],
            cold_xy=rest if cold is not None else None,
            cold_titles=cold[1] if cold is not None else None,
            history_label=history_label,
            background=np.flatnonzero(support.mask),
        )
        st.plotly_chart(fig, width="stretch", key=key)
        left_out = (
            ""
            if support.complete
            else f" Grey: the {support.n_supported:,} of {support.n:,} items with at least "
            f"{support.floor} users (as on the Map page); the history and the recommendations are "
            "drawn whatever their support."
        )
        st.caption(
            "Joint PCA map of item and user vectors (cosine: vectors scaled to unit length first). "
            "PCA is used here because it is instant and places new points consistently; the Map page "
            f"has UMAP and t-SNE.{left_out}"
        )


def user_vector_of(model: Recommender, profile: Profile) -> np.ndarray | None:
    """The vector to draw for a user or visitor (None when the model has no user vectors)."""
    if not model.has_embeddings or getattr(model, "user_factors_", None) is None:
        return None
    return np.asarray(model.user_vector(profile), dtype=np.float32)
