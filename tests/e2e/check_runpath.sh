#!/bin/bash
# check_runpath.sh FILE...: no binary has an empty or relative RPATH/RUNPATH entry (the loader
# reads an empty one as the current directory, a relative one against it: a library planted
# there would be loaded). $ORIGIN entries are fine.
set -u
command -v readelf > /dev/null || { echo "SKIPPED: readelf not installed"; exit 77; }
fail=0
for f in "$@"; do
    paths=$(readelf -d "$f" | sed -n 's/.*(\(RPATH\|RUNPATH\)).*\[\(.*\)\]/\2/p')
    [ -z "$paths" ] && { echo "ok (none): $f"; continue; }
    bad=$(echo "$paths" | awk -F: '{ for (i = 1; i <= NF; i++) if ($i == "" || ($i !~ /^\// && $i !~ /^\$ORIGIN/)) { print "entry " i ": \"" $i "\""; } }')
    if [ -n "$bad" ]; then
        echo "FAIL: $f: [$paths]: $bad"
        fail=1
    else
        echo "ok: $f: [$paths]"
    fi
done
[ $fail -eq 0 ] && echo "PASS: no empty or relative RUNPATH entries"
exit $fail
