"""Reading files: separators, encodings, archives, and every kind of unreadable input."""

from __future__ import annotations

import gzip
import io
import zipfile

import pandas as pd
import pytest

from recsys.data import load_path, load_upload
from recsys.data.readers import guess_header, open_source, read_table, sniff_separator
from recsys.errors import DataError, FileTooLargeError
from tests.data.conftest import zip_bytes

ROWS = "u1,i1,5\nu1,i2,3\nu2,i1,4\nu2,i3,1\nu3,i2,2\n"


def _csv(sep: str = ",", header: str = "user,item,rating\n") -> bytes:
    return (header + ROWS).replace(",", sep).encode()


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separator_is_detected(sep):
    ds = load_upload("x.csv", _csv(sep))
    assert ds.n_interactions == 5
    assert ds.report["separator"] == sep
    assert sorted(ds.item_ids.ids) == ["i1", "i2", "i3"]


def test_double_colon_dat_without_header():
    data = b"1::10::5::978300760\n1::20::3::978300761\n2::10::4::978300762\n2::30::2::978300763\n"
    ds = load_upload("events.dat", data)
    assert ds.report["separator"] == "::"
    assert ds.n_interactions == 4 and ds.has_timestamps
    assert ds.report["mapping"]["user"] == "column 1"


def test_utf8_bom_and_latin1_fallback():
    bom = b"\xef\xbb\xbf" + "user,item\nJosé,Café\nJosé,Crème\nZoë,Café\n".encode()
    ds = load_upload("bom.csv", bom)
    assert ds.report["mapping"]["user"] == "user"  # the BOM is not part of the first column's name
    assert "José" in ds.user_ids
    latin = "user;item\nJosé;Café\nJosé;Crème\nZoë;Café\n".encode("latin-1")
    ds = load_upload("latin.csv", latin)
    assert ds.report["encoding"] == "cp1252"  # Latin-1 letters are the same bytes in cp1252
    assert set(ds.item_ids.ids) == {"Café", "Crème"}


def test_utf16_with_bom():
    data = "user\titem\nu1\ti1\nu1\ti2\nu2\ti1\n".encode("utf-16")
    assert load_upload("x.tsv", data).n_interactions == 3


def test_crlf_and_quoted_separators():
    data = b'user,item,title\r\nu1,i1,"Hello, World"\r\nu2,i2,"A ""quoted"" one"\r\nu2,i1,"Hello, World"\r\n'
    ds = load_upload("x.csv", data)
    assert ds.n_interactions == 3
    assert dict(zip(ds.items["item_id"], ds.items["title"], strict=True))["i1"] == "Hello, World"
    assert not any(u.endswith("\r") for u in ds.user_ids.ids)


def test_gzip_and_zip_and_parquet(tmp_path):
    gz = tmp_path / "ratings.csv.gz"
    gz.write_bytes(gzip.compress(_csv()))
    assert load_path(gz).n_interactions == 5
    zp = tmp_path / "data.zip"
    zp.write_bytes(zip_bytes({"export/interactions.csv": _csv(), "README.md": b"hello"}))
    assert load_path(zp).n_interactions == 5
    frame = pd.DataFrame(
        {"user_id": ["a", "a", "b"], "item_id": [7, 8, 7], "rating": [4.0, 5.0, 3.0]}
    )
    pq = tmp_path / "x.parquet"
    frame.to_parquet(pq)
    ds = load_path(pq)
    assert set(ds.item_ids.ids) == {"7", "8"} and ds.feedback == "explicit"
    # a gzipped file inside a zip, and a folder
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "ratings.tsv").write_bytes(_csv("\t"))
    assert load_path(tmp_path / "folder").n_interactions == 5
    zp2 = tmp_path / "nested.zip"
    zp2.write_bytes(zip_bytes({"ratings.csv.gz": gzip.compress(_csv())}))
    assert load_path(zp2).n_interactions == 5


def test_zip_with_items_file_gets_titles():
    items = b"item_id,name,category\ni1,First <b>,A|B\ni2,Second,B\ni3,Third,C\n"
    ratings = b"user_id,item_id,rating\n" + ROWS.encode()
    ds = load_upload("shop.zip", zip_bytes({"ratings.csv": ratings, "products.csv": items}))
    titles = dict(zip(ds.items["item_id"], ds.items["title"], strict=True))
    assert titles == {"i1": "First <b>", "i2": "Second", "i3": "Third"}
    cats = dict(zip(ds.items["item_id"], ds.items["categories"], strict=True))
    assert cats["i1"] == ["A", "B"]


def test_header_guessing():
    assert guess_header([["user", "item", "rating"], ["1", "2", "5"]])
    assert not guess_header([["1", "2", "5"], ["3", "4", "1"]])
    assert not guess_header([["u1", "i1", "5"], ["u2", "i2", "3"]])
    assert guess_header([["customer", "sku"], ["c1", "s1"], ["c2", "s2"]])
    assert sniff_separator(["a;b;c", "1;2;3"]) == ";"


# ------------------------------------------------------------------ bad input: one clear message each
def _error(name: str, data: bytes) -> str:
    with pytest.raises(DataError) as info:
        load_upload(name, data)
    return str(info.value)


def test_empty_file():
    assert "empty" in _error("empty.csv", b"")
    assert "empty" in _error("blank.csv", b"\n\n  \n")


def test_header_only():
    msg = _error("head.csv", b"user,item,rating\n")
    assert "header" in msg and "no rows" in msg and "user, item, rating" in msg


def test_one_column():
    msg = _error("one.csv", b"user\nu1\nu2\nu1\n")
    assert "only one column" in msg and "separator" in msg


def test_no_recognisable_user_item_columns():
    msg = _error("floats.csv", b"price,weight\n1.5,2.25\n3.5,4.75\n1.25,9.5\n")
    assert "users and items" in msg and "price" in msg


def test_text_in_rating_column():
    msg = _error("r.csv", b"user,item,rating\nu1,i1,5\nu2,i2,4\nu3,i1,great\n")
    assert "'rating'" in msg and "line 4" in msg and "'great'" in msg


def test_binary_junk():
    junk = bytes(range(256)) * 40
    assert "binary" in _error("junk.csv", junk)


def test_png_renamed_csv():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
    msg = _error("photo.csv", png)
    assert "PNG image" in msg and "photo.csv" in msg


def test_truncated_gzip():
    data = gzip.compress(_csv() * 50)
    msg = _error("r.csv.gz", data[: len(data) // 2])
    assert "cut short" in msg


def test_truncated_parquet(tmp_path):
    pq = tmp_path / "x.parquet"
    pd.DataFrame({"user": ["a", "b"] * 50, "item": ["x", "y"] * 50}).to_parquet(pq)
    data = pq.read_bytes()
    msg = _error("x.parquet", data[: len(data) - 30])
    assert "Parquet" in msg and "x.parquet" in msg


def test_zip_with_nothing_usable():
    msg = _error("stuff.zip", zip_bytes({"photo.png": b"\x89PNG....", "notes.docx": b"PK"}))
    assert "no table file" in msg and "photo.png" in msg


def test_damaged_zip():
    data = zip_bytes({"r.csv": _csv() * 100})
    assert "zip" in _error("r.zip", data[:60])


def test_zip_past_the_size_limit(monkeypatch):
    monkeypatch.setenv("RECSYS_MAX_BYTES", str(100_000))
    bomb = zip_bytes({"ratings.csv": b"user,item\n" + b"u1,i1\n" * 200_000})
    assert len(bomb) < 100_000  # small on the wire, big once unpacked
    with pytest.raises(FileTooLargeError) as info:
        load_upload("bomb.zip", bomb)
    assert "limit" in str(info.value) and "bomb.zip" in str(info.value)


def test_zip_bomb_with_a_lying_header_is_stopped_while_unpacking(monkeypatch):
    monkeypatch.setenv("RECSYS_MAX_BYTES", str(50_000))
    data = bytearray(zip_bytes({"ratings.csv": b"user,item\n" + b"u1,i1\n" * 100_000}))
    # rewrite the declared uncompressed size in the central directory to something small
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (1000).to_bytes(4, "little")
    with pytest.raises((FileTooLargeError, DataError)):
        load_upload("liar.zip", bytes(data))


def test_path_past_the_size_limit(monkeypatch, tmp_path):
    monkeypatch.setenv("RECSYS_MAX_BYTES", "100")
    p = tmp_path / "big.csv"
    p.write_bytes(_csv() * 10)
    with pytest.raises(FileTooLargeError, match="big.csv"):
        load_path(p)


def test_gzip_past_the_size_limit(monkeypatch):
    monkeypatch.setenv("RECSYS_MAX_BYTES", str(20_000))
    with pytest.raises(FileTooLargeError):
        load_upload("r.csv.gz", gzip.compress(b"user,item\n" + b"u1,i1\n" * 100_000))


def test_ragged_rows():
    msg = _error("ragged.csv", b"user,item,rating\nu1,i1,5\nu2,i2,4,extra\nu3,i1,3\n")
    assert "line 3" in msg and "4 fields" in msg and "3 columns" in msg


def test_missing_path(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_path(tmp_path / "nope.csv")


def test_preview_reads_only_the_head():
    src = open_source(_csv() * 1000, name="big.csv")
    raw = read_table(src.files[0], max_rows=10)
    assert len(raw.frame) <= 11


def test_zipfile_member_is_read_lazily():
    data = zip_bytes({"ratings.csv": _csv(), "junk.bin": b"\x00" * 10})
    src = open_source(data, name="a.zip")
    assert [f.basename for f in src.tables()] == ["ratings.csv"]
    assert zipfile.is_zipfile(io.BytesIO(data))


def test_other_things_people_upload():
    xlsx = zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"})
    assert "Excel" in _error("ratings.xlsx.csv", xlsx)
    assert "web page" in _error("r.csv", b"<!DOCTYPE html><html><body>503</body></html>")
    assert "JSON" in _error("r.csv", b'[{"user": 1, "item": 2}]')


def test_folder_limit_counts_only_the_files_read(monkeypatch, tmp_path):
    folder = tmp_path / "ml"
    folder.mkdir()
    (folder / "ratings.csv").write_bytes(_csv())
    (folder / "genome-scores.csv").write_bytes(b"movieId,tagId,relevance\n" + b"1,1,0.5\n" * 5000)
    monkeypatch.setenv("RECSYS_MAX_BYTES", str(len(_csv()) + 100))
    assert load_path(folder).n_interactions > 0  # the big file nobody reads does not count
    (folder / "ratings.csv").write_bytes(_csv() * 10)
    with pytest.raises(FileTooLargeError, match="folder ml"):
        load_path(folder)
