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
