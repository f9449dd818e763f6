//! Turn-by-turn play: games and their journals of moves, branches on common random numbers, signposts,
//! the attribution of each state's shift to its causes, and storylines of single runs.
//!
//! A game is a scenario plus a journal of moves; its scenario is the scenario text with the moves
//! written after it (`[[inject]]` and `[[lever]]` entries, and the plan's changes as one `[[policy]]`
//! whose entries each apply from their quarter), and playing is running that text from the start
//! (`game`), each run in the world its own parameter draw gives when the game draws a parameter
//! ensemble (`Setup::varied`). So a game equals a one-shot run of its scenario by construction, and two
//! branches of a game share run `i`'s random stream `(seed, i)` and its parameter set: their
//! difference, run by run, is the moves'.
//! Must not: touch files or print (the `play` command reads and writes games and outputs); everything
//! here returns values and text.

pub mod attribution;
pub mod ensemble;
pub mod game;
pub mod signposts;
pub mod storyline;
pub mod turn;
pub mod watch;

pub use attribution::{attribute, Attribution, AttributionRow, CauseKind};
pub use ensemble::{simulate, Ensemble, Setup, Starts};
pub use game::{Action, Game, Move, SetHazard, SetLever, SetReaction, GAME_FORMAT, MAIN_BRANCH};
pub use signposts::{Signposts, SIGNPOSTS_FILE};
pub use storyline::{representative, storyline, StoryRow};
pub use watch::Watch;

use crate::model::World;

/// Why a move, a game or a signpost cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlayError {
    /// A name that is not declared.
    #[error("no {what} `{name}`; expected one of: {}", allowed.join(", "))]
    Unknown {
        /// What kind of name (`event`, `state`, ...).
        what: &'static str,
        /// The name given.
        name: String,
        /// The names declared.
        allowed: Vec<String>,
    },
    /// A move that cannot be made.
    #[error("{0}")]
    Move(String),
    /// A game file that cannot be used.
    #[error("{file}: not a greatgame game: {message}")]
    GameFile {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A signpost that does not parse.
    #[error("--watch {watch:?}: {why}")]
    Watch {
        /// The signpost as given.
        watch: String,
        /// What is wrong.
        why: String,
    },
    /// A signpost file that cannot be used, at its place in the file.
    #[error("{0}")]
    Signposts(Box<crate::scenario::Located>),
    /// Two games that cannot be compared.
    #[error("{0}")]
    Compare(String),
    /// The simulation failed (a score not finite).
    #[error("{0}")]
    Engine(String),
}

impl PlayError {
    /// True if the error is in what the user gave, not a failure while running.
    pub fn is_input(&self) -> bool {
        !matches!(self, PlayError::Engine(_))
    }
}

/// One row of `branches.csv`: one state and pole in one quarter of two paired branches.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BranchRow {
    /// The quarter (`2021Q4`).
    pub quarter: String,
    /// The state's code.
    pub state: String,
    /// The pole.
    pub pole: String,
    /// Mean share in the first branch (the game compared against).
    pub first_mean: f64,
    /// Mean share in the second branch.
    pub second_mean: f64,
    /// Mean of the run-by-run difference of shares (second − first).
    pub difference: f64,
    /// Its 95% interval, low end.
    pub ci95_low: f64,
    /// Its 95% interval, high end.
    pub ci95_high: f64,
    /// Mean of the run-by-run difference in whether the pole leads (second − first): the difference of
    /// the probabilities that it leads.
    pub lead_difference: f64,
    /// Its 95% interval, low end.
    pub lead_ci95_low: f64,
    /// Its 95% interval, high end.
    pub lead_ci95_high: f64,
}

/// Paired differences between two branches in each quarter of `quarters` (each kept by both ensembles):
/// per state and pole, the mean share in each and the mean of the run-by-run difference (second −
/// first) with its 95% interval, for the share and for the chance that the pole leads. Both ensembles
/// must hold the same runs (same seed and run count).
pub fn compare_rows(
    world: &World,
    a: &Ensemble,
    b: &Ensemble,
    quarters: &[usize],
) -> Vec<BranchRow> {
    let ps = world.poles.len();
    let runs = a.runs.min(b.runs);
    let mut rows = Vec::new();
    for &t in quarters {
        for (h, host) in world.states.iter().enumerate() {
            for (p, pole) in world.poles.iter().enumerate() {
                let cell = h * ps + p;
                let share = |e: &Ensemble, r: u64| e.at(r, t)[cell];
                let lead = |e: &Ensemble, r: u64| {
                    f64::from(u8::from(
                        ensemble::dominant(&e.at(r, t)[h * ps..(h + 1) * ps]) == p,
                    ))
                };
                let mean = |e: &Ensemble| (0..runs).map(|r| share(e, r)).sum::<f64>() / runs as f64;
                let (d, lo, hi) = ensemble::mean_ci((0..runs).map(|r| share(b, r) - share(a, r)));
                let (l, llo, lhi) = ensemble::mean_ci((0..runs).map(|r| lead(b, r) - lead(a, r)));
                rows.push(BranchRow {
                    quarter: world.quarter_label(t).to_string(),
                    state: host.code.clone(),
                    pole: pole.clone(),
                    first_mean: mean(a),
                    second_mean: mean(b),
                    difference: d,
                    ci95_low: lo,
                    ci95_high: hi,
                    lead_difference: l,
                    lead_ci95_low: llo,
                    lead_ci95_high: lhi,
                });
            }
        }
    }
    rows
}

/// The table a room reads: the rows of one quarter (from `compare_rows`) in percent and percentage
/// points, within 100 columns; `drawn` if each run drew its parameters (the same in both branches).
pub fn compare_text(rows: &[BranchRow], runs: u64, names: [&str; 2], drawn: bool) -> String {
    let quarter = rows.first().map_or("", |r| r.quarter.as_str());
    let same = match drawn {
        true => {
            "\nRun i draws the same parameter set in both, so the differences are the moves' alone."
        }
        false => "",
    };
    let mut text = format!(
        "{} against {} at the end of {quarter} ({runs} runs, paired run by run: same random streams).{same}\n\
         Share: mean %; difference: mean pp with its 95% interval; lead: difference in the % of runs\n\
         in which the pole leads, with its 95% interval.\n",
        names[1], names[0],
    );
    text.push_str(&format!(
        "{:<5} {:<9} {:>7} {:>7} {:>8} {:>17} {:>8} {:>17}\n",
        "state",
        "pole",
        trim(names[0], 7),
        trim(names[1], 7),
        "diff",
        "95% CI",
        "lead",
        "95% CI"
    ));
    let pp = |x: f64| 100.0 * x;
    let mut last_state = "";
    for r in rows.iter().filter(|r| r.quarter == quarter) {
        let state = if r.state != last_state {
            r.state.as_str()
        } else {
            ""
        };
        last_state = &r.state;
        text.push_str(&format!(
            "{:<5} {:<9} {:>7.1} {:>7.1} {:>+8.2} {:>17} {:>+8.1} {:>17}\n",
            state,
            r.pole,
            pp(r.first_mean),
            pp(r.second_mean),
            pp(r.difference),
            format!("[{:+.2}, {:+.2}]", pp(r.ci95_low), pp(r.ci95_high)),
            pp(r.lead_difference),
            format!(
                "[{:+.1}, {:+.1}]",
                pp(r.lead_ci95_low),
                pp(r.lead_ci95_high)
            ),
        ));
    }
    text
}

fn trim(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}
