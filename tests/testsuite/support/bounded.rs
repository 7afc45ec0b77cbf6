//! Running the binary with a deadline, for the tests that look for hangs.

use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd` and returns its output and how long it took, or `None` if it
/// ran past `bound` (it is killed then). Output goes to temporary files, not
/// pipes: a child writing more than a pipe holds would otherwise block until
/// someone reads, and look like a hang.
pub fn run(mut cmd: Command, bound: Duration) -> Option<(Output, Duration)> {
    let stdout = tempfile::tempfile().unwrap();
    let stderr = tempfile::tempfile().unwrap();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(stdout.try_clone().unwrap()))
        .stderr(Stdio::from(stderr.try_clone().unwrap()))
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status: ExitStatus = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed();
    let read = |mut f: std::fs::File| {
        use std::io::{Read, Seek};
        let mut buf = Vec::new();
        f.rewind().unwrap();
        f.read_to_end(&mut buf).unwrap();
        buf
    };
    Some((
        Output {
            status,
            stdout: read(stdout),
            stderr: read(stderr),
        },
        took,
    ))
}
