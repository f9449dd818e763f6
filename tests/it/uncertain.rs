//! `[[uncertain]]` (issue 15 item 1): bad entries are located errors; the values runs draw follow their
//! distributions; outputs stay byte-identical across threads and shards; policies stay paired; an
//! uncertain number that cannot vary changes nothing; every run's values are in parameters.csv.

use std::path::{Path, PathBuf};

use greatgame::analysis::uncertain::{draw, Varied};
use greatgame::engine::PerRun;
use greatgame::scenario::Scenario;

use crate::common::{csv_files, data, fails_with, line_col, ok, records};

/// small.toml with `extra` appended, written to `dir/s.toml`.
fn scenario_with(dir: &Path, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(data("small.toml")).unwrap() + "\n" + extra;
    let path = dir.join("s.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `command` on `scenario` with `runs` runs into the folder `out`.
fn run_into(command: &str, scenario: &Path, runs: &str, out: &Path) {
    ok(&[
        command,
        scenario.to_str().unwrap(),
        "--runs",
        runs,
        "--out",
        out.to_str().unwrap(),
    ]);
}

/// Two uncertain numbers of small.toml: a coefficient and a starting share.
const TWO: &str = r#"
[[uncertain]]
path = "model.economic_weight"
distribution = "triangular"
low = 0.3
mode = 0.55
high = 0.9
reason = "test"

[[uncertain]]
path = "state.AAA.alignment.Russia"
distribution = "uniform"
low = 0.4
high = 0.6
reason = "test"
"#;

#[test]
fn bad_uncertain_entries_are_errors_at_the_offending_value() {
    // (entry body after the path, the text the error points at, the key named, what is allowed)
    let cases = [
        (
            "distribution = \"beta\"\nlow = 0.0\nhigh = 0.1",
            "\"beta\"",
            "uncertain.event.spillover.hazard.distribution",
            "expected one of: uniform, triangular, normal, choice",
        ),
        (
            "distribution = \"uniform\"\nlow = 0.0\nmode = 0.05\nhigh = 0.1",
            "0.05",
            "uncertain.event.spillover.hazard.mode",
            "expected only: low, high",
        ),
        (
            "distribution = \"normal\"\nlow = 0.0\nhigh = 0.1",
            "\"event.spillover.hazard\"",
            "uncertain.event.spillover.hazard.sd",
            "needs low, high, sd",
        ),
        (
            "distribution = \"triangular\"\nlow = 0.0\nmode = 0.3\nhigh = 0.1",
            "0.3",
            "uncertain.event.spillover.hazard.triangular",
            "between lo and hi",
        ),
        (
            "distribution = \"choice\"\nvalues = [0.01, 0.02]\nweights = [1.0, -1.0]",
            "[1.0, -1.0]",
            "uncertain.event.spillover.hazard.choice",
            "positive",
        ),
        (
            "distribution = \"uniform\"\nlow = 0.0\nhigh = 0.1\nreason = \"  \"",
            "\"  \"",
            "uncertain.event.spillover.hazard.reason",
            "expected why",
        ),
        // A range beyond what the key accepts: found by writing its end into the file.
        (
            "distribution = \"uniform\"\nlow = 0.0\nhigh = 2.0",
            "\"event.spillover.hazard\"",
            "uncertain.path",
            "expected 0..=1",
        ),
    ];
    for (body, at, key, allowed) in cases {
        let dir = tempfile::tempdir().unwrap();
        let reason = if body.contains("reason") {
            ""
        } else {
            "\nreason = \"test\""
        };
        let entry = format!("[[uncertain]]\npath = \"event.spillover.hazard\"\n{body}{reason}\n");
        let path = scenario_with(dir.path(), &entry);
        let text = std::fs::read_to_string(&path).unwrap();
        let start = text.find("[[uncertain]]").unwrap();
        let (line, col) = line_col(&text[start..], at);
        let line = line + text[..start].matches('\n').count();
        let out = fails_with(
            2,
            &[
                "run",
                path.to_str().unwrap(),
                "--runs",
                "5",
                "--out",
                dir.path().join("o").to_str().unwrap(),
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        let located = format!("s.toml:{line}:{col}: {key}");
        assert!(err.contains(&located), "expected `{located}` in:\n{err}");
        assert!(err.contains(allowed), "expected `{allowed}` in:\n{err}");
        assert!(!dir.path().join("o").exists(), "nothing written");
    }
}

#[test]
fn bad_paths_are_errors_naming_what_is_allowed() {
    let cases = [
        ("event.nothing.hazard", "no event named `nothing`, expected one of: sanctions, crackdown, spillover, succession"),
        ("model.no_such", "unknown coefficient `no_such`"),
        ("policy.x.y", "unknown section `policy`"),
        ("lever.Mars.AAA.aid_usd_m", "no pole named `Mars`"),
        ("hazard", "is not a parameter path"),
    ];
    for (p, allowed) in cases {
        let dir = tempfile::tempdir().unwrap();
        let entry = format!("[[uncertain]]\npath = \"{p}\"\ndistribution = \"uniform\"\nlow = 0.0\nhigh = 0.1\nreason = \"test\"\n");
        let path = scenario_with(dir.path(), &entry);
        let text = std::fs::read_to_string(&path).unwrap();
        let (line, col) = line_col(&text, &format!("\"{p}\""));
        let out = fails_with(2, &["check", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("s.toml:{line}:{col}: uncertain.path")),
            "{p}:\n{err}"
        );
        assert!(
            err.contains(allowed),
            "{p}: expected `{allowed}` in:\n{err}"
        );
    }
}

/// Mean and variance of `xs`.
fn moments(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    (
        mean,
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0),
    )
}

#[test]
fn draws_follow_their_distributions() {
    let text = std::fs::read_to_string(data("small.toml")).unwrap()
        + TWO
        + r#"
[[uncertain]]
path = "model.mood_sd"
distribution = "normal"
mean = 0.2
sd = 0.05
low = 0.1
high = 0.4
reason = "test"

[[uncertain]]
path = "state.AAA.threat"
distribution = "choice"
values = [0.1, 0.3, 0.5]
weights = [1, 2, 1]
reason = "test"
"#;
    let sc = Scenario::from_toml(&text, "t.toml").unwrap();
    let n = 40_000u64;
    let runs: Vec<Vec<f64>> = (0..n).map(|i| draw(&sc.uncertain, 9, i)).collect();
    let column = |k: usize| runs.iter().map(|r| r[k]).collect::<Vec<f64>>();
    // Each mean within 4 standard errors; each variance within 5% (about 5 standard errors at n = 40,000).
    let close = |name: &str, xs: &[f64], mean: f64, var: f64| {
        let (m, v) = moments(xs);
        let se = (var / xs.len() as f64).sqrt();
        assert!(
            (m - mean).abs() < 4.0 * se,
            "{name}: mean {m}, expected {mean} ± {}",
            4.0 * se
        );
        assert!(
            (v / var - 1.0).abs() < 0.05,
            "{name}: variance {v}, expected {var}"
        );
    };
    // Triangular(a, c, b): mean (a+b+c)/3, variance (a²+b²+c²−ab−ac−bc)/18.
    let (a, c, b) = (0.3, 0.55, 0.9);
    close(
        "triangular",
        &column(0),
        (a + b + c) / 3.0,
        (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
    );
    close("uniform", &column(1), 0.5, 0.2f64.powi(2) / 12.0);
    // Normal(0.2, 0.05) truncated to [0.1, 0.4] = [−2σ, +4σ]: mean μ + σ(φ(α) − φ(β))/Z, variance
    // σ²(1 + (αφ(α) − βφ(β))/Z − ((φ(α) − φ(β))/Z)²).
    // φ(−2) and φ(4), the standard normal density.
    let phi = |x: f64| {
        if x < 0.0 {
            0.053_990_966_513_188_06
        } else {
            0.000_133_830_225_764_885_4
        }
    };
    let (al, be) = (-2.0, 4.0);
    // Φ(4) − Φ(−2), from the standard normal table.
    let z = 0.999_968_328_758_166_9 - 0.022_750_131_948_179_2;
    let d = (phi(al) - phi(be)) / z;
    let var = 0.05f64.powi(2) * (1.0 + (al * phi(al) - be * phi(be)) / z - d * d);
    close("truncated normal", &column(2), 0.2 + 0.05 * d, var);
    let threat = column(3);
    assert!(threat.iter().all(|x| [0.1, 0.3, 0.5].contains(x)));
    let middle = threat.iter().filter(|&&x| x == 0.3).count() as f64 / n as f64;
    assert!(
        (middle - 0.5).abs() < 4.0 * (0.25 / n as f64).sqrt(),
        "choice weight 2 of 4: {middle}"
    );
    // Within bounds, and a run's values do not depend on which other runs were drawn.
    assert!(column(2).iter().all(|x| (0.1..=0.4).contains(x)));
    assert_eq!(draw(&sc.uncertain, 9, 123), runs[123]);
    assert_ne!(
        draw(&sc.uncertain, 10, 123),
        runs[123],
        "another seed, other values"
    );
}

#[test]
fn each_run_gets_a_world_with_its_own_values() {
    let text = std::fs::read_to_string(data("small.toml")).unwrap() + TWO;
    let sc = Scenario::from_toml(&text, "t.toml").unwrap();
    let names = vec!["baseline".to_string(), "no_op".to_string()];
    let varied = Varied::new(&text, "t.toml", &sc, None, 3, &names)
        .unwrap()
        .unwrap();
    assert_eq!(
        varied.names(),
        ["model.economic_weight", "state.AAA.alignment.Russia"]
    );
    assert!(varied.is_direct(), "a starting share has a setter");
    for run in [0, 1, 77] {
        let values = varied.values(run);
        let (world, plans) = varied.world(run).unwrap();
        assert_eq!(plans.len(), 2);
        assert_eq!(world.coefficients.economic_weight, values[0]);
        let a = &world.states[0].alignment;
        assert!(
            (a[1] - values[1]).abs() < 1e-12,
            "Russia's starting share is the drawn one"
        );
        assert!(
            (a.iter().sum::<f64>() - 1.0).abs() < 1e-12,
            "shares still sum to 1: {a:?}"
        );
        // NATO and China keep their proportions (0.2 : 0.3).
        assert!((a[0] / a[2] - 0.2 / 0.3).abs() < 1e-12);
    }
    // A lever has no setter: each run's world is the scenario validated again with its value.
    let lever = format!(
        "{}\n[[uncertain]]\npath = \"lever.Russia.AAA.aid_usd_m\"\ndistribution = \"uniform\"\nlow = 10\nhigh = 20\nreason = \"test\"\n",
        std::fs::read_to_string(data("small.toml")).unwrap()
    );
    let sc = Scenario::from_toml(&lever, "t.toml").unwrap();
    let varied = Varied::new(&lever, "t.toml", &sc, None, 3, &names)
        .unwrap()
        .unwrap();
    assert!(!varied.is_direct(), "a lever is set by validating again");
    let value = varied.values(5)[0];
    let (world, _) = varied.world(5).unwrap();
    let again = greatgame::analysis::uncertain::apply(
        &lever,
        "t.toml",
        &["lever.Russia.AAA.aid_usd_m"],
        &[value],
    )
    .unwrap();
    assert_eq!(world, again.world);
    assert_ne!(world, sc.world, "the drawn value is in the run's world");
}

/// Runs `args` with `--out` a fresh folder; returns the folder's CSV files.
fn outputs(args: &[&str]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", out.to_str().unwrap(), "--quiet"]);
    ok(&all);
    csv_files(&out)
}

/// Runs `compare` on `args` whole, then as `shards` shards merged; asserts the merged folder's CSV
/// files equal the whole run's, byte for byte, and returns them.
fn merged_equals_whole(dir: &Path, args: &[&str], shards: u64) -> Vec<(String, Vec<u8>)> {
    let mut whole = vec!["compare"];
    whole.extend(args);
    let one = outputs(&whole);
    let mut parts = Vec::new();
    for k in 1..=shards {
        let part = dir.join(format!("part{k}"));
        let shard = format!("{k}/{shards}");
        let mut sharded = whole.clone();
        sharded.extend([
            "--shard",
            &shard,
            "--out",
            part.to_str().unwrap(),
            "--quiet",
        ]);
        ok(&sharded);
        parts.push(part);
    }
    let merged = dir.join("merged");
    let mut merge = vec!["merge"];
    merge.extend(parts.iter().map(|p| p.to_str().unwrap()));
    merge.extend(["--out", merged.to_str().unwrap()]);
    ok(&merge);
    assert_eq!(one, csv_files(&merged), "{shards} shards merged");
    one
}

#[test]
fn outputs_with_uncertain_numbers_are_identical_across_threads_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_with(dir.path(), TWO);
    let s = path.to_str().unwrap();
    let one = merged_equals_whole(dir.path(), &[s, "--runs", "1500", "--threads", "1"], 2);
    assert!(one.iter().any(|(name, _)| name == "robust.csv"));
    assert!(one.iter().any(|(name, _)| name == "parameters.csv"));
    assert_eq!(
        one,
        outputs(&["compare", s, "--runs", "1500", "--threads", "2"]),
        "threads"
    );
}

#[test]
fn shards_with_parameters_merge_into_the_whole_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_with(dir.path(), "");
    let sets = dir.path().join("sets.csv");
    std::fs::write(
        &sets,
        "set,weight,distance,passed,model.economic_weight,event.crackdown.hazard\n\
         0,0.5,0,1,0.3,0.1\n1,0.3,0,1,0.6,0.4\n2,0.2,0,1,0.9,0.02\n",
    )
    .unwrap();
    let (s, f) = (path.to_str().unwrap(), sets.to_str().unwrap());
    let one = merged_equals_whole(dir.path(), &[s, "--runs", "700", "--parameters", f], 3);
    let names: Vec<&str> = one.iter().map(|(name, _)| name.as_str()).collect();
    for want in [
        "robust.csv",
        "parameters.csv",
        "runs.csv",
        "compare.csv",
        "paired.csv",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    // Parts made with another parameter file are not of the same batch.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "model.economic_weight\n0.5\n").unwrap();
    let stray = dir.path().join("stray");
    ok(&[
        "compare",
        s,
        "--runs",
        "700",
        "--parameters",
        other.to_str().unwrap(),
        "--shard",
        "3/3",
        "--out",
        stray.to_str().unwrap(),
        "--quiet",
    ]);
    let refused = fails_with(
        2,
        &[
            "merge",
            dir.path().join("part1").to_str().unwrap(),
            dir.path().join("part2").to_str().unwrap(),
            stray.to_str().unwrap(),
            "--out",
            dir.path().join("bad").to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("parts differ in --parameters"), "{stderr}");
}

#[test]
fn parameters_csv_holds_every_run_s_values_and_they_vary() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_with(dir.path(), TWO);
    let out = dir.path().join("o");
    run_into("run", &path, "50", &out);
    let rows = records(&out.join("parameters.csv"));
    assert_eq!(rows.len(), 100, "50 runs x 2 numbers");
    let sc = Scenario::from_toml(&std::fs::read_to_string(&path).unwrap(), "s.toml").unwrap();
    let seed = sc.meta.seed;
    for (i, pair) in rows.chunks(2).enumerate() {
        let expected = draw(&sc.uncertain, seed, i as u64);
        for (row, (name, value)) in pair.iter().zip(
            ["model.economic_weight", "state.AAA.alignment.Russia"]
                .iter()
                .zip(expected),
        ) {
            assert_eq!(row["run"], i.to_string());
            assert_eq!(row["parameter"], *name);
            assert_eq!(row["value"].parse::<f64>().unwrap(), value);
        }
    }
    // Without uncertain numbers there is no parameters.csv, and a stale one is removed.
    run_into("run", &data("small.toml"), "50", &out);
    assert!(!out.join("parameters.csv").exists());
}

#[test]
fn a_policy_that_changes_nothing_differs_by_exactly_zero_under_uncertain_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_with(dir.path(), TWO);
    let out = dir.path().join("o");
    run_into("compare", &path, "300", &out);
    let rows = records(&out.join("compare.csv"));
    let no_op: Vec<_> = rows.iter().filter(|r| r["policy"] == "no_op").collect();
    assert_eq!(no_op.len(), 9);
    for r in no_op {
        for col in ["mean_difference", "ci95_low", "ci95_high"] {
            assert_eq!(r[col].parse::<f64>().unwrap(), 0.0, "{col} in {r:?}");
        }
    }
}

#[test]
fn an_uncertain_number_with_one_possible_value_changes_no_output() {
    // The value as written, as a one-value choice: the runs go one at a time with their own world and
    // their own parameter stream, yet every shock and every result is the same as without it.
    let dir = tempfile::tempdir().unwrap();
    let fixed = "[[uncertain]]\npath = \"event.spillover.hazard\"\ndistribution = \"choice\"\nvalues = [0.02]\nreason = \"test\"\n";
    let path = scenario_with(dir.path(), fixed);
    let s = path.to_str().unwrap();
    let plain = data("small.toml");
    let with: Vec<_> = outputs(&["compare", s, "--runs", "700"])
        .into_iter()
        .filter(|(name, _)| name != "parameters.csv" && name != "robust.csv")
        .collect();
    assert_eq!(
        with,
        outputs(&["compare", plain.to_str().unwrap(), "--runs", "700"])
    );
}

/// The world and plans a run gets from the direct setters (every coefficient, a decided bloc's
/// thresholds, a state event's effects, one starting share of a state and all of another's, written
/// into a copy of the world) are exactly those of validating the scenario again
/// with the run's values, on every shipped scenario and the test scenario: the derived rest-point
/// affinities and the bases' default security follow the new coefficients the same way.
#[test]
fn direct_setters_give_exactly_the_world_validation_gives() {
    use greatgame::analysis::uncertain::{apply, Ensemble};
    use greatgame::model::COEFFICIENTS;
    let mut files: Vec<PathBuf> = [
        "central_asia_2017.toml",
        "history_2005.toml",
        "russia_squeeze.toml",
    ]
    .iter()
    .map(|f| crate::common::shipped(f))
    .collect();
    files.push(data("small.toml"));
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let sc = Scenario::from_toml(&text, "s.toml").unwrap();
        let mut names: Vec<String> = COEFFICIENTS
            .iter()
            .map(|c| format!("model.{}", c.key))
            .collect();
        let csto = sc
            .world
            .blocs
            .iter()
            .any(|b| b.name == "CSTO" && b.decided.is_some());
        if csto {
            names.extend([
                "bloc.CSTO.join_above".into(),
                "bloc.CSTO.leave_below".into(),
                format!("state.{}.reluctance.CSTO", sc.world.states[0].code),
            ]);
        }
        // Every effect of the first state event with a critic pole.
        let event = sc
            .world
            .events
            .iter()
            .find(|e| e.critic.is_some())
            .expect("a state event with a critic");
        for key in ["threat", "regime", "criticism", "realign"] {
            names.push(format!("event.{}.{key}", event.name));
        }
        // One starting share of the first state (the others rescaled), and every share of the last
        // (written as given).
        let poles = &sc.world.poles;
        let (first, last) = (&sc.world.states[0], sc.world.states.last().unwrap());
        names.push(format!("state.{}.alignment.{}", first.code, poles[0]));
        names.extend(
            poles
                .iter()
                .rev()
                .map(|p| format!("state.{}.alignment.{p}", last.code)),
        );
        // Eight sets spread over every coefficient's range (a different fraction of it for each).
        let sets: Vec<Vec<f64>> = (0..8)
            .map(|s| {
                let mut set: Vec<f64> = COEFFICIENTS
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let u = ((s * 7 + i * 3) % 11) as f64 / 10.0;
                        c.min + u * (c.max - c.min)
                    })
                    .collect();
                if csto {
                    set.extend([
                        0.5 + 0.05 * s as f64,
                        0.1 + 0.04 * s as f64,
                        -0.1 + 0.03 * s as f64,
                    ]);
                }
                let u = s as f64 / 7.0;
                set.extend([-1.0 + 2.0 * u, 1.0 - 2.0 * u, 10.0 * u, u]);
                set.push(0.1 + 0.8 * u);
                let weights: Vec<f64> = (0..poles.len())
                    .map(|p| 1.0 + ((s + p) % 3) as f64 + 0.1 * u)
                    .collect();
                let total: f64 = weights.iter().sum();
                set.extend(weights.iter().rev().map(|w| w / total));
                set
            })
            .collect();
        let plans: Vec<String> = std::iter::once("baseline".to_string())
            .chain(sc.policies.iter().map(|p| p.name.clone()))
            .collect();
        let ensemble = Ensemble {
            names: names.clone(),
            sets: sets.clone(),
            weights: None,
        };
        let varied = Varied::new(&text, "s.toml", &sc, Some(ensemble), 9, &plans)
            .unwrap()
            .unwrap();
        assert!(varied.is_direct(), "{}", file.display());
        let paths: Vec<&str> = names.iter().map(String::as_str).collect();
        for run in 0..24 {
            let values = varied.values(run);
            let (world, run_plans) = varied.world(run).unwrap();
            let slow = apply(&text, "s.toml", &paths, &values).unwrap();
            assert_eq!(world, slow.world, "{}: run {run}", file.display());
            let slow_plans: Vec<_> = std::iter::once(slow.baseline.clone())
                .chain(slow.policies.iter().cloned())
                .collect();
            assert_eq!(run_plans, slow_plans, "{}: run {run}", file.display());
        }
    }
}

/// An event's hazard set directly (in every state and quarter it reaches, through per-state hazards
/// and border exposure) gives exactly the world and plans of validating the scenario with the value,
/// on every shipped scenario, for the baseline alone and for every plan; and an event with scheduled
/// hazards, or one a policy run scales, has no setter.
#[test]
fn hazard_setters_give_exactly_the_plans_validation_gives() {
    use greatgame::analysis::uncertain::{apply, Setters};
    let mut resolved = 0;
    for file in [
        "central_asia_2017.toml",
        "history_2005.toml",
        "russia_squeeze.toml",
        "nato_return.toml",
    ] {
        let text = std::fs::read_to_string(crate::common::shipped(file)).unwrap();
        let sc = Scenario::from_toml(&text, "s.toml").unwrap();
        let all: Vec<String> = std::iter::once("baseline".to_string())
            .chain(sc.policies.iter().map(|p| p.name.clone()))
            .collect();
        for event in &sc.world.events {
            let path = format!("event.{}.hazard", event.name);
            for plans in [&all[..1], &all[..]] {
                let Some(setters) = Setters::new(&text, &sc, &[path.as_str()], plans) else {
                    continue;
                };
                resolved += 1;
                for v in [0.0, 0.0137, 0.6, 1.0] {
                    let (world, set_plans) = setters.apply(&[v]).unwrap();
                    let slow = apply(&text, "s.toml", &[path.as_str()], &[v]).unwrap();
                    assert_eq!(world, slow.world, "{file}: {path} = {v}");
                    let slow_plans: Vec<_> = plans
                        .iter()
                        .map(|name| match name.as_str() {
                            "baseline" => slow.baseline.clone(),
                            _ => slow
                                .policies
                                .iter()
                                .find(|p| &p.name == name)
                                .unwrap()
                                .clone(),
                        })
                        .collect();
                    assert_eq!(set_plans, slow_plans, "{file}: {path} = {v}");
                }
                assert!(setters.apply(&[1.5]).is_none(), "out of range");
            }
        }
    }
    assert!(resolved >= 8, "hazard setters resolved: {resolved}");
    // The built-in scenario: values_crisis has per-state hazards and a policy that scales it (no
    // setter with that policy run); spillover has border exposure; a scheduled hazard has none.
    let loaded = greatgame::scenario::builtin().unwrap();
    let (text, sc) = (&loaded.text, &loaded.scenario);
    let baseline = ["baseline".to_string()];
    for name in ["values_crisis", "spillover", "sanctions_on_russia"] {
        let path = format!("event.{name}.hazard");
        assert!(
            Setters::new(text, sc, &[path.as_str()], &baseline).is_some(),
            "{name}"
        );
    }
    let all: Vec<String> = std::iter::once("baseline".to_string())
        .chain(sc.policies.iter().map(|p| p.name.clone()))
        .collect();
    assert!(Setters::new(text, sc, &["event.values_crisis.hazard"], &all).is_none());
    let scheduled = text
        .split("[[event]]")
        .skip(1)
        .find(|block| block.contains("hazard_from"))
        .and_then(|block| block.lines().find_map(|l| l.strip_prefix("name = \"")))
        .map(|rest| rest.trim_end_matches('"').to_string())
        .expect("an event with scheduled hazards");
    let path = format!("event.{scheduled}.hazard");
    assert!(Setters::new(text, sc, &[path.as_str()], &baseline).is_none());
}
