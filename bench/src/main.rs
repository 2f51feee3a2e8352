//! `mapish-bench`: the end-to-end benchmarks of issue 9. Every figure is a ratio against a baseline measured
//! in the same run on the same machine; nothing here asserts a timing. The process exits non-zero only when
//! something is broken (a server that does not start, a request refused that should succeed).
//!
//! ```text
//! cargo build --release -p mapish -p mapish-bench
//! target/release/mapish-bench [--quick] [--write-docs] [--only NAME,...]
//! ```

#![deny(unsafe_code)]

/// The mapish binary's allocator, for both sides of every in-process comparison.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod http;
mod proc;
mod report;
mod setup;
mod suites;

use std::process::ExitCode;

/// What can go wrong in a benchmark run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The bench could not set itself up (a missing binary, a store that would not open).
    #[error("setup: {0}")]
    Setup(String),
    /// mapish misbehaved: a failed command, an unexpected response code.
    #[error("broken: {0}")]
    Broken(String),
    /// Bad command-line arguments.
    #[error("usage: {0}")]
    Usage(String),
}

/// Sizes of one run.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    pub quick: bool,
    pub oneshot_runs: usize,
    pub parse_secs: f64,
    pub load_secs: f64,
    pub clients: usize,
    pub sessions: usize,
    pub mailboxes: usize,
    pub toggles: usize,
}

impl Mode {
    fn quick() -> Mode {
        Mode {
            quick: true,
            oneshot_runs: 30,
            parse_secs: 0.5,
            load_secs: 2.0,
            clients: 64,
            sessions: 3_000,
            mailboxes: 5_000,
            toggles: 20,
        }
    }

    fn full() -> Mode {
        Mode {
            quick: false,
            oneshot_runs: 60,
            parse_secs: 2.0,
            load_secs: 10.0,
            clients: 64,
            sessions: 100_000,
            mailboxes: 100_000,
            toggles: 200,
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Internal roles of this binary, spawned by the benchmarks themselves.
    match args.first().map(String::as_str) {
        Some("__baseline-serve") => return exit(http::baseline_serve()),
        Some("__serve") => return exit(suites::serve_child(&args[1..])),
        Some("__measure") => return exit(proc::measure_child(&args[1..])),
        Some("__scan") => return exit(suites::scan_child(&args[1..])),
        Some("__populate") => return exit(suites::populate_child(&args[1..])),
        _ => {}
    }
    exit(run(&args))
}

fn exit(r: Result<(), BenchError>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mapish-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), BenchError> {
    let mut quick = false;
    let mut write_docs = false;
    let mut only: Option<Vec<String>> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--write-docs" => write_docs = true,
            "--only" => {
                let v = it
                    .next()
                    .ok_or_else(|| BenchError::Usage("--only needs a list".into()))?;
                only = Some(v.split(',').map(str::to_string).collect());
            }
            "-h" | "--help" => {
                println!(
                    "mapish-bench [--quick] [--write-docs] [--only oneshot,parse,server,sessions,store,live]"
                );
                return Ok(());
            }
            other => return Err(BenchError::Usage(format!("unknown argument {other}"))),
        }
    }
    let mode = if quick { Mode::quick() } else { Mode::full() };
    report::note_load_at_start();
    let wants = |name: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == name));
    let started = std::time::Instant::now();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    type Suite = fn(&Mode, &mut Vec<report::Row>, &mut Vec<String>) -> Result<(), BenchError>;
    let suites: [(&str, Suite); 6] = [
        ("oneshot", suites::oneshot),
        ("parse", suites::parse),
        ("server", suites::server),
        ("sessions", suites::sessions),
        ("store", suites::store),
        ("live", suites::live),
    ];
    let mut broken = None;
    for (name, suite) in suites {
        if !wants(name) {
            continue;
        }
        eprintln!("mapish-bench: {name}…");
        let t = std::time::Instant::now();
        if let Err(e) = suite(&mode, &mut rows, &mut notes) {
            eprintln!("mapish-bench: {name} failed: {e}");
            notes.push(format!("`{name}` did not complete: {e}"));
            broken.get_or_insert(e);
        }
        eprintln!(
            "mapish-bench: {name} took {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let page = report::render(&mode, &rows, &notes, started.elapsed());
    print!("{}", report::table(&rows));
    if write_docs {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join("docs/performance.md");
        std::fs::write(&path, page)
            .map_err(|e| BenchError::Setup(format!("writing {}: {e}", path.display())))?;
        eprintln!("mapish-bench: wrote {}", path.display());
    }
    match broken {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
