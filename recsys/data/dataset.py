"""The :class:`Dataset`: id maps, a users x items CSR matrix, timestamps and metadata.

External ids are strings exactly as given ("007" and "7" are two items). They are turned into
integer indices once, here, and back once, at the output (``IdMap``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.errors import DataError, UnknownIdError

FEEDBACK_EXPLICIT = "explicit"
FEEDBACK_IMPLICIT = "implicit"


class IdMap:
    """A two-way map between external string ids and contiguous integer indices.

    Parameters
    ----------
    ids : sequence of str
        External ids in index order; must be unique.
    kind : str
        "user" or "item", used in error messages.
    """

    def __init__(self, ids: Any, kind: str = "item") -> None:
        self.ids = np.asarray([str(i) for i in ids], dtype=object)
        self.kind = kind
        self._lookup = {v: i for i, v in enumerate(self.ids)}
        if len(self._lookup) != len(self.ids):
            raise DataError(f"{kind} ids are not unique")

    @classmethod
    def factorize(cls, values: Any, kind: str) -> tuple[IdMap, np.ndarray]:
        """Map a column of ids to (IdMap, int32 codes); ids sorted so row order does not matter."""
        values = pd.Series(values, dtype=object).astype(str)
        codes, uniques = pd.factorize(values, sort=True)
        return cls(uniques, kind), codes.astype(np.int32)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, external_id: object) -> bool:
        return str(external_id) in self._lookup

    def __getitem__(self, index: int) -> str:
        return str(self.ids[index])

    def index(self, external_id: object) -> int:
        """Return the index of one external id, or raise :class:`UnknownIdError`."""
        try:
            return self._lookup[str(external_id)]
        except KeyError:
            raise UnknownIdError(
                f"{self.kind} {external_id!r} is not in the data "
                f"(ids are matched exactly as text, so '007' and '7' differ)"
            ) from None

    def indices(self, external_ids: Any) -> np.ndarray:
        """Indices of many external ids (raises on the first unknown one)."""
        return np.asarray([self.index(e) for e in external_ids], dtype=np.int64)

    def to_external(self, indices: Any) -> np.ndarray:
        """External ids of many indices."""
        return self.ids[np.asarray(indices, dtype=np.int64)]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdMap) and np.array_equal(self.ids, other.ids)

    __hash__ = None  # type: ignore[assignment]


@dataclass(eq=False)
class Dataset:
    """Interactions indexed by user and item, with metadata and a summary.

    Attributes
    ----------
    user_ids, item_ids : IdMap
        External ids of users and items.
    user_index, item_index : np.ndarray
        Per interaction: int32 user and item indices.
    values : np.ndarray
        Per interaction: float32 rating or weight (1.0 when there was no value column).
    timestamps : np.ndarray
        Per interaction: int64 seconds since the epoch; when the data has no time column these
        are the row order (``has_timestamps`` is False), so "latest" still means "last in the file".
    items : pd.DataFrame
        One row per item index: ``item_id``, ``title``, ``categories`` (list of str), ``tags``
        (list of str), ``text``, and any extra columns (the demo adds ``planted_genre``).
    users : pd.DataFrame
        One row per user index: ``user_id`` and any extra columns (the demo adds ``planted_tastes``).
    cold_items : pd.DataFrame
        Items that have metadata but no interactions (same columns as ``items``).
    feedback : str
        "explicit" (ratings) or "implicit" (counts, clicks).
    rating_scale : tuple of float or None
        (min, max) of explicit ratings.
    report : dict
        What the loader detected and did: layout, column mapping, warnings, dropped counts.
    """

    name: str
    user_ids: IdMap
    item_ids: IdMap
    user_index: np.ndarray
    item_index: np.ndarray
    values: np.ndarray
    timestamps: np.ndarray
    items: pd.DataFrame
    users: pd.DataFrame
    feedback: str = FEEDBACK_IMPLICIT
    rating_scale: tuple[float, float] | None = None
    has_timestamps: bool = False
    cold_items: pd.DataFrame = field(default_factory=pd.DataFrame)
    report: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        name: str = "data",
        items: pd.DataFrame | None = None,
        users: pd.DataFrame | None = None,
        feedback: str = FEEDBACK_IMPLICIT,
        rating_scale: tuple[float, float] | None = None,
        report: dict | None = None,
    ) -> Dataset:
        """Build a Dataset from clean interactions.

        Parameters
        ----------
        frame : pd.DataFrame
            Columns ``user``, ``item`` (any type; converted to str), optional ``value``
            (float) and ``timestamp`` (seconds since the epoch). Rows are assumed already
            de-duplicated and filtered (see :mod:`recsys.data.build`).
        items : pd.DataFrame, optional
            Item metadata with an ``item`` column (str ids) and any of ``title``,
            ``categories`` (list of str), ``tags`` (list of str), ``text``, extra columns.
            Rows whose item has no interactions become ``cold_items``.
        users : pd.DataFrame, optional
            User metadata with a ``user`` column.
        """
        if len(frame) == 0:
            raise DataError("There are no interactions left to use: the data is empty.")
        user_ids, uidx = IdMap.factorize(frame["user"].to_numpy(), "user")
        item_ids, iidx = IdMap.factorize(frame["item"].to_numpy(), "item")
        values = (
            frame["value"].to_numpy(dtype=np.float32)
            if "value" in frame
            else np.ones(len(frame), dtype=np.float32)
        )
        has_ts = "timestamp" in frame and not frame["timestamp"].isna().all()
        if has_ts:
            ts = frame["timestamp"].fillna(frame["timestamp"].min()).to_numpy(dtype=np.int64)
        else:
            ts = np.arange(len(frame), dtype=np.int64)
        item_frame, cold = _align_items(item_ids, items)
        user_frame = _align_users(user_ids, users)
        return cls(
            name=name,
            user_ids=user_ids,
            item_ids=item_ids,
            user_index=uidx,
            item_index=iidx,
            values=values,
            timestamps=ts,
            items=item_frame,
            users=user_frame,
            feedback=feedback,
            rating_scale=rating_scale,
            has_timestamps=bool(has_ts),
            cold_items=cold,
            report=dict(report or {}),
        )

    @classmethod
    def from_indexed(
        cls,
        *,
        name: str,
        user_ids: IdMap,
        item_ids: IdMap,
        user_index: np.ndarray,
        item_index: np.ndarray,
        values: np.ndarray,
        timestamps: np.ndarray,
        has_timestamps: bool,
        items: pd.DataFrame | None = None,
        users: pd.DataFrame | None = None,
        feedback: str = FEEDBACK_IMPLICIT,
        rating_scale: tuple[float, float] | None = None,
        report: dict | None = None,
    ) -> Dataset:
        """Build a Dataset from already indexed interactions (the loader's fast path).

        ``user_index``/``item_index`` index into ``user_ids``/``item_ids``; every id must occur.
        ``items``/``users`` are metadata frames as in :meth:`from_frame`.
        """
        if len(values) == 0:
            raise DataError("There are no interactions left to use: the data is empty.")
        item_frame, cold = _align_items(item_ids, items)
        return cls(
            name=name,
            user_ids=user_ids,
            item_ids=item_ids,
            user_index=np.asarray(user_index, dtype=np.int32),
            item_index=np.asarray(item_index, dtype=np.int32),
            values=np.asarray(values, dtype=np.float32),
            timestamps=np.asarray(timestamps, dtype=np.int64),
            items=item_frame,
            users=_align_users(user_ids, users),
            feedback=feedback,
            rating_scale=rating_scale,
            has_timestamps=bool(has_timestamps),
            cold_items=cold,
            report=dict(report or {}),
        )

    def with_interactions(self, mask: np.ndarray, name: str | None = None) -> Dataset:
        """A copy that keeps only the interactions where ``mask`` is True.

        Id maps and metadata are kept as they are, so indices stay comparable (this is how
        train/test splits are made).
        """
        mask = np.asarray(mask, dtype=bool)
        return Dataset(
            name=name or self.name,
            user_ids=self.user_ids,
            item_ids=self.item_ids,
            user_index=self.user_index[mask],
            item_index=self.item_index[mask],
            values=self.values[mask],
            timestamps=self.timestamps[mask],
            items=self.items,
            users=self.users,
            feedback=self.feedback,
            rating_scale=self.rating_scale,
            has_timestamps=self.has_timestamps,
            cold_items=self.cold_items,
            report=self.report,
        )

    # ------------------------------------------------------------------ views
    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_interactions(self) -> int:
        return len(self.values)

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """Users x items CSR matrix of float32 values (duplicates summed)."""
        m = sp.csr_matrix(
            (self.values, (self.user_index, self.item_index)),
            shape=(self.n_users, self.n_items),
            dtype=np.float32,
        )
        m.sum_duplicates()
        m.sort_indices()
        return m

    @cached_property
    def item_popularity(self) -> np.ndarray:
        """Number of distinct users per item (int64)."""
        return np.diff(self.matrix.tocsc().indptr).astype(np.int64)

    @cached_property
    def user_activity(self) -> np.ndarray:
        """Number of distinct items per user (int64)."""
        return np.diff(self.matrix.indptr).astype(np.int64)

    @property
    def titles(self) -> np.ndarray:
        """Item titles in index order (the id when there is no title)."""
        return self.items["title"].to_numpy(dtype=object)

    @cached_property
    def label_column(self) -> str | None:
        """The item column that describes items: see :func:`label_column_of`."""
        return label_column_of(self.items)

    def label_texts(self, indices: Any, most: int = 3) -> list[str]:
        """Each item's categories, or its first ``most`` tags, as text (see :attr:`label_column`)."""
        if self.label_column is None:
            return ["" for _ in np.asarray(indices)]
        values = self.items[self.label_column].to_numpy(dtype=object)[np.asarray(indices)]
        cap = most if self.label_column == "tags" else None
        return [", ".join(list(v)[:cap]) if _is_list(v) else "" for v in values]

    @cached_property
    def fingerprint(self) -> str:
        """A stable 16-hex-digit digest: the same data gives the same fingerprint."""
        h = hashlib.sha256()
        for ids in (self.user_ids.ids, self.item_ids.ids):
            h.update("\x1f".join(ids.tolist()).encode("utf-8"))
            h.update(b"\x1e")
        for arr in (self.user_index, self.item_index, self.values, self.timestamps):
            h.update(np.ascontiguousarray(arr).tobytes())
        return h.hexdigest()[:16]

    def stats(self) -> dict[str, Any]:
        """Summary statistics for the Data page and the CLI."""
        n_u, n_i, n = self.n_users, self.n_items, self.n_interactions
        out: dict[str, Any] = {
            "users": n_u,
            "items": n_i,
            "interactions": n,
            "density": n / (n_u * n_i) if n_u and n_i else 0.0,
            "feedback": self.feedback,
            "median interactions per user": float(np.median(self.user_activity)) if n_u else 0,
            "median interactions per item": float(np.median(self.item_popularity)) if n_i else 0,
            "cold items (metadata only)": len(self.cold_items),
        }
        if self.rating_scale is not None:
            out["rating scale"] = f"{self.rating_scale[0]:g} to {self.rating_scale[1]:g}"
        if self.has_timestamps:
            out["first interaction"] = pd.to_datetime(self.timestamps.min(), unit="s")
            out["last interaction"] = pd.to_datetime(self.timestamps.max(), unit="s")
        return out

    @cached_property
    def history_order(self) -> str:
        """How :meth:`user_history` orders a user's interactions, in words for the page.

        Newest first when there are times; without times, highest value first when values
        differ (ratings, counts), else the order of the rows in the file.
        """
        if self.has_timestamps:
            return "newest first"
        if len(self.values) and float(self.values.min()) != float(self.values.max()):
            what = "rating" if self.feedback == FEEDBACK_EXPLICIT else "value"
            return f"highest {what} first (no time column; equal values in file order)"
        return "in file order (no time column)"

    def user_history(self, user: str) -> pd.DataFrame:
        """One user's interactions: item, title, categories, value, timestamp.

        Ordered as :attr:`history_order` says: newest first with times; without times by value
        (highest first), else file order. The ``timestamp`` column is the row number when the
        data has no times.
        """
        u = self.user_ids.index(user)
        rows = np.flatnonzero(self.user_index == u)
        if self.has_timestamps:
            rows = rows[np.argsort(-self.timestamps[rows], kind="stable")]
        elif self.history_order.startswith("highest"):
            rows = rows[np.lexsort((self.timestamps[rows], -self.values[rows]))]
        else:
            rows = rows[np.argsort(self.timestamps[rows], kind="stable")]
        ii = self.item_index[rows]
        return pd.DataFrame(
            {
                "item": self.item_ids.to_external(ii),
                "title": self.titles[ii],
                "categories": self.items["categories"].to_numpy(dtype=object)[ii],
                "value": self.values[rows],
                "timestamp": (
                    pd.to_datetime(self.timestamps[rows], unit="s")
                    if self.has_timestamps
                    else self.timestamps[rows]
                ),
            }
        )


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def label_column_of(items: pd.DataFrame) -> str | None:
    """What describes these items: "categories", else "tags" when no item has a category (a
    music log's tags), else None. The one rule for tables, maps and selections."""
    for column in ("categories", "tags"):
        if column in items and any(len(v) for v in items[column] if _is_list(v)):
            return column
    return None


def empty_item_frame(item_ids: np.ndarray) -> pd.DataFrame:
    """Item metadata with only ids: the title is the id, no categories or tags."""
    n = len(item_ids)
    return pd.DataFrame(
        {
            "item_id": pd.Series(item_ids, dtype=object),
            "title": pd.Series(item_ids, dtype=object),
            "categories": pd.Series([[] for _ in range(n)], dtype=object),
            "tags": pd.Series([[] for _ in range(n)], dtype=object),
            "text": pd.Series([""] * n, dtype=object),
        }
    )


def _normalise_meta(meta: pd.DataFrame) -> pd.DataFrame:
    meta = meta.copy()
    meta["item"] = meta["item"].astype(str).astype(object)
    meta = meta.drop_duplicates("item", keep="first")
    if "title" not in meta:
        meta["title"] = meta["item"]
    meta["title"] = meta["title"].where(meta["title"].notna(), meta["item"]).astype(str)
    meta["title"] = meta["title"].astype(object)
    for col in ("categories", "tags"):
        if col not in meta:
            meta[col] = [[] for _ in range(len(meta))]
        meta[col] = pd.Series(
            [list(v) if isinstance(v, list | tuple | np.ndarray) else [] for v in meta[col]],
            index=meta.index,
            dtype=object,
        )
    if "text" not in meta:
        meta["text"] = ""
    meta["text"] = meta["text"].fillna("").astype(str).astype(object)
    return meta


def _align_items(item_ids: IdMap, items: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Item metadata in index order, plus the metadata rows that have no interactions."""
    if items is None or len(items) == 0:
        return empty_item_frame(item_ids.ids), empty_item_frame(np.array([], dtype=object))
    meta = _normalise_meta(items)
    known = meta["item"].isin(set(item_ids.ids.tolist()))
    base = pd.DataFrame({"item": pd.Series(item_ids.ids, dtype=object)})
    aligned = base.merge(meta[known], on="item", how="left")
    filled = _normalise_meta(aligned)
    filled = filled.rename(columns={"item": "item_id"}).reset_index(drop=True)
    cold = meta[~known].rename(columns={"item": "item_id"}).reset_index(drop=True)
    return filled, cold


def _align_users(user_ids: IdMap, users: pd.DataFrame | None) -> pd.DataFrame:
    base = pd.DataFrame({"user": pd.Series(user_ids.ids, dtype=object)})
    if users is not None and len(users):
        users = users.copy()
        users["user"] = users["user"].astype(str).astype(object)
        base = base.merge(users.drop_duplicates("user"), on="user", how="left")
    return base.rename(columns={"user": "user_id"})
