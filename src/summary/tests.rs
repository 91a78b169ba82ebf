//! Randomised tests with fixed seeds (test names all contain "summary").
use super::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Normal};

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

fn shuffle<T>(v: &mut [T], r: &mut impl Rng) {
    for i in (1..v.len()).rev() {
        let j = r.random_range(0..=i);
        v.swap(i, j);
    }
}

/// Named data sets of `n` values.
fn datasets(n: usize, seed: u64) -> Vec<(&'static str, Vec<f64>)> {
    let mut r = rng(seed);
    let ln02 = LogNormal::new(0.0, 2.0).unwrap();
    let ln31 = LogNormal::new(3.0, 1.0).unwrap();
    let ln11 = LogNormal::new(1.0, 1.0).unwrap();
    let nrm = Normal::new(-5.0, 20.0).unwrap();
    let mut out: Vec<(&'static str, Vec<f64>)> = Vec::new();
    out.push(("lognormal(0,2)", (0..n).map(|_| ln02.sample(&mut r)).collect()));
    out.push(("uniform(1e3,1e7)", (0..n).map(|_| r.random_range(1e3..1e7)).collect()));
    out.push((
        "uniform with zeros",
        (0..n).map(|_| if r.random_bool(0.3) { 0.0 } else { r.random_range(0.0..100.0) }).collect(),
    ));
    out.push(("normal(-5,20)", (0..n).map(|_| nrm.sample(&mut r)).collect()));
    out.push(("integers with ties", (0..n).map(|_| r.random_range(0..20) as f64).collect()));
    out.push(("big integers with ties", (0..n).map(|_| r.random_range(-3000..100_000) as f64).collect()));
    out.push((
        "mixture zeros/negatives",
        (0..n)
            .map(|_| match r.random_range(0..4) {
                0 => 0.0,
                1 => -ln31.sample(&mut r),
                2 => -(r.random_range(0..5) as f64),
                _ => ln11.sample(&mut r),
            })
            .collect(),
    ));
    out
}

fn cell_of(xs: &[f64]) -> Cell {
    let mut c = Cell::new();
    for &x in xs {
        c.add(x);
    }
    c
}

/// Merge a list of partial states in a random binary tree.
fn merge_tree<T: Clone>(mut parts: Vec<T>, r: &mut impl Rng, merge: impl Fn(&mut T, &T)) -> T {
    while parts.len() > 1 {
        let i = r.random_range(0..parts.len());
        let b = parts.swap_remove(i);
        let j = r.random_range(0..parts.len());
        if r.random_bool(0.5) {
            merge(&mut parts[j], &b);
        } else {
            let mut b = b;
            merge(&mut b, &parts[j]);
            parts[j] = b;
        }
    }
    parts.pop().unwrap()
}

fn summary_of_cell(c: &Cell) -> Summary {
    Summary { rows: 1, cols: 1, cells: vec![c.clone()] }
}

#[test]
fn summary_cell_merge_order_invariance() {
    let mut r = rng(1);
    // All distributions together too: a wide, sign-mixed cell.
    let mut sets = datasets(10_000, 2);
    let all: Vec<f64> = sets.iter().flat_map(|(_, v)| v.iter().step_by(7).copied()).collect();
    sets.push(("all", all));
    let mut extra = vec![f64::NAN, f64::INFINITY, -0.0, 1e-12, -1e-300, 1e20, f64::NEG_INFINITY];
    extra.extend(sets[0].1.iter().take(100));
    sets.push(("specials", extra));
    for (name, xs) in &sets {
        let reference = cell_of(xs);
        let ref_bytes = summary_of_cell(&reference).to_bytes();
        for trial in 0..20 {
            let k = r.random_range(1..=50usize);
            let mut parts: Vec<Vec<f64>> = vec![Vec::new(); k];
            for &x in xs {
                parts[r.random_range(0..k)].push(x);
            }
            let cells: Vec<Cell> = parts
                .into_iter()
                .map(|mut p| {
                    shuffle(&mut p, &mut r);
                    cell_of(&p)
                })
                .collect();
            let merged = merge_tree(cells, &mut r, |a, b| a.merge(b));
            assert_eq!(merged, reference, "{name}, trial {trial}");
            assert_eq!(summary_of_cell(&merged).to_bytes(), ref_bytes, "{name}, trial {trial}");
            assert_eq!(merged.mean().to_bits(), reference.mean().to_bits());
            assert_eq!(merged.sd().to_bits(), reference.sd().to_bits());
            for q in [0.01, 0.5, 0.99] {
                assert_eq!(merged.quantile(q).to_bits(), reference.quantile(q).to_bits());
            }
        }
    }
}

#[test]
fn summary_table_merge_order_invariance() {
    let mut r = rng(3);
    let (rows, cols, n) = (4usize, 6usize, 2_000usize);
    let ln = LogNormal::new(2.0, 1.5).unwrap();
    // traj x row x col values; row 3 is an integer series with zeros.
    let data: Vec<Vec<Vec<f64>>> = (0..n)
        .map(|_| {
            (0..rows)
                .map(|row| {
                    (0..cols)
                        .map(|c| match row {
                            0 => ln.sample(&mut r) * (c + 1) as f64,
                            1 => -ln.sample(&mut r),
                            2 => r.random_range(-50.0..50.0),
                            _ => r.random_range(0..(c as i64 + 2)) as f64,
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut reference = Summary::new(rows, cols);
    for t in &data {
        for (row, v) in t.iter().enumerate() {
            for (c, &x) in v.iter().enumerate() {
                reference.add(row, c, x);
            }
        }
    }
    let ref_bytes = reference.to_bytes();
    for trial in 0..10 {
        // Contiguous blocks of random sizes, run in random order, some cell by cell.
        let mut order: Vec<usize> = (0..n).collect();
        if trial % 2 == 1 {
            shuffle(&mut order, &mut r);
        }
        let mut parts = Vec::new();
        let mut i = 0;
        while i < n {
            let len = r.random_range(1..=300).min(n - i);
            let mut s = Summary::new(rows, cols);
            if trial % 3 == 2 {
                // Whole trajectories at once, as the runner's batches add them.
                let flat: Vec<f64> = order[i..i + len].iter().flat_map(|&t| data[t].concat()).collect();
                s.add_rows(&flat);
                parts.push(s);
                i += len;
                continue;
            }
            for &t in &order[i..i + len] {
                if r.random_bool(0.5) {
                    s.add_rows(&data[t].concat());
                } else {
                    for c in (0..cols).rev() {
                        for (row, v) in data[t].iter().enumerate() {
                            s.add(row, c, v[c]);
                        }
                    }
                }
            }
            parts.push(s);
            i += len;
        }
        shuffle(&mut parts, &mut r);
        let merged = merge_tree(parts, &mut r, |a, b| a.merge(b).unwrap());
        assert_eq!(merged, reference, "trial {trial}");
        assert_eq!(merged.to_bytes(), ref_bytes, "trial {trial}");
    }
    assert!(reference.clone().merge(&Summary::new(rows, cols + 1)).is_err());
}

/// The inverted empirical distribution function: `sorted[ceil(q n)]`,
/// counting from 1, and the smallest value for q = 0.
fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    let k = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[k - 1]
}

/// The quantiles a user may ask for, the tails included.
const TAILS: [f64; 9] = [0.0, 0.001, 0.01, 0.05, 0.5, 0.95, 0.99, 0.999, 1.0];

#[test]
fn summary_quantile_is_the_inverted_empirical_cdf() {
    // Values far apart (each twice the last), so that a neighbouring order
    // statistic is never within the sketch's accuracy: the rank must be exact.
    let xs: Vec<f64> = (0..10).map(|k| f64::from(1u32 << k)).collect();
    let c = cell_of(&xs);
    // n = 10: q n = 0.1 -> the 1st value, 0.5 -> 1st, 5 -> 5th, 9.5 -> 10th, 9.9 -> 10th.
    for (q, want) in [(0.0, 1.0), (0.01, 1.0), (0.05, 1.0), (0.1, 1.0), (0.11, 2.0), (0.5, 16.0), (0.51, 32.0)] {
        assert!((c.quantile(q) - want).abs() <= RELATIVE_ACCURACY * want, "q = {q}: {} vs {want}", c.quantile(q));
    }
    for (q, want) in [(0.9, 256.0), (0.95, 512.0), (0.99, 512.0), (1.0, 512.0)] {
        assert!((c.quantile(q) - want).abs() <= RELATIVE_ACCURACY * want, "q = {q}: {} vs {want}", c.quantile(q));
    }
    // Every tail quantile on samples of several sizes, against the exact rule.
    for n in [1, 2, 3, 7, 20, 64, 999, 1000, 1001, 5000] {
        let xs: Vec<f64> = (0..n).map(|k| 1.05f64.powi(k)).rev().collect();
        let c = cell_of(&xs);
        let mut s = xs.clone();
        s.sort_by(f64::total_cmp);
        for q in TAILS {
            let (got, want) = (c.quantile(q), exact_quantile(&s, q));
            assert!((got - want).abs() <= RELATIVE_ACCURACY * want, "n = {n}, q = {q}: sketch {got}, exact {want}");
        }
    }
}

#[test]
fn summary_quantile_accuracy() {
    let qs = [0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999];
    for seed in 0..3 {
        for (name, xs) in datasets(20_000, 100 + seed) {
            let c = cell_of(&xs);
            let mut s = xs.clone();
            s.sort_by(f64::total_cmp);
            for &q in &qs {
                let (got, want) = (c.quantile(q), exact_quantile(&s, q));
                assert!(
                    (got - want).abs() <= RELATIVE_ACCURACY * want.abs(),
                    "{name} q={q}: sketch {got} exact {want}"
                );
            }
            // Every rank, on a smaller sample.
            let small = &xs[..501];
            let c = cell_of(small);
            let mut s = small.to_vec();
            s.sort_by(f64::total_cmp);
            for k in 0..=1000 {
                let q = k as f64 / 1000.0;
                let (got, want) = (c.quantile(q), exact_quantile(&s, q));
                assert!((got - want).abs() <= RELATIVE_ACCURACY * want.abs(), "{name} q={q}: {got} vs {want}");
            }
            assert_eq!(c.quantile(0.0), s[0]);
            assert_eq!(c.quantile(1.0), s[s.len() - 1]);
        }
    }
    let c = cell_of(&[3.0]);
    assert_eq!(c.quantile(0.3), 3.0);
    assert!(c.quantile(1.5).is_nan() && c.quantile(-0.1).is_nan() && c.quantile(f64::NAN).is_nan());
    assert!(Cell::new().quantile(0.5).is_nan());
    let c = cell_of(&[f64::NEG_INFINITY, 1.0, 2.0, f64::INFINITY, f64::NAN]);
    assert_eq!(c.count(), 4);
    assert_eq!(c.quantile(0.2), f64::NEG_INFINITY);
    assert!((c.quantile(0.5) - 1.0).abs() <= 0.01);
    assert!((c.quantile(0.74) - 2.0).abs() <= 0.02); // q n = 2.96 -> the third value
    assert_eq!(c.quantile(0.76), f64::INFINITY); // q n = 3.04 -> the fourth
    assert_eq!(c.quantile(1.0), f64::INFINITY);
    let c = cell_of(&[1.0, f64::INFINITY, f64::INFINITY]);
    assert_eq!(c.quantile(0.6), f64::INFINITY);
    assert!(c.mean().is_nan());
}

/// Neumaier-compensated sum.
fn nsum(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for x in xs {
        let t = s + x;
        c += if s.abs() >= x.abs() { (s - t) + x } else { (x - t) + s };
        s = t;
    }
    s + c
}

fn two_pass(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = nsum(xs.iter().copied()) / n;
    let ss = nsum(xs.iter().map(|&x| (x - m) * (x - m)));
    let d = nsum(xs.iter().map(|&x| x - m)); // correction term
    (m + d / n, ((ss - d * d / n) / (n - 1.0)).sqrt())
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b { 0.0 } else { (a - b).abs() / b.abs() }
}

#[test]
fn summary_mean_sd_exact() {
    let mut r = rng(7);
    let ulp = moments::RESOLUTION;
    let sets: Vec<(&str, Vec<f64>)> = vec![
        ("small multiples", (0..10_000).map(|_| r.random_range(-1_000_000i64..1_000_000) as f64 * ulp).collect()),
        ("integers", (0..10_000).map(|_| r.random_range(0..1000) as f64).collect()),
        // A large mean against a small spread: no cancellation in the exact sums.
        ("offset 2^34", (0..10_000).map(|_| ((1i64 << 50) + r.random_range(0..1i64 << 20)) as f64 * ulp).collect()),
        ("wide", (0..10_000).map(|_| r.random_range(-(1i64 << 61)..(1i64 << 61)) as f64 * ulp).collect()),
    ];
    for (name, xs) in &sets {
        let c = cell_of(xs);
        let (m, sd) = two_pass(xs);
        assert!(rel(c.mean(), m) <= 1e-12, "{name}: mean {} vs {m}", c.mean());
        assert!(rel(c.sd(), sd) <= 1e-12, "{name}: sd {} vs {sd}", c.sd());
        // Exact integer reference for the mean.
        let sq: i128 = xs.iter().map(|&x| (x * 65536.0) as i128).sum();
        assert_eq!(c.moments.sum_q(), sq);
        assert_eq!(c.min(), xs.iter().copied().fold(f64::INFINITY, f64::min));
        assert_eq!(c.max(), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    }
    // Arbitrary values: within the 2^-16 resolution.
    for (name, xs) in datasets(10_000, 8) {
        let c = cell_of(&xs);
        let (m, sd) = two_pass(&xs);
        assert!((c.mean() - m).abs() <= 0.5 * ulp + 1e-12 * m.abs(), "{name}: mean {} vs {m}", c.mean());
        assert!((c.sd() - sd).abs() <= 1e-9 * sd + ulp, "{name}: sd {} vs {sd}", c.sd());
        assert_eq!(c.count(), xs.len() as u64);
    }
    let mut c = cell_of(&[2.5]);
    assert_eq!((c.mean(), c.sd()), (2.5, 0.0));
    c.add(2.5);
    assert_eq!((c.mean(), c.sd()), (2.5, 0.0));
    assert!(Cell::new().sd().is_nan() && Cell::new().mean().is_nan());
}

#[test]
fn summary_bytes_round_trip() {
    let mut s = Summary::new(3, 2);
    for (i, (_, xs)) in datasets(3_000, 9).into_iter().take(5).enumerate() {
        for &x in &xs {
            s.add(i % 3, i % 2, x);
        }
    }
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e-12] {
        s.add(2, 1, x);
    }
    let b = s.to_bytes();
    let t = Summary::from_bytes(&b).unwrap();
    assert_eq!(t, s);
    assert_eq!(t.to_bytes(), b);
    // Merging a decoded summary equals merging the original.
    let mut a = s.clone();
    a.merge(&t).unwrap();
    let mut a2 = s.clone();
    a2.merge(&s).unwrap();
    assert_eq!(a.to_bytes(), a2.to_bytes());
    // Empty and degenerate shapes.
    for (r, c) in [(0, 0), (0, 5), (5, 0), (1, 1), (7, 3)] {
        let e = Summary::new(r, c);
        assert_eq!(Summary::from_bytes(&e.to_bytes()).unwrap(), e);
    }
    println!("summary: {} cells, {} encoded bytes, {} in memory", s.cells.len(), b.len(), s.bytes());
}

#[test]
fn summary_from_bytes_rejects_garbage() {
    let mut s = Summary::new(2, 3);
    for (i, (_, xs)) in datasets(300, 10).into_iter().take(6).enumerate() {
        for &x in &xs {
            s.add(i / 3, i % 3, x);
        }
    }
    s.add(0, 0, f64::INFINITY);
    s.add(1, 2, f64::NAN);
    let b = s.to_bytes();
    // Every strict prefix.
    for k in 0..b.len() {
        assert!(Summary::from_bytes(&b[..k]).is_err(), "prefix {k}");
    }
    // Trailing bytes.
    let mut t = b.clone();
    t.push(0);
    assert!(Summary::from_bytes(&t).is_err());
    // Every one-bit corruption is caught by the envelope.
    for k in 0..b.len() {
        for bit in 0..8 {
            let mut g = b.clone();
            g[k] ^= 1 << bit;
            assert!(Summary::from_bytes(&g).is_err(), "byte {k} bit {bit}");
        }
    }
    // Behind a valid envelope, the payload's decoder: random bytes, with and
    // without valid mapping parameters, and random mutations of a valid
    // payload. No panic; anything accepted is a valid, usable state.
    let sealed = |payload: &[u8]| envelope::seal(MAGIC, FORMAT_VERSION, payload);
    let payload = envelope::open(MAGIC, &[FORMAT_VERSION], &b, "t").unwrap().payload.to_vec();
    let mut r = rng(12);
    for i in 0..20_000 {
        let len = r.random_range(0..200);
        let mut g: Vec<u8> = (0..len).map(|_| r.random::<u8>()).collect();
        if i % 2 == 0 {
            let mut h = payload[..20].to_vec();
            h.append(&mut g);
            g = h;
        }
        if let Ok(d) = Summary::from_bytes(&sealed(&g)) {
            assert_eq!(Summary::from_bytes(&d.to_bytes()).unwrap(), d);
        }
    }
    for _ in 0..20_000 {
        let mut g = payload.clone();
        for _ in 0..r.random_range(1..4) {
            let k = r.random_range(0..g.len());
            g[k] = r.random();
        }
        if let Ok(d) = Summary::from_bytes(&sealed(&g)) {
            for c in &d.cells {
                let _ = (c.mean(), c.sd(), c.quantile(0.5), c.quantile(0.99));
            }
            let mut m = d.clone();
            m.merge(&d).unwrap();
            assert_eq!(Summary::from_bytes(&d.to_bytes()).unwrap(), d);
        }
    }
    // Huge shapes with no data.
    for shape in [1u128 << 40, u64::MAX as u128] {
        let mut w = codec::Writer::with_capacity(64);
        write_mapping(&mut w);
        w.var(shape);
        w.var(shape);
        assert!(Summary::from_bytes(&sealed(&w.buf)).is_err());
    }
    // Wrong magic / format version (1 had no envelope).
    let mut t = b.clone();
    t[0] = b'X';
    assert!(Summary::from_bytes(&t).unwrap_err().contains("not a summary table data"));
    let old = envelope::seal(MAGIC, 1, &payload);
    assert!(Summary::from_bytes(&old).unwrap_err().contains("format version 1"));
}

#[test]
fn summary_merge_refuses_counts_past_u64() {
    let mut a = Summary::new(1, 2);
    a.add(0, 1, 1.0);
    let mut big = a.clone();
    big.cells[1].moments.count = u64::MAX;
    let before = a.clone();
    let e = a.merge(&big).unwrap_err();
    assert!(e.contains("more than 2^64 - 1 values in cell (0, 1)"), "{e}");
    assert_eq!(a, before, "a refused merge changes nothing");
}

#[test]
fn summary_memory() {
    let mut c = Cell::new();
    let mut r = rng(13);
    for _ in 0..100_000 {
        c.add(r.random_range(900.0..1100.0));
    }
    // ±10 % around 1000: ~10 buckets, in a 32-bucket initial window.
    assert!(c.bytes() <= estimate_cell_bytes(), "{}", c.bytes());
    println!(
        "summary: Cell inline {} bytes, narrow cell {} bytes, estimate {} bytes",
        size_of::<Cell>(),
        c.bytes(),
        estimate_cell_bytes()
    );
    let c = cell_of(&datasets(100_000, 14)[0].1);
    println!("summary: lognormal(0,2) cell {} bytes", c.bytes());
}

/// Timing: `cargo test --release summary_bench -- --ignored --nocapture`.
#[test]
#[ignore]
fn summary_bench_add() {
    use std::time::Instant;
    let mut r = rng(15);
    let n = 20_000_000usize;
    let xs: Vec<f64> = (0..1 << 16).map(|_| r.random_range(900.0..1100.0)).collect();
    let mut c = Cell::new();
    let t = Instant::now();
    for i in 0..n {
        c.add(xs[i & 0xffff]);
    }
    let dt = t.elapsed().as_secs_f64();
    println!("summary: Cell::add narrow range: {:.2} ns/add ({})", dt * 1e9 / n as f64, c.count());
    let ln = LogNormal::new(0.0, 2.0).unwrap();
    let ys: Vec<f64> = (0..1 << 16).map(|_| ln.sample(&mut r)).collect();
    let mut c = Cell::new();
    let t = Instant::now();
    for i in 0..n {
        c.add(ys[i & 0xffff]);
    }
    let dt = t.elapsed().as_secs_f64();
    println!("summary: Cell::add lognormal(0,2): {:.2} ns/add ({})", dt * 1e9 / n as f64, c.count());
    // Table: 20 series x 365 days, one trajectory at a time.
    let (rows, cols) = (20usize, 365usize);
    let mut s = Summary::new(rows, cols);
    let row: Vec<f64> = (0..cols).map(|d| 1000.0 + d as f64).collect();
    let trajs = 2_000;
    let t = Instant::now();
    for k in 0..trajs {
        let xs = &xs;
        let v: Vec<f64> =
            (0..rows).flat_map(|rr| row.iter().map(move |&x| x + xs[(k * 7 + rr) & 0xffff] * 0.01)).collect();
        s.add_rows(&v);
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "summary: Summary::add_rows {rows}x{cols}: {:.2} ns/value incl. building rows, {} bytes",
        dt * 1e9 / (trajs * rows * cols) as f64,
        s.bytes()
    );
    let t = Instant::now();
    let b = s.to_bytes();
    let te = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let d = Summary::from_bytes(&b).unwrap();
    let td = t.elapsed().as_secs_f64();
    assert_eq!(d, s);
    println!("summary: encode {:.1} ms, decode {:.1} ms, {} bytes", te * 1e3, td * 1e3, b.len());
}
