#!/usr/bin/env bash
# End-to-end test of the SLURM example on a single-node cluster on this machine: installs Debian's
# slurm-wlm and munge if needed, starts munged, slurmctld and slurmd by hand (no systemd, no cgroups:
# proctrack/linuxproc and task/none), submits examples/slurm/submit.sh (a job array of shards and a
# dependent merge), and checks the merged CSVs are byte-identical to a single-process run. Stops the
# daemons it started. Needs root. Usage: tests/cluster/slurm_local.sh [RUNS] [SHARDS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-3000}
SHARDS=${2:-3}
SEED=11
# The built-in scenario as shipped, with the parameter ensemble it names (each set's starting shares
# written to the last bit): what a user shards, run by the release binary a user runs.
SCENARIO="$ROOT/scenarios/central_asia_2017.toml"
WORK=$(mktemp -d /tmp/greatgame-slurm.XXXXXX)
PIDS=()
cleanup() {
    # The daemons fork into the background: stop the ones this script started, by process id.
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

host=$(hostname -s)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /etc/munge
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key /run/munge
chmod 400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged --force
    PIDS+=($(pgrep -x munged))
fi
munge -n | unmunge >/dev/null

cat > /etc/slurm/slurm.conf <<CONF
ClusterName=greatgame-test
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
rm -f /etc/slurm/cgroup.conf

pkill -x slurmctld 2>/dev/null || true
pkill -x slurmd 2>/dev/null || true
sleep 1
/usr/sbin/slurmctld -i
/usr/sbin/slurmd
sleep 1
PIDS+=($(pgrep -x slurmctld) $(pgrep -x slurmscriptd) $(pgrep -x slurmd))
for _ in $(seq 1 60); do
    sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break
    sleep 1
done
sinfo -h -o %T | grep -qE '^(idle|mixed|allocated)' || { echo "slurm node did not come up"; sinfo; tail -20 /var/log/slurm/*.log; exit 1; }

(cd "$ROOT" && cargo build --release --quiet)
export GREATGAME="$ROOT/target/release/greatgame"
merge_job=$("$ROOT/examples/slurm/submit.sh" "$SCENARIO" "$RUNS" "$SEED" "$SHARDS" "$WORK" run)
echo "submitted: merge job $merge_job"
for _ in $(seq 1 300); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 1
done
[ -z "$(squeue -h)" ] || { echo "jobs still queued after 300 s"; squeue; exit 1; }
[ -f "$WORK/out/manifest.json" ] || { echo "merge produced no manifest"; cat "$WORK"/*.out 2>/dev/null; tail -20 /var/log/slurm/*.log; exit 1; }

"$GREATGAME" run "$SCENARIO" --runs "$RUNS" --seed "$SEED" --quiet --out "$WORK/single" >/dev/null
status=0
for f in "$WORK"/single/*.csv; do
    name=$(basename "$f")
    if cmp -s "$f" "$WORK/out/$name"; then echo "identical: $name"; else echo "DIFFERS: $name"; status=1; fi
done
[ "$status" -eq 0 ] && echo "slurm_local: $SHARDS-task job array + merge identical to a single run ($RUNS runs)"
rm -rf "$WORK"
exit $status
