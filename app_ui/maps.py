"""Caching and background work for the Map page (streamlit side; the logic lives in recsys/).

- :func:`start_umap_warm_up`: once per server (``st.cache_resource``) start a daemon thread that
  runs a tiny UMAP fit, so its numba kernels are loaded (or compiled, once per installation).
- :func:`map_coordinates`: UMAP and t-SNE maps come from the background worker
  (:mod:`recsys.maps.background`); the page draws PCA meanwhile and :func:`poll_until_drawn`
  says what it waits for.
- :func:`quality_of` and :func:`clusters_of`: a map's faithfulness / coherence and its clusters;
  on this thread for small maps (``INLINE_LIMIT``), else background jobs ("quality",
  "clusters") whose :class:`~recsys.maps.background.Job` the page polls (:func:`poll_until_done`).
- ``st.cache_data`` for coordinates, faithfulness, clusters and figures, keyed by
  (kind, embeddings fingerprint, projection parameters, …), so coming back to the page is instant.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

from app_ui import state
from app_ui.common import count, show_error, switch_to
from recsys.errors import RecsysError
from recsys.maps import background, projection
from recsys.maps.clusters import (
    CLUSTER_METHOD_LABELS,
    Clustering,
    cluster_embeddings,
    default_min_cluster_size,
)
from recsys.maps.embedding_set import EmbeddingSet
from recsys.maps.projection import Faithfulness, ProjectionParams
from recsys.maps.quality import Coherence, MapQuality, metadata_coherence
from recsys.viz.map_view import cluster_frame, shown_points, vectors_for

#: fingerprint of the embeddings the kept selection belongs to
SELECTION_OWNER_KEY = "_map_selection_owner"

#: maps of at most this many points get their quality scores and clusters on the page's thread:
#: measured on 25M-data ALS item vectors, 0.7 s at 5,000 points (1.7 s at 10,000), where a
#: background job adds a poll and a rerun; at 59k points 23 s (HDBSCAN 18 s) plus NN-descent's
#: compile (~45 s once per process), so bigger maps use the worker (:mod:`recsys.maps.background`)
INLINE_LIMIT = 5000
IMPORTED_KEY = state.MAP_IMPORTED
#: the Map page's projection before anyone changes a setting (its widgets' defaults)
DEFAULT_PROJECTION = ProjectionParams(
    method="umap", dims=2, metric="cosine", n_neighbors=15, min_dist=0.1, perplexity=30.0, seed=42
)


@st.cache_resource(show_spinner=False)
def start_umap_warm_up() -> threading.Thread:
    """Start UMAP's warm-up on a daemon thread, once per server process (``app_ui.serve`` has
    usually done it before the server started; then this returns at once)."""
    return projection.start_warm_up()


def embeddings_for_model(name: str, model, dataset) -> EmbeddingSet:
    """The EmbeddingSet of a (cached, read-only) model on ``dataset``, shared by every session.

    Shared (``st.cache_resource``, the last few) because what it builds once, such as the
    catalogue's labels and hover texts' inputs, is the slow part of a first map at 18k items.
    """
    return _shared_embeddings(name, id(model), dataset.fingerprint, model, dataset)


@st.cache_resource(max_entries=4, show_spinner=False)
def _shared_embeddings(
    name: str, model_id: int, dataset_fingerprint: str, _model, _dataset
) -> EmbeddingSet:
    # the set holds the model, so its id cannot be reused by another model while cached
    return EmbeddingSet.from_model(_model, _dataset, name=name)


def shown_vectors(es: EmbeddingSet, kind: str, show_all: bool) -> np.ndarray:
    """The vectors of the points drawn (supported ones unless ``show_all``)."""
    positions, _ = shown_points(es, kind, show_all)
    return vectors_for(es, kind)[positions]


def map_coordinates(
    kind: str, es: EmbeddingSet, params: ProjectionParams, show_all: bool
) -> tuple[np.ndarray, ProjectionParams, background.Job | None]:
    """(coordinates, the params they were made with, the job still running or None).

    PCA is computed here (cached). UMAP and t-SNE are computed by the background worker
    (:mod:`recsys.maps.background`): until the job is done the PCA map stands in for them and
    the job is returned, so the page can say what it waits for and poll.
    """
    if params.method == "pca":
        return coordinates(kind, es.fingerprint, params, show_all, es), params, None
    job = _map_job(kind, es, params, show_all)
    if job.state == background.DONE:
        return job.coords, params, None
    if job.state == background.FAILED:
        raise job.error
    pca = ProjectionParams(method="pca", dims=params.dims, metric=params.metric, seed=params.seed)
    return coordinates(kind, es.fingerprint, pca, show_all, es), pca, job


@dataclass(frozen=True)
class MapSettings:
    """The Map page's "Projection and cluster settings"."""

    n_neighbors: int
    min_dist: float
    perplexity: int
    seed: int
    cluster_method: str
    k: int
    min_size: int
    faith_k: int

    def projection(self, method: str, dims: int) -> ProjectionParams:
        return ProjectionParams(
            method, dims, "cosine", self.n_neighbors, self.min_dist, float(self.perplexity),
            self.seed,
        )  # fmt: skip

    @property
    def cluster_choice(self) -> ClusterChoice:
        return (self.cluster_method, self.k, self.min_size, self.seed)


def settings_panel() -> MapSettings:
    """The settings expander; its defaults are :data:`DEFAULT_PROJECTION` (the settings the
    server may have computed a map for already)."""
    with st.expander("Projection and cluster settings", icon=":material/tune:"):
        s1, s2, s3, s4 = st.columns(4)
        n_neighbors = s1.slider(
            "UMAP neighbours",
            2,
            100,
            DEFAULT_PROJECTION.n_neighbors,
            key="map_nn",
            help="Larger keeps more global structure, smaller more local detail.",
        )
        min_dist = s2.slider(
            "UMAP min distance",
            0.0,
            1.0,
            DEFAULT_PROJECTION.min_dist,
            0.05,
            key="map_md",
            help="How tightly UMAP packs points together.",
        )
        perplexity = s3.slider(
            "t-SNE perplexity", 5, 100, int(DEFAULT_PROJECTION.perplexity), key="map_perp"
        )
        seed = int(s4.number_input("Seed", 0, 2**31 - 1, DEFAULT_PROJECTION.seed, key="map_seed"))
        k1, k2, k3 = st.columns(3)
        cluster_method = k1.selectbox(
            "Clusters",
            list(CLUSTER_METHOD_LABELS),
            key="map_cm",
            format_func=CLUSTER_METHOD_LABELS.get,
            help="HDBSCAN on the map finds the islands you see and leaves points between them "
            "unclustered; KMeans/HDBSCAN on the vectors cluster the embedding space itself.",
        )
        k = k2.slider("KMeans clusters (k)", 2, 40, 12, key="map_k")
        min_size = int(
            k3.number_input(
                "HDBSCAN minimum cluster size (0 = 2% of the points)", 0, 5000, 0, key="map_mcs"
            )
        )
        faith_k = st.slider(
            "Neighbours checked by the faithfulness scores (k)", 5, 50, 10, key="map_fk"
        )
    return MapSettings(
        n_neighbors, min_dist, perplexity, seed, cluster_method, k, min_size, faith_k
    )


def _map_job(
    kind: str, es: EmbeddingSet, params: ProjectionParams, show_all: bool
) -> background.Job:
    return background.request(
        (kind, es.fingerprint, params, show_all), shown_vectors(es, kind, show_all), params
    )


def request_first_map(name: str, model, dataset) -> background.Job:
    """Start the map the Map page opens with (items, default settings) for ``model``.

    The server asks for it when it has just trained the demo's ready model, so a product demo's
    first visit finds the UMAP map done instead of drawing PCA and polling for it.
    """
    es = EmbeddingSet.from_model(model, dataset, name=name)
    return _map_job("items", es, DEFAULT_PROJECTION, False)


@st.cache_data(show_spinner=False, max_entries=32)
def coordinates(
    kind: str, fingerprint: str, params: ProjectionParams, show_all: bool, _es: EmbeddingSet
) -> np.ndarray:
    """Map coordinates of the shown ``kind`` vectors (cached per embeddings and parameters)."""
    return projection.project(shown_vectors(_es, kind, show_all), params)


@st.cache_data(show_spinner=False, max_entries=8)
def embedding_neighbours(
    kind: str, fingerprint: str, show_all: bool, k: int, metric: str, _es: EmbeddingSet
):
    """Embedding-space neighbours (shared by every projection of the same vectors)."""
    return projection.embedding_knn(shown_vectors(_es, kind, show_all), k, metric)


@st.cache_data(show_spinner=False, max_entries=32)
def faithfulness(
    kind: str,
    fingerprint: str,
    params: ProjectionParams,
    show_all: bool,
    k: int,
    _es: EmbeddingSet,
    _coords: np.ndarray,
) -> Faithfulness:
    """Trustworthiness and kNN recall of a map (cached with the map's key)."""
    high = embedding_neighbours(kind, fingerprint, show_all, k, params.metric, _es)
    return projection.faithfulness(
        shown_vectors(_es, kind, show_all), _coords, k=k, metric=params.metric, high_knn=high
    )


@st.cache_data(show_spinner=False, max_entries=32)
def coherence(
    kind: str,
    fingerprint: str,
    params: ProjectionParams,
    show_all: bool,
    k: int,
    _es: EmbeddingSet,
    _coords: np.ndarray,
) -> Coherence | None:
    """Metadata coherence of an items map (None for users or without categories/tags)."""
    if kind != "items" or _es.label_kind is None:
        return None
    positions, _ = shown_points(_es, kind, show_all)
    cats, tags = _es.categories, _es.tags
    return metadata_coherence(
        _coords, [cats[i] for i in positions], [tags[i] for i in positions], k=k
    )


#: how a map's points are clustered: (method, KMeans k, HDBSCAN minimum size, seed)
ClusterChoice = tuple[str, int, int, int]


def _cluster_args(
    es: EmbeddingSet, kind: str, show_all: bool, choice: ClusterChoice, coords: np.ndarray
) -> tuple:
    """The arguments of :func:`cluster_embeddings` for the shown points of a map.

    A minimum size of 0 means automatic (2% of the points, at least 10).
    """
    method, k, min_size, seed = choice
    positions, _ = shown_points(es, kind, show_all)
    frame = cluster_frame(es, kind).iloc[positions].reset_index(drop=True)
    size = min_size or default_min_cluster_size(len(positions))
    vectors = vectors_for(es, kind)[positions]
    return vectors, frame, method, k, size, seed, np.asarray(coords, dtype=np.float32)


@st.cache_data(show_spinner=False, max_entries=16)
def clustering(
    kind: str,
    fingerprint: str,
    params: ProjectionParams,
    show_all: bool,
    choice: ClusterChoice,
    _es: EmbeddingSet,
    _coords: np.ndarray,
) -> Clustering:
    """Clusters of the shown points (of the map, or of their vectors), named (cached)."""
    *args, coords = _cluster_args(_es, kind, show_all, choice, _coords)
    return cluster_embeddings(*args, coords=coords)


def _metadata(es: EmbeddingSet, kind: str, show_all: bool):
    """(categories, tags) of the shown items, or (None, None) when coherence does not apply."""
    if kind != "items" or es.label_kind is None:
        return None, None
    positions, _ = shown_points(es, kind, show_all)
    cats, tags = es.categories, es.tags
    return [cats[i] for i in positions], [tags[i] for i in positions]


def _ready(job: background.Job):
    """A finished job's result (its error raised); the job itself while it is not done."""
    if job.state == background.DONE:
        return job.result
    if job.state == background.FAILED:
        raise job.error
    return job


def _here_or_background(task, key, args, coords, params, what, compute_here):
    """``compute_here()`` for maps up to :data:`INLINE_LIMIT` points; above, the background job
    of ``task`` (its result once done)."""
    n = len(coords)
    if n <= INLINE_LIMIT:
        return compute_here()
    label = f"{what} of the {params.label} map ({n:,} points)"
    return _ready(background.submit(task, key, args, n, params, label))


def quality_of(kind: str, es: EmbeddingSet, params: ProjectionParams, show_all: bool, k: int,
               coords: np.ndarray) -> MapQuality | background.Job:  # fmt: skip
    """Faithfulness and coherence of a map, or the background job computing them (big maps)."""

    def args() -> tuple:
        cats, tags = _metadata(es, kind, show_all)
        vectors = shown_vectors(es, kind, show_all)
        return vectors, np.array(coords, dtype=np.float32), k, params.metric, cats, tags

    return _here_or_background(
        "quality", (kind, es.fingerprint, params, show_all, k), args, coords, params,
        "quality check",
        lambda: MapQuality(
            faithfulness(kind, es.fingerprint, params, show_all, k, es, coords),
            coherence(kind, es.fingerprint, params, show_all, k, es, coords),
        ),
    )  # fmt: skip


def clusters_of(kind: str, es: EmbeddingSet, params: ProjectionParams, show_all: bool,
                choice: ClusterChoice, coords: np.ndarray) -> Clustering | background.Job:  # fmt: skip
    """The named clusters of a map's points, or the background job computing them (big maps)."""
    return _here_or_background(
        "clusters", (kind, es.fingerprint, params, show_all, *choice),
        lambda: _cluster_args(es, kind, show_all, choice, coords), coords, params, "clustering",
        lambda: clustering(kind, es.fingerprint, params, show_all, choice, es, coords),
    )  # fmt: skip


def title_search(es: EmbeddingSet, kind: str, positions: np.ndarray):
    """The "Find an item by title" box: (the item to highlight, its 10 nearest) or (None, None).

    Says when the item is not drawn (users map, or below the support floor).
    """
    query = st.text_input("Find an item by title", key="map_search", placeholder="part of a title…")
    if not query:
        return None, None
    hits = es.find_titles(query)
    if len(hits) == 0:
        st.warning(f"No item title contains {query!r}.")
        return None, None
    highlight = int(hits[0])
    if len(hits) > 1:
        highlight = int(
            st.selectbox(
                f"{len(hits)} matches",
                hits.tolist(),
                key="map_hit",
                format_func=lambda i: str(es.titles[i]),
            )
        )
    if kind == "users":
        st.info("Switch to the items (or joint) map to see the searched item.")
    elif highlight not in set(positions[positions < es.n_items].tolist()):
        pop = es.popularity[highlight] if es.popularity is not None else 0
        st.info(
            f"{es.titles[highlight]!s} has only {count(int(pop), 'interaction')}, below the map's "
            "support floor, so it is not drawn; tick “Show all points” to see it."
        )
    return highlight, es.similar_items(highlight, 10)


#: seconds between two looks at a big map's jobs (up to ``INLINE_LIMIT`` points: 0.75 s). Each
#: look is a script run, after which Streamlit runs a full garbage collection
#: (``runner.postScriptGC``): 61 ms CPU with just the 25M dataset and its embeddings in a
#: process, and in the server's py-spy profile 26 s of the ~100 s the 59k-item UMAP map took
#: with a look every 0.75 s
POLL_BIG = 2.0


#: the PCA stand-in is left on screen at least this long before the finished map replaces it:
#: the browser needs ~1-2 s to draw a map after a page load, and a map that arrived meanwhile
#: made it start again (measured: a first map by link at 4.5-5 s instead of 2.7 s)
STAND_IN_SECONDS = 3.0


def poll_until_drawn(job: background.Job, every: float | None = None) -> None:
    """A small fragment saying what the map waits for; reruns the page once the job is done
    and the PCA stand-in has been up for :data:`STAND_IN_SECONDS`."""
    poll_until_done(
        [job], " Showing PCA meanwhile; the map switches by itself.", every, STAND_IN_SECONDS
    )


def poll_until_done(
    jobs: list[background.Job], after: str = "", every: float | None = None, settle: float = 0.0
) -> None:
    """A small fragment saying what the page waits for (``after`` ends the caption); reruns the
    page once every job is finished, and not before ``settle`` seconds after this run. It looks
    every ``every`` seconds (default: 0.75, or ``POLL_BIG`` for maps above ``INLINE_LIMIT``
    points)."""
    if every is None:
        every = 0.75 if max(job.n_points for job in jobs) <= INLINE_LIMIT else POLL_BIG
    not_before = time.monotonic() + settle

    @st.fragment(run_every=every)
    def _poll() -> None:
        if all(job.finished for job in jobs) and time.monotonic() >= not_before:
            st.rerun(scope="app")
        waiting = " ".join(background.describe(job) for job in jobs if not job.finished)
        st.caption(":material/hourglass_top: " + waiting + after)

    _poll()


@st.cache_data(show_spinner=False, max_entries=16)
def figure(cache_key: tuple, _build):
    """A map figure, cached by every option that shapes it (``_build()`` makes it on a miss)."""
    return _build()


def faithfulness_panel(faith: Faithfulness, label: str, coh: Coherence | None = None) -> None:
    """Faithfulness (trustworthiness, kNN recall) and metadata coherence, with notes."""
    st.markdown(f"**Quality of this {label} map**")
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Trustworthiness",
        f"{faith.trustworthiness:.2f}",
        help="estimated from a sample of points" if faith.trust_sampled else None,
    )
    m2.metric(f"kNN recall@{faith.k}", f"{faith.knn_recall:.2f}")
    if coh is not None and coh.n_labelled:
        m3.metric(
            "Coherence",
            f"{coh.lift:.1f}×",
            help=f"{coh.share:.0%} of map neighbours share the main {coh.label} vs "
            f"{coh.baseline:.0%} of random pairs. " + coh.note,
        )
    st.caption(Faithfulness.NOTE + (" " + coh.note if coh is not None and coh.n_labelled else ""))


def neighbours_panel(es: EmbeddingSet, item: int, neighbours: np.ndarray) -> None:
    """The searched item's nearest items in the embedding space."""
    st.markdown(f"**Nearest to {es.titles[item]!s}** (cosine in the embedding space)")
    sims = es.normalised_items[neighbours] @ es.normalised_items[item]
    st.dataframe(
        {"title": es.titles[neighbours].tolist(), "cosine": sims.round(3).tolist()},
        hide_index=True,
        width="stretch",
        key="map_neighbours",
    )


def clusters_panel(
    clusters: Clustering, kind: str = "items", method: str = "map", labelled: bool = True
) -> None:
    """Cluster names, sizes, silhouettes and the support of each name (``labelled``: the items
    have categories or tags; without them item clusters are named by words of their titles)."""
    what = "User clusters" if kind == "users" else "Clusters"
    st.markdown(
        f"**{what}** ({clusters.n_clusters}; mean silhouette {clusters.silhouette:.2f}; "
        f"{clusters.noise_share:.0%} unclustered)"
    )
    unnamed = clusters.summary["support"].isna().all()  # no category or tag names any cluster
    named_by = (
        "numbered: the data has no categories or tags to name them"
        if unnamed
        else "named by the users' favourite category or tag"
        if kind == "users"
        else f"named by distinctive {'categories/tags' if labelled else 'words of their titles'} "
        "(lift), support = share of members carrying the name's first term"
    )
    st.caption(f"{CLUSTER_METHOD_LABELS.get(method, method)}; {named_by}.")
    columns = ["name", "size", "silhouette"] + ([] if unnamed else ["support", "terms"])
    st.dataframe(
        clusters.summary[columns],
        hide_index=True,
        width="stretch",
        height=260,
        column_config={
            "silhouette": st.column_config.NumberColumn(format="%.2f"),
            "support": st.column_config.NumberColumn(format="percent"),
        },
        key=f"map_clusters_{kind}",
    )


def remember_selection(
    es: EmbeddingSet, items: np.ndarray, users: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Keep a lasso selection across pages; returns (items, users, restored).

    A new selection is written to the session (``state.MAP_SELECTED_ITEMS``: item indices,
    ``state.MAP_SELECTED_USERS``: user ids, read by the Recommend page's picker). With nothing
    selected on the chart (e.g. coming back to the page), the kept selection of the same
    embeddings is returned.
    """
    if len(items) or len(users):
        st.session_state[state.MAP_SELECTED_ITEMS] = [int(i) for i in items]
        st.session_state[state.MAP_SELECTED_USERS] = (
            [str(u) for u in es.user_ids.to_external(users)] if len(users) else []
        )
        st.session_state[SELECTION_OWNER_KEY] = es.fingerprint
        return items, users, False
    if st.session_state.get(SELECTION_OWNER_KEY) != es.fingerprint:
        return items, users, False
    kept_items = np.asarray(st.session_state.get(state.MAP_SELECTED_ITEMS) or [], dtype=np.int64)
    kept_users = [
        u
        for u in st.session_state.get(state.MAP_SELECTED_USERS) or []
        if es.user_ids is not None and u in es.user_ids
    ]
    kept_users = es.user_ids.indices(kept_users) if kept_users else np.zeros(0, dtype=np.int64)
    return (
        kept_items,
        np.asarray(kept_users, dtype=np.int64),
        bool(len(kept_items) or len(kept_users)),
    )


def forget_selection() -> None:
    for key in (state.MAP_SELECTED_ITEMS, state.MAP_SELECTED_USERS, SELECTION_OWNER_KEY):
        st.session_state.pop(key, None)


def selection_panel(
    es: EmbeddingSet, items: np.ndarray, users: np.ndarray, restored: bool = False
) -> None:
    """What the lassoed items (and users) have in common, with a CSV download."""
    from recsys.csv_safety import safe_csv
    from recsys.maps.selection import summarise_selection

    st.subheader(
        f"Selection: {count(len(items), 'item')}"
        + (f", {count(len(users), 'user')}" if len(users) else "")
    )
    if restored:
        c1, c2 = st.columns([4, 1])
        c1.caption(
            ":material/history: Your earlier selection, kept while you visited other pages. "
            "Draw a new lasso to replace it."
        )
        if c2.button("Clear selection", key="map_sel_clear", icon=":material/close:"):
            forget_selection()
            st.rerun()
    if len(items):
        summary = summarise_selection(es, items)
        for note in summary.notes:
            st.caption(note)
        c1, c2 = st.columns([3, 2])
        with c1:
            st.markdown("**Selected items**")
            st.dataframe(
                summary.items, hide_index=True, width="stretch", height=300, key="map_sel_items"
            )
            st.download_button(
                "Download the selection (CSV)",
                safe_csv(summary.items),
                "selection.csv",
                "text/csv",
                icon=":material/download:",
                key="map_sel_csv",
            )
        with c2:
            label = es.label_kind or "category"
            st.markdown(
                f"**{label.capitalize()} mix** (lift = share here / share in the catalogue)"
            )
            st.dataframe(
                summary.category_mix,
                hide_index=True,
                width="stretch",
                height=300,
                column_config={
                    "share_selected": st.column_config.NumberColumn("share here", format="percent"),
                    "share_catalogue": st.column_config.NumberColumn(
                        "share overall", format="percent"
                    ),
                    "lift": st.column_config.NumberColumn(format="%.1f×"),
                },
            )
        c3, c4 = st.columns(2)
        with c3:
            st.markdown("**Users who interact with these items most**")
            st.dataframe(
                summary.top_users,
                hide_index=True,
                width="stretch",
                height=260,
                column_config={"share_of_history": st.column_config.NumberColumn(format="percent")},
            )
        with c4:
            st.markdown("**Items most often recommended to those users** (seen items excluded)")
            st.dataframe(summary.recommended, hide_index=True, width="stretch", height=260)
    if len(users):
        act = es.user_activity
        table = {"user_id": es.user_ids.to_external(users).tolist()}
        if act is not None:
            table["interactions"] = act[users].tolist()
        if es.favourite_categories is not None:
            table[f"favourite {es.label_kind}"] = es.favourite_categories[users].tolist()
        st.markdown("**Selected users**")
        st.dataframe(table, hide_index=True, width="stretch", height=240, key="map_sel_users")
        if es.model is not None:
            c1, c2 = st.columns([3, 1.3], vertical_alignment="center")
            c1.caption(
                f":material/person_search: These {count(len(users), 'user')} are offered on the Recommend "
                "page under “From your map selection”."
            )
            if c2.button(
                "Recommend for them", key="map_sel_recommend", icon=":material/arrow_forward:"
            ):
                st.session_state[state.RECOMMEND_USER] = str(es.user_ids.ids[users[0]])
                switch_to("recommend")


def export_section(
    es: EmbeddingSet,
    kind: str,
    coords: np.ndarray,
    clusters: Clustering | None,
    positions: np.ndarray,
    fig=None,
    title: str = "",
) -> None:
    """Downloads: the map as an image, Projector zip, map coordinates as CSV / Parquet.

    ``clusters`` None (still being computed): the files carry no cluster columns.
    """
    from recsys.maps import embeddings_io as eio
    from recsys.viz.map_view import codes_for

    with st.expander("Export", icon=":material/download:"):
        if fig is not None:
            image_export(fig, kind, clusters)
        st.caption(
            "The Projector zip opens at projector.tensorflow.org (Load → vectors.tsv and "
            "metadata.tsv). The coordinates file holds this map's x/y(/z) and clusters. Text that "
            "starts like a spreadsheet formula (= + - @) is prefixed with ' in CSV files."
        )
        names = None if clusters is None else clusters.label_names()

        def frame():
            codes = codes_for(es, kind)[positions]
            items = np.clip(codes, 0, None)
            ids = np.where(codes >= 0, es.item_ids.ids[items], "")
            titles = np.where(codes >= 0, es.titles[items], "")
            if es.has_users:
                users = np.clip(-codes - 1, 0, None)
                ids = np.where(codes < 0, es.user_ids.ids[users], ids)
            return eio.coordinates_frame(
                ids,
                coords,
                titles,
                clusters=None if clusters is None else clusters.labels,
                cluster_names=names,
                kind=np.where(codes >= 0, "item", "user"),
            )

        def projector_zip():
            item_labels = np.full(es.n_items, -1)
            item_names = np.full(es.n_items, "", dtype=object)
            if kind == "items" and clusters is not None:
                item_labels[positions] = clusters.labels
                item_names[positions] = names
            return eio.projector_zip(es, item_labels, item_names)

        # files are made when a button is clicked (Streamlit calls these then, off the page's
        # run): building all three on every run cost ~1 s at 1,500 items
        c1, c2, c3 = st.columns(3)
        c1.download_button(
            "Projector zip",
            projector_zip,
            "embeddings_projector.zip",
            "application/zip",
            key="map_dl_zip",
            icon=":material/folder_zip:",
        )
        c2.download_button(
            "Coordinates (CSV)",
            lambda: eio.to_csv(frame()),
            "map_coordinates.csv",
            "text/csv",
            key="map_dl_csv",
        )
        c3.download_button(
            "Coordinates (Parquet)",
            lambda: eio.to_parquet(frame()),
            "map_coordinates.parquet",
            "application/octet-stream",
            key="map_dl_parquet",
        )


def image_export(fig, kind: str, clusters: Clustering | None) -> None:
    """ "Download map as image": PNG or SVG with cluster names, legend and a title."""
    from recsys.viz.map import export_image, static_figure

    c1, c2, c3 = st.columns([1.2, 1.2, 2], vertical_alignment="bottom")
    fmt = c1.segmented_control("Image", ["png", "svg"], default="png", key="map_img_fmt") or "png"
    if c2.button("Make image", key="map_img_make", icon=":material/image:"):
        subtitle = (
            ""
            if clusters is None
            else f"{clusters.n_clusters} clusters ({clusters.noise_share:.0%} unclustered)"
        )
        with st.spinner("Drawing the map as an image (headless Chromium)…"):
            try:
                st.session_state["_map_image"] = (
                    fmt,
                    export_image(static_figure(fig, subtitle), fmt),
                )
            except RecsysError as exc:
                show_error(exc)
    held = st.session_state.get("_map_image")
    if held is not None:
        c3.download_button(
            f"Download map as {held[0].upper()}",
            held[1],
            f"map_{kind}.{held[0]}",
            "image/png" if held[0] == "png" else "image/svg+xml",
            key="map_img_dl",
            icon=":material/download:",
        )


def import_section() -> None:
    """Upload embeddings made elsewhere and explore them here without a model."""
    from recsys.maps.embeddings_io import import_embeddings

    with st.expander("Import embeddings made elsewhere", icon=":material/upload:"):
        st.caption(
            "A TensorFlow Projector zip or the pair vectors.tsv + metadata.tsv; or one CSV/Parquet "
            "table with an item_id column and vector columns (0, 1, 2… or v0, v1…; metadata "
            "columns title, categories as a|b, tags, popularity; an optional kind column of "
            "item/user adds user vectors)."
        )
        files = st.file_uploader(
            "Embedding files",
            type=["zip", "tsv", "txt", "csv", "parquet"],
            accept_multiple_files=True,
            key="map_import_files",
        )
        if files and st.button("Explore these embeddings", key="map_import_go", type="primary"):
            try:
                es = import_embeddings(
                    [(f.name, f.getvalue()) for f in files],
                    name=", ".join(f.name for f in files)[:60],
                )
            except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
                show_error(exc)
                return
            st.session_state[IMPORTED_KEY] = es
            st.session_state[state.MAP_SOURCE] = "imported"
            st.rerun()
