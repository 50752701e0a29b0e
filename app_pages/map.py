"""Map: items and users of a model (or imported embeddings) on a UMAP / PCA / t-SNE map."""

import streamlit as st

from app_ui import maps as _maps
from app_ui import state
from app_ui.common import get_dataset, show_error
from recsys.errors import RecsysError
from recsys.maps.projection import METHOD_LABELS, ProjectionParams
from recsys.viz import map as vmap
from recsys.viz import map_view as mv

st.title("Map")
st.caption(
    "Each point is an item (or a user) placed so that points with similar embeddings land close "
    "together. Lasso a region to see what it has in common; search a title to find it."
)

# ---------------------------------------------------------------- source of the embeddings
imported = st.session_state.get(_maps.IMPORTED_KEY)
source = "model"
if imported is not None:
    source = st.radio(
        "Embeddings",
        ["model", "imported"],
        horizontal=True,
        key=state.MAP_SOURCE,
        format_func={"model": "From a trained model", "imported": f"Imported: {imported.name}"}.get,
    )
es = None
if source == "imported":
    es = imported
else:
    from app_ui.models import model_picker

    picked = model_picker(key="map_model")
    if picked is not None:
        try:
            es = _maps.embeddings_for_model(picked[0], picked[1], get_dataset())
        except RecsysError as exc:
            show_error(exc)
if es is None:
    _maps.import_section()
    st.stop()

# ---------------------------------------------------------------- options
c1, c2, c3, c4 = st.columns([1.7, 1, 1.2, 1])
kinds = mv.available_kinds(es)
kind = (
    c1.segmented_control(
        "Map of", kinds, default=kinds[0], format_func=mv.KINDS.get, key="map_kind"
    )
    or kinds[0]
)
method = c2.selectbox(
    "Projection", ["umap", "pca", "tsne"], format_func=METHOD_LABELS.get, key="map_method"
)
colour = c3.selectbox("Colour by", mv.colour_options(es, kind), key=f"map_colour_{kind}")
dims = 3 if c4.toggle("3-D", key="map_3d") else 2
size_by_pop = c4.toggle("Size by popularity", key="map_size")

with st.expander("Projection and cluster settings", icon=":material/tune:"):
    s1, s2, s3, s4 = st.columns(4)
    n_neighbors = s1.slider(
        "UMAP neighbours",
        2,
        100,
        15,
        key="map_nn",
        help="Larger keeps more global structure, smaller more local detail.",
    )
    min_dist = s2.slider(
        "UMAP min distance",
        0.0,
        1.0,
        0.1,
        0.05,
        key="map_md",
        help="How tightly UMAP packs points together.",
    )
    perplexity = s3.slider("t-SNE perplexity", 5, 100, 30, key="map_perp")
    seed = int(s4.number_input("Seed", 0, 2**31 - 1, 42, key="map_seed"))
    k1, k2, k3 = st.columns(3)
    cluster_method = k1.selectbox(
        "Clusters",
        ["kmeans", "hdbscan"],
        key="map_cm",
        format_func={"kmeans": "KMeans", "hdbscan": "HDBSCAN"}.get,
    )
    k = k2.slider("KMeans clusters (k)", 2, 40, 12, key="map_k")
    min_size = k3.slider("HDBSCAN minimum cluster size", 3, 200, 15, key="map_mcs")
    faith_k = st.slider(
        "Neighbours checked by the faithfulness scores (k)", 5, 50, 10, key="map_fk"
    )

user = None
if colour == mv.USER_SCORE:
    user = st.selectbox("User", es.user_ids.ids.tolist(), key="map_user")

query = st.text_input("Find an item by title", key="map_search", placeholder="part of a title…")
highlight = neighbours = None
if query:
    hits = es.find_titles(query)
    if len(hits) == 0:
        st.warning(f"No item title contains {query!r}.")
    else:
        highlight = (
            int(hits[0])
            if len(hits) == 1
            else int(
                st.selectbox(
                    f"{len(hits)} matches",
                    hits.tolist(),
                    key="map_hit",
                    format_func=lambda i: str(es.titles[i]),
                )
            )
        )
        neighbours = es.similar_items(highlight, 10)
        if kind == "users":
            st.info("Switch to the items (or joint) map to see the searched item.")

# ---------------------------------------------------------------- compute
# The map is drawn first; clusters and faithfulness follow (unless the colour needs them), so the
# first picture appears as early as possible.
wanted = ProjectionParams(method, dims, "cosine", n_neighbors, min_dist, float(perplexity), seed)
n_points = len(mv.vectors_for(es, kind))
params, waiting = _maps.effective_params(wanted, kind, es)
need_clusters = colour == mv.CLUSTER
need_faith = colour == mv.FAITHFULNESS
clusters = faith = None
try:
    with st.spinner(f"Computing the {params.label} map of {n_points:,} points…"):
        coords = _maps.coordinates(kind, es.fingerprint, params, es)
    if need_clusters:
        clusters = _maps.clustering(es.fingerprint, cluster_method, k, min_size, seed, es)
    if need_faith:
        faith = _maps.faithfulness(kind, es.fingerprint, params, faith_k, es, coords)
    colouring = mv.colouring_for(
        es,
        kind,
        colour,
        user=user,
        cluster_names=clusters.label_names() if clusters else None,
        per_point_recall=faith.per_point_recall if faith else None,
    )
except RecsysError as exc:
    show_error(exc)
    st.stop()
if waiting:
    _maps.poll_until_umap_ready(n_points)
on_map = kind != "users"  # items come first on the joint map, so indices hold


def build():
    names = clusters.label_names() if clusters else None
    show_names = clusters is not None and kind == "items"
    return vmap.map_figure(
        coords,
        colouring,
        mv.hover_for(es, kind, names if kind == "items" else None),
        codes=mv.codes_for(es, kind),
        sizes=mv.sizes_for(es, kind) if size_by_pop else None,
        highlight=highlight if on_map else None,
        neighbours=neighbours if on_map else None,
        labels_at=vmap.cluster_centres(coords, clusters.labels, clusters.names)
        if show_names
        else None,
        title=f"{es.name} · {mv.KINDS[kind]} · {params.label}",
        seed=seed,
    )


fig_key = (
    kind,
    es.fingerprint,
    params,
    colour,
    user,
    size_by_pop,
    highlight,
    (cluster_method, k, min_size) if need_clusters else None,
    faith_k if need_faith else None,
)
fig, notice = _maps.figure(fig_key, build)

# ---------------------------------------------------------------- layout
map_col, side = st.columns([2.6, 1.4])
with map_col:
    if notice:
        st.warning(notice, icon=":material/filter_alt:")
    event = st.plotly_chart(
        fig,
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
        key=f"map_chart_{kind}_{dims}",
        width="stretch",
        config={"displaylogo": False, "scrollZoom": True},
    )
_maps.map_shown()  # lets UMAP's background warm-up start now that a first map is on its way
with side:
    try:
        with st.spinner("Measuring how faithful the map is…"):
            faith = faith or _maps.faithfulness(kind, es.fingerprint, params, faith_k, es, coords)
        with st.spinner("Clustering the embedding vectors…"):
            clusters = clusters or _maps.clustering(
                es.fingerprint, cluster_method, k, min_size, seed, es
            )
    except RecsysError as exc:
        show_error(exc)
        st.stop()
    _maps.faithfulness_panel(faith, params.label)
    if highlight is not None:
        _maps.neighbours_panel(es, highlight, neighbours)
    _maps.clusters_panel(clusters)

points = event.selection.points if event and event.selection else []
items_sel, users_sel = vmap.decode_points([p.get("customdata") for p in points])
if len(items_sel) or len(users_sel):
    _maps.selection_panel(es, items_sel, users_sel)
else:
    st.caption(
        ":material/gesture_select: Draw a lasso or a box on the map to see what the "
        "selected items have in common."
    )

_maps.export_section(es, kind, coords, clusters)
_maps.import_section()
