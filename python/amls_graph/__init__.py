# SPDX-License-Identifier: MIT
"""amls_graph: the amls-graph engine from Python.

    import amls_graph
    ids, ranks = amls_graph.run("pagerank", input="graph.txt.gz", damping=0.85)

Works in one process and under `mpirun -np N python3 script.py` (mpi4py): collective calls are
made by every rank; results come back as numpy arrays on rank 0. Errors raise AmlsError on
every rank with the message of the rank that failed. See docs/python.md.

The library (libamls_graph) and MPI are loaded on first use, so that amls_graph.plot works
without them."""

_API = ("AmlsError", "Graph", "als", "cg", "checkpoint_info", "describe_h5", "linreg", "load",
        "logreg", "read_results", "run")
__all__ = list(_API) + ["version", "__version__"]


def _package_version():
    try:
        from . import _build  # written by cmake --install
        return _build.VERSION
    except ImportError:
        pass
    from importlib.metadata import PackageNotFoundError, version as dist_version
    try:
        return dist_version("amls-graph")
    except PackageNotFoundError:
        return None


def _api():
    """Loads the library and checks that its version agrees with the package's."""
    from . import _lib, core
    pkg = _package_version()
    if pkg and pkg.split(".")[:2] != _lib.LIB_VERSION.split(".")[:2]:
        raise ImportError("amls_graph %s cannot use libamls_graph %s (the versions must agree "
                          "in MAJOR.MINOR)" % (pkg, _lib.LIB_VERSION))
    return _lib, core


def version():
    """The version of the library in use (libamls_graph)."""
    return _api()[0].LIB_VERSION


def __getattr__(name):
    if name in _API:
        _lib, core = _api()
        return getattr(_lib, name) if name == "AmlsError" else getattr(core, name)
    if name == "__version__":
        return _package_version() or version()
    raise AttributeError("module 'amls_graph' has no attribute %r" % name)
