//! Rates that change over time (docs/model.md section 2): a schedule of dated
//! segments, stepwise or linear, each segment's value a parameter; or a
//! series read from a CSV file when the scenario is loaded.
//!
//! Every run uses a fixed seed chosen once; each statistical test states its
//! significance level.
mod common;
use common::{Z, run, toml};

use attrition::model::Model;
use attrition::scenario::Validated;

/// One side, one caliber, one supply line with `rate` (a TOML value), for `days` days from 2024-01-01.
fn line(rate: &str, days: usize) -> String {
    format!(
        r#"
name = "sched"
start = 2024-01-01
days = {days}
[sides.red.calibers.c]
initial_stock = 0
[sides.red.supply.l]
caliber = "c"
rate = {rate}
"#
    )
}

fn errors(text: &str) -> String {
    match Validated::from_toml_str(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_step_delivers_the_constant_rate_before_it_and_the_new_rate_after() {
    // 50 a day, then 200 a day from day 100 (2024-04-10). Before the step the
    // deliveries are those of the constant-rate run, day for day (the same
    // streams read the same rate). After it, each trajectory's total over
    // days 100..199 is Poisson(200 x 100): a z-test on the pooled total of
    // n = 40 trajectories (alpha = 0.001).
    let constant = run(&toml(&line("50", 200)), 7, 40);
    let step = run(
        &toml(&line("{ schedule = [{ from = 2024-01-01, value = 50 }, { from = 2024-04-10, value = 200 }] }", 200)),
        7,
        40,
    );
    let mut after = 0.0;
    for i in 0..40 {
        let (a, b) = (constant.s("red.supply.l.delivered", i), step.s("red.supply.l.delivered", i));
        assert_eq!(a[..100], b[..100], "trajectory {i} before the step");
        after += b[100..].iter().sum::<f64>();
    }
    let mean = 40.0 * 200.0 * 100.0;
    let z = (after - mean) / mean.sqrt();
    assert!(z.abs() <= Z, "after the step: {after} vs {mean}, z = {z:.2}");
}

#[test]
fn a_linear_schedule_delivers_its_mean() {
    // From 0 on day 10 to 100 on day 110, flat before and after: day 10 + k
    // has mean k for k < 100, so the mean total over 150 days is
    // (0 + 1 + ... + 99) + 100 x 40 = 8,950 a trajectory.
    // Poisson totals pooled over n = 40 (alpha = 0.001); and the first ten
    // days deliver nothing.
    let s = toml(&line(
        r#"{ schedule = [{ from = 2024-01-11, value = 0 }, { from = 2024-04-20, value = 100 }], interpolate = "linear" }"#,
        150,
    ));
    let r = run(&s, 11, 40);
    let total: f64 = r.o("red.supply.l.delivered_total").iter().sum();
    let mean = 40.0 * 8950.0;
    let z = (total - mean) / mean.sqrt();
    assert!(z.abs() <= Z, "linear: {total} vs {mean}, z = {z:.2}");
    assert!((0..40).all(|i| r.s("red.supply.l.delivered", i)[..11].iter().all(|&x| x == 0.0)));
}

#[test]
fn demand_losses_and_arrivals_follow_their_schedules() {
    // Ten guns ask for 10 rounds each, then none from day 5; combat losses are
    // certain from day 8; 100 soldiers a day arrive from day 3 only.
    let s = toml(
        r#"
name = "sched"
start = 2024-01-01
days = 12
[sides.red.calibers.c]
initial_stock = 1e6
[sides.red.fleets.f]
caliber = "c"
guns = 10
barrel_life = 1e9
rounds_per_gun_day = { schedule = [{ from = 2024-01-01, value = 10 }, { from = 2024-01-06, value = 0 }] }
combat_loss = { schedule = [{ from = 2024-01-01, value = 0 }, { from = 2024-01-09, value = 1 }] }
[sides.red.casualties]
base = 0
dispersion = 1
[sides.red.contingents.k]
strength = 1000
killed_fraction = 0.5
arrival_rate = { schedule = [{ from = 2024-01-01, value = 0 }, { from = 2024-01-04, value = 100 }] }
"#,
    );
    let r = run(&s, 3, 5);
    for i in 0..5 {
        let demand = r.s("red.ammo.c.demand", i);
        assert!(demand[..5].iter().all(|&d| d == 100.0) && demand[5..].iter().all(|&d| d == 0.0), "{demand:?}");
        let destroyed = r.s("red.fleet.f.destroyed", i);
        assert!(destroyed[..8].iter().all(|&d| d == 0.0) && destroyed[8] == 10.0, "{destroyed:?}");
        let strength = r.s("red.contingent.k.strength", i);
        assert!(strength[..3].iter().all(|&x| x == 1000.0) && strength[11] > 1000.0, "{strength:?}");
    }
}

#[test]
fn each_segment_is_a_parameter_drawn_per_trajectory_keyed_by_its_path() {
    let s = toml(&line(
        r#"{ schedule = [{ from = 2024-01-01, value = 10 }, { from = 2024-02-01, value = "100 to 200" }] }"#,
        40,
    ));
    let model = Model::new(s.clone());
    let paths: Vec<&str> = model.uncertain().iter().map(|u| u.path.as_str()).collect();
    assert_eq!(paths, ["sides.red.supply.l.rate.schedule[1].value"]);
    // A constant rate's scenario keeps its one slot: no schedule, nothing new.
    let plain = Model::new(toml(&line("\"100 to 200\"", 40)));
    assert_eq!(plain.uncertain()[0].path, "sides.red.supply.l.rate");
}

#[test]
fn schedules_are_validated_with_their_paths() {
    let m = errors(&line(
        "{ schedule = [{ from = 2024-03-01, value = 1 }, { from = 2024-02-01, value = -1 }, { from = 2024-02-01, value = 2 }] }",
        10,
    ));
    for want in [
        "sides.red.supply.l.rate.schedule[1].from: the dates must increase: 2024-02-01 is not after 2024-03-01",
        "sides.red.supply.l.rate.schedule[1].value: must be >= 0, got -1",
        "sides.red.supply.l.rate.schedule[2].from: the dates must increase",
    ] {
        assert!(m.contains(want), "{want}\nnot in\n{m}");
    }
    assert!(
        errors(&line("{ schedule = [] }", 10))
            .contains("sides.red.supply.l.rate.schedule: a schedule needs at least one segment")
    );
    let m = errors(&line("{ schedule = [{ from = 2024-01-01 }] }", 10));
    assert!(m.contains("sides.red.supply.l.rate.schedule[0].value: missing required key"), "{m}");
    let m = errors(&line("{ schedule = [{ from = 2024-01-01, value = 1, to = 3 }] }", 10));
    assert!(m.contains("sides.red.supply.l.rate.schedule[0].to: unknown key; allowed here: from, value"), "{m}");
    let m = errors(&line(r#"{ schedule = [{ from = 2024-01-01, value = "lots" }] }"#, 10));
    assert!(m.contains("sides.red.supply.l.rate.schedule[0].value: expected a number"), "{m}");
    let m = errors(&line(r#"{ schedule = [{ from = "soon", value = 1 }] }"#, 10));
    assert!(m.contains("sides.red.supply.l.rate.schedule[0].from: "), "{m}");
    let m = errors(&line(r#"{ schedule = [{ from = 2024-01-01, value = 1 }], interpolate = "cubic" }"#, 10));
    assert!(m.contains("sides.red.supply.l.rate.interpolate: ") && m.contains("cubic"), "{m}");
    // A probability's segments are probabilities.
    let m = errors(
        r#"
name = "s"
start = 2024-01-01
[sides.red.calibers.c]
initial_stock = 0
[sides.red.fleets.f]
caliber = "c"
guns = 1
rounds_per_gun_day = 1
barrel_life = 100
combat_loss = { schedule = [{ from = 2024-01-01, value = 0.1 }, { from = 2024-06-01, value = { dist = "uniform", low = 0.5, high = 1.5 } }] }
"#,
    );
    assert!(m.contains("sides.red.fleets.f.combat_loss.schedule[1].value: must be a probability in [0, 1]"), "{m}");
}

#[test]
fn a_schedule_round_trips_through_toml_and_values() {
    let s = toml(&line(
        r#"{ schedule = [{ from = 2024-01-01, value = 10 }, { from = 2024-02-01, value = "100 to 200" }], interpolate = "linear" }"#,
        40,
    ));
    let text = s.to_toml();
    assert!(text.contains("from = 2024-02-01"), "{text}");
    assert_eq!(toml(&text), s);
    assert_eq!(Validated::from_value(s.scenario().to_value()).expect("reads back"), s);
}

/// A folder of its own under the system's temporary folder.
fn folder(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("attrition-schedules-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("a temporary folder");
    d
}

#[test]
fn a_csv_series_reads_as_the_same_schedule_written_inline() {
    let dir = folder("same");
    std::fs::write(dir.join("rates.csv"), "date,per_day,other\n2024-01-01,50,x\n2024-04-10,200,y\n").expect("written");
    let from_csv = Validated::from_toml_str_in(&line(r#"{ csv = "rates.csv", column = "per_day" }"#, 200), Some(&dir))
        .expect("reads the file");
    let inline =
        toml(&line("{ schedule = [{ from = 2024-01-01, value = 50 }, { from = 2024-04-10, value = 200 }] }", 200));
    assert_eq!(from_csv, inline);
    let (a, b) = (run(&from_csv, 5, 3), run(&inline, 5, 3));
    assert_eq!(a.paths.series, b.paths.series);
    // An absolute path needs no folder; a relative one does.
    let abs = dir.join("rates.csv");
    let text = line(&format!("{{ csv = {:?}, column = \"per_day\" }}", abs.display().to_string()), 200);
    assert_eq!(toml(&text), inline);
    let m = errors(&line(r#"{ csv = "rates.csv", column = "per_day" }"#, 200));
    assert!(m.contains("sides.red.supply.l.rate.csv: \"rates.csv\" is a relative path"), "{m}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_problems_name_the_rate_the_file_and_the_line() {
    let dir = folder("bad");
    let cases = [
        ("date,per_day\n2024-01-01,5\n2024-01-01,6\n", "line 3: the dates must increase"),
        ("date,per_day\n2024-01-01,five\n", "line 2, column \"per_day\": \"five\" is not a number"),
        ("date,per_day\n2024-13-01,5\n", "line 2, column \"date\""),
        ("date,per_dya\n2024-01-01,5\n", "has no column \"per_day\""),
        ("date,per_day\n", "has a header but no rows"),
        ("", "is empty"),
        ("date,per_day\n2024-01-01,inf\n", "must be a finite number"),
    ];
    for (i, (body, want)) in cases.iter().enumerate() {
        let name = format!("bad{i}.csv");
        std::fs::write(dir.join(&name), body).expect("written");
        let text = line(&format!("{{ csv = {name:?}, column = \"per_day\" }}"), 10);
        let m = match Validated::from_toml_str_in(&text, Some(&dir)) {
            Ok(_) => panic!("accepted {body:?}"),
            Err(e) => e.to_string(),
        };
        assert!(
            m.starts_with("sides.red.supply.l.rate.csv: ") && m.contains(&name) && m.contains(want),
            "{want}\nnot in\n{m}"
        );
    }
    let m = match Validated::from_toml_str_in(&line(r#"{ csv = "missing.csv", column = "x" }"#, 10), Some(&dir)) {
        Ok(_) => panic!("accepted a missing file"),
        Err(e) => e.to_string(),
    };
    assert!(m.contains("cannot be opened"), "{m}");
    let m = match Validated::from_toml_str_in(&line(r#"{ csv = ".", column = "x" }"#, 10), Some(&dir)) {
        Ok(_) => panic!("accepted a folder"),
        Err(e) => e.to_string(),
    };
    assert!(m.contains("is not a regular file") || m.contains("cannot be"), "{m}");
    let m = match Validated::from_toml_str_in(&line(r#"{ csv = "bad0.csv", column = "x", sheet = 1 }"#, 10), Some(&dir))
    {
        Ok(_) => panic!("accepted an unknown key"),
        Err(e) => e.to_string(),
    };
    assert!(m.contains("sides.red.supply.l.rate.sheet: unknown key"), "{m}");
    let _ = std::fs::remove_dir_all(&dir);
}
