//! One-line 90 % intervals: `"5000 to 12000"` wherever a parameter is.
//!
//! The two numbers are the 5 % and 95 % quantiles of the parameter. When both
//! are above 0 the distribution is a lognormal (the usual reading of a range
//! of a positive quantity given by its order of magnitude); otherwise a
//! normal:
//!
//! - lognormal: `mu = (ln low + ln high) / 2`, `sigma = (ln high - ln low) / (2 z)`;
//! - normal: `mean = (low + high) / 2`, `sd = (high - low) / (2 z)`;
//!
//! with `z` = 1.6448536269514722, the standard normal's 95 % quantile. Neither
//! is truncated, so a normal interval can give any real value and a lognormal
//! one any positive value: a probability needs a bounded family (`beta`,
//! `pert`) written in full, and validation says so.
//!
//! Numbers may carry `_` or `,` between groups of three digits (`5,000`),
//! and both may end in `%` (`"5% to 20%"` is 0.05 to 0.2). The text is kept:
//! a scenario writes the interval back as it was given (numbers in their
//! shortest form), so it round-trips through TOML and dicts.
/// The standard normal's 95 % quantile: a 90 % interval spans `2 Z90` standard deviations.
pub const Z90: f64 = 1.644_853_626_951_472_2;

/// The example shown in messages.
pub(crate) const EXAMPLE: &str = "\"5000 to 12000\"";

/// The ends of an interval text, or None when the text is not of the form
/// `<number> to <number>` (then it is no interval at all); Some(Err) when it
/// is, but a number is malformed.
pub(crate) fn parse(text: &str) -> Option<Result<(f64, f64), String>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [a, to, b] = words[..] else { return None };
    if !to.eq_ignore_ascii_case("to") {
        return None;
    }
    Some(number(a).and_then(|lo| number(b).map(|hi| (lo, hi))))
}

/// One end: digits with optional grouping, an optional exponent, an optional `%`.
fn number(word: &str) -> Result<f64, String> {
    let (body, scale) = match word.strip_suffix('%') {
        Some(b) => (b, 0.01),
        None => (word, 1.0),
    };
    let plain = ungroup(body).ok_or_else(|| format!("{word:?} is not a number"))?;
    let x: f64 = plain.parse().map_err(|_| format!("{word:?} is not a number"))?;
    if x.is_finite() { Ok(x * scale) } else { Err(format!("{word:?} is not a finite number")) }
}

/// `body` without its group separators, when every separator (`_` or `,`)
/// sits between groups of three digits of the integer part.
fn ungroup(body: &str) -> Option<String> {
    let Some(sep) = body.chars().find(|c| *c == '_' || *c == ',') else { return Some(body.to_string()) };
    let digits_end = body.find(|c: char| !(c.is_ascii_digit() || c == sep || c == '-' || c == '+'));
    let (int, rest) = body.split_at(digits_end.unwrap_or(body.len()));
    let unsigned = int.trim_start_matches(['-', '+']);
    let groups: Vec<&str> = unsigned.split(sep).collect();
    let ok = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && !rest.contains(['_', ',']);
    ok.then(|| format!("{}{}", int.replace(sep, ""), rest))
}

/// An interval's text in the scenario format.
pub(crate) fn text(low: f64, high: f64, fmt: impl Fn(f64) -> String) -> String {
    format!("{} to {}", fmt(low), fmt(high))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::dist::Dist;

    #[test]
    fn the_forms_accepted() {
        assert_eq!(parse("5000 to 12000"), Some(Ok((5000.0, 12000.0))));
        assert_eq!(parse("  5,000   TO 12_000 "), Some(Ok((5000.0, 12000.0))));
        assert_eq!(parse("-3 to 2.5"), Some(Ok((-3.0, 2.5))));
        assert_eq!(parse("1e3 to 1.5e4"), Some(Ok((1000.0, 15000.0))));
        assert_eq!(parse("1,234,567.5 to 2,000,000"), Some(Ok((1_234_567.5, 2_000_000.0))));
        let Some(Ok((lo, hi))) = parse("5% to 20%") else { panic!("percentages") };
        assert!((lo - 0.05).abs() < 1e-15 && (hi - 0.2).abs() < 1e-15);
    }

    #[test]
    fn what_is_no_interval_and_what_is_a_bad_one() {
        for t in ["5000", "5000 - 12000", "from 5 to 6", "5 to", "to 6", ""] {
            assert_eq!(parse(t), None, "{t:?}");
        }
        for t in ["5,00 to 6", "a to 6", "5 to 1,2345", "5 to inf", "5 to nan", "1_0 to 20", "5 to 6%%"] {
            assert!(matches!(parse(t), Some(Err(_))), "{t:?}: {:?}", parse(t));
        }
    }

    #[test]
    fn the_ends_are_the_5_and_95_percent_quantiles() {
        for (lo, hi) in [(5000.0, 12000.0), (0.5, 2.0), (-3.0, 2.5), (0.0, 10.0)] {
            let d = Dist::of_interval(lo, hi);
            assert!((d.ppf(0.05) - lo).abs() <= 1e-9 * hi.abs().max(1.0), "{lo} {hi}: {}", d.ppf(0.05));
            assert!((d.ppf(0.95) - hi).abs() <= 1e-9 * hi.abs().max(1.0), "{lo} {hi}: {}", d.ppf(0.95));
        }
        assert_eq!(Dist::of_interval(1.0, 4.0).name(), "lognormal");
        assert_eq!(Dist::of_interval(0.0, 4.0).name(), "normal");
    }
}
