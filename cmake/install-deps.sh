#!/bin/sh
# cmake/install-deps.sh — install the Debian packages amls-graph needs, if any is missing.
# Called by `make run` / `make test`; safe to run again (does nothing when all are present).
set -e
PKGS="cmake ninja-build gcc make pkg-config python3 zlib1g-dev openmpi-bin libopenmpi-dev libmetis-dev \
libopenblas-dev liblapacke-dev libhdf5-openmpi-dev libcriterion-dev python3-sklearn"
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
