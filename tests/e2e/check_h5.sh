#!/bin/bash
# check_h5.sh BIN H5CHECK GRAPH: convert to the container; algorithms on the container give the
# same output as on the text file (stored partition and a re-partition, 1-3 ranks); results
# written as HDF5 match the text results and carry provenance.
set -u
bin=$1 h5check=$2 g=$3
[ -e "$g" ] || { echo "SKIPPED: $g not found (set AMLS_DATA_DIR)"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail=0
mpirun -np 2 "$bin" convert --input "$g" --output "$d/g.h5" --quiet || exit 1
for algo in wcc "bfs --source 0" "pagerank --iterations 10"; do
    mpirun -np 2 $bin $algo --input "$g" --quiet --output "$d/text" > /dev/null || exit 1
    for cfg in "2 stored" "3 stored" "1 hash" "3 metis"; do
        np=${cfg% *} part=${cfg#* }
        extra=""
        [ "$part" != stored ] && extra="--partition $part"
        mpirun -np $np $bin $algo --input "$d/g.h5" $extra --quiet --output "$d/h5out" > "$d/log" 2>&1 || { cat "$d/log"; exit 1; }
        awk -v f="$d/h5out" '{ getline line < f; split(line, b, " "); if ($1 != b[1]) exit 1;
            if ($2 == b[2]) next; x = $2 + 0; y = b[2] + 0; e = x - y; if (e < 0) e = -e;
            m = x < 0 ? -x : x; if (e > 1e-12 * m) exit 1 }' "$d/text" ||
            { echo "FAIL: $algo from the container ($cfg) differs from the text input"; fail=1; }
    done
done
mpirun -np 2 "$bin" pagerank --input "$g" --iterations 10 --quiet --output "$d/pr.h5" > /dev/null || exit 1
mpirun -np 2 "$bin" pagerank --input "$g" --iterations 10 --quiet --output "$d/pr.txt" > /dev/null || exit 1
"$h5check" "$d/pr.h5" "$d/pr.txt" algorithm=pagerank "parameters=damping=0.85 iterations=10" \
    ranks=2 supersteps=11 "command_line=pagerank --input" input_crc32 wall_seconds engine_version || fail=1
[ $fail -eq 0 ] && echo "PASS: container inputs and HDF5 results agree with text"
exit $fail
