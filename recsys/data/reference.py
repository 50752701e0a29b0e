"""Where the MovieLens latest-small copy used by tests and benchmarks lives.

It is read in place, never copied into the project (its license allows redistribution only under
its own terms): ``$RECSYS_ML_SMALL``, else ``../shared/datasets/ml-latest-small`` beside the
project folder (where the team's shared data sits, on developer machines and in CI).
"""

from __future__ import annotations

import os
from pathlib import Path

ML_SMALL_ENV = "RECSYS_ML_SMALL"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def ml_small_path() -> Path:
    """The folder holding ml-latest-small's ``ratings.csv`` (it may not exist)."""
    default = PROJECT_ROOT.parent / "shared" / "datasets" / "ml-latest-small"
    return Path(os.environ.get(ML_SMALL_ENV, default))
