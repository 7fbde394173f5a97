#!/bin/sh
# cmake/install-deps.sh — install the Debian packages amls-graph needs, if any is missing.
# Called by `make run` / `make test`; safe to run again (does nothing when all are present).
set -e
# The Python packages serve python/ (amls_graph: numpy, mpi4py; plots: matplotlib; sparse inputs:
# scipy; pip installs: venv, pip, setuptools, wheel); cffi is the alternative FFI to ctypes;
# scikit-learn is the reference of the SGD/SVM and model-selection tests.
PKGS="cmake ninja-build gcc make pkg-config python3 zlib1g-dev openmpi-bin libopenmpi-dev libmetis-dev \
libopenblas-dev liblapacke-dev libhdf5-openmpi-dev libcriterion-dev libptscotch-dev libcjson-dev \
python3-numpy python3-mpi4py python3-cffi python3-matplotlib python3-scipy python3-venv python3-pip \
python3-setuptools python3-wheel python3-sklearn"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
