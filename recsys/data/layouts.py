"""Which files hold what: known dataset layouts, and column guessing for everything else.

Known layouts load with their metadata and no mapping: MovieLens latest/25M (``ratings.csv`` +
``movies.csv`` + ``tags.csv``), MovieLens 100K (``u.data`` + ``u.item``), MovieLens 1M
(``ratings.dat`` + ``movies.dat``, ``::``-separated), Last.fm HetRec 2011 (``user_artists.dat``
+ ``artists.dat`` + tags) and the app's demo. Anything else gets a :class:`ColumnMapping` guessed
from column names and contents, which the user can edit before building.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from recsys.data.readers import RawTable, Source, SourceFile, read_table
from recsys.errors import DataError, FileTooLargeError

ML100K_GENRES = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
]
NO_GENRE = {"(no genres listed)", "unknown", ""}

LAYOUT_LABELS = {
    "movielens-latest": "MovieLens (latest / 20M / 25M style: ratings.csv, movies.csv, tags.csv)",
    "movielens-100k": "MovieLens 100K (u.data, u.item)",
    "movielens-1m": "MovieLens 1M (ratings.dat, movies.dat with '::')",
    "lastfm-hetrec-2011": "Last.fm HetRec 2011 (user_artists.dat, artists.dat, tags)",
    "demo": "Demo catalogue (ratings.csv, items.csv, users.csv)",
    "generic": "Columns guessed from names and contents",
}


@dataclass
class ColumnMapping:
    """Which column holds what. Only ``user`` and ``item`` are required.

    Attributes
    ----------
    user, item : str
        Interaction columns with the user and item ids.
    rating : str or None
        Rating or weight (count, plays); None means every row counts once.
    timestamp : str or None
        Time of the interaction (seconds, milliseconds, or dates).
    title, categories, tags, text : str or None
        Item metadata columns, in the items file when there is one, else in the interactions.
    item_key : str or None
        The id column of the items file.
    """

    user: str
    item: str
    rating: str | None = None
    timestamp: str | None = None
    title: str | None = None
    categories: str | None = None
    tags: str | None = None
    text: str | None = None
    item_key: str | None = None
    guessed: list[str] = field(default_factory=list, compare=False)
    notes: dict[str, str] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict:
        """The mapped roles (without the notes on guesses)."""
        return {
            k: v
            for k, v in asdict(self).items()
            if v is not None and k not in ("guessed", "notes")
        }

    def standing_notes(self, chosen: ColumnMapping) -> list[str]:
        """This (detected) mapping's notes on guesses that ``chosen`` still follows.

        A note is keyed by the roles it is about ("user,item", "rating"); once the user maps
        one of them differently, the guess is no longer in force and its note is dropped.
        """
        return [
            note
            for roles, note in self.notes.items()
            if all(getattr(chosen, r) == getattr(self, r) for r in roles.split(","))
        ]

    def validate(self, columns: list[str], origin: str) -> None:
        """Raise a :class:`DataError` when a mapped interaction column is missing or reused."""
        used = {}
        for role in ("user", "item", "rating", "timestamp"):
            col = getattr(self, role)
            if col is None:
                continue
            if col not in columns:
                raise DataError(
                    f"The {role} column {col!r} is not in {origin} (its columns are: "
                    f"{', '.join(columns)}). Choose another column in the mapping."
                )
            if col in used:
                raise DataError(
                    f"Column {col!r} is mapped both as {used[col]} and as {role}. "
                    "Choose a different column for one of them."
                )
            used[col] = role


@dataclass
class Detection:
    """What was found in a source: the layout, the interactions table and a mapping.

    ``metadata_files`` names the files the layout takes item/user metadata from.
    """

    source: Source
    layout: str
    interactions: RawTable
    mapping: ColumnMapping
    items_file: str | None = None
    tags_file: str | None = None
    users_file: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LAYOUT_LABELS[self.layout]

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.interactions.frame.columns]

    def preview(self, n: int = 20) -> pd.DataFrame:
        return self.interactions.frame.head(n)

    def with_mapping(self, mapping: ColumnMapping) -> Detection:
        return replace(self, mapping=mapping)

    def warnings(self, mapping: ColumnMapping | None = None) -> list[str]:
        """What was guessed, in words: how the file was read (encoding, header line) and the
        detected mapping's guesses that ``mapping`` (default: the detected one) still follows."""
        return [*self.interactions.warnings, *self.mapping.standing_notes(mapping or self.mapping)]


# ---------------------------------------------------------------------- detection
def detect(source: Source) -> Detection:
    """Find the layout of a source and read its interactions table.

    Raises
    ------
    DataError
        When no file holds a usable table, or no user and item columns can be found.
    """
    tables = source.tables()
    if not tables:
        names = ", ".join(f.basename for f in source.files[:10]) or "nothing"
        raise DataError(
            f"{source.name} holds no table file (looked for .csv, .tsv, .dat, .txt, .parquet; found "
            f"{names}). Put the interactions in a CSV or Parquet file and try again."
        )
    for finder in (_movielens_latest, _movielens_100k, _movielens_1m, _lastfm, _demo):
        found = finder(source)
        if found is not None:
            return found
    return _generic(source, tables)


# numbers in known layouts are read as numbers (ids stay text): less memory on 25M rows
_ML_NUMERIC = {"rating": "float64", "timestamp": "int64"}


def _movielens_latest(source: Source) -> Detection | None:
    ratings, movies = source.find("ratings.csv"), source.find("movies.csv")
    if ratings is None or movies is None:
        return None
    raw = read_table(ratings, numeric=_ML_NUMERIC)
    if not {"userId", "movieId"} <= set(raw.frame.columns):
        return None
    cols = raw.frame.columns
    mapping = ColumnMapping(
        "userId",
        "movieId",
        "rating" if "rating" in cols else None,
        "timestamp" if "timestamp" in cols else None,
        title="title",
        categories="genres",
        item_key="movieId",
        tags="tag",
    )
    tags = source.find("tags.csv")
    return Detection(
        source, "movielens-latest", raw, mapping, movies.name, tags.name if tags else None
    )


def _movielens_100k(source: Source) -> Detection | None:
    data = source.find("u.data")
    if data is None:
        return None
    raw = read_table(
        data,
        sep="\t",
        has_header=False,
        names=["user id", "item id", "rating", "timestamp"],
        numeric=_ML_NUMERIC,
    )
    items, users = source.find("u.item"), source.find("u.user")
    mapping = ColumnMapping(
        "user id",
        "item id",
        "rating",
        "timestamp",
        title="title",
        categories="genres",
        item_key="item id",
    )
    return Detection(
        source,
        "movielens-100k",
        raw,
        mapping,
        items.name if items else None,
        None,
        users.name if users else None,
    )


def _movielens_1m(source: Source) -> Detection | None:
    ratings = source.find("ratings.dat")
    if ratings is None or source.find("user_artists.dat") is not None:
        return None
    raw = read_table(
        ratings,
        sep="::",
        has_header=False,
        names=["UserID", "MovieID", "Rating", "Timestamp"],
        quoting=False,
        numeric={"Rating": "float64", "Timestamp": "int64"},
    )
    movies, users = source.find("movies.dat"), source.find("users.dat")
    mapping = ColumnMapping(
        "UserID",
        "MovieID",
        "Rating",
        "Timestamp",
        title="Title",
        categories="Genres",
        item_key="MovieID",
    )
    return Detection(
        source,
        "movielens-1m",
        raw,
        mapping,
        movies.name if movies else None,
        None,
        users.name if users else None,
    )


def _lastfm(source: Source) -> Detection | None:
    ua = source.find("user_artists.dat")
    if ua is None:
        return None
    raw = read_table(ua, sep="\t", quoting=False, numeric={"weight": "float64"})
    if not {"userID", "artistID"} <= set(raw.frame.columns):
        return None
    artists, tags = source.find("artists.dat"), source.find("user_taggedartists.dat")
    mapping = ColumnMapping(
        "userID",
        "artistID",
        "weight" if "weight" in raw.frame else None,
        None,
        title="name",
        tags="tagValue",
        item_key="id",
    )
    return Detection(
        source,
        "lastfm-hetrec-2011",
        raw,
        mapping,
        artists.name if artists else None,
        tags.name if tags else None,
    )


def _demo(source: Source) -> Detection | None:
    ratings, items = source.find("ratings.csv"), source.find("items.csv")
    if ratings is None or items is None:
        return None
    head = read_table(items, max_rows=5).frame
    if "planted_genre" not in head:
        return None
    raw = read_table(ratings, numeric=_ML_NUMERIC)
    users = source.find("users.csv")
    mapping = ColumnMapping(
        "user_id",
        "item_id",
        "rating",
        "timestamp",
        title="title",
        categories="genres",
        tags="tags",
        item_key="item_id",
    )
    return Detection(source, "demo", raw, mapping, items.name, None, users.name if users else None)


_INTERACTION_FILE = re.compile(
    r"(?i)(rating|interaction|event|transaction|purchase|click|view|play|listen|order|review|feedback|log)"
)


def _generic(source: Source, tables: list[SourceFile]) -> Detection:
    # the interactions file: a name that says so, else the largest table with user+item columns
    ordered = sorted(tables, key=lambda f: (not _INTERACTION_FILE.search(f.basename), -f.size))
    errors: list[DataError] = []
    for file in ordered[:6]:
        try:
            raw = read_table(file)
            mapping = guess_mapping(raw.frame, raw.origin)
        except FileTooLargeError:
            raise  # not a reason to try the next file
        except DataError as exc:
            if len(tables) == 1:
                raise
            errors.append(exc)
            continue
        det = Detection(source, "generic", raw, mapping)
        if mapping.title is None and len(tables) > 1:
            _attach_items_file(det, [t for t in tables if t is not file])
        return det
    raise DataError(
        f"No file in {source.name} has recognisable user and item columns. "
        f"First problem: {errors[0]}"
        if errors
        else f"No usable table in {source.name}."
    )


def _attach_items_file(det: Detection, others: list[SourceFile]) -> None:
    """Use another table as item metadata when it has the item id column and a title-like column."""
    item_col = det.mapping.item
    for file in others:
        try:
            head = read_table(file, max_rows=50).frame
        except DataError:
            continue
        cols = [str(c) for c in head.columns]
        key = item_col if item_col in cols else _match(cols, _ITEM_KEY)
        title = _match([c for c in cols if c != key], _TITLE)
        if key is None or title is None:
            continue
        det.items_file = file.name
        det.mapping.item_key = key
        det.mapping.title = title
        det.mapping.categories = _match(cols, _CATEGORIES)
        det.mapping.tags = _match(cols, _TAGS)
        det.mapping.text = _match(cols, _TEXT)
        det.notes.append(
            f"Item metadata from {file.basename} (id column {key!r}, titles from {title!r})."
        )
        return


# ---------------------------------------------------------------------- column guessing
def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


_USER = [
    r"userid",
    r"user",
    r"uid",
    r"users",
    r"(customer|client|visitor|member|account|person|buyer|reviewer|reader|listener|subscriber|player|viewer|session)(id)?",
    r".*user.*",
    r".*customer.*",
]
_ITEM = [
    r"itemid",
    r"item",
    r"iid",
    r"items",
    r"(movie|product|artist|track|song|book|sku|article|asin|video|game|recipe|course|anime|show|business|restaurant|isbn|post|doc|document|content|offer|listing|app|episode|album|film|page|url)(id)?",
    r".*item.*",
    r".*(movie|product|artist|book|song|track)id.*",
]
_ITEM_KEY = [r"itemid", r"item", r"id", r"(movie|product|artist|book|song|track|sku|article)(id)?"]
_RATING = [
    r"rating",
    r"ratings",
    r"score",
    r"stars?",
    r"grade",
    r"preference",
    r"value",
    r"weight",
    r"(play|view|click|listen|purchase)?counts?",
    r"plays",
    r"quantity",
    r"qty",
    r"clicks",
    r"views",
    r"listens",
    r"amount",
    r".*rating.*",
    r".*score.*",
]
_TIME = [
    r"timestamp",
    r"time",
    r"ts",
    r"date",
    r"datetime",
    r"(event|created|updated|rated|order|purchase)(at|time|date|on)",
    r"when",
    r"day",
    r".*timestamp.*",
    r".*(date|time)",
]
_TITLE = [
    r"title",
    r"name",
    r"(item|product|movie|artist|book|song|track)(title|name)",
    r".*title.*",
    r"(?!user).*name",
]
_CATEGORIES = [
    r"genres?",
    r"categor(y|ies)",
    r"cats?",
    r"(item|product)?(genre|category|categories)",
    r"departments?",
    r"sections?",
    r"types?",
]
_TAGS = [r"tags?", r"keywords?", r"labels?", r"tagvalue"]
_TEXT = [
    r"description",
    r"text",
    r"summary",
    r"overview",
    r"plot",
    r"body",
    r"synopsis",
    r"abstract",
]


def _match(
    columns: list[str], patterns: list[str], exclude: set[str] | frozenset = frozenset()
) -> str | None:
    normed = [(c, _norm(c)) for c in columns if c not in exclude]
    for pat in patterns:
        for col, n in normed:
            if re.fullmatch(pat, n):
                return col
    return None


def _to_float(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("float64")
    return pd.to_numeric(series.astype(str).str.replace(",", ".", regex=False), errors="coerce")


def _id_like(series: pd.Series) -> bool:
    """Values that could be ids: not fractional numbers, and some repeat (an interaction log)."""
    s = series.dropna().astype(str)
    s = s[s.str.len() > 0]
    if len(s) == 0:
        return False
    num = _to_float(s)
    if num.notna().mean() > 0.9 and ((num.dropna() % 1) != 0).any():
        return False
    if s.str.len().max() > 200:
        return False
    return len(s) < 4 or s.nunique() < len(s)


def _rating_like(series: pd.Series) -> bool:
    num = _to_float(series)
    return bool(
        num.notna().mean() > 0.95 and num.nunique() <= 21 and num.min() >= -10 and num.max() <= 100
    )


def _time_like(series: pd.Series) -> bool:
    s = series.dropna().astype(str).head(200)
    num = _to_float(s)
    if len(s) == 0:
        return False
    if num.notna().all():
        return bool(((num > 1e8) & (num < 5e12)).mean() > 0.95 and num.nunique() > 1)
    if not s.str.contains(r"[-/:]").mean() > 0.9:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parsed = pd.to_datetime(s, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() > 0.9)


def guess_mapping(frame: pd.DataFrame, origin: str = "the file") -> ColumnMapping:
    """Guess user, item, rating and timestamp (and item metadata) columns of an interactions table.

    Names are tried first ("userId", "customer_id", "rating", "timestamp", ...); when the names say
    nothing, contents decide: repeating id-like values for users and items, a small set of numbers
    for ratings, epoch numbers or dates for time.

    Raises
    ------
    DataError
        When the table has one column, or no two columns can be users and items.
    """
    cols = [str(c) for c in frame.columns]
    if len(cols) < 2:
        raise DataError(
            f"{origin} has only one column ({cols[0] if cols else 'none'!r}): interactions need at "
            "least a user column and an item column. Check the separator (comma, semicolon or tab) "
            "or export both columns."
        )
    sample = frame.head(2000)
    user = _match(cols, _USER)
    item = _match(cols, _ITEM, {user} if user else set())
    used = {c for c in (user, item) if c}
    position_key = None  # the note on users or items taken by position, if any
    guessed = []
    notes: dict[str, str] = {}
    if user is None or item is None:
        candidates = [
            c
            for c in cols
            if c not in used
            and _id_like(sample[c])
            and not (_match([c], _RATING) or _match([c], _TIME))
        ]
        by_position = []
        for role in ("user", "item"):
            if (user if role == "user" else item) is None and candidates:
                col = candidates.pop(0)
                used.add(col)
                guessed.append(f"{role} = {col!r}")
                by_position.append((role, col))
                if role == "user":
                    user = col
                else:
                    item = col
        if by_position and user is not None and item is not None:
            took = " and ".join(f"{col!r} as the {role}" for role, col in by_position)
            nobody = " or ".join(f"a{'n' if r == 'item' else ''} {r}" for r, _ in by_position)
            position_key = ",".join(r for r, _ in by_position)
            notes[position_key] = (
                f"No column of {origin} is named like {nobody}: took {took} column by position "
                "(the first columns whose values repeat, as ids do). Check the column mapping."
            )
    if user is None or item is None:
        raise DataError(
            f"Could not tell which columns of {origin} hold users and items (columns: "
            f"{', '.join(cols[:12])}). Name them e.g. 'user_id' and 'item_id', or choose them in the "
            "column mapping."
        )
    rest = [c for c in cols if c not in used]
    rating = _match(rest, _RATING)
    if rating is not None:
        note = _unusable_rating(sample[rating], rating, origin)
        if note:
            notes["rating"] = note
            rating = None  # text or blanks are not a rating: every row counts once
    timestamp = _match([c for c in rest if c != rating], _TIME)
    if rating is None:
        rating = next((c for c in rest if c != timestamp and _rating_like(sample[c])), None)
        if rating:
            guessed.append(f"rating = {rating!r}")
            num = _to_float(sample[rating])
            notes["rating"] = (
                f"No column of {origin} is named like a rating: took {rating!r} as the rating "
                f"because it holds a small set of numbers ({num.min():g} to {num.max():g}). "
                "Check the column mapping (choose none if every row should count once)."
            )
    if timestamp is None:
        timestamp = next((c for c in rest if c != rating and _time_like(sample[c])), None)
        if timestamp:
            guessed.append(f"timestamp = {timestamp!r}")
            notes["timestamp"] = (
                f"No column of {origin} is named like a time: took {timestamp!r} as the time "
                "because its values look like dates or epoch seconds. Check the column mapping."
            )
    meta = [c for c in rest if c not in (rating, timestamp)]
    described = {
        "title": _match(meta, _TITLE),
        "categories": _match(meta, _CATEGORIES),
        "tags": _match(meta, _TAGS),
        "text": _match(meta, _TEXT),
    }
    unused = [c for c in meta if c not in described.values()]
    if position_key and unused:  # nothing was named: say what became of the other columns
        notes[position_key] += " " + _unused_columns_note(sample, unused)
    return ColumnMapping(user, item, rating, timestamp, **described, guessed=guessed, notes=notes)


def _unused_columns_note(sample: pd.DataFrame, columns: list[str], shown: int = 4) -> str:
    """The note "Not used: 'c' (words such as 'five', '4 stars'), …" on columns left out."""
    parts = []
    for column in columns[:shown]:
        text = sample[column].dropna().astype(str).str.strip()
        text = text[text != ""]
        if text.empty:
            what = "empty cells"
        elif _to_float(text).notna().mean() > 0.5:
            what = "numbers"
        else:
            what = "words such as " + ", ".join(repr(w[:20]) for w in text.unique()[:2])
        parts.append(f"{column!r} ({what})")
    more = f" and {len(columns) - shown} more" if len(columns) > shown else ""
    return (
        f"Not used: {', '.join(parts)}{more}. Choose a column in the mapping to use it (a rating "
        "must be written as numbers)."
    )


def _unusable_rating(series: pd.Series, column: str, origin: str) -> str | None:
    """Why a column named like a rating cannot be one (only blanks, or words), or None."""
    text = series.astype(str).str.strip()
    blank = text.eq("") | text.str.lower().isin(["nan", "none", "null", "na", "n/a"])
    if blank.all():
        return (
            f"The column {column!r} of {origin} looks like a rating by its name but has only empty "
            "cells: it is not used, so every row counts as one interaction (implicit feedback). "
            "Choose another rating column in the mapping if there is one."
        )
    num = _to_float(series)
    if num.notna().mean() > 0.5:
        return None
    filled = text[~blank]
    if num[~blank.to_numpy()].notna().mean() > 0.9:
        return (
            f"The column {column!r} of {origin} has a rating on only {(~blank).mean():.0%} of its "
            "rows: it is not used, so every row counts as one interaction and no row is lost. "
            "Choose it as the rating in the mapping to use the ratings (rows without one are then "
            "skipped)."
        )
    words = list(dict.fromkeys(filled[num[~blank.to_numpy()].isna()]))[:3]
    examples = ", ".join(repr(w[:20]) for w in words)
    return (
        f"The column {column!r} of {origin} looks like a rating by its name but holds words, not "
        f"numbers ({examples}): it is not used as a rating, so every row counts as one "
        "interaction (implicit feedback). Write the ratings as numbers (e.g. 5 for 'five') to use "
        "them."
    )


# ---------------------------------------------------------------------- metadata
@dataclass
class Metadata:
    """Item (and user) metadata found for a source, before matching it to interactions.

    ``items`` has columns ``item``, ``title``, ``categories`` (list), ``tags`` (list), ``text``
    plus extras; ``tag_rows`` maps item id -> number of raw tag rows (to count unmatched ones).
    """

    items: pd.DataFrame | None = None
    items_origin: str | None = None
    tags: pd.DataFrame | None = None  # columns item, tag
    tags_origin: str | None = None
    users: pd.DataFrame | None = None
    users_origin: str | None = None


def split_list(value: object, sep: str | None = None) -> list[str]:
    """Split a pipe/comma/semicolon list ("Action|Comedy") into clean, unique parts."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    text = str(value).strip()
    if not text:
        return []
    if sep is None:
        sep = max(("|", ",", ";"), key=text.count) if any(s in text for s in "|,;") else "|"
    parts = [p.strip() for p in text.split(sep)]
    return list(dict.fromkeys(p for p in parts if p and p not in NO_GENRE))


def _list_sep(series: pd.Series) -> str:
    s = series.dropna().astype(str).head(500)
    counts = {sep: int(s.str.count(re.escape(sep)).sum()) for sep in ("|", ",", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else "|"


def _items_from_columns(frame: pd.DataFrame, key: str, m: ColumnMapping) -> pd.DataFrame:
    out = pd.DataFrame({"item": frame[key].astype(str)})
    if m.title and m.title in frame:
        out["title"] = frame[m.title].astype(str)
    for role in ("categories", "tags"):
        col = getattr(m, role)
        if col and col in frame:
            sep = _list_sep(frame[col])
            out[role] = [split_list(v, sep) for v in frame[col]]
    if m.text and m.text in frame:
        out["text"] = frame[m.text].fillna("").astype(str)
    return out


def aggregate_tags(tags: pd.DataFrame, top: int = 20) -> pd.DataFrame:
    """(item, tag) rows -> one row per item with its most frequent distinct tags (case folded)."""
    t = tags.dropna()
    t = t[t["tag"].astype(str).str.strip() != ""]
    t = t.assign(
        tag=t["tag"].astype(str).str.strip(), key=t["tag"].astype(str).str.strip().str.lower()
    )
    counts = (
        t.groupby(["item", "key"], sort=False)
        .agg(tag=("tag", "first"), n=("tag", "size"))
        .reset_index()
    )
    counts = counts.sort_values(["item", "n", "key"], ascending=[True, False, True], kind="stable")
    agg = counts.groupby("item", sort=False)["tag"].agg(lambda s: list(s)[:top])
    return agg.rename("tags").reset_index()


def load_metadata(det: Detection) -> Metadata:
    """Read the item/user metadata files of a detection (layout-specific)."""
    src, m = det.source, det.mapping
    meta = Metadata()
    items_file = src.find(det.items_file.rsplit("/", 1)[-1]) if det.items_file else None
    if det.layout == "movielens-100k":
        if items_file is not None:
            raw = read_table(
                items_file,
                sep="|",
                has_header=False,
                quoting=False,
                names=["item id", "title", "release date", "video release date", "IMDb URL"]
                + ML100K_GENRES,
            )
            f = raw.frame
            flags = f[ML100K_GENRES].to_numpy() == "1"
            cats = [
                [g for g, on in zip(ML100K_GENRES, row, strict=True) if on and g != "unknown"]
                for row in flags
            ]
            meta.items = pd.DataFrame(
                {
                    "item": f["item id"],
                    "title": f["title"],
                    "categories": cats,
                    "release date": f["release date"],
                }
            )
            meta.items_origin = raw.origin
        users_file = src.find("u.user")
        if users_file is not None:
            u = read_table(
                users_file,
                sep="|",
                has_header=False,
                quoting=False,
                names=["user", "age", "gender", "occupation", "zip code"],
            )
            meta.users, meta.users_origin = u.frame, u.origin
        return meta
    if det.layout == "movielens-1m":
        if items_file is not None:
            raw = read_table(
                items_file,
                sep="::",
                has_header=False,
                quoting=False,
                names=["MovieID", "Title", "Genres"],
            )
            meta.items = _items_from_columns(raw.frame, "MovieID", m)
            meta.items_origin = raw.origin
        users_file = src.find("users.dat")
        if users_file is not None:
            u = read_table(
                users_file,
                sep="::",
                has_header=False,
                quoting=False,
                names=["user", "gender", "age", "occupation", "zip code"],
            )
            meta.users, meta.users_origin = u.frame, u.origin
        return meta
    if det.layout == "lastfm-hetrec-2011":
        if items_file is not None:
            raw = read_table(items_file, sep="\t", quoting=False)
            f = raw.frame
            meta.items = pd.DataFrame({"item": f["id"], "title": f["name"]})
            meta.items_origin = raw.origin
        tagged, names = src.find("user_taggedartists.dat"), src.find("tags.dat")
        if tagged is not None and names is not None:
            t = read_table(tagged, sep="\t", quoting=False).frame
            v = read_table(names, sep="\t", quoting=False).frame
            joined = t.merge(v, on="tagID", how="left")
            meta.tags = pd.DataFrame({"item": joined["artistID"], "tag": joined["tagValue"]})
            meta.tags_origin = tagged.origin
        return meta
    # csv-based layouts: movielens-latest, demo, generic
    if items_file is not None and m.item_key:
        raw = read_table(items_file)
        if m.item_key not in raw.frame:
            raise DataError(
                f"The item id column {m.item_key!r} is not in {raw.origin}. Choose another in the mapping."
            )
        meta.items = _items_from_columns(raw.frame, m.item_key, m)
        if det.layout == "demo" and "planted_genre" in raw.frame:
            meta.items["planted_genre"] = raw.frame["planted_genre"].astype(str).to_numpy()
        meta.items_origin = raw.origin
    elif det.layout == "generic" and any((m.title, m.categories, m.tags, m.text)):
        # metadata repeated on every interaction row: first value per item
        f = det.interactions.frame
        present = [c for c in (m.title, m.categories, m.tags, m.text) if c and c in f]
        if present:
            firsts = f[[m.item, *present]].drop_duplicates(m.item, keep="first")
            meta.items = _items_from_columns(firsts, m.item, m)
            meta.items_origin = det.interactions.origin
    tags_file = src.find(det.tags_file.rsplit("/", 1)[-1]) if det.tags_file else None
    if tags_file is not None:
        t = read_table(tags_file).frame
        key = "movieId" if "movieId" in t else (m.item_key or m.item)
        if key in t and "tag" in t:
            meta.tags = pd.DataFrame({"item": t[key], "tag": t["tag"]})
            meta.tags_origin = tags_file.origin
    users_file = src.find(det.users_file.rsplit("/", 1)[-1]) if det.users_file else None
    if users_file is not None:
        u = read_table(users_file).frame
        meta.users = u.rename(columns={m.user: "user", "user_id": "user"})
        meta.users_origin = users_file.origin
    return meta
