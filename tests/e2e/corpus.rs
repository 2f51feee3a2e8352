//! The one-liner corpus (tests/corpus/one_liners.ps1): real-world Exchange admin lines run in
//! order against one lab store. Each must parse and run without an error record; a line marked
//! `# unsupported` must fail with mapish's NotSupportedByMapish error instead of misbehaving.

use std::process::{Command, Stdio};

use crate::common::{bin, repo_root, Lab};

const UNSUPPORTED: &str = "# unsupported";

/// The corpus lines: (1-based line number, text, expected to be refused).
fn corpus() -> Vec<(usize, String, bool)> {
    let text = std::fs::read_to_string(repo_root().join("tests/corpus/one_liners.ps1")).expect("corpus file");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| match l.trim_end().strip_suffix(UNSUPPORTED) {
            Some(code) => (i + 1, code.trim_end().to_string(), true),
            None => (i + 1, l.to_string(), false),
        })
        .collect()
}

#[test]
fn the_corpus_has_at_least_a_hundred_runnable_one_liners() {
    let lines = corpus();
    assert!(lines.iter().filter(|(_, _, refused)| !refused).count() >= 100, "{} lines", lines.len());
    assert!(lines.iter().any(|(_, _, refused)| *refused));
}

#[test]
fn every_corpus_line_runs_or_is_refused_clearly() {
    let lab = Lab::new();
    // Files the one-liners read, in the directory the lines run in (never the repository).
    std::fs::write(lab.path("users.txt"), "tony\nadam\n").expect("users.txt");
    std::fs::write(lab.path("users.csv"), "\"Name\",\"Http\"\n\"tony\",\"True\"\n\"adam\",\"False\"\n").expect("users.csv");
    let mut failures = Vec::new();
    for (number, line, refused) in corpus() {
        let out = Command::new(bin())
            .arg("--store")
            .arg(lab.store())
            .args(["-c", &line])
            .current_dir(lab.dir.path())
            .env_remove("MAPISH_STORE")
            .env("COLUMNS", "121")
            .env("TZ", "UTC")
            .stdin(Stdio::null())
            .output()
            .expect("run mapish");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let status = out.status.code().unwrap_or(-1);
        // Warnings and verbose lines are fine; an error record has a CategoryInfo line.
        let has_error = stderr.contains("+ CategoryInfo");
        let ok = if refused {
            status == 1 && stderr.contains("NotSupportedByMapish")
        } else {
            status == 0 && !has_error
        };
        if !ok {
            failures.push(format!("line {number}: {line}\n  exit {status}\n{}", stderr.lines().map(|l| format!("  | {l}")).collect::<Vec<_>>().join("\n")));
        }
    }
    assert!(failures.is_empty(), "{} corpus lines failed:\n{}", failures.len(), failures.join("\n"));
}
