"""Learn: six short, live lessons on what embeddings are and how far to trust them.

Words and knob choices: recsys.lesson_plan (worded for the loaded data's item groups);
computations: recsys.lessons, cached by app_ui.lesson_panels; figures: recsys.viz.lessons.
Each lesson draws its heading, paragraph and prompt first, then trains what it needs.
"""

import streamlit as st

from app_ui import lesson_panels as L
from app_ui.common import get_dataset
from recsys import lesson_plan as plan
from recsys import lessons
from recsys.viz import lessons as viz

st.title("Learn")
st.markdown(plan.INTRO)
ds = get_dataset()
_, source = lessons.reference_labels(ds)
words = lessons.label_words(source)  # genres, categories, tags or none: every prompt says which
texts = plan.lessons_for(words)
tabs = st.tabs([t.tab for t in texts], key="lesson", on_change="rerun", bind="query-params")

with tabs[0]:  # 1: an embedding is a point, drawn in a 2-factor model's own space
    if tabs[0].open is not False:
        with L.lesson(texts[0]):
            reg, iters, show_users = L.factor_space_knobs()
            slot = L.figure_slot(f"Training a 2-factor model on {ds.n_interactions:,} "
                                 "interactions…")
            space = L.two_factor_space(ds, ds.fingerprint, reg, iters)
            slot.plotly_chart(viz.factor_space_figure(space, show_users), key="l1_fig")
            L.notes(plan.labels_note(space.label_source), plan.user_scale_note(space.user_scale))

with tabs[1]:  # 2: a score is a dot product; length (popularity) pushes it, cosine does not
    if tabs[1].open is not False:
        with L.lesson(texts[1]):
            c1, c2, c3 = st.columns([2, 3, 2])
            with c1:
                user = L.user_picker(ds, "l2_user")
            factors = c3.select_slider("Factors", plan.FACTOR_CHOICES, value=8, key="l2_factors")
            model = L.lesson_model(ds, ds.fingerprint, factors)
            effect = lessons.length_effect(model, ds, user)
            with c2:
                item = L.item_picker(ds, "Item", f"l2_item_{user}_{factors}",
                                     default=str(effect.by_dot["item"].iloc[0]))
            dp = lessons.dot_product_breakdown(model, user, item)
            st.plotly_chart(viz.dot_product_figure(dp), key="l2_fig")
            L.notes(plan.dot_product_note(dp))
            st.markdown("**Length and popularity**: each grey dot is an item.")
            st.plotly_chart(viz.length_figure(effect), key="l2_len")
            L.two_tables("Top 10 by **dot product**", effect.by_dot,
                         "Top 10 by **cosine**", effect.by_cosine)
            L.notes(plan.popularity_note(effect))

with tabs[2]:  # 3: what factors mean: their ends, and clusters against the data's groups
    if tabs[2].open is not False:
        with L.lesson(texts[2]):
            c1, c2 = st.columns(2)
            factors = c1.select_slider("Factors", plan.FACTOR_CHOICES, value=8, key="l3_factors")
            factor = c2.slider("Factor to read", 0, factors - 1, 0, key=f"l3_f_{factors}")
            model = L.lesson_model(ds, ds.fingerprint, factors)
            extremes = lessons.factor_extremes(model, ds, 6)
            st.plotly_chart(viz.factor_ends_figure(extremes, factor), key="l3_fig")
            L.notes(plan.labels_note(source))
            if words.labelled:
                recovery = L.genre_recovery(ds, ds.fingerprint)
                st.plotly_chart(viz.recovery_figure(recovery, source, factors), key="l3_ari")

with tabs[3]:  # 4: cosine neighbours next to co-occurrence neighbours
    if tabs[3].open is not False:
        with L.lesson(texts[3]):
            c1, c2 = st.columns([3, 1])
            with c1:
                item = L.item_picker(ds, "Item", "l4_item", default=lessons.example_item(ds))
            n = c2.slider("List length", 5, 20, 10, key="l4_n")
            cmp = lessons.compare_neighbours(L.shared_model(ds), ds, item, n)
            L.metrics(plan.neighbour_metrics(cmp))
            st.plotly_chart(viz.neighbours_figure(cmp.table), key="l4_fig")
            L.two_tables("By **cosine**", L.ranked(cmp.table, "cosine_rank"),
                         "By **co-occurrence**", L.ranked(cmp.table, "cooccurrence_rank"))

with tabs[4]:  # 5: the same vectors under PCA, t-SNE and UMAP, with faithfulness
    if tabs[4].open is not False:
        with L.lesson(texts[4]):
            nn, md = L.umap_knobs()
            n_points = min(ds.n_items, plan.PROJECTION_POINTS)
            methods = L.projection_methods(n_points)  # UMAP once its warm-up has compiled
            with st.spinner("Projecting…"):
                maps = [L.projection(ds, ds.fingerprint, m, nn, md) for m in methods]
            st.plotly_chart(viz.projections_figure(maps, L.projection_items(ds)), key="l5_fig")
            L.notes(plan.projection_note(methods, ds.n_items), plan.labels_note(source))
            if "umap" not in methods:
                L.rerun_when_umap_ready(n_points)

with tabs[5]:  # 6: fewer interactions, worse models; a visitor folded in from three items
    if tabs[5].open is not False:
        with L.lesson(texts[5]):
            share = L.drop_slider()
            with L.errors_shown():
                curve = L.sparsity_curve(ds, share)
                L.metrics(plan.sparsity_metrics(curve, share, words))
                st.plotly_chart(viz.sparsity_figure(curve, share, label=words.one), key="l6_fig")
                L.notes(plan.labels_note(source))
            st.markdown(plan.FOLD_IN_INTRO)
            settings = st.session_state.get(L.FACTOR_SPACE_SETTINGS, plan.FACTOR_SPACE_DEFAULTS)
            space = L.two_factor_space(ds, ds.fingerprint, *settings)
            picks = L.items_multiselect(ds, "Three items the visitor likes", "l6_items",
                                        lessons.default_fold_in_items(ds))
            if picks:
                fold = lessons.fold_in_user(space.model, ds, picks)
                st.plotly_chart(viz.fold_in_figure(space, fold), key="l6_fold")
                L.notes(plan.FOLD_IN_NOTE)
                L.two_tables("Top 5 from the **2-factor** model (drawn above)",
                             fold.recommendations,
                             f"Top 5 from the **{plan.SHARED_FACTORS}-factor** model",
                             lessons.fold_in_user(L.shared_model(ds), ds, picks).recommendations)
