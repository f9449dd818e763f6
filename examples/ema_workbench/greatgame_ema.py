"""greatgame as an EMA Workbench model: a Latin hypercube over uncertainties, every declared policy,
and PRIM on one outcome.

No glue beyond calling the binary: each experiment is one `greatgame run --json`, with the uncertainties
given as `--set PATH=VALUE` (the dotted paths of `[[calibrate]]`), the policy as `--policy NAME`, and the
outcomes read from the single JSON line it prints (README, "Scripting"). No file is written, so parallel
workers need no output folders of their own; set GREATGAME_THREADS to share the cores among them.

The shipped scenario names its calibrated ensemble (`parameters = "ensemble_2005.csv"`), so within one
experiment each of the RUNS runs draws one of its 200 parameter sets, by weight, as `greatgame run`
always does; a `--set` value holds over the ensemble's column of the same path (here `model.mood_sd` and
`model.economic_weight`). An experiment's outcome is therefore averaged over what the history leaves
uncertain as well as over the runs' noise. To sample the ensemble as one more uncertainty instead (each
experiment at one set), use `greatgame explore`, which makes it a factor of the design; to run every
experiment at the calibrated point, add `--parameters none` to `args`. The runs are seeded by the
scenario (`seed`), so an experiment's outcomes are the same for the same values on any machine; the
Latin hypercube is EMA Workbench's own sampling from NumPy's global generator, which this example seeds
(`SEED`). EMA Workbench keeps the plans (a categorical lever) in Python sets, whose order follows
Python's per-process string hashing: with `PYTHONHASHSEED=0` as well (run.sh sets it), the whole output
repeats.

    python3 -m venv venv && venv/bin/pip install ema_workbench
    PYTHONHASHSEED=0 GREATGAME=target/release/greatgame venv/bin/python examples/ema_workbench/greatgame_ema.py [N] [RUNS]
"""

import json
import os
import subprocess
import sys

import numpy as np

from ema_workbench import (
    CategoricalParameter,
    Model,
    Policy,
    RealParameter,
    ScalarOutcome,
    perform_experiments,
)
from ema_workbench.analysis import prim

GREATGAME = os.environ.get("GREATGAME", "greatgame")
SCENARIO = os.environ.get("GREATGAME_SCENARIO", "scenarios/central_asia_2017.toml")
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 200

# Uncertainties: dotted scenario paths (EMA names may not contain dots, so `__` stands for `.`),
# with plausible ranges around the shipped values.
UNCERTAINTIES = {
    "model__mood_sd": (0.05, 0.25),
    "model__economic_weight": (0.3, 0.8),
    "event__spillover__hazard": (0.0, 0.05),
    "event__sanctions_on_russia__hazard": (0.0, 0.08),
}
POLICIES = ["baseline", "china_doubles_lending", "nato_reopens_transit", "russia_tightens_migrant_access"]
OUTCOMES = ["UZB.dominant.Russia", "KAZ.dominant.Russia", "KGZ.dominant.China"]


def greatgame(plan="baseline", **uncertainties):
    """One experiment: the outcomes of `greatgame run --json` for these values and this policy."""
    args = [GREATGAME, "run", SCENARIO, "--runs", str(RUNS), "--json", "--quiet"]
    for name, value in uncertainties.items():
        args += ["--set", f"{name.replace('__', '.')}={float(value)!r}"]
    if plan != "baseline":
        args += ["--policy", plan]
    line = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    row = json.loads(line)
    return {key.replace(".", "_"): row[key] for key in OUTCOMES}


# The hypercube's seed (any fixed number; the scenario's own `seed` seeds the runs).
SEED = 2017


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    model = Model("greatgame", function=greatgame)
    model.uncertainties = [RealParameter(k, lo, hi) for k, (lo, hi) in UNCERTAINTIES.items()]
    model.levers = [CategoricalParameter("plan", POLICIES)]
    model.outcomes = [ScalarOutcome(k.replace(".", "_")) for k in OUTCOMES]
    policies = [Policy(name, plan=name) for name in POLICIES]
    # EMA Workbench samples its Latin hypercube from NumPy's global generator: seeded, the same N gives
    # the same experiments (and, the runs being seeded by the scenario, the same outcomes) on any machine.
    np.random.seed(SEED)
    experiments, outcomes = perform_experiments(model, scenarios=n, policies=policies)
    # PRIM: which uncertainties and policies make Russia's lead in Uzbekistan likelier than in three
    # experiments out of four? (An outcome that moves: Uzbekistan balances between Russia and China,
    # 000:406; Kyrgyzstan is Russia's in nearly every run, so China's lead there is almost always 0.)
    target = "UZB_dominant_Russia"
    cut = float(np.quantile(outcomes[target], 0.75))
    y = outcomes[target] > cut
    print(f"{len(experiments)} experiments; {y.mean():.2f} with P({target}) > {cut:.3f}")
    x = experiments[list(UNCERTAINTIES) + ["plan"]]
    box = prim.Prim(x, y, threshold=0.8).find_box()
    # The densest box still covering half the cases (PrimBox.inspect trips on categorical levers with
    # recent pandas, so the limits are printed as they are).
    trajectory = box.peeling_trajectory
    i = int(trajectory[trajectory["coverage"] >= 0.5]["density"].idxmax())
    print(trajectory.loc[i, ["coverage", "density", "mass", "res_dim"]].to_string())
    print(box.box_lims[i].to_string())


if __name__ == "__main__":
    main()
