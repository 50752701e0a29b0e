"""Hyperparameter declarations: numbers, choices and list-valued parameters validate the same way."""

import pytest

from recsys.errors import ModelConfigError
from recsys.models.base import Param


def test_list_valued_parameter_accepts_lists_numbers_and_text():
    hidden = Param((600,), "hidden layer sizes", min=1, max=4096)
    assert hidden.validate("hidden", "600, 200") == (600, 200)
    assert hidden.validate("hidden", [300]) == (300,)
    assert hidden.validate("hidden", 50) == (50,)
    with pytest.raises(ModelConfigError, match="at least 1"):
        hidden.validate("hidden", "600, 0")
    with pytest.raises(ModelConfigError, match="a number"):
        hidden.validate("hidden", "wide")
    with pytest.raises(ModelConfigError, match="at least one value"):
        hidden.validate("hidden", "")


def test_choice_parameter_rejects_other_values():
    weighting = Param("auto", "how counts become confidence", choices=("auto", "log", "bm25"))
    assert weighting.validate("weighting", "log") == "log"
    with pytest.raises(ModelConfigError, match="one of"):
        weighting.validate("weighting", "sqrt")
