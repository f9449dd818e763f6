//! `greatgame play`: a game played turn by turn. Start one from a scenario, then, turn after turn, record
//! the players' moves (injects, lever settings, policies) at the first quarter not yet played and play
//! on to a quarter; fork branches, compare them, watch signposts, ask why and tell single runs. Every
//! turn re-runs the game's scenario (the scenario with its moves written in) from the start, each run
//! drawing its parameter set from the game's ensemble as `run` draws it, and writes an output folder
//! like `run`'s, so `report` and `verify` work on it.

use std::path::{Path, PathBuf};

use anyhow::Context;

use greatgame::analysis::uncertain::{Ensemble as ParameterSets, Varied};
use greatgame::engine::PerRun;
use greatgame::model::{Occurrences, Plan};
use greatgame::output::{OutputDir, OutputError};
use greatgame::play::{
    self, attribution, game, storyline, turn, Action, BranchRow, Ensemble, Game, Move, Setup,
    StoryRow, Watch,
};
use greatgame::quarter::Quarter;
use greatgame::scenario::{self, Loaded};

use super::execute::{self, Options, Parameters};
use super::{settings, InputError};

/// Play a scenario turn by turn: start a game, make moves, play on to a quarter, branch and compare.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  greatgame play scenarios/central_asia_2017.toml --to 2018Q4 --save game.json
  greatgame play scenarios/nato_return.toml --parameters none --to 2018Q4 --save at_point.json
  greatgame play game.json --inject colour_revolution --state UZB --to 2019Q4
  greatgame play game.json --set NATO.UZB.aid_usd_m=80 --watch 'UZB.dominant=Russia < 0.5' --to 2020Q4
  greatgame play game.json --branch talks --save talks.json --policy nato_quiet_diplomacy --to 2021Q4
  greatgame play game.json --set reaction.russia_squeezes_migrants.enabled=false --to 2022Q4
  greatgame play game.json --watch-file out/x/explore/discover/signposts.toml --to 2023Q4
  greatgame play game.json --to 2021Q4 && greatgame play game.json --compare talks.json
  greatgame play game.json --attribution --storyline 17 --report")]
pub struct Args {
    /// A scenario file (TOML) to start a game from, or a game (JSON, from --save) to go on with.
    /// Without one, a new game of the built-in scenario.
    target: Option<PathBuf>,
    /// Play on to the end of this quarter (YYYYQn); without it, nothing more is played this turn.
    #[arg(long, value_name = "QUARTER")]
    to: Option<Quarter>,
    /// Where to save the game [default: the game file itself; for a new game NAME.game.json; for a
    /// branch GAME-BRANCH.json beside the game].
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// Force this event in the first quarter not yet played (repeatable).
    #[arg(long, value_name = "EVENT")]
    inject: Vec<String>,
    /// The states the injects strike (repeatable or comma-separated) [default: every state].
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    state: Vec<String>,
    /// From the first quarter not yet played on, set a lever (POLE.STATE.LEVER=VALUE), a reaction
    /// rule's field (reaction.NAME.FIELD=VALUE, FIELD enabled, chance, scale or add) or scale an event's
    /// hazard (event.NAME.hazard_scale=FACTOR) (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Adopt a declared [[policy]] from the first quarter not yet played on: all its changes (levers,
    /// reaction rules, hazards), as if its `from` were that quarter.
    #[arg(long, value_name = "NAME")]
    policy: Option<String>,
    /// Fork the game into a new branch NAME here (saved apart; the original is left as it is).
    #[arg(long, value_name = "NAME")]
    branch: Option<String>,
    /// Compare this game with another branch of it, run by run, and exit (nothing is played or saved).
    #[arg(long, value_name = "GAME")]
    compare: Option<PathBuf>,
    /// Watch a signpost, e.g. 'UZB.dominant=Russia > 0.5' (repeatable; kept in the game; docs/PLAY.md).
    #[arg(long, value_name = "CONDITION")]
    watch: Vec<String>,
    /// Watch the signposts of a file (repeatable): `signposts.toml` written by `greatgame discover`,
    /// or one written by hand in its format (docs/PLAY.md); kept in the game like --watch.
    #[arg(long, value_name = "FILE")]
    watch_file: Vec<PathBuf>,
    /// Attribute each state's shift since the start to its causes (one rerun per cause): attribution.csv
    /// and the three largest causes per state on stdout.
    #[arg(long)]
    attribution: bool,
    /// Tell run RUN quarter by quarter in words.
    #[arg(long, value_name = "RUN")]
    storyline: Option<u64>,
    /// Also write report.html, the HTML report, once the outputs are complete.
    #[arg(long)]
    report: bool,
    /// Write the game's scenario (the scenario with every move written in) to FILE: `greatgame run FILE`
    /// with the game's runs and seed gives the same outputs. A game that draws a parameter ensemble
    /// names it in FILE's `parameters` (the built-in scenario's is written beside FILE).
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// Runs of a new game [default: the scenario's `runs`].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=scenario::MAX_RUNS as u64))]
    runs: Option<u64>,
    /// Master seed of a new game [default: the scenario's `seed`].
    #[arg(long)]
    seed: Option<u64>,
    /// A new game's runs draw their parameter sets from FILE, an ensemble from `greatgame calibrate
    /// --ensemble`, instead of the ensemble the scenario names (`parameters` in `[scenario]`, which a
    /// game draws by default); `none` plays at the scenario's values as written. A game keeps the
    /// ensemble it began with (its file and SHA-256); for a saved game, FILE gives a new place of that
    /// same file.
    #[arg(long, value_name = "FILE")]
    parameters: Option<PathBuf>,
    /// Worker threads; results are identical for any number [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Output folder [default: out/<game file name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write trajectories.csv (every run's shares in every quarter; the report then shows who
    /// leads quarter by quarter).
    #[arg(long)]
    trajectories: bool,
    /// No progress bar on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Run even if the estimated memory or output size exceeds what the machine has available.
    #[arg(long)]
    force: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let threads = settings::threads(args.threads)?;
    let (mut game, game_path, parameters) = open(args)?;
    if let Some(other) = &args.compare {
        return compare(args, (&game, parameters), other, threads);
    }
    let mut save = args.save.clone().unwrap_or_else(|| game_path.clone());
    if let Some(name) = &args.branch {
        if !scenario::is_name(name) {
            return Err(InputError(format!("--branch {name:?}: {}", scenario::NAME_RULE)).into());
        }
        game = game.fork(name);
        if args.save.is_none() {
            save = branch_path(&game_path, name);
        }
    }
    // The game is saved after the turn's outputs are written: a place it cannot be saved is refused
    // first, so no folder is left for a turn whose game was not saved.
    greatgame::output::replaceable(&save)
        .with_context(|| format!("saving the game to {}", save.display()))?;
    let mut loaded = load(&game, &save)?;
    execute::warn(&loaded);
    let mut made = Vec::new();
    let before = game.plan_name()?;
    record_moves(args, &mut game, &loaded, &mut made)?;
    if !made.is_empty() {
        let after = load(&game, &save)?;
        let plan_moves: Vec<String> = made
            .iter()
            .filter(|m| m.action.changes_plan())
            .map(describe)
            .collect();
        if !plan_moves.is_empty()
            && game::same_inputs(
                game::plan_of(&loaded.scenario, before.as_deref()),
                game::plan_of(&after.scenario, game.plan_name()?.as_deref()),
            )
        {
            return Err(InputError(format!(
                "{}: changes nothing from {} (the levers, reaction rules and hazards it sets are \
                 already so, or it starts after the horizon)",
                plan_moves.join(", "),
                game.next_quarter(&loaded.scenario.world)
            ))
            .into());
        }
        loaded = after;
    }
    let plan_name = game.plan_name()?;
    let world = &loaded.scenario.world;
    let mut notes = String::new();
    let mut new_watches = args.watch.clone();
    for path in &args.watch_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError(format!("{}: cannot read it: {e}", path.display())))?;
        let (watches, not_watched) =
            play::Signposts::read(world, &text, &path.display().to_string())?;
        new_watches.extend(watches);
        for n in not_watched {
            notes.push_str(&settings::wrap(
                &format!(
                    "not watched ({}): {} {}: {}\n",
                    path.display(),
                    n.input,
                    n.rule,
                    n.why
                ),
                100,
            ));
        }
    }
    for text in &new_watches {
        Watch::parse(world, text)?;
        if !game.watches.contains(text) {
            game.watches.push(text.clone());
        }
    }
    let watches = game
        .watches
        .iter()
        .map(|w| Watch::parse(world, w))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(to) = args.to {
        let played = to.since(world.start) + 1;
        let last = world.quarter_label(world.quarters - 1);
        if played < game.played as i64 || played < 1 || played > world.quarters as i64 {
            let now = match game.played {
                0 => "at its start".to_string(),
                n => format!("played to {}", world.quarter_label(n - 1)),
            };
            return Err(InputError(format!(
                "--to {to}: the game is {now}; give a quarter from there to {last} (to play \
                 a turn again differently, branch earlier with --branch)"
            ))
            .into());
        }
        game.previous = game.played;
        game.played = played as usize;
    }
    if let Some(run) = args.storyline {
        if run >= game.runs {
            return Err(InputError(format!(
                "--storyline {run}: the game has runs 0..{}",
                game.runs
            ))
            .into());
        }
    }
    let sc = &loaded.scenario;
    let plan = game::plan_of(sc, plan_name.as_deref());
    let varied = varied(&loaded, parameters.as_ref(), plan, game.seed)?;
    if let Some(path) = &args.export {
        export(&game, path)?;
    }
    let setup = Setup {
        world,
        plan,
        seed: game.seed,
        runs: game.runs,
        threads,
        varied: varied.as_ref().map(|v| v as &dyn PerRun),
    };
    let slots = Occurrences::new(world);
    let checks = turn::checks(&slots, game.previous, game.played, &watches);
    let kept = turn::kept(game.previous, game.played, &watches);
    let ensemble = play::simulate(&setup, &kept, &checks)?;
    // Each run's start, which only a first turn measures its changes from.
    let starts = match game.previous {
        0 => Some(play::Starts::of(&setup)?),
        _ => None,
    };
    let draws = draws(varied.as_ref());
    let mut text = headline(&game, &save, world.quarter_label(0), draws.as_deref());
    for m in &made {
        text.push_str(&format!("move from {}: {}\n", m.quarter, describe(m)));
    }
    text.push_str(&notes);
    text.push('\n');
    text.push_str(&turn::render(
        world,
        &slots,
        &ensemble,
        starts.as_ref(),
        (game.previous, game.played),
        &watches,
        draws.as_deref(),
    ));

    if game.played > 0 {
        let at = game.played - 1;
        let mut extra = vec![("storylines.csv", stories_csv(&setup, &ensemble, at)?)];
        if args.attribution {
            let (words, bytes) = attribution(&setup, &sc.baseline, at)?;
            text.push_str(&words);
            extra.push(("attribution.csv", bytes));
        }
        let opts = options(args, &game, &save, threads);
        let written = execute::execute_drawing(
            &opts,
            &loaded,
            parameters,
            std::slice::from_ref(plan),
            &[],
            "play",
            extra,
        )?;
        if let Some(execute::Executed { dir, .. }) = written {
            text.push_str(&format!(
                "\noutputs in {} (to {}: the quarters after {} are what follows if no one moves again)\n",
                dir.display(),
                world.quarter_label(world.quarters - 1),
                world.quarter_label(at)
            ));
            text.push_str(&super::report::after_outputs(&dir, args.report)?);
        }
    } else if args.report || args.attribution {
        return Err(InputError(
            "--report and --attribution need quarters played: give --to QUARTER".into(),
        )
        .into());
    }
    if let Some(run) = args.storyline {
        text.push_str(&story_text(&setup, run, game.played)?);
    }
    greatgame::output::write_atomic(&save, game.to_json().as_bytes())
        .with_context(|| format!("saving the game to {}", save.display()))?;
    text.push_str(&format!("game saved in {}\n", save.display()));
    execute::print(&text)
}

/// The game named by `args` (or a new one), where it lives (or would be saved by default), and the
/// parameter ensemble its runs draw from.
fn open(args: &Args) -> anyhow::Result<(Game, PathBuf, Option<Parameters>)> {
    if let Some(path) = &args.target {
        if path != Path::new("-") {
            let text = std::fs::read_to_string(path)
                .map_err(|e| InputError(format!("{}: cannot read it: {e}", path.display())))?;
            if text.trim_start().starts_with('{') {
                if args.runs.is_some() || args.seed.is_some() {
                    return Err(InputError(format!(
                        "{}: a game keeps the runs and seed it began with; --runs and --seed \
                         start a new game from a scenario",
                        path.display()
                    ))
                    .into());
                }
                let mut game = Game::from_json(&text, &path.display().to_string())?;
                let parameters = game_parameters(&mut game, path, args.parameters.as_deref())?;
                return Ok((game, path.clone(), parameters));
            }
        }
    }
    let loaded = settings::load(args.target.as_deref(), &settings::Script::default())?;
    let meta = &loaded.scenario.meta;
    let mut game = Game::new(
        &loaded.file,
        &loaded.text,
        args.seed.unwrap_or(meta.seed),
        args.runs.unwrap_or(meta.runs),
    );
    let parameters = execute::parameters(args.parameters.as_deref(), &loaded)?;
    game.parameters = parameters.as_ref().map(|p| {
        let mut record = p.record.clone();
        record.file = lasting(&record.file);
        record
    });
    let path = PathBuf::from(format!("{}.game.json", meta.name));
    Ok((game, path, parameters))
}

/// How a game records the place of its ensemble `file`, so that it is found from any folder the game
/// goes on from: a file on disk by its absolute path, a file the binary holds (`<built-in>/…`) by its
/// name. A path that cannot be made absolute is kept as given (reading it reports the problem).
fn lasting(file: &str) -> String {
    if execute::builtin_file(file).is_some() {
        return file.to_string();
    }
    std::fs::canonicalize(file).map_or_else(|_| file.to_string(), |p| p.display().to_string())
}

/// The parameter ensemble the runs of the saved game `game` (read from `path`) draw: the file its
/// record names (or `given`, a new place of that file, which the record then names), checked against
/// the SHA-256 the game began with; `None` for a game at the values as written. A file that is missing
/// or has changed is refused: the game's runs would no longer be the runs it played.
fn game_parameters(
    game: &mut Game,
    path: &Path,
    given: Option<&Path>,
) -> anyhow::Result<Option<Parameters>> {
    let none = Path::new(execute::NO_PARAMETERS);
    let Some(record) = game.parameters.as_mut() else {
        return match given {
            Some(file) if file != none => Err(InputError(format!(
                "{}: the game plays at the scenario's values as written (it draws no parameter \
                 ensemble), and a game keeps what it began with; to draw {}, start a new game from \
                 the scenario with --parameters {}",
                path.display(),
                file.display(),
                file.display()
            ))
            .into()),
            _ => Ok(None),
        };
    };
    if given == Some(none) {
        return Err(InputError(format!(
            "{}: the game's runs draw parameter sets from {}, and a game keeps what it began with; \
             to play at the values as written, start a new game from the scenario with --parameters \
             none",
            path.display(),
            record.file
        ))
        .into());
    }
    let file = given.map_or_else(|| record.file.clone(), |f| f.display().to_string());
    let bytes = match execute::builtin_file(&file) {
        Some(bytes) => bytes.to_vec(),
        None => std::fs::read(&file).map_err(|e| {
            InputError(format!(
                "{}: the game's runs draw parameter sets from {file} (SHA-256 {}), which cannot be \
                 read: {e}; put the file back, give its new place with --parameters FILE, or start \
                 a new game",
                path.display(),
                record.sha256
            ))
        })?,
    };
    let sha256 = scenario::sha256_hex(&bytes);
    if sha256 != record.sha256 {
        return Err(InputError(format!(
            "{}: the parameter ensemble {file} has changed since the game began: its SHA-256 is now \
             {sha256}, the game was played with {}; restore the file the game was played with (or \
             give a copy of it with --parameters FILE), or start a new game from the scenario to \
             play with the file as it is now",
            path.display(),
            record.sha256
        ))
        .into());
    }
    let ensemble =
        ParameterSets::from_csv(&bytes).map_err(|e| InputError(format!("{file}:{e}")))?;
    record.file = lasting(&file);
    Ok(Some(Parameters {
        record: record.clone(),
        ensemble,
        named_at: None,
    }))
}

/// Each run's own world and plan when the runs of `loaded` under `plan` draw their own parameters
/// (from `parameters`, or `[[uncertain]]` numbers), as `execute` builds them for the output folder.
fn varied(
    loaded: &Loaded,
    parameters: Option<&Parameters>,
    plan: &Plan,
    seed: u64,
) -> anyhow::Result<Option<Varied>> {
    execute::varied_with(loaded, parameters, std::slice::from_ref(&plan.name), seed)
}

/// What the runs draw besides the model's noise, for the turn's header: `None` if nothing.
fn draws(varied: Option<&Varied>) -> Option<String> {
    let v = varied?;
    let sets = v.ensemble().map(|e| e.sets.len());
    let uncertain = v.names().len() - v.ensemble().map_or(0, |e| e.names.len());
    let numbers = execute::counted(uncertain, "[[uncertain]] number");
    Some(match (sets, uncertain) {
        (Some(n), 0) => format!(
            "runs draw {}",
            execute::counted(n, "calibrated parameter set")
        ),
        (Some(n), _) => format!(
            "runs draw {} and {numbers}",
            execute::counted(n, "calibrated parameter set")
        ),
        (None, _) => format!("runs draw their own {numbers}"),
    })
}

/// Writes the game's scenario to `path` (`--export`). A game that draws a parameter ensemble names it
/// in the export's `[scenario] parameters`, as the export's folder finds it: the path from there to the
/// file, or, for an ensemble the built-in scenario holds, its name, the file written beside the export.
fn export(game: &Game, path: &Path) -> anyhow::Result<()> {
    let Some(record) = &game.parameters else {
        greatgame::output::write_atomic(path, game.scenario_text()?.as_bytes())?;
        return Ok(());
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let named = match execute::builtin_file(&record.file) {
        Some(bytes) => {
            let name = record.file.trim_start_matches(execute::BUILTIN_FOLDER);
            let beside = folder.join(name);
            match std::fs::read(&beside) {
                Ok(there) if there == bytes => {}
                Ok(_) => {
                    return Err(InputError(format!(
                    "--export {}: the game draws the built-in scenario's ensemble {name}, which \
                         the export names and is written beside it, but {} is another file; export \
                         to another folder",
                    path.display(),
                    beside.display()
                ))
                    .into())
                }
                Err(_) => {
                    greatgame::output::write_atomic(&beside, bytes)?;
                }
            }
            name.to_string()
        }
        None => {
            let canonical = |p: &Path| {
                std::fs::canonicalize(p).map_err(|e| {
                    InputError(format!(
                        "--export {}: cannot find {}: {e}",
                        path.display(),
                        p.display()
                    ))
                })
            };
            let from = canonical(&folder)?;
            let to = canonical(Path::new(&record.file))?;
            relative(&from, &to).display().to_string()
        }
    };
    greatgame::output::write_atomic(path, game.export_text(&named)?.as_bytes())?;
    Ok(())
}

/// The path from folder `from` to `to`, both absolute: `..` for each of `from`'s own components, then
/// `to`'s own; `to` itself if they share no root.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (a, b): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return to.to_path_buf();
    }
    let mut out = PathBuf::new();
    (common..a.len()).for_each(|_| out.push(".."));
    b[common..].iter().for_each(|c| out.push(c));
    out
}

/// `GAME-BRANCH.json` beside `game`.
fn branch_path(game: &Path, branch: &str) -> PathBuf {
    let stem = game
        .file_stem()
        .map_or_else(|| "game".into(), |s| s.to_string_lossy().into_owned());
    let stem = stem.strip_suffix(".game").unwrap_or(&stem).to_string();
    game.with_file_name(format!("{stem}-{branch}.json"))
}

/// The game's scenario, checked.
fn load(game: &Game, save: &Path) -> anyhow::Result<Loaded> {
    let file = match game.journal.is_empty() {
        true => game.scenario_file.clone(),
        false => format!(
            "{} with the moves of {}",
            game.scenario_file,
            save.display()
        ),
    };
    Ok(scenario::load_text(game.scenario_text()?, file)?)
}

/// Records this command's moves at the first quarter not yet played.
fn record_moves(
    args: &Args,
    game: &mut Game,
    loaded: &Loaded,
    made: &mut Vec<Move>,
) -> anyhow::Result<()> {
    let sc = &loaded.scenario;
    let world = &sc.world;
    let any = !args.inject.is_empty() || !args.set.is_empty() || args.policy.is_some();
    if !args.state.is_empty() && args.inject.is_empty() {
        return Err(InputError(
            "--state names the states of an --inject: give --inject EVENT".into(),
        )
        .into());
    }
    if !any {
        return Ok(());
    }
    if game.played >= world.quarters {
        return Err(InputError(format!(
            "the game is over: it has played to the horizon, {}",
            world.quarter_label(world.quarters - 1)
        ))
        .into());
    }
    let quarter = game.next_quarter(world).to_string();
    let mut moves = Vec::new();
    for event in &args.inject {
        game::check_inject(world, event, &args.state)?;
        moves.push(Action::Inject {
            event: event.clone(),
            states: args.state.clone(),
        });
    }
    for text in &args.set {
        let action = game::parse_set(world, text)?;
        if game.played == 0 && matches!(action, Action::Set(_)) {
            return Err(InputError(format!(
                "--set {text} at the start ({quarter}) would be absorbed into the rest point the \
                 start is computed at and change nothing; play a quarter first (--to {quarter}), or \
                 edit the scenario's [[lever]] entries"
            ))
            .into());
        }
        moves.push(action);
    }
    if let Some(name) = &args.policy {
        game::check_policy(sc, name)?;
        moves.push(Action::Policy {
            name: name.clone(),
            levers: Vec::new(),
        });
    }
    made.extend(moves.into_iter().map(|action| Move {
        quarter: quarter.clone(),
        action,
    }));
    game.journal.extend(made.iter().cloned());
    Ok(())
}

/// A move in words.
fn describe(m: &Move) -> String {
    match &m.action {
        Action::Inject { event, states } if states.is_empty() => format!("inject {event}"),
        Action::Inject { event, states } => format!("inject {event} in {}", states.join(", ")),
        Action::Set(l) => format!("set {}.{}.{} = {}", l.pole, l.state, l.lever, l.value),
        Action::Policy { name, levers } if levers.is_empty() => format!("adopt policy {name}"),
        Action::Policy { name, levers } => {
            format!("policy {name} ({} lever settings)", levers.len())
        }
        Action::Reaction(r) => {
            let fields = [
                r.enabled.map(|on| format!("enabled = {on}")),
                r.chance.map(|x| format!("chance = {x}")),
                r.scale.map(|x| format!("scale = {x}")),
                r.add.map(|x| format!("add = {x}")),
            ];
            let fields: Vec<String> = fields.into_iter().flatten().collect();
            format!("reaction {}: {}", r.name, fields.join(", "))
        }
        Action::Hazard(h) => format!("hazard of {} × {}", h.event, h.hazard_scale),
    }
}

fn headline(game: &Game, save: &Path, start: Quarter, draws: Option<&str>) -> String {
    let fork = game.forked_from.as_ref().map_or(String::new(), |f| {
        format!(", forked from {} after {} quarters", f.branch, f.played)
    });
    let mut text = format!(
        "Game {} (branch {}{fork}): {}, {} runs, seed {}, from {start}, {} moves so far\n",
        save.display(),
        game.branch,
        game.scenario_file,
        game.runs,
        game.seed,
        game.journal.len()
    );
    text.push_str(&match (&game.parameters, draws) {
        (Some(p), _) => format!(
            "Each run draws one of the {} calibrated parameter sets of {}, so the spreads include what \
             the history leaves uncertain.\n",
            p.sets, p.file
        ),
        (None, Some(draws)) => format!("Parameters: {draws} (no parameter ensemble).\n"),
        (None, None) => "Parameters: the scenario's values as written (no parameter ensemble \
                         drawn): the spreads are the model's own noise only.\n"
            .into(),
    });
    settings::wrap(&text, 100)
}

/// The options `execute` needs to write the game's output folder.
fn options(args: &Args, game: &Game, save: &Path, threads: Option<usize>) -> Options {
    let name = save
        .file_stem()
        .map_or_else(|| "game".into(), |s| s.to_string_lossy().into_owned());
    Options {
        scenario: None,
        runs: Some(game.runs),
        seed: Some(game.seed),
        threads: threads.and_then(|t| u16::try_from(t).ok()),
        out: Some(
            args.out
                .clone()
                .unwrap_or_else(|| Path::new("out").join(name)),
        ),
        trajectories: args.trajectories,
        shard: None,
        // The game's ensemble is given to `execute` as read (`game_parameters`), not by path.
        parameters: None,
        summary_only: false,
        gzip: false,
        quiet: args.quiet,
        force: args.force,
        precision: None,
        script: settings::Script::default(),
    }
}

/// `storylines.csv`: the representative runs of `setup` at quarter `at`, each told up to it in its own
/// world.
fn stories_csv(setup: &Setup, ensemble: &Ensemble, at: usize) -> anyhow::Result<Vec<u8>> {
    let mut rows: Vec<StoryRow> = Vec::new();
    for (role, run) in storyline::representative(setup.world, ensemble, at) {
        let (world, plan) = setup.run_world(run)?;
        rows.extend(storyline(&world, &plan, setup.seed, run, at + 1, &role).0);
    }
    csv_bytes(&rows)
}

/// Run `run` of `setup` told over its first `quarters` quarters in its own world, for stdout.
fn story_text(setup: &Setup, run: u64, quarters: usize) -> anyhow::Result<String> {
    let (world, plan) = setup.run_world(run)?;
    let (rows, _) = storyline(&world, &plan, setup.seed, run, quarters, "chosen");
    let mut text = format!("\nRun {run}, quarter by quarter:\n");
    for r in rows {
        let line = settings::wrap(&format!("{}  {}", r.quarter, r.text), 90);
        for (i, part) in line.lines().enumerate() {
            let indent = if i == 0 { "  " } else { "          " };
            text.push_str(&format!("{indent}{part}\n"));
        }
    }
    Ok(text)
}

/// The attribution of `setup`'s shift by quarter `at`: its words for stdout and attribution.csv.
fn attribution(setup: &Setup, rest: &Plan, at: usize) -> anyhow::Result<(String, Vec<u8>)> {
    let a = play::attribute(setup, rest, at)?;
    let mut text = settings::wrap(
        &format!(
            "\nWhy: each cause switched off in turn, on the same random streams{} ({} causes, {} \
             runs each; 95% intervals).\n",
            match setup.varied {
                Some(_) => " and in each run's own drawn parameters",
                None => "",
            },
            a.causes.len(),
            setup.runs
        ),
        100,
    );
    text.push_str(&settings::wrap(&attribution::words(setup.world, &a), 100));
    Ok((text, csv_bytes(&a.rows)?))
}

/// `--attribution` and `--storyline` of `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct Why {
    /// Attribute each state's shift (start to horizon) to its causes, one rerun per cause on the same
    /// random streams: attribution.csv, and the three largest causes per state on stdout.
    #[arg(long)]
    pub attribution: bool,
    /// Tell run RUN quarter by quarter in words.
    #[arg(long, value_name = "RUN")]
    pub storyline: Option<u64>,
}

/// What `--attribution`, `--storyline` and `--report` add to `run`: files for the output folder and
/// text for stdout.
pub struct Explained {
    /// `attribution.csv` and `storylines.csv`, as asked.
    pub files: Vec<(&'static str, Vec<u8>)>,
    /// The attribution in words and the storyline.
    pub text: String,
}

/// The attribution, the representative runs' storylines (with `--report` or `--attribution`) and the
/// storyline asked for, of `plan` over the horizon; runs that draw their own parameters (from
/// `parameters`, or the scenario's `[[uncertain]]` numbers) are told in their own drawn worlds.
pub fn explain(
    opts: &Options,
    loaded: &Loaded,
    parameters: Option<&Parameters>,
    plan: &Plan,
    why: &Why,
    report: bool,
) -> anyhow::Result<Explained> {
    let mut out = Explained {
        files: Vec::new(),
        text: String::new(),
    };
    let sc = &loaded.scenario;
    let world = &sc.world;
    let (runs, seed) = (
        opts.runs.unwrap_or(sc.meta.runs),
        opts.seed.unwrap_or(sc.meta.seed),
    );
    if let Some(run) = why.storyline {
        if run >= runs {
            return Err(InputError(format!("--storyline {run}: the runs are 0..{runs}")).into());
        }
    }
    let batch = opts.shard.is_some() || opts.precision.is_some() || opts.script.json;
    if why.attribution && batch {
        return Err(InputError(
            "--attribution needs the whole batch: it cannot be combined with --shard, --precision \
             or --json"
                .into(),
        )
        .into());
    }
    let stories = (report || why.attribution) && !batch;
    if !stories && why.storyline.is_none() {
        return Ok(out);
    }
    // Attribution and storylines simulate runs again: when runs draw their own parameters, each in
    // its own drawn world, so they tell the runs written beside them.
    let varied = varied(loaded, parameters, plan, seed)?;
    let at = world.quarters - 1;
    let setup = Setup {
        world,
        plan,
        seed,
        runs,
        threads: settings::threads(opts.threads)?,
        varied: varied.as_ref().map(|v| v as &dyn PerRun),
    };
    if stories {
        let ensemble = play::simulate(&setup, &[at], &[])?;
        out.files
            .push(("storylines.csv", stories_csv(&setup, &ensemble, at)?));
    }
    if why.attribution {
        let (words, bytes) = attribution(&setup, &sc.baseline, at)?;
        out.text.push_str(&words);
        out.files.push(("attribution.csv", bytes));
    }
    if let Some(run) = why.storyline {
        out.text.push_str(&story_text(&setup, run, world.quarters)?);
    }
    Ok(out)
}

/// Rows as CSV bytes.
pub fn csv_bytes<T: serde::Serialize>(rows: &[T]) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    greatgame::output::write_csv(&mut bytes, rows.iter())?;
    Ok(bytes)
}

/// The file `play --compare --out DIR` writes: every quarter's paired differences of two branches.
pub const BRANCHES_CSV: &str = "branches.csv";

/// Writes `branches.csv` and a manifest into `dir` under the rules of every output folder (locked
/// while written, the manifest last).
fn write_branches(dir: &Path, rows: Vec<BranchRow>, names: [&str; 2]) -> anyhow::Result<()> {
    let watch = super::interrupt::watch();
    let out = OutputDir::open(dir, &[BRANCHES_CSV, greatgame::output::MANIFEST])?;
    let staged = vec![execute::write_rows(dir, BRANCHES_CSV, rows)?];
    watch.check()?;
    out.commit(staged, |files| {
        serde_json::to_vec_pretty(&serde_json::json!({
            "greatgame_version": env!("CARGO_PKG_VERSION"),
            "command": "play --compare",
            "command_line": std::env::args().collect::<Vec<_>>(),
            "first": names[0],
            "second": names[1],
            "files": files,
        }))
        .map_err(|e| OutputError::Write {
            path: PathBuf::from(greatgame::output::MANIFEST),
            source: e.into(),
        })
    })?;
    drop(watch);
    Ok(())
}

/// `play GAME --compare OTHER`: the paired differences of OTHER against GAME (which draws from
/// `parameters`) at the last quarter both have played (and, with `--out`, in every quarter both have
/// played, in `branches.csv`). Each branch's runs draw their parameters as its game does: the same set
/// in run `i` of both.
fn compare(
    args: &Args,
    (game, parameters): (&Game, Option<Parameters>),
    other: &Path,
    threads: Option<usize>,
) -> anyhow::Result<()> {
    if args.to.is_some() || !args.inject.is_empty() || !args.set.is_empty() || args.policy.is_some()
    {
        return Err(InputError("--compare only compares: play the branches first".into()).into());
    }
    if args.report && args.out.is_none() {
        return Err(InputError(
            "--report with --compare needs --out DIR (the folder for branches.csv and the page)"
                .into(),
        )
        .into());
    }
    let text = std::fs::read_to_string(other)
        .map_err(|e| InputError(format!("{}: cannot read it: {e}", other.display())))?;
    let mut b = Game::from_json(&text, &other.display().to_string())?;
    let sha = |g: &Game| g.parameters.as_ref().map(|p| p.sha256.clone());
    if b.scenario_sha256 != game.scenario_sha256
        || b.seed != game.seed
        || b.runs != game.runs
        || sha(&b) != sha(game)
    {
        return Err(InputError(format!(
            "{}: not a branch of the same game (scenario, parameter ensemble, seed and runs must \
             match to pair runs)",
            other.display()
        ))
        .into());
    }
    let b_parameters = game_parameters(&mut b, other, None)?;
    let played = game.played.min(b.played);
    if played == 0 {
        return Err(InputError("nothing to compare: play a quarter in both first".into()).into());
    }
    let here = Path::new("a");
    let (la, lb) = (load(game, here)?, load(&b, here)?);
    // Every quarter played by both: the table shows the last, branches.csv (with --out) all of them.
    let quarters: Vec<usize> = (0..played).collect();
    let mut drawn = false;
    let mut sim = |l: &Loaded, g: &Game, p: Option<&Parameters>| -> anyhow::Result<Ensemble> {
        let plan = game::plan_of(&l.scenario, g.plan_name()?.as_deref());
        let varied = varied(l, p, plan, game.seed)?;
        drawn |= varied.is_some();
        Ok(play::simulate(
            &Setup {
                world: &l.scenario.world,
                plan,
                seed: game.seed,
                runs: game.runs,
                threads,
                varied: varied.as_ref().map(|v| v as &dyn PerRun),
            },
            &quarters,
            &[],
        )?)
    };
    let (ea, eb) = (
        sim(&la, game, parameters.as_ref())?,
        sim(&lb, &b, b_parameters.as_ref())?,
    );
    let names = [game.branch.as_str(), b.branch.as_str()];
    let world = &la.scenario.world;
    let rows = play::compare_rows(world, &ea, &eb, &quarters);
    let cells = world.states.len() * world.poles.len();
    let last = &rows[(played - 1) * cells..];
    let mut out = play::compare_text(last, ea.runs.min(eb.runs), names, drawn);
    if let Some(f) = b.forked_from.as_ref().or(game.forked_from.as_ref()) {
        out.push_str(&format!(
            "(forked after {} quarters: before that the branches are the same run by run)\n",
            f.played
        ));
    }
    if let Some(dir) = &args.out {
        write_branches(dir, rows, names)?;
        out.push_str(&format!(
            "every quarter's paired differences in {}\n",
            dir.join(BRANCHES_CSV).display()
        ));
        out.push_str(&super::report::after_outputs(dir, args.report)?);
    }
    execute::print(&out)
}
