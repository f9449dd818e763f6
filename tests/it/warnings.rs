//! Warnings a facilitator needs (issue 16 item 6): valid input that is probably not what was meant, or
//! that cannot take effect, is named before anything runs, and the command still runs. Each case edits
//! `tests/data/small.toml` in one place; the shipped scenarios give none.

use greatgame::scenario::{self, Scenario};

use crate::common::{data, ok, shipped};

fn small() -> String {
    std::fs::read_to_string(data("small.toml")).unwrap()
}

/// The small scenario without its deliberate no-op policy, so a case's warning stands alone.
fn small_without_no_op() -> String {
    let text = small();
    let start = text
        .find("[[policy]]\nname = \"no_op\"")
        .expect("small.toml has no_op");
    let end = text[start + 1..]
        .find("[[policy]]")
        .map_or(text.len(), |i| start + 1 + i);
    format!("{}{}", &text[..start], &text[end..])
}

fn warnings_of(text: &str) -> Vec<String> {
    let sc = Scenario::from_toml(text, "case.toml").unwrap();
    scenario::warnings(&sc)
        .into_iter()
        .map(|w| w.to_string())
        .collect()
}

#[test]
fn the_shipped_scenarios_and_the_edited_base_give_no_warning() {
    for name in [
        "central_asia_2017.toml",
        "nato_return.toml",
        "russia_squeeze.toml",
        "history_2005.toml",
    ] {
        let text = std::fs::read_to_string(shipped(name)).unwrap();
        assert_eq!(warnings_of(&text), Vec::<String>::new(), "{name}");
    }
    assert_eq!(warnings_of(&small_without_no_op()), Vec::<String>::new());
}

#[test]
fn a_starting_lever_in_dollars_is_named_with_the_gdp_it_exceeds_and_its_absorption() {
    // 830,000 $M a year of aid to a state of $10bn GDP: dollars typed where $M are meant.
    let text = small_without_no_op().replacen("aid_usd_m = 20\n", "aid_usd_m = 830000\n", 1);
    let w = warnings_of(&text);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("the baseline") && w[0].contains("NATO's aid_usd_m toward AAA"));
    assert!(
        w[0].contains("830000 $M") && w[0].contains("GDP (10 $bn)"),
        "{}",
        w[0]
    );
    assert!(w[0].contains("absorbed into the rest point"), "{}", w[0]);
    // Half the state's GDP (and the policy adding 200 to it) is plausible and gives none.
    let text = small_without_no_op().replacen("aid_usd_m = 20\n", "aid_usd_m = 5000\n", 1);
    assert_eq!(warnings_of(&text), Vec::<String>::new());
}

#[test]
fn a_policy_adding_dollars_is_named_and_the_run_still_goes_ahead() {
    let text = small_without_no_op()
        + "\n[[policy]]\nname = \"typo\"\n[[policy.change]]\npole = \"China\"\nstate = \"BBB\"\nlever = \"loans_usd_m\"\nadd = 830000\n";
    let w = warnings_of(&text);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("policy typo: China's loans_usd_m toward BBB"),
        "{}",
        w[0]
    );
    assert!(!w[0].contains("absorbed"), "{}", w[0]);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typo.toml");
    std::fs::write(&file, &text).unwrap();
    let out_dir = dir.path().join("out");
    let out = ok(&[
        "compare",
        file.to_str().unwrap(),
        "--runs",
        "16",
        "--out",
        out_dir.to_str().unwrap(),
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: ") && stderr.contains("policy typo"),
        "{stderr}"
    );
    assert!(out_dir.join("compare.csv").is_file());
}

#[test]
fn a_policy_that_changes_nothing_is_named() {
    let w = warnings_of(&small());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("policy no_op changes nothing"), "{}", w[0]);
}

#[test]
fn a_base_offer_that_doctrine_forbids_or_nothing_can_answer_is_explained() {
    // NEU is neutral: no offer can be taken up.
    let neutral = small_without_no_op()
        + "\n[[policy]]\nname = \"offer_neu\"\n[[policy.change]]\npole = \"China\"\nstate = \"NEU\"\nlever = \"base_offered\"\nset = 1\n";
    let w = warnings_of(&neutral);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("cannot take effect") && w[0].contains("permanent neutrality"),
        "{}",
        w[0]
    );
    // AAA is free to host, but NATO has no base declared there: nothing to offer.
    let far = small_without_no_op()
        + "\n[[policy]]\nname = \"offer_aaa\"\n[[policy.change]]\npole = \"NATO\"\nstate = \"AAA\"\nlever = \"base_offered\"\nset = 1\n";
    let w = warnings_of(&far);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("cannot take effect")
            && w[0].contains("NATO has no [[base]] declared in AAA"),
        "{}",
        w[0]
    );
}

#[test]
fn check_notes_where_starting_levers_are_absorbed_into_the_rest_point() {
    let out = ok(&["check", data("small.toml").to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the start is a rest point for AAA, BBB, NEU"),
        "{stdout}"
    );
    assert!(stdout.contains("policy no_op changes nothing"), "{stdout}");
}
