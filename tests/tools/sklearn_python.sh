# Sourced by the tests that compare with scikit-learn: sets py to a Python with scikit-learn,
# numpy and scipy (the first python3 on PATH, else Debian's), or prints why the test is
# skipped and exits 77.
py=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" > /dev/null && "$p" -c "import sklearn, numpy, scipy" 2> /dev/null; then
        py=$p
        break
    fi
done
[ -n "$py" ] || { echo "SKIPPED: no Python with scikit-learn (Debian: apt-get install python3-sklearn)"; exit 77; }
