"""UI helpers of the Data page: cached loading, the mapping form, and the profile.

Caching: detections and datasets are cached with ``st.cache_resource`` keyed on the SHA-256 of
the uploaded bytes plus the mapping and options (not ``st.cache_data``: a detection holds open
archive handles, and pickling a multi-million-row dataset on every rerun would copy it).
Cached objects are treated as read-only, like fitted models.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from app_ui import state
from app_ui.common import md_escape, set_dataset, show_error
from recsys.data.build import BuildOptions, build_dataset
from recsys.data.dataset import Dataset
from recsys.data.layouts import ColumnMapping, Detection
from recsys.data.limits import format_bytes
from recsys.data.loader import inspect_upload
from recsys.errors import RecsysError

NONE = "(none)"
UPLOAD_TYPES = ["csv", "tsv", "tab", "txt", "dat", "data", "psv", "parquet", "pq", "gz", "zip"]


def report_error(exc: RecsysError) -> None:
    """``show_error`` with the message's user text kept literal, plus what did not change."""
    show_error(exc)
    st.caption("The previously loaded dataset is still in use.")


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_detection(name: str, digest: str, _data: bytes) -> Detection:
    """Read an upload and detect its layout (keyed on the bytes' hash)."""
    return inspect_upload(name, _data)


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_build(digest: str, mapping: tuple, options: tuple, _det: Detection) -> Dataset:
    """Build a dataset from a detection; keyed on the file hash, the mapping and the options."""
    return build_dataset(_det, ColumnMapping(**dict(mapping)), BuildOptions(**dict(options)))


def handle_upload(name: str, data: bytes) -> None:
    """Detect, show the mapping, and load a new upload (or a re-mapped one).

    A new file loads at once with the detected mapping; the form re-loads it with edits. Any
    failure shows one error and leaves the previous dataset in place.
    """
    digest = file_digest(data)
    failed = st.session_state.get("data_upload_error")
    if failed and failed[0] == digest:
        report_error(failed[1])
    try:
        with st.spinner(f"Reading {name}…"):
            det = cached_detection(name, digest, data)
    except RecsysError as exc:
        if not (failed and failed[0] == digest):
            report_error(exc)
        st.session_state["data_upload_error"] = (digest, exc)
        return
    detection_summary(det, len(data))
    loaded = st.session_state.get(state.DATA_LOADED_DIGEST) == digest and not (
        failed and failed[0] == digest
    )
    with st.expander("Column mapping and options", expanded=not loaded, icon=":material/tune:"):
        edited = mapping_form(det, digest[:12])
    if edited is None and st.session_state.get(state.DATA_LOADED_DIGEST) == digest:
        return
    mapping, options = edited or (det.mapping, BuildOptions())
    try:
        with st.spinner(f"Building the dataset from {name}…"):
            ds = cached_build(digest, as_key(mapping), as_key(options), det)
    except RecsysError as exc:
        st.session_state[state.DATA_LOADED_DIGEST] = digest  # do not retry on every rerun
        st.session_state["data_upload_error"] = (digest, exc)
        report_error(exc)
        return
    set_dataset(ds)
    st.session_state[state.DATA_LOADED_DIGEST] = digest
    st.session_state.pop("data_upload_error", None)
    st.session_state[state.DATA_FLASH] = (
        f"Loaded {name}: {ds.n_users:,} users, {ds.n_items:,} items, {ds.n_interactions:,} interactions."
    )
    st.rerun()  # so the sidebar shows the new dataset


def as_key(obj: ColumnMapping | BuildOptions) -> tuple:
    d = obj.as_dict() if isinstance(obj, BuildOptions) else {**obj.as_dict()}
    return tuple(sorted((k, v) for k, v in d.items() if not isinstance(v, list)))


def progress_bar(label: str):
    """A progress bar and a ``progress(fraction, message)`` callback that drives it."""
    bar = st.progress(0.0, text=label)

    def update(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    return bar, update


def _choice(
    label: str, columns: list[str], current: str | None, key: str, optional: bool, help: str
) -> str | None:
    options = ([NONE] if optional else []) + columns
    index = options.index(current) if current in options else 0
    value = st.selectbox(label, options, index=index, key=key, help=help)
    return None if value == NONE else value


def mapping_form(det: Detection, key: str) -> tuple[ColumnMapping, BuildOptions] | None:
    """The editable column mapping and loading options; returns them when the user submits."""
    cols, m = det.columns, det.mapping
    with st.form(f"mapping-{key}"):
        st.markdown("**Column mapping**")
        c = st.columns(4)
        with c[0]:
            user = _choice("User column", cols, m.user, f"map-user-{key}", False, "Who interacted.")
        with c[1]:
            item = _choice("Item column", cols, m.item, f"map-item-{key}", False, "With what.")
        with c[2]:
            rating = _choice(
                "Rating / weight",
                cols,
                m.rating,
                f"map-rating-{key}",
                True,
                "A rating (explicit) or a count/weight (implicit). None: every row counts once.",
            )
        with c[3]:
            ts = _choice(
                "Time", cols, m.timestamp, f"map-ts-{key}", True, "Seconds, milliseconds or dates."
            )
        st.markdown("**Options**")
        c = st.columns(4)
        feedback = c[0].selectbox(
            "Feedback",
            ["auto", "explicit", "implicit"],
            key=f"fb-{key}",
            help="auto: a small rating scale is explicit; counts are implicit.",
        )
        dup = c[1].selectbox(
            "Duplicate user-item rows",
            ["auto", "latest", "sum", "first"],
            key=f"dup-{key}",
            help="auto: keep the latest rating for ratings, add up counts for implicit data.",
        )
        min_u = c[2].number_input("Min interactions per user", 1, 1000, 1, key=f"minu-{key}")
        min_i = c[3].number_input("Min interactions per item", 1, 1000, 1, key=f"mini-{key}")
        c = st.columns(4)
        binarize = c[0].checkbox(
            "Binarise", key=f"bin-{key}", help="Keep value >= threshold as 'liked' (1)."
        )
        threshold = c[1].number_input("Threshold", value=4.0, step=0.5, key=f"thr-{key}")
        start = c[2].text_input("From date", "", key=f"start-{key}", placeholder="YYYY-MM-DD")
        end = c[3].text_input("To date", "", key=f"end-{key}", placeholder="YYYY-MM-DD")
        submitted = st.form_submit_button("Load with this mapping", type="primary")
    if not submitted:
        return None
    mapping = ColumnMapping(
        user,
        item,
        rating,
        ts,
        title=m.title,
        categories=m.categories,
        tags=m.tags,
        text=m.text,
        item_key=m.item_key,
    )
    options = BuildOptions(
        feedback=feedback,
        duplicates=dup,
        min_user_interactions=int(min_u),
        min_item_interactions=int(min_i),
        binarize_threshold=float(threshold) if binarize else None,
        start=start.strip() or None,
        end=end.strip() or None,
    )
    return mapping, options


def detection_summary(det: Detection, size: int) -> None:
    raw = det.interactions
    sep = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", "::": "'::'"}.get(
        raw.sep or "", raw.sep or "Parquet"
    )
    st.markdown(f"**Detected:** {det.label}")
    st.caption(
        f"{md_escape(raw.origin)}: {len(raw.frame):,} rows, {len(det.columns)} columns, {format_bytes(size)}; "
        f"separator {sep}; encoding {raw.encoding or 'Parquet'}; header line {'yes' if raw.has_header else 'no'}."
    )
    with st.expander("Preview of the raw rows", expanded=False):
        st.dataframe(det.preview(20), hide_index=True, width="stretch")
