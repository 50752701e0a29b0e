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
from recsys.data import server_files
from recsys.data.build import BuildOptions, build_dataset
from recsys.data.dataset import Dataset
from recsys.data.layouts import ColumnMapping, Detection
from recsys.data.limits import format_bytes
from recsys.data.loader import inspect_path, inspect_upload
from recsys.errors import RecsysError
from recsys.progress import fraction_of

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


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_server_detection(name: str, digest: str) -> Detection:
    """Open a file or folder of the server data folder (keyed on its name, sizes and times)."""
    return inspect_path(server_files.resolve(name))


def handle_upload(name: str, data: bytes) -> None:
    """Detect, show the mapping, and load a new upload (or a re-mapped one)."""
    handle_source(name, file_digest(data), len(data), lambda d: cached_detection(name, d, data))


def handle_source(name: str, digest: str, size: int, detect) -> None:
    """Detect, show the mapping, and load a source (an upload or a server file).

    A new source loads at once with the detected mapping; the form re-loads it with edits. Any
    failure shows one error and leaves the previous dataset in place. ``detect(digest)``
    returns the (cached) :class:`Detection`.
    """
    failed = st.session_state.get("data_upload_error")
    if failed and failed[0] == digest:
        report_error(failed[1])
    try:
        with st.spinner(f"Reading {name}…"):
            det = detect(digest)
    except RecsysError as exc:
        if not (failed and failed[0] == digest):
            report_error(exc)
        st.session_state["data_upload_error"] = (digest, exc)
        return
    detection_summary(det, size)
    loaded = st.session_state.get(state.DATA_LOADED_DIGEST) == digest and not (
        failed and failed[0] == digest
    )
    guesses = det.warnings()
    with st.expander(
        "Column mapping and options",
        expanded=not loaded or bool(det.mapping.notes),
        icon=":material/tune:",
    ):
        for note in guesses:
            st.caption(f":material/help: {md_escape(note)}")
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


SERVER_PICK = "data_server_pick"
SERVER_OPENED = "data_server_opened"


def server_source() -> None:
    """Open a file or folder of the operator's data folder (``RECSYS_DATA_DIR``)."""
    try:
        root = server_files.data_dir()
        entries = server_files.list_entries(root) if root is not None else []
    except RecsysError as exc:
        show_error(exc)
        return
    if root is None:
        st.info(
            "No server data folder is set up. The operator can set the environment variable "
            f"`{server_files.ENV_VAR}` to a folder of data files; they are then listed here and "
            "open without an upload. Nothing outside that folder can be opened.",
            icon=":material/folder_off:",
        )
        return
    st.markdown(
        "Files and folders in the server's data folder. A folder opens as a whole (interactions "
        "plus items and tags files, like a MovieLens folder)."
    )
    st.caption(server_files.PARQUET_ADVICE)
    if not entries:
        st.info(
            "The server data folder holds no data files (CSV, TSV, Parquet, .gz or .zip).",
            icon=":material/folder_open:",
        )
        return
    by_name = {e.name: e for e in entries}
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    name = c1.selectbox(
        "File or folder",
        list(by_name),
        index=None,
        key=SERVER_PICK,
        format_func=lambda n: by_name[n].label,
        placeholder="Choose a file or folder…",
    )
    if name is None:
        return
    entry = by_name[name]
    if entry.big_text:
        st.caption(
            f":material/speed: {md_escape(entry.name)} is {format_bytes(entry.size)} of text: "
            "a Parquet copy would load faster."
        )
    if c2.button("Load", type="primary", key="data_server_open"):
        st.session_state[SERVER_OPENED] = name
    if st.session_state.get(SERVER_OPENED) != name:
        return
    try:
        digest = "server:" + server_files.stamp(server_files.resolve(name, root))
    except RecsysError as exc:
        report_error(exc)
        return
    handle_source(name, digest, entry.size, lambda d: cached_server_detection(name, d))


def as_key(obj: ColumnMapping | BuildOptions) -> tuple:
    d = obj.as_dict() if isinstance(obj, BuildOptions) else {**obj.as_dict()}
    return tuple(sorted((k, v) for k, v in d.items() if not isinstance(v, list)))


def progress_bar(label: str):
    """A progress bar and a ``progress(step, total, info)`` callback that drives it."""
    bar = st.progress(0.0, text=label)

    def update(step: int, total: int, info: dict) -> None:
        bar.progress(fraction_of(step, total), text=info.get("message", label))

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
