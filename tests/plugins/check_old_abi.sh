#!/bin/bash
# check_old_abi.sh BIN NP OLD.so NEW.so GRAPH [ARGS...]: a plugin built against the ABI 1.0
# header (tests/plugins/abi-1.0) loads and runs on this engine, and gives byte for byte the
# output of the same source built against the current header.
set -u
bin=$1 np=$2 old=$3 new=$4 g=$5
shift 5
if [ ! -e "$g" ]; then echo "SKIPPED: $g not found (set AMLS_DATA_DIR)"; exit 77; fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
for kind in old new; do
    so=$old
    [ "$kind" = new ] && so=$new
    if ! mpirun -np "$np" "$bin" run "$so" --input "$g" --quiet --output "$d/$kind" "$@" \
        > "$d/$kind.log" 2>&1 < /dev/null; then
        echo "FAIL: the $kind-ABI plugin did not run"; cat "$d/$kind.log"; exit 1
    fi
done
if cmp -s "$d/old" "$d/new"; then echo "PASS: ABI 1.0 plugin ran, $(wc -l < "$d/old") lines match"; exit 0; fi
echo "FAIL: outputs differ"; diff "$d/old" "$d/new" | head; exit 1
