//! Helpers for end-to-end tests: a temporary store and the real `mapish` binary.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Success whose only stderr output is warnings containing `needle` (for example the warning that
    /// OAuth is configured but not offered by mapish serve).
    #[track_caller]
    pub fn ok_warned(&self, needle: &str) -> &Run {
        assert_eq!(self.status, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        assert!(!self.stderr.is_empty(), "expected a warning about {needle}");
        for line in self.stderr.lines().filter(|l| !l.trim().is_empty()) {
            assert!(line.starts_with("WARNING:") && line.contains(needle), "unexpected stderr:\n{}", self.stderr);
        }
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(self.status, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        assert!(self.stderr.is_empty(), "unexpected stderr:\n{}", self.stderr);
        self
    }
}

/// A store in a temporary directory, initialised like the article's lab: organization Contoso,
/// server EX01 (ex01.contoso.com).
pub struct Lab {
    pub dir: tempfile::TempDir,
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_mapish")
}

impl Lab {
    pub fn new() -> Lab {
        let lab = Lab::empty();
        lab.cmd(&["init", "--organization", "Contoso", "--server", "EX01", "--fqdn", "ex01.contoso.com"]).ok();
        lab
    }

    /// A directory with no store yet.
    pub fn empty() -> Lab {
        Lab { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    fn base(&self) -> Command {
        let mut c = Command::new(bin());
        c.arg("--store").arg(self.store());
        c.env_remove("MAPISH_STORE").env("COLUMNS", "121").env("TZ", "UTC");
        c
    }

    /// `mapish ARGS…`
    pub fn cmd(&self, args: &[&str]) -> Run {
        let mut c = self.base();
        c.args(args).stdin(Stdio::null());
        Run::from(c.output().expect("run mapish"))
    }

    /// `mapish -c LINE`
    pub fn c(&self, line: &str) -> Run {
        self.cmd(&["-c", line])
    }

    /// `mapish -c LINE` on a console COLUMNS wide.
    pub fn c_width(&self, line: &str, columns: usize) -> Run {
        let mut c = self.base();
        c.env("COLUMNS", columns.to_string()).args(["-c", line]).stdin(Stdio::null());
        Run::from(c.output().expect("run mapish"))
    }

    /// `mapish --output json -c LINE`
    pub fn json(&self, line: &str) -> serde_json::Value {
        let run = self.cmd(&["--output", "json", "-c", line]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        serde_json::from_str(&run.stdout).expect("json output")
    }

    /// Commands on standard input.
    pub fn stdin(&self, script: &str) -> Run {
        let mut c = self.base();
        c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn mapish");
        child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("write stdin");
        Run::from(child.wait_with_output().expect("wait"))
    }

    /// Everything the store holds, as JSON, to check that a failed command changed nothing.
    pub fn snapshot(&self) -> String {
        let all = self.json(
            "Get-OrganizationConfig; Get-ExchangeServer; Get-MapiVirtualDirectory; Get-Mailbox -ResultSize Unlimited -Monitoring; Get-CASMailbox -ResultSize Unlimited -Monitoring",
        );
        serde_json::to_string_pretty(&all).expect("serialise")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
