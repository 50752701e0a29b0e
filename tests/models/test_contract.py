"""One contract, every model: the same tests run over each registered model.

Determinism: every model gives identical factors for the same seed. That holds because BPR and
item2vec are run on one thread (their multi-threaded versions update shared vectors without
locks, so thread timing changes the result), and ALS's parallel solver updates each user/item
independently from fixed inputs. BLAS is limited to one thread around implicit's fits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data.dataset import Dataset
from recsys.errors import (
    ModelConfigError,
    NotFittedError,
    RecsysError,
    TrainingCancelled,
    UnknownIdError,
)
from recsys.models.base import Recommender
from recsys.models.profile import Profile
from recsys.models.registry import MODEL_PATHS, available_models, create_model
from tests.models.conftest import FAST, tiny_frame

KEYS = available_models()


def test_every_registered_model_is_available():
    assert KEYS == list(MODEL_PATHS)


@pytest.fixture(scope="module")
def fitted(small) -> dict[str, Recommender]:
    """Each model fitted once on the small slice (shared by the read-only tests)."""
    return {key: create_model(key, **FAST[key]).fit(small) for key in KEYS}


@pytest.mark.parametrize("key", KEYS)
class TestContract:
    def test_fit_sets_factors_and_history(self, key, fitted, small):
        model = fitted[key]
        assert model.is_fitted and model.history_
        assert model.dataset_fingerprint_ == small.fingerprint
        if model.has_embeddings:
            assert model.user_factors_.shape[0] == small.n_users
            assert model.item_factors_.shape[0] == small.n_items
            assert model.user_factors_.dtype == np.float32
            assert model.item_factors_.dtype == np.float32
            assert np.isfinite(model.item_factors_).all() and np.isfinite(model.user_factors_).all()
        scores = model.score_users(np.arange(small.n_users))
        assert scores.shape == (small.n_users, small.n_items)
        assert np.isfinite(scores).all()

    def test_recommend_excludes_seen_items(self, key, fitted, small):
        model = fitted[key]
        for user in small.user_ids.ids[:20]:
            seen = set(small.user_history(user)["item"])
            recs = model.recommend(user, n=10)
            assert list(recs.columns) == ["item", "score", "rank"]
            assert len(recs) == 10 and not seen & set(recs["item"])
            assert list(recs["rank"]) == list(range(1, 11))
            assert (np.diff(recs["score"].to_numpy()) <= 0).all()
        # without exclusion the top list is the plain top of the scores
        user = small.user_ids.ids[0]
        all_recs = model.recommend(user, n=5, exclude_seen=False)
        expected = np.sort(model.user_scores(user))[::-1][:5]
        np.testing.assert_allclose(all_recs["score"].to_numpy(), expected, rtol=1e-6)

    def test_recommend_respects_allowed_mask(self, key, fitted, small):
        allowed = np.zeros(small.n_items, dtype=bool)
        allowed[::3] = True
        recs = fitted[key].recommend(small.user_ids.ids[1], n=10, allowed=allowed)
        assert allowed[small.item_ids.indices(recs["item"])].all()

    def test_similar_items_excludes_the_item_itself(self, key, fitted, small):
        model = fitted[key]
        item = small.item_ids.ids[5]
        if not model.has_embeddings:
            with pytest.raises(ModelConfigError, match="no embeddings"):
                model.similar_items(item)
            return
        sims = model.similar_items(item, n=10)
        assert len(sims) == 10 and item not in set(sims["item"])
        assert "reason" in sims and (sims["score"] <= 1.0 + 1e-6).all()
        users = model.similar_users(small.user_ids.ids[5], n=5)
        assert small.user_ids.ids[5] not in set(users["user"])

    def test_visitor_recommendations_exclude_the_given_items(self, key, fitted, small):
        items = list(small.item_ids.ids[:4])
        recs = fitted[key].recommend_profile(Profile.of_items(fitted[key], items), n=8)
        assert len(recs) == 8 and not set(items) & set(recs["item"])

    def test_explanations_sum_to_the_scores(self, key, fitted, small):
        """User and visitor: every model's contributions add up to the score it explains."""
        model = fitted[key]
        user = small.user_ids.ids[3]
        for profile in (
            Profile.of_user(model, small, user),
            Profile.of_items(model, list(small.item_ids.ids[[4, 9, 25, 60]])),
        ):
            recs = model.recommend_profile(profile, n=5)
            idx = model.item_ids_.indices(list(recs["item"]))
            breakdown = model.explain(profile, idx)
            assert breakdown.contributions.shape[1] == len(idx)
            np.testing.assert_allclose(breakdown.model_scores, recs["score"], rtol=1e-5, atol=1e-6)
            if profile.visitor or breakdown.kind != "history":
                # a visitor is scored by the very vector/solve that is decomposed
                np.testing.assert_allclose(breakdown.totals, recs["score"], rtol=1e-4, atol=1e-5)

    def test_hyperparameters_are_explicit_and_never_rewritten(self, key, fitted):
        import inspect

        klass = type(fitted[key])
        signature = inspect.signature(klass)
        assert list(signature.parameters) == list(klass.PARAMS)
        given = {name: spec.default for name, spec in klass.PARAMS.items()}
        model = klass(**given)
        assert model.get_params() == given
        assert model.set_params(**given) is model
        with pytest.raises(ModelConfigError, match="no hyperparameter"):
            model.set_params(no_such_thing=1)

    def test_save_load_gives_identical_scores(self, key, fitted, small, tmp_path):
        model = fitted[key]
        model.save(tmp_path / key)
        loaded = Recommender.load(tmp_path / key)
        assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
        users = np.arange(small.n_users)
        np.testing.assert_array_equal(loaded.score_users(users), model.score_users(users))
        user = small.user_ids.ids[7]
        pd.testing.assert_frame_equal(loaded.recommend(user), model.recommend(user))
        if model.has_embeddings:
            np.testing.assert_array_equal(loaded.item_factors_, model.item_factors_)
            pd.testing.assert_frame_equal(
                loaded.similar_items(small.item_ids.ids[0]),
                model.similar_items(small.item_ids.ids[0]),
            )

    def test_unfitted_model_says_train_first(self, key, small):
        model = create_model(key)
        with pytest.raises(NotFittedError, match="fit"):
            model.recommend(small.user_ids.ids[0])
        with pytest.raises(NotFittedError):
            model.save("never-written")

    def test_same_seed_same_factors(self, key, fitted, small):
        again = create_model(key, **FAST[key]).fit(small)
        users = np.arange(small.n_users)
        np.testing.assert_array_equal(again.score_users(users), fitted[key].score_users(users))
        if fitted[key].has_embeddings:
            np.testing.assert_array_equal(again.item_factors_, fitted[key].item_factors_)

    def test_unknown_ids_and_params_give_clear_errors(self, key, fitted):
        with pytest.raises(UnknownIdError, match="not in the data"):
            fitted[key].recommend("no-such-user")
        with pytest.raises(ModelConfigError, match="no hyperparameter"):
            create_model(key, not_a_param=1)

    def test_cancel_from_progress_stops_training(self, key, small):
        calls = []

        def cancel(step, total, info):
            calls.append(step)
            raise TrainingCancelled("stop")

        model = create_model(key, **FAST[key])
        with pytest.raises(TrainingCancelled):
            model.fit(small, cancel)
        assert len(calls) == 1

    def test_one_user_is_refused_clearly(self, key):
        ds = Dataset.from_frame(tiny_frame([("u1", "a", 5.0), ("u1", "b", 3.0)]))
        with pytest.raises(ModelConfigError, match="at least 2 users"):
            create_model(key).fit(ds)

    def test_degenerate_data_fits_or_says_why(self, key):
        # 3 users x 3 items, one interaction each and equal values: learnable by few models
        ds = Dataset.from_frame(tiny_frame([("u1", "a", 1.0), ("u2", "b", 1.0), ("u3", "c", 1.0)]))
        try:
            model = create_model(key).fit(ds)
        except RecsysError as exc:
            assert len(str(exc)) > 40  # a sentence, not a bare code
            return
        scores = model.score_users(np.arange(3))
        assert np.isfinite(scores).all()
        assert len(model.recommend("u1", n=5)) == 2  # the two unseen items

    def test_users_without_interactions_after_a_split(self, key, small):
        mask = small.user_index != 0  # user 0 keeps its id but loses every interaction
        model = create_model(key, **FAST[key]).fit(small.with_interactions(mask))
        scores = model.user_scores(small.user_ids.ids[0])
        assert np.isfinite(scores).all()
        assert len(model.recommend(small.user_ids.ids[0], n=5)) == 5
