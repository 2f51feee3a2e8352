//! Child processes: spawning, the readiness line, RSS and peak RSS.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::BenchError;

/// A binary next to this one in the same target directory (built by the same `cargo build --release`).
pub fn sibling(name: &str) -> Result<PathBuf, BenchError> {
    let exe =
        std::env::current_exe().map_err(|e| BenchError::Setup(format!("current_exe: {e}")))?;
    let dir = exe
        .parent()
        .ok_or_else(|| BenchError::Setup("the bench binary has no parent directory".into()))?;
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(BenchError::Setup(format!(
            "{} is missing: build it first with `cargo build --release -p mapish -p mapish-bench`",
            path.display()
        )))
    }
}

/// A child that serves HTTP; killed (by its own pid) when dropped.
pub struct ServerChild {
    pub child: Child,
    pub base: String,
}

impl ServerChild {
    /// Spawns `cmd` and reads its stdout until the `Listening on URL` line (at most 20 lines).
    pub fn spawn(mut cmd: Command) -> Result<ServerChild, BenchError> {
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::null())
            .stdin(Stdio::null());
        let mut child = cmd
            .spawn()
            .map_err(|e| BenchError::Setup(format!("cannot spawn {cmd:?}: {e}")))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Setup("the server's stdout is not piped".into()))?;
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        for _ in 0..20 {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .map_err(|e| BenchError::Setup(format!("reading the server's stdout: {e}")))?;
            if n == 0 {
                let _ = child.kill();
                let _ = child.wait();
                return Err(BenchError::Setup(format!(
                    "{cmd:?} exited before printing `Listening on`"
                )));
            }
            if let Some(url) = line.trim().strip_prefix("Listening on ") {
                let base = url.trim_end_matches('/').to_string();
                // Keep draining stdout so the child never blocks on a full pipe.
                std::thread::spawn(move || {
                    let mut sink = String::new();
                    while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                        sink.clear();
                    }
                });
                return Ok(ServerChild { child, base });
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(BenchError::Setup(
            "no `Listening on` line in the first 20 lines".into(),
        ))
    }

    /// `host:port` of the listener.
    pub fn authority(&self) -> &str {
        self.base.strip_prefix("http://").unwrap_or(&self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A field of /proc/PID/status in KiB (`VmRSS`, `VmHWM`).
pub fn status_kib(pid: u32, field: &str) -> Result<u64, BenchError> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| BenchError::Setup(format!("/proc/{pid}/status: {e}")))?;
    text.lines()
        .find_map(|l| {
            l.strip_prefix(field)
                .and_then(|r| r.strip_prefix(':'))
                .and_then(|r| r.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .ok_or_else(|| BenchError::Setup(format!("no {field} in /proc/{pid}/status")))
}

/// What one run of a child process cost.
pub struct RunCost {
    pub wall: Duration,
    /// Peak RSS (getrusage ru_maxrss of the child), KiB.
    pub max_rss_kib: u64,
    pub stdout: String,
}

/// Runs `program args…` to completion, timing it and reading its peak RSS through wait4.
///
/// Linux keeps a child's ru_maxrss across execve, so a child forked from this (large) process would report
/// at least this process's RSS. With `via_helper`, the program is started by a fresh `mapish-bench __measure`
/// (a few MiB), whose wait4 gives the program's own peak; the wall time then includes that helper's start.
pub fn run_measured(
    program: &Path,
    args: &[&str],
    capture: bool,
    via_helper: bool,
) -> Result<RunCost, BenchError> {
    let me = std::env::current_exe().map_err(|e| BenchError::Setup(format!("current_exe: {e}")))?;
    let mut cmd = if via_helper {
        let mut c = Command::new(&me);
        c.arg("__measure").arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).stdin(Stdio::null()).stderr(Stdio::piped());
    cmd.stdout(if capture {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| BenchError::Setup(format!("cannot spawn {}: {e}", program.display())))?;
    // Read the pipes on threads so a chatty child never blocks; then reap with wait4 for its rusage.
    let out = child.stdout.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = std::io::Read::read_to_end(&mut s, &mut v);
            v
        })
    });
    let err = child.stderr.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = std::io::Read::read_to_end(&mut s, &mut v);
            v
        })
    });
    let (status, mut rusage) = wait4(child.id())?;
    let wall = started.elapsed();
    let stdout = out
        .and_then(|h| h.join().ok())
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_default();
    let stderr = err
        .and_then(|h| h.join().ok())
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_default();
    if !status {
        return Err(BenchError::Broken(format!(
            "{} {args:?} failed: {}",
            program.display(),
            stderr.lines().take(5).collect::<Vec<_>>().join(" / ")
        )));
    }
    if via_helper {
        rusage = stderr
            .lines()
            .find_map(|l| l.strip_prefix("__MEASURE maxrss_kib="))
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| {
                BenchError::Setup(format!("the __measure helper reported nothing: {stderr}"))
            })?;
    }
    Ok(RunCost {
        wall,
        max_rss_kib: rusage,
        stdout,
    })
}

/// `__measure PROGRAM ARGS…`: runs the program with inherited stdout and stderr, then prints its peak RSS on
/// stderr as `__MEASURE maxrss_kib=N`; exits 1 if the program failed.
pub fn measure_child(args: &[String]) -> Result<(), BenchError> {
    let (program, rest) = args
        .split_first()
        .ok_or_else(|| BenchError::Usage("__measure PROGRAM ARGS...".into()))?;
    let child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| BenchError::Setup(format!("cannot spawn {program}: {e}")))?;
    let (ok, maxrss) = wait4(child.id())?;
    eprintln!("__MEASURE maxrss_kib={maxrss}");
    if ok {
        Ok(())
    } else {
        Err(BenchError::Broken(format!("{program} failed")))
    }
}

/// Reaps `pid`; returns (exited with 0, ru_maxrss in KiB).
#[allow(unsafe_code)]
fn wait4(pid: u32) -> Result<(bool, u64), BenchError> {
    let pid =
        libc::pid_t::try_from(pid).map_err(|_| BenchError::Setup("pid out of range".into()))?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 writes it and status for our own child.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    for _ in 0..1000 {
        // SAFETY: valid pointers to locals; pid is our own child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
            return Ok((ok, u64::try_from(ru.ru_maxrss).unwrap_or(0)));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(BenchError::Setup(format!("wait4: {e}")));
        }
    }
    Err(BenchError::Setup("wait4 interrupted 1000 times".into()))
}
