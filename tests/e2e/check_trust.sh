#!/bin/bash
# check_trust.sh BIN CASE [ARGS]: the refusals and guarantees of README's "Errors and guarantees"
# (issue 11), one case per defect. Every case writes its own inputs into a temporary directory
# (nothing from ../shared), runs the real binary and checks the exit status, the one error line
# (file and line where the case has them), that nothing is left behind, and the result where
# there is one. Prints PASS or FAIL lines; exit 0 only if every check passed, 77 = skipped.
set -u
bin=$(readlink -f "$1") case=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
cleanup() {
    [ -n "${mnt:-}" ] && umount "$mnt" 2>/dev/null
    rm -rf "$d"
}
trap cleanup EXIT
cd "$d" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "PASS: $*"; }
finish() { [ $fails -eq 0 ] && exit 0 || exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }
run() { timeout "${T:-120}" mpirun --timeout "${T:-120}" "$@" < /dev/null; }

# expect_error NP WANT OUTPUT args...: non-zero exit, exactly one error line holding WANT
# (a grep -E pattern), and nothing at OUTPUT (or OUTPUT.*) unless OUTPUT is -.
expect_error() {
    local np=$1 want=$2 out=$3
    shift 3
    local err rc n
    err=$(run -np "$np" "$bin" "$@" 2>&1 > "$d/stdout")
    rc=$?
    n=$(echo "$err" | grep -c "error:")
    if [ $rc -eq 0 ]; then fail "np=$np $*: exit status 0"; echo "$err" | tail -3; return 1; fi
    if [ $rc -ge 124 ]; then fail "np=$np $*: timed out or killed (status $rc)"; return 1; fi
    if [ "$n" -ne 1 ]; then fail "np=$np $*: $n error lines (want 1)"; echo "$err" | tail -5; return 1; fi
    if ! echo "$err" | grep "error:" | grep -qE -- "$want"; then
        fail "np=$np $*: message lacks '$want'"; echo "$err" | grep "error:"; return 1
    fi
    if [ "$out" != "-" ] && compgen -G "$out*" > /dev/null; then
        fail "np=$np $*: output left behind: $(ls -d "$out"*)"; return 1
    fi
    pass "np=$np: $(echo "$err" | grep "error:")"
}

# expect_ok NP args...: exit 0.
expect_ok() {
    local np=$1
    shift
    if ! run -np "$np" "$bin" "$@" > "$d/stdout" 2> "$d/stderr"; then
        fail "np=$np $*: failed"; tail -5 "$d/stderr"; return 1
    fi
}

source "$here/trust_cases.sh"
"case_$case" "$@"
finish
