"""Exception types whose messages are written for the person using the app.

Every message says what is wrong, where (file, column, line when known) and what to do.
Pages catch :class:`RecsysError` and show ``str(error)``.
"""

from __future__ import annotations


class RecsysError(Exception):
    """Base class of every error the library raises on purpose."""


class DataError(RecsysError):
    """The input data cannot be read or used."""


class FileTooLargeError(DataError):
    """A file or an archive's contents exceed the configured size limit."""


class NotFittedError(RecsysError):
    """A model was used before ``fit`` was called."""

    def __init__(self, model_name: str = "This model") -> None:
        super().__init__(
            f"{model_name} is not trained yet: call fit(dataset) first "
            "(in the app: train it on the Train page or load a saved model)."
        )


class UnknownIdError(RecsysError, KeyError):
    """A user or item id is not in the data the model was trained on."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "unknown id"


class TrainingCancelled(RecsysError):
    """Raised from a progress callback to stop training; earlier models are untouched."""


class ModelConfigError(RecsysError):
    """A hyperparameter is out of range, or the model cannot run on this data."""


class StoreError(RecsysError):
    """A workspace file is damaged, foreign, or cannot be written."""
