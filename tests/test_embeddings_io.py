"""Export -> import round trips, CSV injection, and clear errors for bad files."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from recsys.csv_safety import neutralise_csv_cell, safe_csv
from recsys.data.demo import load_demo
from recsys.errors import DataError
from recsys.maps.embedding_set import EmbeddingSet
from recsys.maps.embeddings_io import (
    coordinates_frame,
    import_embeddings,
    projector_zip,
    to_csv,
    to_parquet,
)
from recsys.maps.selection import summarise_selection


@pytest.fixture(scope="module")
def es():
    from recsys.models.registry import create_model

    ds = load_demo()
    return EmbeddingSet.from_model(create_model("svd").fit(ds), ds)


def test_projector_zip_layout(es):
    data = projector_zip(es)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert {"vectors.tsv", "metadata.tsv", "projector_config.json"} <= names
        vectors = zf.read("vectors.tsv").decode().splitlines()
        meta = zf.read("metadata.tsv").decode().splitlines()
        config = json.loads(zf.read("projector_config.json"))
    assert len(vectors) == es.n_items and len(vectors[0].split("\t")) == es.dim
    assert float(vectors[0].split("\t")[0])  # no header: the first line is numbers
    assert meta[0].split("\t")[:2] == ["item_id", "title"] and len(meta) == es.n_items + 1
    assert config["embeddings"][0]["tensorShape"] == [es.n_items, es.dim]
    assert config["embeddings"][1]["tensorPath"] == "user_vectors.tsv"


def test_projector_round_trip(es):
    back = import_embeddings([("embeddings.zip", projector_zip(es))])
    assert back.item_ids == es.item_ids
    np.testing.assert_allclose(back.item_vectors, es.item_vectors, rtol=1e-6, atol=1e-7)
    assert (back.titles == es.titles).all()
    assert back.categories == es.categories
    np.testing.assert_array_equal(back.popularity, es.popularity)
    assert back.has_users and back.user_ids == es.user_ids
    np.testing.assert_allclose(back.user_vectors, es.user_vectors, rtol=1e-6, atol=1e-7)
    # without a model, scores are dot products of the imported vectors
    u = es.user_ids[0]
    np.testing.assert_allclose(
        back.user_scores(u), es.item_vectors @ es.user_vectors[0], rtol=1e-4, atol=1e-5
    )


def test_tsv_pair_round_trip(es):
    with zipfile.ZipFile(io.BytesIO(projector_zip(es))) as zf:
        files = [(n, zf.read(n)) for n in ("metadata.tsv", "vectors.tsv")]
    back = import_embeddings(files)
    assert back.item_ids == es.item_ids and not back.has_users
    vectors_only = import_embeddings([files[1]])
    assert vectors_only.n_items == es.n_items and vectors_only.titles[0] == "1"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_table_round_trip(es, fmt):
    frame = pd.DataFrame(
        {
            "item_id": es.item_ids.ids,
            "title": es.titles,
            "categories": ["|".join(c) for c in es.categories],
            **{f"v{i}": es.item_vectors[:, i] for i in range(es.dim)},
        }
    )
    data = to_csv(frame) if fmt == "csv" else to_parquet(frame)
    back = import_embeddings([(f"emb.{fmt}", data)])
    assert back.item_ids == es.item_ids
    np.testing.assert_allclose(back.item_vectors, es.item_vectors, rtol=1e-6)
    assert back.categories == es.categories


def test_table_with_user_rows_and_a_vector_column():
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "u1"],
            "kind": ["item", "item", "item", "user"],
            "vector": ["1 0", "0 1", "1 1", "2 0"],
        }
    )
    es = import_embeddings([("e.csv", frame.to_csv(index=False).encode())])
    assert es.n_items == 3 and es.n_users == 1
    np.testing.assert_allclose(es.user_scores("u1"), [2, 0, 2])
    s = summarise_selection(es, [0, 2])
    assert s.top_users["user_id"].tolist() == ["u1"] and len(s.recommended) > 0


def test_ids_stay_text():
    frame = pd.DataFrame(
        {"item_id": ["007", "7", "0070"], "0": [1.0, 2.0, 3.0], "1": [0.0, 1.0, 0.5]}
    )
    es = import_embeddings([("e.csv", frame.to_csv(index=False).encode())])
    assert es.item_ids.ids.tolist() == ["007", "7", "0070"]


@pytest.mark.parametrize("column", ["movieId", "ITEM_ID", "Id"])
def test_ids_stay_text_whatever_the_case_of_the_id_column(column):
    data = f"{column},0,1\n007,1.0,0.0\n7,2.0,1.0\n0070,3.0,0.5\n".encode()
    es = import_embeddings([("e.csv", data)])
    assert es.item_ids.ids.tolist() == ["007", "7", "0070"]


def test_csv_injection_is_neutralised():
    assert neutralise_csv_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    for bad in ("+1+1", "-2+3", "@SUM(A1)", "\tx"):
        assert neutralise_csv_cell(bad).startswith("'")
    assert neutralise_csv_cell("Fine title") == "Fine title"
    assert neutralise_csv_cell(-0.5) == -0.5
    frame = pd.DataFrame({"title": ["=cmd|' /C calc'!A0", "ok"], "score": [-1.5, 2.0]})
    text = safe_csv(frame).decode()
    assert "'=cmd" in text and "\n=cmd" not in text and "-1.5" in text
    coords = coordinates_frame(np.array(["a", "b"]), np.zeros((2, 2)), np.array(["@x", "y"]))
    assert "'@x" in to_csv(coords).decode()


def test_injection_in_metadata_is_neutralised_and_read_back(es):
    items = es.items.copy()
    items.loc[0, "title"] = "=1+2"
    tricky = EmbeddingSet(es.name, es.item_ids, es.item_vectors, items)
    with zipfile.ZipFile(io.BytesIO(projector_zip(tricky))) as zf:
        assert "\t'=1+2\t" in zf.read("metadata.tsv").decode()
    back = import_embeddings([("e.zip", projector_zip(tricky))])
    assert back.titles[0] == "=1+2"  # shown as plain text in the app


@pytest.mark.parametrize(
    "files, message",
    [
        ([], "No file"),
        ([("e.zip", b"not a zip")], "not a valid zip"),
        ([("vectors.tsv", b"1\t2\n3\tx\n")], "line 2"),
        ([("vectors.tsv", b"1\t2\n3\t4\t5\n1\t1\n")], "same length"),
        (
            [("vectors.tsv", b"1\t2\n3\t4\n5\t6\n"), ("metadata.tsv", b"title\ta\n")],
            "one row per vector",
        ),
        ([("e.csv", b"item_id,title\na,x\nb,y\nc,z\n")], "no vector columns"),
        ([("e.csv", b"item_id,0,1\na,1,2\na,3,4\nb,1,1\n")], "more than once"),
        ([("e.csv", b"item_id,0,1\na,1,2\n")], "at least 3"),
        ([("e.csv", b"item_id,0,1\na,1,2\nb,inf,1\nc,1,1\n")], "NaN or infinite"),
        ([("e.csv", b"item_id,0,1\na,1,2\nb,nan,1\nc,1,1\n")], "must hold numbers"),
        ([("e.parquet", b"PAR1garbage")], "cannot be read as Parquet"),
        ([("e.json", b"{}"), ("e.csv", b"x")], "Cannot tell"),
        ([("e.csv", b"")], "empty"),
    ],
)
def test_bad_files_raise_clear_errors(files, message):
    with pytest.raises(DataError, match=message):
        import_embeddings(files)


def test_too_large_files_are_refused(monkeypatch):
    from recsys.errors import FileTooLargeError

    monkeypatch.setenv("RECSYS_MAX_BYTES", "10")
    with pytest.raises(FileTooLargeError):
        import_embeddings([("vectors.tsv", b"1\t2\n3\t4\n5\t6\n")])


def test_the_same_vectors_with_other_item_metadata_are_another_set(es):
    """Maps, clusters and coherence are cached by the fingerprint: cluster names come from the
    items' categories and tags, so a set whose vectors match but metadata differ must not share
    them (it did: a catalogue without categories showed the demo's genre names)."""
    import dataclasses

    same = dataclasses.replace(es, items=es.items.copy())
    assert same.fingerprint == es.fingerprint
    bare = es.items.assign(categories=[[] for _ in range(es.n_items)])
    assert dataclasses.replace(es, items=bare).fingerprint != es.fingerprint
    retitled = es.items.assign(title=es.items["title"] + " (remastered)")
    assert dataclasses.replace(es, items=retitled).fingerprint != es.fingerprint
