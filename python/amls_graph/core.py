# SPDX-License-Identifier: MIT
"""Graphs, algorithms, solvers and files of amls-graph as numpy arrays (see docs/python.md).

Collective calls take a communicator (mpi4py; default MPI.COMM_WORLD) and must be made by every
rank of it; an error on any rank raises AmlsError on every rank, with that rank's message."""

import ctypes
import glob
import json
import os

import numpy as np
from mpi4py import MPI

from . import _lib
from ._lib import TYPE_F64, TYPE_I64, AmlsError, lib

__all__ = ["Graph", "load", "run", "cg", "linreg", "logreg", "als", "read_results",
           "checkpoint_info", "describe_h5"]

_DIRECTIONS = {None: 0, True: 1, False: 2}
_P_I64 = ctypes.POINTER(ctypes.c_int64)
_P_F64 = ctypes.POINTER(ctypes.c_double)


def _comm(comm):
    return MPI.COMM_WORLD if comm is None else comm


def _i64(a):
    return np.ascontiguousarray(a, dtype=np.int64)


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def _ptr(a, kind):
    return None if a is None else a.ctypes.data_as(kind)


def _agree_root(comm, check):
    """Runs check() on rank 0 (it returns an error message or None) and raises the message on
    every rank."""
    msg = None
    if comm.Get_rank() == 0:
        try:
            msg = check()
        except Exception as e:  # a failure of rank 0's own check is the error to report
            msg = "%s: %s" % (type(e).__name__, e)
    msg = comm.bcast(msg, root=0)
    if msg:
        raise AmlsError(-2, "[rank 0] " + msg, 0)


class _Stats:
    """A statistics document (amls/stats.h) that calls add their sections to."""

    def __init__(self, comm, command):
        self.comm = comm
        self.ptr = ctypes.c_void_p()
        _lib.collective(comm, lib.amls_stats_new, _lib.handle(comm), command.encode(),
                        ctypes.byref(self.ptr))

    def data(self):
        """The document as a dict on every rank."""
        text = ctypes.c_void_p()
        _lib.local(lib.amls_stats_json, self.ptr, ctypes.byref(text))
        doc = json.loads(_lib.take_text(text)) if self.comm.Get_rank() == 0 else None
        return self.comm.bcast(doc, root=0)

    def write(self, path):
        _lib.collective(self.comm, lib.amls_stats_add_memory, self.ptr)
        _lib.collective(self.comm, lib.amls_stats_write, self.ptr, _lib.enc(path))

    def close(self):
        if self.ptr:
            lib.amls_stats_free(ctypes.byref(self.ptr))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Graph:
    """A graph distributed over the ranks of a communicator: Graph.load(...) or
    Graph.from_edges(...). Free it with close() (or use it in a with statement)."""

    def __init__(self, ptr, comm):
        self._ptr = ptr
        self.comm = comm

    @classmethod
    def load(cls, input, format=None, directed=None, partition=None, parts=0, comm=None,
             in_edges=True, weights=True, _stats=None):
        """Loads a graph file (edge list, LDBC, Matrix Market, METIS, DIMACS; .gz allowed), a
        generator spec ("gen:kron:scale=10,edge-factor=16,seed=1") or an HDF5 container.
        directed: None (the file's convention), True or False. partition: "metis" (default),
        "hash", "range" or a partition file. in_edges keeps the in-edges of directed graphs
        (needed by wcc, lcc and the linalg engine); weights=False drops edge weights.
        Collective."""
        comm = _comm(comm)
        ptr = ctypes.c_void_p()
        flags = (1 if in_edges else 0) | (0 if weights else 2)
        st = _stats.ptr if _stats is not None else None
        _lib.collective(comm, lib.amls_graph_load, _lib.handle(comm), _lib.enc(input),
                        _lib.enc(format), _DIRECTIONS[directed], _lib.enc(partition), int(parts),
                        flags, ctypes.byref(ptr), None, st)
        return cls(ptr, comm)

    @classmethod
    def from_edges(cls, src, dst, weights=None, num_vertices=None, directed=True, partition=None,
                   comm=None, in_edges=True):
        """A graph from this rank's share of the edges src[k] -> dst[k] (ids >= 0; any rank may
        hold any edges, or none). num_vertices makes the vertex set 0..num_vertices-1; otherwise
        it is the ids that occur. directed=False stores each edge both ways. Collective."""
        comm = _comm(comm)
        src, dst = _i64(src), _i64(dst)
        w = None if weights is None else _f64(weights)
        ok = src.shape == dst.shape and (w is None or w.shape == src.shape)
        if not all(comm.allgather(ok)):
            raise AmlsError(-2, "from_edges: src, dst and weights differ in length on some rank")
        ptr = ctypes.c_void_p()
        _lib.collective(comm, lib.amls_graph_from_edges, _lib.handle(comm), len(src),
                        _ptr(src, _P_I64), _ptr(dst, _P_I64), _ptr(w, _P_F64),
                        int(num_vertices or 0), bool(directed), _lib.enc(partition),
                        1 if in_edges else 0, ctypes.byref(ptr))
        return cls(ptr, comm)

    def close(self):
        """Frees the graph (local). After MPI has been finalized (at interpreter exit) the
        memory is left to the operating system: the graph's communicator can no longer be
        freed."""
        if self._ptr and not MPI.Is_finalized():
            lib.amls_graph_free(ctypes.byref(self._ptr))
        self._ptr = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _check(self):
        if not self._ptr:
            raise AmlsError(-2, "the graph was closed")

    @property
    def num_vertices(self):
        self._check()
        return lib.amls_graph_num_vertices(self._ptr)

    @property
    def num_edges(self):
        """Edges (an undirected edge counts once)."""
        self._check()
        return lib.amls_graph_num_edges(self._ptr)

    @property
    def num_local(self):
        """Vertices owned by this rank."""
        self._check()
        return lib.amls_graph_num_local(self._ptr)

    @property
    def directed(self):
        self._check()
        return bool(lib.amls_graph_is_directed(self._ptr))

    def local_ids(self):
        """The original ids of the vertices this rank owns (local)."""
        self._check()
        ids = np.empty(self.num_local, dtype=np.int64)
        lib.amls_graph_local_ids(self._ptr, _ptr(ids, _P_I64))
        return ids

    def gather(self, local_values, root=0):
        """Gathers one value per owned vertex (in local_ids() order; int64 or float64) onto root:
        (ids, values) in original-id order there, (None, None) elsewhere. Collective."""
        self._check()
        v = np.ascontiguousarray(local_values)
        kind = TYPE_F64 if v.dtype.kind == "f" else TYPE_I64
        v = v.astype(np.float64 if kind == TYPE_F64 else np.int64, copy=False)
        if not all(self.comm.allgather(len(v) == self.num_local)):
            raise AmlsError(-2, "gather: local_values must have num_local entries on every rank")
        ids = vals = None
        if self.comm.Get_rank() == root:
            ids = np.empty(self.num_vertices, dtype=np.int64)
            vals = np.empty(self.num_vertices, dtype=v.dtype)
        _lib.collective(self.comm, lib.amls_graph_gather_values, self._ptr, root,
                        v.ctypes.data_as(ctypes.c_void_p), kind, _ptr(ids, _P_I64),
                        None if vals is None else vals.ctypes.data_as(ctypes.c_void_p))
        return ids, vals

    def info(self):
        """Sizes, degrees and partition quality (the "graph" and "partition" statistics
        sections) as a dict on every rank. Collective."""
        self._check()
        with _Stats(self.comm, "info") as st:
            _lib.collective(self.comm, lib.amls_graph_describe, self._ptr, st.ptr)
            doc = st.data()
        return {**doc.get("graph", {}), "partition": doc.get("partition", {})}

    def degrees(self):
        """The degree distribution: {"degree": [...], "degree_vertices": [...]} (undirected) or
        out_degree/in_degree keys (directed), as numpy arrays on every rank. Collective."""
        self._check()
        with _Stats(self.comm, "info") as st:
            _lib.collective(self.comm, lib.amls_graph_degrees, self._ptr, st.ptr)
            doc = st.data().get("degrees", {})
        return {k: np.asarray(v, dtype=np.int64) for k, v in doc.items()}

    def run(self, name, engine=None, variant=None, max_supersteps=0, progress=False,
            no_combiner=False, local=False, root=0, stats=None, params=None, **parameters):
        """Runs a built-in algorithm (by name) or a plugin (a path to a .so) with its parameters
        as keywords (or in params). Returns (ids, values) numpy arrays in original-id order on
        root and (None, None) elsewhere; with local=True every rank gets its own vertices'.
        engine="linalg" runs pagerank, wcc or bfs as linear algebra. stats: a file name for the
        run's statistics (JSON). Collective."""
        self._check()
        st = _Stats(self.comm, os.path.basename(str(name))) if stats else None
        try:
            out = self._run(name, engine, variant, max_supersteps, progress, no_combiner, local,
                            root, st, dict(params or {}, **parameters))
            if st:
                st.write(stats)
        finally:
            if st:
                st.close()
        return out

    def _run(self, name, engine, variant, max_supersteps, progress, no_combiner, local, root, st,
             allp):
        keys = [str(k).encode() for k in allp]
        vals = [_param_text(v).encode() for v in allp.values()]
        karr = (ctypes.c_char_p * max(1, len(keys)))(*keys)
        varr = (ctypes.c_char_p * max(1, len(vals)))(*vals)
        res = ctypes.c_void_p()
        flags = (1 if progress else 0) | (2 if no_combiner else 0)
        _lib.collective(self.comm, lib.amls_algorithm_run, self._ptr, _lib.enc(name),
                        _lib.enc(engine), _lib.enc(variant), len(keys), karr, varr,
                        int(max_supersteps), flags, st.ptr if st else None, ctypes.byref(res))
        try:
            return _result_arrays(self, res, local, root)
        finally:
            lib.amls_result_free(ctypes.byref(res))


def _param_text(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    return str(v)


def _result_arrays(g, res, local, root):
    """A result's (ids, values): gathered on root, or this rank's with local=True."""
    kind = lib.amls_result_type(res)
    if kind not in (TYPE_I64, TYPE_F64):
        raise AmlsError(-5, "the program declares no result_type: its values have no numeric "
                        "form (write them with amls-graph run ... --output)")
    dtype = np.float64 if kind == TYPE_F64 else np.int64
    if local:
        ids = np.empty(g.num_local, dtype=np.int64)
        vals = np.empty(g.num_local, dtype=dtype)
        _lib.local(lib.amls_result_local, res, _ptr(ids, _P_I64),
                   vals.ctypes.data_as(ctypes.c_void_p))
        return ids, vals
    ids = vals = None
    if g.comm.Get_rank() == root:
        ids = np.empty(g.num_vertices, dtype=np.int64)
        vals = np.empty(g.num_vertices, dtype=dtype)
    _lib.collective(g.comm, lib.amls_result_gather, res, root, _ptr(ids, _P_I64),
                    None if vals is None else vals.ctypes.data_as(ctypes.c_void_p))
    return ids, vals


def load(input, format=None, directed=None, comm=None, **options):
    """Graph.load(input, ...)."""
    return Graph.load(input, format=format, directed=directed, comm=comm, **options)


def run(name_or_plugin_path, input=None, format=None, directed=None, comm=None, *, graph=None,
        partition=None, parts=0, engine=None, variant=None, max_supersteps=0, progress=False,
        no_combiner=False, local=False, root=0, stats=None, params=None, **parameters):
    """Runs a built-in algorithm or a plugin on a graph (input: any file, generator spec or HDF5
    container, loaded on comm; or graph: a Graph already loaded) with its parameters as keywords
    (damping=0.85, source=1, ...; names that clash with the options here go in params={...}).
    Returns (ids, values) numpy arrays in original-id order on root, (None, None) on the other
    ranks; local=True gives every rank its own vertices instead. Collective."""
    if (input is None) == (graph is None):
        raise AmlsError(-2, "run: give either input or graph")
    comm = graph.comm if graph is not None else _comm(comm)
    # With a statistics file, the load's sections (graph, partition, times) go into it too.
    st = _Stats(comm, os.path.basename(str(name_or_plugin_path))) if stats else None
    g = graph
    try:
        if g is None:
            g = Graph.load(input, format=format, directed=directed, partition=partition,
                           parts=parts, comm=comm, _stats=st)
        out = g._run(name_or_plugin_path, engine, variant, max_supersteps, progress,
                     no_combiner, local, root, st, dict(params or {}, **parameters))
        if st:
            st.write(stats)
        return out
    finally:
        if graph is None and g is not None:
            g.close()
        if st:
            st.close()


# ---- solvers ------------------------------------------------------------------------------
def _coo(A):
    """Rows, columns and values of a dense or scipy sparse matrix (duplicates summed)."""
    if hasattr(A, "tocoo"):
        c = A.tocoo()
        c.sum_duplicates()
        return c.shape, _i64(c.row), _i64(c.col), _f64(c.data)
    a = np.asarray(A, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError("the matrix must be two-dimensional")
    r, c = np.nonzero(a)
    return a.shape, _i64(r), _i64(c), _f64(a[r, c])


def _solver_info(doc):
    info = dict(doc.get("solver", {}))
    info["history"] = info.get("history", [])
    return info


def cg(A, b=None, tol=1e-8, max_iterations=0, precond="jacobi", comm=None, stats=None):
    """Solves A x = b by conjugate gradient, A symmetric positive definite: a Matrix Market file
    name, or a dense or scipy sparse matrix on rank 0 (others may pass None). b: rank 0's numpy
    vector (default ones). Returns (x, info): x on rank 0 (None elsewhere), info (iterations,
    residual, converged, history of relative residuals, ...) on every rank. Collective."""
    comm = _comm(comm)
    from_file = isinstance(A, (str, os.PathLike))
    if from_file:
        g = Graph.load(os.fspath(A), comm=comm)
        base = 1  # Matrix Market rows are 1-based
    else:
        parts = [None]

        def check():
            shape, r, c, v = _coo(A)
            if shape[0] != shape[1]:
                return "cg: the matrix is %dx%d, not square" % shape
            parts[0] = (shape[0], r, c, v)
            return None

        _agree_root(comm, check)
        if comm.Get_rank() == 0:
            n, r, c, v = parts[0]
        else:
            n, r, c, v = None, np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        n = comm.bcast(n, root=0)
        g = Graph.from_edges(r, c, v, num_vertices=n, directed=True, comm=comm)
        base = 0
    try:
        n = g.num_vertices
        bl = None
        if b is not None or comm.bcast(b is not None if comm.Get_rank() == 0 else None, root=0):
            def check_b():
                return None if np.asarray(b).shape == (n,) else \
                    "cg: the right-hand side has shape %s, expected (%d,)" % (np.shape(b), n)
            _agree_root(comm, check_b)
            full = comm.bcast(_f64(b) if comm.Get_rank() == 0 else None, root=0)
            bl = _f64(full[g.local_ids() - base])
        x = np.empty(g.num_local, dtype=np.float64)
        with _Stats(comm, "cg") as st:
            _lib.collective(comm, lib.amls_solve_cg, g._ptr, _ptr(bl, _P_F64), float(tol),
                            int(max_iterations), precond == "jacobi", _ptr(x, _P_F64), st.ptr)
            ids, xs = g.gather(x)
            if stats:
                st.write(stats)
            info = _solver_info(st.data())
        if comm.Get_rank() != 0:
            return None, info
        out = np.empty(n, dtype=np.float64)
        out[ids - base] = xs
        return out, info
    finally:
        g.close()


def _dense_csr(a):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError("X must be two-dimensional")
    mask = a != 0
    ptr = np.concatenate([[0], np.cumsum(mask.sum(axis=1))])
    idx = np.nonzero(mask)[1]
    return ptr, idx, a[mask], a.shape[1]


class _Rows:
    """Training rows held by the library: from a LIBSVM file, or rank 0's X and y split into
    blocks of rows over the ranks."""

    def __init__(self, comm, X=None, y=None, path=None):
        self.comm = comm
        self.ptr = ctypes.c_void_p()
        if path is not None:
            _lib.collective(comm, lib.amls_rows_load, _lib.handle(comm), _lib.enc(path),
                            ctypes.byref(self.ptr))
            return
        blocks = [None]

        def check():
            if hasattr(X, "tocsr"):
                m = X.tocsr()
                m.sort_indices()
                ptr, idx, val, nfeat = m.indptr, m.indices, m.data, m.shape[1]
            else:
                ptr, idx, val, nfeat = _dense_csr(X)
            yy = _f64(y)
            if yy.shape != (len(ptr) - 1,):
                return "X has %d rows but y has shape %s" % (len(ptr) - 1, yy.shape)
            size = comm.Get_size()
            cut = np.linspace(0, len(yy), size + 1).astype(np.int64)
            blocks[0] = [(_i64(ptr[lo:hi + 1] - ptr[lo]), _i64(idx[ptr[lo]:ptr[hi]]),
                          _f64(val[ptr[lo]:ptr[hi]]), yy[lo:hi], nfeat)
                         for lo, hi in zip(cut[:-1], cut[1:])]
            return None

        _agree_root(comm, check)
        ptr, idx, val, yy, nfeat = comm.scatter(blocks[0], root=0)
        _lib.collective(comm, lib.amls_rows_from_csr, _lib.handle(comm), len(yy), int(nfeat),
                        _ptr(ptr, _P_I64), _ptr(idx, _P_I64), _ptr(val, _P_F64),
                        _ptr(yy, _P_F64), ctypes.byref(self.ptr))

    def nfeat(self):
        n, f = ctypes.c_int64(), ctypes.c_int64()
        lib.amls_rows_shape(self.ptr, ctypes.byref(n), ctypes.byref(f))
        return f.value

    def close(self):
        if self.ptr:
            lib.amls_rows_delete(ctypes.byref(self.ptr))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _regression(kind, comm, X, y, train, X_test, y_test, test, lam, tol, max_iterations, stats):
    comm = _comm(comm)
    with _Rows(comm, X, y, train) as R, _Stats(comm, kind) as st:
        T = None
        # Rank 0's arrays decide (the other ranks may pass None).
        has_test = comm.bcast(test is not None or X_test is not None, root=0)
        if kind == "logreg" and has_test:
            T = _Rows(comm, X_test, y_test, test)
        try:
            coef = np.zeros(R.nfeat() + 1, dtype=np.float64)
            if kind == "linreg":
                _lib.collective(comm, lib.amls_solve_linreg, _lib.handle(comm), R.ptr,
                                float(lam), float(tol), int(max_iterations), _ptr(coef, _P_F64),
                                st.ptr)
            else:
                _lib.collective(comm, lib.amls_solve_logreg, _lib.handle(comm), R.ptr,
                                T.ptr if T else None, float(lam), float(tol),
                                int(max_iterations), _ptr(coef, _P_F64), st.ptr)
        finally:
            if T:
                T.close()
        if stats:
            st.write(stats)
        return coef, _solver_info(st.data())


def linreg(X=None, y=None, train=None, lam=0.0, tol=1e-10, max_iterations=1000, comm=None,
           stats=None):
    """Least squares / ridge regression with an intercept: rank 0's X (dense or scipy sparse)
    and y, or train (a LIBSVM file). Returns (coef, info) on every rank: coef[0] is the
    intercept. Collective."""
    return _regression("linreg", comm, X, y, train, None, None, None, lam, tol, max_iterations,
                       stats)


def logreg(X=None, y=None, train=None, X_test=None, y_test=None, test=None, lam=1e-4, tol=1e-6,
           max_iterations=500, comm=None, stats=None):
    """L2-regularised logistic regression (labels > 0 are positive) by L-BFGS on rank 0's X and
    y or a LIBSVM file; info has train_accuracy (and test_accuracy with a test set) and the loss
    per iteration. Returns (coef, info) on every rank. Collective."""
    return _regression("logreg", comm, X, y, train, X_test, y_test, test, lam, tol,
                       max_iterations, stats)


def als(ratings=None, users=None, items=None, values=None, rank=10, lam=0.1, iterations=10,
        test_fraction=0.2, seed=1, comm=None, stats=None):
    """ALS matrix factorisation of ratings: a file ("user item rating [timestamp]") or rank 0's
    arrays users, items, values. Returns info (train_rmse, test_rmse, history per iteration) on
    every rank. Collective."""
    comm = _comm(comm)
    u = i = v = None
    n = 0
    if ratings is None:
        blocks = [None]

        def check():
            uu, ii, vv = _i64(users), _i64(items), _f64(values)
            if not (uu.shape == ii.shape == vv.shape):
                return "als: users, items and values differ in length"
            cut = np.linspace(0, len(uu), comm.Get_size() + 1).astype(np.int64)
            blocks[0] = [(uu[a:b], ii[a:b], vv[a:b]) for a, b in zip(cut[:-1], cut[1:])]
            return None

        _agree_root(comm, check)
        u, i, v = comm.scatter(blocks[0], root=0)
        n = len(u)
    with _Stats(comm, "als") as st:
        _lib.collective(comm, lib.amls_solve_als, _lib.handle(comm), _lib.enc(ratings), n,
                        _ptr(u, _P_I64), _ptr(i, _P_I64), _ptr(v, _P_F64), int(rank),
                        float(lam), int(iterations), float(test_fraction), int(seed), st.ptr)
        if stats:
            st.write(stats)
        return _solver_info(st.data())


# ---- files --------------------------------------------------------------------------------
def _parse_values(tokens):
    """Integers when every value is one, floats otherwise ("infinity" is inf)."""
    try:
        return np.array([int(t) for t in tokens], dtype=np.int64)
    except ValueError:
        return np.array([float(t) for t in tokens], dtype=np.float64)


def read_results(path):
    """Reads a result written by --output: an "id value" text file, a directory of part-*
    files, or an HDF5 result (.h5). Returns (ids, values) sorted by id. Local."""
    path = os.fspath(path)
    if path.endswith((".h5", ".hdf5")):
        n, kind = ctypes.c_int64(), ctypes.c_int()
        _lib.local(lib.amls_h5_read_result, path.encode(), ctypes.byref(n), ctypes.byref(kind),
                   None, None)
        ids = np.empty(n.value, dtype=np.int64)
        vals = np.empty(n.value, dtype=np.float64 if kind.value == TYPE_F64 else np.int64)
        _lib.local(lib.amls_h5_read_result, path.encode(), ctypes.byref(n), ctypes.byref(kind),
                   _ptr(ids, _P_I64), vals.ctypes.data_as(ctypes.c_void_p))
        return ids, vals
    files = sorted(glob.glob(os.path.join(path, "part-*"))) if os.path.isdir(path) else [path]
    idt, vt = [], []
    for f in files:
        with open(f) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2 and not parts[0].startswith("#"):
                    idt.append(int(parts[0]))
                    vt.append(parts[1])
    ids = np.array(idt, dtype=np.int64)
    vals = _parse_values(vt)
    order = np.argsort(ids, kind="stable")
    return ids[order], vals[order]


def describe_h5(path):
    """The root attributes and dataset lengths of an HDF5 file written by amls-graph (result,
    checkpoint or graph container): {"attributes": {...}, "datasets": {...}}. Local."""
    text = ctypes.c_void_p()
    _lib.local(lib.amls_h5_describe, os.fspath(path).encode(), ctypes.byref(text))
    return json.loads(_lib.take_text(text))


def checkpoint_info(path):
    """The metadata of a checkpoint (a ckpt-*.h5 file, or the newest one in a checkpoint
    directory): superstep, program, parameters, graph identity, ranks, ... as a dict. Local."""
    path = os.fspath(path)
    if os.path.isdir(path):
        found = sorted(glob.glob(os.path.join(path, "ckpt-*.h5")))
        if not found:
            raise AmlsError(-205, "%s: no checkpoint (ckpt-*.h5) in this directory" % path)
        path = found[-1]
    d = describe_h5(path)
    return dict(d["attributes"], path=path, datasets=d["datasets"])
