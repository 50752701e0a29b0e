"""The one progress-callback signature of the library: ``progress(step, total, info)``.

Training, tuning, loading, downloading and evaluating all report the same way: ``step`` of
``total`` done, and ``info`` a dict with at least a ``"message"`` (training adds loss, seconds…).
A callback may raise :class:`~recsys.errors.TrainingCancelled` to stop the work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Progress = Callable[[int, int, dict], Any]

#: steps of the fraction-style reports (a load or a comparison reports in thousandths)
FRACTION_STEPS = 1000


def report_fraction(progress: Progress | None, fraction: float, message: str) -> None:
    """Report ``fraction`` (0–1) of the work as a step of :data:`FRACTION_STEPS`."""
    if progress is not None:
        step = round(min(max(float(fraction), 0.0), 1.0) * FRACTION_STEPS)
        progress(step, FRACTION_STEPS, {"message": message})


def fraction_of(step: int, total: int) -> float:
    """``step / total`` clipped to [0, 1] (0 when the total is unknown)."""
    return min(max(step / total, 0.0), 1.0) if total else 0.0
