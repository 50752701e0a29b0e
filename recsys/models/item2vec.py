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
    """Skip-gram with negative sampling where a "sentence" is one user's items in time order.

    Items that appear near each other in many histories get similar vectors. A user's vector
    is the mean of their items' vectors; scores are dot products. Trained with one worker
    thread and a seed, so the same seed gives the same vectors.
    """

    key = "item2vec"
    label = "item2vec (word2vec on histories)"
    description = (
        "The word-embedding approach used for listings and songs: each user's history, ordered "
        "by time, is a sentence and items are words. Good at 'people who looked at this also "
        "looked at'. User vectors are the mean of their items."
    )
    PARAMS = {
        "factors": Param(64, "Embedding size (word2vec's vector_size).", min=2, max=512),
        "window": Param(
            5,
            "How many neighbouring items on each side of an item count as its context. Larger "
            "windows mix more of a history together and cost proportionally more time.",
            min=1,
            max=1000,
        ),
        "epochs": Param(5, "Passes over all histories.", min=1, max=200),
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
            0.001,
            "Down-sampling of very popular items (word2vec's sample); 0 turns it off.",
            min=0.0,
            max=0.1,
        ),
        "seed": Param(42, "Random seed; the same seed gives the same vectors.", min=0),
    }

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        from gensim.models import Word2Vec
        from gensim.models.callbacks import CallbackAny2Vec

        sentences = _histories(dataset, self.item_ids_.ids)
        if not any(len(s) > 1 for s in sentences):
            raise ModelConfigError(
                "item2vec learns from items that appear together in a user's history, but no "
                "user has more than one item. Use PureSVD or ALS, or load more data."
            )
        total = int(self.epochs)
        owner = self

        class Report(CallbackAny2Vec):
            def __init__(self) -> None:
                self.epoch = 0
                self.previous = 0.0

            def on_epoch_end(self, model) -> None:
                self.epoch += 1
                cumulative = float(model.get_latest_training_loss())
                loss, self.previous = cumulative - self.previous, cumulative
                owner._report(progress, self.epoch, total, loss=loss)

        w2v = Word2Vec(
            vector_size=int(self.factors),
            window=int(self.window),
            min_count=int(self.min_count),
            sg=1,
            negative=int(self.negative),
            alpha=float(self.learning_rate),
            sample=float(self.sample),
            seed=int(self.seed),
            workers=1,
            epochs=total,
            hashfxn=_stable_hash,
            compute_loss=True,
        )
        w2v.build_vocab(sentences)
        w2v.train(
            sentences,
            total_examples=w2v.corpus_count,
            epochs=total,
            compute_loss=True,
            callbacks=[Report()],
        )
        item_vectors = np.zeros((len(self.item_ids_), int(self.factors)), dtype=np.float32)
        for word, row in w2v.wv.key_to_index.items():
            item_vectors[int(word)] = w2v.wv.vectors[row]
        self.item_factors_ = item_vectors
        self.user_factors_ = _mean_rows(self.user_items_, item_vectors)

    fold_in_text = "the mean of the picked items' vectors, as for every user"

    def fold_in(self, profile: Profile) -> np.ndarray:
        """A visitor's vector is the mean of their items' vectors, like a user's."""
        self._check_fitted()
        V = self.item_factors_[np.asarray(profile.items, dtype=np.int64)].astype(np.float64)
        return V.mean(axis=0).astype(np.float32) if len(V) else np.zeros(V.shape[1], np.float32)


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
