#!/bin/bash
# check_stats_errors.sh BIN PYTHON: --stats FILE is written like a result.
#  - a missing directory or a directory as FILE: refused before the run (no output written),
#    non-zero exit, one message naming the file;
#  - a full disk (a small tmpfs, when this user may mount one): non-zero exit, no file, no
#    temporary file;
#  - a symbolic link as FILE: replaced by the statistics file, the file it pointed to untouched;
#  - after --restart, supersteps are numbered from the checkpoint's superstep.
set -u
bin=$1 py=$2
work=$(mktemp -d)
mnt=""
cleanup() { [ -n "$mnt" ] && umount "$mnt" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail=0
g=gen:kron:scale=8,edge-factor=8,seed=1
# NAME WANT_MESSAGE FILE [late]: must fail with the message and leave no statistics file (not
# even an empty or a temporary one); a refusal before the run (not "late") leaves no --output.
refused() {
    local name=$1 want=$2 stats=$3 late=${4:-}
    mpirun -np 2 "$bin" pagerank --input $g --quiet --output "$work/out.txt" --stats "$stats" \
        < /dev/null > "$work/log" 2>&1
    local rc=$?
    if [ $rc -eq 0 ] || ! grep -q -- "$want" "$work/log" || { [ -z "$late" ] && [ -e "$work/out.txt" ]; } ||
        ls "$stats".tmp-* > /dev/null 2>&1 || { [ -f "$stats" ] && [ ! -s "$stats" ]; }; then
        echo "FAIL: $name (rc $rc; expected a refusal naming '$want', no output, no temporary file)"
        cat "$work/log"; fail=1
    else
        echo "PASS: $name: $(grep -m1 error "$work/log")"
    fi
    rm -f "$work/out.txt"
}
refused "missing directory" "does not exist" "$work/no/such/dir/s.json"
mkdir "$work/adir"
refused "a directory as the file" "is a directory" "$work/adir"

# Full disk: a 64 KiB tmpfs filled up, so that the statistics cannot be written.
mkdir "$work/full"
if mount -t tmpfs -o size=64k tmpfs "$work/full" 2> /dev/null; then
    mnt="$work/full"
    dd if=/dev/zero of="$work/full/filler" bs=4k count=100 2> /dev/null
    refused "full disk" "No space left" "$work/full/s.json" late
    [ -e "$work/full/s.json" ] && { echo "FAIL: full disk left s.json"; fail=1; }
    umount "$mnt" && mnt=""
else
    echo "NOTE: full-disk case not run: cannot mount a tmpfs here (needs root)"
fi

# A symbolic link: the link is replaced, its target keeps its bytes.
echo "precious" > "$work/target.txt"
ln -s "$work/target.txt" "$work/link.json"
if mpirun -np 2 "$bin" pagerank --input $g --quiet --stats "$work/link.json" < /dev/null > "$work/log" 2>&1 &&
    [ "$(cat "$work/target.txt")" = "precious" ] && [ ! -L "$work/link.json" ] &&
    "$py" -c "import json,sys; json.load(open(sys.argv[1]))" "$work/link.json"; then
    echo "PASS: symbolic link replaced, its target untouched"
else
    echo "FAIL: --stats wrote through a symbolic link or failed"; cat "$work/log"; fail=1
fi

# Restart: a run with checkpoints, then one restarted from them.
mpirun -np 2 "$bin" pagerank --input $g --iterations 12 --quiet --checkpoint-every 5 \
    --checkpoint-dir "$work/ck" < /dev/null > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
mpirun -np 2 "$bin" pagerank --input $g --iterations 12 --quiet --restart "$work/ck" \
    --stats "$work/restart.json" < /dev/null > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
"$py" - "$work/restart.json" << 'PY' || fail=1
import json, sys
run = json.load(open(sys.argv[1]))["run"]
steps = [r["superstep"] for r in run["per_superstep"]]
first = run["first_superstep"]
ok = first == 10 and steps == list(range(first, run["supersteps"])) and steps[-1] == 12
print("%s: restart from superstep %d, rows numbered %s..%s, supersteps %d" % (
    "PASS" if ok else "FAIL", first, steps[0], steps[-1], run["supersteps"]))
sys.exit(0 if ok else 1)
PY
exit $fail
