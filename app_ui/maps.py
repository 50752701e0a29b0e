"""Caching and background work for the Map page (streamlit side; the logic lives in recsys/).

- :func:`start_umap_warm_up`: once per server (``st.cache_resource``) start a daemon thread that
  runs a tiny UMAP fit so numba compiles while the user looks at a PCA map.
- ``st.cache_data`` for coordinates, faithfulness, clusters and figures, keyed by
  (kind, embeddings fingerprint, projection parameters, …), so coming back to the page is instant.
"""

from __future__ import annotations

import threading

import numpy as np
import streamlit as st

from app_ui import state
from app_ui.common import show_error
from recsys.maps import projection
from recsys.maps.clusters import Clustering, cluster_embeddings
from recsys.maps.embedding_set import EmbeddingSet
from recsys.maps.projection import Faithfulness, ProjectionParams
from recsys.viz.map_view import vectors_for

ES_KEY = "_map_embeddings"
IMPORTED_KEY = state.MAP_IMPORTED


@st.cache_resource(show_spinner=False)
def start_umap_warm_up() -> threading.Thread:
    """Start UMAP's numba warm-up on a daemon thread, once per server process.

    The thread waits (a few seconds at most) until a first map has been sent, so compiling does
    not slow down the PCA map the user is waiting for.
    """
    return projection.start_warm_up(wait_for=projection.FIRST_MAP_SHOWN)


def map_shown() -> None:
    """Tell the warm-up thread that a first map is on screen (it may start compiling now)."""
    projection.FIRST_MAP_SHOWN.set()


def embeddings_for_model(name: str, model, dataset) -> EmbeddingSet:
    """This session's EmbeddingSet of a (cached, read-only) model; rebuilt when either changes."""
    key = (name, id(model), dataset.fingerprint)
    held = st.session_state.get(ES_KEY)
    if held is None or held[0] != key:
        held = (key, EmbeddingSet.from_model(model, dataset, name=name))
        st.session_state[ES_KEY] = held
    return held[1]


def effective_params(
    params: ProjectionParams, kind: str, es: EmbeddingSet
) -> tuple[ProjectionParams, bool]:
    """(params to use now, waiting): PCA while UMAP is still compiling in the background.

    While waiting, the wanted UMAP map is queued for the warm-up thread, which computes it right
    after compiling; :func:`coordinates` then picks it up.
    """
    vectors = vectors_for(es, kind)
    if params.method == "umap" and projection.request_in_background(
        (kind, es.fingerprint, params), vectors, params
    ):
        projection.start_warm_up(len(vectors), wait_for=projection.FIRST_MAP_SHOWN)  # idempotent
        return ProjectionParams(
            method="pca", dims=params.dims, metric=params.metric, seed=params.seed
        ), True
    return params, False


@st.cache_data(show_spinner=False, max_entries=32)
def coordinates(
    kind: str, fingerprint: str, params: ProjectionParams, _es: EmbeddingSet
) -> np.ndarray:
    """Map coordinates of the ``kind`` vectors (cached per embeddings and parameters)."""
    done = projection.take_background_result((kind, fingerprint, params))
    return done if done is not None else projection.project(vectors_for(_es, kind), params)


@st.cache_data(show_spinner=False, max_entries=8)
def embedding_neighbours(kind: str, fingerprint: str, k: int, metric: str, _es: EmbeddingSet):
    """Embedding-space neighbours (shared by every projection of the same vectors)."""
    return projection.embedding_knn(vectors_for(_es, kind), k, metric)


@st.cache_data(show_spinner=False, max_entries=32)
def faithfulness(
    kind: str,
    fingerprint: str,
    params: ProjectionParams,
    k: int,
    _es: EmbeddingSet,
    _coords: np.ndarray,
) -> Faithfulness:
    """Trustworthiness and kNN recall of a map (cached with the map's key)."""
    high = embedding_neighbours(kind, fingerprint, k, params.metric, _es)
    return projection.faithfulness(
        vectors_for(_es, kind), _coords, k=k, metric=params.metric, high_knn=high
    )


@st.cache_data(show_spinner=False, max_entries=16)
def clustering(
    fingerprint: str, method: str, k: int, min_size: int, seed: int, _es: EmbeddingSet
) -> Clustering:
    """Clusters of the item vectors, named from the catalogue (cached)."""
    return cluster_embeddings(_es.item_vectors, _es.items, method, k, min_size, seed)


def warm_up_message() -> str:
    status = projection.warm_up_status()
    if status.get("error"):
        return f"UMAP could not start ({status['error']}); showing PCA."
    return "UMAP is warming up (first time only)… showing PCA. The map switches by itself."


def poll_until_umap_ready(n_points: int, every: float = 0.75) -> None:
    """A small fragment that reruns the page as soon as UMAP's warm-up has finished."""

    @st.fragment(run_every=every)
    def _poll() -> None:
        if projection.umap_ready(n_points):
            st.rerun(scope="app")
        st.caption(":material/hourglass_top: " + warm_up_message())

    _poll()


@st.cache_data(show_spinner=False, max_entries=16)
def figure(cache_key: tuple, _build):
    """A map figure, cached by every option that shapes it (``_build()`` makes it on a miss)."""
    return _build()


def faithfulness_panel(faith: Faithfulness, label: str) -> None:
    """The two faithfulness numbers with a one-line note."""
    st.markdown(f"**Faithfulness of this {label} map**")
    m1, m2 = st.columns(2)
    m1.metric(
        "Trustworthiness",
        f"{faith.trustworthiness:.2f}",
        help="estimated from a sample of points" if faith.trust_sampled else None,
    )
    m2.metric(f"kNN recall@{faith.k}", f"{faith.knn_recall:.2f}")
    st.caption(Faithfulness.NOTE)


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


def clusters_panel(clusters: Clustering) -> None:
    """Cluster names, sizes and silhouettes."""
    st.markdown(
        f"**Clusters** ({clusters.summary['cluster'].ge(0).sum()}; "
        f"mean silhouette {clusters.silhouette:.2f})"
    )
    st.dataframe(
        clusters.summary[["name", "size", "silhouette"]],
        hide_index=True,
        width="stretch",
        height=260,
        column_config={"silhouette": st.column_config.NumberColumn(format="%.2f")},
    )


def selection_panel(es: EmbeddingSet, items: np.ndarray, users: np.ndarray) -> None:
    """What the lassoed items (and users) have in common, with a CSV download."""
    from recsys.csv_safety import safe_csv
    from recsys.maps.selection import summarise_selection

    st.subheader(
        f"Selection: {len(items):,} items" + (f", {len(users):,} users" if len(users) else "")
    )
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
            st.markdown("**Category mix** (lift = share here / share in the catalogue)")
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
            table["favourite category"] = es.favourite_categories[users].tolist()
        st.markdown("**Selected users**")
        st.dataframe(table, hide_index=True, width="stretch", height=240, key="map_sel_users")


def export_section(es: EmbeddingSet, kind: str, coords: np.ndarray, clusters: Clustering) -> None:
    """Downloads: Projector zip of the embeddings, map coordinates as CSV / Parquet."""
    from recsys.maps import embeddings_io as eio
    from recsys.viz.map_view import codes_for

    with st.expander("Export", icon=":material/download:"):
        st.caption(
            "The Projector zip opens at projector.tensorflow.org (Load → vectors.tsv and "
            "metadata.tsv). The coordinates file holds this map's x/y(/z) and clusters. Text that "
            "starts like a spreadsheet formula (= + - @) is prefixed with ' in CSV files."
        )
        names = clusters.label_names()
        codes = codes_for(es, kind)
        ids = np.where(codes >= 0, es.item_ids.ids[np.clip(codes, 0, None)], "")
        titles = np.where(codes >= 0, es.titles[np.clip(codes, 0, None)], "")
        if es.has_users:
            users = -codes - 1
            ids = np.where(codes < 0, es.user_ids.ids[np.clip(users, 0, None)], ids)
        frame = eio.coordinates_frame(
            ids,
            coords,
            titles,
            clusters=np.where(codes >= 0, clusters.labels[np.clip(codes, 0, None)], -1),
            cluster_names=np.where(codes >= 0, names[np.clip(codes, 0, None)], ""),
            kind=np.where(codes >= 0, "item", "user"),
        )
        c1, c2, c3 = st.columns(3)
        c1.download_button(
            "Projector zip",
            eio.projector_zip(es, clusters.labels, names),
            "embeddings_projector.zip",
            "application/zip",
            key="map_dl_zip",
            icon=":material/folder_zip:",
        )
        c2.download_button(
            "Coordinates (CSV)",
            eio.to_csv(frame),
            "map_coordinates.csv",
            "text/csv",
            key="map_dl_csv",
        )
        c3.download_button(
            "Coordinates (Parquet)",
            eio.to_parquet(frame),
            "map_coordinates.parquet",
            "application/octet-stream",
            key="map_dl_parquet",
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
