//! The engine through the public API: conservation laws on random valid
//! scenarios (every sub-model at once), and runs that are the same bit for
//! bit whatever the thread count or the chunking.
mod common;
use common::policy::{CUT, KEEPS_UP, Policy, policy_toml};
use common::{KM2_PER_SQMI, Run, date, proptest_config, request, run, toml};
use std::collections::BTreeMap;

use attrition::engine::runner::{Paths, run_paths, run_summary};
use attrition::error::CoreError;
use attrition::model::Model;
use attrition::rng::{Stream, key, stream};
use attrition::scenario::{Date, Validated};
use proptest::prelude::*;
use rand::RngExt;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Conservation laws on random valid scenarios.

fn pick<T: Copy>(g: &mut Stream, xs: &[T]) -> T {
    xs[g.random_range(0..xs.len())]
}

fn unif(g: &mut Stream, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * g.random::<f64>()
}

/// A number, or (half of the time) a distribution around it within [lo, hi].
fn param(g: &mut Stream, lo: f64, hi: f64) -> Value {
    let a = unif(g, lo, hi);
    let b = unif(g, lo, hi);
    let (l, h) = (a.min(b), a.max(b).max(a.min(b) + 1e-6 * (hi - lo)).min(hi));
    match g.random_range(0..6) {
        0..=2 => json!(a),
        3 => json!({"dist": "uniform", "low": l, "high": h}),
        4 => json!({"dist": "pert", "low": l, "mode": (l + h) / 2.0, "high": h}),
        _ => json!({"dist": "normal", "mean": (l + h) / 2.0, "sd": (h - l) / 4.0 + 1e-9, "low": l, "high": h}),
    }
}

fn int(g: &mut Stream, lo: i64, hi: i64) -> i64 {
    g.random_range(lo..=hi)
}

/// A random window: (start, end) as optional date strings around the horizon.
fn window(g: &mut Stream, days: i64, m: &mut serde_json::Map<String, Value>, start_key: &str, end_key: &str) {
    let s = int(g, -30, days);
    let e = s + int(g, 0, days);
    if g.random_bool(0.5) {
        m.insert(start_key.into(), json!(date(s)));
    }
    if g.random_bool(0.5) {
        m.insert(end_key.into(), json!(date(e)));
    }
}

fn random_scenario(i: u64) -> Value {
    let g = &mut stream(777, i, key("test:random-scenario"));
    let days = int(g, 60, 400);
    let nsides = int(g, 1, 2) as usize;
    let mut sides = serde_json::Map::new();
    for side in ["red", "blue"].iter().take(nsides) {
        let mut sd = serde_json::Map::new();
        sd.insert("ref_fire".into(), param(g, 100.0, 20_000.0));
        let ncal = int(g, 1, 2);
        let cals: Vec<String> = (0..ncal).map(|c| format!("c{c}")).collect();
        let mut calibers = serde_json::Map::new();
        for c in &cals {
            let init = if g.random_bool(0.5) { json!(int(g, 0, 300_000)) } else { param(g, 0.0, 300_000.0) };
            calibers.insert(
                c.clone(),
                json!({
                    "initial_stock": init,
                    "initial_dud_fraction": unif(g, 0.0, 0.1),
                    "lethality": unif(g, 0.5, 1.5),
                    "reserve": int(g, 0, 5000),
                    "reserve_days": pick(g, &[0.0, 0.0, 0.5, 2.0]),
                }),
            );
        }
        sd.insert("calibers".into(), Value::Object(calibers));
        let mut supply = serde_json::Map::new();
        for l in 0..int(g, 0, 3) {
            let mut m = serde_json::Map::new();
            m.insert("caliber".into(), json!(pick(g, &cals.iter().map(String::as_str).collect::<Vec<_>>())));
            m.insert("rate".into(), param(g, 0.0, 8000.0));
            m.insert("growth".into(), json!(unif(g, -0.3, 0.5)));
            m.insert("lot_size".into(), json!(int(g, 1, 3000)));
            m.insert("dud_fraction".into(), param(g, 0.0, 0.2));
            m.insert("price".into(), json!(unif(g, 0.0, 1000.0)));
            if g.random_bool(0.3) {
                m.insert("supplier".into(), json!("ally"));
            }
            window(g, days, &mut m, "start", "end");
            supply.insert(format!("l{l}"), Value::Object(m));
        }
        sd.insert("supply".into(), Value::Object(supply));
        let mut fleets = serde_json::Map::new();
        for f in 0..int(g, 1, 3) {
            let mut m = serde_json::Map::new();
            m.insert("caliber".into(), json!(pick(g, &cals.iter().map(String::as_str).collect::<Vec<_>>())));
            m.insert("guns".into(), json!(int(g, 0, 300)));
            m.insert("rounds_per_gun_day".into(), json!(pick(g, &[0.0, 3.0, 7.5, 20.0, 45.0])));
            m.insert("efc_per_round".into(), param(g, 0.3, 1.0));
            m.insert("barrel_life".into(), param(g, 200.0, 3000.0));
            m.insert("barrel_shape".into(), param(g, 1.0, 5.0));
            m.insert("initial_wear".into(), param(g, 0.0, 0.9));
            m.insert("spares".into(), json!(int(g, 0, 50)));
            m.insert("spare_rate".into(), param(g, 0.0, 3.0));
            m.insert("repair_days".into(), json!(int(g, 0, 20)));
            if g.random_bool(0.5) {
                m.insert("max_wait_days".into(), json!(int(g, 0, 60)));
            }
            m.insert("combat_loss".into(), param(g, 0.0, 0.01));
            m.insert("combat_beta".into(), json!(unif(g, 0.0, 1.0)));
            m.insert("accuracy_loss".into(), param(g, 0.0, 0.5));
            m.insert("accuracy_exponent".into(), json!(int(g, 1, 3)));
            m.insert("threshold".into(), json!(unif(g, 0.2, 0.95)));
            if g.random_bool(0.5) {
                let mut d = serde_json::Map::new();
                d.insert("rate".into(), param(g, 0.0, 3.0));
                d.insert("lot_size".into(), json!(int(g, 1, 20)));
                window(g, days, &mut d, "start", "end");
                m.insert("deliveries".into(), Value::Object(d));
            }
            fleets.insert(format!("f{f}"), Value::Object(m));
        }
        sd.insert("fleets".into(), Value::Object(fleets));
        let ncont = int(g, 0, 3);
        if ncont > 0 || g.random_bool(0.7) {
            let mut c = serde_json::Map::new();
            c.insert("base".into(), param(g, 0.0, 3000.0));
            if g.random_bool(0.6) {
                c.insert("dispersion".into(), param(g, 0.5, 20.0));
            }
            c.insert("alpha".into(), json!(unif(g, 0.0, 1.0)));
            let tempo: Vec<Value> = (0..int(g, 0, 2))
                .map(|_| {
                    let mut m = serde_json::Map::new();
                    let s = int(g, -30, days);
                    m.insert("start".into(), json!(date(s)));
                    if g.random_bool(0.5) {
                        m.insert("end".into(), json!(date(s + int(g, 0, days))));
                    }
                    m.insert("factor".into(), param(g, 0.5, 2.0));
                    Value::Object(m)
                })
                .collect();
            c.insert("tempo".into(), json!(tempo));
            c.insert("drift_sd".into(), json!(pick(g, &[0.0, 0.02, 0.1])));
            c.insert("drift_reversion".into(), json!(unif(g, 0.0, 0.2)));
            c.insert("initial_cumulative".into(), param(g, 0.0, 1e5));
            c.insert("thresholds".into(), json!([unif(g, 0.0, 2e5), unif(g, 0.0, 1e6)]));
            sd.insert("casualties".into(), Value::Object(c));
        }
        let mut conts = serde_json::Map::new();
        for k in 0..ncont {
            let mut m = serde_json::Map::new();
            m.insert("strength".into(), json!(int(g, 0, 200_000)));
            m.insert("relative_risk".into(), param(g, 0.2, 3.0));
            m.insert("killed_fraction".into(), param(g, 0.0, 0.5));
            m.insert("rtd".into(), param(g, 0.0, 1.0));
            m.insert("rtd_days".into(), json!(int(g, 0, 60)));
            m.insert("payment".into(), json!(unif(g, 0.0, 100.0)));
            if g.random_bool(0.4) {
                m.insert("arrival_rate".into(), param(g, 0.0, 500.0));
            }
            let sched: Vec<Value> = (0..int(g, 0, 3))
                .map(|_| json!({"date": date(int(g, -10, days)), "size": int(g, 0, 20_000)}))
                .collect();
            m.insert("schedule".into(), json!(sched));
            window(g, days, &mut m, "arrivals_start", "arrivals_end");
            conts.insert(format!("k{k}"), Value::Object(m));
        }
        sd.insert("contingents".into(), Value::Object(conts));
        if g.random_bool(0.6) {
            sd.insert(
                "territory".into(),
                json!({"rate": param(g, 0.0, 50.0), "cv": unif(g, 0.0, 1.0), "gamma": unif(g, 0.0, 1.0), "ref_ratio": unif(g, 0.5, 2.0)}),
            );
        }
        sides.insert(side.to_string(), Value::Object(sd));
    }
    json!({
        "name": format!("random-{i}"),
        "start": "2024-01-01",
        "days": days,
        "coupling": g.random_bool(0.5),
        "sides": sides,
    })
}

/// Day offset of an optional date in a table, or the open end.
fn day_of(m: &Value, k: &str, open: i64) -> i64 {
    m.get(k)
        .and_then(Value::as_str)
        .map_or(open, |d| Date::parse("2024-01-01").unwrap().days_until(Date::parse(d).unwrap()))
}

fn first_day(xs: impl Iterator<Item = bool>) -> f64 {
    xs.enumerate().find(|(_, b)| *b).map_or(f64::NAN, |(t, _)| t as f64)
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn check_conservation(sc: &Value, r: &Run) {
    let name = sc["name"].as_str().unwrap();
    let days = r.days;
    for (side, sd) in sc["sides"].as_object().unwrap() {
        for i in 0..r.n {
            let ctx = |what: &str, t: usize| format!("{name}, side {side}, trajectory {i}, day {t}: {what}");
            // Ammunition.
            let mut fire_total = vec![0.0; days];
            for (c, _) in sd["calibers"].as_object().unwrap() {
                let p = format!("{side}.ammo.{c}");
                let stock = r.s(&format!("{p}.stock"), i);
                let duds = r.s(&format!("{p}.duds"), i);
                let delivered = r.s(&format!("{p}.delivered"), i);
                let demand = r.s(&format!("{p}.demand"), i);
                let fired = r.s(&format!("{p}.fired"), i);
                let duds_fired = r.s(&format!("{p}.duds_fired"), i);
                let shortfall = r.s(&format!("{p}.shortfall"), i);
                let eff = r.s(&format!("{p}.effective_fire"), i);
                let cpath = format!("sides.{side}.calibers.{c}");
                let cal = &sd["calibers"][c];
                let mut s_prev = r.param(sc, &format!("{cpath}.initial_stock"), i).round();
                let mut u_prev = (s_prev * cal["initial_dud_fraction"].as_f64().unwrap()).round();
                let reserve = cal["reserve"].as_f64().unwrap();
                let reserve_days = cal["reserve_days"].as_f64().unwrap();
                let lethality = cal["lethality"].as_f64().unwrap();
                let lines: Vec<(&String, &Value)> =
                    sd["supply"].as_object().unwrap().iter().filter(|(_, l)| l["caliber"] == json!(c)).collect();
                let fleets: Vec<(&String, &Value)> =
                    sd["fleets"].as_object().unwrap().iter().filter(|(_, f)| f["caliber"] == json!(c)).collect();
                let mut fired_total = 0.0;
                for t in 0..days {
                    // Deliveries: the caliber's equal the sum of its lines'.
                    let mut d = 0.0;
                    let mut line_duds = 0.0;
                    for (l, _) in &lines {
                        let ld = r.s(&format!("{side}.supply.{l}.delivered"), i)[t];
                        let lu = r.s(&format!("{side}.supply.{l}.duds"), i)[t];
                        assert!(ld >= 0.0 && lu >= 0.0 && lu <= ld && ld == ld.trunc(), "{}", ctx("line delivery", t));
                        d += ld;
                        line_duds += lu;
                    }
                    assert_eq!(delivered[t], d, "{}", ctx("caliber delivered = sum of lines", t));
                    // Demand: each fleet asks round(serviceable at the start of the day x rounds).
                    let mut dem = 0.0;
                    let mut fleet_fired = 0.0;
                    for (f, fv) in &fleets {
                        let serv = r.s(&format!("{side}.fleet.{f}.serviceable"), i);
                        let start = if t == 0 { fv["guns"].as_f64().unwrap() } else { serv[t - 1] };
                        dem += (start * fv["rounds_per_gun_day"].as_f64().unwrap()).round();
                        fleet_fired += r.s(&format!("{side}.fleet.{f}.fired"), i)[t];
                    }
                    assert_eq!(demand[t], dem, "{}", ctx("demand", t));
                    assert!(
                        close(fleet_fired, fired[t]),
                        "{}",
                        ctx(&format!("fleets fired {fleet_fired} vs caliber {}", fired[t]), t)
                    );
                    // Firing: whole shells, at most the demand, never below min(stock, floor).
                    let pre = s_prev + d;
                    assert!(
                        fired[t] >= 0.0 && fired[t] <= demand[t] && fired[t] == fired[t].trunc(),
                        "{}",
                        ctx("fired", t)
                    );
                    assert_eq!(shortfall[t], demand[t] - fired[t], "{}", ctx("shortfall", t));
                    assert_eq!(stock[t], pre - fired[t], "{}", ctx("stock = previous + delivered - fired", t));
                    // The floor is fixed by the planned demand: the fleets' demand on day 0.
                    let floor = reserve.max(reserve_days * demand[0]);
                    assert!(stock[t] >= pre.min(floor), "{}", ctx("stock below the reserve floor", t));
                    if fired[t] < demand[t] {
                        assert!(pre - fired[t] < floor + 1.0, "{}", ctx("short while above the floor", t));
                    }
                    assert!(stock[t] >= 0.0, "{}", ctx("negative stock", t));
                    // Duds: the pool mixes as sources mix.
                    assert!(duds_fired[t] >= 0.0 && duds_fired[t] <= fired[t], "{}", ctx("duds fired", t));
                    assert_eq!(duds[t], u_prev + line_duds - duds_fired[t], "{}", ctx("dud pool", t));
                    assert!(duds[t] >= 0.0 && duds[t] <= stock[t], "{}", ctx("duds within the stock", t));
                    // Effective fire: (fired - duds) x lethality x an accuracy in [0, 1].
                    let top = (fired[t] - duds_fired[t]) * lethality;
                    assert!(eff[t] >= 0.0 && eff[t] <= top * (1.0 + 1e-12) + 1e-9, "{}", ctx("effective fire", t));
                    fire_total[t] += eff[t];
                    fired_total += fired[t];
                    s_prev = stock[t];
                    u_prev = duds[t];
                }
                assert!(
                    same(r.o(&format!("{p}.days_to_rationing"))[i], first_day(shortfall.iter().map(|x| *x > 0.0))),
                    "{name} {p}: days_to_rationing"
                );
                assert!(
                    same(r.o(&format!("{p}.days_to_empty"))[i], first_day(stock.iter().map(|x| *x == 0.0))),
                    "{name} {p}: days_to_empty"
                );
                assert_eq!(r.o(&format!("{p}.fired_total"))[i], fired_total, "{name} {p}: fired_total");
            }
            let fire = r.s(&format!("{side}.fire.total.effective"), i);
            for t in 0..days {
                assert!(close(fire[t], fire_total[t]), "{}", ctx("side fire = sum over calibers", t));
            }
            // Supply lines: totals and revenue.
            let mut revenue: BTreeMap<String, f64> = BTreeMap::new();
            for (l, lv) in sd["supply"].as_object().unwrap() {
                let total: f64 = r.s(&format!("{side}.supply.{l}.delivered"), i).iter().sum();
                assert_eq!(r.o(&format!("{side}.supply.{l}.delivered_total"))[i], total);
                let price = lv["price"].as_f64().unwrap();
                assert!(close(r.o(&format!("{side}.supply.{l}.revenue"))[i], total * price));
                let sup = lv.get("supplier").and_then(Value::as_str).unwrap_or(l).to_string();
                *revenue.entry(sup).or_default() += total * price;
                // No delivery outside the window.
                let (ws, we) = (day_of(lv, "start", i64::MIN), day_of(lv, "end", i64::MAX));
                for (t, x) in r.s(&format!("{side}.supply.{l}.delivered"), i).iter().enumerate() {
                    if !(t as i64 >= ws && (t as i64) < we) {
                        assert_eq!(*x, 0.0, "{}", ctx("delivery outside the window", t));
                    }
                }
            }
            // Fleets.
            for (f, fv) in sd["fleets"].as_object().unwrap() {
                let p = format!("{side}.fleet.{f}");
                let g = |k: &str| r.s(&format!("{p}.{k}"), i);
                let (serv, wait, rep, destroyed, wo, worn, spares, wear, acc, deliv) = (
                    g("serviceable"),
                    g("waiting"),
                    g("repair"),
                    g("destroyed"),
                    g("written_off"),
                    g("worn_out"),
                    g("spares"),
                    g("wear"),
                    g("accuracy"),
                    g("delivered"),
                );
                let guns = fv["guns"].as_f64().unwrap();
                let threshold = fv["threshold"].as_f64().unwrap() * guns;
                for t in 0..days {
                    assert_eq!(
                        serv[t] + wait[t] + rep[t] + destroyed[t] + wo[t],
                        guns + deliv[t],
                        "{}",
                        ctx(
                            &format!(
                                "{p}: serviceable + waiting + repair + destroyed + written_off = initial + delivered"
                            ),
                            t
                        )
                    );
                    for x in [serv[t], wait[t], rep[t], destroyed[t], wo[t], worn[t], spares[t], deliv[t]] {
                        assert!(x >= 0.0 && x == x.trunc(), "{}", ctx(&format!("{p}: a count is {x}"), t));
                    }
                    if t > 0 {
                        for (k, x) in
                            [("destroyed", destroyed), ("written_off", wo), ("worn_out", worn), ("delivered", deliv)]
                        {
                            assert!(x[t] >= x[t - 1], "{}", ctx(&format!("{p}.{k} decreased"), t));
                        }
                    }
                    // Every gun out of the line for a barrel got there by wearing one out.
                    assert!(
                        wait[t] + rep[t] + wo[t] <= worn[t],
                        "{}",
                        ctx(&format!("{p}: more guns out for barrels than worn out"), t)
                    );
                    assert!(wear[t] >= -1e-9, "{}", ctx(&format!("{p}: mean wear {}", wear[t]), t));
                    assert!((0.0..=1.0).contains(&acc[t]), "{}", ctx(&format!("{p}: accuracy {}", acc[t]), t));
                    if fv.get("max_wait_days").is_none() {
                        assert_eq!(wo[t], 0.0, "{}", ctx("written off without max_wait_days", t));
                    }
                }
                let last = days - 1;
                assert!(
                    same(r.o(&format!("{p}.days_to_half"))[i], first_day(serv.iter().map(|s| *s < threshold))),
                    "{name} {p}: days_to_half"
                );
                assert_eq!(r.o(&format!("{p}.worn_out"))[i], worn[last]);
                assert_eq!(r.o(&format!("{p}.destroyed"))[i], destroyed[last]);
                assert_eq!(r.o(&format!("{p}.written_off"))[i], wo[last]);
                assert_eq!(r.o(&format!("{p}.serviceable_end"))[i], serv[last]);
            }
            // Casualties and contingents.
            if let Some(cv) = sd.get("casualties") {
                let p = format!("{side}.casualties.total");
                let g = |k: &str| r.s(&format!("{p}.{k}"), i);
                let (daily, cum, killed, wounded, returned, tempo) =
                    (g("daily"), g("cumulative"), g("killed"), g("wounded"), g("returned"), g("tempo"));
                let init = r.param(sc, &format!("sides.{side}.casualties.initial_cumulative"), i);
                let mut acc = init;
                for t in 0..days {
                    acc += daily[t];
                    assert!(close(cum[t], acc), "{}", ctx("cumulative casualties", t));
                    assert!(daily[t] >= 0.0 && daily[t] == daily[t].trunc(), "{}", ctx("daily casualties", t));
                    assert!(tempo[t] >= 0.0);
                }
                assert!(close(r.o(&format!("{p}.run_total"))[i], daily.iter().sum()));
                for th in cv["thresholds"].as_array().unwrap() {
                    let th = th.as_f64().unwrap();
                    let names: Vec<&String> =
                        r.outcomes.keys().filter(|k| k.starts_with(&format!("{p}.days_to_"))).collect();
                    assert_eq!(names.len(), cv["thresholds"].as_array().unwrap().len());
                    let want = first_day(cum.iter().map(|c| *c >= th));
                    let found = names.iter().any(|nm| same(r.o(nm)[i], want));
                    assert!(found, "{name} {p}: no threshold outcome equals the first crossing of {th} ({want})");
                }
                let conts = sd["contingents"].as_object().unwrap();
                if conts.is_empty() {
                    assert!(killed.iter().chain(wounded).chain(returned).all(|x| *x == 0.0));
                    continue;
                }
                let exact = conts.values().all(|k| k.get("arrival_rate").is_none());
                let mut prev: Vec<f64> = conts.values().map(|k| k["strength"].as_f64().unwrap()).collect();
                let mut exposure = vec![0.0; conts.len()];
                let mut payments = vec![0.0; conts.len()];
                let mut cum_k = vec![0.0; conts.len()];
                let min_rtd = conts.values().map(|k| k["rtd_days"].as_i64().unwrap()).min().unwrap() as usize;
                let (mut cw, mut cr) = (vec![0.0; days], 0.0);
                for t in 0..days {
                    cw[t] = wounded[t] + if t > 0 { cw[t - 1] } else { 0.0 };
                    cr += returned[t];
                    assert_eq!(killed[t] + wounded[t], daily[t], "{}", ctx("killed + wounded = casualties", t));
                    // The wounded return no sooner than the shortest delay.
                    let due = if t >= min_rtd { cw[t - min_rtd] } else { 0.0 };
                    assert!(cr <= due, "{}", ctx(&format!("returned {cr} before due {due}"), t));
                    let mut taken = 0.0;
                    let (mut before, mut after) = (0.0, 0.0);
                    let mut scheduled = 0.0;
                    let mut killed_k = 0.0;
                    for (j, (k, kv)) in conts.iter().enumerate() {
                        let q = format!("{side}.contingent.{k}");
                        let st = r.s(&format!("{q}.strength"), i)[t];
                        let c = r.s(&format!("{q}.casualties"), i)[t];
                        let kc = r.s(&format!("{q}.cumulative"), i)[t];
                        let kk = r.s(&format!("{q}.killed"), i);
                        assert!(
                            c >= 0.0 && c <= prev[j],
                            "{}",
                            ctx(&format!("{q}: {c} casualties from {}", prev[j]), t)
                        );
                        assert!(st >= 0.0 && st == st.trunc(), "{}", ctx(&format!("{q}: strength {st}"), t));
                        cum_k[j] += c;
                        assert_eq!(kc, cum_k[j], "{}", ctx(&format!("{q}: cumulative"), t));
                        killed_k += kk[t] - if t > 0 { kk[t - 1] } else { 0.0 };
                        exposure[j] += prev[j];
                        payments[j] += st * kv["payment"].as_f64().unwrap();
                        assert!(close(r.s(&format!("{q}.payments"), i)[t], payments[j]), "{}", ctx("payments", t));
                        taken += c;
                        before += prev[j];
                        after += st;
                        let (ws, we) = (day_of(kv, "arrivals_start", i64::MIN), day_of(kv, "arrivals_end", i64::MAX));
                        if t as i64 >= ws && (t as i64) < we {
                            for a in kv["schedule"].as_array().unwrap() {
                                if day_of(a, "date", -1) == t as i64 {
                                    scheduled += a["size"].as_f64().unwrap();
                                }
                            }
                        }
                        prev[j] = st;
                    }
                    assert_eq!(taken, daily[t], "{}", ctx("contingents' casualties = the side's", t));
                    assert_eq!(killed_k, killed[t], "{}", ctx("contingents' killed = the side's", t));
                    // People: strength = previous - casualties + returned + arrivals.
                    let arrivals = after - (before - taken + returned[t]);
                    if exact {
                        assert_eq!(
                            arrivals,
                            scheduled,
                            "{}",
                            ctx("strength = previous - casualties + returned + scheduled arrivals", t)
                        );
                    } else {
                        assert!(
                            arrivals >= scheduled && arrivals == arrivals.trunc(),
                            "{}",
                            ctx(&format!("arrivals {arrivals} < scheduled {scheduled}"), t)
                        );
                    }
                }
                for (j, (k, _)) in conts.iter().enumerate() {
                    let q = format!("{side}.contingent.{k}");
                    let rate = if exposure[j] > 0.0 { cum_k[j] / exposure[j] * 30.0 } else { f64::NAN };
                    let got = r.o(&format!("{q}.rate_per_30d"))[i];
                    assert!(same(got, rate) || close(got, rate), "{name} {q}: rate_per_30d {got} vs {rate}");
                    assert_eq!(r.o(&format!("{q}.casualties"))[i], cum_k[j]);
                    let sender = conts[k].get("sender").and_then(Value::as_str).unwrap_or(k).to_string();
                    *revenue.entry(sender).or_default() += payments[j];
                }
            }
            for (payee, rev) in &revenue {
                let got = r.o(&format!("{side}.supplier.{payee}.revenue"))[i];
                assert!((got - rev).abs() <= 1e-9 * (1.0 + rev.abs()), "{name}: revenue of {payee}: {got} vs {rev}");
            }
            // Territory.
            if sd.get("territory").is_some() {
                let p = format!("{side}.territory.area");
                let (d, c, dm, cm) = (
                    r.s(&format!("{p}.daily_km2"), i),
                    r.s(&format!("{p}.cumulative_km2"), i),
                    r.s(&format!("{p}.daily_sqmi"), i),
                    r.s(&format!("{p}.cumulative_sqmi"), i),
                );
                let mut acc = 0.0;
                for t in 0..days {
                    acc += d[t];
                    assert!(
                        d[t] >= 0.0
                            && close(c[t], acc)
                            && close(dm[t] * KM2_PER_SQMI, d[t])
                            && close(cm[t] * KM2_PER_SQMI, c[t]),
                        "{}",
                        ctx("territory", t)
                    );
                }
                assert!(close(r.o(&format!("{p}.total_km2"))[i], c[days - 1]));
            }
        }
        assert!(r.has(&format!("{side}.fire.total.effective")));
    }
}

#[test]
fn conservation_on_random_scenarios() {
    let mut checked = 0;
    for i in 0..30 {
        let sc = random_scenario(i);
        let s =
            Validated::from_value(sc.clone()).unwrap_or_else(|e| panic!("random scenario {i} refused: {e}\n{sc:#}"));
        let r = run(&s, 1000 + i, 24);
        check_conservation(&sc, &r);
        checked += r.n * r.days;
    }
    assert!(checked > 30 * 24 * 60);
}

proptest! {
    #![proptest_config(proptest_config(40))]

    /// The same laws on more random scenarios, shorter runs: any scenario of
    /// the generator, any seed.
    #[test]
    fn conservation_on_more_random_scenarios(i in 30u64.., seed in any::<u64>(), days in 1i64..60) {
        let mut sc = random_scenario(i);
        sc["days"] = json!(days.min(sc["days"].as_i64().unwrap_or(days)));
        let s = Validated::from_value(sc.clone()).map_err(|e| TestCaseError::fail(format!("{e}\n{sc:#}")))?;
        let r = run(&s, seed, 4);
        check_conservation(&sc, &r);
    }
}

// ---------------------------------------------------------------------------
// Determinism.

fn bits(p: &Paths) -> Vec<Vec<Vec<u64>>> {
    [&p.series, &p.outcomes, &p.params]
        .iter()
        .map(|g| g.iter().map(|c| c.iter().map(|x| x.to_bits()).collect()).collect())
        .collect()
}

#[test]
fn runs_are_deterministic_across_threads_and_chunks() {
    let s = toml(&policy_toml(Policy { coupling: true, ..KEEPS_UP }, Some(CUT)));
    let model = Model::new(s);
    assert!(!model.uncertain().is_empty());
    let ids: Vec<usize> = (0..model.series().len()).collect();
    let go = |first: u64, n: usize, threads: Option<usize>| {
        run_paths(&model, &request(41, first, n, ids.clone(), threads), |_| true).unwrap()
    };
    let one = go(0, 300, Some(1));
    let two = go(0, 300, Some(2));
    assert!(bits(&one) == bits(&two), "threads 1 and 2 differ");
    assert!(bits(&one) == bits(&go(0, 300, None)), "the global pool differs");
    // 300 = 100 + 100 + 100 (chunks straddle the 64-trajectory blocks).
    let parts: Vec<Paths> = (0..3).map(|k| go(100 * k, 100, Some(2))).collect();
    let days = model.days();
    let joined = Paths {
        series: (0..ids.len())
            .map(|j| parts.iter().flat_map(|p| p.series[j][..100 * days].to_vec()).collect())
            .collect(),
        outcomes: (0..model.outcomes().len())
            .map(|j| parts.iter().flat_map(|p| p.outcomes[j].clone()).collect())
            .collect(),
        params: (0..model.uncertain().len())
            .map(|j| parts.iter().flat_map(|p| p.params[j].clone()).collect())
            .collect(),
    };
    assert!(bits(&one) == bits(&joined), "a run of 300 differs from three runs of 100");
    // Another seed gives another run.
    assert!(bits(&one) != bits(&run_paths(&model, &request(42, 0, 300, ids.clone(), Some(1)), |_| true).unwrap()));
}

// ---------------------------------------------------------------------------
// Requests at the edges of the 64-bit ranges.

#[test]
fn trajectory_ranges_past_the_last_index_are_refused() {
    let model = Model::new(toml(&policy_toml(KEEPS_UP, None)));
    let r = run_paths(&model, &request(1, u64::MAX, 2, vec![], Some(1)), |_| true);
    assert!(matches!(r, Err(CoreError::Argument(ref m)) if m.contains("2^64 - 1")), "{r:?}");
    // The last index itself is a trajectory like any other.
    let last = run_paths(&model, &request(1, u64::MAX, 1, vec![], Some(1)), |_| true).unwrap();
    assert!(last.outcomes.iter().all(|o| o.len() == 1));
}

#[test]
fn a_summary_run_of_any_size_starts_at_once_and_stops_when_asked() {
    // Nothing in a summary run without arrays grows with n: 2^64 - 1 trajectories
    // start (the block list was materialised, 2^58 entries) and stop at the next poll.
    let model = Model::new(toml(&policy_toml(KEEPS_UP, None)));
    let t0 = std::time::Instant::now();
    let mut polls = 0;
    let r = run_summary(&model, &request(1, 0, usize::MAX, vec![0], Some(2)), false, |_| {
        polls += 1;
        polls < 3
    });
    assert_eq!(r.err(), Some(CoreError::Interrupted));
    assert!(t0.elapsed() < std::time::Duration::from_secs(10), "{:?}", t0.elapsed());
}
