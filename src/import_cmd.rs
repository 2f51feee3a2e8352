//! `mapish import FILE [--what-if] [--prune] [--yes]`: the configuration-as-code front end for a
//! terminal or a script. The work is mapish-commands' `config` core, the same as
//! Import-MapishConfig's; this file only prints, asks and draws the progress bar.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use chrono::Utc;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mapish_commands::config::{self, ConfigError, Counts, Current, LocalSecrets, Plan, PlanOptions, Source};

use crate::cli::{EXIT_ERRORS, EXIT_OK};
use crate::output::{print_error_line, print_line};
use crate::store_location;

/// Below this many objects an import finishes before a bar would be worth drawing.
const PROGRESS_THRESHOLD: usize = 1_000;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The configuration file (TOML, see docs/config-format.md).
    pub file: PathBuf,
    /// Print the plan and change nothing.
    #[arg(long)]
    pub what_if: bool,
    /// Also delete what the file does not declare, for each kind of object the file declares.
    #[arg(long)]
    pub prune: bool,
    /// Do not ask before deleting (needed for --prune without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// The Import-MapishConfig line that does what these arguments ask, for a running server; None
/// when the file's path cannot be made absolute (the server's working directory is not ours).
pub fn as_cmdlet_line(args: &ImportArgs) -> Option<String> {
    let path = std::path::absolute(&args.file).ok()?;
    let path = path.to_str()?.replace('\'', "''");
    let mut line = format!("Import-MapishConfig -Path '{path}'");
    if args.what_if {
        line.push_str(" -WhatIf");
    }
    if args.prune {
        line.push_str(" -Prune");
    }
    if args.yes {
        line.push_str(" -Confirm:$false");
    }
    Some(line)
}

pub fn run(store_dir: &Path, args: ImportArgs) -> i32 {
    let name = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => return fail(&format!("cannot read {name}: {e}")),
    };
    let source = Source::new(name.clone(), &text);
    // The file is checked before the store is opened: a typo should not wait for a lock.
    let desired = match config::parse(&source, &LocalSecrets::beside(&args.file)) {
        Ok(d) => d,
        Err(e) => return report(e),
    };
    let store = match store_location::open(store_dir) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    let opts = PlanOptions { prune: args.prune, now: Utc::now(), default_server: store_location::local_server(&store) };
    let plan = match Current::read(&store).map_err(ConfigError::from).and_then(|current| config::plan(&desired, &current, &source, &opts)) {
        Ok(p) => p,
        Err(e) => return report(e),
    };
    crate::output::write_text(&config::render(&plan));
    let counts = plan.counts();
    if args.what_if || counts.total() == 0 {
        return EXIT_OK;
    }
    if counts.delete > 0 && !args.yes {
        match confirm_deletes(counts.delete) {
            Confirmation::Yes => {}
            Confirmation::No => return fail("the import was cancelled; nothing was changed"),
            Confirmation::CannotAsk => {
                return fail(&format!(
                    "--prune would delete {} object(s), and there is no terminal to ask on; add --yes to confirm. Nothing was changed.",
                    counts.delete
                ));
            }
        }
    }
    match apply(&store, &plan, counts) {
        Ok(done) => {
            print_line(&format!("Applied: {} created, {} changed, {} deleted.", done.create, done.change, done.delete));
            EXIT_OK
        }
        Err(e) => report(e),
    }
}

fn apply(store: &mapish_store::Store, plan: &Plan, counts: Counts) -> Result<Counts, ConfigError> {
    let total = counts.total();
    if total < PROGRESS_THRESHOLD || !std::io::stderr().is_terminal() {
        return config::apply(store, plan, &|_, _| {});
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("importing");
    let result = config::apply(store, plan, &|done, total| {
        bar.set_position(done as u64);
        if done == total {
            // sled writes the whole transaction now; the bar would otherwise look stuck at 100%.
            bar.set_message("committing");
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
        }
    });
    bar.finish_and_clear();
    result
}

enum Confirmation {
    Yes,
    No,
    CannotAsk,
}

/// Asks on the terminal; never waits on a pipe or a closed stdin.
fn confirm_deletes(count: usize) -> Confirmation {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Confirmation::CannotAsk;
    }
    crate::output::write_error_text(&format!("Delete {count} object(s) that the file does not declare? [y/N]: "));
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(_) if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") => Confirmation::Yes,
        _ => Confirmation::No,
    }
}

/// Prints every problem of a file as `file:line:column: key: message`, then the outcome.
fn report(e: ConfigError) -> i32 {
    match &e {
        ConfigError::Invalid { file, diagnostics } => {
            for d in diagnostics {
                print_error_line(&format!("{file}:{d}"));
            }
            fail(&format!("{file} has {} problem(s); nothing was changed", diagnostics.len()))
        }
        other => fail(&other.to_string()),
    }
}

fn fail(message: &str) -> i32 {
    print_error_line(&format!("mapish: {message}"));
    EXIT_ERRORS
}
