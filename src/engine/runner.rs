//! The Monte Carlo runner: trajectories in fixed blocks over rayon.
//!
//! Each trajectory draws only from its own keyed streams, so its numbers do
//! not depend on the block it lands in, the thread that runs it or the number
//! of threads. Blocks run in waves; between waves the caller's `tick` learns
//! how many trajectories are done and may stop the run (progress bars,
//! Ctrl-C), always on the calling thread.
use rayon::prelude::*;

use crate::error::CoreError;
use crate::model::Sink;
use crate::model::compile::Compiled;
use crate::summary::Summary;

/// Trajectories per block.
pub const BLOCK: usize = 64;

/// What to run.
#[derive(Debug, Clone)]
pub struct Request {
    pub seed: u64,
    /// Index of the first trajectory in the seed's streams.
    pub first: u64,
    pub n: usize,
    /// Ids of the series recorded as full paths.
    pub series: Vec<usize>,
    /// Explicitly given parameter values: for each trajectory, (slot, value) pairs.
    pub given: Vec<Vec<(usize, f64)>>,
    /// Worker threads; None: rayon's global pool.
    pub threads: Option<usize>,
    /// Refuse the run when it would hold more than this many bytes of results.
    pub max_bytes: Option<u64>,
}

/// Full paths: per series an n x days row-major buffer; per outcome and per
/// uncertain parameter an n-long column.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    pub series: Vec<Vec<f64>>,
    pub outcomes: Vec<Vec<f64>>,
    pub params: Vec<Vec<f64>>,
}

/// Bytes a run with full paths holds.
pub fn estimate_bytes(model: &Compiled, n: usize, n_series: usize) -> u64 {
    let per_traj = (n_series * model.days + model.outcomes.len() + model.uncertain.len()) as u64 * 8;
    per_traj.saturating_mul(n as u64)
}

struct PathSink<'a, 'b> {
    slot: &'a [usize],
    bufs: &'a mut [&'b mut [f64]],
    base: usize,
}

impl Sink for PathSink<'_, '_> {
    #[inline]
    fn put(&mut self, series: usize, t: usize, v: f64) {
        let s = self.slot[series];
        if s != usize::MAX {
            self.bufs[s][self.base + t] = v;
        }
    }
}

#[derive(Default)]
struct BlockOut<'b> {
    series: Vec<&'b mut [f64]>,
    outcomes: Vec<&'b mut [f64]>,
    params: Vec<&'b mut [f64]>,
}

fn pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>, CoreError> {
    match threads {
        None => Ok(None),
        Some(0) => Err(CoreError::Resource("threads must be at least 1".into())),
        Some(k) => rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .map(Some)
            .map_err(|e| CoreError::Resource(format!("could not start {k} threads: {e}"))),
    }
}

/// Run with full paths. `tick(done)` is called on the calling thread after
/// each wave of blocks; returning false stops the run with `Interrupted`.
pub fn run_paths(model: &Compiled, req: &Request, mut tick: impl FnMut(usize) -> bool) -> Result<Paths, CoreError> {
    let days = model.days;
    let n = req.n;
    if !req.given.is_empty() && req.given.len() != n {
        return Err(CoreError::Resource(format!("{} rows of given values for {n} trajectories", req.given.len())));
    }
    let need = estimate_bytes(model, n, req.series.len());
    if let Some(max) = req.max_bytes {
        if need > max {
            return Err(CoreError::Resource(format!(
                "this run would hold {:.1} MB of results, above the budget of {:.1} MB; \
                 record fewer series (series=[...]), fewer trajectories, or use paths=False",
                need as f64 / 1e6,
                max as f64 / 1e6
            )));
        }
    }
    let mut slot = vec![usize::MAX; model.series.len()];
    for (i, &id) in req.series.iter().enumerate() {
        slot[id] = i;
    }
    let mut out = Paths {
        series: req.series.iter().map(|_| vec![0.0; n * days]).collect(),
        outcomes: vec![vec![0.0; n]; model.outcomes.len()],
        params: vec![vec![0.0; n]; model.uncertain.len()],
    };
    let pool = pool(req.threads)?;
    let threads = pool.as_ref().map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    let blocks = n.div_ceil(BLOCK);
    let wave = (threads * 4).max(1);
    let mut b0 = 0;
    while b0 < blocks {
        let b1 = (b0 + wave).min(blocks);
        let (t0, t1) = (b0 * BLOCK, (b1 * BLOCK).min(n));
        let mut outs: Vec<BlockOut> = (b0..b1).map(|_| BlockOut::default()).collect();
        for buf in out.series.iter_mut() {
            for (b, ch) in buf[t0 * days..t1 * days].chunks_mut(BLOCK * days).enumerate() {
                outs[b].series.push(ch);
            }
        }
        for buf in out.outcomes.iter_mut() {
            for (b, ch) in buf[t0..t1].chunks_mut(BLOCK).enumerate() {
                outs[b].outcomes.push(ch);
            }
        }
        for buf in out.params.iter_mut() {
            for (b, ch) in buf[t0..t1].chunks_mut(BLOCK).enumerate() {
                outs[b].params.push(ch);
            }
        }
        let work = |(bi, mut bo): (usize, BlockOut)| {
            let first = (b0 + bi) * BLOCK;
            let len = bo.outcomes.first().map_or_else(|| (n - first).min(BLOCK), |c| c.len());
            let mut orow = vec![0.0; model.outcomes.len()];
            let mut prow = vec![0.0; model.uncertain.len()];
            for j in 0..len {
                let i = first + j;
                let given: &[(usize, f64)] = req.given.get(i).map_or(&[], |g| g.as_slice());
                let mut sink = PathSink { slot: &slot, bufs: &mut bo.series, base: j * days };
                model.simulate(req.seed, req.first + i as u64, given, &mut sink, &mut orow, &mut prow);
                for (k, x) in orow.iter().enumerate() {
                    bo.outcomes[k][j] = *x;
                }
                for (k, x) in prow.iter().enumerate() {
                    bo.params[k][j] = *x;
                }
            }
        };
        match &pool {
            Some(p) => p.install(|| outs.into_par_iter().enumerate().for_each(work)),
            None => outs.into_par_iter().enumerate().for_each(work),
        }
        b0 = b1;
        if !tick(t1) {
            return Err(CoreError::Interrupted);
        }
    }
    Ok(out)
}

/// Per-trajectory outcomes or drawn parameters: arrays while they fit the
/// memory budget, sketches (one cell per name) above it.
#[derive(Debug, Clone)]
pub enum Collected {
    Arrays(Vec<Vec<f64>>),
    Sketch(Summary),
}

/// Streaming summaries of a run: memory does not grow with n.
#[derive(Debug, Clone)]
pub struct Summaries {
    /// Rows: the requested series; columns: days.
    pub series: Summary,
    pub outcomes: Collected,
    pub params: Collected,
}

/// Bytes a summary-mode run holds: one summary per worker plus the result,
/// and the outcome and parameter arrays when they are kept per trajectory.
pub fn estimate_summary_bytes(model: &Compiled, n: usize, n_series: usize, threads: usize, arrays: bool) -> u64 {
    let cells = (n_series * model.days) as u64;
    let per_state = cells * crate::summary::estimate_cell_bytes() as u64;
    let cols = (model.outcomes.len() + model.uncertain.len()) as u64;
    let outs = if arrays {
        cols.saturating_mul(n as u64).saturating_mul(8)
    } else {
        cols * crate::summary::estimate_cell_bytes() as u64 * (threads as u64 + 1)
    };
    per_state.saturating_mul(threads as u64 + 1).saturating_add(outs)
}

/// One trajectory's recorded series, row by row (the summary then takes each
/// row in one pass, which keeps its cells in cache).
struct RowSink<'a> {
    slot: &'a [usize],
    days: usize,
    buf: &'a mut [f64],
}

impl Sink for RowSink<'_> {
    #[inline]
    fn put(&mut self, series: usize, t: usize, v: f64) {
        let s = self.slot[series];
        if s != usize::MAX {
            self.buf[s * self.days + t] = v;
        }
    }
}

struct Local {
    series: Summary,
    outcomes: Summary,
    params: Summary,
}

/// Run with streaming summaries. Outcomes and parameters are kept as arrays
/// when `arrays` is true, as sketches otherwise. Every statistic is exact
/// integer arithmetic or order-free (see `summary`), so the result is the same
/// bit for bit whatever the thread count, the block size or the partition of
/// the trajectories into partial runs.
pub fn run_summary(
    model: &Compiled,
    req: &Request,
    arrays: bool,
    mut tick: impl FnMut(usize) -> bool,
) -> Result<Summaries, CoreError> {
    let days = model.days;
    let n = req.n;
    if !req.given.is_empty() && req.given.len() != n {
        return Err(CoreError::Resource(format!("{} rows of given values for {n} trajectories", req.given.len())));
    }
    let pool = pool(req.threads)?;
    let threads = pool.as_ref().map_or_else(rayon::current_num_threads, |p| p.current_num_threads()).max(1);
    let need = estimate_summary_bytes(model, n, req.series.len(), threads, arrays);
    if let Some(max) = req.max_bytes {
        if need > max {
            return Err(CoreError::Resource(format!(
                "this run would hold about {:.1} MB, above the budget of {:.1} MB; record fewer series",
                need as f64 / 1e6,
                max as f64 / 1e6
            )));
        }
    }
    let mut slot = vec![usize::MAX; model.series.len()];
    for (i, &id) in req.series.iter().enumerate() {
        slot[id] = i;
    }
    let (n_out, n_par) = (model.outcomes.len(), model.uncertain.len());
    let sketch_rows = |k: usize| if arrays { 0 } else { k };
    let mut locals: Vec<Local> = (0..threads)
        .map(|_| Local {
            series: Summary::new(req.series.len(), days),
            outcomes: Summary::new(sketch_rows(n_out), 1),
            params: Summary::new(sketch_rows(n_par), 1),
        })
        .collect();
    let mut out_arr: Vec<Vec<f64>> = if arrays { vec![vec![0.0; n]; n_out] } else { Vec::new() };
    let mut par_arr: Vec<Vec<f64>> = if arrays { vec![vec![0.0; n]; n_par] } else { Vec::new() };

    let blocks = n.div_ceil(BLOCK);
    let per_group = 4; // blocks per worker per wave
    let wave = threads * per_group;
    let mut b0 = 0;
    while b0 < blocks {
        let b1 = (b0 + wave).min(blocks);
        let (t0, t1) = (b0 * BLOCK, (b1 * BLOCK).min(n));
        let group_len = per_group * BLOCK;
        let mut groups: Vec<(usize, Vec<&mut [f64]>, Vec<&mut [f64]>)> =
            (0..threads).map(|g| (t0 + g * group_len, Vec::new(), Vec::new())).collect();
        for col in out_arr.iter_mut() {
            for (g, ch) in col[t0..t1].chunks_mut(group_len).enumerate() {
                groups[g].1.push(ch);
            }
        }
        for col in par_arr.iter_mut() {
            for (g, ch) in col[t0..t1].chunks_mut(group_len).enumerate() {
                groups[g].2.push(ch);
            }
        }
        let work = |(local, (first, mut outs, mut pars)): (&mut Local, (usize, Vec<&mut [f64]>, Vec<&mut [f64]>))| {
            let last = (first + group_len).min(t1);
            let mut orow = vec![0.0; n_out];
            let mut prow = vec![0.0; n_par];
            let mut rows = vec![0.0; req.series.len() * days];
            for i in first..last {
                let given: &[(usize, f64)] = req.given.get(i).map_or(&[], |g| g.as_slice());
                let mut sink = RowSink { slot: &slot, days, buf: &mut rows };
                model.simulate(req.seed, req.first + i as u64, given, &mut sink, &mut orow, &mut prow);
                for (r, row) in rows.chunks_exact(days.max(1)).enumerate() {
                    local.series.add_row(r, row);
                }
                let j = i - first;
                if arrays {
                    for (k, x) in orow.iter().enumerate() {
                        outs[k][j] = *x;
                    }
                    for (k, x) in prow.iter().enumerate() {
                        pars[k][j] = *x;
                    }
                } else {
                    for (k, x) in orow.iter().enumerate() {
                        local.outcomes.add(k, 0, *x);
                    }
                    for (k, x) in prow.iter().enumerate() {
                        local.params.add(k, 0, *x);
                    }
                }
            }
        };
        let jobs: Vec<_> = locals.iter_mut().zip(groups).filter(|(_, g)| g.0 < t1).collect();
        match &pool {
            Some(p) => p.install(|| jobs.into_par_iter().for_each(work)),
            None => jobs.into_par_iter().for_each(work),
        }
        b0 = b1;
        if !tick(t1) {
            return Err(CoreError::Interrupted);
        }
    }
    let mut it = locals.into_iter();
    let mut acc = it.next().expect("at least one worker");
    for l in it {
        acc.series.merge(&l.series).map_err(CoreError::Resource)?;
        acc.outcomes.merge(&l.outcomes).map_err(CoreError::Resource)?;
        acc.params.merge(&l.params).map_err(CoreError::Resource)?;
    }
    Ok(Summaries {
        series: acc.series,
        outcomes: if arrays { Collected::Arrays(out_arr) } else { Collected::Sketch(acc.outcomes) },
        params: if arrays { Collected::Arrays(par_arr) } else { Collected::Sketch(acc.params) },
    })
}
