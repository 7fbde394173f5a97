# SPDX-License-Identifier: MIT
"""Loading libamls_graph and calling it: the library is found through AMLS_GRAPH_LIB_DIR (a build
folder or any folder holding libamls_graph.so), next to this package, or where `cmake --install`
put it; every collective call shares the failing rank's message with every rank and raises
AmlsError on all of them."""

import ctypes
import glob
import os

from mpi4py import MPI

_LIBNAME = "libamls_graph.so"
MSG_LEN = 1024

TYPE_I64 = 1
TYPE_F64 = 2


class AmlsError(RuntimeError):
    """An error reported by the engine. Raised on every rank of the communicator of a collective
    call, with the message of the rank that failed first.

    Attributes: code (the engine's status code, negative), message (the text), rank (the rank
    that reported it, or -1 when unknown)."""

    def __init__(self, code, message, rank=-1):
        super().__init__(message)
        self.code = code
        self.message = message
        self.rank = rank


def _candidates():
    """Folders that may hold the library, in the order they are tried."""
    dirs = []
    env = os.environ.get("AMLS_GRAPH_LIB_DIR")
    if env:
        dirs += [env, os.path.join(env, "embed"), os.path.join(env, "lib"),
                 os.path.join(env, "lib64")]
    here = os.path.dirname(os.path.abspath(__file__))
    dirs += [here, os.path.dirname(here)]
    try:
        from . import _build  # written by cmake --install
        dirs.append(_build.LIBDIR)
    except ImportError:
        pass
    return dirs


def _find():
    """The first library file in the candidate folders, and the folders tried."""
    tried = []
    for d in _candidates():
        names = [os.path.join(d, _LIBNAME)] + sorted(glob.glob(os.path.join(d, _LIBNAME + ".*")))
        for path in names:
            if os.path.exists(path):
                return path, tried
        tried.append(d)
    return None, tried


def _load():
    path, tried = _find()
    if path is not None:
        return ctypes.CDLL(path)
    try:  # last resort: the system's loader (ldconfig paths, LD_LIBRARY_PATH)
        return ctypes.CDLL(_LIBNAME)
    except OSError:
        raise ImportError(
            "amls_graph: cannot find %s (looked in %s and the system's library path); set "
            "AMLS_GRAPH_LIB_DIR to the build folder or the folder holding it"
            % (_LIBNAME, ", ".join(tried))) from None


lib = _load()

# MPI_Comm is a pointer in Open MPI and an int in MPICH: pass the handle as mpi4py sees it.
Comm = ctypes.c_void_p if MPI._sizeof(MPI.Comm) == ctypes.sizeof(ctypes.c_void_p) else ctypes.c_int
_p = ctypes.c_void_p
_i = ctypes.c_int
_i64 = ctypes.c_int64
_d = ctypes.c_double
_s = ctypes.c_char_p
_pi64 = ctypes.POINTER(ctypes.c_int64)
_pd = ctypes.POINTER(ctypes.c_double)


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_proto("amls_version", _s)
_proto("amls_clear_error", None)
_proto("amls_last_error", _s)
_proto("amls_error_share", _i, Comm, _i, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_i))
_proto("amls_buffer_free", None, _p)
_proto("amls_stats_new", _i, Comm, _s, ctypes.POINTER(_p))
_proto("amls_stats_free", None, ctypes.POINTER(_p))
_proto("amls_stats_json", _i, _p, ctypes.POINTER(_p))
_proto("amls_stats_write", _i, _p, _s)
_proto("amls_stats_add_memory", _i, _p)
_proto("amls_graph_load", _i, Comm, _s, _s, _i, _s, _i, ctypes.c_uint, ctypes.POINTER(_p), _p, _p)
_proto("amls_graph_from_edges", _i, Comm, _i64, _pi64, _pi64, _pd, _i64, ctypes.c_bool, _s,
       ctypes.c_uint, ctypes.POINTER(_p))
_proto("amls_graph_free", None, ctypes.POINTER(_p))
_proto("amls_graph_num_vertices", _i64, _p)
_proto("amls_graph_num_edges", _i64, _p)
_proto("amls_graph_num_local", _i64, _p)
_proto("amls_graph_is_directed", ctypes.c_bool, _p)
_proto("amls_graph_local_ids", None, _p, _pi64)
_proto("amls_graph_gather_values", _i, _p, _i, _p, _i, _pi64, _p)
_proto("amls_graph_describe", _i, _p, _p)
_proto("amls_graph_degrees", _i, _p, _p)
_proto("amls_algorithm_run", _i, _p, _s, _s, _s, _i, ctypes.POINTER(_s), ctypes.POINTER(_s), _i64,
       ctypes.c_uint, _p, ctypes.POINTER(_p))
_proto("amls_result_type", _i, _p)
_proto("amls_result_iterations", _i64, _p)
_proto("amls_result_seconds", _d, _p)
_proto("amls_result_local", _i, _p, _pi64, _p)
_proto("amls_result_gather", _i, _p, _i, _pi64, _p)
_proto("amls_result_free", None, ctypes.POINTER(_p))
_proto("amls_solve_cg", _i, _p, _pd, _d, _i64, ctypes.c_bool, _pd, _p)
_proto("amls_rows_load", _i, Comm, _s, ctypes.POINTER(_p))
_proto("amls_rows_from_csr", _i, Comm, _i64, _i64, _pi64, _pi64, _pd, _pd, ctypes.POINTER(_p))
_proto("amls_rows_shape", None, _p, _pi64, _pi64)
_proto("amls_rows_delete", None, ctypes.POINTER(_p))
_proto("amls_solve_linreg", _i, Comm, _p, _d, _d, _i64, _pd, _p)
_proto("amls_solve_logreg", _i, Comm, _p, _p, _d, _d, _i64, _pd, _p)
_proto("amls_solve_als", _i, Comm, _s, _i64, _pi64, _pi64, _pd, _i, _d, _i, _d, ctypes.c_uint64,
       _p)
_proto("amls_h5_describe", _i, _s, ctypes.POINTER(_p))
_proto("amls_h5_read_result", _i, _s, _pi64, ctypes.POINTER(_i), _pi64, _p)

LIB_VERSION = lib.amls_version().decode()


def handle(comm):
    """The C handle of an mpi4py communicator."""
    return Comm(MPI._handleof(comm))


def enc(s):
    return None if s is None else str(s).encode()


def collective(comm, fn, *args):
    """Calls a collective function on every rank of comm; on failure raises AmlsError with the
    message of the rank that failed first, on every rank."""
    lib.amls_clear_error()
    rc = fn(*args)
    buf = ctypes.create_string_buffer(MSG_LEN)
    who = _i(-1)
    rc = lib.amls_error_share(handle(comm), rc, buf, MSG_LEN, ctypes.byref(who))
    if rc < 0:
        raise AmlsError(rc, buf.value.decode(errors="replace"), who.value)
    return rc


def local(fn, *args):
    """Calls a local function; on failure raises AmlsError on this rank."""
    lib.amls_clear_error()
    rc = fn(*args)
    if rc < 0:
        raise AmlsError(rc, lib.amls_last_error().decode(errors="replace"))
    return rc


def take_text(ptr):
    """The text of a buffer the library allocated, which is then freed."""
    try:
        return ctypes.string_at(ptr.value).decode() if ptr.value else ""
    finally:
        lib.amls_buffer_free(ptr)
