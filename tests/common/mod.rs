//! Helpers shared by the integration tests.

/// Chi-square statistic and degrees of freedom after merging adjacent cells
/// until each has an expected count of at least 5 (a short last group joins
/// the previous one). `expected` must sum to the number of observations.
pub fn chi_square(observed: &[f64], expected: &[f64]) -> (f64, usize) {
    assert_eq!(observed.len(), expected.len());
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let (mut o, mut e) = (0.0, 0.0);
    for (&oi, &ei) in observed.iter().zip(expected) {
        o += oi;
        e += ei;
        if e >= 5.0 {
            cells.push((o, e));
            o = 0.0;
            e = 0.0;
        }
    }
    if e > 0.0 || o > 0.0 {
        match cells.last_mut() {
            Some(last) => {
                last.0 += o;
                last.1 += e;
            }
            None => cells.push((o, e)),
        }
    }
    assert!(cells.len() >= 2, "too few cells for a chi-square test");
    let stat = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
    (stat, cells.len() - 1)
}
