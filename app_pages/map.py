"""Map: items and users of a model (or imported embeddings) on a UMAP / PCA / t-SNE map."""

import streamlit as st

from app_ui import maps as _maps
from app_ui import state
from app_ui.common import get_dataset, show_error
from recsys.errors import RecsysError
from recsys.maps import background
from recsys.maps.clusters import Clustering
from recsys.maps.projection import METHOD_LABELS
from recsys.maps.quality import MapQuality
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

# ---------------------------------------------------------------- support: which points are drawn
supports = mv.supports(es, kind)
incomplete = not all(s.complete for s in supports)
show_all = incomplete and st.toggle(
    "Show all points (low-support ones small and faint)",
    key=f"map_all_{kind}",
    help="By default the map leaves out points with too few interactions: their vectors rest on "
    "too little data to place them reliably, and on a long-tailed catalogue they fill the map.",
)
positions, weak = mv.shown_points(es, kind, show_all)
for note in mv.support_notes(es, kind, show_all):
    st.caption(":material/verified: " + note)

settings = _maps.settings_panel()

user = None
if colour == mv.USER_SCORE:
    user = st.selectbox("User", es.user_ids.ids.tolist(), key="map_user")

highlight, neighbours = _maps.title_search(es, kind, positions)

# ---------------------------------------------------------------- compute
# The map is drawn first; clusters and faithfulness follow (unless the colour needs them), so the
# first picture appears as early as possible.
wanted = settings.projection(method, dims)
seed, faith_k, cluster_key = settings.seed, settings.faith_k, settings.cluster_choice
n_points = len(positions)
need_clusters = colour == mv.CLUSTER
need_faith = colour == mv.FAITHFULNESS
clusters = quality = None
map_col, side = st.columns([2.6, 1.4])
notice_slot, map_slot = map_col.empty(), map_col.empty()
map_slot.plotly_chart(
    vmap.placeholder_figure(n_points), key="map_placeholder", config={"staticPlot": True}
)
try:
    with st.spinner(f"Computing the map of {n_points:,} points…"):
        coords, params, job = _maps.map_coordinates(kind, es, wanted, show_all)
    # big maps get quality and clusters from the background worker: asked for once the real
    # map is there (not for its PCA stand-in), drawn in another colour until they arrive
    extras_now = job is None or n_points <= _maps.INLINE_LIMIT
    if need_clusters and extras_now:
        clusters = _maps.clusters_of(kind, es, params, show_all, cluster_key, coords)
    if need_faith and extras_now:
        quality = _maps.quality_of(kind, es, params, show_all, faith_k, coords)
    clusters, quality = mv.ready(clusters), mv.ready(quality)  # a job: asked again below
    shown_colour = mv.shown_colour(es, kind, colour, clusters, quality)
    if shown_colour != colour:
        map_col.caption(
            f":material/hourglass_top: Coloured by {shown_colour} until the {colour} is ready."
        )
    faith = None if quality is None else quality.faithfulness
    colouring = mv.map_colouring(es, kind, shown_colour, positions, clusters, faith, user)
except RecsysError as exc:
    show_error(exc)
    st.stop()
if job is not None:
    with side:  # says what the map waits for, beside it; reruns the page when it is done
        _maps.poll_until_drawn(job)
density = dims == 2 and st.session_state.get("map_density", n_points > vmap.DENSITY_FROM)
title = mv.map_title(es, kind, params.label, get_dataset().name)


def build():
    return mv.shown_figure(
        es, kind, positions, coords, colouring, weak=weak, title=title, seed=seed,
        density=density, size_by_popularity=size_by_pop, highlight=highlight,
        neighbours=neighbours, clusters=clusters,
    )  # fmt: skip


fig_key = (
    kind,
    es.fingerprint,
    params,
    show_all,
    shown_colour,
    user,
    size_by_pop,
    highlight,
    density,
    cluster_key if shown_colour == mv.CLUSTER else None,
    faith_k if shown_colour == mv.FAITHFULNESS else None,
)
fig, notice = _maps.figure(fig_key, build)

# ---------------------------------------------------------------- layout
with map_col:
    if notice:
        notice_slot.warning(notice, icon=":material/filter_alt:")
    event = map_slot.plotly_chart(
        fig,
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
        key=f"map_chart_{kind}_{dims}_{show_all}",
        width="stretch",
        config={"displaylogo": False, "scrollZoom": True},
    )
    if dims == 2:
        st.toggle(
            "Density contours",
            value=n_points > vmap.DENSITY_FROM,
            key="map_density",
            help="Contour lines of point density under the points: where a crowded map is "
            "really dense. On by default above 3,000 points.",
        )
with side:
    if job is not None:  # quality and clusters follow the real map, not its PCA stand-in
        st.caption("Faithfulness scores and clusters appear with the map.")
        st.stop()
    try:
        with st.spinner("Measuring how faithful the map is…"):
            quality = quality or _maps.quality_of(kind, es, params, show_all, faith_k, coords)
        with st.spinner("Clustering…"):
            clusters = clusters or _maps.clusters_of(
                kind, es, params, show_all, cluster_key, coords
            )
    except RecsysError as exc:
        show_error(exc)
        st.stop()
    waiting = [x for x in (quality, clusters) if isinstance(x, background.Job)]
    if waiting:  # big maps: from the background worker; the page reruns when they are done
        _maps.poll_until_done(waiting, " The panels appear when they are ready.")
    if isinstance(quality, MapQuality):
        _maps.faithfulness_panel(quality.faithfulness, params.label, quality.coherence)
    if highlight is not None:  # its neighbours in the embedding, drawn or not
        _maps.neighbours_panel(es, highlight, neighbours)
    if isinstance(clusters, Clustering):
        _maps.clusters_panel(clusters, kind, settings.cluster_method, es.label_kind is not None)
    else:
        clusters = None

points = event.selection.points if event and event.selection else []
items_sel, users_sel = vmap.decode_points([p.get("customdata") for p in points])
items_sel, users_sel, restored = _maps.remember_selection(es, items_sel, users_sel)
if len(items_sel) or len(users_sel):
    _maps.selection_panel(es, items_sel, users_sel, restored)
else:
    st.caption(
        ":material/gesture_select: Draw a lasso or a box on the map to see what the "
        "selected items have in common"
        + (" (selected users are offered on the Recommend page)." if es.has_users else ".")
    )

_maps.export_section(es, kind, coords, clusters, positions, fig, title)
_maps.import_section()
