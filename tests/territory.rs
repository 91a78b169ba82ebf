//! Territory (docs/model.md section 6) through the public API: the daily
//! area's law and the article's arithmetic (section 8).
//!
//! Every run uses a fixed seed chosen once (never tuned to make a test pass).
//! Each statistical test states its significance level `alpha`; a failure
//! means "investigate the model", not "try another seed".
mod common;
use common::{ALPHA, KM2_PER_SQMI, Z, mean_var, run, toml};

#[test]
fn the_articles_gains_and_years() {
    // 11.5 sq mi a day against 233,000 sq mi: 233,000 / 11.5 / 365.25 = 55.47 years.
    let rate = 11.5 * KM2_PER_SQMI;
    let area = 233_000.0 * KM2_PER_SQMI;
    let s = toml(&format!(
        r#"
name = "article"
start = 2024-01-01
days = 365
[sides.red.casualties]
base = 2200
[sides.red.territory]
rate = {rate}
cv = 0
reference_area_km2 = {area}
"#
    ));
    let n = 100;
    let r = run(&s, 51, n);
    for &y in r.o("red.territory.area.years_to_reference") {
        assert!((y - 55.5).abs() <= 0.1, "years to take 233,000 sq mi at 11.5 a day: {y}");
    }
    // 2,200 casualties a day (Poisson) for 11.5 sq mi: 191.3 per square mile. Per
    // trajectory the ratio has SE sqrt(2200 / 365) / 11.5; z-test on the mean of
    // n = 100 trajectories at alpha = 0.001.
    let per: Vec<f64> = r.o("red.territory.area.casualties_per_sqmi").to_vec();
    let (m, _) = mean_var(&per);
    let se = (2200.0f64 / 365.0).sqrt() / 11.5 / (n as f64).sqrt();
    assert!(
        (m - 2200.0 / 11.5).abs() <= Z * se,
        "casualties per sq mi {m} vs {} (SE {se:.4}, alpha = {ALPHA})",
        2200.0 / 11.5
    );
    assert!((m - 191.0).abs() < 1.0, "about 190 per square mile: {m}");
}
