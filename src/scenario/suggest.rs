//! "Did you mean" for near misses: an unknown key or name close to an allowed one gets it suggested.
//!
//! Works on message text alone, so one place covers both the toml crate's unknown-field messages
//! (``unknown field `x`, expected one of `a`, `b` ``) and validation's unknown names
//! (``unknown pole `x`, expected one of: A, B``). Must not: change what a message says, only add to it.

/// `message` with ``; did you mean `NAME`?`` appended when it reports an unknown name and an allowed
/// one is near it; otherwise `message` unchanged.
pub fn with_suggestion(message: String) -> String {
    match suggestion(&message) {
        Some(near) => format!("{message}; did you mean `{near}`?"),
        None => message,
    }
}

/// The allowed name nearest the unknown one in `message`, if it is near enough.
fn suggestion(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown ")?;
    let (_, rest) = rest.split_once('`')?;
    let (unknown, rest) = rest.split_once('`')?;
    let (_, allowed) = rest.split_once("expected ")?;
    let candidates: Vec<&str> = if allowed.contains('`') {
        // serde: `a`, `b` or `c` — every second piece between backticks is a name.
        allowed.split('`').skip(1).step_by(2).collect()
    } else {
        let list = allowed.strip_prefix("one of:").unwrap_or(allowed);
        list.split(',').map(str::trim).collect()
    };
    nearest(unknown, &candidates)
}

/// The candidate with the smallest edit distance to `word` (the first of equals), if within reach:
/// at most 1 edit for words of up to 3 characters, else at most 2 or a third of the word's length.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let len = word.chars().count();
    let reach = if len <= 3 { 1 } else { (len / 3).max(2) };
    candidates
        .iter()
        .filter(|c| !c.is_empty() && **c != word)
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= reach)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between `a` and `b`, in characters: the fewest single-character insertions,
/// deletions and substitutions turning one into the other.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // row[j]: distance between the prefix of `a` seen so far and b[..j].
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_single_character_edits() {
        assert_eq!(levenshtein("", ""), 0);
        assert_eq!(levenshtein("abc", ""), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("Rusia", "Russia"), 1);
        assert_eq!(levenshtein("remitance_share", "remittance_share"), 1);
        assert_eq!(levenshtein("flaw", "lawn"), 2);
        assert_eq!(levenshtein("Kyrgyzstán", "Kyrgyzstan"), 1);
        assert_eq!(levenshtein("abc", "abc"), 0);
    }

    #[test]
    fn suggests_only_near_names() {
        assert_eq!(
            nearest("Rusia", &["NATO", "Russia", "China"]),
            Some("Russia")
        );
        assert_eq!(nearest("AAB", &["AAA", "BBB"]), Some("AAA"));
        assert_eq!(nearest("XYZ", &["AAA", "BBB"]), None);
        assert_eq!(nearest("x", &["to", "from"]), None);
        assert_eq!(nearest("colour", &["pole", "state"]), None);
    }

    #[test]
    fn appends_to_serde_and_validation_messages() {
        let serde =
            "unknown field `remitance_share`, expected one of `pole`, `state`, `remittance_share`";
        assert_eq!(
            with_suggestion(serde.into()),
            format!("{serde}; did you mean `remittance_share`?")
        );
        let two = "unknown field `nme`, expected `name` or `description`";
        assert_eq!(
            with_suggestion(two.into()),
            format!("{two}; did you mean `name`?")
        );
        let ours = "unknown pole `Rusia`, expected one of: NATO, Russia, China";
        assert_eq!(
            with_suggestion(ours.into()),
            format!("{ours}; did you mean `Russia`?")
        );
        let far = "unknown pole `Japan`, expected one of: NATO, Russia, China";
        assert_eq!(with_suggestion(far.into()), far);
        let other = "1.4 is out of range, expected 0..=1";
        assert_eq!(with_suggestion(other.into()), other);
    }
}
