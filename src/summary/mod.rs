//! Streaming, mergeable, bit-exact summaries.
//!
//! A [`Cell`] holds, in memory independent of the number of values, the
//! count, min, max, mean and sd (exact fixed-point sums, see [`moments`]) and
//! a DDSketch-style quantile sketch with 1 % relative accuracy (see
//! [`sketch`]). Every part of the state is integer counts/sums or an exact
//! min/max, so adding values and merging partial states in any order, over
//! any partition of the values, gives bit-identical states (and identical
//! [`Summary::to_bytes`]).
//!
//! Conventions:
//! * NaN is ignored (tallied apart, not counted). `-0.0` is treated as `0.0`.
//! * ±inf count in `count`, `min`, `max` and the quantiles (as ±inf), not in
//!   the sums: `mean`/`sd` are NaN while any is present. So are they when a
//!   finite value with |x| >= 2^46 was added (not representable in the
//!   fixed-point sums).
//! * `mean`/`sd` are those of the values rounded to multiples of 2^-16
//!   (resolution ≈ 1.5e-5 per value); `sd` is the sample sd (n − 1), 0 for one
//!   value, NaN for none.
//! * `quantile(q)`: the inverted empirical distribution function, one rule
//!   for summaries and full paths (docs/model.md section 6): the smallest
//!   value whose cumulative count reaches `q n`, i.e. `sorted[ceil(q n)]`
//!   counting from 1 (numpy's `inverted_cdf`), with q = 0 the minimum and
//!   q = 1 the maximum. It is returned as its bucket's representative clamped
//!   to [min, max]; exactly min and max for q = 0 and q = 1. Relative error
//!   <= 1 % against that exact value, except that |x| < 1e-9 is reported as
//!   0 (clamped to [min, max]).
//!
//! Bit-exactness holds within one build on one platform: bucket indices use
//! the platform's `ln`.
pub mod envelope;
pub mod events;
pub mod moments;
pub mod sketch;

mod codec;

use codec::{R, Reader, Writer};
pub use events::EventCounts;
pub use moments::Moments;
pub use sketch::{Sketch, Store};

/// Relative accuracy of the quantiles.
pub const RELATIVE_ACCURACY: f64 = 0.01;

/// Magic bytes of the binary format (the kind of its envelope, see [`envelope`]).
pub const MAGIC: [u8; 4] = *b"ATSM";
/// Version of the binary format: 2 is the payload of version 1 (mapping
/// parameters, shape, cells) in a checked envelope.
pub const FORMAT_VERSION: u16 = 2;
/// What a summary table is called in messages.
const WHAT: &str = "a summary table";

/// Bytes of a cell itself (its sketch's buckets are on the heap).
pub const INLINE_CELL_BYTES: usize = size_of::<Cell>();
/// Typical heap bytes of a cell's sketch: 256 buckets, a little over two
/// decades (each takes about 115); the cells of the built-in baseline's series
/// hold 140 to 190 on average.
pub const TYPICAL_SKETCH_BYTES: usize = 256 * size_of::<u64>();

/// Typical memory of one cell for budget estimates: the inline size plus
/// [`TYPICAL_SKETCH_BYTES`].
pub fn estimate_cell_bytes() -> usize {
    INLINE_CELL_BYTES + TYPICAL_SKETCH_BYTES
}

/// Statistics of one series on one day (or of one outcome).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Cell {
    pub moments: Moments,
    pub sketch: Sketch,
}

impl Cell {
    pub const fn new() -> Self {
        Cell { moments: Moments::new(), sketch: Sketch::new() }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        self.moments.add(x);
        self.sketch.add(x);
    }

    /// Add `x` `k` times (the state of `k` calls of [`Cell::add`]).
    #[inline]
    pub fn add_n(&mut self, x: f64, k: u64) {
        self.moments.add_n(x, k);
        self.sketch.add_n(x, k);
    }

    /// Add every value of `values`; runs of equal values (a day's value is
    /// often the same in many trajectories: whole counts, an untouched
    /// stock) at once. Returns the bytes the sketch's buckets grew by.
    #[inline]
    fn add_all(&mut self, mut values: impl Iterator<Item = f64>) -> usize {
        let before = self.sketch.heap_bytes();
        let Some(first) = values.next() else { return 0 };
        let (mut x, mut k) = (first, 1);
        for v in values {
            if v.to_bits() == x.to_bits() {
                k += 1;
            } else {
                self.add_n(x, k);
                (x, k) = (v, 1);
            }
        }
        self.add_n(x, k);
        self.sketch.heap_bytes() - before
    }

    pub fn merge(&mut self, other: &Cell) {
        self.moments.merge(&other.moments);
        self.sketch.merge(&other.sketch);
    }

    /// Non-NaN values added.
    pub fn count(&self) -> u64 {
        self.moments.count()
    }
    /// NaN values seen (and otherwise ignored).
    pub fn nan_count(&self) -> u64 {
        self.moments.nan_count()
    }
    pub fn mean(&self) -> f64 {
        self.moments.mean()
    }
    pub fn sd(&self) -> f64 {
        self.moments.sd()
    }
    pub fn min(&self) -> f64 {
        self.moments.min()
    }
    pub fn max(&self) -> f64 {
        self.moments.max()
    }

    /// The q-quantile (see the module docs); NaN when empty or q is not in [0, 1].
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count() == 0 || !(0.0..=1.0).contains(&q) {
            return f64::NAN;
        }
        let (lo, hi) = (self.moments.min, self.moments.max);
        if q == 0.0 {
            return lo;
        }
        if q == 1.0 {
            return hi;
        }
        let v = self.sketch.quantile(q);
        if v < lo {
            lo
        } else if v > hi {
            hi
        } else {
            v
        }
    }

    /// Inline plus heap bytes.
    pub fn bytes(&self) -> usize {
        size_of::<Cell>() + self.sketch.heap_bytes()
    }

    fn write(&self, w: &mut Writer) {
        let m = &self.moments;
        w.var(m.count as u128);
        w.var(m.nan as u128);
        w.var(m.infinite as u128);
        w.var(m.overflow as u128);
        w.f64(m.min);
        w.f64(m.max);
        w.var_i(m.sum_q);
        w.var(m.sum_q2_lo);
        w.var(m.sum_q2_hi as u128);
        let s = &self.sketch;
        w.var(s.zero as u128);
        w.var(s.neg_inf as u128);
        w.var(s.pos_inf as u128);
        write_store(w, &s.pos);
        write_store(w, &s.neg);
    }

    fn read(r: &mut Reader) -> R<Cell> {
        let m = Moments {
            count: r.u64()?,
            nan: r.u64()?,
            infinite: r.u64()?,
            overflow: r.u64()?,
            min: r.f64()?,
            max: r.f64()?,
            sum_q: r.i128()?,
            sum_q2_lo: r.u128()?,
            sum_q2_hi: r.u64()?,
        };
        let mut s = Sketch::new();
        s.zero = r.u64()?;
        s.neg_inf = r.u64()?;
        s.pos_inf = r.u64()?;
        s.pos = read_store(r)?;
        s.neg = read_store(r)?;
        let cell = Cell { moments: m, sketch: s };
        cell.validate()?;
        Ok(cell)
    }

    /// Internal consistency of a decoded cell.
    fn validate(&self) -> R<()> {
        let m = &self.moments;
        let s = &self.sketch;
        let bad = |what: &str| Err(format!("summary: inconsistent cell ({what})"));
        let sum = |st: &Store| st.span().map_or(Some(0u64), |(_, c)| c.iter().try_fold(0u64, |a, &b| a.checked_add(b)));
        let (Some(pt), Some(nt)) = (sum(&s.pos), sum(&s.neg)) else { return bad("bucket counts overflow") };
        let total = [s.zero, s.neg_inf, s.pos_inf, pt, nt].iter().try_fold(0u64, |a, &b| a.checked_add(b));
        if total != Some(m.count) {
            return bad("sketch count differs from count");
        }
        if s.neg_inf.checked_add(s.pos_inf) != Some(m.infinite) {
            return bad("infinite count");
        }
        let Some(finite) = (m.count - m.infinite).checked_sub(m.overflow) else { return bad("overflow count") };
        if m.count == 0 {
            if m.min.to_bits() != f64::INFINITY.to_bits()
                || m.max.to_bits() != f64::NEG_INFINITY.to_bits()
                || m.sum_q != 0
                || m.sum_q2_lo != 0
                || m.sum_q2_hi != 0
            {
                return bad("empty cell with values");
            }
            return Ok(());
        }
        if m.min.is_nan() || m.max.is_nan() || m.min > m.max {
            return bad("min/max");
        }
        if m.min.to_bits() == (-0.0f64).to_bits() || m.max.to_bits() == (-0.0f64).to_bits() {
            return bad("negative zero");
        }
        if (m.min == f64::NEG_INFINITY) != (s.neg_inf > 0) || (m.max == f64::INFINITY) != (s.pos_inf > 0) {
            return bad("infinities");
        }
        if m.min == f64::INFINITY || m.max == f64::NEG_INFINITY {
            return bad("min/max");
        }
        let thr = sketch::ZERO_THRESHOLD;
        // (min and max are not NaN here)
        if (nt > 0 && m.min > -thr) || (pt > 0 && m.max < thr) || (s.zero > 0 && (m.min >= thr || m.max <= -thr)) {
            return bad("min/max against the buckets");
        }
        // |q| <= 2^62 per summed value.
        if m.sum_q.unsigned_abs() > (finite as u128) << 62 {
            return bad("sum");
        }
        // q² <= 2^124 per summed value: sum_q2 <= finite · 2^124.
        let (bhi, blo) = (finite >> 4, ((finite & 15) as u128) << 124);
        if (m.sum_q2_hi, m.sum_q2_lo) > (bhi, blo) {
            return bad("sum of squares");
        }
        if m.scatter().is_none() {
            return bad("negative variance");
        }
        Ok(())
    }
}

fn write_store(w: &mut Writer, s: &Store) {
    match s.span() {
        None => w.var(0),
        Some((lo, c)) => {
            w.var(c.len() as u128);
            w.var_i(lo as i128);
            for &v in c {
                w.var(v as u128);
            }
        }
    }
}

fn read_store(r: &mut Reader) -> R<Store> {
    let len = r.u64()?;
    if len == 0 {
        return Ok(Store::new());
    }
    let span = (sketch::MAX_INDEX - sketch::MIN_INDEX + 1) as u64;
    if len > span || len > r.remaining() as u64 {
        return Err("summary: bucket count out of range".into());
    }
    let lo = r.i64()?;
    if lo < sketch::MIN_INDEX as i64 || lo + len as i64 - 1 > sketch::MAX_INDEX as i64 {
        return Err("summary: bucket index out of range".into());
    }
    let mut c = Vec::with_capacity(len as usize);
    for _ in 0..len {
        c.push(r.u64()?);
    }
    if c[0] == 0 || c[c.len() - 1] == 0 {
        return Err("summary: non-canonical bucket span".into());
    }
    Ok(Store::from_span(lo as i32, c))
}

/// Values in the tile [`Summary::add_rows`] transposes its batch through.
const TILE_VALUES: usize = 8192;

/// A table of cells: `rows` series (or outcomes) x `cols` days (1 for
/// outcomes), row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub rows: usize,
    pub cols: usize,
    pub cells: Vec<Cell>,
}

impl Summary {
    pub fn new(rows: usize, cols: usize) -> Self {
        let n = rows.checked_mul(cols).expect("summary: rows x cols overflows");
        Summary { rows, cols, cells: vec![Cell::new(); n] }
    }

    /// Add whole trajectories: `values` holds one or more of them, each all
    /// the cells in row-major order. Cell by cell, so that each cell takes
    /// its values in one visit; the state is the same as adding them one
    /// trajectory at a time. Returns the bytes the sketches' buckets grew by.
    pub fn add_rows(&mut self, values: &[f64]) -> usize {
        let cells = self.cells.len();
        assert!(cells > 0 && values.len() % cells == 0, "summary: {} values for {cells} cells", values.len());
        let rows = values.len() / cells;
        if rows == 1 {
            return self.cells.iter_mut().zip(values).map(|(cell, &x)| cell.add_all(std::iter::once(x))).sum();
        }
        // A tile of cells at a time: each trajectory's stretch of the tile is
        // read in one sequential pass into `tile` (cell by cell, under 64 kB,
        // so it stays in cache), then each cell takes its values from there.
        // (Reading a cell's values straight from the rows would stride across
        // them, one cache miss each, which no prefetcher follows.)
        let width = (TILE_VALUES / rows).max(8);
        let mut tile = vec![0.0; width * rows];
        let mut grown = 0;
        for (t, cells_t) in self.cells.chunks_mut(width).enumerate() {
            let (first, w) = (t * width, cells_t.len());
            for (j, row) in values.chunks_exact(cells).enumerate() {
                for (k, &x) in row[first..first + w].iter().enumerate() {
                    tile[k * rows + j] = x;
                }
            }
            for (cell, run) in cells_t.iter_mut().zip(tile.chunks_exact(rows)) {
                grown += cell.add_all(run.iter().copied());
            }
        }
        grown
    }

    /// Heap bytes of the sketches' buckets.
    pub fn heap_bytes(&self) -> usize {
        self.cells.iter().map(|c| c.sketch.heap_bytes()).sum()
    }

    #[inline]
    pub fn add(&mut self, row: usize, col: usize, x: f64) {
        assert!(row < self.rows && col < self.cols, "summary: cell ({row}, {col}) out of range");
        self.cells[row * self.cols + col].add(x);
    }

    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        assert!(row < self.rows && col < self.cols, "summary: cell ({row}, {col}) out of range");
        &self.cells[row * self.cols + col]
    }

    /// Merge `other` into this one, or change nothing and say why: the shapes
    /// differ, or a count would pass 2^64 - 1 (checked before any cell changes).
    pub fn merge(&mut self, other: &Summary) -> Result<(), String> {
        if self.rows != other.rows || self.cols != other.cols {
            return Err(format!(
                "summary: cannot merge a {}x{} summary into a {}x{} one",
                other.rows, other.cols, self.rows, self.cols
            ));
        }
        if let Some(k) = self.cells.iter().zip(&other.cells).position(|(a, b)| !a.moments.can_merge(&b.moments)) {
            return Err(format!(
                "summary: merging would count more than 2^64 - 1 values in cell ({}, {})",
                k / self.cols.max(1),
                k % self.cols.max(1)
            ));
        }
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            a.merge(b);
        }
        Ok(())
    }

    /// Compact little-endian binary in a checked envelope (see [`envelope`]):
    /// the payload is the mapping parameters, the shape, then each cell
    /// (LEB128 integers, raw f64 min/max, bucket spans).
    pub fn to_bytes(&self) -> Vec<u8> {
        let est = 48 + self.cells.iter().map(|c| 40 + 2 * (c.sketch.heap_bytes() / 8)).sum::<usize>();
        let mut w = Writer::with_capacity(est);
        write_mapping(&mut w);
        w.var(self.rows as u128);
        w.var(self.cols as u128);
        for c in &self.cells {
            c.write(&mut w);
        }
        envelope::seal(MAGIC, FORMAT_VERSION, &w.buf)
    }

    /// Check the envelope, then decode and validate the payload; an Err
    /// (never a panic) naming what failed on anything malformed.
    pub fn from_bytes(b: &[u8]) -> Result<Summary, String> {
        let opened = envelope::open(MAGIC, &[FORMAT_VERSION], b, WHAT)?;
        let mut r = Reader::new(opened.payload);
        read_mapping(&mut r)?;
        let rows = usize::try_from(r.u64()?).map_err(|_| "summary: too many rows".to_string())?;
        let cols = usize::try_from(r.u64()?).map_err(|_| "summary: too many columns".to_string())?;
        // Every cell takes at least 16 bytes (min and max).
        let n = rows.checked_mul(cols).filter(|&n| n <= r.remaining() / 16);
        let Some(n) = n else { return Err(format!("summary: {rows}x{cols} cells do not fit the data")) };
        let mut cells = Vec::with_capacity(n);
        for _ in 0..n {
            cells.push(Cell::read(&mut r)?);
        }
        if r.remaining() != 0 {
            return Err(format!("summary: {} trailing bytes", r.remaining()));
        }
        Ok(Summary { rows, cols, cells })
    }

    /// Inline plus heap bytes.
    pub fn bytes(&self) -> usize {
        size_of::<Summary>()
            + (self.cells.capacity() - self.cells.len()) * size_of::<Cell>()
            + self.cells.iter().map(Cell::bytes).sum::<usize>()
    }
}

fn write_mapping(w: &mut Writer) {
    w.f64(sketch::LN_GAMMA);
    w.f64(sketch::ZERO_THRESHOLD);
    w.u32(moments::SCALE_BITS);
}

fn read_mapping(r: &mut Reader) -> R<()> {
    let (g, z, s) = (r.f64()?, r.f64()?, r.u32()?);
    if g.to_bits() != sketch::LN_GAMMA.to_bits()
        || z.to_bits() != sketch::ZERO_THRESHOLD.to_bits()
        || s != moments::SCALE_BITS
    {
        return Err("summary: different sketch mapping or fixed-point scale".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
