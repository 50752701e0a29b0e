"""Projections of embeddings to 2-D / 3-D maps (UMAP, PCA, t-SNE) and how faithful they are.

UMAP's first fit in a process loads its numba kernels (compiled once per installation, then
read from numba's disk cache: :mod:`recsys.maps.umap_import`). :func:`warm_up` runs tiny fits to
do that early; :func:`start_warm_up` does it on a daemon thread and :func:`umap_ready` tells
(thread-safely) when a real fit will not pay that cost. Real maps are computed off the page's
thread by :mod:`recsys.maps.background`.

Faithfulness says how much the flat picture distorts neighbourhoods of the embedding space:

- *trustworthiness* (scikit-learn): 1.0 when every point's neighbours on the map are also close in
  the embedding space; it penalises map neighbours that are far away in the embedding.
- *kNN recall@k*: the share of each point's k nearest neighbours in the embedding space that are
  also among its k nearest on the map (per point, and the mean).
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from recsys.errors import ModelConfigError
from recsys.linalg import normalise_rows, principal_signs
from recsys.maps.umap_import import import_umap

METHODS = ("umap", "pca", "tsne")
METHOD_LABELS = {"umap": "UMAP", "pca": "PCA", "tsne": "t-SNE"}
METRICS = ("cosine", "euclidean")

#: global trustworthiness is exact up to this many points, estimated from a seeded sample above
TRUST_EXACT_LIMIT = 3000
#: exact embedding-space kNN up to this many points, NN-descent above; UMAP gets the exact
#: graph too, so maps up to this size never run (nor compile, ~20 s per process) NN-descent
EXACT_KNN_LIMIT = 20_000
#: query points of that estimate (each query's ranks are exact against all points)
TRUST_SAMPLE = 1000
#: UMAP starts from its spectral layout up to this many points and from PCA above: measured on
#: the 59k ALS item vectors of the 25M benchmark (given the same exact kNN graph), the spectral
#: start cost 62 of the fit's 93 CPU-s, and the PCA start gave the same trustworthiness (0.984
#: vs 0.983) and kNN recall@10 (0.049 vs 0.049) in 31 CPU-s (umap-learn's "tswspectral": 109)
SPECTRAL_INIT_LIMIT = EXACT_KNN_LIMIT


@dataclass(frozen=True)
class ProjectionParams:
    """Everything that determines a map (used as a cache key by the app).

    Parameters
    ----------
    method : {"umap", "pca", "tsne"}
    dims : {2, 3}
    metric : {"cosine", "euclidean"}
        Distance in the embedding space. With "cosine" vectors are L2-normalised first (PCA,
        t-SNE) or UMAP uses its cosine metric.
    n_neighbors, min_dist : UMAP settings.
    perplexity : t-SNE setting (capped below the number of points).
    seed : random seed; the same seed gives the same map.
    """

    method: str = "umap"
    dims: int = 2
    metric: str = "cosine"
    n_neighbors: int = 15
    min_dist: float = 0.1
    perplexity: float = 30.0
    seed: int = 42

    def validated(self) -> ProjectionParams:
        if self.method not in METHODS:
            raise ModelConfigError(f"Unknown projection {self.method!r}; choose one of {METHODS}.")
        if self.dims not in (2, 3):
            raise ModelConfigError(f"A map has 2 or 3 dimensions, not {self.dims}.")
        if self.metric not in METRICS:
            raise ModelConfigError(f"Unknown metric {self.metric!r}; choose one of {METRICS}.")
        if not 2 <= int(self.n_neighbors) <= 200:
            raise ModelConfigError(
                f"n_neighbors must be between 2 and 200, not {self.n_neighbors}."
            )
        if not 0.0 <= float(self.min_dist) <= 1.0:
            raise ModelConfigError(f"min_dist must be between 0 and 1, not {self.min_dist}.")
        if float(self.perplexity) <= 0:
            raise ModelConfigError(f"perplexity must be positive, not {self.perplexity}.")
        return self

    @property
    def label(self) -> str:
        return f"{METHOD_LABELS.get(self.method, self.method)} {self.dims}-D"


def _check_vectors(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim != 2 or v.shape[0] < 3 or v.shape[1] < 1:
        raise ModelConfigError(
            f"A map needs at least 3 vectors of at least 1 dimension; got shape {v.shape}."
        )
    if not np.isfinite(v).all():
        raise ModelConfigError(
            "Some embedding values are NaN or infinite; retrain the model or fix the file."
        )
    return v


def project(vectors: np.ndarray, params: ProjectionParams | None = None, **kwargs) -> np.ndarray:
    """Project ``vectors`` (n x d) to ``params.dims`` coordinates (n x dims, float32).

    Parameters
    ----------
    vectors : np.ndarray
        Embeddings, one row per point.
    params : ProjectionParams, optional
        Method and settings; keyword arguments override its fields
        (``project(v, method="pca", dims=3)``).
    """
    params = params or ProjectionParams()
    if kwargs:
        params = ProjectionParams(**{**params.__dict__, **kwargs})
    params = params.validated()
    v = _check_vectors(vectors)
    n = v.shape[0]
    if params.method == "pca":
        return _pca(normalise_rows(v) if params.metric == "cosine" else v, params.dims)
    if params.method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(params.perplexity, max(1.0, (n - 1) / 3)))
        tsne = TSNE(
            n_components=params.dims,
            perplexity=perplexity,
            metric=params.metric,
            init="pca",
            random_state=params.seed,
            method="barnes_hut",
        )
        data = normalise_rows(v) if params.metric == "cosine" else v
        # One OpenMP thread: on 2 shared cores t-SNE's threads were 5-30x slower, not faster.
        with threadpool_limits(1, "openmp"):
            return tsne.fit_transform(data).astype(np.float32)
    return _umap(v, params)


def import_for(method: str) -> None:
    """Import what ``method`` needs, in the calling thread (call it before handing a map to
    another thread: a module imported from two threads at once can be seen half-initialised)."""
    if method == "umap":
        import_umap()
    elif method == "tsne":
        import sklearn.manifold  # noqa: F401


def _pca(v: np.ndarray, dims: int) -> np.ndarray:
    """PCA by SVD of the centred data (deterministic: signs fixed so the largest loading is +)."""
    centred = v - v.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    comps = vt[:dims]
    out = centred @ (comps * principal_signs(comps)[:, None]).T
    if out.shape[1] < dims:  # fewer input dimensions than map dimensions
        out = np.hstack([out, np.zeros((out.shape[0], dims - out.shape[1]))])
    return out.astype(np.float32)


def umap_estimator(params: ProjectionParams, n_points: int):
    """The umap-learn estimator our projection uses (exposed so the benchmark can compare)."""
    umap = import_umap()
    return umap.UMAP(
        n_components=params.dims,
        n_neighbors=int(min(params.n_neighbors, max(2, n_points - 1))),
        min_dist=float(params.min_dist),
        metric=params.metric,
        random_state=params.seed,
        init="spectral" if n_points <= SPECTRAL_INIT_LIMIT else "pca",
    )


def exact_knn_graph(v: np.ndarray, n_neighbors: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """UMAP's exact neighbour graph: (indices, distances), each point first at distance 0.

    Brute force with numpy (what umap-learn's small-data path computes too, but without its
    numba kNN kernel, whose compilation costs seconds in a fresh process).
    """
    x = normalise_rows(v) if metric == "cosine" else np.asarray(v, dtype=np.float32)
    others = knn_indices(x, n_neighbors - 1, metric)
    idx = np.hstack([np.arange(len(x))[:, None], others])
    if metric == "cosine":
        dist = 1.0 - np.einsum("ij,ikj->ik", x, x[idx])
    else:
        dist = np.linalg.norm(x[:, None, :] - x[idx], axis=2)
    dist[:, 0] = 0.0
    return idx.astype(np.int64), np.clip(dist, 0.0, None).astype(np.float32)


def _umap(v: np.ndarray, params: ProjectionParams, mark_ready: bool = True) -> np.ndarray:
    n = v.shape[0]
    estimator = umap_estimator(params, n)
    if n <= EXACT_KNN_LIMIT:
        # hand umap-learn the exact kNN graph: the same neighbours as its own small-data path,
        # better ones than NN-descent above 4,096 points, and no NN-descent kernels to compile
        estimator.precomputed_knn = (
            *exact_knn_graph(v, estimator.n_neighbors, params.metric),
            None,
        )
    with warnings.catch_warnings():
        # "n_jobs overridden to 1 by setting random_state": we want reproducible maps.
        warnings.filterwarnings("ignore", message=".*n_jobs.*")
        warnings.filterwarnings("ignore", message=".*random_state.*")
        warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
        coords = estimator.fit_transform(v)
    if mark_ready:
        _mark_ready(_stage(n))
    return np.asarray(coords, dtype=np.float32)


# ---------------------------------------------------------------------- warm-up
_state_lock = threading.Lock()
_ready = {"exact": False, "approx": False}
_threads: dict[str, threading.Thread] = {}
_warm_info: dict = {"seconds": None, "error": None}


def _stage(n_points: int) -> str:
    """Which compiled code path a UMAP fit of ``n_points`` points takes."""
    return "approx" if n_points > EXACT_KNN_LIMIT else "exact"


def _mark_ready(stage: str) -> None:
    with _state_lock:
        _ready[stage] = True


def mark_ready(n_points: int) -> None:
    """Record that a UMAP fit of ``n_points`` points has run (its kernels are loaded)."""
    _mark_ready(_stage(n_points))


def umap_ready(n_points: int = 0) -> bool:
    """True when a UMAP fit of ``n_points`` points will not pay numba's compilation cost.

    Up to ``EXACT_KNN_LIMIT`` points UMAP gets our exact neighbour graph; above, umap-learn's
    NN-descent, which compiles separately. Thread-safe.
    """
    with _state_lock:
        return _ready[_stage(n_points)]


def _tiny_fit(approximate: bool, seed: int = 0) -> None:
    """A tiny fit through the same code path as a real map (small-data or NN-descent)."""
    tiny = np.random.default_rng(seed).normal(size=(120, 8)).astype(np.float32)
    if approximate:
        umap = import_umap()

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            umap.UMAP(
                n_neighbors=10,
                metric="cosine",
                random_state=seed,
                n_epochs=20,
                force_approximation_algorithm=True,
            ).fit_transform(tiny)
    else:
        _umap(tiny, ProjectionParams(method="umap", n_neighbors=10, seed=seed), mark_ready=False)


def _run_stage(stage: str, seed: int = 0) -> None:
    """Compile one code path with a tiny fit (unless done already), then mark it ready."""
    with _state_lock:
        done = _ready[stage]
    if not done:
        _tiny_fit(stage == "approx", seed)
    _mark_ready(stage)


def warm_up(seed: int = 0, large: bool = True) -> float:
    """Compile UMAP with tiny fits: the small-data path, then (``large``) NN-descent.

    Returns the seconds taken. Safe to call again (later calls are quick).
    """
    start = time.perf_counter()
    _run_stage("exact", seed)
    if large:
        _run_stage("approx", seed)
    seconds = time.perf_counter() - start
    _warm_info["seconds"] = seconds
    return seconds


def _warm_up_safely(stage: str) -> None:
    start = time.perf_counter()
    try:
        _run_stage(stage)
        _warm_info["seconds"] = time.perf_counter() - start
    except Exception as exc:  # pragma: no cover - a broken umap install
        _warm_info["error"] = f"{type(exc).__name__}: {exc}"


def start_warm_up(n_points: int = 0) -> threading.Thread:
    """Start the warm-up on a daemon thread, once per process and code path; returns the thread.

    The NN-descent path (maps above ``EXACT_KNN_LIMIT`` points) is compiled only when such a
    map is asked for, so a small catalogue's UMAP is ready as early as possible.
    """
    stage = _stage(n_points)
    # Import umap (and through it sklearn, numba) here, in the caller's thread: a module imported
    # from two threads at once can be seen half-initialised ("cannot import name ... from
    # partially initialized module sklearn.utils.extmath") by a page running at the same moment.
    import_umap()

    with _state_lock:
        if stage not in _threads:
            thread = threading.Thread(
                target=_warm_up_safely,
                args=(stage,),
                name=f"umap-warm-up-{stage}",
                daemon=True,
            )
            _threads[stage] = thread
            thread.start()
        return _threads[stage]


def warm_up_status() -> dict:
    """Warm-up state for display: started, ready flags, seconds taken, error."""
    with _state_lock:
        return {
            "started": bool(_threads),
            "exact_ready": _ready["exact"],
            "approx_ready": _ready["approx"],
            **_warm_info,
        }


# ---------------------------------------------------------------------- faithfulness
@dataclass
class Faithfulness:
    """How faithfully a map keeps the neighbourhoods of the embedding space.

    Attributes
    ----------
    trustworthiness : float
        scikit-learn's trustworthiness (exact up to 3,000 points, else a seeded estimate).
    knn_recall : float
        Mean share of each point's k embedding-space neighbours that are map neighbours too.
    per_point_recall : np.ndarray
        That share for every point (float32 in [0, 1]).
    k : int
    trust_sampled : bool
        True when trustworthiness was estimated from a sample of query points.
    """

    trustworthiness: float
    knn_recall: float
    per_point_recall: np.ndarray
    k: int
    trust_sampled: bool = False

    NOTE = (
        "Trustworthiness (0–1): are neighbours on the map also close in the embedding? "
        "kNN recall@k: share of each point's k true nearest neighbours that are also its k "
        "nearest on the map. 1 = perfectly faithful."
    )


def knn_indices(
    points: np.ndarray, k: int, metric: str = "euclidean", batch: int = 256
) -> np.ndarray:
    """Indices of each point's ``k`` nearest other points (n x k), nearest first, self excluded.

    Exact: a k-d tree for 2-D/3-D maps, brute force in small batches otherwise (small batches
    keep numpy's argpartition in cache; it is several times slower on big blocks).
    """
    x = np.asarray(points, dtype=np.float32)
    n = x.shape[0]
    k = int(min(k, n - 1))
    if metric == "euclidean" and x.shape[1] <= 3:
        from sklearn.neighbors import NearestNeighbors

        return NearestNeighbors(n_neighbors=k).fit(x).kneighbors(return_distance=False)
    if metric == "cosine":
        x = normalise_rows(x)
    else:
        sq = np.einsum("ij,ij->i", x, x)
    out = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, batch):
        stop = min(n, start + batch)
        if metric == "cosine":
            d = -(x[start:stop] @ x.T)
        else:
            d = sq[start:stop, None] - 2.0 * (x[start:stop] @ x.T) + sq[None, :]
        d[np.arange(stop - start), np.arange(start, stop)] = np.inf
        part = np.argpartition(d, k, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d, part, axis=1), axis=1, kind="stable")
        out[start:stop] = np.take_along_axis(part, order, axis=1)
    return out


def embedding_knn(vectors: np.ndarray, k: int, metric: str = "cosine", seed: int = 0) -> np.ndarray:
    """Each point's ``k`` nearest neighbours in the embedding space (n x k, self excluded).

    Exact brute force up to ``EXACT_KNN_LIMIT`` points; above, NN-descent (pynndescent, the
    index umap-learn uses; approximate, typically > 95% of true neighbours), because an exact
    50k x 50k search takes about a minute on 2 cores.
    """
    v = np.asarray(vectors, dtype=np.float32)
    if v.shape[0] <= EXACT_KNN_LIMIT:
        return knn_indices(v, k, metric)
    from pynndescent import NNDescent

    index = NNDescent(v, metric=metric, n_neighbors=k + 1, random_state=seed, n_jobs=1)
    idx, _ = index.neighbor_graph
    out = np.empty((v.shape[0], k), dtype=np.int64)
    for i, row in enumerate(idx):
        row = row[row != i]
        out[i] = row[:k]
    return out


def knn_recall(
    vectors: np.ndarray,
    coords: np.ndarray,
    k: int = 10,
    metric: str = "cosine",
    high: np.ndarray | None = None,
) -> np.ndarray:
    """Per point: share of its ``k`` embedding-space neighbours that are among its ``k`` map ones.

    ``high`` may pass precomputed embedding-space neighbours (:func:`embedding_knn`).
    """
    high = embedding_knn(vectors, k, metric) if high is None else np.asarray(high)[:, :k]
    low = knn_indices(coords, k, "euclidean")
    kk = high.shape[1]
    hits = (high[:, :, None] == low[:, None, :]).any(axis=2).sum(axis=1)
    return (hits / kk).astype(np.float32)


def trustworthiness(
    vectors: np.ndarray,
    coords: np.ndarray,
    k: int = 10,
    metric: str = "cosine",
    max_points: int = TRUST_EXACT_LIMIT,
    seed: int = 0,
) -> tuple[float, bool]:
    """Trustworthiness of the map; returns (value, sampled).

    Up to ``max_points`` points this is ``sklearn.manifold.trustworthiness``. Above, the same
    formula is evaluated for a seeded sample of 1,000 query points against all points
    (each query's ranks are exact), which estimates the full value without an n x n matrix.
    """
    from sklearn.manifold import trustworthiness as sk_trust

    v = np.asarray(vectors, dtype=np.float32)
    c = np.asarray(coords, dtype=np.float32)
    n = v.shape[0]
    k = int(min(k, (n - 1) // 2))
    if k < 1:
        return 1.0, False
    if n <= max_points:
        return float(sk_trust(v, c, n_neighbors=k, metric=metric)), False
    rng = np.random.default_rng(seed)
    queries = np.sort(rng.choice(n, size=min(TRUST_SAMPLE, max_points), replace=False))
    return _trust_for_queries(v, c, k, metric, queries), True


def _trust_for_queries(
    v: np.ndarray, c: np.ndarray, k: int, metric: str, queries: np.ndarray
) -> float:
    """sklearn's trustworthiness formula restricted to ``queries`` (all queries = exact value).

    A map neighbour's rank in the embedding space is counted directly (how many points are
    closer), which needs no n x n matrix and no sort.
    """
    n = v.shape[0]
    x = normalise_rows(v) if metric == "cosine" else v
    sq = np.einsum("ij,ij->i", x, x)
    csq = np.einsum("ij,ij->i", c, c)
    penalty = 0.0
    batch = max(1, 20_000_000 // (k * n))
    for start in range(0, len(queries), batch):
        q = queries[start : start + batch]
        rows = np.arange(len(q))
        if metric == "cosine":
            d_high = 1.0 - x[q] @ x.T
        else:
            d_high = sq[q, None] - 2.0 * (x[q] @ x.T) + sq[None, :]
        d_high[rows, q] = -np.inf  # the point itself counts as rank 0; neighbours 1..n-1
        d_low = csq[q, None] - 2.0 * (c[q] @ c.T) + csq[None, :]
        d_low[rows, q] = np.inf
        low_nn = np.argpartition(d_low, k, axis=1)[:, :k]
        target = np.take_along_axis(d_high, low_nn, axis=1)
        ranks = (d_high[:, None, :] < target[:, :, None]).sum(axis=2)
        penalty += float(np.clip(ranks - k, 0, None).sum())
    scale = 2.0 / (len(queries) * k * (2.0 * n - 3.0 * k - 1.0))
    return 1.0 - penalty * scale


def faithfulness(
    vectors: np.ndarray,
    coords: np.ndarray,
    k: int = 10,
    metric: str = "cosine",
    seed: int = 0,
    high_knn: np.ndarray | None = None,
) -> Faithfulness:
    """Trustworthiness and kNN recall@k of a map (global numbers and per-point recall).

    ``high_knn``: the embedding-space neighbours from :func:`embedding_knn`, when cached (they
    do not depend on the map, so one search serves every projection).
    """
    v = _check_vectors(vectors)
    c = np.asarray(coords, dtype=np.float32)
    if c.shape[0] != v.shape[0]:
        raise ModelConfigError(
            f"The map has {c.shape[0]} points but there are {v.shape[0]} vectors."
        )
    k = int(max(1, min(k, v.shape[0] - 2)))
    per_point = knn_recall(v, c, k, metric, high=high_knn)
    trust, sampled = trustworthiness(v, c, k, metric, seed=seed)
    return Faithfulness(
        trustworthiness=trust,
        knn_recall=float(per_point.mean()),
        per_point_recall=per_point,
        k=k,
        trust_sampled=sampled,
    )
