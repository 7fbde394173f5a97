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
