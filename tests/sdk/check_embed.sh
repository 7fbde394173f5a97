#!/bin/bash
# check_embed.sh BUILD_DIR SOURCE_DIR: installs into a fresh prefix, then checks the installed
# library as an outside user sees it:
#  - libamls_graph has its SONAME and exports only amls_* symbols; no installed binary or library
#    has an empty or relative RUNPATH entry;
#  - the CMake package finds the library (version 0.2 accepted, 0.1 refused) and an outside
#    program built with it runs PageRank at 2 ranks with the command line's values;
#  - the same program builds with pkg-config alone;
#  - the Python package installs with pip from the prefix (and finds the library there) and from
#    the source tree (the library through AMLS_GRAPH_LIB_DIR).
set -u
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail=0
ok() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
cmake --install "$build" --prefix "$prefix" > "$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
lib=$(ls "$prefix"/lib*/libamls_graph.so.*.*.* 2> /dev/null | head -1)
[ -n "$lib" ] || { echo "FAIL: no libamls_graph.so.X.Y.Z installed"; ls -R "$prefix" | head -30; exit 1; }
version=$("$prefix/bin/amls-graph" --version | sed 's/^amls-graph //')
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libamls_graph.so.$(echo "$version" | cut -d. -f1-2)" ] && ok "SONAME $soname" ||
    bad "SONAME '$soname' for version $version"
others=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^amls_[a-z0-9]' | grep -v '^_' | head -5)
[ -z "$others" ] && ok "only amls_* symbols exported ($(nm -D --defined-only "$lib" | grep -c ' amls_'))" ||
    bad "symbols outside the API exported: $others"
for f in "$lib" "$prefix/bin/amls-graph"; do
    rp=$(readelf -d "$f" | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p')
    if [ -n "$rp" ] && echo ":$rp:" | grep -Eq '::|:[^/$][^:]*:'; then
        bad "$(basename "$f"): RUNPATH '$rp' has an empty or relative entry"
    else
        ok "$(basename "$f"): RUNPATH '${rp:-none}'"
    fi
done

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# A sanitized build: the outside programs are not instrumented, the library is (AMLS_TEST_PRELOAD
# names the sanitizer runtimes to load first in the ranks).
pre=()
[ -n "${AMLS_TEST_PRELOAD:-}" ] && pre=(-x "LD_PRELOAD=$AMLS_TEST_PRELOAD" -x "ASAN_OPTIONS=detect_leaks=0")
gen=""
command -v ninja > /dev/null && gen="-G Ninja"
cp -r "$src/tests/sdk/embed" "$work/src"
cmake -S "$work/src" -B "$work/bld" $gen -DCMAKE_PREFIX_PATH="$prefix" > "$work/cfg.log" 2>&1 &&
    cmake --build "$work/bld" > "$work/bld.log" 2>&1 || { cat "$work/cfg.log" "$work/bld.log"; exit 1; }
ok "outside program built with find_package(amls-graph 0.2 COMPONENTS library)"
sed -i 's/find_package(amls-graph 0.2 /find_package(amls-graph 0.1 /' "$work/src/CMakeLists.txt"
cmake -S "$work/src" -B "$work/bld01" $gen -DCMAKE_PREFIX_PATH="$prefix" > "$work/cfg01.log" 2>&1 &&
    bad "find_package(amls-graph 0.1) accepted version $version" || ok "find_package(amls-graph 0.1) refused"

graph="gen:kron:scale=10,edge-factor=8,seed=4"
mpirun -np 2 "$prefix/bin/amls-graph" pagerank --input "$graph" --iterations 12 --quiet \
    --output "$work/cli.txt" < /dev/null > "$work/cli.log" 2>&1 || { cat "$work/cli.log"; exit 1; }
same() { # FILE: the same vertices as the CLI's, values within 1e-12
    awk 'NR == FNR { v[$1] = $2; n++; next }
         !($1 in v) || ($2 - v[$1]) ^ 2 > 1e-24 * v[$1] ^ 2 { bad = 1 } { m++ }
         END { exit bad || m != n }' "$work/cli.txt" "$1"
}
mpirun -np 2 "${pre[@]}" "$work/bld/embed_pagerank" "$graph" 12 "$work/embed.txt" < /dev/null > "$work/run.log" 2>&1 &&
    same "$work/embed.txt" && ok "outside program (CMake) at 2 ranks: $(head -1 "$work/run.log")" ||
    { bad "outside program (CMake) at 2 ranks"; cat "$work/run.log"; }

# pkg-config alone.
export PKG_CONFIG_PATH="$(dirname "$lib")/pkgconfig"
libdir=$(pkg-config --variable=libdir amls-graph)
if cc -std=c17 -o "$work/embed_pc" "$src/tests/sdk/embed/embed_pagerank.c" \
    $(pkg-config --cflags --libs amls-graph) -Wl,-rpath,"$libdir" > "$work/pc.log" 2>&1 &&
    mpirun -np 2 "${pre[@]}" "$work/embed_pc" "$graph" 12 "$work/embed_pc.txt" < /dev/null > "$work/run.log" 2>&1 &&
    same "$work/embed_pc.txt"; then
    ok "outside program (pkg-config: $(pkg-config --libs amls-graph)) at 2 ranks"
else
    bad "outside program with pkg-config"; cat "$work/pc.log" "$work/run.log"
fi

# The Python package, installed with pip into a virtual environment (when Python has numpy and
# mpi4py): from the prefix (it finds the library there), and from a copy of the source tree
# (the library through AMLS_GRAPH_LIB_DIR); either runs PageRank at 2 ranks with the CLI's values.
py=${AMLS_PYTHON:-python3}
nvenv=0
pip_check() { # NAME DIR [VAR=VALUE]: pip install DIR into a new venv, then run PageRank there
    local name=$1 dir=$2 venv=$work/venv-$((++nvenv))
    shift 2
    if ! "$py" -m venv --system-site-packages "$venv" > "$work/pip.log" 2>&1 ||
        ! "$venv/bin/pip" install --no-build-isolation --no-deps --no-index -q "$dir" >> "$work/pip.log" 2>&1; then
        bad "pip install $name"; cat "$work/pip.log"; return
    fi
    if (cd "$work" && env -u AMLS_GRAPH_LIB_DIR -u PYTHONPATH "$@" mpirun -np 2 "${pre[@]}" "$venv/bin/python" -c "
import amls_graph as ag, numpy as np
ids, v = ag.run('pagerank', input='$graph', iterations=12)
if ids is not None:
    ref = np.loadtxt('$work/cli.txt')
    assert np.array_equal(ids, ref[:, 0].astype(np.int64)) and np.allclose(v, ref[:, 1], rtol=1e-12, atol=0)
    assert ag.__version__ == '$version' == ag.version(), (ag.__version__, ag.version())
    print('python', ag.__version__, ag.__file__)
" < /dev/null > "$work/py.log" 2>&1); then
        ok "pip install $name: $(tail -1 "$work/py.log")"
    else
        bad "the Python package installed from $name"; cat "$work/py.log"
    fi
}
if "$py" -c "import numpy, mpi4py, venv" 2> /dev/null; then
    pip_check PREFIX/share/amls-graph/python "$prefix/share/amls-graph/python"
    # pip builds in the source folder: a copy of it (python/ and the version source beside it).
    mkdir "$work/srctree" && cp -r "$src/python" "$src/CMakeLists.txt" "$work/srctree/" &&
        rm -rf "$work/srctree/python/build" "$work/srctree/python/"*.egg-info \
            "$work/srctree/python/amls_graph/_build.py"
    pip_check ./python "$work/srctree/python" "AMLS_GRAPH_LIB_DIR=$(dirname "$lib")"
else
    echo "NOTE: Python part skipped: $py lacks numpy, mpi4py or venv"
fi
exit $fail
