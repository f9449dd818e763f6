//! The shipped scenarios: each is valid, and every number in it cites its source (`000:382`, file and
//! line of a paper in ../shared/seeds) or says it is an assumption, on its line or in the comment just
//! above.

use crate::common;
use greatgame::scenario;

fn shipped() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(common::shipped(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn there_are_at_least_three_shipped_scenarios_and_all_are_valid() {
    let files = shipped();
    assert!(files.len() >= 3, "{files:?}");
    for f in files {
        let loaded = scenario::load(&f).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.scenario.world.states.len(), 5, "{}", f.display());
    }
}

#[test]
fn the_builtin_scenario_has_at_least_three_policies() {
    let sc = scenario::builtin().unwrap().scenario;
    assert!(sc.policies.len() >= 3);
}

/// True if `text` cites a seed line (`000:382`, `004:343-350`), declares an assumption, or marks a value
/// fitted by `greatgame calibrate` (documented in docs/MODEL.md).
fn cites(text: &str) -> bool {
    let b = text.as_bytes();
    let seed_ref = (0..b.len().saturating_sub(4)).any(|i| {
        b[i..i + 3].iter().all(u8::is_ascii_digit) && b[i + 3] == b':' && b[i + 4].is_ascii_digit()
    });
    let lower = text.to_lowercase();
    seed_ref
        || lower.contains("assumption")
        || lower.contains("calibrated by `greatgame calibrate`")
}

/// True if the value part of a `key = value` line holds a number.
fn has_number(line: &str) -> bool {
    let Some((key, value)) = line.split_once('=') else {
        return false;
    };
    if key.trim_start().starts_with('#') || key.contains('"') {
        return false;
    }
    let value = value.split('#').next().unwrap_or("");
    // Quarters ("2018Q1") and names are strings; numbers appear outside quotes.
    let unquoted: String = value.split('"').step_by(2).collect();
    unquoted.chars().any(|c| c.is_ascii_digit())
}

#[test]
fn every_number_in_a_shipped_scenario_is_cited_or_an_assumption() {
    let mut missing = Vec::new();
    for f in shipped() {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !has_number(line) {
                continue;
            }
            let inline = line.split_once('#').map_or("", |(_, c)| c);
            // The comment block directly above the line (contiguous comment lines).
            let above: Vec<&str> = lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.trim_start().starts_with('#'))
                .copied()
                .collect();
            if !cites(inline) && !above.iter().any(|l| cites(l)) {
                missing.push(format!("{}:{}: {line}", f.display(), i + 1));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "numbers without a citation or an assumption:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_citation_check_catches_an_uncited_number() {
    assert!(has_number("gdp_usd_bn = 7.1"));
    assert!(!has_number("start = \"2018Q1\""));
    assert!(!cites(" order of magnitude"));
    assert!(cites(" 000:382: 49% of GDP"));
    assert!(cites(" assumption: a decade"));
}

/// The calibrated hindcast, run as shipped (its seed and runs).
fn hindcast() -> (greatgame::scenario::Scenario, greatgame::engine::Outcome) {
    let sc = scenario::load(&common::shipped("history_2005.toml"))
        .unwrap()
        .scenario;
    let plans = [sc.baseline.clone()];
    let batch = greatgame::engine::Batch {
        world: &sc.world,
        plans: &plans,
        first_run: 0,
        runs: sc.meta.runs,
        seed: sc.meta.seed,
        threads: None,
        checks: &sc.checks,
        keep_finals: false,
        keep_trajectories: false,
        varied: None,
    };
    let outcome = greatgame::engine::simulate(&batch, |_| Ok::<(), ()>(())).unwrap();
    (sc, outcome)
}

#[test]
fn every_calibration_check_of_the_history_passes() {
    let (sc, o) = hindcast();
    assert!(sc.checks.iter().filter(|c| !c.holdout).count() >= 5);
    assert!(sc.checks.iter().any(|c| c.holdout));
    for (c, &held) in sc.checks.iter().zip(&o.tallies[0].checks) {
        let share = f64::from(held) / o.runs as f64;
        assert!(
            c.holdout || c.passes(share),
            "{} held in {share} of runs",
            c.name
        );
    }
}

#[test]
fn the_2018_scenarios_start_where_the_history_ends() {
    let (hist, o) = hindcast();
    let w = &hist.world;
    let (hs, ps) = (w.states.len(), w.poles.len());
    let last = (w.quarters - 1) * hs * ps;
    for name in [
        "central_asia_2017.toml",
        "nato_return.toml",
        "russia_squeeze.toml",
    ] {
        let sc = scenario::load(&common::shipped(name)).unwrap().scenario;
        assert_eq!(
            w.quarter_label(w.quarters - 1).plus(1),
            sc.world.start,
            "{name}"
        );
        assert_eq!(
            sc.world.coefficients, w.coefficients,
            "{name}: coefficients differ from the calibrated history"
        );
        // The calibrated thresholds of every bloc the history calibrates (`[[calibrate]] bloc.NAME.*`).
        let calibrated = hist.free.iter().filter_map(|f| {
            let rest = f.param.strip_prefix("bloc.")?;
            rest.split('.').next()
        });
        for bloc in calibrated {
            let of = |world: &greatgame::model::World| {
                world
                    .blocs
                    .iter()
                    .find(|b| b.name == bloc)
                    .map(|b| b.decided)
            };
            assert_eq!(
                of(&sc.world),
                of(w),
                "{name}: {bloc}'s thresholds differ from the calibrated history"
            );
        }
        for (h, host) in sc.world.states.iter().enumerate() {
            for p in 0..ps {
                let end = o.tallies[0].alignment[last + h * ps + p].mean();
                assert!(
                    (host.alignment[p] - end).abs() < 0.011,
                    "{name} {} {}: starts at {} but the history ends at {end}",
                    host.code,
                    w.poles[p],
                    host.alignment[p]
                );
            }
        }
    }
}

/// The facts of 2017 the 2018 scenarios' start assumes (memberships and bases), which each set's
/// end must agree with: the `--ends-if` of the command in their comments and docs/MODEL.md.
const ENDS_IF: &str = "kaz_stays_in_csto,kgz_stays_in_csto,uzb_outside_csto_2017,kgz_keeps_russian_air_base,tjk_keeps_201st_division,uzb_hosts_no_base_2017,tkm_hosts_no_base,tkm_joins_no_bloc,kaz_founds_eeu,kgz_joins_eeu_2015";

#[test]
fn the_shipped_ensembles_are_the_historys_and_feed_every_2018_scenario_with_its_start() {
    // Every parameter column is a `[[calibrate]]` parameter of the history, each value inside its range.
    let (hist, _) = hindcast();
    let path = common::shipped("ensemble_2005.csv");
    let rows = common::records(&path);
    assert!(rows.len() >= 100, "{} sets", rows.len());
    let params: Vec<&String> = rows[0]
        .keys()
        .filter(|k| !greatgame::analysis::uncertain::ENSEMBLE_EXTRA_COLUMNS.contains(&k.as_str()))
        .collect();
    assert!(!params.is_empty());
    for p in &params {
        let free = hist
            .free
            .iter()
            .find(|f| &&f.param == p)
            .unwrap_or_else(|| panic!("{p} is not a calibrated parameter of the history"));
        for row in &rows {
            let x: f64 = row[*p].parse().unwrap();
            assert!((free.low..=free.high).contains(&x), "{p} = {x}");
        }
    }
    let total: f64 = rows
        .iter()
        .map(|r| r["weight"].parse::<f64>().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-6, "weights sum to {total}");
    // The 2018 scenarios' ensemble is these sets with where the history leaves each (the command
    // their comments give, made again here: the same bytes), and every 2018 scenario names it.
    let dir = tempfile::tempdir().unwrap();
    let ends = dir.path().join("ends.csv");
    common::ok(&[
        "hindcast",
        common::shipped("history_2005.toml").to_str().unwrap(),
        "--parameters",
        path.to_str().unwrap(),
        "--ends",
        ends.to_str().unwrap(),
        "--ends-if",
        ENDS_IF,
        "--runs",
        "16",
        "--out",
        dir.path().join("h").to_str().unwrap(),
        "--quiet",
    ]);
    let shipped = common::shipped("ensemble_2017.csv");
    assert!(
        std::fs::read(&ends).unwrap() == std::fs::read(&shipped).unwrap(),
        "scenarios/ensemble_2017.csv is not what `hindcast --ends` makes of ensemble_2005.csv"
    );
    let starts = common::records(&shipped);
    for (row, start) in rows.iter().zip(&starts) {
        for (k, v) in row {
            assert_eq!(&start[k], v);
        }
    }
    for name in [
        "central_asia_2017.toml",
        "nato_return.toml",
        "russia_squeeze.toml",
    ] {
        let scenario = common::shipped(name);
        let text = std::fs::read_to_string(&scenario).unwrap();
        assert!(
            text.contains("\nparameters = \"ensemble_2017.csv\""),
            "{name}"
        );
        assert!(text.contains(&format!("--ends-if {ENDS_IF}")), "{name}");
        common::ok(&["run", scenario.to_str().unwrap(), "--runs", "16", "--json"]);
    }
}

/// `check` without a file checks the built-in scenario, as `run` without one runs it, ensemble and all.
#[test]
fn check_without_a_file_checks_the_built_in_scenario() {
    let out = common::ok(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("<built-in>/central_asia_2017.toml: ok\n"),
        "{text}"
    );
    assert!(
        text.contains("each run draws one of 200 sets from <built-in>/ensemble_2017.csv"),
        "{text}"
    );
}
