//! The worker threads of runs.
//!
//! A run with an explicit thread count gets a pool of its own. Every other run
//! shares one process-wide pool that the engine owns (never rayon's global
//! pool), remembered with the id of the process that built it. A process that
//! forks (Python's `multiprocessing` with the fork start method) copies that
//! record but not the threads: in the child the pool's threads do not exist,
//! and work handed to them would wait forever. So when the current process id
//! differs from the builder's, a new pool is built and the old one is leaked
//! (dropping it would wait for threads that are not there).
use std::sync::{Arc, Mutex};

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::error::CoreError;

/// Most worker threads a run may ask for.
pub const MAX_THREADS: usize = 1024;

/// The shared pool and the id of the process that built it. The only global
/// state of the core; the lock is held to read or replace the record, never
/// while a pool starts or runs.
static SHARED: Mutex<Option<(u32, Arc<ThreadPool>)>> = Mutex::new(None);

/// The pool of a run: its own for `Some(threads)`, the shared one otherwise.
pub(crate) fn pool(threads: Option<usize>) -> Result<Arc<ThreadPool>, CoreError> {
    match threads {
        None => shared(),
        Some(0) => Err(CoreError::Argument("threads must be at least 1".into())),
        Some(k) if k > MAX_THREADS => {
            Err(CoreError::Argument(format!("threads must be at most {MAX_THREADS}, got {k}")))
        }
        Some(k) => build(k).map(Arc::new),
    }
}

/// The threads a run with `threads` would use (the shared pool's size for None).
pub fn threads_of(threads: Option<usize>) -> Result<usize, CoreError> {
    match threads {
        None => Ok(shared()?.current_num_threads().max(1)),
        Some(k) if (1..=MAX_THREADS).contains(&k) => Ok(k),
        Some(k) => Err(CoreError::Argument(format!("threads must be between 1 and {MAX_THREADS}, got {k}"))),
    }
}

/// `k` threads; 0 for rayon's default (`RAYON_NUM_THREADS`, or one per core).
fn build(k: usize) -> Result<ThreadPool, CoreError> {
    ThreadPoolBuilder::new()
        .num_threads(k)
        .thread_name(|i| format!("attrition-{i}"))
        .build()
        .map_err(|e| CoreError::Resource(format!("could not start {k} worker threads: {e}")))
}

fn shared() -> Result<Arc<ThreadPool>, CoreError> {
    let pid = std::process::id();
    {
        let mut g = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        match g.take() {
            Some((owner, p)) if owner == pid => {
                *g = Some((owner, p.clone()));
                return Ok(p);
            }
            // A forked child: the parent's threads are gone. Never drop that pool.
            Some((_, inherited)) => std::mem::forget(inherited),
            None => {}
        }
    }
    let fresh = Arc::new(build(0)?);
    let mut g = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    // Another thread may have built one meanwhile: keep the first (dropping ours is
    // safe, its threads exist) so that every run of this process shares one pool.
    match &*g {
        Some((owner, p)) if *owner == pid => Ok(p.clone()),
        _ => {
            *g = Some((pid, fresh.clone()));
            Ok(fresh)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test: the shared pool is process-wide, and tests run in parallel.
    #[test]
    fn the_shared_pool_is_one_per_process_and_rebuilt_after_a_fork() {
        let a = pool(None).unwrap();
        let b = pool(None).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &pool(Some(2)).unwrap()));
        assert_eq!(pool(Some(3)).unwrap().current_num_threads(), 3);
        assert!(matches!(pool(Some(0)), Err(CoreError::Argument(_))));
        assert!(matches!(pool(Some(MAX_THREADS + 1)), Err(CoreError::Argument(_))));
        assert_eq!(threads_of(None).unwrap(), a.current_num_threads());
        assert!(threads_of(Some(0)).is_err() && threads_of(Some(4)).unwrap() == 4);

        let mine = pool(None).unwrap();
        // What a forked child sees: the record of its parent's pool.
        let parent = Arc::new(build(1).unwrap());
        *SHARED.lock().unwrap() = Some((std::process::id().wrapping_add(1), parent.clone()));
        let fresh = pool(None).unwrap();
        assert!(!Arc::ptr_eq(&fresh, &parent) && !Arc::ptr_eq(&fresh, &mine));
        assert!(Arc::ptr_eq(&fresh, &pool(None).unwrap()));
        assert_eq!(fresh.install(|| 6 * 7), 42);
    }
}
