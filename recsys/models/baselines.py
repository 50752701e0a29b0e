"""Baselines without embeddings: most popular and random. They still recommend."""

from __future__ import annotations

import numpy as np

from recsys.data.dataset import Dataset
from recsys.models.base import Param, Progress, Recommender
from recsys.models.profile import Profile


class MostPopular(Recommender):
    """Everyone gets the items with the most distinct users (seen ones excluded)."""

    key = "popular"
    label = "Most popular (baseline)"
    description = (
        "Recommends the items with the most users to everybody. A baseline any real model "
        "should beat; it has no embeddings, so it cannot be mapped."
    )
    has_embeddings = False
    PARAMS: dict[str, Param] = {}

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        self.popularity_ = np.diff(self.user_items_.tocsc().indptr).astype(np.float32)
        self._report(progress, 1, 1)

    def _score_rows(self, users: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.popularity_, (len(users), len(self.popularity_))).copy()

    def score_profile(self, profile: Profile) -> np.ndarray:
        self._check_fitted()
        return self.popularity_.astype(np.float64)

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"popularity": self.popularity_}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.popularity_ = arrays["popularity"]


class RandomModel(Recommender):
    """Random scores, fixed per user by the seed (so the same user always gets the same list)."""

    key = "random"
    label = "Random (baseline)"
    description = "Recommends random items. The floor for every metric; it has no embeddings."
    has_embeddings = False
    PARAMS = {
        "seed": Param(42, "Random seed; the same seed gives every user the same list.", min=0)
    }

    def _fit(self, dataset: Dataset, progress: Progress) -> None:
        self._report(progress, 1, 1)

    def _score_rows(self, users: np.ndarray) -> np.ndarray:
        n = len(self.item_ids_)
        return (
            np.stack(
                [np.random.default_rng([int(self.seed), int(u)]).random(n) for u in users]
            ).astype(np.float32)
            if len(users)
            else np.zeros((0, n), dtype=np.float32)
        )

    def score_profile(self, profile: Profile) -> np.ndarray:
        self._check_fitted()
        if profile.user_index is not None:
            return self.score_users(np.array([profile.user_index]))[0].astype(np.float64)
        seed = [int(self.seed), *(int(i) for i in np.sort(profile.items))]
        return np.random.default_rng(seed).random(len(self.item_ids_))

    def _arrays(self) -> dict[str, np.ndarray]:
        return {}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        pass
