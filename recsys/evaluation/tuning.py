"""Hyperparameter search with Optuna (TPE), scored on a validation split of the *training* data.

The test part of an outer split is never looked at: the training part is split again (same kind
of split) into a sub-train and a validation part; every trial is trained on the sub-train and
scored on the validation part. The best setting can then be trained on the whole training part
(to compare it on the test part) or on all data (to use it in the app).

The search space comes from each model's ``PARAMS`` (range, log scale, choices), so any model,
a new one included, is tunable without code of its own (:func:`search_space`). The budget is a
number of trials and/or seconds; a trial still training when the time is up is stopped (pruned)
once one trial has finished. The sampler is seeded and the defaults are always the first trial,
so the best setting is never worse on validation than the defaults.

Why Optuna's TPE and not the grid this module had: a grid spends its budget evenly, also on
parameters that do not matter, and its size grows as the product of the values per parameter;
TPE proposes each next setting from the trials so far and stops at any budget. A fixed grid is
still available (:func:`grid_search`): its points are enqueued as trials, on the same code path.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from recsys.data.dataset import Dataset
from recsys.errors import ModelConfigError, RecsysError
from recsys.evaluation.metrics import (
    DEFAULT_K,
    RANKING_METRICS,
    Split,
    default_split_kind,
    evaluate_model,
    make_split,
)
from recsys.models.base import Param, Progress
from recsys.models.registry import get_model_class

#: Hyperparameters that change runs, not results: never searched unless asked for.
NOT_TUNED = ("seed", "threads")
#: A grid may have at most this many points (each is one trial).
MAX_POINTS = 64
#: Trials when only a time budget is given (the time normally ends the search first).
MAX_TRIALS = 500
#: The default range of a number: the default divided and multiplied by these factors.
INT_SPAN = 4
FLOAT_SPAN = 10


@dataclass(frozen=True)
class Dimension:
    """One searched hyperparameter: a range (``low``..``high``, maybe log) or a list of choices."""

    name: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False
    choices: tuple | None = None

    def describe(self) -> str:
        if self.choices is not None:
            return f"{self.name} in {{{', '.join(map(str, self.choices))}}}"
        scale = " (log)" if self.log else ""
        return f"{self.name} in [{self.low:g}, {self.high:g}]{scale}"

    def suggest(self, trial: Any) -> Any:
        if self.choices is not None:
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.integer:
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, float(self.low), float(self.high), log=self.log)


def default_dimension(name: str, spec: Param) -> Dimension | None:
    """The search range of one hyperparameter from its ``Param`` (None: not searched).

    Booleans and choices are searched over every value. Numbers are searched around their
    default (x/4..x*4 for integers, x/10..x*10 on a log scale for log parameters), clipped to
    the Param's range; a float in a bounded range that is not log-scaled (a share, an exponent)
    over the whole range. Integers whose default is 0 mean "chosen from the data" (auto) and
    are left to the model, as are list-valued parameters.
    """
    default = spec.default
    if isinstance(default, tuple):
        return None
    if spec.choices is not None:
        return Dimension(name, choices=tuple(spec.choices))
    if isinstance(default, bool):
        return Dimension(name, choices=(False, True))
    if isinstance(default, int):
        if default <= 0:
            return None
        low = max(int(spec.min if spec.min is not None else 1), max(default // INT_SPAN, 1))
        high = default * INT_SPAN if spec.max is None else min(int(spec.max), default * INT_SPAN)
        if high <= low:
            return None
        return Dimension(name, low, high, log=high / max(low, 1) >= 8, integer=True)
    if isinstance(default, float):
        if spec.log or spec.min is None or spec.max is None:
            if default <= 0:
                return None
            low, high = default / FLOAT_SPAN, default * FLOAT_SPAN
            if spec.min is not None:
                low = max(low, spec.min if spec.min > 0 else default / FLOAT_SPAN)
            if spec.max is not None:
                high = min(high, spec.max)
            return Dimension(name, low, high, log=True) if high > low else None
        return Dimension(name, float(spec.min), float(spec.max))
    return None


def search_space(
    key: str, names: list[str] | None = None, overrides: dict[str, Any] | None = None
) -> dict[str, Dimension]:
    """The space to search for model ``key``, from its ``PARAMS``.

    Parameters
    ----------
    names : list of str, optional
        Only these hyperparameters (default: every one with a default range, seed excluded).
    overrides : dict, optional
        ``name -> [values]`` (try exactly these) or ``name -> (low, high)`` (a range).
    """
    klass = get_model_class(key)
    overrides = dict(overrides or {})
    chosen = list(names) if names is not None else [n for n in klass.PARAMS if n not in NOT_TUNED]
    chosen += [n for n in overrides if n not in chosen]
    unknown = [n for n in chosen if n not in klass.PARAMS]
    if unknown:
        raise ModelConfigError(
            f"{klass.label} has no hyperparameter(s) {unknown}; it takes "
            f"{', '.join(klass.PARAMS) or 'none'}."
        )
    space: dict[str, Dimension] = {}
    for name in chosen:
        spec = klass.PARAMS[name]
        if name in overrides:
            space[name] = _override(name, spec, overrides[name])
        else:
            dim = default_dimension(name, spec)
            if dim is not None:
                space[name] = dim
            elif names is not None:
                raise ModelConfigError(
                    f"{name} has no range to search by default; give its values or a range."
                )
    if not space:
        raise ModelConfigError(f"{klass.label} has no hyperparameter to search.")
    return space


def _override(name: str, spec: Param, value: Any) -> Dimension:
    klass_check = spec.validate
    if isinstance(value, tuple) and len(value) == 2 and spec.choices is None:
        low, high = (klass_check(name, v) for v in value)
        if high < low:
            low, high = high, low
        if low == high:
            return Dimension(name, choices=(low,))
        integer = isinstance(spec.default, int) and not isinstance(spec.default, bool)
        log = bool(spec.log or (integer and low > 0 and high / low >= 8)) and low > 0
        return Dimension(name, low, high, log=log, integer=integer)
    values = [klass_check(name, v) for v in (value if isinstance(value, list | tuple) else [value])]
    if not values:
        raise ModelConfigError(f"Give at least one value for {name}.")
    return Dimension(name, choices=tuple(dict.fromkeys(values)))


def parse_values(text: str, default: Any) -> list | tuple:
    """``"16, 32, 64"`` -> [16, 32, 64]; ``"8..128"`` -> (8, 128), a range to search.

    Values are cast to the type of the parameter's default.
    """
    text = str(text).strip()
    if ".." in text:
        parts = [p.strip() for p in text.split("..")]
        if len(parts) != 2 or not all(parts):
            raise ModelConfigError(f"{text!r}: write a range as low..high, e.g. 8..128.")
        low, high = (_cast(p, default) for p in parts)
        return (low, high)
    out = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if part:
            value = _cast(part, default)
            if value not in out:
                out.append(value)
    return out


def _cast(part: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return part.lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(float(part))
        if isinstance(default, float):
            return float(part)
        return part
    except ValueError:
        raise ModelConfigError(f"{part!r} is not a number.") from None


def format_space(value: Dimension) -> str:
    """A Dimension as the text :func:`parse_values` reads back (``8..128`` or ``a, b``)."""
    if value.choices is not None:
        return ", ".join(_fmt(v) for v in value.choices)
    return f"{_fmt(value.low)}..{_fmt(value.high)}"


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def grid_points(grid: dict[str, list]) -> list[dict]:
    """Every combination of the grid's values (cartesian product), in order."""
    if not grid:
        raise ModelConfigError("Choose at least one hyperparameter to search over.")
    for name, values in grid.items():
        if not list(values):
            raise ModelConfigError(f"Give at least one value for {name}.")
    names = list(grid)
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]
    if len(points) > MAX_POINTS:
        raise ModelConfigError(
            f"The grid has {len(points)} points; at most {MAX_POINTS} are allowed. Use fewer values."
        )
    return points


def validation_split(train: Dataset, like: Split | None = None, seed: int = 42) -> Split:
    """Split the training data again, the same way as ``like`` (temporal 20% by default)."""
    if like is None:
        kind = default_split_kind(train)
        extra = {"seed": seed} if kind == "random" else {}
        return make_split(train, kind, test_fraction=0.2, **extra)
    fraction = like.params.get("test_fraction") or 0.2
    if like.kind == "temporal":
        return make_split(
            train, "temporal", test_fraction=fraction, test_count=like.params.get("test_count")
        )
    if like.kind == "random":
        return make_split(
            train,
            "random",
            test_fraction=fraction,
            test_count=like.params.get("test_count"),
            seed=seed,
        )
    return make_split(train, "time_cutoff", test_fraction=fraction)


@dataclass
class SearchResult:
    """The trials of a search and its best setting.

    Attributes
    ----------
    key : str
        Model kind.
    space : dict
        The searched :class:`Dimension` per hyperparameter.
    table : pd.DataFrame
        One row per finished trial: trial number, the searched parameters, every ranking metric
        on the validation part, fit seconds.
    metric, k :
        The metric maximised, at K.
    best_params : dict
        ``base_params`` updated with the best trial's setting.
    validation : Split
        The validation split (made on the training data).
    seconds : float
        Wall time of the search.
    stopped : str
        Why the search ended: "trials", "time" or "grid".
    """

    key: str
    space: dict[str, Dimension]
    table: pd.DataFrame
    metric: str
    k: int
    best_params: dict
    validation: Split
    base_params: dict = field(default_factory=dict)
    seconds: float = 0.0
    stopped: str = "trials"

    @property
    def params(self) -> list[str]:
        """The searched hyperparameter names."""
        return list(self.space)

    @property
    def best_row(self) -> pd.Series:
        return self.table.loc[self.table[self.metric].idxmax()]

    @property
    def best_value(self) -> float:
        return float(self.best_row[self.metric])

    def history(self) -> dict:
        """JSON-able summary (space, trials, best) to save beside the tuned model."""
        return {
            "model": self.key,
            "metric": self.metric,
            "k": self.k,
            "space": {n: d.describe() for n, d in self.space.items()},
            "best_params": self.best_params,
            "best_value": self.best_value,
            "validation": self.validation.describe(),
            "seconds": round(self.seconds, 2),
            "stopped": self.stopped,
            "trials": [
                {k: _plain(v) for k, v in row.items()}
                for row in self.table.to_dict(orient="records")
            ],
        }


class _OutOfTime(Exception):
    """Raised inside a trial's fit when the time budget is spent."""


def tune(
    train: Dataset,
    key: str,
    space: dict[str, Dimension] | None = None,
    base_params: dict | None = None,
    k: int = DEFAULT_K,
    metric: str = "ndcg",
    like: Split | None = None,
    seconds: float | None = 60.0,
    trials: int | None = None,
    seed: int = 42,
    progress: Progress | None = None,
    grid: list[dict] | None = None,
) -> SearchResult:
    """Search hyperparameters of model ``key`` with Optuna's TPE on a validation split of ``train``.

    Parameters
    ----------
    train : Dataset
        The training part of the outer split, or all data (never the test part).
    space : dict, optional
        :class:`Dimension` per name (default :func:`search_space` of the model).
    base_params : dict, optional
        Fixed settings of the other hyperparameters.
    metric : str
        Ranking metric to maximise on the validation part (e.g. "ndcg", "recall").
    like : Split, optional
        The outer split; the validation split is made the same way.
    seconds, trials : optional
        The budget: stop after this many seconds and/or trials (at least one must be given).
    seed : int
        Seed of the sampler (and of a random validation split).
    progress : callable, optional
        ``progress(step, total, info)`` after each trial and during training; ``info`` has
        ``fraction`` (0..1 of the budget), ``message``, and after a trial ``trial``, ``params``
        (its setting), ``fit_seconds``, ``value``, ``best_value``, ``best_params``. It may raise
        :class:`~recsys.errors.TrainingCancelled`: the search stops and nothing is kept.
    grid : list of dict, optional
        Try exactly these settings, in order (enqueued trials), instead of TPE proposals.
    """
    import optuna

    if metric not in RANKING_METRICS:
        raise RecsysError(f"Choose a ranking metric to maximise: {', '.join(RANKING_METRICS)}.")
    if seconds is not None and seconds <= 0:
        raise ModelConfigError(f"The time budget must be positive, not {seconds}.")
    if trials is not None and trials < 1:
        raise ModelConfigError(f"Run at least one trial, not {trials}.")
    if not seconds and not trials:
        raise ModelConfigError("Give a time budget (seconds) or a number of trials.")
    klass = get_model_class(key)
    space = space if space is not None else search_space(key)
    base = klass.validate_params(base_params)
    for name in space:
        base.pop(name, None)
    validation = validation_split(train, like, seed)
    data = validation.apply(train)
    if data.eval_users.size == 0:
        raise RecsysError(
            "The validation part carved from the training data has no user to score; load more "
            "data or hold out a larger share."
        )

    max_trials = len(grid) if grid is not None else int(trials or MAX_TRIALS)
    sampler = optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=min(10, max(3, max_trials // 4))
    )
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    if grid is not None:  # exactly these settings, in order (enqueued trials come first)
        for point in grid:
            study.enqueue_trial({n: point[n] for n in space})
    else:
        defaults = {n: klass.PARAMS[n].default for n in space}
        if all(_inside(space[n], v) for n, v in defaults.items()):
            study.enqueue_trial(defaults)  # the defaults first: tuning never ends worse
    rows: list[dict] = []
    start = time.perf_counter()
    deadline = start + seconds if seconds else math.inf

    def fraction(done: float) -> float:
        by_trials = done / max_trials
        by_time = (time.perf_counter() - start) / seconds if seconds else 0.0
        return float(min(max(by_trials, by_time), 1.0))

    def report(done: float, message: str, **info: Any) -> None:
        if progress is not None:
            progress(
                len(rows), max_trials, {"fraction": fraction(done), "message": message, **info}
            )

    def objective(trial: Any) -> float:
        point = {n: _plain(d.suggest(trial)) for n, d in space.items()}
        params = {**base, **klass.validate_params(point)}
        label = ", ".join(f"{n}={_fmt(v)}" for n, v in point.items())
        number = trial.number + 1

        def fit_progress(step: int, total: int, info: dict) -> None:
            if rows and time.perf_counter() > deadline:
                raise _OutOfTime
            report(len(rows) + 0.9 * min(step / max(total, 1), 1.0), f"Trial {number}: {label}")

        report(len(rows), f"Trial {number}: {label}")
        t0 = time.perf_counter()
        try:
            model = klass(**params).fit(data.train, fit_progress)
        except _OutOfTime:
            raise optuna.TrialPruned() from None
        fit_seconds = time.perf_counter() - t0
        res = evaluate_model(model, data, k, name=label)
        value = float(res.metrics[metric])
        rows.append(
            {
                "trial": number,
                **point,
                **{m: float(res.metrics[m]) for m in RANKING_METRICS},
                "fit_seconds": fit_seconds,
            }
        )
        best = max(rows, key=lambda r: r[metric])
        report(
            len(rows),
            f"Trial {number}: {metric} {value:.4f} (best {best[metric]:.4f})",
            trial=number,
            params=point,
            fit_seconds=fit_seconds,
            value=value,
            best_value=float(best[metric]),
            best_params={n: best[n] for n in space},
        )
        return value

    stopped = "grid" if grid is not None else "trials"

    def stop_when_out_of_time(study: Any, trial: Any) -> None:
        nonlocal stopped
        if time.perf_counter() >= deadline and rows:
            stopped = "time"
            study.stop()

    study.optimize(
        objective,
        n_trials=max_trials,
        timeout=None,
        callbacks=[stop_when_out_of_time],
        catch=(),
        gc_after_trial=False,
    )
    if not rows:
        raise RecsysError("No trial finished; give the search more time.")
    table = pd.DataFrame(rows)
    best_trial = table.loc[table[metric].idxmax()]
    best = {n: _plain(best_trial[n]) for n in space}
    best = {
        n: type(klass.PARAMS[n].default)(v) if _numeric(klass.PARAMS[n]) else v
        for n, v in best.items()
    }
    return SearchResult(
        key=key,
        space=space,
        table=table,
        metric=metric,
        k=int(k),
        best_params={**base, **best},
        validation=validation,
        base_params=base,
        seconds=time.perf_counter() - start,
        stopped=stopped,
    )


def grid_search(
    train: Dataset,
    key: str,
    grid: dict[str, list],
    base_params: dict | None = None,
    k: int = DEFAULT_K,
    metric: str = "ndcg",
    like: Split | None = None,
    seed: int = 42,
    progress: Progress | None = None,
) -> SearchResult:
    """Try every point of ``grid`` (name -> values), in order, through :func:`tune`."""
    points = grid_points(grid)
    space = search_space(key, list(grid), {n: list(v) for n, v in grid.items()})
    return tune(
        train,
        key,
        space,
        base_params,
        k,
        metric,
        like,
        seconds=None,
        trials=len(points),
        seed=seed,
        progress=progress,
        grid=points,
    )


def train_best(result: SearchResult, dataset: Dataset, progress: Progress | None = None) -> Any:
    """Train the best setting of ``result`` on ``dataset`` (the training part, or all data)."""
    model = get_model_class(result.key)(**result.best_params)
    return model.fit(dataset, progress)


def _inside(dim: Dimension, value: Any) -> bool:
    if dim.choices is not None:
        return value in dim.choices
    return dim.low <= value <= dim.high


def _numeric(spec: Param) -> bool:
    return isinstance(spec.default, int | float) and not isinstance(spec.default, bool)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def tune_and_save(
    key: str,
    dataset: Dataset,
    name: str | None = None,
    seconds: float | None = 60.0,
    trials: int | None = None,
    metric: str = "ndcg",
    k: int = DEFAULT_K,
    space: dict[str, Dimension] | None = None,
    base_params: dict | None = None,
    like: Split | None = None,
    seed: int = 42,
    progress: Progress | None = None,
    workspace: Any = None,
    overwrite: bool = False,
) -> tuple[SearchResult, Any, Any]:
    """Tune on a validation split of ``dataset``, train the best setting on all of ``dataset``
    and save it with its search history (``model.json`` -> ``tuning``).

    Shared by ``recsys tune`` and the Train page. Nothing is saved when the search or the final
    fit is cancelled. Returns (search result, fitted model, :class:`~recsys.store.ModelInfo`).
    """
    from recsys.store import Workspace
    from recsys.training import default_name, target_name

    ws = workspace or Workspace()
    target = target_name(ws, name, default_name(f"{key}-tuned", dataset), overwrite)
    result = tune(
        dataset, key, space, base_params, k, metric, like, seconds, trials, seed, progress
    )

    def final_progress(step: int, total: int, info: dict) -> None:
        if progress is not None:
            progress(
                len(result.table),
                len(result.table),
                {
                    "fraction": 1.0,
                    "message": f"Training the best setting on all the data ({step}/{total})",
                },
            )

    model = train_best(result, dataset, final_progress)
    info = ws.save_model(
        model, target, dataset, overwrite=overwrite, extra_meta={"tuning": result.history()}
    )
    return result, model, info
