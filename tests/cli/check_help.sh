#!/bin/bash
# check_help.sh BIN [COMMAND [ARGS...]]: help from the option tables (ARGS: `run`'s plugin).
#   without COMMAND: `help` == `--help` (exit 0), every listed command is known, `help nosuch`,
#     `nosuch` and no arguments exit 2 with one message
#   with COMMAND: `COMMAND --help` == `help COMMAND` (exit 0); every option line appears once
#     and states its default or that it is required; an unknown option is refused (exit 2);
#     built-in algorithms and `run` document --param, checkpoints and restart, built-ins also
#     --engine and --variant
set -u
bin=$1 cmd=${2:-}
shift $(($# < 2 ? $# : 2))
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
if [ -z "$cmd" ]; then
    "$bin" help > "$d/a" 2> "$d/ae"; rc1=$?
    "$bin" --help > "$d/b" 2> "$d/be"; rc2=$?
    [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] || bad "help exits $rc1, --help exits $rc2 (want 0)"
    cmp -s "$d/a" "$d/b" || bad "help and --help differ"
    [ -s "$d/a" ] && [ ! -s "$d/ae" ] || bad "help printed nothing, or to stderr"
    n=$(sed -n '/^commands:/,/^$/p' "$d/a" | grep -c '^  [a-z]')
    [ "$n" -ge 16 ] || bad "help lists $n commands"
    for args in "help nosuch" "nosuch" ""; do
        # shellcheck disable=SC2086
        "$bin" $args > "$d/o" 2> "$d/e"; rc=$?
        [ $rc -eq 2 ] || bad "'$args' exits $rc (want 2)"
        [ "$args" = "" ] || [ "$(grep -c 'error:' "$d/e")" -eq 1 ] || bad "'$args': want one error line"
    done
    grep -q "unknown command 'nosuch'" "$d/e" 2>/dev/null || "$bin" nosuch 2>&1 | grep -q "unknown command 'nosuch'" || bad "no message for an unknown command"
    grep -q "Exit codes" "$d/a" || bad "help does not list the exit codes"
    [ $fail -eq 0 ] && echo "PASS: help == --help, $n commands, unknown commands refused"
    exit $fail
fi
"$bin" "$cmd" "$@" --help > "$d/a" 2> "$d/ae"; rc1=$?
"$bin" help "$cmd" "$@" > "$d/b" 2> "$d/be"; rc2=$?
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] || bad "$cmd --help exits $rc1, help $cmd exits $rc2 (want 0)"
cmp -s "$d/a" "$d/b" || { bad "'$cmd --help' and 'help $cmd' differ"; diff "$d/a" "$d/b" | head; }
[ ! -s "$d/ae" ] || bad "help wrote to stderr: $(head -2 "$d/ae")"
usage="mpirun -np N amls-graph"
[ "$cmd" = plot ] && usage="amls-graph" # plot runs without MPI
head -1 "$d/a" | grep -q "^usage: $usage $cmd " || bad "no usage line"
# Option entries: "  --name..." lines with their wrapped continuation lines joined.
awk '/^  --/ { if (e) print e; e = $0; next } /^                    +[^ ]/ && e { sub(/^ +/, " "); e = e $0; next }
     { if (e) print e; e = "" } END { if (e) print e }' "$d/a" > "$d/opts"
nopt=$(wc -l < "$d/opts")
[ "$nopt" -ge 2 ] || bad "only $nopt options listed"
dups=$(sed -E 's/^  (--[a-zA-Z0-9.-]+).*/\1/' "$d/opts" | sort | uniq -d)
[ -z "$dups" ] || bad "listed more than once: $dups"
grep -v -e '(default: ' -e '(required)' -e '^  --help' "$d/opts" > "$d/nodef"
[ ! -s "$d/nodef" ] || bad "no default stated: $(cut -c1-60 "$d/nodef" | head -3)"
case $cmd in
    pagerank | wcc | bfs | sssp | cdlp | lcc | run)
        for o in --param --checkpoint-every --checkpoint-dir --restart --output --stats; do
            grep -q -- "^  $o" "$d/opts" || bad "$cmd's help lacks $o"
        done ;;
esac
case $cmd in
    pagerank | wcc | bfs | sssp | cdlp | lcc)
        for o in --engine --variant --verify; do grep -q -- "^  $o" "$d/opts" || bad "$cmd's help lacks $o"; done
        grep -q "^parameters of $cmd" "$d/a" || bad "$cmd's help lists no parameters" ;;
esac
if [ "$cmd" = run ] && [ $# -gt 0 ]; then # a plugin: its parameters, each with its default or range
    grep -q "^parameters of " "$d/a" || bad "the plugin's help lists no parameters"
    sed -n '/^parameters of /,/^$/p' "$d/a" | grep -q -e '--[a-z]' || bad "the plugin's parameters are not listed"
fi
"$bin" "$cmd" "$@" --no-such-option 1 > "$d/o" 2> "$d/e"; rc=$?
want="unknown option '--no-such-option'"
[ "$cmd" = run ] && [ $# -eq 0 ] && want="PROG.so is required" # a plugin's options are known once it is loaded
[ $rc -eq 2 ] && grep -q "$want" "$d/e" || bad "$cmd --no-such-option: exit $rc, $(cat "$d/e")"
[ $fail -eq 0 ] && echo "PASS: $cmd: --help == help $cmd, $nopt options, each once with its default"
exit $fail
