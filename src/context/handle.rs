//! Building the index in the background, so that no request waits for a full scan.
//!
//! [`RepoIndex::spawn_build`] starts the build on its own thread and returns an [`IndexHandle`] at
//! once. The owner polls it ([`IndexHandle::try_get`]) or waits a bounded time
//! ([`IndexHandle::wait_timeout`]); the build publishes the index as soon as it is assembled and
//! only then writes the cache, so the cache write never delays the map. Must not render or rank:
//! it only moves a finished index from one thread to another. Invariant: a handle's state goes
//! from building to exactly one of ready or failed, and never back.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::context::ContextError;
use crate::context::index::{Progress, RepoIndex};
use crate::context::scan::ScanOptions;

enum State {
    Building,
    Ready(Arc<RepoIndex>),
    Failed(Arc<ContextError>),
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    progress: Progress,
}

/// A build running on a background thread. Cloning the handle shares the same build.
#[derive(Clone)]
pub struct IndexHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for IndexHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (found, done) = self.progress();
        f.debug_struct("IndexHandle")
            .field("found", &found)
            .field("done", &done)
            .finish()
    }
}

impl RepoIndex {
    /// Starts building the index of `root` on a background thread and returns at once.
    ///
    /// A second call after edits is a cheap refresh: unchanged files come from the cache the
    /// previous build wrote.
    pub fn spawn_build(root: PathBuf, opts: ScanOptions) -> IndexHandle {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::Building),
            changed: Condvar::new(),
            progress: Progress::default(),
        });
        let worker = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("hone-index".into())
            .spawn(move || {
                let result = RepoIndex::build_unsaved(&root, &opts, &worker.progress);
                let (state, save) = match result {
                    Ok((index, save)) => (State::Ready(Arc::new(index)), save),
                    Err(e) => (State::Failed(Arc::new(e)), None),
                };
                let ready = match &state {
                    State::Ready(index) => Some(Arc::clone(index)),
                    _ => None,
                };
                publish(&worker, state);
                if let (Some(index), Some(save)) = (ready, save) {
                    // After publishing: the map never waits for the cache write.
                    let _ = index.save_cache(&save.path);
                }
            });
        if let Err(source) = spawned {
            publish(
                &shared,
                State::Failed(Arc::new(ContextError::Thread { source })),
            );
        }
        IndexHandle { shared }
    }
}

impl IndexHandle {
    /// The build's state, whatever a panicking holder left (a poisoned lock still holds it).
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn publish(shared: &Shared, state: State) {
    let mut guard = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    *guard = state;
    shared.changed.notify_all();
}

impl IndexHandle {
    /// The index, if the build has finished.
    pub fn try_get(&self) -> Option<Arc<RepoIndex>> {
        match &*self.state() {
            State::Ready(index) => Some(Arc::clone(index)),
            _ => None,
        }
    }

    /// The index, waiting at most `timeout` for it; `None` if the build is still running or failed.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Arc<RepoIndex>> {
        let deadline = Instant::now() + timeout;
        let mut guard = self.state();
        loop {
            match &*guard {
                State::Ready(index) => return Some(Arc::clone(index)),
                State::Failed(_) => return None,
                State::Building => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            guard = self
                .shared
                .changed
                .wait_timeout(guard, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Waits for the build to finish.
    pub fn wait(&self) -> Result<Arc<RepoIndex>, Arc<ContextError>> {
        let mut guard = self.state();
        loop {
            match &*guard {
                State::Ready(index) => return Ok(Arc::clone(index)),
                State::Failed(e) => return Err(Arc::clone(e)),
                State::Building => {}
            }
            guard = self
                .shared
                .changed
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Whether the build has finished (successfully or not).
    pub fn is_finished(&self) -> bool {
        !matches!(&*self.state(), State::Building)
    }

    /// The error, if the build failed.
    pub fn error(&self) -> Option<Arc<ContextError>> {
        match &*self.state() {
            State::Failed(e) => Some(Arc::clone(e)),
            _ => None,
        }
    }

    /// (files found by the walk, files parsed or reused so far); found is 0 until the walk ends.
    pub fn progress(&self) -> (usize, usize) {
        let p = &self.shared.progress;
        (
            p.found.load(Ordering::Relaxed),
            p.done.load(Ordering::Relaxed),
        )
    }
}
