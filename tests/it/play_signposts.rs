//! Discover's rules as signposts: `discover` writes `signposts.toml` (the condition and the box's
//! observable limits as `--watch` conditions, the rest listed as not watched, with why), and
//! `play --watch-file` reads it: its signposts fire in a game where the condition holds and not in one
//! where it does not; a bad file is an error at its line and column, exit 2, the game unchanged.

use std::fs;

use crate::common::data;
use crate::play::{input_error_in, ok_in};

#[test]
fn discovered_signposts_fire_in_a_game_where_the_condition_holds_and_not_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let small = fs::read_to_string(data("small.toml")).unwrap();
    fs::write(dir.join("s.toml"), &small).unwrap();
    ok_in(
        dir,
        &[
            "explore",
            "s.toml",
            "--design",
            "lhs",
            "--samples",
            "40",
            "--runs",
            "40",
            "--factor",
            "state.AAA.alignment.Russia=0.1..0.7",
            "--factor",
            "model.mood_sd=0.05..0.2",
            "--out",
            "ex",
        ],
    );
    let stdout = ok_in(
        dir,
        &[
            "discover",
            "ex",
            "--where",
            "AAA.dominant.Russia@2022Q4 > 0.5",
        ],
    );
    assert!(
        stdout.contains("watch AAA.dominant=Russia > 0.5"),
        "{stdout}"
    );
    let file = dir.join("ex/discover/signposts.toml");
    let text = fs::read_to_string(&file).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    let watches: Vec<&str> = doc["signpost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["watch"].as_str().unwrap())
        .collect();
    assert_eq!(watches[0], "AAA.dominant=Russia > 0.5", "{text}");
    // Russia's lead in AAA needs a high enough starting share: the box narrows it, watched as a share.
    assert!(
        watches
            .iter()
            .any(|w| w.starts_with("AAA.share.Russia >= ")),
        "{text}"
    );
    for n in doc
        .get("not_watched")
        .and_then(|n| n.as_array())
        .into_iter()
        .flatten()
    {
        if n["input"].as_str() == Some("model.mood_sd") {
            assert!(n["why"].as_str().unwrap().contains("coefficient"), "{text}");
        }
    }
    ok_in(dir, &["verify", "ex/discover"]);

    // A game of the scenario (Russia starts at 0.5 in AAA, ahead): the condition's signpost is met.
    let signposts = file.display().to_string();
    let met = ok_in(
        dir,
        &[
            "play",
            "s.toml",
            "--runs",
            "100",
            "--to",
            "2020Q4",
            "--save",
            "a.json",
            "--out",
            "oa",
            "-q",
            "--watch-file",
            &signposts,
        ],
    );
    let line = |out: &str| {
        out.lines()
            .find(|l| l.contains("AAA.dominant=Russia > 0.5"))
            .unwrap_or_else(|| panic!("{out}"))
            .to_string()
    };
    assert!(line(&met).trim_start().starts_with("MET"), "{met}");
    // The same with Russia far behind in AAA: not met, and kept in the game for the next turn.
    let behind = small.replace(
        "alignment = { NATO = 0.2, Russia = 0.5, China = 0.3 }",
        "alignment = { NATO = 0.45, Russia = 0.1, China = 0.45 }",
    );
    assert_ne!(behind, small);
    fs::write(dir.join("b.toml"), behind).unwrap();
    let not = ok_in(
        dir,
        &[
            "play",
            "b.toml",
            "--runs",
            "100",
            "--to",
            "2020Q4",
            "--save",
            "b.json",
            "--out",
            "ob",
            "-q",
            "--watch-file",
            &signposts,
        ],
    );
    assert!(line(&not).trim_start().starts_with("not met"), "{not}");
    let next = ok_in(
        dir,
        &["play", "b.json", "--to", "2021Q2", "--out", "ob", "-q"],
    );
    assert!(line(&next).trim_start().starts_with("not met"), "{next}");
}

#[test]
fn a_bad_signpost_file_is_an_error_at_its_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let small = data("small.toml").display().to_string();
    ok_in(
        dir,
        &[
            "play", &small, "--runs", "20", "--to", "2020Q2", "--save", "g.json", "-q",
        ],
    );
    let before = fs::read(dir.join("g.json")).unwrap();
    for (text, says) in [
        (
            "[[signpost]]\nwatch = \"AAA.dominant=Rome > 0.5\"\n",
            "bad.toml:2:9: signpost.watch: \"AAA.dominant=Rome > 0.5\": no pole `Rome`",
        ),
        (
            "[[signpost]]\nwatch = \"AAA.share.NATO > 0.5\"\nwhen = 1\n",
            "bad.toml:3:1",
        ),
        ("[[signpost]]\nwatch = 0.5\n", "bad.toml:2:9"),
        ("# nothing\n", "no [[signpost]] entry"),
    ] {
        fs::write(dir.join("bad.toml"), text).unwrap();
        let err = input_error_in(dir, &["play", "g.json", "--watch-file", "bad.toml", "-q"]);
        assert!(err.contains(says), "{text}: {err}");
        assert_eq!(fs::read(dir.join("g.json")).unwrap(), before);
    }
}
