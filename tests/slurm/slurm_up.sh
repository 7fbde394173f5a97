#!/bin/bash
# slurm_up.sh DIR: starts a private single-node Slurm (munged, slurmctld, slurmd) whose files
# all live in DIR, listening on loopback only, with this host as controller and node (2 CPUs).
# Prints the environment to use it (SLURM_CONF=...). slurm_down.sh DIR stops it.
set -eu
d=$1
mkdir -p "$d/state" "$d/spool" "$d/munge" "$d/log"
chmod 700 "$d/munge"
host=$(hostname -s)
cpus=$(nproc)
# Free TCP ports on loopback for the two daemons.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
p1=$(port); p2=$(port)
while [ "$p2" = "$p1" ]; do p2=$(port); done
if [ ! -e "$d/munge/munge.key" ]; then
    dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$d/munge/munge.key"
fi
munged --force --key-file="$d/munge/munge.key" --socket="$d/munge/munge.sock" \
    --pid-file="$d/munge/munged.pid" --log-file="$d/log/munged.log" --seed-file="$d/munge/seed"
cat > "$d/slurm.conf" <<CONF
ClusterName=amlstest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.sock
CredType=cred/munge
SlurmctldPort=$p1
SlurmdPort=$p2
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobRequeue=1
SlurmdTimeout=60
InactiveLimit=0
MinJobAge=600
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
export SLURM_CONF=$d/slurm.conf
slurmctld -f "$d/slurm.conf"
slurmd -f "$d/slurm.conf"
for i in $(seq 60); do
    if sinfo -h -o "%T" 2>/dev/null | grep -qE "idle|mixed|alloc"; then
        echo "export SLURM_CONF=$d/slurm.conf"
        exit 0
    fi
    sleep 0.5
done
echo "slurm did not come up" >&2
tail -5 "$d/log/slurmctld.log" "$d/log/slurmd.log" >&2
exit 1
