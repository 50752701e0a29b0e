"""item2vec: word2vec over each user's time-ordered history (Barkan & Koenigstein 2016)."""

from __future__ import annotations

import zlib

import numpy as np

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError
from recsys.models.base import Param, Progress, Recommender
from recsys.models.profile import Profile


def _stable_hash(text: str) -> int:
    """gensim seeds each word vector with ``hashfxn(word + seed)``; Python's ``hash`` of a str
    changes between processes, so use a stable one for reproducible vectors."""
    return zlib.crc32(text.encode("utf-8"))


class Item2Vec(Recommender):
    """Skip-gram with negative sampling where a "sentence" is one user's history.

    item2vec treats a history as a set (Barkan & Koenigstein 2016): any two items of it are
    each other's context. Word2vec's window only sees close neighbours in a sequence, so each
    epoch shuffles every history (seeded) before training: over the epochs every pair of a
    history falls inside the window, at the cost of a window, not of the whole history.

    Scoring follows the model word2vec actually fits: ``P(item j | item i)`` grows with
    ``w_i . c_j``, the *input* vector of the history item with the *output* (context) vector
    of the candidate. A user's vector is the mean of their items' input vectors and items are
    scored with their output vectors, which are ``item_factors_`` (the map and neighbours use
    them too). Negatives are drawn uniformly from the catalogue (``ns_exponent=0``) so scores
    rank by co-occurrence, not against popularity. Measured on ml-latest-small (temporal
    split): mean input . input vectors (the former scoring), window 5, 5 epochs: NDCG@10 0.047;
    shuffled histories with input . output vectors: 0.097 (most popular 0.088).
    Trained with one worker thread and a seed, so the same seed gives the same vectors.
    """

    key = "item2vec"
    label = "item2vec (word2vec on histories)"
    description = (
        "The word-embedding approach used for listings and songs: each user's history is a "
        "sentence and items are words; histories are shuffled every epoch so that any two items "
        "a user has are each other's context. Good at 'people who looked at this also looked "
        "at'. A user's vector is the mean of their items' vectors."
    )
    PARAMS = {
        "factors": Param(64, "Embedding size (word2vec's vector_size).", min=2, max=512),
        "window": Param(
            10,
            "How many items on each side of an item count as its context in each (shuffled) "
            "pass. Histories are reshuffled every epoch, so pairs far apart still meet; larger "
            "windows cost proportionally more time.",
            min=1,
            max=1000,
        ),
        "epochs": Param(
            0,
            "Passes over all histories; 0 = chosen from the data size (about 1 million "
            "interactions seen in all, between 5 and 30 passes).",
            min=0,
            max=200,
        ),
        "negative": Param(5, "Negative samples drawn per positive pair.", min=1, max=50),
        "min_count": Param(
            1,
            "Items with fewer interactions than this get no vector (a zero vector).",
            min=1,
            max=1000,
        ),
        "learning_rate": Param(
            0.025,
            "Initial learning rate (word2vec's alpha); it decays linearly.",
            min=1e-4,
            max=1.0,
            log=True,
        ),
        "sample": Param(
            0.0,
            "Down-sampling of very popular items (word2vec's sample, e.g. 0.001); 0 turns it "
            "off, which suits recommendation: popular items are often the right answer.",
            min=0.0,
            max=0.1,
        ),
        "seed": Param(42, "Random seed; the same seed gives the same vectors.", min=0),
    }

    #: epochs=0 aims at this many interactions seen in all, within [MIN, MAX] passes
    AUTO_INTERACTIONS = 1_000_000
    AUTO_MIN_EPOCHS = 5
    AUTO_MAX_EPOCHS = 30

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        from gensim.models import Word2Vec

        sentences = _histories(dataset, self.item_ids_.ids)
        if not any(len(s) > 1 for s in sentences):
            raise ModelConfigError(
                "item2vec learns from items that appear together in a user's history, but no "
                "user has more than one item. Use PureSVD or ALS, or load more data."
            )
        n_words = sum(len(s) for s in sentences)
        self.epochs_ = int(self.epochs) or int(
            np.clip(
                round(self.AUTO_INTERACTIONS / n_words), self.AUTO_MIN_EPOCHS, self.AUTO_MAX_EPOCHS
            )
        )
        total = self.epochs_
        w2v = Word2Vec(
            vector_size=int(self.factors),
            window=int(self.window),
            min_count=int(self.min_count),
            sg=1,
            negative=int(self.negative),
            ns_exponent=0.0,
            alpha=float(self.learning_rate),
            sample=float(self.sample),
            seed=int(self.seed),
            workers=1,
            hashfxn=_stable_hash,
        )
        w2v.build_vocab(sentences)
        rng = np.random.default_rng(self.seed)
        alpha, floor = float(self.learning_rate), 1e-4
        for epoch in range(total):
            shuffled = [list(rng.permutation(s)) for s in sentences]
            w2v.train(
                shuffled,
                total_examples=len(shuffled),
                epochs=1,
                start_alpha=alpha - (alpha - floor) * epoch / total,
                end_alpha=alpha - (alpha - floor) * (epoch + 1) / total,
                compute_loss=True,
            )
            self._report(progress, epoch + 1, total, loss=float(w2v.get_latest_training_loss()))
        n, k = len(self.item_ids_), int(self.factors)
        inputs = np.zeros((n, k), dtype=np.float32)
        outputs = np.zeros((n, k), dtype=np.float32)
        for word, row in w2v.wv.key_to_index.items():
            inputs[int(word)] = w2v.wv.vectors[row]
            outputs[int(word)] = w2v.syn1neg[row]
        self.input_vectors_ = inputs
        self.item_factors_ = outputs
        self.user_factors_ = _mean_rows(self.user_items_, inputs)

    fold_in_text = "the mean of the picked items' input vectors, as for every user"

    def fold_in(self, profile: Profile) -> np.ndarray:
        """A visitor's vector is the mean of their items' input vectors, like a user's."""
        self._check_fitted()
        V = self.input_vectors_[np.asarray(profile.items, dtype=np.int64)].astype(np.float64)
        return V.mean(axis=0).astype(np.float32) if len(V) else np.zeros(V.shape[1], np.float32)

    def _arrays(self) -> dict[str, np.ndarray]:
        return {**super()._arrays(), "input_vectors": self.input_vectors_}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        super()._restore(arrays)
        self.input_vectors_ = arrays["input_vectors"]


def _histories(dataset: Dataset, item_ids: np.ndarray) -> list[list[str]]:
    """Each user's item indices (as str "words") ordered by time, ties by file order."""
    order = np.lexsort((np.arange(dataset.n_interactions), dataset.timestamps, dataset.user_index))
    users = dataset.user_index[order]
    items = dataset.item_index[order].astype(str)
    bounds = np.flatnonzero(np.diff(users)) + 1
    return [list(chunk) for chunk in np.split(items, bounds) if len(chunk)]


def _mean_rows(matrix, vectors: np.ndarray) -> np.ndarray:
    """Mean of the item vectors in each user's row (zero vector for users with no items)."""
    binary = matrix.copy()
    binary.data[:] = 1.0
    counts = np.asarray(binary.sum(axis=1)).ravel()
    counts[counts == 0] = 1.0
    return (np.asarray(binary @ vectors) / counts[:, None]).astype(np.float32)
