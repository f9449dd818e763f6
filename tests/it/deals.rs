//! Money by channel, bases and routes as deals, the pole's side and coercion (issue 13), on the small
//! test scenario with common random numbers: more rent never lowers the chance that a base is hosted, a
//! rival's squeeze can end a deal that more rent then saves, a migrant squeeze buys compliance in the
//! short run and costs trust later, and a pole that stops wanting a route closes it.

use crate::common;
use greatgame::engine::Outcome;
use greatgame::model::{Plan, World};
use greatgame::scenario::Scenario;

/// The small scenario with reactions off (no feedback but the mechanism tested) and `extra` appended.
fn small_with(extra: &str) -> Scenario {
    let text = std::fs::read_to_string(common::data("small.toml"))
        .unwrap()
        .replace("chance = 0.5", "chance = 0.0")
        .replace("chance = 1.0", "chance = 0.0")
        + extra;
    Scenario::from_toml(&text, "deals.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// `runs` runs of each plan on `world`, paired by run index (common random numbers).
fn run(world: &World, plans: &[Plan], runs: u64) -> Outcome {
    common::simulate_plans(world, plans, runs, 13)
}

/// A NATO base in AAA, not hosted, offered at `rent` $M a year from the start.
fn nato_offer(rent: f64) -> String {
    format!(
        "\n[[base]]\nname = \"AAA-NATO\"\nstate = \"AAA\"\npole = \"NATO\"\nsecurity = 0.3\n\
         \n[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\nbase_offered = 1\nbase_rent_usd_m = {rent}\n"
    )
}

/// Whether named base `name` is hosted after each quarter of run `run` under `plan`.
fn hosted_path(world: &World, plan: &Plan, name: &str, run: u64) -> Vec<bool> {
    let b = world.bases.iter().position(|b| b.name == name).unwrap();
    common::run_path(world, plan, 21, run, |state, _| state.hosted[b])
}

#[test]
fn more_rent_offered_never_lowers_the_chance_a_base_is_hosted_run_by_run() {
    let rents = [0.0, 20.0, 60.0, 200.0, 1000.0];
    let scenarios: Vec<Scenario> = rents.iter().map(|&r| small_with(&nato_offer(r))).collect();
    let mut ever = vec![0usize; rents.len()];
    for run in 0..150 {
        let paths: Vec<Vec<bool>> = scenarios
            .iter()
            .map(|sc| hosted_path(&sc.world, &sc.baseline, "AAA-NATO", run))
            .collect();
        for (i, pair) in paths.windows(2).enumerate() {
            for (t, (&less, &more)) in pair[0].iter().zip(&pair[1]).enumerate() {
                assert!(
                    !less || more,
                    "run {run} quarter {t}: hosted at ${}M but not at ${}M",
                    rents[i],
                    rents[i + 1]
                );
            }
        }
        for (n, path) in ever.iter_mut().zip(&paths) {
            *n += usize::from(path.iter().any(|&h| h));
        }
    }
    // Not vacuous: the offer is taken up in some runs once the rent is high enough, and not without rent.
    assert_eq!(ever[0], 0, "{ever:?}");
    assert!(*ever.last().unwrap() > 0, "{ever:?}");
}

#[test]
fn a_rivals_squeeze_ends_a_deal_that_more_rent_saves() {
    // AAA depends on Russia (remittances 30% of GDP) and hosts a NATO base at a modest rent. From 2020Q3
    // Russia squeezes; in one variant NATO raises the rent at the same time (the 2009 Manas reversal,
    // 000:380, 001:37).
    // Exposure 0: the crackdown injected in 2020Q3 (NATO's criticism) does not weigh on this deal.
    let hosted =
        "\n[[base]]\nname = \"AAA-NATO\"\nstate = \"AAA\"\npole = \"NATO\"\nexposure = 0\nhosted = true\n\
                  \n[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\nbase_rent_usd_m = 60\n";
    let squeeze =
        "\n[[lever]]\npole = \"Russia\"\nstate = \"AAA\"\nfrom = \"2020Q3\"\npressure = 1\n";
    let raise = "\n[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\nfrom = \"2020Q3\"\nbase_rent_usd_m = 1000\n";
    let quiet = small_with(hosted);
    let plans = [
        quiet.baseline.clone(),
        small_with(&format!("{hosted}{squeeze}")).baseline,
        small_with(&format!("{hosted}{squeeze}{raise}")).baseline,
    ];
    let o = run(&quiet.world, &plans, 400);
    let b = quiet
        .world
        .bases
        .iter()
        .position(|b| b.name == "AAA-NATO")
        .unwrap();
    let share = |k: usize| f64::from(o.tallies[k].hosted[b]) / o.runs as f64;
    let (kept, squeezed, saved) = (share(0), share(1), share(2));
    assert!(kept > 0.9, "without the squeeze the base is kept: {kept}");
    assert!(squeezed < 0.1, "the squeeze ends the deal: {squeezed}");
    assert!(saved > 0.9, "a higher rent saves it: {saved}");
}

#[test]
fn a_migrant_squeeze_buys_compliance_then_costs_trust() {
    // Russia squeezes AAA (which depends on its remittances) for three quarters, 2020Q2-2020Q4.
    let squeeze = "\n[[lever]]\npole = \"Russia\"\nstate = \"AAA\"\nfrom = \"2020Q2\"\npressure = 1\n\
                   \n[[lever]]\npole = \"Russia\"\nstate = \"AAA\"\nfrom = \"2021Q1\"\npressure = 0\n";
    let quiet = small_with("");
    let plans = [quiet.baseline.clone(), small_with(squeeze).baseline];
    let w = &quiet.world;
    let o = run(w, &plans, 400);
    let (hs, ps) = (w.states.len(), w.poles.len());
    let russia = w.pole_index("Russia").unwrap();
    let mean = |k: usize, t: usize| o.tallies[k].alignment[(t * hs) * ps + russia].mean();
    // 2020Q4 (t = 3): the squeeze is on, compliance outweighs the young grievance.
    assert!(
        mean(1, 3) > mean(0, 3) + 0.005,
        "{} vs {}",
        mean(1, 3),
        mean(0, 3)
    );
    // 2022Q4 (t = 11): the squeeze is over, the grievance remains.
    assert!(
        mean(1, 11) < mean(0, 11) - 0.005,
        "{} vs {}",
        mean(1, 11),
        mean(0, 11)
    );
}

#[test]
fn a_pole_that_stops_wanting_a_route_closes_it() {
    // NATO's route through AAA is open at the start; from 2021Q1 NATO pays nothing for it.
    let ended = small_with(
        "\n[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\nfrom = \"2021Q1\"\ntransit_usd_m = 0\n",
    );
    let kept = small_with("");
    let o = run(&kept.world, &[kept.baseline.clone(), ended.baseline], 200);
    let nato = kept.world.pole_index("NATO").unwrap();
    assert!(
        o.tallies[0].transit[nato] > 0,
        "the route stays open while wanted"
    );
    assert_eq!(
        o.tallies[1].transit[nato], 0,
        "no route is open once NATO stops wanting it"
    );
}

#[test]
fn transit_fees_move_a_host_toward_the_pole_by_more_than_the_noise() {
    // The NDN-era package in miniature: NATO's fees through AAA (whose route is open) rise from $50M to
    // $250M a year. The paired difference of NATO's share at the horizon must exceed three Monte Carlo
    // standard errors.
    let quiet = small_with("");
    let more = small_with("\n[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\ntransit_usd_m = 250\n");
    let o = run(&quiet.world, &[quiet.baseline.clone(), more.baseline], 400);
    let nato = quiet.world.pole_index("NATO").unwrap();
    // AAA is the first state: its cells are the first `poles` of the paired table.
    let paired = &o.tallies[1].paired[nato];
    let se = paired.sd() / (o.runs as f64).sqrt();
    assert!(paired.mean() > 3.0 * se, "mean {} se {se}", paired.mean());
}

#[test]
fn a_partners_ties_to_the_pole_carry_a_route_its_fee_alone_does_not() {
    // NATO wants a route through BBB (a PfP partner: one NATO tie) and pays a token $2M a year, far
    // too little against BBB's revenue to clear the deal margin. Each tie adds `partnership_weight`
    // to the route's value (docs/MODEL.md, "Deals"): without it the route never opens; at a weight
    // above the margin it opens in most runs; and a larger weight never opens it in fewer runs.
    let token = "\n[[lever]]\npole = \"NATO\"\nstate = \"BBB\"\ntransit_usd_m = 2\n";
    let at = |weight: f64| {
        let s = small_with(token);
        let mut world = s.world.clone();
        world.coefficients.partnership_weight = weight;
        run(&world, std::slice::from_ref(&s.baseline), 300).tallies[0]
            .transit
            .clone()
    };
    let s = small_with("");
    let bbb = s.world.states.iter().position(|h| h.code == "BBB").unwrap();
    let cell = bbb * s.world.poles.len() + s.world.pole_index("NATO").unwrap();
    let (none, half, full) = (at(0.0)[cell], at(0.5)[cell], at(1.0)[cell]);
    assert_eq!(none, 0, "the fee alone opens no route");
    assert!(
        full > 150,
        "one tie at weight 1 opens the route in most runs: {full} of 300"
    );
    assert!(none <= half && half <= full, "{none} {half} {full}");
}
