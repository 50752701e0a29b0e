"""Models on the demo data shared by the recommendation tests (fitted once per test process)."""

from __future__ import annotations

from functools import cache, lru_cache

from recsys.data.demo import load_demo
from recsys.models.registry import create_model

PARAMS = {
    "als": {"factors": 24, "iterations": 8},
    "svd": {"factors": 24},
    "bpr": {"factors": 24},
    "mf": {"factors": 16},
    "spectral": {"factors": 24},
    "ease": {"factors": 16},
    "item2vec": {},
    "popular": {},
}


@lru_cache(maxsize=1)
def demo():
    return load_demo()


@cache
def fitted(key: str, **extra):
    params = {**PARAMS.get(key, {}), **extra}
    return create_model(key, **params).fit(demo())
