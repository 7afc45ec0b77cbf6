//! What both benchmarks need: the real binary run with a pinned
//! environment, timing, and figures as people read them.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_arende");
/// The pinned clock.
pub const NOW: &str = "2026-11-22T09:30:00+01:00";
/// The pinned author.
pub const AUTHOR: &str = "Bench Mark <bench@example.se>";

/// Runs `arende ARGS -C DIR` with a pinned environment; a failure stops the
/// benchmark, since a figure for a failed command would mean nothing.
pub fn run(home: &Path, dir: &Path, args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .arg("-C")
        .arg(dir)
        .env("HOME", home)
        .env("ARENDE_AUTHOR", AUTHOR)
        .env("ARENDE_NOW", NOW)
        .env_remove("ARENDE_DIR")
        .env("NO_COLOR", "1")
        .output()
        .expect("run arende");
    assert!(
        out.status.success(),
        "arende {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// How long `f` takes.
pub fn timed(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

/// The fastest of `k` runs: the figure least disturbed by other work.
#[allow(dead_code)] // used by one of the two benchmarks
pub fn best_of(k: usize, mut f: impl FnMut()) -> Duration {
    (0..k).map(|_| timed(&mut f)).min().unwrap_or_default()
}

/// `2.31 s` or `35.4 ms`.
pub fn fmt(d: Duration) -> String {
    if d.as_secs_f64() >= 1.0 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    }
}
