"""Model registry: key -> class, imported lazily so `import recsys` stays light."""

from __future__ import annotations

import importlib

from recsys.errors import ModelConfigError

# key -> "module:Class"; order is the order the Train page lists them.
MODEL_PATHS: dict[str, str] = {
    "als": "recsys.models.als:ALS",
    "bpr": "recsys.models.bpr:BPR",
    "svd": "recsys.models.puresvd:PureSVD",
    "mf": "recsys.models.biased_mf:BiasedMF",
    "item2vec": "recsys.models.item2vec:Item2Vec",
    "spectral": "recsys.models.spectral:Spectral",
    "ease": "recsys.models.ease:EASE",
    "popular": "recsys.models.baselines:MostPopular",
    "random": "recsys.models.baselines:RandomModel",
}


def available_models() -> list[str]:
    """Keys of the models whose module exists (in Train-page order)."""
    out = []
    for key in MODEL_PATHS:
        try:
            get_model_class(key)
        except ModelConfigError:
            continue
        out.append(key)
    return out


def get_model_class(key: str) -> type:
    """The class registered under ``key`` (e.g. "als")."""
    try:
        path = MODEL_PATHS[key]
    except KeyError:
        raise ModelConfigError(
            f"Unknown model {key!r}; choose one of {', '.join(MODEL_PATHS)}"
        ) from None
    module_name, class_name = path.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise ModelConfigError(f"Model {key!r} is not available in this version") from None
        raise
    return getattr(module, class_name)


def create_model(key: str, **params) -> object:
    """A new, unfitted model of kind ``key`` with the given hyperparameters."""
    return get_model_class(key)(**params)
