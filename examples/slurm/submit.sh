#!/usr/bin/env bash
# Submits a greatgame batch as a SLURM job array of N shards and a merge job that waits for all of them.
# Usage: examples/slurm/submit.sh SCENARIO RUNS SEED SHARDS WORKDIR [run|compare|hindcast]
# Outputs land in WORKDIR/out; parts in WORKDIR/parts. Prints the merge job's id.
set -euo pipefail
if [ $# -lt 5 ]; then
    echo "usage: $0 SCENARIO RUNS SEED SHARDS WORKDIR [run|compare|hindcast]" >&2
    exit 2
fi
SCENARIO=$(realpath "$1"); RUNS=$2; SEED=$3; SHARDS=$4; WORKDIR=$(realpath -m "$5"); COMMAND=${6:-run}
HERE=$(dirname "$(realpath "$0")")
mkdir -p "$WORKDIR/parts"
common="ALL,SCENARIO=$SCENARIO,RUNS=$RUNS,SEED=$SEED,SHARDS=$SHARDS,COMMAND=$COMMAND,PARTS=$WORKDIR/parts"
array=$(sbatch --parsable --chdir="$WORKDIR" --array="1-$SHARDS" --export="$common" "$HERE/array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --chdir="$WORKDIR" --dependency="afterok:$array" \
    --export="ALL,PARTS=$WORKDIR/parts,OUT=$WORKDIR/out" "$HERE/merge.sbatch")
echo "${merge%%;*}"
