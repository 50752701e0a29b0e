"""Mult-VAE: the neural autoencoder of the optional ``neural`` extra (JAX + optax).

The contract suite runs it like every model; these tests check what is special about it:
the encoder gives the vectors (fold-in is the model's own encoder, exactly), the same seed
gives the same factors, the encoder survives save/load without pickle, it ranks above
most-popular on held-out data, and without JAX it says how to install the extra.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from recsys.errors import ModelConfigError
from recsys.evaluation.comparison import ModelSpec, run_comparison
from recsys.evaluation.metrics import make_split
from recsys.models.base import Recommender
from recsys.models.multvae import MultVAE, unavailable_reason
from recsys.models.profile import Profile
from recsys.models.registry import get_model_class, unavailable_models
from tests.models.conftest import FAST

needs_jax = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))


@pytest.fixture(scope="module")
def vae(small) -> MultVAE:
    return MultVAE(**FAST["multvae"]).fit(small)


@needs_jax
def test_same_seed_same_factors_other_seed_differs(vae, small):
    again = MultVAE(**FAST["multvae"]).fit(small)
    np.testing.assert_array_equal(again.user_factors_, vae.user_factors_)
    np.testing.assert_array_equal(again.item_factors_, vae.item_factors_)
    np.testing.assert_array_equal(again.item_bias_, vae.item_bias_)
    other = MultVAE(**{**FAST["multvae"], "seed": 7}).fit(small)
    assert not np.allclose(other.item_factors_, vae.item_factors_)


@needs_jax
def test_fold_in_of_a_users_row_is_that_users_vector(vae, small):
    for u in (0, 5, 17):
        row = vae.user_items_[u]
        visitor = Profile(row.indices.astype(np.int64), np.ones(row.nnz), None, explicit=False)
        np.testing.assert_allclose(vae.fold_in(visitor), vae.user_factors_[u], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            vae.score_profile(visitor), vae.score_users(np.array([u]))[0], rtol=1e-5, atol=1e-5
        )


@needs_jax
def test_scores_are_factors_plus_item_bias_and_explain_sums_to_them(vae, small):
    scores = vae.score_users(np.arange(small.n_users))
    expected = vae.user_factors_ @ vae.item_factors_.T + vae.item_bias_
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-5)
    visitor = Profile(np.array([1, 2, 3]), np.ones(3), None, explicit=False)
    items = np.array([10, 20, 30])
    parts = vae.explain(visitor, items)
    np.testing.assert_allclose(
        parts.contributions.sum(axis=0), vae.score_profile(visitor)[items], rtol=1e-5, atol=1e-5
    )
    assert "encoder" in parts.method


@needs_jax
def test_training_reports_each_epoch_with_a_falling_loss(small):
    steps = []
    MultVAE(**{**FAST["multvae"], "epochs": 8}).fit(small, lambda s, t, info: steps.append(info))
    assert [s["step"] for s in steps] == list(range(1, 9)) and steps[0]["total"] == 8
    assert steps[-1]["loss"] < steps[0]["loss"]
    assert steps[0]["beta"] < steps[-1]["beta"] <= 0.2  # KL weight annealed up to the cap


@needs_jax
def test_save_load_keeps_the_encoder(vae, small, tmp_path):
    vae.save(tmp_path / "vae")
    with np.load(tmp_path / "vae" / "arrays.npz", allow_pickle=False) as z:
        assert {"m_enc_w0", "m_enc_b0", "m_enc_w1", "m_enc_b1"} <= set(z.files)
    loaded = Recommender.load(tmp_path / "vae")
    visitor = Profile(np.array([4, 8, 15, 16]), np.ones(4), None, explicit=False)
    np.testing.assert_array_equal(loaded.fold_in(visitor), vae.fold_in(visitor))


@needs_jax
def test_mult_dae_variant_with_a_linear_encoder_trains_without_kl(small):
    steps = []
    params = {**FAST["multvae"], "variational": False, "hidden": 0}
    dae = MultVAE(**params).fit(small, lambda s, t, i: steps.append(i))
    ((w, b),) = dae.encoder_  # one linear layer, no log-variance half
    assert w.shape == (small.n_items, params["factors"])
    assert all(s["beta"] == 0.0 for s in steps)
    user = dae.user_items_[3]
    visitor = Profile(user.indices.astype(np.int64), np.ones(user.nnz), None, explicit=False)
    np.testing.assert_allclose(dae.fold_in(visitor), dae.user_factors_[3], rtol=1e-5, atol=1e-6)


@needs_jax
@pytest.mark.slow
def test_defaults_beat_most_popular_on_the_demo(demo):
    split = make_split(demo, "temporal")
    comparison = run_comparison(demo, split, [ModelSpec("multvae")], k=10)
    ndcg = {r.key: r.metrics["ndcg"] for r in comparison.results}
    assert ndcg["multvae"] > 1.1 * ndcg["popular"], ndcg


def test_without_jax_training_says_how_to_install_the_extra(small, monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)  # `import jax` now raises ImportError
    assert 'pip install -e ".[neural]"' in unavailable_models()["multvae"]
    model = get_model_class("multvae")(**FAST["multvae"])  # listed and loadable without JAX
    with pytest.raises(ModelConfigError, match=r'pip install -e "\.\[neural\]"'):
        model.fit(small)
