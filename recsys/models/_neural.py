"""The optional ``neural`` extra (JAX + optax): is it installed, and how to get it.

Kept apart from the model so the registry can ask without importing the model (and its base).
"""

from __future__ import annotations

import importlib.util
from typing import Any

from recsys.errors import ModelConfigError

#: how to get what training needs (the message the Train page and the CLI show)
INSTALL_HINT = (
    "Mult-VAE needs the optional neural extra (JAX + optax, ~390 MB, CPU only): run "
    '`pip install -e ".[neural]"` in the app\'s environment (or `pip install jax optax`) and '
    "restart the app. Saved Mult-VAE models work without it."
)
MODULES = ("jax", "optax")


def unavailable_reason() -> str | None:
    """None when JAX and optax are installed (checked without importing them), else the hint."""
    missing = [m for m in MODULES if not _installed(m)]
    return f"{' and '.join(missing)} not installed. {INSTALL_HINT}" if missing else None


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError, AttributeError):  # e.g. blocked in sys.modules
        return False


def import_neural() -> tuple[Any, Any, Any]:
    """(jax, jax.numpy, optax), or a :class:`ModelConfigError` saying how to install them."""
    try:
        import jax
        import jax.numpy as jnp
        import optax
    except ImportError as exc:
        raise ModelConfigError(f"{INSTALL_HINT} (missing: {exc.name or exc})") from None
    return jax, jnp, optax
