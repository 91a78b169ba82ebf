//! Exact counts of first-passage days: for each time-to-event outcome of a
//! summary run, the number of trajectories whose event happened on each day
//! and the number in which it did not happen within the horizon (censored).
//!
//! A quantile sketch of day indices is not exact; these counts are, and they
//! are all a Kaplan-Meier estimate of the time to the event needs when every
//! trajectory is censored at the horizon. Counts add (checked), so merging
//! partial states in any order, over any partition of the trajectories, gives
//! the same state and the same bytes.
use super::codec::{Reader, Writer};
use super::envelope;

/// Magic bytes of the binary format.
pub const EVENTS_MAGIC: [u8; 4] = *b"ATEV";
/// Version of the binary format (its envelope's format).
pub const EVENTS_VERSION: u16 = 1;

/// `rows` first-passage outcomes over `days` days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventCounts {
    pub rows: usize,
    pub days: usize,
    /// `counts[row * days + t]`: trajectories whose event happened on day `t`.
    pub counts: Vec<u64>,
    /// `never[row]`: trajectories in which it did not happen within the horizon.
    pub never: Vec<u64>,
}

impl EventCounts {
    pub fn new(rows: usize, days: usize) -> Self {
        let n = rows.checked_mul(days).expect("events: rows x days overflows");
        EventCounts { rows, days, counts: vec![0; n], never: vec![0; rows] }
    }

    /// Count one trajectory's first-passage time of outcome `row`: a whole day
    /// index in `[0, days)`, or NaN when the event did not happen. Anything else
    /// is an error (the model's first-passage outcomes are never anything else).
    pub fn add(&mut self, row: usize, t: f64) -> Result<(), String> {
        if row >= self.rows {
            return Err(format!("events: row {row} of {}", self.rows));
        }
        if t.is_nan() {
            self.never[row] += 1;
            return Ok(());
        }
        if !(t >= 0.0 && t < self.days as f64 && t.fract() == 0.0) {
            return Err(format!("events: {t} is not a day in [0, {})", self.days));
        }
        self.counts[row * self.days + t as usize] += 1;
        Ok(())
    }

    /// The counts of one outcome by day.
    pub fn row(&self, row: usize) -> &[u64] {
        &self.counts[row * self.days..(row + 1) * self.days]
    }

    /// Add the counts of `other` (same shape); an error on a different shape or an overflow.
    pub fn merge(&mut self, other: &EventCounts) -> Result<(), String> {
        if (self.rows, self.days) != (other.rows, other.days) {
            return Err(format!(
                "events: cannot merge {}x{} counts into {}x{}",
                other.rows, other.days, self.rows, self.days
            ));
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts).chain(self.never.iter_mut().zip(&other.never)) {
            *a = a.checked_add(*b).ok_or("events: a count overflows")?;
        }
        Ok(())
    }

    /// Compact binary: magic, version, shape, then per row its never count and
    /// its day counts (LEB128).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(16 + self.counts.len() + self.rows);
        w.var(self.rows as u128);
        w.var(self.days as u128);
        for r in 0..self.rows {
            w.var(self.never[r] as u128);
            for &c in self.row(r) {
                w.var(c as u128);
            }
        }
        envelope::seal(EVENTS_MAGIC, EVENTS_VERSION, &w.buf)
    }

    /// Check the envelope, then decode; an Err (never a panic) naming what
    /// failed on anything malformed.
    pub fn from_bytes(b: &[u8]) -> Result<EventCounts, String> {
        let opened = envelope::open(EVENTS_MAGIC, &[EVENTS_VERSION], b, "event counts")?;
        let mut r = Reader::new(opened.payload);
        let rows = usize::try_from(r.u64()?).map_err(|_| "events: too many rows".to_string())?;
        let days = usize::try_from(r.u64()?).map_err(|_| "events: too many days".to_string())?;
        // every count takes at least one byte
        let n = rows.checked_mul(days).filter(|&n| n.saturating_add(rows) <= r.remaining());
        let Some(n) = n else { return Err(format!("events: {rows}x{days} counts do not fit the data")) };
        let mut out = EventCounts { rows, days, counts: Vec::with_capacity(n), never: Vec::with_capacity(rows) };
        for _ in 0..rows {
            out.never.push(r.u64()?);
            for _ in 0..days {
                out.counts.push(r.u64()?);
            }
        }
        if r.remaining() != 0 {
            return Err(format!("events: {} trailing bytes", r.remaining()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_merge_in_any_order_and_round_trip() {
        let times = [0.0, 3.0, f64::NAN, 3.0, 9.0, f64::NAN, 1.0];
        let mut whole = EventCounts::new(2, 10);
        for (i, t) in times.iter().enumerate() {
            whole.add(i % 2, *t).unwrap();
        }
        let (mut a, mut b) = (EventCounts::new(2, 10), EventCounts::new(2, 10));
        for (i, t) in times.iter().enumerate() {
            let part = if i < 3 { &mut a } else { &mut b };
            part.add(i % 2, *t).unwrap();
        }
        let mut ab = a.clone();
        ab.merge(&b).unwrap();
        let mut ba = b.clone();
        ba.merge(&a).unwrap();
        assert_eq!(ab, whole);
        assert_eq!(ba.to_bytes(), whole.to_bytes());
        assert_eq!(whole.row(0)[0], 1);
        assert_eq!(whole.row(0)[9], 1);
        assert_eq!(whole.never, vec![1, 1]);
        assert_eq!(EventCounts::from_bytes(&whole.to_bytes()).unwrap(), whole);
    }

    #[test]
    fn bad_values_and_bytes_are_errors() {
        let mut e = EventCounts::new(1, 5);
        for t in [-1.0, 5.0, 2.5, f64::INFINITY] {
            assert!(e.add(0, t).is_err(), "{t}");
        }
        assert!(e.add(1, 0.0).is_err());
        assert!(e.merge(&EventCounts::new(2, 5)).is_err());
        let mut full = EventCounts::new(1, 1);
        full.never[0] = u64::MAX;
        let mut one = EventCounts::new(1, 1);
        one.add(0, f64::NAN).unwrap();
        assert!(full.merge(&one).is_err());
        let good = e.to_bytes();
        for cut in 0..good.len() {
            assert!(EventCounts::from_bytes(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(EventCounts::from_bytes(&trailing).is_err());
        assert!(EventCounts::from_bytes(b"ATSM\x01\0\0\0").is_err());
        // a shape that promises more counts than there are bytes
        let mut w = Writer::with_capacity(0);
        w.var(u64::MAX as u128);
        w.var(u64::MAX as u128);
        assert!(EventCounts::from_bytes(&envelope::seal(EVENTS_MAGIC, EVENTS_VERSION, &w.buf)).is_err());
    }
}
