"""Recommender models: one per module, all following :mod:`recsys.models.base`."""

from recsys.models.base import Param, Recommender
from recsys.models.registry import available_models, create_model, get_model_class

__all__ = ["Param", "Recommender", "available_models", "create_model", "get_model_class"]
