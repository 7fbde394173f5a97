#!/bin/bash
# check_slurm.sh BIN SLURM_DIR PLUGIN: brings up a private single-node Slurm, submits each
# script of slurm/ with sbatch, waits, and checks the outputs against direct runs; requeues the
# checkpointing job in the middle of its run and checks that it resumes and ends with exactly
# the output of an uninterrupted run; sends the checkpointing job the time-limit signal (as
# --signal=B:USR1 does) and checks that it checkpoints, requeues itself and finishes with the
# same output; launches with srun (PMIx, and PMI2 where this Open MPI supports it). Stops the
# daemons it started. Exits 77 (skipped) when the Slurm packages are missing and cannot be
# installed.
set -u
bin=$1 scripts=$2 plugin=$3
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
    echo "installing slurmctld, slurmd, slurm-client, munge"
    if [ "$(id -u)" -ne 0 ] || ! (apt-get update -q > /dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            slurmctld slurmd slurm-client munge > /dev/null 2>&1); then
        echo "SKIPPED: the Slurm packages are not installed and could not be installed"
        exit 77
    fi
fi
work=$(mktemp -d /tmp/amls-slurm-XXXXXX)
cleanup() {
    [ -n "${SLURM_CONF:-}" ] && scancel --user=root > /dev/null 2>&1
    "$here/slurm_down.sh" "$work/slurm"
    if [ -n "${AMLS_SLURM_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
eval "$("$here/slurm_up.sh" "$work/slurm")" || { echo "FAIL: Slurm did not start"; exit 1; }
echo "slurm up: $(sinfo -h -o '%P %T %N %c')"
t0=$(date +%s)
stamp() { echo "[$(($(date +%s) - t0)) s] $*"; }
fail=0
# Waits for a job (array) to leave the queue; fails after $2 seconds. A squeue that fails (a
# busy slurmctld times out) says nothing about the job: ask again.
wait_job() {
    local out
    for _ in $(seq $(($2 * 2))); do
        if out=$(squeue -h -j "$1" 2>&1); then
            [ -z "$out" ] && return 0
        elif echo "$out" | grep -q "Invalid job id"; then
            return 0
        fi
        sleep 0.5
    done
    echo "FAIL: job $1 still queued after $2 s"; squeue; return 1
}
same() { # same OUTPUT EXPECTED: identical, or floats within 1e-12
    awk -v f="$2" '{ getline line < f; split(line, b, " "); if ($1 != b[1]) exit 1; if ($2 == b[2]) next;
        x = $2 + 0; y = b[2] + 0; e = x - y; if (e < 0) e = -e; m = x < 0 ? -x : x;
        if (e > 1e-12 * m) exit 1 }' "$1" && [ "$(wc -l < "$1")" = "$(wc -l < "$2")" ]
}
export AMLS_GRAPH=$bin
cd "$work"
"$bin" generate kron --scale 12 --edge-factor 8 --seed 3 --output graph.txt > /dev/null
mpirun -np 2 "$bin" pagerank --input graph.txt --iterations 30 --quiet --output ref-pr.txt > /dev/null

stamp "inputs ready"
# (b) a plugin job
j=$(sbatch --parsable --export=ALL,PLUGIN="$plugin",INPUT="$work/graph.txt",OUTDIR="$work/plugin" "$scripts/plugin.sbatch")
wait_job "$j" 120 || fail=1
mpirun -np 2 "$bin" run "$plugin" --input graph.txt --quiet --output ref-plugin.txt > /dev/null
if same plugin/result.txt ref-plugin.txt && [ -s plugin/result.stats.json ]; then echo "PASS: plugin job"; else
    echo "FAIL: plugin job"; cat amls-plugin-"$j".log; fail=1; fi

stamp "plugin job checked"
# (c) a job array over damping factors
j=$(sbatch --parsable --array=0-2 --export=ALL,INPUT="$work/graph.txt",VALUES="0.6 0.85 0.9",ITERATIONS=30,OUTDIR="$work/sweep" "$scripts/sweep.sbatch")
wait_job "$j" 180 || fail=1
for dmp in 0.6 0.85 0.9; do
    mpirun -np 2 "$bin" pagerank --input graph.txt --iterations 30 --damping $dmp --quiet --output ref-$dmp.txt > /dev/null
    if same sweep/pagerank-damping-$dmp.txt ref-$dmp.txt && [ -s sweep/pagerank-damping-$dmp.stats.json ]; then
        echo "PASS: array task with damping $dmp"; else echo "FAIL: array task $dmp"; cat amls-sweep-*.log; fail=1; fi
done

stamp "array checked"
# (d) convert, then run; a second submission reuses the container
for k in 1 2; do
    j=$(sbatch --parsable --export=ALL,INPUT="$work/graph.txt",CONTAINER="$work/graph.h5",ALGORITHM=wcc,OUTDIR="$work/cr$k" "$scripts/convert_run.sbatch")
    wait_job "$j" 120 || fail=1
    grep -E "converting|reusing" amls-convert-run-"$j".log
done
mpirun -np 2 "$bin" wcc --input graph.txt --quiet --output ref-wcc.txt > /dev/null
if same cr1/wcc.txt ref-wcc.txt && same cr2/wcc.txt ref-wcc.txt && [ -s cr2/wcc.stats.json ] &&
   grep -q reusing amls-convert-run-*.log; then echo "PASS: convert-then-run"; else echo "FAIL: convert-then-run"; fail=1; fi

stamp "convert-run checked"
# (a) checkpointing PageRank, requeued mid-run
"$bin" generate kron --scale 16 --edge-factor 16 --seed 5 --output big.txt > /dev/null
mpirun -np 2 "$bin" convert --input big.txt --output big.h5 --quiet > /dev/null
mpirun -np 2 "$bin" pagerank --input big.h5 --iterations 300 --quiet --output ref-big.txt > /dev/null
j=$(sbatch --parsable --export=ALL,INPUT="$work/big.h5",ITERATIONS=300,CHECKPOINT_EVERY=10,OUTDIR="$work/pr" "$scripts/pagerank_checkpoint.sbatch")
for _ in $(seq 240); do ls pr/checkpoints/ckpt-*.h5 > /dev/null 2>&1 && break; sleep 0.25; done
if ls pr/checkpoints/ckpt-*.h5 > /dev/null 2>&1 && [ ! -e pr/pagerank.txt ]; then
    scontrol requeue "$j" && echo "requeued job $j after $(ls pr/checkpoints) appeared"
else
    echo "FAIL: no checkpoint before the job ended (cannot test requeue)"; fail=1
fi
# Slurm delays a requeued job's start (its begin time moves ~2 minutes ahead); once it is
# pending again, make it eligible now, as an impatient user would.
for _ in $(seq 120); do
    [ "$(squeue -h -j "$j" -o %T 2> /dev/null)" = PENDING ] && break
    sleep 0.25
done
scontrol update JobId="$j" StartTime=now
stamp "waiting for the requeued job"
wait_job "$j" 300 || fail=1
stamp "requeued job done"
sleep 1
if grep -q "resuming from checkpoints" amls-pagerank-"$j".log && cmp -s pr/pagerank.txt ref-big.txt &&
   [ -s pr/pagerank.stats.json ]; then
    echo "PASS: requeued job resumed from its checkpoint; output identical to an uninterrupted run"
else
    echo "FAIL: requeue ($(scontrol show job -o "$j" 2>&1 | grep -o "JobState=[A-Z]*"))"; cat amls-pagerank-"$j".log; fail=1
fi

stamp "srun"
# (e) the srun launch path: PMIx must give one job of 2 ranks; PMI2 too where Open MPI supports
# it (Debian's Open MPI is built with PMIx only: under srun --mpi=pmi2 MPI_Init stops with
# "OMPI was not built with SLURM's PMI support").
for mpi in pmix pmi2; do
    j=$(sbatch --parsable --export=ALL,LAUNCH="srun --mpi=$mpi",PLUGIN="$plugin",INPUT="$work/graph.txt",OUTDIR="$work/srun-$mpi" "$scripts/plugin.sbatch")
    wait_job "$j" 120 || fail=1
    if same "srun-$mpi/result.txt" ref-plugin.txt && grep -q "^# loaded .* 2 ranks" amls-plugin-"$j".log; then
        echo "PASS: srun --mpi=$mpi: one job of 2 ranks, the output of a direct run"
    elif [ $mpi = pmi2 ] && grep -q "not built with SLURM's PMI support" amls-plugin-"$j".log; then
        echo "PASS: srun --mpi=pmi2: this Open MPI has no PMI2 support and says so (use --mpi=pmix)"
    else
        echo "FAIL: srun --mpi=$mpi"; cat amls-plugin-"$j".log; fail=1
    fi
done

# (f) the time-limit signal: USR1 to the batch shell (what --signal=B:USR1@T sends) makes the
# ranks checkpoint and stop; the script requeues the job, which resumes and finishes. Launched
# with srun, which passes the signal on to the ranks. On a loaded machine the daemons have been
# seen to end the requeued job FAILED (once in about ten runs at load 10-15, and once under
# ASan): the case is tried a second time then, with the first try's log and the daemons' lines
# printed; two failures fail the test.
signal_case() {
    local j out=$work/sig$1
    j=$(sbatch --parsable --export=ALL,INPUT="$work/big.h5",ITERATIONS=300,CHECKPOINT_EVERY=0,OUTDIR="$out",LAUNCH="srun --mpi=pmix" "$scripts/pagerank_checkpoint.sbatch")
    for _ in $(seq 240); do grep -q "^superstep 3:" amls-pagerank-"$j".log 2> /dev/null && break; sleep 0.25; done
    scancel --batch --signal=USR1 "$j"
    for _ in $(seq 240); do grep -q "requeueing" amls-pagerank-"$j".log 2> /dev/null && break; sleep 0.25; done
    for _ in $(seq 120); do
        [ "$(squeue -h -j "$j" -o %T 2> /dev/null)" = PENDING ] && break
        sleep 0.25
    done
    scontrol update JobId="$j" StartTime=now
    wait_job "$j" 300 || return 1
    sleep 1
    if grep -q "time limit near, checkpointing" amls-pagerank-"$j".log && grep -q "^stopped: on SIGUSR1" amls-pagerank-"$j".log &&
       grep -q "resuming from checkpoints" amls-pagerank-"$j".log && cmp -s "$out"/pagerank.txt ref-big.txt; then
        echo "PASS: time-limit signal: checkpointed, requeued itself, resumed; output identical to an uninterrupted run"
        return 0
    fi
    echo "time-limit signal, try $1: not as expected ($(scontrol show job -o "$j" 2>&1 | grep -oE "(JobState|Reason|ExitCode|Restarts)=[^ ]*" | tr '\n' ' '))"
    cat amls-pagerank-"$j".log
    echo "--- slurmctld and slurmd on job $j"
    grep -hE "JobId=$j|job_id[= ]$j|job $j\b|StepId=$j" "$work"/slurm/log/slurmctld.log "$work"/slurm/log/slurmd.log | tail -25
    return 1
}
stamp "time-limit signal"
signal_case 1 || { stamp "time-limit signal, second try"; signal_case 2; } ||
    { echo "FAIL: time-limit signal (twice)"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: all Slurm scripts"
exit $fail
