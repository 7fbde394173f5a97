# trust_cases.sh: the cases of check_trust.sh, one function per defect of issue 11 (and the
# format refusals of issue 12). Sourced; uses expect_error/expect_ok/fail/pass from there.

# 1. A gzip file cut short is an error naming the file, wherever the cut falls (also where the
#    cut leaves a last line that still parses, and exactly at a line end).
case_truncated_gz() {
    python3 - <<'EOF'
import gzip, random, zlib
random.seed(5)
lines = "".join("%d %d\n" % (random.randrange(100000, 999999), random.randrange(100000, 999999))
                for _ in range(30000))
blob = gzip.compress(lines.encode(), 6)
open("full.txt.gz", "wb").write(blob)
# A cut whose decompressed prefix ends in a line that still parses ("123456 78").
def prefix(n):
    d = zlib.decompressobj(31)
    return d.decompress(blob[:n]).decode()
for n in range(len(blob) // 2, len(blob) - 8):
    p = prefix(n)
    last = p[p.rfind("\n") + 1:]
    if len(last.split()) == 2 and len(last.split()[1]) < 6:
        open("cut-number.txt.gz", "wb").write(blob[:n])
        break
open("cut-trailer.txt.gz", "wb").write(blob[:-4])  # every line there, the trailer cut
EOF
    [ -e cut-number.txt.gz ] || { fail "could not make the test input"; return; }
    expect_ok 2 info --input full.txt.gz --quiet && grep -q "^edges: 30000" stdout ||
        fail "the complete file does not read back 30000 edges"
    for f in cut-number.txt.gz cut-trailer.txt.gz; do
        for np in 1 2 3; do
            expect_error $np "$f: truncated compressed file" - info --input $f
        done
    done
}

# 2. NaN and infinite weights are refused by every reader with file:line; sssp refuses negative
#    weights naming the edge (a negative cycle can no longer run forever); other algorithms
#    accept them.
case_weights() {
    printf '1 2 1.5\n2 3 nan\n3 1 2\n' > nan.txt
    printf '1 2 1\n2 3 -inf\n' > inf.txt
    printf '%%%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 inf\n2 3 1\n' > inf.mtx
    printf 'p sp 3 2\na 1 2 1\na 2 3 NaN\n' > nan.gr
    expect_error 2 "nan.txt:2: .*weight nan is not a finite number" - info --input nan.txt
    expect_error 1 "inf.txt:2: .*not a finite number" - info --input inf.txt
    expect_error 2 "inf.mtx:3: .*not a finite number" - info --input inf.mtx
    expect_error 2 "nan.gr:3: .*not a finite number" - info --input nan.gr
    printf '1 2 1\n2 3 -1\n3 1 -1\n' > negcycle.txt
    for np in 1 2 3; do
        T=60 expect_error $np "sssp: .*negative weight -1 on edge 2 -> 3|sssp: .*negative weight -1 on edge 3 -> 1" \
            "$d/dist" sssp --input negcycle.txt --source 1 --output "$d/dist"
    done
    expect_ok 2 wcc --input negcycle.txt --quiet --output wcc.txt || return
    [ "$(cut -d' ' -f2 wcc.txt | sort -u)" = "1" ] || fail "wcc on a graph with negative weights"
}

# 3. A NUL byte in a text input is an error with file:line; binary files are refused as such.
case_nul_binary() {
    { printf '1 2\n2 3\n'; printf '3 \0004\n'; printf '4 5\n'; } > nul.txt
    { printf '1 2\n2 3\n'; printf '3 \0004\n'; printf '4 5\n'; } | gzip > nul.txt.gz
    for np in 1 2; do
        expect_error $np "nul.txt:3: NUL byte" - info --input nul.txt
        expect_error $np "nul.txt.gz:3: NUL byte" - info --input nul.txt.gz
    done
    printf '%%%%MatrixMarket matrix coordinate pattern general\n\0003 3 1\n1 2\n' > nul.mtx
    expect_error 2 "nul.mtx:2: NUL byte" - info --input nul.mtx
    head -c 4096 /dev/urandom > random.bin
    # Random bytes hold about 11% control bytes: a test on those alone passed some files as
    # text (then quoted their bytes in a parse error). Twenty seeded files, all refused.
    python3 -c 'import random
random.seed(7)
for i in range(20):
    open("r%02d.bin" % i, "wb").write(bytes(random.randrange(256) for _ in range(600)))'
    local f refused=0
    for f in r??.bin; do
        run -np 1 "$bin" info --input $f 2>&1 | grep -aq "$f: cannot read as text: a binary file" &&
            refused=$((refused + 1))
    done
    [ $refused = 20 ] && pass "20 random files refused as binary" ||
        fail "$refused of 20 random files refused as binary"
    printf '# caf\303\251, na\303\257ve (UTF-8)\n1 2\n' > utf8.txt
    expect_ok 1 info --input utf8.txt --quiet || fail "a UTF-8 comment made text binary"
    printf '1 2\n\0333[31m 3\n' > esc.txt
    expect_error 1 'esc.txt:2: expected a vertex id \(source\) in "\?3\[31m 3"' - info --input esc.txt
    python3 -c "import sys; sys.stdout.buffer.write(bytes(range(256)) * 8)" > bytes.el
    expect_error 2 "bytes.el: cannot read as text: a binary file" - info --input bytes.el
    expect_error 1 "random.bin: cannot read as text: a binary file" - info --input random.bin
    printf 'BZh91AY&SY' > g.txt.bz2
    expect_error 2 "g.txt.bz2: .*bzip2" - info --input g.txt.bz2
    printf '\211HDF\r\n\032\n0000000000' > g.dat
    expect_error 2 "g.dat: .*HDF5 file" - info --input g.dat
}

# 4. LDBC: a vertex listed twice in .v is refused (.v line); an edge naming a vertex absent
#    from .v is refused with the .e file and line.
case_ldbc_vertices() {
    printf '1\n2\n3\n4\n5\n6\n7\n8\n' > ok.v
    printf '1 2\n2 3\n3 4\n4 5\n5 6\n6 7\n7 8\n' > ok.e
    printf '1\n2\n3\n4\n2\n6\n7\n8\n' > dup.v
    cp ok.e dup.e
    cp ok.v absent.v
    printf '1 2\n2 3\n# comment\n3 4\n4 9\n5 6\n6 7\n7 8\n' > absent.e
    expect_ok 2 info --input ok.e --quiet && grep -q "^vertices: 8" stdout || fail "ok.e"
    for np in 1 2 3; do
        expect_error $np "dup.v:5: vertex 2 is listed twice \(first at line 2\)" - info --input dup.e
        expect_error $np "absent.e:5: edge 4 9: vertex 9 is not listed in .*absent.v" - \
            info --input absent.e
    done
}

# 14. A FIFO (or any non-regular file) as input is refused at once instead of blocking.
case_fifo_input() {
    mkfifo pipe.txt
    for np in 1 2; do
        T=30 expect_error $np "pipe.txt: not a regular file" - info --input pipe.txt
    done
    printf '%%%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 2\n2 2 2\n' > spd.mtx
    T=30 expect_error 2 "pipe.txt: not a regular file" - cg --matrix spd.mtx --rhs pipe.txt
    T=30 expect_error 2 "pipe.txt: not a regular file" - logreg --train pipe.txt
}

# A small LIBSVM classification/regression problem (deterministic), in train.svm / test.svm.
make_svm() {
    python3 - <<'PY'
import random
random.seed(11)
def rows(n):
    out = []
    for _ in range(n):
        x = [random.gauss(0, 1) for _ in range(6)]
        z = 0.7 * x[0] - 1.2 * x[1] + 0.4 * x[3] + random.gauss(0, 0.8)
        out.append((1 if z > 0 else -1, z, x))
    return out
for name, n in (("train", 400), ("test", 100)):
    data = rows(n)
    with open(name + ".svm", "w") as f:
        for y, _, x in data:
            f.write("%d %s\n" % (y, " ".join("%d:%.6f" % (k + 1, v) for k, v in enumerate(x))))
    with open(name + ".reg", "w") as f:
        for _, z, x in data:
            f.write("%.6f %s\n" % (z, " ".join("%d:%.6f" % (k + 1, v) for k, v in enumerate(x))))
PY
}
keyval() { sed -n "s/^$1: //p" "$2"; }

# 6. logreg and linreg train without --test (train figures only) and report test figures
#    with it.
case_regression_no_test() {
    make_svm
    for np in 1 2; do
        expect_ok $np logreg --train train.svm || continue
        [ -n "$(keyval train_accuracy stdout)" ] && [ -z "$(keyval test_accuracy stdout)" ] ||
            fail "logreg without --test: $(cat stdout)"
        expect_ok $np logreg --train train.svm --test test.svm || continue
        [ -n "$(keyval test_accuracy stdout)" ] || fail "logreg --test: no test_accuracy"
        expect_ok $np linreg --train train.reg --test test.reg || continue
        awk '/^test_rmse: /{ if ($2 > 0 && $2 < 2) ok = 1 } END { exit !ok }' stdout ||
            fail "linreg --test: no sensible test_rmse: $(cat stdout)"
    done
    pass "logreg/linreg with and without --test"
}

# 11. logreg: "converged" is decided on the final iterate (one that meets the tolerance says
#     yes, even at the iteration limit), and a tolerance below what double precision allows
#     stops with a stated reason instead of running to the limit, at every rank count.
case_logreg_convergence() {
    make_svm
    expect_ok 2 logreg --train train.svm --test test.svm --tol 1e-6 --max-iterations 500 || return
    local n
    n=$(keyval iterations stdout)
    [ "$(keyval converged stdout)" = yes ] || { fail "no convergence at all: $(cat stdout)"; return; }
    for np in 1 2 3; do
        expect_ok $np logreg --train train.svm --test test.svm --tol 1e-6 --max-iterations "$n" --strict || continue
        [ "$(keyval converged stdout)" = yes ] ||
            fail "np=$np: converged: $(keyval converged stdout) at the iterate that met the tolerance"
    done
    for np in 1 2 3; do
        run -np $np "$bin" logreg --train train.svm --test test.svm --tol 1e-20 --max-iterations 5000 > stdout 2>&1
        local it reason
        it=$(keyval iterations stdout) reason=$(keyval stop_reason stdout)
        if [ -z "$it" ] || [ "$it" -ge 5000 ] || [ -z "$reason" ]; then
            fail "np=$np tol 1e-20: iterations '$it', reason '$reason'"
        else
            pass "np=$np tol 1e-20: stopped after $it iterations: $reason"
        fi
    done
}

# A small file system for full-disk tests: a tmpfs of $1 mounted at $d/disk. Needs root and
# mount permission (a container may forbid it): skipped with the reason otherwise. (An
# LD_PRELOAD shim that fails write() would also reach MPI-IO's and HDF5's writes only partly;
# a real file system that fills up tests what a user meets.)
small_disk() {
    mkdir -p "$d/disk"
    [ "$(id -u)" -eq 0 ] || skip "full-disk test needs root to mount a small tmpfs"
    mount -t tmpfs -o "size=$1" tmpfs "$d/disk" 2> "$d/mount.err" ||
        skip "cannot mount a tmpfs here: $(cat "$d/mount.err")"
    mnt=$d/disk
}
G12=gen:kron:scale=12,edge-factor=4,seed=1

# 13. A full disk while writing HDF5 results or a checkpoint: a clean error on every rank (no
#     hang, no crash), no file left.
case_full_disk_h5() {
    small_disk 64k
    for np in 1 2 3; do
        T=90 expect_error $np "disk/pr.h5: not enough space" "$mnt/pr.h5" pagerank --input $G12 \
            --quiet --output "$mnt/pr.h5"
        T=90 expect_error $np "disk/ck/ckpt-000000000002.h5: not enough space" "$mnt/ck/ckpt" \
            pagerank --input $G12 --quiet --checkpoint-every 2 --checkpoint-dir "$mnt/ck"
        rm -rf "${mnt:?}"/*
    done
    T=90 expect_error 2 "disk/g.h5: not enough space" "$mnt/g.h5" convert --input $G12 \
        --quiet --output "$mnt/g.h5"
    [ -z "$(ls -A "$mnt")" ] || fail "left in the full file system: $(ls -A "$mnt")"
}

# 16. A full disk on text output: non-zero exit, no final and no temporary file.
case_full_disk_text() {
    small_disk 64k
    for np in 1 2 3; do
        T=90 expect_error $np "disk/pr.txt: write failed" "$mnt/pr.txt" pagerank --input $G12 \
            --quiet --output "$mnt/pr.txt"
        T=90 expect_error $np "disk/prd.*(write failed|No space)" "$mnt/prd" pagerank \
            --input $G12 --quiet --output "$mnt/prd" --dir
        T=90 expect_error $np "disk/part.txt: write failed" "$mnt/part.txt" partition \
            --input gen:kron:scale=16,edge-factor=2,seed=1 --partition hash --quiet \
            --output "$mnt/part.txt"
    done
    [ -z "$(ls -A "$mnt")" ] || fail "left in the full file system: $(ls -A "$mnt")"
}

# 18. --output DIR --dir over an existing directory: replaced whole on success; on failure the
#     old result stays; a directory holding other files is refused untouched; a symlinked DIR
#     is replaced as a link, its target left alone.
case_dir_replace() {
    printf '1 2\n2 3\n3 1\n4 5\n' > g.txt
    expect_ok 2 wcc --input g.txt --quiet --output res --dir || return
    expect_ok 3 wcc --input g.txt --quiet --output res --dir || return
    [ "$(ls res)" = "$(printf 'part-00000\npart-00001\npart-00002')" ] ||
        fail "the replaced directory holds: $(ls res)"
    [ "$(cat res/part-* | sort -n | tr '\n' ' ')" = "1 1 2 1 3 1 4 4 5 4 " ] ||
        fail "replaced result: $(cat res/part-*)"
    echo "my notes" > res/notes.txt
    cp -r res keep
    expect_error 2 "res: the directory holds 'notes.txt'" - wcc --input g.txt --quiet \
        --output res --dir
    diff -r res keep > /dev/null || fail "the refused directory was changed"
    mkdir target
    cp keep/part-* target/
    ln -s target link
    expect_ok 2 wcc --input g.txt --quiet --output link --dir || return
    [ -d link ] && [ ! -L link ] || fail "the link was not replaced by a directory"
    [ "$(ls target | wc -l)" = 3 ] || fail "the link's target was changed: $(ls target)"
    small_disk 64k
    expect_ok 2 wcc --input g.txt --quiet --output "$mnt/res" --dir || return
    cp -r "$mnt/res" old
    T=90 expect_error 2 "(write failed|No space)" - pagerank --input $G12 --quiet \
        --output "$mnt/res" --dir
    diff -r "$mnt/res" old > /dev/null || fail "the old result was lost by a failed replace"
    [ "$(ls -A "$mnt")" = res ] || fail "left in the file system: $(ls -A "$mnt")"
}

# 19. --output DIR/ (a trailing slash, as the README shows) writes the directory.
case_trailing_slash() {
    printf '1 2\n2 3\n3 1\n' > g.txt
    for np in 1 2; do
        rm -rf out
        expect_ok $np wcc --input g.txt --quiet --output out/ || continue
        [ "$(cat out/part-* | wc -l)" = 3 ] || fail "np=$np: out/ holds $(ls out)"
    done
}

# 20. Input and output the same file is refused (the input intact); temporary checkpoint files
#     of a killed job are removed by the next run; a checkpoint directory in use is locked.
case_same_file_and_lock() {
    printf '1 2\n2 3\n3 1\n' > g.txt
    cp g.txt g.orig
    expect_error 2 "output .*g.txt is the input file" - wcc --input g.txt --quiet --output g.txt
    ln -s g.txt alias.txt
    expect_error 2 "is the input file" - wcc --input g.txt --quiet --output alias.txt
    cmp g.txt g.orig || fail "the input was overwritten"
    printf '1\n2\n3\n' > l.v
    printf '1 2\n2 3\n' > l.e
    cp l.v l.v.orig
    expect_error 2 "is the input file .*l.v" - wcc --input l.e --quiet --output l.v
    cmp l.v l.v.orig || fail "the LDBC vertex file was overwritten"
    mkdir ck
    echo junk > ck/ckpt-000000000003.h5.tmp-12345
    expect_ok 2 pagerank --input $G12 --quiet --iterations 6 --checkpoint-every 2 \
        --checkpoint-dir ck || return
    [ ! -e ck/ckpt-000000000003.h5.tmp-12345 ] || fail "the stale temporary file is still there"
    ls ck/ckpt-*.h5 > /dev/null 2>&1 || fail "no checkpoint written"
    command -v flock > /dev/null || { fail "flock(1) missing"; return; }
    flock -o ck/.lock sleep 60 &
    local holder=$!
    sleep 1
    expect_error 2 "ck: checkpoint directory in use by another running job" - pagerank \
        --input $G12 --quiet --iterations 6 --checkpoint-every 2 --checkpoint-dir ck
    pkill -P $holder
    kill $holder
    wait $holder 2> /dev/null
    # A real job holding it (ARGS: the misbehave plugin, whose "slow" mode runs 4 s): the
    # second one is refused while the first runs, and the first finishes well.
    run -np 2 "$bin" run "$1" --input g.txt --quiet --mode slow --at 2 --checkpoint-every 100 \
        --checkpoint-dir ck > first.log 2>&1 &
    local first=$! k
    for k in $(seq 100); do flock -n ck/.lock true || break; sleep 0.1; done
    expect_error 1 "ck: checkpoint directory in use" - pagerank --input $G12 --quiet \
        --iterations 6 --checkpoint-every 2 --checkpoint-dir ck
    wait $first || fail "the first job failed: $(tail -3 first.log)"
}

# 21. Temporary names cannot be predicted and are created exclusively: links planted at every
#     name the old scheme (PATH.tmp-PID) could use do not make a run write through them.
case_tmp_links() {
    printf '1 2\n2 3\n3 1\n' > g.txt
    echo "precious" > victim
    # One process plants them all, so that the pids the run gets are the ones planted.
    python3 -c 'import os
b = os.getpid()
for p in range(b, b + 3000):
    for n in ("out.txt", "out.h5"):
        os.symlink("victim", "%s.tmp-%d" % (n, p))'
    expect_ok 2 wcc --input g.txt --quiet --output out.txt || return
    expect_ok 2 wcc --input g.txt --quiet --output out.h5 || return
    [ "$(cat victim)" = precious ] || fail "a run wrote through a planted link"
    [ "$(wc -l < out.txt)" = 3 ] || fail "out.txt"
    pass "planted links left alone"
}

# Compares two "id value" files: same ids, integers identical, floats within 1e-12 relative.
same_values() {
    [ -s "$1" ] && [ "$(wc -l < "$1")" = "$(wc -l < "$2")" ] || return 1
    awk -v f="$2" '{ getline line < f; split(line, b, " "); if ($1 != b[1]) exit 1;
        if ($2 == b[2]) next; x = $2 + 0; y = b[2] + 0; e = x - y; if (e < 0) e = -e;
        m = x < 0 ? -x : x; if (e > 1e-12 * m) exit 1 }' "$1"
}

# A weighted directed graph (weights >= 0) with a long path, so that runs have many supersteps.
make_weighted() {
    python3 - <<'PY'
import random
random.seed(3)
n = 1500
with open("w.txt", "w") as f:
    for v in range(1, n):
        f.write("%d %d %.3f\n" % (v, v + 1, random.uniform(0.5, 3)))
    for _ in range(6000):
        u, v = random.randrange(1, n + 1), random.randrange(1, n + 1)
        f.write("%d %d %.3f\n" % (u, v, random.uniform(0.5, 3)))
PY
}

# 9. Every built-in algorithm, and every plugin that publishes values, restarted from a
#    checkpoint at another rank count and partitioner gives the uninterrupted run's result.
#    ARGS: the varpub and kcore plugins.
case_restart_layouts() {
    local varpub=$1 kcore=$2
    make_weighted
    local -a runs=(
        "pagerank|3|--iterations 12" "wcc|3|" "bfs|3|--source 1" "sssp|3|--source 1"
        "cdlp|3|--iterations 8" "lcc|2|" "lcc|2|--undirected" "run $varpub|5|"
        "run $kcore|2|--undirected")
    local r algo k extra
    for r in "${runs[@]}"; do
        IFS='|' read -r algo k extra <<< "$r"
        rm -rf ck full killed r3 r1
        # shellcheck disable=SC2086
        if ! run -np 2 "$bin" $algo --input w.txt --quiet --output full $extra > log 2>&1; then
            fail "$algo $extra: the uninterrupted run failed: $(tail -2 log)"; continue
        fi
        # shellcheck disable=SC2086
        if run -np 2 "$bin" $algo --input w.txt --quiet --output killed $extra \
            --checkpoint-every 1 --checkpoint-dir ck --fail-at-superstep "$k" --fail-rank 1 \
            > log 2>&1; then
            fail "$algo $extra: the run with a killed rank succeeded"; continue
        fi
        local ok=1 np part
        for cfg in "3 hash" "1 range"; do
            np=${cfg% *} part=${cfg#* }
            # shellcheck disable=SC2086
            if ! run -np $np "$bin" $algo --input w.txt --quiet --output r$np --restart ck \
                --partition $part $extra > log 2>&1; then
                fail "$algo $extra: restart at $np ranks ($part) failed: $(grep error: log)"
                ok=0
            elif ! same_values full r$np; then
                fail "$algo $extra: restart at $np ranks ($part) differs from the uninterrupted run"
                ok=0
            fi
        done
        [ $ok = 1 ] && pass "${algo##*/} $extra: restarted from superstep $k at 3 (hash) and 1 rank"
    done
}

# 8. lcc without the combiner counts every credit message.
case_lcc_no_combiner() {
    make_weighted
    for np in 1 2 3; do
        for dir in --directed --undirected; do
            expect_ok $np lcc --input w.txt --quiet --no-combiner $dir --verify ||
                { grep -h "error:\|verify" stdout "$d/stderr"; continue; }
            grep -q "verify: PASS" stdout || fail "np=$np $dir: $(grep verify stdout)"
        done
    done
    pass "lcc --no-combiner matches the reference at 1-3 ranks"
}

# 12. --top K for a program that formats its values itself (no result_type) prints its values,
#     the K largest; and for built-ins the same K largest at any layout. ARGS: the fmtonly
#     plugin.
case_top_format() {
    local fmtonly=$1
    make_weighted
    # Expected: out-degrees from the file (duplicate edges merged), largest first, smaller id
    # on ties.
    awk '{ print $1, $2 }' w.txt | sort -u | awk '{ d[$1]++ } END { for (v in d) print v, d[v] }' |
        sort -k2,2nr -k1,1n | head -5 | awk '{ printf "top %d: %s %.1f\n", NR, $1, $2 }' > want
    for np in 1 2 3; do
        expect_ok $np run "$fmtonly" --input w.txt --quiet --top 5 || continue
        grep "^top " stdout > got
        diff want got > /dev/null || { fail "np=$np: --top 5 printed"; cat got; }
    done
    for np in 1 3; do
        expect_ok $np pagerank --input w.txt --quiet --top 4 --output pr.txt --partition hash ||
            continue
        sort -k2,2gr -k1,1n pr.txt | head -4 | awk '{ printf "top %d: %s %s\n", NR, $1, $2 }' > want2
        grep "^top " stdout | diff want2 - > /dev/null || { fail "np=$np pagerank --top 4"; grep "^top" stdout; }
    done
    [ $fails = 0 ] && pass "--top for a formatter-only plugin and for pagerank"
}

ring() { printf '1 2\n2 3\n3 4\n4 5\n5 6\n6 7\n7 8\n8 1\n' > ring.txt; }

# 23. A callback's undocumented return or misuse of the API is an error naming the program,
#     the callback, the superstep, the vertex and the rank. ARGS: the misbehave plugin.
case_plugin_errors() {
    local m=$1 at
    ring
    for np in 1 3; do
        for at in 5 2; do
            expect_error $np "misbehave: compute returned -1 without reporting why.*\(in compute, superstep 1, vertex $at, rank [0-9]\)" \
                - run "$m" --input ring.txt --quiet --mode raw --at $at
            expect_error $np "misbehave: compute returned 7; a callback returns 0 or a negative status \(in compute, superstep 1, vertex $at, rank [0-9]\)" \
                - run "$m" --input ring.txt --quiet --mode positive --at $at
            expect_error $np "misbehave: bad data \(in compute, superstep 2, vertex $at, rank [0-9]\)" \
                - run "$m" --input ring.txt --quiet --mode fail --at $at --step 2
            expect_error $np "misbehave: amls_halt called outside the master step.*\(in compute, superstep 1, vertex $at, rank [0-9]\)" \
                - run "$m" --input ring.txt --quiet --mode halt --at $at
        done
        expect_error $np "misbehave: setup returned -3 without reporting why.*\(in setup, superstep 0, rank [0-9]\)" \
            - run "$m" --input ring.txt --quiet --mode setup
        expect_error $np "misbehave: amls_wake_all called outside the master step.*\(in compute, superstep 1, vertex 5, rank [0-9]\)" \
            - run "$m" --input ring.txt --quiet --mode wake --at 5
    done
    expect_ok 2 run "$m" --input ring.txt --quiet --mode none || fail "a well-behaved run failed"
}

# 24. A crash in a plugin names the program, callback, superstep and vertex before the process
#     dies. ARGS: the misbehave plugin.
case_plugin_crash() {
    local m=$1 err
    [ -z "${AMLS_SANITIZED:-}" ] ||
        skip "a ${AMLS_SANITIZED} build stops a crashing plugin before the engine's crash report"
    ring
    for np in 1 2; do
        for at in 3 6; do
            err=$(run -np $np "$bin" run "$m" --input ring.txt --quiet --mode crash --at $at 2>&1)
            [ $? -ne 0 ] || fail "np=$np: a crash exited 0"
            echo "$err" | grep -qE "error: rank [0-9]: the program misbehave crashed \(SIGSEGV, invalid memory access\) in compute at superstep 1, vertex $at$" ||
                { fail "np=$np at=$at: no crash report"; echo "$err" | head -5; continue; }
            pass "np=$np: $(echo "$err" | grep crashed)"
        done
        # In the reply callback (request/reply, ABI 1.2): the target vertex is named.
        err=$(run -np $np "$bin" run "$m" --input ring.txt --quiet --mode reply-crash --at 3 2>&1)
        [ $? -ne 0 ] || fail "np=$np: a crash in reply exited 0"
        echo "$err" | grep -qE "error: rank [0-9]: the program misbehave crashed \(SIGSEGV, invalid memory access\) in reply at superstep 1, vertex 4$" ||
            { fail "np=$np: no crash report from reply"; echo "$err" | head -5; continue; }
        pass "np=$np: $(echo "$err" | grep crashed)"
    done
}

# 25. A master step that decides differently on different ranks is detected and named (not
#     MPI_ERR_TRUNCATE or a hang). ARGS: the misbehave plugin.
case_master_disagreement() {
    local m=$1
    ring
    for np in 2 3; do
        for step in 1 3; do
            expect_error $np "misbehave: the master step decided differently on different ranks at superstep $step" \
                - run "$m" --input ring.txt --quiet --mode master --step $step
        done
    done
    expect_ok 1 run "$m" --input ring.txt --quiet --mode master || fail "one rank cannot disagree"
}

# 15. A vertex program that never returns: --superstep-timeout ends the job with a message
#     naming the program, superstep, vertex and rank. ARGS: the misbehave plugin.
case_superstep_timeout() {
    local m=$1 err t0
    ring
    for np in 1 2 3; do
        t0=$(date +%s)
        err=$(T=60 run -np $np "$bin" run "$m" --input ring.txt --quiet --mode spin --at 6 --step 2 \
            --superstep-timeout 2 2>&1)
        local rc=$? took=$(($(date +%s) - t0))
        [ $rc -ne 0 ] && [ $rc -lt 124 ] || { fail "np=$np: exit status $rc"; continue; }
        [ $took -lt 30 ] || fail "np=$np: took $took s"
        echo "$err" | grep -qE "error: misbehave: no return from compute after [0-9]+ s, over --superstep-timeout 2 \(in compute, superstep 2, vertex 6, rank [0-9]\)" ||
            { fail "np=$np: no watchdog message"; echo "$err" | head -3; continue; }
        [ "$(echo "$err" | grep -c "error:")" = 1 ] || fail "np=$np: more than one error line"
        pass "np=$np ($took s): $(echo "$err" | grep "no return")"
    done
    # A reply callback (request/reply, ABI 1.2) that never returns, on the target's owner.
    err=$(T=60 run -np 2 "$bin" run "$m" --input ring.txt --quiet --mode reply-spin --at 6 --step 2 \
        --superstep-timeout 2 2>&1)
    echo "$err" | grep -qE "error: misbehave: no return from reply after [0-9]+ s, over --superstep-timeout 2 \(in reply, superstep 2, vertex 7, rank [0-9]\)" &&
        pass "np=2: $(echo "$err" | grep "no return")" ||
        { fail "np=2: no watchdog message from reply"; echo "$err" | head -3; }
    expect_ok 2 run "$m" --input ring.txt --quiet --mode none --superstep-timeout 5 ||
        fail "a run within the timeout failed"
}

# 26. Memory running out on one rank (here rank 1, under ulimit -v): the message that reaches
#     the user names the rank and what it was allocating. The limits leave Open MPI's
#     shared-memory setup room (it fails its own mmap near 250 MB of address space) and stop
#     the lean loader partway through 16.8 M edges (it needs about 450 MB at 2 ranks).
case_oom_rank() {
    local g=gen:kron:scale=18,edge-factor=64,seed=1 lim err
    [ -z "${AMLS_SANITIZED:-}" ] ||
        skip "a ${AMLS_SANITIZED} build's shadow memory does not fit under a ulimit -v cap"
    for lim in 300000 350000; do
        err=$(T=120 run -np 1 "$bin" pagerank --input $g --quiet --partition hash : \
            -np 1 bash -c "ulimit -v $lim; exec $bin pagerank --input $g --quiet --partition hash" 2>&1)
        [ $? -ne 0 ] || { fail "limit $lim: exit 0 (the limit was not reached)"; continue; }
        local line
        line=$(echo "$err" | grep "error:")
        [ "$(echo "$line" | wc -l)" = 1 ] || { fail "limit $lim: $(echo "$line" | wc -l) error lines"; continue; }
        echo "$line" | grep -qE "out of memory .*(allocating|storing|request for|in [a-z_]+).*\(on rank 1 of 2, which had used [0-9]+ MB at its peak\)" ||
            { fail "limit $lim: $line"; continue; }
        pass "limit $lim: $line"
    done
}

# 7. Vertex ids travel as int64 everywhere: a source above 2^53 is that vertex, not its
#    neighbour in double precision, on both engines and in --verify's reference.
case_big_source() {
    printf '9007199254740993 1\n1 2\n9007199254740992 3\n3 4\n' > big.txt
    for engine in vertex linalg; do
        for np in 1 2; do
            expect_ok $np bfs --engine $engine --input big.txt --source 9007199254740993 \
                --quiet --output bfs.txt --verify || continue
            grep -q "^9007199254740993 0$" bfs.txt && grep -q "^2 2$" bfs.txt &&
                grep -q "^9007199254740992 9223372036854775807$" bfs.txt ||
                { fail "$engine np=$np: wrong depths"; cat bfs.txt; }
            grep -q "verify: PASS" stdout || fail "$engine np=$np: $(grep verify stdout)"
        done
    done
    expect_ok 2 sssp --input big.txt --source 9007199254740993 --quiet --output d.txt --verify &&
        grep -q "^2 2" d.txt || fail "sssp from a big id"
    [ $fails = 0 ] && pass "sources above 2^53 on both engines and in the references"
}

# 10. cg sums duplicate Matrix Market entries (A = [[2+2, 1], [1, 3]]: x = (2/11, 3/11) for
#     b = 1), where graph edges keep one (info: 3 distinct entries).
case_cg_duplicates() {
    printf '%%%%MatrixMarket matrix coordinate real symmetric\n2 2 4\n1 1 2\n2 1 1\n1 1 2\n2 2 3\n' > dup.mtx
    for np in 1 2 3; do
        expect_ok $np cg --matrix dup.mtx --tol 1e-12 --output x.txt --quiet || continue
        awk 'NR == FNR { x[$1] = $2; next } END {
                 e1 = x[1] - 2 / 11; e2 = x[2] - 3 / 11;
                 if (e1 < 0) e1 = -e1; if (e2 < 0) e2 = -e2; exit !(e1 < 1e-12 && e2 < 1e-12) }' \
            x.txt /dev/null || { fail "np=$np: x = $(tr '\n' ' ' < x.txt), want 2/11 3/11"; }
    done
    expect_ok 2 info --input dup.mtx --quiet && grep -q "^edges: 3" stdout ||
        fail "as a graph: $(grep edges stdout)"
    [ $fails = 0 ] && pass "cg summed the duplicate entry at 1-3 ranks"
}

# Issue 12, formats: --format csv (header line, delimiter, columns by number or name) reads the
# graph an edge list holds; convert writes edge lists, CSV and Matrix Market that read back to
# the same graph, at any rank count.
case_formats() {
    make_weighted # w.txt: "u v w", ids 1..1500
    { echo "# exported"; echo "weight;from;note;to"
      awk '{ printf "%s;%s;\"x;y\";%s\n", $3, $1, $2 }' w.txt; } > w.csv
    expect_ok 2 sssp --input w.txt --source 1 --quiet --output ref.txt || return
    for np in 1 3; do
        expect_ok $np sssp --input w.csv --delimiter ';' --columns from,to,weight --source 1 \
            --quiet --output csv.txt || continue
        cmp -s ref.txt csv.txt || fail "np=$np: the CSV (named columns) reads another graph"
        expect_ok $np sssp --input w.csv --format csv --delimiter ';' --columns 2,4,1 \
            --header yes --source 1 --quiet --output csv2.txt || continue
        cmp -s ref.txt csv2.txt || fail "np=$np: the CSV (numbered columns) reads another graph"
    done
    expect_error 2 "w.csv:2: expected a vertex id in column 2" - info --input w.csv \
        --delimiter ';' --columns 2,4 --header no
    expect_error 2 "w.csv: no column named 'dst' in the header line" - info --input w.csv \
        --delimiter ';' --columns from,dst
    expect_error 2 "w.csv:3: 1 field\(s\), the columns chosen need 2" - info --input w.csv
    local f
    for f in el mtx csv; do
        for np in 1 3; do
            expect_ok $np convert --input w.txt --output "back$np.$f" --partition hash || continue
            expect_ok 2 sssp --input "back$np.$f" --source 1 --quiet --output "rt.txt" ||
                continue
            cmp -s ref.txt rt.txt || fail "convert to .$f at np=$np does not read back the same"
        done
        cmp -s "back1.$f" "back3.$f" || fail ".$f differs between 1 and 3 ranks"
    done
    head -1 back1.mtx | grep -q "^%%MatrixMarket matrix coordinate real general$" ||
        fail "mtx banner: $(head -1 back1.mtx)"
    expect_ok 2 convert --input w.txt --undirected --output und.mtx && grep -q symmetric und.mtx &&
        expect_ok 2 info --input und.mtx --quiet && grep -q "^directed: no" stdout ||
        fail "an undirected graph as symmetric Matrix Market"
    [ $fails = 0 ] && pass "csv in, edge list/csv/mtx out, same graph at 1 and 3 ranks"
}
