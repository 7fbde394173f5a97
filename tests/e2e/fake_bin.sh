#!/bin/bash
# fake_bin.sh MODE args...: a stand-in for amls-graph that does the wrong thing, to show that
# the checks fail on it. MODE empty: exits 0 having written an empty --output file.
# MODE leave: prints one error line and exits 1, but leaves its --output file behind.
mode=$1
shift
out=
while [ $# -gt 0 ]; do
    case $1 in --output | -o) out=$2; shift ;; esac
    shift
done
[ -n "$out" ] && : > "$out"
if [ "$mode" = leave ]; then
    [ "${OMPI_COMM_WORLD_RANK:-0}" = 0 ] && echo "amls-graph x: error: expected text" >&2
    exit 1
fi
exit 0
