"""Export embeddings (TensorFlow Embedding Projector zip, map coordinates) and import them.

Export
    - :func:`projector_zip`: ``vectors.tsv`` (no header, one vector per line, tab-separated),
      ``metadata.tsv`` (header + one row per vector; lists joined with ``|``) and
      ``projector_config.json``; users, when present, as ``user_vectors.tsv`` +
      ``user_metadata.tsv`` (a second tensor). Load it at projector.tensorflow.org.
    - :func:`coordinates_frame` -> CSV (:func:`recsys.csv_safety.safe_csv`) or Parquet bytes.
    Text cells that start like a spreadsheet formula are neutralised.

Import (:func:`import_embeddings`)
    - a Projector zip, or the pair ``vectors.tsv`` + ``metadata.tsv`` (metadata optional);
    - a CSV or Parquet table with an id column (``item_id``, ``item``, ``id`` or the first text
      column) and vector columns (numbered names such as ``0, 1, …``, ``v0``, ``dim_1``, ``e12``,
      or one ``vector``/``embedding`` column holding lists or space/comma-separated numbers).
      Other columns are metadata (``title``; ``categories``/``tags`` as lists or ``a|b`` text;
      ``popularity``). An optional ``kind`` column marks rows as ``item`` or ``user``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.csv_safety import neutralise_frame, safe_csv
from recsys.data.dataset import IdMap
from recsys.data.limits import check_size
from recsys.errors import DataError
from recsys.maps.embedding_set import EmbeddingSet, items_frame

VECTORS_FILE = "vectors.tsv"
METADATA_FILE = "metadata.tsv"
USER_VECTORS_FILE = "user_vectors.tsv"
USER_METADATA_FILE = "user_metadata.tsv"
CONFIG_FILE = "projector_config.json"
LIST_SEP = "|"
_ID_NAMES = ("item_id", "item", "id", "itemid", "movieid", "product_id")
_VECTOR_COL = re.compile(
    r"^(?:v|vec|dim|d|e|emb|embedding|x|f|factor|component|c)?[_\-]?\d+$", re.I
)
_LIST_COLS = ("categories", "tags")


# ---------------------------------------------------------------------- export
def _tsv_text(value: object) -> str:
    """One metadata cell: lists joined with |, tabs/newlines replaced (they break the TSV)."""
    if isinstance(value, list | tuple | np.ndarray):
        value = LIST_SEP.join(str(v) for v in value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return re.sub(r"[\t\r\n]+", " ", str(value))


def _vectors_tsv(vectors: np.ndarray) -> bytes:
    buf = io.StringIO()
    np.savetxt(buf, np.asarray(vectors, dtype=np.float32), delimiter="\t", fmt="%.7g")
    return buf.getvalue().encode("utf-8")


def _metadata_tsv(frame: pd.DataFrame) -> bytes:
    safe = neutralise_frame(frame.map(_tsv_text))
    lines = ["\t".join(map(str, safe.columns))]
    lines += ["\t".join(map(str, row)) for row in safe.itertuples(index=False)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def item_metadata(
    es: EmbeddingSet, clusters: np.ndarray | None = None, cluster_names=None
) -> pd.DataFrame:
    """Metadata rows for export: item_id, title, categories, tags, popularity, cluster."""
    meta = pd.DataFrame(
        {
            "item_id": es.item_ids.ids,
            "title": es.titles,
            "categories": es.items["categories"].to_numpy(dtype=object),
            "tags": es.items["tags"].to_numpy(dtype=object)
            if "tags" in es.items
            else [[]] * es.n_items,
        }
    )
    if es.popularity is not None:
        meta["popularity"] = es.popularity
    if clusters is not None:
        meta["cluster"] = clusters
        if cluster_names is not None:
            meta["cluster_name"] = cluster_names
    return meta


def projector_zip(
    es: EmbeddingSet, clusters: np.ndarray | None = None, cluster_names=None
) -> bytes:
    """The embeddings as a TensorFlow Embedding Projector zip (see module docstring)."""
    config = {
        "embeddings": [
            {
                "tensorName": f"{es.name} · items",
                "tensorShape": [es.n_items, es.dim],
                "tensorPath": VECTORS_FILE,
                "metadataPath": METADATA_FILE,
            }
        ]
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(VECTORS_FILE, _vectors_tsv(es.item_vectors))
        zf.writestr(METADATA_FILE, _metadata_tsv(item_metadata(es, clusters, cluster_names)))
        if es.has_users:
            zf.writestr(USER_VECTORS_FILE, _vectors_tsv(es.user_vectors))
            zf.writestr(
                USER_METADATA_FILE, _metadata_tsv(pd.DataFrame({"user_id": es.user_ids.ids}))
            )
            config["embeddings"].append(
                {
                    "tensorName": f"{es.name} · users",
                    "tensorShape": [es.n_users, int(es.user_vectors.shape[1])],
                    "tensorPath": USER_VECTORS_FILE,
                    "metadataPath": USER_METADATA_FILE,
                }
            )
        zf.writestr(CONFIG_FILE, json.dumps(config, indent=2))
    return buf.getvalue()


def coordinates_frame(
    ids: np.ndarray,
    coords: np.ndarray,
    titles: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
    cluster_names: np.ndarray | None = None,
    kind: np.ndarray | str = "item",
) -> pd.DataFrame:
    """id, kind, title, x, y (, z), cluster, cluster_name: one row per map point."""
    frame = pd.DataFrame({"id": np.asarray(ids, dtype=object), "kind": kind})
    if titles is not None:
        frame["title"] = np.asarray(titles, dtype=object)
    for axis, name in zip(range(coords.shape[1]), "xyz", strict=False):
        frame[name] = coords[:, axis]
    if clusters is not None:
        frame["cluster"] = clusters
    if cluster_names is not None:
        frame["cluster_name"] = cluster_names
    return frame


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes with spreadsheet formulas neutralised."""
    return safe_csv(frame)


def to_parquet(frame: pd.DataFrame) -> bytes:
    """Parquet bytes (lists stay lists; text is stored as is: Parquet is not run as formulas)."""
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


# ---------------------------------------------------------------------- import
@dataclass
class _Table:
    ids: list[str]
    vectors: np.ndarray
    meta: pd.DataFrame | None


def import_embeddings(
    files: list[tuple[str, bytes]], name: str = "imported embeddings"
) -> EmbeddingSet:
    """Read embeddings made elsewhere into an :class:`EmbeddingSet` (no model needed).

    Parameters
    ----------
    files : list of (file name, content bytes)
        One zip, one or two TSV files (vectors + optional metadata), or one CSV/Parquet table.
    """
    if not files:
        raise DataError(
            "No file given: upload a Projector zip, a vectors.tsv, or a CSV/Parquet table."
        )
    for fname, data in files:
        check_size(len(data), fname)
        if len(data) == 0:
            raise DataError(f"{fname} is empty.")
    exts = {fname: fname.lower().rsplit(".", 1)[-1] if "." in fname else "" for fname, _ in files}
    if len(files) == 1 and exts[files[0][0]] == "zip":
        files = _unzip(*files[0])
        exts = {f: f.lower().rsplit(".", 1)[-1] for f, _ in files}
    kinds = set(exts.values())
    if kinds <= {"tsv", "txt", "json"}:
        return _from_tsv(files, name)
    if len(files) == 1 and kinds <= {"csv", "parquet", "pq"}:
        fname, data = files[0]
        frame = _read_table(fname, data)
        return _from_table(frame, fname, name)
    raise DataError(
        "Cannot tell what these files are (" + ", ".join(f for f, _ in files) + "). Upload a "
        "Projector zip, vectors.tsv (+ metadata.tsv), or one .csv/.parquet table."
    )


def _unzip(fname: str, data: bytes) -> list[tuple[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DataError(f"{fname} is not a valid zip archive.") from None
    with zf:
        infos = [
            i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX")
        ]
        check_size(sum(i.file_size for i in infos), f"the contents of {fname}")
        by_base = {i.filename.rsplit("/", 1)[-1]: i for i in infos}
        if CONFIG_FILE in by_base:
            try:
                config = json.loads(zf.read(by_base[CONFIG_FILE]).decode("utf-8"))
                first = config["embeddings"][0]
                paths = [first["tensorPath"], first.get("metadataPath")]
            except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError):
                raise DataError(
                    f"{CONFIG_FILE} in {fname} is not a valid Projector config."
                ) from None
            wanted = {VECTORS_FILE: paths[0], METADATA_FILE: paths[1]}
            out = []
            for role, path in wanted.items():
                if path:
                    info = by_base.get(str(path).rsplit("/", 1)[-1])
                    if info is None:
                        raise DataError(
                            f"{fname} names {path} in its config but does not contain it."
                        )
                    out.append((role, zf.read(info)))
            for role in (USER_VECTORS_FILE, USER_METADATA_FILE):
                if role in by_base:
                    out.append((role, zf.read(by_base[role])))
            return out
        tables = [
            i for i in infos if i.filename.lower().endswith((".tsv", ".csv", ".parquet", ".txt"))
        ]
        if not tables:
            raise DataError(f"{fname} holds no .tsv, .csv or .parquet file.")
        return [(i.filename.rsplit("/", 1)[-1], zf.read(i)) for i in tables]


def _decode(fname: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{fname} is not UTF-8 text.") from None


def _parse_vectors(fname: str, data: bytes) -> np.ndarray:
    text = _decode(fname, data)
    rows = [line for line in text.splitlines() if line.strip()]
    if not rows:
        raise DataError(f"{fname} has no vectors.")
    try:
        values = [[float(x) for x in line.split("\t")] for line in rows]
    except ValueError:
        bad = next(i for i, line in enumerate(rows) if not _is_numeric_row(line))
        raise DataError(
            f"{fname}, line {bad + 1}: expected tab-separated numbers "
            f"(a vectors.tsv has no header), got {rows[bad][:60]!r}."
        ) from None
    widths = {len(r) for r in values}
    if len(widths) != 1:
        line = next(i for i, r in enumerate(values) if len(r) != len(values[0]))
        raise DataError(
            f"{fname}, line {line + 1}: {len(values[line])} numbers, but line 1 has {len(values[0])}; "
            "every vector needs the same length."
        )
    vectors = np.asarray(values, dtype=np.float32)
    _check_finite(vectors, fname)
    return vectors


def _is_numeric_row(line: str) -> bool:
    try:
        [float(x) for x in line.split("\t")]
        return True
    except ValueError:
        return False


def _check_finite(vectors: np.ndarray, fname: str) -> None:
    if not np.isfinite(vectors).all():
        row = int(np.flatnonzero(~np.isfinite(vectors).all(axis=1))[0])
        raise DataError(f"{fname}, vector {row + 1}: contains NaN or infinite values.")


def _parse_metadata(fname: str, data: bytes, n: int) -> pd.DataFrame:
    text = _decode(fname, data)
    lines = [line for line in text.split("\n") if line.strip("\r")]
    lines = [line.rstrip("\r") for line in lines]
    if len(lines) == n:  # a single-column Projector metadata file has no header
        return pd.DataFrame({"title": lines})
    if len(lines) != n + 1:
        raise DataError(
            f"{fname} has {len(lines) - 1} rows (after its header) but there are {n} vectors; "
            "metadata needs one row per vector, in the same order."
        )
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:]]
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise DataError(
                f"{fname}, line {i + 2}: {len(row)} columns but the header has {len(header)}."
            )
    frame = pd.DataFrame(rows, columns=[_unquote(h) for h in header]).map(_unquote)
    return frame


def _unquote(value: str) -> str:
    """Undo the export's formula neutralisation (``'=x`` -> ``=x``); the app shows text as text."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _from_tsv(files: list[tuple[str, bytes]], name: str) -> EmbeddingSet:
    named = dict(files)
    numeric = [
        f for f, d in files if f not in (METADATA_FILE, USER_METADATA_FILE) and _looks_numeric(d)
    ]
    item_vec_name = (
        VECTORS_FILE
        if VECTORS_FILE in named
        else next((f for f in numeric if f != USER_VECTORS_FILE), None)
    )
    if item_vec_name is None:
        raise DataError(
            "None of the files holds vectors (tab-separated numbers, no header): "
            + ", ".join(named)
        )
    vectors = _parse_vectors(item_vec_name, named[item_vec_name])
    meta_name = (
        METADATA_FILE
        if METADATA_FILE in named
        else next(
            (
                f
                for f, _ in files
                if f not in (item_vec_name, USER_VECTORS_FILE, USER_METADATA_FILE, CONFIG_FILE)
                and f.endswith((".tsv", ".txt"))
            ),
            None,
        )
    )
    meta = _parse_metadata(meta_name, named[meta_name], len(vectors)) if meta_name else None
    table = _table_from_meta(vectors, meta, item_vec_name)
    users = None
    if USER_VECTORS_FILE in named:
        uvec = _parse_vectors(USER_VECTORS_FILE, named[USER_VECTORS_FILE])
        if uvec.shape[1] != vectors.shape[1]:
            raise DataError(
                f"{USER_VECTORS_FILE} has {uvec.shape[1]} dimensions but the items have "
                f"{vectors.shape[1]}."
            )
        umeta = (
            _parse_metadata(USER_METADATA_FILE, named[USER_METADATA_FILE], len(uvec))
            if USER_METADATA_FILE in named
            else None
        )
        uids = (
            umeta["user_id"].astype(str).tolist()
            if umeta is not None and "user_id" in umeta
            else [f"user {i + 1}" for i in range(len(uvec))]
        )
        users = _Table(uids, uvec, None)
    return _build(table, users, name, source=item_vec_name)


def _looks_numeric(data: bytes) -> bool:
    first = data[:4096].decode("utf-8", errors="ignore").lstrip("\ufeff").split("\n", 1)[0]
    return bool(first.strip()) and _is_numeric_row(first.strip("\r"))


def _table_from_meta(vectors: np.ndarray, meta: pd.DataFrame | None, fname: str) -> _Table:
    if meta is None:
        return _Table([str(i + 1) for i in range(len(vectors))], vectors, None)
    id_col = _id_column(meta, numeric_ok=True)
    ids = meta[id_col].astype(str).tolist() if id_col else [str(i + 1) for i in range(len(vectors))]
    if id_col is None and "title" in meta and meta["title"].is_unique:
        ids = meta["title"].astype(str).tolist()
    return _Table(ids, vectors, meta.rename(columns={id_col: "item_id"}) if id_col else meta)


def _id_column(frame: pd.DataFrame, numeric_ok: bool = False) -> str | None:
    lower = {str(c).lower(): c for c in frame.columns}
    for name in _ID_NAMES:
        if name in lower:
            return lower[name]
    return None


def _read_table(fname: str, data: bytes) -> pd.DataFrame:
    try:
        if fname.lower().endswith((".parquet", ".pq")):
            return pd.read_parquet(io.BytesIO(data))
        # id columns stay text ("007" is not 7), whatever the case of their name ("movieId")
        header = pd.read_csv(io.BytesIO(data), nrows=0).columns
        ids = {c: str for c in header if str(c).lower() in _ID_NAMES}
        return pd.read_csv(io.BytesIO(data), dtype=ids, keep_default_na=False, na_values=[""])
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        kind = "Parquet" if fname.lower().endswith((".parquet", ".pq")) else "CSV"
        raise DataError(f"{fname} cannot be read as {kind}: {exc}") from None


def _parse_vector_cell(value: object) -> list[float]:
    if isinstance(value, list | tuple | np.ndarray):
        return [float(x) for x in value]
    return [float(x) for x in re.split(r"[\s,;]+", str(value).strip("[]() ")) if x]


def _from_table(frame: pd.DataFrame, fname: str, name: str) -> EmbeddingSet:
    if len(frame) == 0:
        raise DataError(f"{fname} has no rows.")
    frame.columns = [str(c) for c in frame.columns]
    id_col = _id_column(frame)
    if id_col is None:
        text_cols = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        id_col = text_cols[0] if text_cols else None
    if id_col is None:
        raise DataError(
            f"{fname} has no id column: add a column named item_id (or id) next to the vectors."
        )
    vec_cols = [c for c in frame.columns if c != id_col and _VECTOR_COL.match(c)]
    list_col = next(
        (c for c in frame.columns if c.lower() in ("vector", "embedding", "vectors")), None
    )
    try:
        if vec_cols:
            vectors = (
                frame[vec_cols].apply(pd.to_numeric, errors="raise").to_numpy(dtype=np.float32)
            )
        elif list_col is not None:
            rows = [_parse_vector_cell(v) for v in frame[list_col]]
            if len({len(r) for r in rows}) != 1:
                raise DataError(
                    f"{fname}: the vectors in column {list_col!r} have different lengths."
                )
            vectors = np.asarray(rows, dtype=np.float32)
            vec_cols = [list_col]
        else:
            raise DataError(
                f"{fname} has no vector columns: name them 0, 1, 2… (or v0, v1…, dim_0…), or put "
                "each vector in one column called 'vector'."
            )
    except (ValueError, TypeError) as exc:
        raise DataError(f"{fname}: the vector columns must hold numbers ({exc}).") from None
    _check_finite(vectors, fname)
    meta = frame.drop(columns=vec_cols).rename(columns={id_col: "item_id"})
    meta["item_id"] = meta["item_id"].astype(str)
    if "kind" in meta:
        kind = meta["kind"].astype(str).str.lower()
        users_mask = (kind == "user").to_numpy()
        items = _Table(
            meta["item_id"][~users_mask].tolist(), vectors[~users_mask], meta[~users_mask]
        )
        users = (
            _Table(meta["item_id"][users_mask].tolist(), vectors[users_mask], None)
            if users_mask.any()
            else None
        )
        return _build(items, users, name, source=fname)
    return _build(_Table(meta["item_id"].tolist(), vectors, meta), None, name, source=fname)


def _split_list(value: object) -> list[str]:
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value if str(v)]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [p.strip() for p in str(value).split(LIST_SEP) if p.strip()]


def _build(items: _Table, users: _Table | None, name: str, source: str) -> EmbeddingSet:
    if len(items.ids) < 3:
        raise DataError(f"{source} has {len(items.ids)} item vectors; a map needs at least 3.")
    dupes = pd.Series(items.ids)[pd.Series(items.ids).duplicated()]
    if len(dupes):
        raise DataError(
            f"{source}: item id {dupes.iloc[0]!r} appears more than once; ids must be unique."
        )
    item_ids = IdMap(items.ids, "item")
    meta = None
    popularity = None
    if items.meta is not None:
        meta = items.meta.copy()
        if "item_id" not in meta:
            meta["item_id"] = items.ids
        meta["item_id"] = meta["item_id"].astype(str)
        for col in _LIST_COLS:
            if col in meta:
                meta[col] = [_split_list(v) for v in meta[col]]
        for col in ("popularity", "count", "interactions"):
            if col in meta:
                pop = pd.to_numeric(meta[col], errors="coerce")
                if pop.notna().all():
                    popularity = pop.to_numpy(dtype=np.float64)
                    break
        meta = meta.drop(columns=[c for c in ("kind",) if c in meta])
    user_ids = user_vectors = None
    if users is not None and len(users.ids):
        if users.vectors.shape[1] != items.vectors.shape[1]:
            raise DataError("User and item vectors have different lengths.")
        user_ids = IdMap(users.ids, "user")
        user_vectors = users.vectors.astype(np.float32)
    return EmbeddingSet(
        name=name,
        item_ids=item_ids,
        item_vectors=items.vectors.astype(np.float32),
        items=items_frame(item_ids.ids, meta),
        popularity=popularity,
        user_ids=user_ids,
        user_vectors=user_vectors,
        source="import",
    )
