"""What the loader guessed is said in words: the encoding, a header line, columns taken by
position, a rating column of words or blanks. Each test writes a real file and loads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from recsys.data import ColumnMapping, load_path
from recsys.data.build import build_dataset
from recsys.data.loader import inspect_path
from recsys.errors import DataError

CP1252_TEXT = (
    "user;item;title\n"
    "José;Café;“Amélie” costs 5 €\n"
    "José;Crème;don’t – stop\n"
    "Zoë;Café;“Amélie” costs 5 €\n"
    "Zoë;Crème;don’t – stop\n"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _warnings_about(ds, word: str) -> list[str]:
    return [w for w in ds.report["warnings"] if word in w]


def test_cp1252_keeps_curly_quotes_and_the_euro_sign(tmp_path):
    data = CP1252_TEXT.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the file really is not UTF-8
    ds = load_path(_write(tmp_path, "films.csv", data))
    assert ds.report["encoding"] == "cp1252"
    titles = dict(zip(ds.items["item_id"], ds.items["title"], strict=True))
    assert titles == {"Café": "“Amélie” costs 5 €", "Crème": "don’t – stop"}
    assert set(ds.user_ids.ids) == {"José", "Zoë"}
    (note,) = _warnings_about(ds, "not UTF-8")
    assert "films.csv" in note and "Windows-1252" in note
    assert ds.report["guesses"] == [note]


def test_cp1252_after_a_long_utf8_start_is_judged_on_the_whole_file(tmp_path):
    head = "user,item,title\n" + "".join(f"u{i % 300},i{i % 500},plain\n" for i in range(8000))
    tail = "u1,new,“late” 5 €\nu2,new,“late” 5 €\n".encode("cp1252")
    ds = load_path(_write(tmp_path, "late.csv", head.encode() + tail))
    assert ds.report["encoding"] == "cp1252"
    assert "“late” 5 €" in set(ds.items["title"])
    assert _warnings_about(ds, "not UTF-8")


def test_cyrillic_windows_file_is_found_by_charset_detection(tmp_path):
    text = "user,item\nИван,Книга\nПётр,Книга\nИван,Журнал\nМария,Журнал\n"
    ds = load_path(_write(tmp_path, "ru.csv", text.encode("cp1251")))
    assert ds.report["encoding"] == "cp1251"
    assert set(ds.item_ids.ids) == {"Книга", "Журнал"}
    assert "charset detection" in _warnings_about(ds, "not UTF-8")[0]


def test_utf8_file_has_no_encoding_warning(tmp_path):
    ds = load_path(_write(tmp_path, "ok.csv", CP1252_TEXT.replace(";", ",").encode()))
    assert ds.report["encoding"] == "utf-8"
    assert not _warnings_about(ds, "UTF-8")


@pytest.mark.parametrize(
    ("cells", "says"),
    [
        (["five", "4 stars", "three", "five", "two"], "holds words"),
        (["", "", "", "", ""], "only empty cells"),
    ],
)
def test_rating_column_of_words_or_blanks_is_not_used_and_says_so(tmp_path, cells, says):
    rows = [("u1", "i1"), ("u1", "i2"), ("u2", "i1"), ("u2", "i3"), ("u3", "i2")]
    text = "user,item,rating\n" + "".join(
        f"{u},{i},{c}\n" for (u, i), c in zip(rows, cells, strict=True)
    )
    path = _write(tmp_path, "ratings.csv", text.encode())
    ds = load_path(path)
    assert ds.feedback == "implicit" and ds.n_interactions == 5  # no row lost
    (note,) = _warnings_about(ds, says)
    assert "'rating'" in note and "every row counts as one interaction" in note
    if says == "holds words":
        assert "'five'" in note and "'4 stars'" in note
    # the mapping stays editable: choosing the column as rating says what is wrong, where
    det = inspect_path(path)
    assert det.mapping.rating is None
    chosen = ColumnMapping("user", "item", rating="rating")
    if says == "holds words":
        with pytest.raises(DataError, match=r"'rating' .* text on line 2: 'five'"):
            build_dataset(det, chosen)
    else:
        with pytest.raises(DataError, match="No row .* has both a user and an item and a rating"):
            build_dataset(det, chosen)


def test_mostly_blank_rating_column_is_left_out_without_losing_rows(tmp_path):
    text = "user,item,rating\nu1,i1,5\nu1,i2,\nu2,i1,\nu2,i3,\nu3,i2,\n"
    ds = load_path(_write(tmp_path, "sparse.csv", text.encode()))
    assert ds.n_interactions == 5 and ds.feedback == "implicit"
    (note,) = _warnings_about(ds, "'rating'")
    assert "only 20% of its rows" in note


def test_free_text_columns_taken_by_position_say_so(tmp_path):
    text = (
        "a,b,c\n"
        "alice smith,the red book,lovely read\n"
        "bob jones,the red book,meh\n"
        "alice smith,blue sky,great\n"
        "bob jones,blue sky,fine\n"
    )
    path = _write(tmp_path, "free.csv", text.encode())
    ds = load_path(path)
    assert ds.report["mapping"]["user"] == "a" and ds.report["mapping"]["item"] == "b"
    (note,) = _warnings_about(ds, "by position")
    assert "'a' as the user" in note and "'b' as the item" in note
    # and what became of the other column: not silently dropped
    assert "Not used: 'c' (words such as 'lovely read', 'meh')" in note
    # once the user maps other columns, the note on the guess no longer applies
    det = inspect_path(path)
    edited = build_dataset(det, ColumnMapping("b", "a"))
    assert not _warnings_about(edited, "by position")
    assert edited.n_users == 2 and edited.n_items == 2


def test_a_column_of_rating_words_left_out_by_a_positional_guess_is_named(tmp_path):
    text = "a,b,c\n" + "".join(
        f"person {u},song {i},{w}\n"
        for u, i, w in [(1, 1, "five"), (1, 2, "4 stars"), (2, 1, "three"), (2, 2, "five")]
    )
    ds = load_path(_write(tmp_path, "words.csv", text.encode()))
    assert ds.report["mapping"].get("rating") is None and ds.feedback == "implicit"
    (note,) = _warnings_about(ds, "Not used")
    assert "'c' (words such as 'five', '4 stars')" in note
    # a named file with an extra column says nothing about it: nothing was guessed
    named = "user,item,comment\nu1,i1,nice\nu2,i1,meh\nu1,i2,ok\nu2,i2,fine\n"
    assert not _warnings_about(load_path(_write(tmp_path, "named.csv", named.encode())), "Not used")


def test_headerless_free_text_says_there_is_no_header(tmp_path):
    text = (
        "alice smith,the red book,lovely read\n"
        "bob jones,the red book,meh\n"
        "alice smith,blue sky,great\n"
        "bob jones,blue sky,fine\n"
    )
    ds = load_path(_write(tmp_path, "noheader.csv", text.encode()))
    assert ds.report["mapping"]["user"] == "column 1"
    assert ds.n_interactions == 4  # the first row is data, not a header
    (header,) = _warnings_about(ds, "no header line")
    assert "alice smith" in header
    assert _warnings_about(ds, "by position")


def test_named_columns_give_no_guess_warnings(tmp_path):
    text = "user_id,item_id,rating\nu1,i1,5\nu1,i2,3\nu2,i1,4\nu2,i2,1\n"
    ds = load_path(_write(tmp_path, "clean.csv", text.encode()))
    assert ds.report["guesses"] == []
    assert ds.feedback == "explicit"


def test_rating_guessed_from_contents_is_named(tmp_path):
    text = "user_id,item_id,x\nu1,i1,5\nu1,i2,3\nu2,i1,4\nu2,i2,1\n"
    ds = load_path(_write(tmp_path, "contents.csv", text.encode()))
    assert ds.report["mapping"]["rating"] == "x"
    (note,) = _warnings_about(ds, "named like a rating")
    assert "'x'" in note and "1 to 5" in note
