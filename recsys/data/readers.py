"""Reading what people really have: CSV/TSV/`::` files, Parquet, `.gz` and `.zip` archives.

A *source* (a path, a folder, or uploaded bytes) is opened into a list of :class:`SourceFile`
(lazy: bytes are read only for the files a layout needs). :func:`read_table` turns one file into
a DataFrame whose columns are text exactly as written, so ids such as "007" survive; the
builder converts ratings and times later. Every failure is a :class:`DataError` that says which
file, which line when known, and what to do.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from recsys.data.limits import check_size, format_bytes, max_bytes
from recsys.errors import DataError, FileTooLargeError

TABLE_SUFFIXES = {
    ".csv",
    ".tsv",
    ".tab",
    ".txt",
    ".dat",
    ".data",
    ".item",
    ".psv",
    ".parquet",
    ".pq",
}
ARCHIVE_SUFFIXES = {".zip", ".gz"}
SAMPLE_BYTES = 1 << 16
DELIMITERS = [",", ";", "\t", "|"]

# magic numbers of things people rename to .csv by mistake
_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.xls/.doc)"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
]


@dataclass
class SourceFile:
    """One file of a source: its name inside the source and a way to read its bytes.

    Attributes
    ----------
    name : str
        Path inside the source (``ml-latest-small/ratings.csv``), or the file name.
    size : int
        Size in bytes once unpacked (as declared by the archive).
    origin : str
        How messages name it: "ratings.csv in ml-latest-small.zip".
    """

    name: str
    size: int
    origin: str
    loader: Callable[[], bytes] = field(repr=False)

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.basename.lower()).suffix

    def read_bytes(self) -> bytes:
        return self.loader()


@dataclass
class Source:
    """What the user gave us: a name for messages and the files inside."""

    name: str
    files: list[SourceFile]

    def tables(self) -> list[SourceFile]:
        """Files that may hold a table (by name), largest first."""
        found = [f for f in self.files if is_table_name(f.basename)]
        return sorted(found, key=lambda f: -f.size)

    def find(self, basename: str) -> SourceFile | None:
        """The file with this base name (case-insensitive), preferring the shallowest path."""
        hits = [f for f in self.files if f.basename.lower() == basename.lower()]
        return min(hits, key=lambda f: f.name.count("/")) if hits else None


@dataclass
class RawTable:
    """A table read from one file: text columns plus how it was read."""

    frame: pd.DataFrame
    origin: str
    sep: str | None = None
    encoding: str | None = None
    has_header: bool = True
    ragged_rows: int = 0
    warnings: list[str] = field(default_factory=list)


def is_table_name(basename: str) -> bool:
    low = basename.lower()
    if low.startswith((".", "readme", "license")) or low in {"u.info"}:
        return False
    return PurePosixPath(low).suffix in TABLE_SUFFIXES or bool(
        re.fullmatch(r"u\d?\.(data|base|test)", low)
    )


# ---------------------------------------------------------------------- opening sources
def open_source(source: str | Path | bytes, name: str | None = None) -> Source:
    """Open a path (file or folder) or uploaded bytes into a :class:`Source`.

    Parameters
    ----------
    source : str, Path or bytes
        A file, a folder of files, or the bytes of an upload.
    name : str, optional
        The file name of uploaded bytes (its extension is a hint, not trusted).

    Raises
    ------
    DataError
        When the path does not exist, the file is empty, or an archive is damaged.
    FileTooLargeError
        When the file, or what an archive unpacks to, exceeds :func:`limits.max_bytes`.
    """
    limit = max_bytes()
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = name or "upload"
        check_size(len(data), f"The file {name}", limit)
        return _source_from_bytes(data, name, limit)
    path = Path(source)
    if not path.exists():
        raise DataError(f"{path} does not exist: check the path.")
    if path.is_dir():
        # only the files a layout reads count against the limit (a MovieLens 25M folder also
        # holds a 415 MB genome-scores.csv that nothing reads)
        read_so_far: dict[Path, int] = {}

        def folder_loader(p: Path, size: int) -> Callable[[], bytes]:
            def read() -> bytes:
                if p not in read_so_far:  # a file read twice (head, then whole) counts once
                    total = sum(read_so_far.values()) + size
                    check_size(total, f"The files read from folder {path.name}", limit)
                    read_so_far[p] = size
                return p.read_bytes()

            return read

        files = []
        for p in sorted(path.rglob("*")):
            if p.is_file() and len(p.relative_to(path).parts) <= 3:
                rel = p.relative_to(path).as_posix()
                size = p.stat().st_size
                files.append(SourceFile(rel, size, f"{rel} in {path.name}", folder_loader(p, size)))
        if not files:
            raise DataError(
                f"The folder {path} is empty: point to a folder with a CSV or Parquet file."
            )
        return Source(path.name, files)
    size = path.stat().st_size
    check_size(size, f"The file {path.name}", limit)
    if zipfile.is_zipfile(path):
        return _zip_source(path, path.name, limit)
    return _source_from_bytes(path.read_bytes(), path.name, limit)


def _source_from_bytes(data: bytes, name: str, limit: int) -> Source:
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_source(io.BytesIO(data), name, limit)
    if data[:2] == b"\x1f\x8b":
        inner = re.sub(r"\.gz$", "", name, flags=re.IGNORECASE)
        if inner == name:
            inner = name + ".csv"
        unpacked = gunzip(data, name, limit)
        return (
            _source_from_bytes(unpacked, inner, limit)
            if unpacked[:4] in (b"PK\x03\x04",)
            else Source(name, [SourceFile(inner, len(unpacked), name, lambda: unpacked)])
        )
    return Source(name, [SourceFile(name, len(data), name, lambda: data)])


def gunzip(data: bytes, name: str, limit: int | None = None) -> bytes:
    """Decompress gzip bytes, stopping as soon as the output passes the size limit."""
    limit = max_bytes() if limit is None else limit
    out, total = [], 0
    rest = data
    try:
        while rest:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            buf = rest
            while buf:
                chunk = d.decompress(buf, 1 << 22)
                total += len(chunk)
                check_size(total, f"The contents of {name}", limit)
                out.append(chunk)
                buf = d.unconsumed_tail
            if not d.eof:
                raise DataError(
                    f"{name} is cut short: the gzip data ends before the end of the compressed "
                    "stream (an interrupted download or copy?). Download or export it again."
                )
            rest = d.unused_data
            if rest and rest[:2] != b"\x1f\x8b":
                break
    except zlib.error as exc:
        raise DataError(
            f"{name} is not a valid gzip file ({exc}). Export it again, or upload it unpacked."
        ) from None
    return b"".join(out)


def _zip_source(fileobj, name: str, limit: int) -> Source:
    try:
        zf = zipfile.ZipFile(fileobj)
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DataError(
            f"{name} is not a readable zip archive ({exc}). Create the zip again."
        ) from None
    infos = [
        i
        for i in infos
        if "__MACOSX" not in i.filename and not PurePosixPath(i.filename).name.startswith(".")
    ]
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names:
        raise DataError(
            f"{name} is an Excel workbook. Save the sheet as CSV (File > Save as > CSV) and upload that."
        )
    if "content.xml" in names and "mimetype" in names:
        raise DataError(f"{name} is an OpenDocument file. Save the sheet as CSV and upload that.")
    budget = {"used": 0}

    def loader(info: zipfile.ZipInfo) -> Callable[[], bytes]:
        def read() -> bytes:
            what = f"{PurePosixPath(info.filename).name} in {name}"
            # declared size first (cheap), then count while unpacking: headers can lie
            check_size(budget["used"] + info.file_size, f"What {name} unpacks to", limit)
            chunks, total = [], 0
            try:
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 22):
                        total += len(chunk)
                        check_size(budget["used"] + total, f"What {name} unpacks to", limit)
                        chunks.append(chunk)
            except FileTooLargeError:
                raise
            except (
                zipfile.BadZipFile,
                EOFError,
                zlib.error,
                OSError,
                NotImplementedError,
                RuntimeError,
            ) as exc:
                raise DataError(
                    f"{what} cannot be unpacked ({exc}). Create the zip again."
                ) from None
            budget["used"] += total
            data = b"".join(chunks)
            if data[:2] == b"\x1f\x8b":
                data = gunzip(data, what, limit - budget["used"] + total)
            return data

        return read

    files = []
    for info in infos:
        inner = re.sub(r"\.gz$", "", info.filename, flags=re.IGNORECASE)
        files.append(
            SourceFile(
                inner, info.file_size, f"{PurePosixPath(inner).name} in {name}", loader(info)
            )
        )
    return Source(name, files)


# ---------------------------------------------------------------------- reading one table
def read_table(
    file: SourceFile,
    *,
    sep: str | None = None,
    has_header: bool | None = None,
    names: list[str] | None = None,
    encoding: str | None = None,
    quoting: bool = True,
    max_rows: int | None = None,
    numeric: dict[str, str] | None = None,
) -> RawTable:
    """Read one file into a DataFrame of text columns (Parquet keeps its own types).

    Parameters
    ----------
    file : SourceFile
        The file to read.
    sep, has_header, encoding : optional
        Detected when not given (``"::"`` is accepted as a separator).
    names : list of str, optional
        Column names for files without a header line.
    quoting : bool
        Whether ``"`` quotes fields (MovieLens ``.dat`` files use no quoting).
    max_rows : int, optional
        Read only about this many rows (for previews).
    numeric : dict, optional
        Columns of known layouts read as numbers ({"rating": "float64"}) to save memory; when a
        cell does not parse, the file is read as text and the builder reports the line.
    """
    data = file.read_bytes()
    origin = file.origin
    if data[:4] == b"PAR1" or file.suffix in (".parquet", ".pq"):
        return RawTable(_read_parquet(data, origin, max_rows), origin)
    return read_text_table(
        data,
        origin,
        sep=sep,
        has_header=has_header,
        names=names,
        encoding=encoding,
        quoting=quoting,
        max_rows=max_rows,
        numeric=numeric,
    )


def _read_parquet(data: bytes, origin: str, max_rows: int | None) -> pd.DataFrame:
    if not data:
        raise DataError(f"{origin} is empty (0 bytes). Export the data again.")
    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        if max_rows is not None and pf.metadata.num_rows > max_rows:
            table = next(pf.iter_batches(batch_size=max_rows))
            table = pa.Table.from_batches([table])
        else:
            table = pf.read()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataError(
            f"{origin} is not a readable Parquet file ({exc}). It may be cut short or damaged: "
            "export it again."
        ) from None
    frame = table.to_pandas()
    if frame.shape[1] == 0 or len(frame) == 0:
        raise DataError(
            f"{origin} has no rows. Export a file with at least one interaction per row."
        )
    return frame


def sniff_kind(data: bytes) -> str | None:
    """Name what a binary file really is ("a PNG image"), or None when it may be text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def decode_sample(data: bytes, origin: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode the start of a text file: (text, encoding).

    UTF-8 (with or without BOM) when the sample is UTF-8, else :func:`guess_encoding`.
    """
    if encoding:
        return data[:SAMPLE_BYTES].decode(encoding, errors="replace"), encoding
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:SAMPLE_BYTES].decode("utf-8", errors="replace"), "utf-8-sig"
    sample = data[:SAMPLE_BYTES]
    try:
        text = sample.decode("utf-8")
        return text, "utf-8"
    except UnicodeDecodeError as exc:
        if len(sample) == SAMPLE_BYTES and exc.start >= len(sample) - 4:
            return sample[: exc.start].decode("utf-8"), "utf-8"  # a character cut at the end
        encoding = guess_encoding(data)
        return sample.decode(encoding, errors="replace"), encoding


ENCODING_LABELS = {
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*")


def _non_ascii_sample(data: bytes, limit: int = SAMPLE_BYTES) -> bytes:
    """Lines that hold non-ASCII bytes (where encodings differ), up to ``limit`` bytes."""
    out, total = [], 0
    for m in _NON_ASCII_LINE.finditer(data):
        out.append(m.group())
        total += len(m.group()) + 1
        if total >= limit:
            break
    return b"\n".join(out)


def _mostly_latin(text: str) -> bool:
    """Whether the non-ASCII letters of ``text`` are mostly Latin script (é, ß, ø, ...)."""
    letters = [c for c in text if ord(c) > 127 and c.isalpha()]
    if not letters:
        return True
    latin = sum("LATIN" in unicodedata.name(c, "") for c in letters)
    return latin >= 0.5 * len(letters)


_WORD = re.compile(r"[^\W\d_]+")


def _reads_as_western(text: str) -> bool:
    """Whether text decoded with a Western codec reads like a Western language.

    In French, German, Spanish, ... accented letters are a minority of each word ("Café");
    Cyrillic or Greek bytes read as Windows-1252 give words made of accented letters only
    ("Èâàí").
    """
    words = [w for w in _WORD.findall(text) if any(ord(c) > 127 for c in w)]
    if not words:
        return True
    letters = sum(len(w) for w in words)
    accented = sum(ord(c) > 127 for w in words for c in w)
    return accented <= 0.5 * letters


def guess_encoding(data: bytes) -> str:
    """The encoding of text that is not UTF-8 (a Python codec name).

    Windows-1252 is tried first (curly quotes, dashes and the euro sign live in bytes
    0x80-0x9F, which Latin-1 turns into invisible control characters). When the text does not
    read like a Western language that way, charset-normalizer judges the lines with non-ASCII
    bytes, and its codec is used when it finds another script (Cyrillic, Greek, Japanese, ...)
    and decodes the whole file. Latin-1, which decodes any bytes, is the last resort. (The
    detector alone is not trusted for Latin text: on short samples it picks among the many
    similar single-byte codecs almost at random.)
    """
    sample = _non_ascii_sample(data)
    western = None
    for encoding in ("cp1252", "latin-1"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        western = encoding
        break
    if western and _reads_as_western(sample.decode(western)):
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is not None and not _mostly_latin(str(best)):
        try:
            data.decode(best.encoding)
            return best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return western or "latin-1"


def encoding_warning(origin: str, encoding: str) -> str:
    """The message that says a file was not UTF-8 and how it was decoded."""
    label = ENCODING_LABELS.get(encoding, f"{encoding} (found by charset detection)")
    why = (
        " (tried before Latin-1, so curly quotes, dashes and the euro sign survive)"
        if encoding == "cp1252"
        else ""
    )
    return (
        f"{origin} is not UTF-8: its text was decoded as {label}{why}. If accented letters or "
        "symbols look wrong in the preview, save the file as UTF-8 and load it again."
    )


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13))


def _check_text(data: bytes, origin: str) -> None:
    if not data[:SAMPLE_BYTES].strip() and not data.strip():
        raise DataError(
            f"{origin} is empty. Choose a file with a header line and one interaction per row."
        )
    kind = sniff_kind(data)
    if kind:
        raise DataError(
            f"{origin} is {kind}, not a table. Upload a CSV, TSV, Parquet or zip file of interactions."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a BOM: transcoded by the caller
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise DataError(f"{origin} is a web page (HTML), not a table. Save the data itself as CSV.")
    tail = data[-64:].rstrip()
    if head[:1] in (b"{", b"[") and tail[-1:] in (b"}", b"]"):
        raise DataError(
            f"{origin} looks like JSON, not a table. Export the interactions as CSV or Parquet "
            "(one row per interaction)."
        )
    sample = data[:SAMPLE_BYTES]
    control = len(sample) - len(sample.translate(None, _CONTROL))
    if b"\x00" in sample or control > len(sample) * 0.02:
        raise DataError(
            f"{origin} does not look like a text table (it contains binary data). Upload a CSV, "
            "TSV, Parquet or zip file of interactions."
        )


def sniff_separator(lines: list[str]) -> str | None:
    """The delimiter that splits the sample lines into the most consistent number of fields."""
    if not lines:
        return None
    if sum("::" in ln for ln in lines) >= max(1, len(lines) * 0.8):
        return "::"
    best, best_score = None, (0.0, 0)
    for d in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=d) if row]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = d, score
    return best


_NAMEISH = re.compile(
    r"(?i)(user|item|movie|product|rating|score|time|date|id|name|title|genre|tag|artist|weight|"
    r"count|customer|session|value|stars|plays|book|song|track|sku|event|click)"
)


def _numeric(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def guess_header(rows: list[list[str]]) -> bool:
    """Whether the first row is a header: it names columns whose other cells look different."""
    if len(rows) < 2:
        return True
    first, rest = rows[0], rows[1:]
    if any(c.strip() == "" for c in first):
        return False if all(_numeric(c) or not c for c in first) else True
    for j, cell in enumerate(first):
        col = [r[j] for r in rest if j < len(r)]
        if col and not _numeric(cell) and sum(_numeric(c) for c in col) >= 0.9 * len(col):
            return True
    if all(_numeric(c) for c in first):
        return False
    pattern = [_numeric(c) for c in first]
    rest_pattern = [
        sum(_numeric(r[j]) for r in rest if j < len(r)) > 0.5 * len(rest) for j in range(len(first))
    ]
    if any(pattern) and pattern == rest_pattern:
        return False  # same shape as the rows below: data
    if any(_NAMEISH.search(c) for c in first):
        # a name-like cell that also appears as a value below is data, not a header
        return not any(first[j] in {r[j] for r in rest if j < len(r)} for j in range(len(first)))
    return True


def _unique_names(names: list[str]) -> list[str]:
    out, seen = [], {}
    for j, n in enumerate(names):
        n = n.strip().strip('"') or f"column {j + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n}.{seen[n]}"
        else:
            seen[n] = 0
        out.append(n)
    return out


def read_text_table(
    data: bytes,
    origin: str,
    *,
    sep: str | None = None,
    has_header: bool | None = None,
    names: list[str] | None = None,
    encoding: str | None = None,
    quoting: bool = True,
    max_rows: int | None = None,
    numeric: dict[str, str] | None = None,
) -> RawTable:
    """Parse delimited text into text columns with pyarrow (multi-threaded, exact strings)."""
    _check_text(data, origin)
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16").encode("utf-8")
        encoding = "utf-8"
    text, encoding = decode_sample(data, origin, encoding)
    transcoded = not encoding.startswith("utf-8")
    if transcoded:
        # decode once in Python (pyarrow reads UTF-8), and say which encoding was chosen
        try:
            data = data.decode(encoding).encode("utf-8")
        except (UnicodeDecodeError, LookupError):
            raise DataError(
                f"{origin} cannot be decoded as {encoding}. Save it as UTF-8 and load it again."
            ) from None
        notes.append(encoding_warning(origin, encoding))
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(data) > SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last sample line may be cut
    lines = lines[:200]
    if sep is None:
        sep = sniff_separator(lines) or ","
    if sep == "::":
        data = data.replace(b"::", b"\x1f")
        lines = [ln.replace("::", "\x1f") for ln in lines]
        sep = "\x1f"
        quoting = False
    rows = list(
        csv.reader(
            lines[:50], delimiter=sep, quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE
        )
    )
    rows = [r for r in rows if r]
    if has_header is None:
        has_header = names is None and guess_header(rows)
        if not has_header and rows:
            notes.append(
                f"{origin} seems to have no header line (its first row looks like data: "
                f"{', '.join(rows[0][:4])}): its columns are called column 1, column 2, ... "
                "Check the column mapping."
            )
    width = max(len(rows[0]) if rows else 1, 1)
    if names is None:
        names = (
            _unique_names(rows[0])
            if has_header and rows
            else [f"column {j + 1}" for j in range(width)]
        )
    if has_header and len(rows) <= 1 and len(lines) <= 1:
        raise DataError(
            f"{origin} has a header line ({', '.join(names[:8])}) but no rows of data. "
            "Export the file again with its rows."
        )
    if max_rows is not None:
        data = _head_bytes(data, max_rows + 1)
    ragged: dict = {}

    def on_invalid(row) -> str:
        if not ragged:
            ragged.update(
                expected=row.expected_columns,
                actual=row.actual_columns,
                text=row.text,
                number=row.number,
            )
        return "error"

    read_opts = pacsv.ReadOptions(
        column_names=names,
        skip_rows=1 if has_header else 0,
        encoding="utf8",
        block_size=1 << 24,
    )
    parse_opts = pacsv.ParseOptions(
        delimiter=sep,
        quote_char='"' if quoting else False,
        invalid_row_handler=on_invalid,
        newlines_in_values=False,
    )
    convert_opts = pacsv.ConvertOptions(
        column_types={n: pa.type_for_alias((numeric or {}).get(n, "string")) for n in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        table = pacsv.read_csv(pa.py_buffer(data), read_opts, parse_opts, convert_opts)
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if ragged:
            raise DataError(_ragged_message(origin, data, ragged, has_header, sep)) from None
        if numeric and "conversion error" in msg.lower():
            again = read_text_table(
                data,
                origin,
                sep=sep,
                has_header=has_header,
                names=names,
                encoding="utf-8" if transcoded else encoding,
                quoting=quoting,
                max_rows=max_rows,
            )
            again.encoding = encoding
            again.warnings[:0] = notes
            return again
        if "UTF8" in msg.upper() and encoding.startswith("utf-8"):
            # valid UTF-8 at the start, not further on: judge the whole file
            again = read_text_table(
                data,
                origin,
                sep=sep,
                has_header=has_header,
                names=names,
                encoding=guess_encoding(data),
                quoting=quoting,
                max_rows=max_rows,
                numeric=numeric,
            )
            again.warnings[:0] = [n for n in notes if n not in again.warnings]
            return again
        raise DataError(
            f"{origin} could not be read as a table: {msg.splitlines()[0]}. Check the file."
        ) from None
    if table.num_rows == 0:
        raise DataError(
            f"{origin} has a header line ({', '.join(names[:8])}) but no rows of data. "
            "Export the file again with its rows."
        )
    frame = table.to_pandas()
    shown_sep = "::" if sep == "\x1f" else sep
    return RawTable(frame, origin, shown_sep, encoding, bool(has_header), warnings=notes)


def _head_bytes(data: bytes, n_lines: int) -> bytes:
    pos = 0
    for _ in range(n_lines):
        nxt = data.find(b"\n", pos)
        if nxt < 0:
            return data
        pos = nxt + 1
    return data[:pos]


def _ragged_message(origin: str, data: bytes, info: dict, has_header: bool, sep: str) -> str:
    line = info.get("number")
    text = info.get("text") or ""
    if line is None and text:
        at = data.find(text.encode("utf-8", errors="ignore"))
        if at >= 0:
            line = data.count(b"\n", 0, at) + 1
    elif line is not None:
        line = line + (1 if has_header else 0)
    where = f"line {line}" if line else "a line"
    shown = text.replace("\x1f", "::")[:80]
    sep_name = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes", "\x1f": "'::'"}.get(
        sep, repr(sep)
    )
    return (
        f"{origin}: {where} has {info['actual']} field{'' if info['actual'] == 1 else 's'} but the file has {info['expected']} columns "
        f"(fields are separated by {sep_name}): {shown!r}. Fix or remove that line, or quote "
        "values that contain the separator."
    )


def describe_size(file: SourceFile) -> str:
    return f"{file.basename} ({format_bytes(file.size)})"
