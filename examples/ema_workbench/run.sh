#!/usr/bin/env bash
# The EMA Workbench example end to end: a Python virtual environment with ema_workbench, the release
# binary, a small LHS over the uncertainties and policies, and PRIM. Skips when python3 cannot make a
# virtual environment. Usage: bash examples/ema_workbench/run.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! python3 -m venv --help >/dev/null 2>&1; then
    echo "skipping examples/ema_workbench: python3 with venv not available"
    exit 0
fi
venv=target/ema-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r examples/ema_workbench/requirements.txt
cargo build --release --quiet
# Seeded (the hypercube by SEED, the runs by the scenario): a second run must print the same. EMA
# Workbench keeps a categorical lever's levels (the plans) in Python sets, whose order follows string
# hashing, which Python salts per process unless PYTHONHASHSEED is fixed.
run() {
    PYTHONHASHSEED=0 GREATGAME=target/release/greatgame "$venv/bin/python" \
        examples/ema_workbench/greatgame_ema.py "${1:-20}" "${2:-100}"
}
first=$(run "$@")
second=$(run "$@")
printf '%s\n' "$first"
if [ "$first" != "$second" ]; then
    echo "examples/ema_workbench: a second run printed something else" >&2
    exit 1
fi
echo "examples/ema_workbench: a second run printed the same"
