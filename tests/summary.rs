//! Properties of the streaming summaries (`attrition::summary`), on values
//! and partitions drawn by proptest: merging partial summaries in any order,
//! over any partition of the values, gives the same state bit for bit; and a
//! quantile is within the sketch's relative accuracy of the exact order
//! statistic the inverted empirical distribution function picks.
mod common;
use common::proptest_config;

use attrition::summary::{Cell, RELATIVE_ACCURACY, Summary};
use proptest::prelude::*;

/// A value a series can hold: mostly ordinary magnitudes of either sign,
/// with zeros, tiny and huge ones, infinities and NaN mixed in.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -1e7f64..1e7,
        2 => (0u32..50).prop_map(f64::from),
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => -1e-6f64..1e-6,
        1 => prop_oneof![Just(1e300), Just(-1e20), Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(f64::NAN)],
    ]
}

fn summary_of(values: &[f64]) -> Summary {
    let mut s = Summary::new(1, 1);
    for &x in values {
        s.add(0, 0, x);
    }
    s
}

proptest! {
    #![proptest_config(proptest_config(300))]

    #[test]
    fn merging_is_independent_of_order_and_partition(
        values in prop::collection::vec(value(), 0..300),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        order in any::<u64>(),
    ) {
        let whole = summary_of(&values);
        // Split at the cuts, summarise each part, merge the parts in a shuffled order.
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(values.len() + 1)).collect();
        at.sort_unstable();
        let mut parts: Vec<Summary> = Vec::new();
        let mut from = 0;
        for &to in at.iter().chain([values.len()].iter()) {
            parts.push(summary_of(&values[from..to]));
            from = to;
        }
        let mut k = order;
        let mut merged = Summary::new(1, 1);
        while !parts.is_empty() {
            let i = (k % parts.len() as u64) as usize;
            k = k.rotate_left(7) ^ 0x9E37_79B9_7F4A_7C15;
            merged.merge(&parts.swap_remove(i)).expect("same shape");
        }
        prop_assert_eq!(merged.to_bytes(), whole.to_bytes());
        // Adding whole trajectories row by row gives the same state too.
        let mut rows = Summary::new(1, 1);
        if !values.is_empty() {
            rows.add_rows(&values);
        }
        prop_assert_eq!(rows.to_bytes(), whole.to_bytes());
    }

    #[test]
    fn quantiles_are_within_the_relative_accuracy(
        values in prop::collection::vec(
            prop_oneof![1e-6f64..1e9, -1e9f64..-1e-6, (0u32..1000).prop_map(f64::from)],
            1..400,
        ),
        q in 0.0f64..=1.0,
    ) {
        let mut cell = Cell::new();
        for &x in &values {
            cell.add(x);
        }
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        // The inverted empirical distribution function: sorted[ceil(q n)], from 1.
        let exact = sorted[(q * sorted.len() as f64).ceil().max(1.0) as usize - 1];
        let got = cell.quantile(q);
        prop_assert!(
            (got - exact).abs() <= RELATIVE_ACCURACY * exact.abs() * (1.0 + 1e-12),
            "q = {}: {} against the exact {} (n = {})", q, got, exact, values.len()
        );
    }
}
