//! What both benchmarks need: the real binary run with a pinned
//! environment, timing, the child's peak memory, and figures as people
//! read them.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_arende");
/// The pinned clock.
pub const NOW: &str = "2026-11-22T09:30:00+01:00";
/// The pinned author.
pub const AUTHOR: &str = "Bench Mark <bench@example.se>";

/// `arende ARGS -C DIR` with a pinned environment.
fn command(home: &Path, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("-C")
        .arg(dir)
        .env("HOME", home)
        .env("ARENDE_AUTHOR", AUTHOR)
        .env("ARENDE_NOW", NOW)
        .env_remove("ARENDE_DIR")
        .env_remove("ARENDE_NO_CACHE")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs `arende ARGS -C DIR`; a failure stops the benchmark, since a figure
/// for a failed command would mean nothing.
pub fn run(home: &Path, dir: &Path, args: &[&str]) {
    let out = command(home, dir, args).output().expect("run arende");
    assert!(
        out.status.success(),
        "arende {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `arende ARGS -C DIR` and returns what it printed on standard
/// output, whatever its exit code.
#[allow(dead_code)] // used by the approvals benchmark only
pub fn stdout_of(home: &Path, dir: &Path, args: &[&str]) -> String {
    let out = command(home, dir, args).output().expect("run arende");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `arende ARGS -C DIR` and returns how long it took and its peak
/// resident memory in bytes (where the platform tells: `wait4`'s rusage of
/// that one child).
pub fn run_measured(home: &Path, dir: &Path, args: &[&str]) -> (Duration, Option<u64>) {
    let mut cmd = command(home, dir, args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    shrink_self();
    let started = Instant::now();
    let child = cmd.spawn().expect("run arende");
    let (ok, peak) = wait_with_peak(child);
    let took = started.elapsed();
    assert!(ok, "arende {args:?} failed (run it by hand to see why)");
    (took, peak)
}

/// Makes the benchmark's own memory small and forgets its high-water
/// mark. A spawned child shares this process's memory until it execs, and
/// the kernel carries that memory's high-water mark into the child's
/// `ru_maxrss`: without this, every child would seem to peak at the size
/// the benchmark once reached (generating 100 000 records, say).
#[cfg(target_os = "linux")]
fn shrink_self() {
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
    // "5" resets the peak resident size to the current one (proc(5)).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[cfg(not(target_os = "linux"))]
fn shrink_self() {}

/// Waits for `child`; whether it succeeded, and its peak RSS in bytes (at
/// least the benchmark's own resident size when it was spawned).
#[cfg(target_os = "linux")]
fn wait_with_peak(child: std::process::Child) -> (bool, Option<u64>) {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: all-zero bytes are a valid `rusage` (plain integers).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unwaited child; both pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if waited != pid {
        return (false, None);
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // ru_maxrss is in KiB on Linux.
    (ok, u64::try_from(usage.ru_maxrss).ok().map(|k| k * 1024))
}

#[cfg(not(target_os = "linux"))]
fn wait_with_peak(mut child: std::process::Child) -> (bool, Option<u64>) {
    let ok = child.wait().is_ok_and(|s| s.success());
    (ok, None)
}

/// How long `f` takes.
pub fn timed(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

/// The fastest of `k` runs: the figure least disturbed by other work.
#[allow(dead_code)] // used by the store benchmark only
pub fn best_of(k: usize, mut f: impl FnMut()) -> Duration {
    (0..k).map(|_| timed(&mut f)).min().unwrap_or_default()
}

/// Has the kernel write every dirty page to disk before the timed runs:
/// a freshly generated repository (or a freshly built cache) is hundreds
/// of megabytes still being written back in the background, and that
/// writing competes with the commands measured, more the larger the
/// repository, which shows as growth that is not the command's own.
pub fn settle() {
    #[cfg(unix)]
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe {
        libc::sync();
    }
}

/// `2.31 s` or `35.4 ms`.
pub fn fmt(d: Duration) -> String {
    if d.as_secs_f64() >= 1.0 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    }
}

/// `412 MiB`, or `n/a` where the platform does not tell.
pub fn mib(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "n/a".to_owned(),
        |b| format!("{} MiB", b / (1024 * 1024)),
    )
}
