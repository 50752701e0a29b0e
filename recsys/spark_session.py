"""Spark for recsys: is it installed, which master, the session, and reading data Spark can reach.

Kept light (no pyspark import until a session is needed) so the model registry can ask
:func:`unavailable_reason` on import. The master is ``--spark-master`` (:func:`use_master`),
else ``$RECSYS_SPARK_MASTER``, else the one ``spark-submit`` configured, else ``local[2]``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from recsys.data.dataset import Dataset
from recsys.errors import DataError, ModelConfigError

ENABLE_HINT = (
    'Spark ALS needs the optional Spark extra: pip install -e ".[spark]" (pyspark) and Java 17 '
    "or newer (Debian: apt-get install -y openjdk-17-jre-headless)."
)
DEFAULT_MASTER = "local[2]"
_master: str | None = None


# ---------------------------------------------------------------------- availability, session
def unavailable_reason() -> str | None:
    """None when Spark ALS can train here; otherwise what is missing and how to install it."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed. " + ENABLE_HINT
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        return "Java was not found (no java on PATH, no JAVA_HOME). " + ENABLE_HINT
    return None


def is_local() -> bool:
    """True when the session runs (or would run) in local mode."""
    return (spark_master() or "").startswith("local")


@contextmanager
def quiet() -> Iterator[None]:
    """Silence pyspark's pandas-version FutureWarning (pyspark 4.x predates pandas 3)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
        yield


def use_master(url: str | None) -> None:
    """Train on this Spark master (``spark://host:7077``, ``yarn``, ``local[4]``...)."""
    global _master
    _master = url or None


def spark_master() -> str | None:
    """The master a new session gets; None = the one ``spark-submit`` configured."""
    if _master:
        return _master
    if os.environ.get("RECSYS_SPARK_MASTER"):
        return os.environ["RECSYS_SPARK_MASTER"]
    if os.environ.get("PYSPARK_GATEWAY_PORT"):  # launched by spark-submit: use its settings
        return None
    return DEFAULT_MASTER


def get_spark() -> Any:
    """The Spark session (created on first use; an existing one is reused as it is)."""
    reason = unavailable_reason()
    if reason:
        raise ModelConfigError(reason)
    from pyspark.sql import SparkSession

    master = spark_master()
    builder = SparkSession.builder.appName("recsys-explorer")
    if master:
        builder = builder.master(master)
    if master is None or master.startswith("local"):
        # local mode: small shuffles, no UI port, the driver is the whole cluster
        builder = (
            builder.config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", os.environ.get("RECSYS_SPARK_DRIVER_MEMORY", "4g"))
        )
    builder = builder.config("spark.sql.execution.arrow.pyspark.enabled", "true")
    try:
        with quiet():
            spark = builder.getOrCreate()
    except Exception as exc:  # Java missing/broken, master unreachable
        raise ModelConfigError(
            f"Could not start Spark (master {master or 'from spark-submit'}): "
            f"{str(exc).strip().splitlines()[0][:300]}"
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    if (master or "").startswith("local") and not spark.sparkContext.getCheckpointDir():
        # long lineages (many iterations) overflow the stack without checkpoints
        spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="recsys-spark-"))
    return spark


# ---------------------------------------------------------------------- data through Spark
def is_remote(spec: str) -> bool:
    """True for a URI given to Spark to read (``hdfs://``, ``s3a://``, ``file://``...)."""
    return "://" in spec


def load_with_spark(uri: str) -> Dataset:
    """Read a CSV (with header) or Parquet file/folder at any URI Spark reads into a Dataset.

    Columns are guessed from a sample with the app's own :func:`~recsys.data.layouts.guess_mapping`;
    the chosen columns are collected to the driver (the app needs the interactions for
    histories, "exclude seen" and explanations) and built with the app's loader, so the data
    is cleaned exactly as an upload would be.
    """
    from recsys.data import load_path
    from recsys.data.layouts import guess_mapping

    spark = get_spark()
    fmt = "parquet" if uri.lower().rstrip("/").endswith((".parquet", ".pq")) else "csv"
    try:
        if fmt == "parquet":
            frame = spark.read.parquet(uri)
        else:
            frame = spark.read.option("header", True).csv(uri)
        with quiet():
            sample = frame.limit(2000).toPandas()
    except Exception as exc:
        raise DataError(
            f"Spark could not read {uri!r}: {str(exc).strip().splitlines()[0][:300]}"
        ) from exc
    mapping = guess_mapping(sample, uri)
    columns = [c for c in (mapping.user, mapping.item, mapping.rating, mapping.timestamp) if c]
    with tempfile.TemporaryDirectory(prefix="recsys-spark-data-") as tmp:
        local = Path(tmp) / "interactions.parquet"
        with quiet():
            frame.select(*columns).toPandas().to_parquet(local, index=False)
        dataset = load_path(local)
    dataset.name = uri.rstrip("/").rsplit("/", 1)[-1] or uri
    return dataset
