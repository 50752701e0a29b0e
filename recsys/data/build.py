"""From a raw interactions table + a column mapping + options to a :class:`Dataset`.

Every step that changes the data says so in plain words in ``dataset.report["warnings"]`` /
``["steps"]``: rows skipped, duplicates collapsed (and how), users and items filtered out,
metadata rows that match nothing.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from recsys.data.dataset import FEEDBACK_EXPLICIT, FEEDBACK_IMPLICIT, Dataset, IdMap
from recsys.data.layouts import ColumnMapping, Detection, aggregate_tags, load_metadata
from recsys.errors import DataError
from recsys.progress import Progress, report_fraction

DUPLICATE_POLICIES = {
    "auto": "latest rating for ratings, sum for counts",
    "latest": "keep the latest value of each user-item pair",
    "sum": "add up the values of each user-item pair (counts, plays)",
    "first": "keep the earliest value of each user-item pair",
}
NA_TEXT = ["nan", "na", "n/a", "null", "none", "-", "?"]  # read as empty cells
_COUNT_NAME = re.compile(
    r"(?i)(count|play|weight|click|view|qty|quantity|listen|amount|purchase|times|visits|freq)"
)


@dataclass
class BuildOptions:
    """How to turn raw rows into a dataset.

    Attributes
    ----------
    feedback : {"auto", "explicit", "implicit"}
        "auto": ratings on a small scale (e.g. 1-5, 0.5-5) are explicit; counts are implicit.
    binarize_threshold : float or None
        Keep only interactions with value >= threshold, as 1.0 (e.g. rating >= 4 = "liked").
    duplicates : {"auto", "latest", "sum", "first"}
        What to do with several rows for one user-item pair ("auto": latest rating, summed counts).
    min_user_interactions, min_item_interactions : int
        Drop users/items with fewer interactions, repeated until no more drop out.
    start, end : str, pd.Timestamp or None
        Keep interactions in this time window (inclusive), when there is a time column.
    name : str or None
        Dataset name (default: the source name).
    """

    feedback: str = "auto"
    binarize_threshold: float | None = None
    duplicates: str = "auto"
    min_user_interactions: int = 1
    min_item_interactions: int = 1
    start: str | pd.Timestamp | None = None
    end: str | pd.Timestamp | None = None
    name: str | None = None

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, pd.Timestamp) else v) for k, v in asdict(self).items()}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else ("es" if word.endswith("ch") else "s"))


def _line(position: int, has_header: bool) -> int:
    return int(position) + (2 if has_header else 1)


def _as_text(series: pd.Series) -> pd.Series:
    if not pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
        series = series.astype("str")
    return series.str.strip()


def _fast_float(series: pd.Series) -> np.ndarray | None:
    """Text -> float64 with pyarrow (empty cells -> NaN), or None when some cell is not a number."""
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    try:
        arr = (
            pa.array(series.array)
            if isinstance(series.array, pd.arrays.ArrowStringArray)
            else pa.array(series.astype(str))
        )
        try:
            return pc.cast(arr, pa.float64()).to_numpy(
                zero_copy_only=False
            )  # the common, clean case
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None


def parse_values(
    series: pd.Series, column: str, origin: str, has_header: bool
) -> tuple[np.ndarray, int]:
    """Ratings/weights as float64; (values, number of empty cells). Text raises a DataError."""
    values = _fast_float(series)
    if values is None:  # slow path: decimal commas, or find the offending line
        text = _as_text(series)
        num = pd.to_numeric(
            text.str.replace(",", ".", regex=False) if _decimal_comma(text) else text,
            errors="coerce",
        )
        bad_mask = num.isna() & text.ne("") & text.notna() & ~text.str.lower().isin(NA_TEXT)
        if bad_mask.any():
            pos = int(np.flatnonzero(bad_mask.to_numpy())[0])
            raise DataError(
                f"The rating column {column!r} of {origin} has text on line {_line(pos, has_header)}: "
                f"{str(series.iloc[pos])[:40]!r}. Choose another column as rating in the mapping, or "
                "none (each row then counts once)."
            )
        values = num.to_numpy(dtype="float64", na_value=np.nan)
    if np.isinf(values).any():
        pos = int(np.flatnonzero(np.isinf(values))[0])
        raise DataError(
            f"The rating column {column!r} of {origin} has an infinite value on line {_line(pos, has_header)}."
        )
    return values, int(np.isnan(values).sum())


def _decimal_comma(text: pd.Series) -> bool:
    head = text.head(200).dropna()
    return bool(len(head)) and head.str.fullmatch(r"-?\d+,\d+").mean() > 0.5


def parse_times(
    series: pd.Series, column: str, origin: str, has_header: bool
) -> tuple[np.ndarray, int]:
    """Times as int64 seconds since the epoch; (seconds, number of missing cells).

    Numbers are taken as seconds, or milliseconds/microseconds when they are that large; text is
    parsed as dates. A column where most values are not times raises a DataError.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = pd.to_datetime(series, utc=True)
    else:
        fast = _fast_float(series)
        if fast is not None and not np.isnan(fast).all():
            num = pd.Series(fast)
        else:
            text = series if pd.api.types.is_numeric_dtype(series.dtype) else _as_text(series)
            num = pd.to_numeric(text, errors="coerce")
        if num.notna().mean() > 0.9:
            med = float(num.median())
            scale = 1e6 if med > 1e14 else 1e3 if med > 1e11 else 1.0
            secs = (num / scale).round()
            missing = int(secs.isna().sum())
            return secs.fillna(secs.min()).to_numpy(dtype=np.int64), missing
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", UserWarning
            )  # "could not infer format": we fall back below
            text = _as_text(series)
            parsed = pd.to_datetime(text, errors="coerce", utc=True)
            if parsed.notna().mean() < 0.9:
                parsed = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
        bad = parsed.isna() & text.ne("") & text.notna()
        if bad.mean() > 0.1 or (bad.any() and parsed.notna().sum() == 0):
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"The timestamp column {column!r} of {origin} has a value that is not a time on line "
                f"{_line(pos, has_header)}: {str(series.iloc[pos])[:40]!r}. Choose another time "
                "column in the mapping, or none."
            )
    missing = int(parsed.isna().sum())
    if missing:
        valid = parsed.dropna()
        parsed = parsed.fillna(valid.min() if len(valid) else pd.Timestamp(0, tz="UTC"))
    # resolution-independent (pandas may hold seconds, ms, us or ns)
    secs = (parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    arr = secs.to_numpy(dtype=np.int64)
    return arr, missing


def _to_seconds(value: str | pd.Timestamp | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise DataError(
            f"{value!r} is not a date: write it as YYYY-MM-DD (e.g. 2024-01-31)."
        ) from None
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.timestamp())


def detect_feedback(
    values: np.ndarray | None, column: str | None
) -> tuple[str, tuple[float, float] | None, str]:
    """("explicit"/"implicit", rating scale or None, the reason in words)."""
    if values is None or column is None:
        return (
            FEEDBACK_IMPLICIT,
            None,
            "there is no rating column, so every row counts as one interaction",
        )
    v = values[~np.isnan(values)]
    if len(v) == 0:
        return FEEDBACK_IMPLICIT, None, "the rating column is empty"
    lo, hi = float(v.min()), float(v.max())
    sample = v[:: max(1, len(v) // 200_000)]
    distinct = np.unique(sample)
    on_grid = bool(np.all(np.isclose(sample * 2, np.round(sample * 2))))
    if _COUNT_NAME.search(column) and not re.search(r"(?i)rat|score|star", column):
        return FEEDBACK_IMPLICIT, None, f"column {column!r} holds counts or weights"
    if on_grid and len(distinct) <= 21 and lo >= -10 and hi <= 10 and hi > lo:
        return FEEDBACK_EXPLICIT, (lo, hi), f"column {column!r} holds ratings from {lo:g} to {hi:g}"
    return (
        FEEDBACK_IMPLICIT,
        None,
        f"column {column!r} holds counts or weights ({lo:g} to {hi:g}), not a small rating scale",
    )


def _dedupe(u: np.ndarray, i: np.ndarray, v: np.ndarray, t: np.ndarray, n_items: int, policy: str):
    """Collapse rows of the same user-item pair; returns arrays and the number of rows removed.

    Only the rows that have a duplicate are sorted (by pair, time, row), so clean data costs one
    hash pass.
    """
    key = u.astype(np.int64) * np.int64(max(n_items, 1)) + i
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if not dup.any():
        return u, i, v, t, 0
    rows = np.flatnonzero(dup)
    order = rows[np.lexsort((rows, t[rows], key[rows]))]
    k = key[order]
    last = np.ones(len(k), dtype=bool)
    last[:-1] = k[1:] != k[:-1]
    first = np.ones(len(k), dtype=bool)
    first[1:] = k[1:] != k[:-1]
    if policy == "sum":
        chosen = order[last]
        v = v.astype(np.float64, copy=True)
        v[chosen] = np.bincount(np.cumsum(first) - 1, weights=v[order])
    else:
        chosen = order[last] if policy == "latest" else order[first]
    keep = ~dup
    keep[chosen] = True  # a mask keeps file order without sorting millions of rows
    return u[keep], i[keep], v[keep], t[keep], int(len(key) - np.count_nonzero(keep))


def _min_filter(u, i, n_users, n_items, min_u, min_i) -> tuple[np.ndarray, int]:
    """Mask of interactions kept after repeatedly dropping sparse users/items; and the rounds."""
    keep = np.ones(len(u), dtype=bool)
    rounds = 0
    while True:
        uc = np.bincount(u[keep], minlength=n_users)
        ic = np.bincount(i[keep], minlength=n_items)
        new = keep & (uc[u] >= min_u) & (ic[i] >= min_i)
        rounds += 1
        if new.sum() == keep.sum():
            return new, rounds
        keep = new


def factorize_ids(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Ids as exact text -> (int32 codes, distinct ids); empty or missing ids get code -1.

    Surrounding spaces are trimmed ("a, b" exports); nothing else changes, so "007" and "7" stay
    distinct. The text work runs on the distinct values only, which keeps millions of rows fast.
    """
    codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
    text = pd.Index(uniques).astype(str).str.strip()
    codes2, uniques2 = pd.factorize(text, sort=False)
    remap = codes2.astype(np.int32)
    empty = np.flatnonzero(np.asarray(uniques2 == ""))
    if len(empty):
        remap[remap == empty[0]] = -1
    out = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1).astype(np.int32)
    return out, pd.Index(uniques2)


def _n_distinct(codes: np.ndarray, n: int) -> int:
    return int(np.count_nonzero(np.bincount(codes, minlength=n))) if len(codes) else 0


def _compact(codes: np.ndarray, uniques: pd.Index, kind: str) -> tuple[IdMap, np.ndarray]:
    """Keep the ids still in use, sorted as text, and renumber the codes to match."""
    used = np.flatnonzero(np.bincount(codes, minlength=len(uniques)))
    names = np.asarray(uniques.take(used).astype(str), dtype=object)
    order = np.argsort(names, kind="stable")
    remap = np.full(len(uniques), -1, dtype=np.int32)
    remap[used[order]] = np.arange(len(used), dtype=np.int32)
    return IdMap(names[order], kind), remap[codes]


def build_dataset(
    det: Detection,
    mapping: ColumnMapping | None = None,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Turn a detected source into a :class:`Dataset`.

    Parameters
    ----------
    det : Detection
        From :func:`recsys.data.layouts.detect`.
    mapping : ColumnMapping, optional
        Overrides the detected mapping (the page's edited one).
    options : BuildOptions, optional
        Feedback type, binarisation, duplicates policy, filters, time window.
    progress : callable, optional
        ``progress(step, total, info)`` (:mod:`recsys.progress`).

    Raises
    ------
    DataError
        Text in a rating column, times that are not times, too few users or items left, ...
    """
    m = mapping or det.mapping
    o = options or BuildOptions()
    def say(fraction: float, message: str) -> None:
        report_fraction(progress, fraction, message)
    raw = det.interactions
    f = raw.frame
    m.validate([str(c) for c in f.columns], raw.origin)
    guesses = det.warnings(m)  # how the file was read, and guesses the mapping still follows
    warnings: list[str] = []
    steps: list[str] = []
    n_rows = len(f)
    say(0.05, "Reading ids")

    ucodes, uuniq = factorize_ids(f[m.user])
    icodes, iuniq = factorize_ids(f[m.item])
    ok = (ucodes >= 0) & (icodes >= 0)
    values = timestamps = None
    if m.rating:
        values, n_empty = parse_values(f[m.rating], m.rating, raw.origin, raw.has_header)
        if n_empty:
            ok &= ~np.isnan(values)
    if m.timestamp:
        say(0.15, "Reading times")
        timestamps, n_missing_t = parse_times(
            f[m.timestamp], m.timestamp, raw.origin, raw.has_header
        )
        if n_missing_t:
            warnings.append(
                f"{_plural(n_missing_t, 'row')} have no time; they count as the earliest time."
            )
    n_skipped = int((~ok).sum())
    if n_skipped == n_rows:
        raise DataError(
            f"No row of {raw.origin} has both a user and an item{' and a rating' if m.rating else ''}. "
            "Check the column mapping."
        )
    if n_skipped:
        warnings.append(
            f"{_plural(n_skipped, 'row')} of {raw.origin} have an empty user, item"
            f"{' or rating' if m.rating else ''}; they are skipped."
        )

    say(0.3, "Indexing users and items")
    if n_skipped:
        ucodes, icodes = ucodes[ok], icodes[ok]
    v = values[ok] if values is not None else np.ones(len(ucodes), dtype=np.float64)
    t = timestamps[ok] if timestamps is not None else np.flatnonzero(ok).astype(np.int64)
    has_t = timestamps is not None

    # feedback type
    feedback, scale, reason = detect_feedback(v if values is not None else None, m.rating)
    if o.feedback in (FEEDBACK_EXPLICIT, FEEDBACK_IMPLICIT) and o.feedback != feedback:
        if o.feedback == FEEDBACK_EXPLICIT:
            if values is None:
                raise DataError(
                    "Explicit feedback needs a rating column: choose one in the mapping."
                )
            scale = (float(np.min(v)), float(np.max(v)))
        else:
            scale = None
        reason = f"you chose {o.feedback} feedback"
        feedback = o.feedback
    steps.append(f"Feedback: {feedback} ({reason}).")

    # time window
    start, end = _to_seconds(o.start), _to_seconds(o.end)
    if start is not None or end is not None:
        if not has_t:
            warnings.append("The time window is ignored: the data has no time column.")
        else:
            keep = np.ones(len(t), dtype=bool)
            if start is not None:
                keep &= t >= start
            if end is not None:
                keep &= (
                    t <= end + 86399 if isinstance(o.end, str) and len(o.end) <= 10 else t <= end
                )
            dropped = int((~keep).sum())
            if dropped == len(t):
                raise DataError("No interaction falls in the chosen time window. Widen the window.")
            ucodes, icodes, v, t = ucodes[keep], icodes[keep], v[keep], t[keep]
            steps.append(f"Time window: {_plural(dropped, 'interaction')} outside it dropped.")

    say(0.45, "Handling duplicates")
    policy = o.duplicates
    if policy == "auto":
        policy = "latest" if feedback == FEEDBACK_EXPLICIT else "sum"
    ucodes, icodes, v, t, n_dups = _dedupe(ucodes, icodes, v, t, len(iuniq), policy)
    if n_dups:
        how = {
            "latest": "kept the latest rating of each pair"
            if has_t
            else "kept the last row of each pair in the file",
            "sum": "added up their values (counts)",
            "first": "kept the earliest row of each pair"
            if has_t
            else "kept the first row of each pair in the file",
        }[policy]
        steps.append(
            f"Duplicates: {_plural(n_dups, 'extra row')} for the same user and item; {how}."
        )

    if o.binarize_threshold is not None:
        thr = float(o.binarize_threshold)
        keep = v >= thr
        if not keep.any():
            raise DataError(
                f"No interaction has a value of {thr:g} or more: lower the binarisation threshold."
            )
        steps.append(
            f"Binarised: kept {int(keep.sum()):,} of {len(v):,} interactions with value >= {thr:g} as "
            "positives (1.0); the rest are dropped."
        )
        ucodes, icodes, t = ucodes[keep], icodes[keep], t[keep]
        v = np.ones(int(keep.sum()), dtype=np.float64)
        feedback, scale = FEEDBACK_IMPLICIT, None

    # warnings about sparse users/items, then the iterated minimum-count filter
    say(0.6, "Filtering")
    n_u_all, n_i_all = len(uuniq), len(iuniq)
    uc = np.bincount(ucodes, minlength=n_u_all)
    ic = np.bincount(icodes, minlength=n_i_all)
    single_u, single_i = int((uc == 1).sum()), int((ic == 1).sum())
    min_u, min_i = max(1, int(o.min_user_interactions)), max(1, int(o.min_item_interactions))
    if single_u:
        tail = (
            "; the filter drops them."
            if min_u > 1
            else "; a minimum of 2 per user would drop them (they cannot be split into train and test)."
        )
        warnings.append(
            f"{_plural(single_u, 'user')} {'has' if single_u == 1 else 'have'} one interaction{tail}"
        )
    if single_i:
        tail = "; the filter drops them." if min_i > 1 else "; models learn little about them."
        warnings.append(
            f"{_plural(single_i, 'item')} {'has' if single_i == 1 else 'have'} one interaction{tail}"
        )
    if min_u > 1 or min_i > 1:
        keep, rounds = _min_filter(ucodes, icodes, n_u_all, n_i_all, min_u, min_i)
        if not keep.all():
            before_u, before_i = _n_distinct(ucodes, n_u_all), _n_distinct(icodes, n_i_all)
            ucodes, icodes, v, t = ucodes[keep], icodes[keep], v[keep], t[keep]
            after_u, after_i = _n_distinct(ucodes, n_u_all), _n_distinct(icodes, n_i_all)
            steps.append(
                f"Minimum {min_u} per user and {min_i} per item (applied {rounds} times until stable): "
                f"dropped {_plural(before_u - after_u, 'user')}, {_plural(before_i - after_i, 'item')} and "
                f"{_plural(int((~keep).sum()), 'interaction')}."
            )
    n_users_left, n_items_left = _n_distinct(ucodes, len(uuniq)), _n_distinct(icodes, len(iuniq))
    if n_users_left < 2 or n_items_left < 2:
        what = []
        if n_users_left < 2:
            what.append(f"{_plural(n_users_left, 'user')}")
        if n_items_left < 2:
            what.append(f"{_plural(n_items_left, 'item')}")
        after = (
            " after the filters"
            if (min_u > 1 or min_i > 1 or o.binarize_threshold is not None or start or end)
            else ""
        )
        raise DataError(
            f"Only {' and '.join(what)} {'is' if len(what) == 1 and what[0].startswith('1 ') else 'are'} left{after}: "
            "too little to train a recommender, which needs at least 2 users and 2 items. "
            "Load more data or lower the minimum interactions."
        )

    say(0.7, "Building the id maps")
    user_ids, uidx = _compact(ucodes, uuniq, "user")
    item_ids, iidx = _compact(icodes, iuniq, "item")

    say(0.8, "Reading item metadata")
    items_meta, users_meta = _metadata(det, m, item_ids, warnings, steps)

    report = {
        "layout": det.layout,
        "layout_label": det.label,
        "source": det.source.name,
        "interactions_file": raw.origin,
        "separator": raw.sep,
        "encoding": raw.encoding,
        "rows_read": n_rows,
        "mapping": m.as_dict(),
        "options": o.as_dict(),
        "feedback_reason": reason,
        "duplicates_policy": {
            "sum": "add up the values of each user-item pair",
            "latest": "keep the latest rating of each user-item pair",
            "first": "keep the earliest row of each user-item pair",
        }[policy],
        "steps": steps + det.notes,
        "guesses": guesses,
        "warnings": guesses + warnings,
    }
    say(0.9, "Building the dataset")
    ds = Dataset.from_indexed(
        name=o.name or _nice_name(det.source.name),
        user_ids=user_ids,
        item_ids=item_ids,
        user_index=uidx,
        item_index=iidx,
        values=v.astype(np.float32),
        timestamps=t,
        has_timestamps=has_t,
        items=items_meta,
        users=users_meta,
        feedback=feedback,
        rating_scale=scale,
        report=report,
    )
    say(1.0, "Done")
    return ds


def _nice_name(name: str) -> str:
    return (
        re.sub(r"(?i)\.(zip|gz|csv|tsv|parquet|dat|txt)$", "", re.sub(r"(?i)\.gz$", "", name))
        or name
    )


def _metadata(
    det: Detection, m: ColumnMapping, item_ids: IdMap, warnings: list[str], steps: list[str]
):
    meta = load_metadata(det)
    known = set(item_ids.ids.tolist())
    items = meta.items
    if items is not None and len(items):
        items = items.assign(item=items["item"].astype(str).str.strip().astype(object))
        items = items.drop_duplicates("item", keep="first")
        matched = items["item"].isin(known)
        n_match, n_all = int(matched.sum()), len(items)
        if n_match == 0:
            warnings.append(
                f"None of the {n_all:,} rows in {meta.items_origin} match an item in the interactions, so "
                "items have no titles. Check the item id column of the metadata (ids are compared as exact "
                "text: '007' and '7' differ)."
            )
        elif n_match < n_all:
            steps.append(
                f"{_plural(n_all - n_match, 'row')} of {meta.items_origin} name items with no interactions; "
                "they are kept as cold items (not in the matrix)."
            )
        missing = len(known) - n_match
        if missing and n_match:
            steps.append(
                f"{_plural(missing, 'item')} with interactions have no row in {meta.items_origin}; their id is used as title."
            )
    if meta.tags is not None and len(meta.tags):
        tags = meta.tags.assign(item=meta.tags["item"].astype(str).str.strip())
        hit = tags["item"].isin(known)
        n_unmatched = int((~hit).sum())
        if n_unmatched:
            msg = (
                f"{_plural(n_unmatched, 'tag row')} of {meta.tags_origin} name items with no interactions; "
                "they are not used."
            )
            (warnings if n_unmatched == len(tags) else steps).append(msg)
        agg = aggregate_tags(tags[hit])
        if len(agg):
            steps.append(
                f"Tags from {meta.tags_origin}: {len(agg):,} items have tags (up to 20 most frequent kept)."
            )
            if items is None:
                items = agg
            else:
                items = items.drop(columns=["tags"], errors="ignore").merge(
                    agg, on="item", how="outer"
                )
    users = None
    if meta.users is not None and len(meta.users) and "user" in meta.users:
        users = meta.users.assign(user=meta.users["user"].astype(str).str.strip())
    return items, users
