"""Mult-VAE / Mult-DAE: a variational autoencoder for implicit feedback (Liang et al. 2018).

Needs the optional ``neural`` extra (JAX + optax), for training only: ``pip install -e
".[neural]"``. A trained model scores, folds in, explains and maps with NumPy alone.

The decoder is *linear* (one softmax layer over items), which makes the model a factor model:

- user vector ``u`` = the encoder's mean ``mu(x_u)`` (L2-normalised 0/1 history row, tanh
  hidden layer, a linear mean layer), the same function for a training user and a visitor;
- item vector ``v_i`` = column ``i`` of the decoder weights, item bias ``b_i`` = its bias;
- score = ``u . v_i + b_i``, the decoder's logit (the softmax keeps the order of logits).

So :meth:`fold_in` is exact (the model's own encoder), and the base class's factor + bias
explanation applies unchanged. The encoder runs once more in NumPy after training to give
``user_factors_``, so a training user's vector and the fold-in of their row are the same maths.

Training follows the paper: multinomial log-likelihood, dropout on the input, KL term weighted
by ``beta`` annealed linearly from 0 to ``anneal_cap``, Adam, minibatches of users. Randomness
(initial weights, user order, dropout and the reparameterisation noise) comes from ``seed``
only, so the same seed gives identical factors (XLA's CPU kernels are deterministic).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from recsys.data.dataset import Dataset
from recsys.models._neural import import_neural
from recsys.models._neural import unavailable_reason as unavailable_reason
from recsys.models.base import Param, Progress, Recommender
from recsys.models.profile import Profile


class MultVAE(Recommender):
    """Mult-VAE with a linear decoder: user vector = encoder mean, item vectors = decoder."""

    key = "multvae"
    label = "Mult-VAE (neural autoencoder)"
    description = (
        "A variational autoencoder (Liang et al. 2018): a neural encoder reads a user's whole "
        "history and outputs their vector; a softmax over items, whose weights are the item "
        "vectors, predicts what else they pick. Any history, a visitor's too, gets its vector "
        "from the same encoder. Ignores rating values. Trained with JAX on the CPU."
    )
    fold_in_text = "the model's own encoder (its mean), exactly as for training users"

    PARAMS = {
        "factors": Param(
            64,
            "Embedding size: dimension of the latent user vector and of the item vectors.",
            min=1,
            max=1024,
        ),
        "hidden": Param(
            200,
            "Size of the encoder's tanh hidden layer; 0 = none (a linear encoder). The paper "
            "uses 600; on ml-latest-small 200 ranked as well at a third of the time.",
            min=0,
            max=4096,
        ),
        "epochs": Param(
            0,
            "Passes over all users; 0 = auto (about 200 gradient steps, 20-200 passes: longer "
            "training over-fits small data).",
            min=0,
            max=2000,
        ),
        "batch_size": Param(
            0,
            "Users per gradient step; 0 = auto (500 as in the paper, fewer on small data so each "
            "pass still takes several steps).",
            min=0,
            max=100_000,
        ),
        "learning_rate": Param(3e-3, "Adam's step size.", min=1e-5, max=0.1, log=True),
        "dropout": Param(
            0.5,
            "Share of each input history hidden during training (denoising).",
            min=0.0,
            max=0.95,
        ),
        "anneal_cap": Param(
            0.2,
            "Largest weight of the KL term (beta); it grows linearly from 0 over training. "
            "0 trains a plain denoising autoencoder.",
            min=0.0,
            max=1.0,
        ),
        "weight_decay": Param(
            0.0,
            "L2 penalty on the weights (decoupled, AdamW); try 1e-4 to 1e-2 on small data.",
            min=0.0,
            max=1.0,
            log=True,
        ),
        "variational": Param(
            True,
            "Mult-VAE (sampled latent vector with a KL term); off gives Mult-DAE "
            "(deterministic encoder, no KL term).",
        ),
        "seed": Param(42, "Random seed: initial weights, user order and dropout.", min=0),
    }

    #: gradient steps the automatic epoch count aims for, and its bounds
    AUTO_STEPS = 200
    AUTO_EPOCHS = (20, 200)

    # ------------------------------------------------------------------ fit
    def schedule(self, n_users: int) -> tuple[int, int]:
        """(epochs, batch size) used for ``n_users`` users: the given values or the automatic."""
        batch = int(self.batch_size) or max(16, min(500, math.ceil(n_users / 8)))
        batch = min(batch, n_users)
        steps_per_epoch = math.ceil(n_users / batch)
        low, high = self.AUTO_EPOCHS
        epochs = int(self.epochs) or int(
            np.clip(round(self.AUTO_STEPS / steps_per_epoch), low, high)
        )
        return epochs, batch

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        jax, jnp, optax = import_neural()
        x = self.user_items_.copy()
        x.data[:] = 1.0  # a multinomial over items: histories count picks, not ratings
        x.eliminate_zeros()
        self.user_items_ = x
        n_users, n_items = x.shape
        epochs, batch = self.schedule(n_users)
        k = int(self.factors)
        sizes = [n_items, int(self.hidden)] if int(self.hidden) else [n_items]
        variational = bool(self.variational)
        keep = 1.0 - float(self.dropout)

        key = jax.random.PRNGKey(int(self.seed))
        key, init_key = jax.random.split(key)
        params = _init_params(jax, jnp, init_key, sizes, k, variational, n_items)

        steps_per_epoch = math.ceil(n_users / batch)
        total_steps = epochs * steps_per_epoch
        # beta reaches its cap after 80% of the steps (the paper anneals over a fixed count)
        anneal_steps = max(1, int(0.8 * total_steps))
        cap = float(self.anneal_cap) if variational else 0.0
        opt, update = _training_step(
            batch, k, variational, keep, float(self.learning_rate), float(self.weight_decay)
        )
        opt_state = opt.init(params)

        lengths = np.diff(x.indptr)
        # One fixed batch shape (one compilation): at most `batch` users and `budget` entries.
        budget = _round_up(max(int(lengths.max()), int(1.5 * batch * lengths.mean())), 256)
        order_rng = np.random.default_rng(int(self.seed))
        step = 0
        for epoch in range(1, epochs + 1):
            losses = []
            for users in _pack(order_rng.permutation(n_users), lengths, batch, budget):
                sub = x[users]
                nnz = sub.nnz
                rows = np.zeros(budget, dtype=np.int32)
                cols = np.zeros(budget, dtype=np.int32)
                valid = np.zeros(budget, dtype=np.float32)
                rows[:nnz] = np.repeat(np.arange(len(users), dtype=np.int32), np.diff(sub.indptr))
                cols[:nnz] = sub.indices
                valid[:nnz] = 1.0
                inv_norm = np.zeros(batch, dtype=np.float32)
                inv_norm[: len(users)] = 1.0 / np.sqrt(np.maximum(lengths[users], 1))
                mask = np.zeros(batch, dtype=np.float32)
                mask[: len(users)] = 1.0
                beta = cap * min(1.0, step / anneal_steps)
                params, opt_state, loss = update(
                    params,
                    opt_state,
                    rows,
                    cols,
                    valid,
                    inv_norm,
                    mask,
                    jax.random.fold_in(key, step),
                    beta,
                )
                losses.append(loss)
                step += 1
            self._report(
                progress, epoch, epochs, loss=float(np.mean([float(v) for v in losses])), beta=beta
            )

        self.encoder_ = [
            (np.asarray(w, dtype=np.float32), np.asarray(b, dtype=np.float32))
            for w, b in params["enc"]
        ]
        self.item_factors_ = np.ascontiguousarray(np.asarray(params["dec_w"]).T, dtype=np.float32)
        self.item_bias_ = np.asarray(params["dec_b"], dtype=np.float32)
        self.user_factors_ = self._encode(x)

    # ------------------------------------------------------------------ encoder (NumPy)
    def _encode(self, rows: sp.csr_matrix) -> np.ndarray:
        """The encoder's mean for 0/1 history rows (float32), the same maths as in training."""
        rows = sp.csr_matrix(rows, dtype=np.float32)
        norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1), dtype=np.float32)).ravel()
        norms[norms == 0] = 1.0
        w, b = self.encoder_[0]
        h = np.asarray(sp.diags(1.0 / norms).astype(np.float32) @ rows @ w) + b
        for w, b in self.encoder_[1:]:
            h = np.tanh(h, dtype=np.float32) @ w + b
        k = self.item_factors_.shape[1]
        return np.ascontiguousarray(h[:, :k], dtype=np.float32)  # the mean half

    def fold_in(self, profile: Profile) -> np.ndarray:
        """A visitor's vector: the encoder's mean for their 0/1 history row (exact)."""
        self._check_fitted()
        items = np.unique(np.asarray(profile.items, dtype=np.int64))
        row = sp.csr_matrix(
            (np.ones(len(items), dtype=np.float32), items, [0, len(items)]),
            shape=(1, len(self.item_ids_)),
        )
        return self._encode(row)[0]

    # ------------------------------------------------------------------ persistence
    def _arrays(self) -> dict[str, np.ndarray]:
        out = super()._arrays()
        for i, (w, b) in enumerate(self.encoder_):
            out[f"enc_w{i}"] = w
            out[f"enc_b{i}"] = b
        return out

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        super()._restore(arrays)
        n_layers = sum(1 for name in arrays if name.startswith("enc_w"))
        self.encoder_ = [(arrays[f"enc_w{i}"], arrays[f"enc_b{i}"]) for i in range(n_layers)]


@functools.lru_cache(maxsize=4)
def _training_step(
    batch: int, k: int, variational: bool, keep: float, learning_rate: float, weight_decay: float
) -> tuple[Any, Any]:
    """(optimizer, jitted update step) for these settings.

    Cached, so fits with the same settings (and data shapes) reuse one compilation: XLA compiles
    per function object and input shapes, and compiling takes seconds.
    """
    jax, jnp, optax = import_neural()
    opt = optax.adamw(learning_rate, weight_decay=weight_decay)

    def loss_fn(p, rows, cols, valid, inv_norm, mask, rng, beta):
        # The batch is sparse: (row, column) pairs of its 0/1 entries, padded with
        # valid = 0 to a fixed length. The first layer gathers rows of W1 instead of a
        # dense (batch x items) product, and the likelihood reads the logits it needs.
        drop_key, eps_key = jax.random.split(rng)
        inp = valid * inv_norm[rows]  # L2-normalised row
        if keep < 1.0:
            inp = inp * jax.random.bernoulli(drop_key, keep, inp.shape) / keep
        w, b = p["enc"][0]
        h = jax.ops.segment_sum(inp[:, None] * w[cols], rows, num_segments=batch) + b
        for w, b in p["enc"][1:]:
            h = jnp.tanh(h) @ w + b
        if variational:
            mu, logvar = h[:, :k], h[:, k:]
            z = mu + jax.random.normal(eps_key, mu.shape) * jnp.exp(0.5 * logvar)
            kl = 0.5 * jnp.sum(jnp.exp(logvar) + mu**2 - 1.0 - logvar, axis=1)
        else:
            z, kl = h, jnp.zeros(h.shape[0])
        logits = z @ p["dec_w"] + p["dec_b"]
        # -log p(x_u) = n_u * logsumexp(logits_u) - sum of the logits of u's items
        picked = jax.ops.segment_sum(valid * logits[rows, cols], rows, num_segments=batch)
        n_u = jax.ops.segment_sum(valid, rows, num_segments=batch)
        nll = n_u * jax.nn.logsumexp(logits, axis=1) - picked
        return jnp.sum(mask * (nll + beta * kl)) / jnp.maximum(jnp.sum(mask), 1.0)

    @jax.jit
    def update(p, state, rows, cols, valid, inv_norm, mask, rng, beta):
        loss, grads = jax.value_and_grad(loss_fn)(p, rows, cols, valid, inv_norm, mask, rng, beta)
        updates, state = opt.update(grads, state, p)
        return optax.apply_updates(p, updates), state, loss

    return opt, update


def _init_params(jax, jnp, key, sizes: list[int], k: int, variational: bool, n_items: int) -> dict:
    """Glorot-normal weights, zero biases (as in the paper's code, which used tiny biases)."""
    init = jax.nn.initializers.glorot_normal()
    dims = [*sizes, 2 * k if variational else k]
    keys = jax.random.split(key, len(dims))
    enc = [
        (init(keys[i], (dims[i], dims[i + 1]), jnp.float32), jnp.zeros(dims[i + 1], jnp.float32))
        for i in range(len(dims) - 1)
    ]
    dec_w = init(keys[-1], (k, n_items), jnp.float32)
    return {"enc": enc, "dec_w": dec_w, "dec_b": jnp.zeros(n_items, jnp.float32)}


def _round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def _pack(order: np.ndarray, lengths: np.ndarray, max_users: int, budget: int) -> list[np.ndarray]:
    """Consecutive groups of ``order``: at most ``max_users`` users and ``budget`` entries each."""
    groups, start, users, entries = [], 0, 0, 0
    for i, u in enumerate(order):
        n = int(lengths[u])
        if users == max_users or entries + n > budget:
            groups.append(order[start:i])
            start, users, entries = i, 0, 0
        users += 1
        entries += n
    groups.append(order[start:])
    return groups
