"""An :class:`EmbeddingSet`: item (and optional user) vectors with metadata, from a model or a file.

The Map page explores an EmbeddingSet, so maps, clusters and neighbours work the same for a
trained model and for embeddings imported from elsewhere (which have no model). Recommendations
need user vectors (a model's, or imported ones); "exclude seen" needs interactions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.data.dataset import Dataset, IdMap, empty_item_frame, label_column_of
from recsys.data.titles import find_titles
from recsys.errors import ModelConfigError, RecsysError
from recsys.linalg import cosine_neighbours, normalise_rows


@dataclass(eq=False)
class EmbeddingSet:
    """Vectors to put on a map.

    Attributes
    ----------
    name : str
        Shown in titles and file names.
    item_ids : IdMap
    item_vectors : np.ndarray
        float32 (n_items x d).
    items : pd.DataFrame
        One row per item in index order: item_id, title, categories (list), tags (list) and
        any extra metadata columns.
    popularity : np.ndarray or None
        Interactions per item (for colour/size), when known.
    first_seen : np.ndarray or None
        Seconds since the epoch of each item's first interaction, when known.
    user_ids, user_vectors : optional
        Users and their vectors (users map, joint map, scores, recommendations).
    user_items : scipy.sparse.csr_matrix or None
        Users x items interactions (who interacts with a selection; "exclude seen").
    model : Recommender or None
        When present, scores come from ``model.score_users`` (biases included).
    """

    name: str
    item_ids: IdMap
    item_vectors: np.ndarray
    items: pd.DataFrame
    popularity: np.ndarray | None = None
    first_seen: np.ndarray | None = None
    user_ids: IdMap | None = None
    user_vectors: np.ndarray | None = None
    user_items: sp.csr_matrix | None = None
    model: object | None = None
    source: str = "model"
    extra: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_model(cls, model, dataset: Dataset, name: str | None = None) -> EmbeddingSet:
        """Item and user factors of a fitted model, with the dataset's metadata and activity."""
        if not getattr(model, "is_fitted", False):
            raise ModelConfigError("The model is not trained yet: train it on the Train page.")
        if not getattr(model, "has_embeddings", True):
            raise ModelConfigError(
                f"{model.label} has no embeddings to draw; pick a factor model such as ALS."
            )
        if len(model.item_ids_) != dataset.n_items:
            raise ModelConfigError(
                "This model was trained on different data than the current dataset; "
                "train a model on the current dataset first."
            )
        first = np.full(dataset.n_items, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, dataset.item_index, dataset.timestamps)
        first_seen = first if dataset.has_timestamps else None
        return cls(
            name=name or f"{model.label or model.key} on {dataset.name}",
            item_ids=model.item_ids_,
            item_vectors=np.asarray(model.item_factors_, dtype=np.float32),
            items=dataset.items,
            popularity=dataset.item_popularity,
            first_seen=first_seen,
            user_ids=model.user_ids_,
            user_vectors=np.asarray(model.user_factors_, dtype=np.float32),
            user_items=model.user_items_,
            model=model,
            source="model",
        )

    # ------------------------------------------------------------------ views
    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_users(self) -> int:
        return 0 if self.user_ids is None else len(self.user_ids)

    @property
    def dim(self) -> int:
        return int(self.item_vectors.shape[1])

    @property
    def has_users(self) -> bool:
        return self.user_vectors is not None and self.user_ids is not None

    @property
    def titles(self) -> np.ndarray:
        return self.items["title"].to_numpy(dtype=object)

    @cached_property
    def categories(self) -> list[list[str]]:
        """Categories per item (built once: a list per item, 0.1 s at 18k items)."""
        return [
            list(c) if isinstance(c, list | tuple | np.ndarray) else []
            for c in self.items["categories"]
        ]

    @cached_property
    def has_categories(self) -> bool:
        return any(len(c) for c in self.categories)

    @cached_property
    def tags(self) -> list[list[str]]:
        """Tags per item (built once, like :attr:`categories`)."""
        if "tags" not in self.items:
            return [[] for _ in range(self.n_items)]
        return [
            list(t) if isinstance(t, list | tuple | np.ndarray) else [] for t in self.items["tags"]
        ]

    @cached_property
    def label_kind(self) -> str | None:
        """What describes items here: "category", else "tag" (categories win), else None."""
        return {"categories": "category", "tags": "tag"}.get(label_column_of(self.items))

    @property
    def labels(self) -> list[list[str]]:
        """Each item's categories, or its tags when the catalogue has no categories."""
        return self.tags if self.label_kind == "tag" else self.categories

    @cached_property
    def fingerprint(self) -> str:
        """Digest of ids, vectors and what describes the items (a cache key: the same vectors
        give the same maps, and cluster names and coherence follow the titles, categories and
        tags, so the same vectors with other metadata are another set)."""
        h = hashlib.sha256()
        h.update("\x1f".join(self.item_ids.ids.tolist()).encode("utf-8"))
        for texts in (self.titles, self.categories, self.tags):
            h.update("\x1e".join(map(str, texts)).encode("utf-8"))
        h.update(np.ascontiguousarray(self.item_vectors).tobytes())
        if self.user_vectors is not None:
            h.update(np.ascontiguousarray(self.user_vectors).tobytes())
        return h.hexdigest()[:16]

    @cached_property
    def normalised_items(self) -> np.ndarray:
        return normalise_rows(self.item_vectors)

    def similar_items(self, index: int, n: int = 10) -> np.ndarray:
        """Indices of the ``n`` nearest items by cosine in the embedding space (self excluded)."""
        return cosine_neighbours(self.normalised_items, index, n)[0]

    def find_titles(self, query: str, limit: int = 20) -> np.ndarray:
        """Indices of items whose title contains ``query`` (case-insensitive), shortest first."""
        return find_titles(self.titles, query, limit)

    @cached_property
    def user_activity(self) -> np.ndarray | None:
        """Interactions per user, when interactions are known."""
        if self.user_items is None:
            return None
        return np.diff(self.user_items.tocsr().indptr).astype(np.int64)

    @cached_property
    def favourite_categories(self) -> np.ndarray | None:
        """Each user's most frequent category (or tag) among the items they interacted with."""
        if self.user_items is None or self.label_kind is None:
            return None
        cats = self.labels
        vocab = sorted({c for cs in cats for c in cs})
        col = {c: j for j, c in enumerate(vocab)}
        rows = [i for i, cs in enumerate(cats) for _ in cs]
        cols = [col[c] for cs in cats for c in cs]
        item_cat = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(self.n_items, len(vocab))
        )
        counts = ((self.user_items > 0).astype(np.float32) @ item_cat).toarray()
        best = counts.argmax(axis=1)
        out = np.asarray([vocab[j] for j in best], dtype=object)
        out[counts.max(axis=1) == 0] = "(no history)"
        return out

    # ------------------------------------------------------------------ scores
    def score_users(self, users: np.ndarray) -> np.ndarray:
        """Scores of every item for user indices (rows x items): the model's, else dot products."""
        users = np.asarray(users, dtype=np.int64)
        if self.model is not None:
            return np.asarray(self.model.score_users(users), dtype=np.float32)
        if not self.has_users:
            raise RecsysError(
                "These embeddings have no user vectors, so there are no scores or "
                "recommendations; maps, clusters and neighbours still work."
            )
        return self.user_vectors[users] @ self.item_vectors.T

    def user_scores(self, user: str) -> np.ndarray:
        """Scores of every item for one user (external id)."""
        if self.user_ids is None:
            raise RecsysError("These embeddings have no users.")
        return self.score_users(np.array([self.user_ids.index(user)]))[0]


def items_frame(item_ids: np.ndarray, meta: pd.DataFrame | None) -> pd.DataFrame:
    """Item metadata in the order of ``item_ids`` (title = id, no categories, where missing)."""
    base = empty_item_frame(np.asarray(item_ids, dtype=object))
    if meta is None or len(meta) == 0:
        return base
    meta = meta.drop_duplicates("item_id").set_index("item_id")
    out = base.set_index("item_id")
    for col in meta.columns:
        values = meta[col].reindex(out.index)
        if col in ("categories", "tags"):
            out[col] = [v if isinstance(v, list) else [] for v in values]
        elif col == "title":
            out[col] = values.where(values.notna(), pd.Series(out.index, index=out.index)).astype(
                str
            )
        else:
            out[col] = values
    return out.reset_index()
