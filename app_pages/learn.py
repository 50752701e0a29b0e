"""Learn: six short, live lessons on what embeddings are and how far to trust them."""

import streamlit as st

from app_ui import lesson_panels as L
from app_ui.common import get_dataset, show_error
from recsys import lessons
from recsys.errors import RecsysError
from recsys.viz import lessons as viz

st.title("Learn")
st.markdown(
    "Six short lessons a teacher can read aloud. Each trains a small model on the data loaded "
    "now and lets you turn a knob and watch what it learned move."
)
ds = get_dataset()
labels, source = lessons.reference_labels(ds)
# every prompt names the item groups this data really has (genres, categories, tags or none)
words = lessons.label_words(source)
tabs = st.tabs(
    ["1 Embeddings", "2 Dot products", "3 Factors", "4 Neighbours", "5 Projections",
     "6 Sparsity"],
    key="lesson", on_change="rerun", bind="query-params",
)

with tabs[0]:
    if tabs[0].open is not False:
        st.subheader("What is an embedding?")
        st.markdown(
            "A recommender gives every user and every item a short list of numbers, a vector. "
            "Here each vector has just **two** numbers, so we can draw it as a point with no "
            "projection at all: this is the model's own space. Nobody told the model what the "
            "items are about; it only saw who interacted with what. Items liked by the same "
            "people end up pointing the same way, and the further out an item sits, the more "
            "strongly the model believes in it (popular items sit far out)."
        )
        c1, c2, c3 = st.columns([2, 2, 1])
        reg = c1.select_slider("Regularisation", L.REG_CHOICES, value=1.0, key="l1_reg",
                               help="Penalty on vector length: higher pulls everything inward.")
        iters = c2.slider("Iterations", 1, 30, 15, key="l1_iter",
                          help="Alternating passes over users and items.")
        show_users = c3.toggle("Show users", value=True, key="l1_users")
        st.session_state["l1_settings"] = (reg, iters)  # kept for lesson 6 (widget keys are not)
        try:
            space = L.two_factor_space(ds, ds.fingerprint, reg, iters)
            st.plotly_chart(viz.factor_space_figure(space, show_users), key="l1_fig")
            L.labels_note(space.label_source)
            if abs(space.user_scale - 1) >= 0.05:
                st.caption(f"Users are drawn with their lengths multiplied by "
                           f"{space.user_scale:.3g} so both clouds fit; directions, and so "
                           "every recommendation, are unchanged.")
        except RecsysError as exc:
            show_error(exc)
        L.try_this(
            "Set iterations to 1: the model has barely started and the colours are mixed. "
            f"Move it to 15 and watch the {words.many} pull apart into arms. With only two "
            "numbers the model can separate about two big groups of tastes: count how many "
            "colours share each arm. Then try regularisation 0.01 and 100."
            if words.labelled else
            "Set iterations to 1: the model has barely started and the points sit in one "
            "blob. Move it to 15 and watch items liked by the same people pull apart into "
            "arms. With only two numbers the model can separate about two big groups of "
            "tastes: hover over the tips of two arms and compare their titles. Then try "
            "regularisation 0.01 and 100."
        )

with tabs[1]:
    if tabs[1].open is not False:
        st.subheader("A score is a dot product")
        st.markdown(
            "To score an item for a user, multiply their vectors number by number and add the "
            "products up. Factors where both are large and of the same sign push the score up; "
            "opposite signs pull it down. The length of a vector matters as much as its "
            "direction: popular items get long vectors, so plain dot products favour them. "
            "**Cosine** similarity divides the lengths out and keeps only the direction."
        )
        c1, c2, c3 = st.columns([2, 3, 2])
        with c1:
            user = L.user_picker(ds, "l2_user")
        factors = c3.select_slider("Factors", L.FACTOR_CHOICES, value=8, key="l2_factors")
        try:
            model = L.lesson_model(ds, ds.fingerprint, factors)
            effect = lessons.length_effect(model, ds, user)
            with c2:
                item = L.item_picker(ds, "Item", f"l2_item_{user}_{factors}",
                                     default=str(effect.by_dot["item"].iloc[0]))
            dp = lessons.dot_product_breakdown(model, user, item)
            st.plotly_chart(viz.dot_product_figure(dp), key="l2_fig")
            st.caption(f"Sum of the {factors} products: {dp.products.sum():.4f}. The model's "
                       f"score for this pair: {dp.model_score:.4f}: the same number.")
            st.markdown("**Length and popularity**: each grey dot is an item.")
            st.plotly_chart(viz.length_figure(effect), key="l2_len")
            L.two_tables("Top 10 by **dot product**", effect.by_dot,
                         "Top 10 by **cosine**", effect.by_cosine)
            st.caption(f"Median popularity: {effect.by_dot['popularity'].median():,.0f} users "
                       f"by dot product vs {effect.by_cosine['popularity'].median():,.0f} by "
                       "cosine.")
        except RecsysError as exc:
            show_error(exc)
        L.try_this(
            (f"Pick an item from another {words.one} than the user's favourites: "
             if words.labelled else
             "Pick an item from the bottom of the dot-product list, far from the user's "
             "taste: ")
            + "which factors turn negative? Then compare the two top-10 lists: which one "
            "would you show on a home page, and which one finds the niche items?"
        )

with tabs[2]:
    if tabs[2].open is not False:
        st.subheader("What do factors mean?")
        st.markdown(
            "Nobody names the factors: the model invents them. One way to read a factor is to "
            "look at the items at its two ends. Another is to group items whose vectors point "
            "the same way (k-means clusters) and ask how well the groups match "
            f"{words.reference}, scored by the adjusted Rand index: 1 is a perfect match, 0 "
            "is what random groups score."
            if words.labelled else
            "look at the items at its two ends. (Grouping the vectors and scoring the groups "
            "against known labels needs genres, categories or tags, which this data does not "
            "have; the demo catalogue has planted genres.)"
        )
        c1, c2 = st.columns(2)
        factors = c1.select_slider("Factors", L.FACTOR_CHOICES, value=8, key="l3_factors")
        factor = c2.slider("Factor to read", 0, factors - 1, 0, key=f"l3_f_{factors}")
        try:
            model = L.lesson_model(ds, ds.fingerprint, factors)
            extremes = lessons.factor_extremes(model, ds, 6)
            st.plotly_chart(viz.factor_ends_figure(extremes, factor), key="l3_fig")
            L.labels_note(source)
            if source is not None:
                recovery = L.genre_recovery(ds, ds.fingerprint)
                st.plotly_chart(viz.recovery_figure(recovery, source, factors), key="l3_ari")
        except RecsysError as exc:
            show_error(exc)
        L.try_this(
            f"With 2 factors, the ends mix several {words.many}; with 8 or more, each end is "
            f"mostly one {words.one}. On the curve, find the smallest embedding that recovers "
            f"the {words.many}, and note the grey line: the same clusters scored against "
            f"shuffled {words.many} stay at 0."
            if words.labelled else
            "With 2 factors, each end mixes very different items; with 8 or more, the ends "
            "grow coherent. Read the titles at both ends of one factor and try to name it, "
            "then move to the next factor."
        )

with tabs[3]:
    if tabs[3].open is not False:
        st.subheader("Neighbours: cosine vs co-occurrence")
        st.markdown(
            "Two ways to find 'items like this one'. **Co-occurrence** counts the users who "
            "interacted with both: simple, but blockbusters co-occur with everything. "
            "**Cosine** compares the directions of the learned vectors: two items can be close "
            "even if few people saw both, as long as similar people liked them."
        )
        c1, c2 = st.columns([3, 1])
        with c1:
            item = L.item_picker(ds, "Item", "l4_item", default=lessons.example_item(ds))
        n = c2.slider("List length", 5, 20, 10, key="l4_n")
        try:
            cmp = lessons.compare_neighbours(L.shared_model(ds), ds, item, n)
            m1, m2, m3 = st.columns(3)
            m1.metric("In both lists", f"{cmp.overlap} of {n}")
            m2.metric("Median popularity, cosine", f"{cmp.median_popularity['cosine']:,.0f}")
            m3.metric("Median popularity, co-occurrence",
                      f"{cmp.median_popularity['co-occurrence']:,.0f}")
            st.plotly_chart(viz.neighbours_figure(cmp.table), key="l4_fig")
            L.two_tables("By **cosine**", L.ranked(cmp.table, "cosine_rank"),
                         "By **co-occurrence**", L.ranked(cmp.table, "cooccurrence_rank"))
        except RecsysError as exc:
            show_error(exc)
        L.try_this(
            "Pick a niche item (low in the list): co-occurrence returns the hits everybody "
            "saw, cosine returns items of the same taste. Then pick the most popular item: "
            "do the two lists agree more?"
        )

with tabs[4]:
    if tabs[4].open is not False:
        st.subheader("Projections distort")
        st.markdown(
            f"Real embeddings have dozens of dimensions ({L.SHARED_FACTORS} here), so maps "
            "squash them to two. The same vectors look very different under PCA (a linear "
            "shadow), t-SNE and UMAP (which keep close neighbours close, at the price of "
            "distances between groups). **Trustworthiness** asks whether neighbours on the map "
            "are really neighbours; **kNN recall** asks how many true neighbours survive."
        )
        c1, c2 = st.columns(2)
        nn = c1.slider("UMAP n_neighbors", 2, 100, 15, key="l5_nn")
        md = c2.slider("UMAP min_dist", 0.0, 0.99, 0.1, 0.01, key="l5_md")
        try:
            n_points = min(ds.n_items, L.PROJECTION_POINTS)
            methods = L.projection_methods(n_points)
            with st.spinner("Projecting…"):
                maps = [L.projection(ds, ds.fingerprint, m, nn, md) for m in methods]
            st.plotly_chart(viz.projections_figure(maps, L.projection_items(ds)), key="l5_fig")
            if "umap" not in methods:
                st.caption("UMAP is warming up (its first run compiles for up to a minute); "
                           "this lesson shows it as soon as it is ready.")
                L.rerun_when_umap_ready(n_points)
            elif ds.n_items > L.PROJECTION_POINTS:
                st.caption(f"The {L.PROJECTION_POINTS:,} most popular items are shown.")
            L.labels_note(source)
        except RecsysError as exc:
            show_error(exc)
        L.try_this(
            "Set n_neighbors to 2, then 100: UMAP's clusters shatter, then merge. Set min_dist "
            "to 0.9: the clusters puff up. Which map scores best on kNN recall, and is it the "
            "one that looks nicest?"
        )

with tabs[5]:
    if tabs[5].open is not False:
        st.subheader("Sparsity and cold start")
        st.markdown(
            "A model only knows what it has seen. Here we hide a share of the training "
            "interactions, retrain, and measure on the same held-out interactions "
            + (f"two things: ranking quality (NDCG@10) and how well the item clusters still "
               f"match the {words.many} (ARI)." if words.labelled else
               "the ranking quality (NDCG@10).")
        )
        share = st.select_slider("Training interactions dropped", [i / 10 for i in range(10)],
                                 value=0.4, key="l6_drop", format_func=lambda s: f"{s:.0%}")
        try:
            curve = L.sparsity_curve(ds, share)
            row = curve[curve["drop_share"] == round(share, 2)].iloc[0]
            full = curve.iloc[0]
            m1, m2, m3 = st.columns(3)
            m1.metric("Training interactions", f"{row['train_interactions']:,}")
            m2.metric("NDCG@10", f"{row['ndcg']:.3f}", f"{row['ndcg'] - full['ndcg']:+.3f}")
            if source is not None:
                m3.metric(f"{words.one.capitalize()} recovery (ARI)", f"{row['ari']:.2f}",
                          f"{row['ari'] - full['ari']:+.2f}")
            st.plotly_chart(viz.sparsity_figure(curve, share, label=words.one), key="l6_fig")
            L.labels_note(source)
        except RecsysError as exc:
            show_error(exc)
        st.markdown(
            "**Cold start.** A new visitor tells us three items they like. Without retraining, "
            "the model solves for the one vector that best explains those three choices. In "
            "the 2-factor space of lesson 1 we can draw where it lands."
        )
        try:
            reg, iters = st.session_state.get("l1_settings", (1.0, 15))
            space = L.two_factor_space(ds, ds.fingerprint, reg, iters)
            picks = L.items_multiselect(ds, "Three items the visitor likes", "l6_items",
                                        lessons.default_fold_in_items(ds))
            if picks:
                fold = lessons.fold_in_user(space.model, ds, picks)
                st.plotly_chart(viz.fold_in_figure(space, fold), key="l6_fold")
                st.caption("Only a user's direction matters for ranking, so the star is drawn "
                           "at the items' scale. Its best items lie furthest along that "
                           "direction. It need not point straight at the picks: ALS also "
                           "treats every other item as a weak 'no', so it turns away from "
                           "what everybody likes.")
                L.two_tables("Top 5 from the **2-factor** model (drawn above)",
                             fold.recommendations,
                             f"Top 5 from the **{L.SHARED_FACTORS}-factor** model",
                             lessons.fold_in_user(L.shared_model(ds), ds, picks).recommendations)
        except RecsysError as exc:
            show_error(exc)
        L.try_this(
            f"Drop 80%: the {words.many} survive longer than ranking quality does. Then "
            f"replace the visitor's items with three from another {words.one} and watch the "
            f"star swing round; compare how {words.one}-pure the two top-5 lists are."
            if words.labelled else
            "Drop 80% and watch ranking quality fall. Then replace the visitor's items with "
            "three very different ones and watch the star swing round; compare the two top-5 "
            "lists: does the small model follow the new taste as well as the large one?"
        )
