//! `[[check]]` evaluation on small hand-made scenarios where the right hit rate is known exactly, and the
//! `hindcast` command around it.

use crate::common;
use greatgame::engine::{simulate, Batch};
use greatgame::scenario::Scenario;

/// The small scenario with its hazards set as given, plus `checks` appended.
fn with_checks(checks: &str) -> Scenario {
    let text = std::fs::read_to_string(common::data("small.toml"))
        .unwrap()
        .replace(
            "hazard = 0.02\nborder_exposure = true",
            "hazard = 1.0\nborder_exposure = true",
        )
        .replace("hazard = 0.02\ncriticism", "hazard = 0.0\ncriticism")
        + checks;
    Scenario::from_toml(&text, "checks.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Share of `runs` in which each check held.
fn shares(sc: &Scenario, runs: u64) -> Vec<f64> {
    let plans = [sc.baseline.clone()];
    let batch = Batch {
        world: &sc.world,
        plans: &plans,
        first_run: 0,
        runs,
        seed: 8,
        threads: Some(2),
        checks: &sc.checks,
        keep_finals: false,
        keep_trajectories: false,
        varied: None,
    };
    let o = simulate(&batch, |_| Ok::<(), ()>(())).unwrap();
    o.tallies[0]
        .checks
        .iter()
        .map(|&n| f64::from(n) / runs as f64)
        .collect()
}

#[test]
fn hazard_one_hits_every_run_and_hazard_zero_none() {
    let sc = with_checks(
        r#"
[[check]]
name = "spillover_always"
kind = "event"
event = "spillover"
state = "BBB"
from = "2021Q2"
to = "2021Q2"
min_share = 1.0
[[check]]
name = "crackdown_never_by_hazard"
kind = "event"
event = "crackdown"
state = "BBB"
max_share = 0.0
"#,
    );
    assert_eq!(shares(&sc, 500), [1.0, 0.0]);
}

#[test]
fn an_inject_hits_its_quarter_and_only_it() {
    let sc = with_checks(
        r#"
[[check]]
name = "in_window"
kind = "event"
event = "crackdown"
state = "AAA"
from = "2020Q3"
to = "2020Q3"
min_share = 1.0
[[check]]
name = "before"
kind = "event"
event = "crackdown"
state = "AAA"
from = "2020Q1"
to = "2020Q2"
max_share = 0.0
[[check]]
name = "reaction_follows"
kind = "reaction"
reaction = "nato_cuts_aid"
state = "AAA"
from = "2020Q3"
to = "2020Q3"
min_share = 1.0
"#,
    );
    assert_eq!(shares(&sc, 300), [1.0, 0.0, 1.0]);
}

#[test]
fn a_pole_event_hits_a_window_at_the_rate_its_hazard_implies() {
    // Sanctions on Russia: hazard 0.05 per quarter, window of 8 quarters: 1 - 0.95^8 = 0.3366.
    let sc = with_checks(
        r#"
[[check]]
name = "sanctions_within_two_years"
kind = "event"
event = "sanctions"
state = "AAA"
from = "2020Q1"
to = "2021Q4"
min_share = 0.0
"#,
    );
    let runs = 20_000;
    let p = 1.0 - 0.95f64.powi(8);
    let got = shares(&sc, runs)[0];
    let se = (p * (1.0 - p) / runs as f64).sqrt();
    assert!((got - p).abs() < 4.0 * se, "{got} vs {p} (se {se})");
}

#[test]
fn state_checks_follow_doctrines_and_bans_exactly() {
    let mut text = r#"
[[check]]
name = "neutral_hosts_nothing"
kind = "base_hosted"
state = "NEU"
during = "any"
max_share = 0.0
[[check]]
name = "aaa_keeps_the_russian_base_until_the_ban"
kind = "base_hosted"
state = "AAA"
pole = "Russia"
to = "2020Q2"
during = "all"
min_share = 1.0
[[check]]
name = "no_base_after_the_ban"
kind = "base_hosted"
state = "AAA"
from = "2020Q3"
during = "any"
max_share = 0.0
[[check]]
name = "neutral_joins_nothing"
kind = "bloc_joined"
state = "NEU"
max_share = 0.0
[[check]]
name = "aaa_stays_in_pfp"
kind = "member"
state = "AAA"
bloc = "PfP"
during = "all"
min_share = 1.0
"#
    .to_string();
    text.push('\n');
    let base = std::fs::read_to_string(common::data("small.toml"))
        .unwrap()
        .replace(
            "afghan_border_km = 1000",
            "afghan_border_km = 1000\nbans_bases_from = \"2020Q3\"",
        );
    let sc = Scenario::from_toml(&(base + &text), "bans.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shares(&sc, 300), [0.0, 1.0, 0.0, 0.0, 1.0]);
    assert!(sc
        .checks
        .iter()
        .zip(shares(&sc, 300))
        .all(|(c, s)| c.passes(s)));
}

#[test]
fn a_check_on_an_unknown_event_is_a_located_error() {
    let text = std::fs::read_to_string(common::data("small.toml")).unwrap() + "\n[[check]]\nname = \"x\"\nkind = \"event\"\nevent = \"andijan\"\nstate = \"AAA\"\nmin_share = 0.5\n";
    let err = Scenario::from_toml(&text, "c.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("check.x.event: unknown event `andijan`, expected one of: sanctions, crackdown, spillover, succession"), "{err}");
}

#[test]
fn hindcast_prints_the_table_writes_hindcast_csv_and_strict_fails_on_a_failed_check() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::data("small.toml")).unwrap()
        + "\n[[check]]\nname = \"impossible\"\nkind = \"dominant\"\nstate = \"NEU\"\npole = \"NATO\"\nduring = \"all\"\nmin_share = 0.99\n"
        + "\n[[check]]\nname = \"held_out\"\nkind = \"member\"\nstate = \"AAA\"\nbloc = \"SCO\"\nmin_share = 1.0\nholdout = true\n";
    let path = dir.path().join("h.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let args = [
        "hindcast",
        path.to_str().unwrap(),
        "--runs",
        "200",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = common::ok(&args);
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        stdout.contains("impossible") && stdout.contains("FAIL"),
        "{stdout}"
    );
    assert!(
        stdout.contains("calibration checks: 0 of 1 pass")
            && stdout.contains("holdout checks: 1 of 1 pass"),
        "{stdout}"
    );
    let rows = common::records(&out.join("hindcast.csv"));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["pass"], "false");
    assert_eq!(rows[1]["share"], "1.0");
    common::fails_with(1, &[&args[..], &["--strict"]].concat());
}
