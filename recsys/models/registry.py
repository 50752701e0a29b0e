"""Model registry: key -> class, imported lazily so `import recsys` stays light."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from recsys import spark_session
from recsys.errors import ModelConfigError
from recsys.models import _neural

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

#: Models that need an optional extra: key -> (path, what is missing or None). They are
#: trainable (listed in MODEL_PATHS, so the Train page and the contract suite see them) only
#: when installed; a saved one always loads, since scoring needs no extra.
OPTIONAL_MODELS: dict[str, tuple[str, Callable[[], str | None]]] = {
    "spark-als": ("recsys.models.spark_als:SparkALS", spark_session.unavailable_reason),
    "multvae": ("recsys.models.multvae:MultVAE", _neural.unavailable_reason),
}
for _key, (_path, _missing) in OPTIONAL_MODELS.items():
    if _missing() is None:
        MODEL_PATHS[_key] = _path


def unavailable_models() -> dict[str, str]:
    """Optional models that cannot train here -> what is missing and how to install it."""
    out = {}
    for key, (_, missing) in OPTIONAL_MODELS.items():
        reason = missing()
        if reason:
            out[key] = reason
    return out


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
        path = MODEL_PATHS[key] if key in MODEL_PATHS else OPTIONAL_MODELS[key][0]
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
