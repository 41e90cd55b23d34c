//! A spinner with elapsed time on stderr while the model thinks, drawn by a background thread so
//! the async runtime never waits on the terminal. It draws only on a terminal, erases its own line
//! when stopped, and never touches stdout.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// One frame of the spinner: `⠋ thinking… 3.2s`.
pub fn frame(tick: usize, label: &str, elapsed: Duration) -> String {
    format!(
        "{} {label} {:.1}s",
        FRAMES[tick % FRAMES.len()],
        elapsed.as_secs_f64()
    )
}

/// A running spinner; drop or [`Spinner::stop`] it to erase.
pub struct Spinner {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts drawing `label` on stderr, if `enabled` (stderr is a terminal).
    pub fn start(label: &str, enabled: bool) -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        if !enabled {
            return Spinner { stop, handle: None };
        }
        let flag = Arc::clone(&stop);
        let label = label.to_string();
        let handle = std::thread::spawn(move || {
            let start = Instant::now();
            let mut tick = 0;
            // Wait a moment first: a fast first token should not flash a spinner.
            std::thread::sleep(Duration::from_millis(150));
            while !flag.load(Ordering::Relaxed) {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{}", frame(tick, &label, start.elapsed()));
                let _ = err.flush();
                drop(err);
                tick += 1;
                std::thread::sleep(Duration::from_millis(80));
            }
        });
        Spinner {
            stop,
            handle: Some(handle),
        }
    }

    /// Stops and erases the spinner line. Idempotent.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }

    pub fn is_running(&self) -> bool {
        self.handle.is_some()
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_cycle_and_show_elapsed() {
        assert_eq!(
            frame(0, "thinking…", Duration::from_millis(3210)),
            "⠋ thinking… 3.2s"
        );
        assert_eq!(frame(10, "x", Duration::ZERO), "⠋ x 0.0s");
        assert_eq!(frame(1, "x", Duration::ZERO), "⠙ x 0.0s");
    }

    #[test]
    fn disabled_spinner_draws_nothing() {
        let mut s = Spinner::start("x", false);
        assert!(!s.is_running());
        s.stop();
    }
}
