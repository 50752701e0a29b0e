"""The Learn page's plan: each lesson's words, knobs and notes, adapted to the loaded data.

The computations are in :mod:`recsys.lessons` and the figures in :mod:`recsys.viz.lessons`; this
module decides what the page *says* about them: the paragraph to read aloud and the "Try this"
prompt of each lesson (naming the item groups the data really has: genres, categories, tags or
none, through :class:`~recsys.lessons.LabelWords`), the knobs' choices and defaults, and the
notes that depend on a result (a rescaled user cloud, a sampled projection, the sparsity
metrics). Pure functions, tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from recsys.lessons import (
    FIRST_CATEGORY,
    MOST_USED_TAG,
    PLANTED,
    DotProduct,
    LabelWords,
    LengthEffect,
    NeighbourComparison,
)

INTRO = (
    "Six short lessons a teacher can read aloud. Each trains a small model on the data loaded "
    "now and lets you turn a knob and watch what it learned move."
)
#: embedding size of the model lessons 4, 5 and the sparsity lesson use
SHARED_FACTORS = 32
FACTOR_CHOICES = [2, 4, 8, 16, 32]
REG_CHOICES = [0.01, 0.1, 1.0, 10.0, 100.0]
#: lesson 1's knobs at first (regularisation, iterations); lesson 6 draws the same space
FACTOR_SPACE_DEFAULTS = (1.0, 15)
#: shares of training interactions dropped on lesson 6's curve (the chosen share is added)
DROP_GRID = [0.0, 0.2, 0.4, 0.6, 0.8, 0.9]
#: lesson 5 projects at most this many items (the most popular), so t-SNE and UMAP stay quick
PROJECTION_POINTS = 1000
SEED = 42
#: a user cloud rescaled by less than this (relative) is drawn without a note
SCALE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Lesson:
    """One lesson's words: its tab, heading, the paragraph to read aloud and the prompt."""

    tab: str
    title: str
    body: str
    prompt: str


def lessons_for(words: LabelWords) -> tuple[Lesson, ...]:
    """The six lessons, worded for the item groups of the loaded data (``words``)."""
    return (
        _embeddings(words),
        _dot_products(words),
        _factors(words),
        _neighbours(),
        _projections(),
        _sparsity(words),
    )


def _embeddings(w: LabelWords) -> Lesson:
    return Lesson(
        "1 Embeddings",
        "What is an embedding?",
        "A recommender gives every user and every item a short list of numbers, a vector. "
        "Here each vector has just **two** numbers, so we can draw it as a point with no "
        "projection at all: this is the model's own space. Nobody told the model what the "
        "items are about; it only saw who interacted with what. Items liked by the same "
        "people end up pointing the same way, and the further out an item sits, the more "
        "strongly the model believes in it (popular items sit far out).",
        "Set iterations to 1: the model has barely started and the colours are mixed. "
        f"Move it to 15 and watch the {w.many} pull apart into arms. With only two "
        "numbers the model can separate about two big groups of tastes: count how many "
        "colours share each arm. Then try regularisation 0.01 and 100."
        if w.labelled
        else "Set iterations to 1: the model has barely started and the points sit in one "
        "blob. Move it to 15 and watch items liked by the same people pull apart into "
        "arms. With only two numbers the model can separate about two big groups of "
        "tastes: hover over the tips of two arms and compare their titles. Then try "
        "regularisation 0.01 and 100.",
    )


def _dot_products(w: LabelWords) -> Lesson:
    return Lesson(
        "2 Dot products",
        "A score is a dot product",
        "To score an item for a user, multiply their vectors number by number and add the "
        "products up. Factors where both are large and of the same sign push the score up; "
        "opposite signs pull it down. The length of a vector matters as much as its "
        "direction: popular items get long vectors, so plain dot products favour them. "
        "**Cosine** similarity divides the lengths out and keeps only the direction.",
        (
            f"Pick an item from another {w.one} than the user's favourites: "
            if w.labelled
            else "Pick an item from the bottom of the dot-product list, far from the user's taste: "
        )
        + "which factors turn negative? Then compare the two top-10 lists: which one "
        "would you show on a home page, and which one finds the niche items?",
    )


def _factors(w: LabelWords) -> Lesson:
    body = (
        "Nobody names the factors: the model invents them. One way to read a factor is to "
        "look at the items at its two ends. "
    )
    return Lesson(
        "3 Factors",
        "What do factors mean?",
        body
        + (
            "Another is to group items whose vectors point the same way (k-means clusters) "
            f"and ask how well the groups match {w.reference}, scored by the adjusted Rand "
            "index: 1 is a perfect match, 0 is what random groups score."
            if w.labelled
            else "(Grouping the vectors and scoring the groups against known labels needs "
            "genres, categories or tags, which this data does not have; the demo catalogue "
            "has planted genres.)"
        ),
        f"With 2 factors, the ends mix several {w.many}; with 8 or more, each end is "
        f"mostly one {w.one}. On the curve, find the smallest embedding that recovers "
        f"the {w.many}, and note the grey line: the same clusters scored against "
        f"shuffled {w.many} stay at 0."
        if w.labelled
        else "With 2 factors, each end mixes very different items; with 8 or more, the ends "
        "grow coherent. Read the titles at both ends of one factor and try to name it, "
        "then move to the next factor.",
    )


def _neighbours() -> Lesson:
    return Lesson(
        "4 Neighbours",
        "Neighbours: cosine vs co-occurrence",
        "Two ways to find 'items like this one'. **Co-occurrence** counts the users who "
        "interacted with both: simple, but blockbusters co-occur with everything. "
        "**Cosine** compares the directions of the learned vectors: two items can be close "
        "even if few people saw both, as long as similar people liked them.",
        "Pick a niche item (low in the list): co-occurrence returns the hits everybody "
        "saw, cosine returns items of the same taste. Then pick the most popular item: "
        "do the two lists agree more?",
    )


def _projections() -> Lesson:
    return Lesson(
        "5 Projections",
        "Projections distort",
        f"Real embeddings have dozens of dimensions ({SHARED_FACTORS} here), so maps "
        "squash them to two. The same vectors look very different under PCA (a linear "
        "shadow), t-SNE and UMAP (which keep close neighbours close, at the price of "
        "distances between groups). **Trustworthiness** asks whether neighbours on the map "
        "are really neighbours; **kNN recall** asks how many true neighbours survive.",
        "Set n_neighbors to 2, then 100: UMAP's clusters shatter, then merge. Set min_dist "
        "to 0.9: the clusters puff up. Which map scores best on kNN recall, and is it the "
        "one that looks nicest?",
    )


def _sparsity(w: LabelWords) -> Lesson:
    return Lesson(
        "6 Sparsity",
        "Sparsity and cold start",
        "A model only knows what it has seen. Here we hide a share of the training "
        "interactions, retrain, and measure on the same held-out interactions "
        + (
            "two things: ranking quality (NDCG@10) and how well the item clusters still "
            f"match the {w.many} (ARI)."
            if w.labelled
            else "the ranking quality (NDCG@10)."
        ),
        f"Drop 80%: the {w.many} survive longer than ranking quality does. Then "
        f"replace the visitor's items with three from another {w.one} and watch the "
        f"star swing round; compare how {w.one}-pure the two top-5 lists are."
        if w.labelled
        else "Drop 80% and watch ranking quality fall. Then replace the visitor's items with "
        "three very different ones and watch the star swing round; compare the two top-5 "
        "lists: does the small model follow the new taste as well as the large one?",
    )


# ---------------------------------------------------------------------------- notes
def labels_note(source: str | None) -> str | None:
    """Where the colours come from when the data has no planted genres (None: planted)."""
    if source == PLANTED:
        return None
    if source in (FIRST_CATEGORY, MOST_USED_TAG):
        return (
            f"This data has no planted genres: colours show each item's {source}, a rough "
            "reference. The demo catalogue (Data page) has planted genres, which make this "
            "lesson sharper."
        )
    return (
        "This data has no genres, categories or tags, so items are not coloured. Load the "
        "demo catalogue on the Data page to see planted genres."
    )


def user_scale_note(user_scale: float) -> str | None:
    """Lesson 1: say that the user cloud is drawn rescaled (None when the factor is ~1)."""
    if abs(user_scale - 1) < SCALE_TOLERANCE:
        return None
    return (
        f"Users are drawn with their lengths multiplied by {user_scale:.3g} so both clouds "
        "fit; directions, and so every recommendation, are unchanged."
    )


def dot_product_note(dp: DotProduct) -> str:
    """Lesson 2: the products add up to the model's own score."""
    return (
        f"Sum of the {len(dp.products)} products: {dp.products.sum():.4f}. The model's score "
        f"for this pair: {dp.model_score:.4f}: the same number."
    )


def popularity_note(effect: LengthEffect) -> str:
    """Lesson 2: how much more popular the dot-product list is than the cosine list."""
    return (
        f"Median popularity: {effect.by_dot['popularity'].median():,.0f} users by dot product "
        f"vs {effect.by_cosine['popularity'].median():,.0f} by cosine."
    )


def neighbour_metrics(cmp: NeighbourComparison) -> list[tuple[str, str]]:
    """Lesson 4's three figures: (label, value)."""
    return [
        ("In both lists", f"{cmp.overlap} of {cmp.n}"),
        ("Median popularity, cosine", f"{cmp.median_popularity['cosine']:,.0f}"),
        (
            "Median popularity, co-occurrence",
            f"{cmp.median_popularity['co-occurrence']:,.0f}",
        ),
    ]


def projection_note(methods: Sequence[str], n_items: int) -> str | None:
    """Lesson 5: what is missing (UMAP still warming up) or left out (a sample), if anything."""
    if "umap" not in methods:
        return (
            "UMAP is warming up (its first run compiles for up to a minute); this lesson shows "
            "it as soon as it is ready."
        )
    if n_items > PROJECTION_POINTS:
        return f"The {PROJECTION_POINTS:,} most popular items are shown."
    return None


def drop_shares(selected: float) -> list[float]:
    """Lesson 6's curve: the grid plus the chosen share, ascending (0 first: the reference)."""
    return sorted(set(DROP_GRID) | {round(float(selected), 2)})


def sparsity_metrics(
    curve: pd.DataFrame, selected: float, words: LabelWords
) -> list[tuple[str, str, str | None]]:
    """Lesson 6's figures for the chosen share, with the change from nothing dropped:
    (label, value, delta). Cluster recovery (ARI) only when the data has item groups."""
    row = curve[curve["drop_share"] == round(float(selected), 2)].iloc[0]
    full = curve[curve["drop_share"] == 0.0].iloc[0]
    out = [
        ("Training interactions", f"{int(row['train_interactions']):,}", None),
        ("NDCG@10", f"{row['ndcg']:.3f}", f"{row['ndcg'] - full['ndcg']:+.3f}"),
    ]
    if words.labelled:
        out.append(
            (
                f"{words.one.capitalize()} recovery (ARI)",
                f"{row['ari']:.2f}",
                f"{row['ari'] - full['ari']:+.2f}",
            )
        )
    return out


FOLD_IN_INTRO = (
    "**Cold start.** A new visitor tells us three items they like. Without retraining, the "
    "model solves for the one vector that best explains those three choices. In the 2-factor "
    "space of lesson 1 we can draw where it lands."
)
FOLD_IN_NOTE = (
    "Only a user's direction matters for ranking, so the star is drawn at the items' scale. "
    "Its best items lie furthest along that direction. It need not point straight at the "
    "picks: ALS also treats every other item as a weak 'no', so it turns away from what "
    "everybody likes."
)
