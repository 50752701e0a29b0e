"""The Recommend page's "Build your own profile" tab: pick items, rate them, get recommendations.

Nothing is written to the dataset or the workspace: the picks live in this session only.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_ui.recommend_panels import filters, show_explained_list, show_map, user_vector_of
from recsys.data.dataset import Dataset
from recsys.models.base import Recommender
from recsys.models.profile import Profile

PICKS_KEY = "profile_picks"
NO_RATING = "–"


def rating_scale(ds: Dataset) -> list[float]:
    """The rating values a visitor can give: the distinct ratings in the data (half stars on
    MovieLens), or five even steps over the scale when there are many distinct values."""
    lo, hi = ds.rating_scale
    values = np.unique(np.asarray(ds.values, dtype=np.float64))
    if 1 < len(values) <= 20:
        return [float(v) for v in values]
    return [float(v) for v in np.linspace(lo, hi, 5)]


def dislike_below(scale: list[float]) -> float:
    """Ratings below the middle of the scale (3★ on 1-5, 2.75★ on 0.5-5) are dislikes."""
    return (scale[0] + scale[-1]) / 2


def visitor_profile(
    model: Recommender,
    ids: list[str],
    ratings: np.ndarray,
    rated: np.ndarray,
    dislike: float | None = None,
) -> Profile:
    """The visitor's picks as a profile. With ratings (``dislike`` given), a rating below
    ``dislike`` goes to the model as a negative value; the rating itself is shown in reasons."""
    ratings = np.asarray(ratings, dtype=np.float64)
    rated = np.asarray(rated, dtype=bool)
    explicit = dislike is not None and bool(rated.any())
    values = np.where(ratings < dislike, -ratings, ratings) if explicit else ratings
    profile = Profile.of_items(model, ids, list(values), explicit=explicit, rated=list(rated))
    if explicit:
        profile.shown = ratings
    return profile


def ratings_matter(model: Recommender, profile: Profile, top: float) -> bool:
    """Whether this model's scores for the profile change when every rating is ``top`` instead.

    Some models use rating values (raw-weighted ALS, EASE, the rating model); others count an
    interaction as 1 whatever its rating (binarised ALS, the default), so the page says which.
    """
    if profile.rated is None or not np.any(profile.rated):
        return True  # nothing to compare; the caption asks for ratings
    same = Profile.of_items(
        model,
        list(model.item_ids_.ids[profile.items]),
        [top] * len(profile.items),
        explicit=True,
    )
    try:
        a, b = model.score_profile(profile), model.score_profile(same)
    except (AttributeError, NotImplementedError):
        return True
    return not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def profile_tab(ds: Dataset, model: Recommender, mkey: str) -> None:
    explicit = ds.feedback == "explicit" and ds.rating_scale is not None
    st.caption(
        "Pick a few items you know"
        + (", optionally rate them," if explicit else "")
        + " and get recommendations at once from a user vector folded in for you (nothing is "
        "saved; your picks stay in this browser tab)."
        + (
            ""
            if explicit
            else " This data records interactions without ratings, so every pick counts as "
            "one interaction."
        )
    )
    titles = ds.titles
    picks = st.multiselect(
        "Items you like (type to search titles)",
        options=list(range(ds.n_items)),
        format_func=lambda i: str(titles[i]),
        key=PICKS_KEY,
        placeholder="Search titles…",
        filter_mode="contains",
    )
    if not picks:
        st.info("Pick at least one item to see recommendations.", icon=":material/search:")
        return
    weights, rated = np.ones(len(picks)), np.zeros(len(picks), dtype=bool)
    top = 1.0
    if explicit:
        scale = rating_scale(ds)
        top, low = scale[-1], dislike_below(scale)
        st.caption(
            f"Rate your picks (optional); an unrated pick counts as {top:g}★ (liked). A rating "
            f"below {low:g}★ counts as a dislike: the model steers away from items like it "
            "(a negative value, as implicit's ALS treats negative feedback)."
        )
        cols = st.columns(3)
        for k, i in enumerate(picks):
            r = cols[k % 3].select_slider(
                str(titles[i]),
                [NO_RATING, *scale],
                value=NO_RATING,
                key=f"profile_rate_{ds.item_ids[i]}",
                format_func=lambda v: v if v == NO_RATING else f"{v:g}★",
            )
            rated[k] = r != NO_RATING
            weights[k] = float(r) if rated[k] else float(top)
    ids = [ds.item_ids[i] for i in picks]
    profile = visitor_profile(
        model, ids, weights, rated, dislike_below(rating_scale(ds)) if explicit else None
    )
    if explicit and rated.any() and not ratings_matter(model, profile, top):
        st.caption(
            f":material/info: {model.label} does not use rating values for a visitor (it "
            "works from which items were picked, or from binarised ratings), so your ratings "
            "appear in the reasons below but do not change the list. ALS and EASE take a "
            "dislike into account."
        )
    n, seen, mask, summary = filters(ds, "prof")
    st.subheader("Recommended for you")
    if summary:
        st.caption(f"Filtered: {summary}.")
    try:
        recs = model.recommend_profile(profile, n=n, exclude_seen=seen, allowed=mask)
    except AttributeError:
        st.info(f"{model.label} cannot score a new profile; pick a factor model such as ALS.")
        return
    show_explained_list(ds, model, profile, recs, key="prof")
    show_map(
        ds,
        model,
        mkey,
        profile.items,
        recs,
        user_vector_of(model, profile),
        "you are here",
        key="prof_map",
        history_label="your picks",
        title="On the map: where your picks place you among all items and users",
        expanded=True,
    )
