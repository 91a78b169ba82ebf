//! The Monte Carlo runner: trajectories in fixed blocks over rayon.
//!
//! Each trajectory draws only from its own keyed streams, so its numbers do
//! not depend on the block it lands in, the thread that runs it or the number
//! of threads. The blocks run on a driver thread; the calling thread polls
//! their progress every `POLL` (50 ms) and hands it to `tick`, which may stop the
//! run (progress bars, Ctrl-C): workers then finish the trajectory they are
//! on and return, so a stop takes effect within one trajectory's time.
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use rayon::ThreadPool;
use rayon::prelude::*;

use super::pool::pool;
use crate::error::CoreError;
use crate::model::{Discard, Model, Sink};
use crate::summary::{EventCounts, Summary};

/// Trajectories per block.
pub const BLOCK: usize = 64;
/// How often the calling thread reports progress and checks for a stop.
pub(crate) const POLL: Duration = Duration::from_millis(50);

/// What to run.
#[derive(Debug, Clone)]
pub struct Request {
    pub seed: u64,
    /// Index of the first trajectory in the seed's streams.
    pub first: u64,
    pub n: usize,
    /// Ids of the series recorded (as paths or summaries).
    pub series: Vec<usize>,
    /// Explicitly given parameter values: for each trajectory, pairs of an
    /// index in [`Model::uncertain`] and a value (empty: none given).
    pub given: Vec<Vec<(usize, f64)>>,
    /// Worker threads; None: the engine's shared pool (see `pool`).
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
    /// With sketches: exact counts per day of the first-passage outcomes (in
    /// outcome order), which a sketch of day indices would only approximate.
    pub events: Option<EventCounts>,
}

/// Bytes a trajectory's state takes on each of `threads` workers (guns,
/// returns, items; an upper bound from the scenario's supports).
fn state_bytes(model: &Model, threads: usize) -> u64 {
    let per = model.compiled().state_bytes + 8.0 * (model.outcomes().len() + model.uncertain().len()) as f64;
    // A float bound of at most ~1e10 bytes per worker (the scenario's totals): the cast saturates.
    (per.ceil() as u64).saturating_mul(threads as u64)
}

/// Bytes a run with full paths holds: the paths, outcomes and drawn
/// parameters, and each worker's trajectory state.
pub fn estimate_bytes(model: &Model, n: usize, n_series: usize, threads: usize) -> u64 {
    let per_traj = ((n_series as u64).saturating_mul(model.days() as u64))
        .saturating_add((model.outcomes().len() + model.uncertain().len()) as u64)
        .saturating_mul(8);
    per_traj.saturating_mul(n as u64).saturating_add(state_bytes(model, threads))
}

/// Trajectories whose recorded series a worker buffers before adding them to
/// its summary: each cell then takes a run of values while it is in cache,
/// instead of one value per trajectory from a state far larger than the cache.
/// The buffer is held under [`SUMMARY_BATCH_BYTES`]. A whole block (a batch
/// never spans two): a cell's buckets, far from the cache by the time the
/// next batch comes, are fetched once per 64 values.
pub(crate) const SUMMARY_BATCH: usize = BLOCK;
/// Upper bound of a worker's batch buffer (unless one trajectory needs more).
pub(crate) const SUMMARY_BATCH_BYTES: usize = 16 << 20;

/// Trajectories per batch for `cells` series-days per trajectory.
fn summary_batch(cells: usize) -> usize {
    (SUMMARY_BATCH_BYTES / (cells * 8).max(1)).clamp(1, SUMMARY_BATCH)
}

/// What a summary-mode run holds, in bytes: `fixed` does not depend on the
/// values (cells, batch buffers, arrays, trajectory state); `sketches` is the
/// sketches' buckets at their typical size (see [`estimate_summary_bytes`]).
#[derive(Debug, Clone, Copy)]
struct SummaryBytes {
    fixed: u64,
    sketches: u64,
}

fn summary_bytes(model: &Model, n: usize, n_series: usize, threads: usize, arrays: bool) -> SummaryBytes {
    let t = threads as u64;
    let cells = (n_series as u64).saturating_mul(model.days() as u64);
    let batch = if cells == 0 { 0 } else { cells.saturating_mul(8 * summary_batch(cells as usize) as u64) };
    let cols = (model.outcomes().len() + model.uncertain().len()) as u64;
    let sketch_cells = cells.saturating_add(if arrays { 0 } else { cols });
    // One summary per worker and the merged result.
    let copies = t + 1;
    let inline = sketch_cells.saturating_mul(crate::summary::INLINE_CELL_BYTES as u64).saturating_mul(copies);
    let arrays_bytes = if arrays { cols.saturating_mul(n as u64).saturating_mul(8) } else { 0 };
    // Without arrays, exact day counts of the first-passage outcomes (days + 1 a row).
    let events = if arrays {
        0
    } else {
        let rows = event_rows(model).iter().flatten().count() as u64;
        rows.saturating_mul(model.days() as u64 + 1).saturating_mul(8).saturating_mul(copies)
    };
    SummaryBytes {
        fixed: inline
            .saturating_add(batch.saturating_mul(t))
            .saturating_add(arrays_bytes)
            .saturating_add(events)
            .saturating_add(state_bytes(model, threads)),
        sketches: sketch_cells.saturating_mul(crate::summary::TYPICAL_SKETCH_BYTES as u64).saturating_mul(copies),
    }
}

/// Bytes a summary-mode run holds: one summary and one batch buffer per
/// worker, plus the result, the outcome and parameter arrays when they are
/// kept per trajectory, and each worker's trajectory state.
///
/// A sketch's buckets grow with the log of the range its values span (about
/// 115 buckets a decade): the estimate counts the typical size, and the run
/// counts the buckets its workers actually hold and stops with
/// `CoreError::Resource` when they outgrow the budget (a series spanning
/// 1 to 1e6 over many days needs about 60 times the typical size).
pub fn estimate_summary_bytes(model: &Model, n: usize, n_series: usize, threads: usize, arrays: bool) -> u64 {
    let b = summary_bytes(model, n, n_series, threads, arrays);
    b.fixed.saturating_add(b.sketches)
}

/// For each outcome, its row among the first-passage outcomes (None for the others).
fn event_rows(model: &Model) -> Vec<Option<usize>> {
    let mut next = 0;
    model
        .outcomes()
        .iter()
        .map(|e| {
            e.kind.quantity.first_passage.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
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

/// A block's share of the output columns.
struct Block<'b> {
    first: usize,
    len: usize,
    series: Vec<&'b mut [f64]>,
    outcomes: Vec<&'b mut [f64]>,
    params: Vec<&'b mut [f64]>,
}

/// Split n-long columns (each `width` values per trajectory) into blocks.
fn split<'b>(
    blocks: &mut [Block<'b>],
    cols: &'b mut [Vec<f64>],
    width: usize,
    pick: for<'x> fn(&'x mut Block<'b>) -> &'x mut Vec<&'b mut [f64]>,
) {
    for col in cols.iter_mut() {
        for (b, ch) in col.chunks_mut(BLOCK * width.max(1)).enumerate() {
            pick(&mut blocks[b]).push(ch);
        }
    }
}

/// Block `b` of a run of `n` trajectories, without output columns.
fn empty_block<'b>(n: usize, b: usize) -> Block<'b> {
    Block {
        first: b * BLOCK,
        len: (n - b * BLOCK).min(BLOCK),
        series: Vec::new(),
        outcomes: Vec::new(),
        params: Vec::new(),
    }
}

/// Every block of a run of `n` trajectories, for output columns to be split
/// into: only for runs whose per-trajectory output fits the memory budget
/// (runs without it take their blocks one at a time from a range).
fn new_blocks<'b>(n: usize) -> Vec<Block<'b>> {
    (0..n.div_ceil(BLOCK)).map(|b| empty_block(n, b)).collect()
}

/// The checks of a request that do not depend on memory.
fn check(model: &Model, req: &Request) -> Result<(), CoreError> {
    if req.n == 0 {
        return Err(CoreError::Argument("n must be at least 1 trajectory".into()));
    }
    if req.first.checked_add(req.n as u64 - 1).is_none() {
        return Err(CoreError::Argument(format!(
            "trajectories {} to {} + {} - 1 pass the last trajectory index, 2^64 - 1",
            req.first, req.first, req.n
        )));
    }
    if !req.given.is_empty() && req.given.len() != req.n {
        return Err(CoreError::Argument(format!(
            "{} rows of given values for {} trajectories",
            req.given.len(),
            req.n
        )));
    }
    let (n_series, n_params) = (model.series().len(), model.uncertain().len());
    if let Some(&id) = req.series.iter().find(|&&id| id >= n_series) {
        return Err(CoreError::Argument(format!("series id {id} out of range: the model has {n_series} series")));
    }
    if let Some(&(i, _)) = req.given.iter().flatten().find(|(i, _)| *i >= n_params) {
        return Err(CoreError::Argument(format!(
            "uncertain parameter {i} out of range: the model has {n_params} uncertain parameters"
        )));
    }
    check_given(model, &req.given)
}

/// Given values obey the rules of the scenario: each is finite and in the
/// domain of its parameter (the check compile makes of a distribution's
/// support). One message per parameter, for its first bad row.
pub fn check_given(model: &Model, given: &[Vec<(usize, f64)>]) -> Result<(), CoreError> {
    let uncertain = model.uncertain();
    let mut bad: Vec<Option<String>> = vec![None; uncertain.len()];
    for (row, values) in given.iter().enumerate() {
        for &(j, x) in values {
            if let (Some(u), Some(slot @ None)) = (uncertain.get(j), bad.get_mut(j)) {
                if let Err(rule) = u.admits(x) {
                    *slot = Some(format!("{}: {rule}, got {x} (samples row {row})", u.path));
                }
            }
        }
    }
    let errors: Vec<String> = bad.into_iter().flatten().collect();
    if errors.is_empty() { Ok(()) } else { Err(CoreError::Scenario(errors)) }
}

fn slots(model: &Model, req: &Request) -> Vec<usize> {
    let mut slot = vec![usize::MAX; model.series().len()];
    for (i, &id) in req.series.iter().enumerate() {
        slot[id] = i;
    }
    slot
}

/// Run `work` on every block over the pool from a driver thread, while the
/// calling thread polls progress and calls `tick`. `work(block, stop)`
/// simulates the block's trajectories, checking `stop` before each one and
/// counting each finished one in `done`.
fn drive<B: Send>(
    pool: &ThreadPool,
    blocks: impl IntoParallelIterator<Item = B> + Send,
    work: impl Fn(B, &AtomicBool, &AtomicUsize) + Sync,
    tick: &mut dyn FnMut(usize) -> bool,
) -> Result<(), CoreError> {
    let stop = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let caller = std::thread::current();
    std::thread::scope(|scope| {
        let driver = scope.spawn(|| {
            // Wake the caller as soon as the work ends, finished or not.
            struct Wake(std::thread::Thread);
            impl Drop for Wake {
                fn drop(&mut self) {
                    self.0.unpark();
                }
            }
            let _wake = Wake(caller.clone());
            // Once stopped, an error ends the iteration: rayon splits off no more
            // work, instead of visiting each of up to 2^58 remaining blocks.
            let each = |b: B| {
                if stop.load(Ordering::Relaxed) {
                    return Err(());
                }
                work(b, &stop, &done);
                Ok(())
            };
            let _stopped_early = pool.install(|| blocks.into_par_iter().try_for_each(each));
        });
        let mut stopped = false;
        while !driver.is_finished() {
            std::thread::park_timeout(POLL);
            if !stopped && !tick(done.load(Ordering::Relaxed)) {
                stop.store(true, Ordering::Relaxed);
                stopped = true;
            }
        }
        if let Err(panic) = driver.join() {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            return Err(CoreError::Internal(format!("a worker thread panicked: {what}")));
        }
        if stopped || !tick(done.load(Ordering::Relaxed)) {
            return Err(CoreError::Interrupted);
        }
        Ok(())
    })
}

/// Run with full paths of the requested series. `tick(done)` is called on the
/// calling thread about every `POLL`; returning false stops the run with
/// `Interrupted`.
pub fn run_paths(model: &Model, req: &Request, mut tick: impl FnMut(usize) -> bool) -> Result<Paths, CoreError> {
    let days = model.days();
    let n = req.n;
    check(model, req)?;
    let pool = pool(req.threads)?;
    let need = estimate_bytes(model, n, req.series.len(), pool.current_num_threads());
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
    let Some(cells) = n.checked_mul(days).filter(|c| c.checked_mul(8).is_some()) else {
        return Err(CoreError::Resource(format!("{n} trajectories of {days} days do not fit in memory as paths")));
    };
    let slot = slots(model, req);
    let mut out = Paths {
        series: req.series.iter().map(|_| vec![0.0; cells]).collect(),
        outcomes: vec![vec![0.0; n]; model.outcomes().len()],
        params: vec![vec![0.0; n]; model.uncertain().len()],
    };
    let mut blocks = new_blocks(n);
    split(&mut blocks, &mut out.series, days, |b| &mut b.series);
    split(&mut blocks, &mut out.outcomes, 1, |b| &mut b.outcomes);
    split(&mut blocks, &mut out.params, 1, |b| &mut b.params);
    let work = |mut b: Block, stop: &AtomicBool, done: &AtomicUsize| {
        let mut orow = vec![0.0; model.outcomes().len()];
        let mut prow = vec![0.0; model.uncertain().len()];
        for j in 0..b.len {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let i = b.first + j;
            let traj = req.first + i as u64;
            let given: &[(usize, f64)] = req.given.get(i).map_or(&[], |g| g.as_slice());
            if b.series.is_empty() {
                model.simulate(req.seed, traj, given, &mut Discard, &mut orow, &mut prow);
            } else {
                let mut sink = PathSink { slot: &slot, bufs: &mut b.series, base: j * days };
                model.simulate(req.seed, traj, given, &mut sink, &mut orow, &mut prow);
            }
            for (k, x) in orow.iter().enumerate() {
                b.outcomes[k][j] = *x;
            }
            for (k, x) in prow.iter().enumerate() {
                b.params[k][j] = *x;
            }
            done.fetch_add(1, Ordering::Relaxed);
        }
    };
    drive(&pool, blocks, work, &mut tick)?;
    Ok(out)
}

struct Local {
    series: Summary,
    outcomes: Summary,
    params: Summary,
    events: EventCounts,
    /// The first error counting an event time (a bug in a sub-model if ever).
    failed: Option<String>,
    /// The batch buffer, kept from block to block (fresh pages for every block
    /// would cost a page fault and a zeroing each).
    rows: Vec<f64>,
}

/// Run with streaming summaries. Outcomes and parameters are kept as arrays
/// when `arrays` is true, as sketches otherwise. Every statistic is exact
/// integer arithmetic or order-free (see `summary`), so the result is the same
/// bit for bit whatever the thread count, the block size or the partition of
/// the trajectories into partial runs. Each worker thread folds into its own
/// summary; they are merged at the end.
///
/// Without arrays nothing grows with n: the blocks are taken one at a time
/// from a range, so any n (up to 2^64 - 1) starts at once and stops when
/// `tick` says so. The sketches' buckets are counted as they grow; when they
/// would take the run past `max_bytes`, it stops with `CoreError::Resource`.
pub fn run_summary(
    model: &Model,
    req: &Request,
    arrays: bool,
    mut tick: impl FnMut(usize) -> bool,
) -> Result<Summaries, CoreError> {
    let days = model.days();
    let n = req.n;
    check(model, req)?;
    let pool = pool(req.threads)?;
    let threads = pool.current_num_threads().max(1);
    let need = summary_bytes(model, n, req.series.len(), threads, arrays);
    // The bytes the sketches may grow to before the run is over the budget.
    let allowance = match req.max_bytes {
        Some(max) if need.fixed.saturating_add(need.sketches) > max => {
            return Err(CoreError::Resource(format!(
                "this run would hold about {:.1} MB, above the budget of {:.1} MB; record fewer series",
                need.fixed.saturating_add(need.sketches) as f64 / 1e6,
                max as f64 / 1e6
            )));
        }
        Some(max) => max - need.fixed,
        None => u64::MAX,
    };
    let slot = slots(model, req);
    let (n_out, n_par) = (model.outcomes().len(), model.uncertain().len());
    let sketch_rows = |k: usize| if arrays { 0 } else { k };
    let ev_row = event_rows(model);
    let n_ev = ev_row.iter().flatten().count();
    let locals: Vec<Mutex<Local>> = (0..threads)
        .map(|_| {
            Mutex::new(Local {
                series: Summary::new(req.series.len(), days),
                outcomes: Summary::new(sketch_rows(n_out), 1),
                params: Summary::new(sketch_rows(n_par), 1),
                events: EventCounts::new(sketch_rows(n_ev), days),
                failed: None,
                rows: Vec::new(),
            })
        })
        .collect();
    // Buckets held by all workers; with the merged result (about one worker's
    // share more) they must stay within the allowance.
    let held = AtomicU64::new(0);
    let over = AtomicBool::new(false);
    let grow = |bytes: usize, stop: &AtomicBool| {
        let total = held.fetch_add(bytes as u64, Ordering::Relaxed) + bytes as u64;
        if total.saturating_add(total / threads as u64) > allowance {
            over.store(true, Ordering::Relaxed);
            stop.store(true, Ordering::Relaxed);
        }
    };
    let work = |mut b: Block, stop: &AtomicBool, done: &AtomicUsize| {
        let me = rayon::current_thread_index().unwrap_or(0) % locals.len();
        let mut local = locals[me].lock().unwrap_or_else(|e| e.into_inner());
        let before = local.outcomes.heap_bytes() + local.params.heap_bytes();
        let mut orow = vec![0.0; n_out];
        let mut prow = vec![0.0; n_par];
        let cells = req.series.len() * days;
        let batch = summary_batch(cells);
        let mut rows = std::mem::take(&mut local.rows);
        rows.resize(cells * batch, 0.0);
        let mut filled = 0;
        for j in 0..b.len {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let i = b.first + j;
            let traj = req.first + i as u64;
            let given: &[(usize, f64)] = req.given.get(i).map_or(&[], |g| g.as_slice());
            if cells == 0 {
                model.simulate(req.seed, traj, given, &mut Discard, &mut orow, &mut prow);
            } else {
                let buf = &mut rows[filled * cells..(filled + 1) * cells];
                let mut sink = RowSink { slot: &slot, days, buf };
                model.simulate(req.seed, traj, given, &mut sink, &mut orow, &mut prow);
                filled += 1;
                if filled == batch || j + 1 == b.len {
                    let grown = local.series.add_rows(&rows[..filled * cells]);
                    if grown > 0 {
                        grow(grown, stop);
                    }
                    filled = 0;
                }
            }
            if arrays {
                for (k, x) in orow.iter().enumerate() {
                    b.outcomes[k][j] = *x;
                }
                for (k, x) in prow.iter().enumerate() {
                    b.params[k][j] = *x;
                }
            } else {
                for (k, x) in orow.iter().enumerate() {
                    local.outcomes.add(k, 0, *x);
                    if let Some(r) = ev_row[k] {
                        if let Err(e) = local.events.add(r, *x) {
                            local.failed.get_or_insert(e);
                        }
                    }
                }
                for (k, x) in prow.iter().enumerate() {
                    local.params.add(k, 0, *x);
                }
            }
            done.fetch_add(1, Ordering::Relaxed);
        }
        local.rows = rows;
        let after = local.outcomes.heap_bytes() + local.params.heap_bytes();
        if after > before {
            grow(after - before, stop);
        }
    };
    let mut out_arr: Vec<Vec<f64>> = Vec::new();
    let mut par_arr: Vec<Vec<f64>> = Vec::new();
    let finished = if arrays {
        // The arrays fit the budget (checked above), and so do their blocks.
        out_arr = vec![vec![0.0; n]; n_out];
        par_arr = vec![vec![0.0; n]; n_par];
        let mut blocks = new_blocks(n);
        split(&mut blocks, &mut out_arr, 1, |b| &mut b.outcomes);
        split(&mut blocks, &mut par_arr, 1, |b| &mut b.params);
        drive(&pool, blocks, work, &mut tick)
    } else {
        let blocks = (0..n.div_ceil(BLOCK)).into_par_iter().map(|b| empty_block(n, b));
        drive(&pool, blocks, work, &mut tick)
    };
    if over.load(Ordering::Relaxed) {
        let held = held.load(Ordering::Relaxed);
        return Err(CoreError::Resource(format!(
            "this run's summaries outgrew the budget of {:.1} MB: with their quantile sketches' buckets ({:.1} MB \
             so far) it would hold more (a series whose values span many orders of magnitude needs many buckets, \
             about 115 a decade per day); record fewer series or raise max_memory",
            req.max_bytes.unwrap_or(0) as f64 / 1e6,
            held as f64 / 1e6,
        )));
    }
    finished?;
    let mut it = locals.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()));
    let mut acc = it.next().ok_or_else(|| CoreError::Internal("a summary run without workers".into()))?;
    for l in it {
        acc.series.merge(&l.series).map_err(CoreError::Internal)?;
        acc.outcomes.merge(&l.outcomes).map_err(CoreError::Internal)?;
        acc.params.merge(&l.params).map_err(CoreError::Internal)?;
        acc.events.merge(&l.events).map_err(CoreError::Internal)?;
        acc.failed = acc.failed.or(l.failed);
    }
    if let Some(e) = acc.failed {
        return Err(CoreError::Internal(format!("a first-passage outcome: {e}")));
    }
    Ok(Summaries {
        series: acc.series,
        outcomes: if arrays { Collected::Arrays(out_arr) } else { Collected::Sketch(acc.outcomes) },
        params: if arrays { Collected::Arrays(par_arr) } else { Collected::Sketch(acc.params) },
        events: if arrays { None } else { Some(acc.events) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_panic_is_an_internal_error_and_a_stop_an_interruption() {
        let pool = pool(Some(2)).unwrap();
        let blocks: Vec<usize> = (0..4).collect();
        let r = drive(&pool, blocks, |b, _, _| assert!(b != 2, "block {b} broke"), &mut |_| true);
        match r {
            Err(e @ CoreError::Internal(_)) => {
                let m = e.to_string();
                assert!(m.contains("block 2 broke") && m.contains("This is a bug in attrition"), "{m}");
            }
            other => panic!("expected an internal error, got {other:?}"),
        }
        let stopped = drive(&pool, vec![0usize; 3], |_, _, _| {}, &mut |_| false);
        assert_eq!(stopped, Err(CoreError::Interrupted));
    }

    #[test]
    fn a_stop_ends_a_run_of_any_length_at_once() {
        // 2^58 blocks (2^64 trajectories) taken one at a time from a range: once
        // stopped, the rest are never visited.
        let pool = pool(Some(2)).unwrap();
        let t0 = std::time::Instant::now();
        let work = |_b: usize, _: &AtomicBool, done: &AtomicUsize| {
            std::thread::sleep(Duration::from_millis(1));
            done.fetch_add(BLOCK, Ordering::Relaxed);
        };
        let r = drive(&pool, (0..usize::MAX / BLOCK).into_par_iter(), work, &mut |done| done < 1000);
        assert_eq!(r, Err(CoreError::Interrupted));
        assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    }
}
