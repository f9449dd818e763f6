//! Validation's guarantees that no single catalogue case shows: errors located at their real line even
//! when the toml crate gives no place (deep nesting), every coefficient and lever at the edge of its
//! range still gives finite outputs, the horizon may end exactly at 9999Q4, and the rule for names.

use crate::common::{describe, fails_with, greatgame, ok};
use greatgame::scenario::{is_name, Scenario};

/// The catalogue's valid base scenario (49 lines).
fn valid() -> String {
    let path = crate::common::root().join("tests/catalogue/valid.toml");
    std::fs::read_to_string(path).unwrap()
}

/// Writes `text` to a file in a new temporary folder and returns both.
fn file(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path.display().to_string())
}

/// `valid()` with `line` appended so that it is line 51.
fn with_line_51(line: &str) -> String {
    let base = valid();
    assert_eq!(base.lines().count(), 49, "valid.toml changed length");
    format!("{}\n\n{line}\n", base.trim_end_matches('\n'))
}

#[test]
fn r11_a_100000_deep_table_header_on_line_51_is_reported_at_line_51() {
    let header = format!("[{}]", vec!["a"; 100_000].join("."));
    let (_dir, path) = file(&with_line_51(&header));
    let out = fails_with(2, &["check", &path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{path}:51:1: ")),
        "{}",
        describe(&["check", &path], &out)
    );
    assert!(stderr.contains("too many dotted parts"), "{stderr:.400}");
}

#[test]
fn a_100000_deep_dotted_key_or_array_is_reported_at_its_line() {
    let key = format!("{} = 1", vec!["b"; 100_000].join("."));
    let array = format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    for line in [key, array] {
        let (_dir, path) = file(&with_line_51(&line));
        let out = fails_with(2, &["check", &path]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("{path}:51:")), "{stderr:.400}");
    }
}

/// A scenario with every coefficient at the end of its range that makes numbers largest, every lever at
/// its maximum, GDP at its minimum, criticism that never fades, a pole whose capacity doubles every
/// quarter for 400 quarters, and reactions and a policy that scale and add as much as allowed.
fn extreme(weights: f64, scale: f64) -> String {
    format!(
        r#"[scenario]
name = "extreme"
start = "2000Q1"
quarters = 400

[model]
adjustment_rate = 1
mood_persistence = 0.999
mood_sd = 10
economic_weight = {weights}
economic_scale = 1e-6
loan_weight = 1
investment_weight = 1
security_weight = {weights}
regime_insecurity_weight = {weights}
base_security = 1
criticism_weight = {weights}
criticism_decay = 0
threat_decay = 0
regime_recovery = 0
economy_recovery = 0
bloc_weight = {weights}
base_weight = {weights}
diaspora_weight = {weights}
household_weight = {weights}
rent_weight = {weights}
rent_scale = 1e-6
dependence_scale = 1e-6
compliance_weight = {weights}
grievance_weight = {weights}
grievance_decay = 0
base_cost = {weights}
route_cost = {weights}
punishment_weight = {weights}
rival_objection = 1
alignment_weight = {weights}
deal_margin = {weights}

[[pole]]
name = "West"

[[pole]]
name = "East"

[[bloc]]
name = "Pact"
pole = "East"

[[state]]
code = "AAA"
gdp_usd_bn = 0.001
afghan_border_km = 100000
regime_security = 0
threat = 1
alignment = {{ West = 0.000001, East = 0.999999 }}
diaspora = {{ West = 1, East = 0 }}
blocs = ["Pact"]
transit = ["East"]

[[base]]
name = "Fort"
state = "AAA"
pole = "East"
security = 1
hosted = true

[[lever]]
pole = "West"
state = "AAA"
aid_usd_m = 1e6
loans_usd_m = 1e6
investment_usd_m = 1e6
transit_usd_m = 1e6
remittance_share = 1
security = 1
pressure = 1

[[lever]]
pole = "East"
state = "AAA"
aid_usd_m = 1e6
base_rent_usd_m = 1e6
transit_usd_m = 1e6
loans_usd_m = 1e6
investment_usd_m = 1e6
remittance_share = 1
security = 1
base_offered = 1
pressure = 1

[[event]]
name = "boom"
target = "pole"
pole = "West"
hazard = 1
economy = 1

[[event]]
name = "crisis"
pole = "East"
hazard = 1
criticism = 10
threat = 1
regime = -1
realign = 1

[[reaction]]
name = "pay_more"
pole = "West"
watch = "West"
below = 1
lever = "aid_usd_m"
scale = {scale}
add = 1e6
duration = 400
chance = 1

[[reaction]]
name = "pay_even_more"
pole = "West"
watch = "West"
below = 1
lever = "aid_usd_m"
scale = {scale}
add = 1e6
duration = 400
chance = 1

[[policy]]
name = "all_in"
[[policy.change]]
pole = "East"
lever = "loans_usd_m"
scale = {scale}
[[policy.change]]
pole = "East"
lever = "loans_usd_m"
scale = {scale}
"#
    )
}

#[test]
fn every_coefficient_and_lever_at_its_bound_gives_finite_outputs() {
    for (weights, scale) in [(100.0, 1000.0), (100.0, 0.0), (0.0, 1000.0)] {
        let text = extreme(weights, scale);
        Scenario::from_toml(&text, "extreme.toml").unwrap();
        let (dir, path) = file(&text);
        let out_dir = dir.path().join("out");
        let out_str = out_dir.display().to_string();
        let args = [
            "compare",
            path.as_str(),
            "--runs",
            "16",
            "--out",
            out_str.as_str(),
            "--trajectories",
            "--quiet",
        ];
        let output = greatgame(&args);
        assert!(output.status.success(), "{}", describe(&args, &output));
        let mut numbers = 0;
        for entry in std::fs::read_dir(&out_dir).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|x| x == "csv") {
                let text = std::fs::read_to_string(&p).unwrap();
                for cell in text.lines().skip(1).flat_map(|l| l.split(',')) {
                    // Rust reads "NaN", "inf" and "-inf" as numbers too: every number must be finite.
                    if let Ok(x) = cell.parse::<f64>() {
                        assert!(
                            x.is_finite(),
                            "{}: a cell `{cell}` (weights {weights}, scale {scale})",
                            p.display()
                        );
                        numbers += 1;
                    }
                }
            }
        }
        assert!(numbers > 1000, "too few numbers written: {numbers}");
    }
}

#[test]
fn a_horizon_may_end_at_9999q4_and_not_after() {
    let base = valid().replace("start = \"2020Q1\"", "start = \"9998Q1\"");
    let (_d1, fits) = file(&base);
    ok(&["check", &fits]);
    let (_d2, past) = file(&base.replace("quarters = 8", "quarters = 9"));
    let out = fails_with(2, &["check", &past]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("would end after 9999Q4"), "{stderr}");
    assert!(stderr.contains("expected 1..=8"), "{stderr}");
}

#[test]
fn names_start_with_a_letter_or_digit_and_never_with_a_formula_character() {
    for good in [
        "KGZ",
        "NATO",
        "east_pays",
        "kgz-2010",
        "2005_revolution",
        "Россия",
    ] {
        assert!(is_name(good), "{good}");
    }
    for first in ['=', '+', '-', '@', '\t', '\r', ' ', '_', '.', '"', '\''] {
        assert!(!is_name(&format!("{first}x")), "{first:?}x");
    }
    for bad in ["", "a b", "a.b", "a=b", "a\n"] {
        assert!(!is_name(bad), "{bad:?}");
    }
}

#[test]
fn every_shipped_name_follows_the_rule() {
    for name in [
        "central_asia_2017",
        "nato_return",
        "russia_squeeze",
        "history_2005",
    ] {
        let path = crate::common::shipped(&format!("{name}.toml"));
        let text = std::fs::read_to_string(&path).unwrap();
        let sc = Scenario::from_toml(&text, name).unwrap();
        let w = &sc.world;
        let names = w
            .poles
            .iter()
            .chain(w.states.iter().map(|s| &s.code))
            .chain(w.blocs.iter().map(|b| &b.name))
            .chain(w.events.iter().map(|e| &e.name))
            .chain(w.reactions.iter().map(|r| &r.name))
            .chain(sc.policies.iter().map(|p| &p.name))
            .chain(sc.checks.iter().map(|c| &c.name));
        for n in names {
            assert!(is_name(n), "{name}: {n}");
        }
    }
}
