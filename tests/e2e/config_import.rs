//! Configuration as code through the real binary: `mapish import` and the Import-/Export-MapishConfig
//! cmdlets. Plans and error listings are compared with golden files in tests/golden/config_import/;
//! regenerate them with `MAPISH_BLESS=1 cargo test --test tests config_import` and review the diff.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mapish_store::{OpenOptions, Store};

use crate::common::{Lab, Run, bin, repo_root};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g";

fn golden_dir() -> PathBuf {
    repo_root().join("tests/golden/config_import")
}

fn fixture(name: &str) -> String {
    golden_dir().join(name).to_str().expect("utf-8 path").to_string()
}

/// Compares with a golden file, or rewrites it under MAPISH_BLESS=1.
#[track_caller]
fn golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("MAPISH_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run with MAPISH_BLESS=1 to create it)", path.display()));
    assert!(expected == actual, "{} differs (MAPISH_BLESS=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}", path.display());
}

/// Fixtures name themselves relative to the repository, so golden output does not depend on where it is.
fn relative(run: &Run) -> String {
    run.stderr.replace(&format!("{}/", golden_dir().display()), "")
}

fn import(lab: &Lab, file: &str, flags: &[&str]) -> Run {
    let mut args = vec!["import", file];
    args.extend_from_slice(flags);
    lab.cmd(&args)
}

#[test]
fn the_plan_for_a_new_store_matches_the_golden_file_and_what_if_changes_nothing() {
    let lab = Lab::empty();
    let run = import(&lab, &fixture("contoso.toml"), &["--what-if"]);
    run.ok();
    golden("plan_create.txt", &run.stdout);
    let store = Store::open(&lab.store(), &OpenOptions::default()).expect("open");
    assert!(!store.is_initialized().expect("read"), "--what-if created something");
}

#[test]
fn the_plan_of_changes_and_deletes_matches_the_golden_file() {
    let lab = Lab::empty();
    import(&lab, &fixture("contoso.toml"), &[]).ok();
    let before = lab.snapshot();
    let run = import(&lab, &fixture("contoso_changed.toml"), &["--prune", "--what-if"]);
    run.ok();
    golden("plan_changes.txt", &run.stdout);
    assert_eq!(lab.snapshot(), before, "--what-if changed the store");

    let applied = import(&lab, &fixture("contoso_changed.toml"), &["--prune", "--yes"]);
    applied.ok();
    assert!(applied.stdout.ends_with("Applied: 1 created, 4 changed, 3 deleted.\n"), "{}", applied.stdout);
    let vdirs = lab.json("Get-MapiVirtualDirectory");
    let vdirs = vdirs.as_array().expect("array");
    assert_eq!(vdirs.len(), 1);
    assert_eq!(vdirs[0]["ExternalUrl"], "https://outlook.contoso.com/mapi");
}

#[test]
fn a_second_import_of_the_same_file_changes_nothing() {
    let lab = Lab::new();
    let first = import(&lab, &fixture("contoso.toml"), &[]);
    first.ok();
    assert!(first.stdout.ends_with("Applied: 5 created, 2 changed, 0 deleted.\n"), "{}", first.stdout);
    let snapshot = lab.snapshot();
    let second = import(&lab, &fixture("contoso.toml"), &[]);
    second.ok();
    assert_eq!(second.stdout, "No changes.\n");
    assert_eq!(lab.snapshot(), snapshot);
    // The cmdlet shares the implementation.
    let cmdlet = lab.c(&format!("Import-MapishConfig -Path '{}'", fixture("contoso.toml")));
    cmdlet.ok();
    assert_eq!(cmdlet.stdout, "No changes.\n");
}

#[test]
fn export_then_import_into_an_empty_store_then_export_gives_the_same_file() {
    let a = Lab::new();
    import(&a, &fixture("contoso.toml"), &[]).ok();
    a.c("Set-CASMailbox kiosk@contoso.com -MAPIBlockOutlookVersions '-14.0.0'; Set-OrganizationConfig -EwsEnabled $false").ok();
    let exported = a.path("a.toml");
    a.c(&format!("Export-MapishConfig -Path '{}'", exported.display())).ok();
    let text = std::fs::read_to_string(&exported).expect("exported file");
    assert!(text.contains("MAPIBlockOutlookVersions = \"-14.0.0\"") && text.contains("EwsEnabled = false"), "{text}");
    assert!(!text.contains("Guid") && !text.contains("When"), "{text}");

    let b = Lab::empty();
    b.cmd(&["import", exported.to_str().expect("utf-8")]).ok();
    let again = b.cmd(&["Export-MapishConfig"]);
    again.ok();
    assert_eq!(again.stdout, text, "export → import → export differs");
    assert_eq!(a.c("Get-CASMailbox -ResultSize Unlimited | ft Name, *mapi* -AutoSize").stdout, b.c("Get-CASMailbox -ResultSize Unlimited | ft Name, *mapi* -AutoSize").stdout);
}

#[test]
fn prune_asks_for_confirmation_and_never_waits_without_a_terminal() {
    let lab = Lab::new();
    import(&lab, &fixture("contoso.toml"), &[]).ok();
    let no_mailboxes = lab.path("none.toml");
    std::fs::write(&no_mailboxes, "Version = 1\nMailbox = []\n").expect("write");
    let file = no_mailboxes.to_str().expect("utf-8");
    let before = lab.snapshot();

    let refused = import(&lab, file, &["--prune"]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(refused.stdout.contains("- Mailbox \"Alice Wood\"\n"), "the plan is still shown:\n{}", refused.stdout);
    assert_eq!(refused.stderr, "mapish: --prune would delete 3 object(s), and there is no terminal to ask on; add --yes to confirm. Nothing was changed.\n");
    assert_eq!(lab.snapshot(), before);

    let cmdlet = lab.c(&format!("Import-MapishConfig -Path '{file}' -Prune"));
    assert_eq!(cmdlet.status, 1);
    assert!(cmdlet.stderr.contains("needs your confirmation") && cmdlet.stderr.contains("Add -Confirm:$false"), "{}", cmdlet.stderr);
    assert_eq!(lab.snapshot(), before);

    let confirmed = lab.c(&format!("Import-MapishConfig -Path '{file}' -Prune -Confirm:$false"));
    confirmed.ok();
    assert!(confirmed.stdout.ends_with("Applied: 0 created, 0 changed, 3 deleted.\n"), "{}", confirmed.stdout);
    assert_eq!(lab.c("Get-Mailbox").stdout, "");

    import(&lab, &fixture("contoso.toml"), &[]).ok();
    import(&lab, file, &["--prune", "--yes"]).ok();
    assert_eq!(lab.c("Get-Mailbox").stdout, "");
}

#[test]
fn every_problem_is_listed_with_its_position_and_nothing_is_applied() {
    let lab = Lab::new();
    let before = lab.snapshot();
    let run = import(&lab, &fixture("broken.toml"), &[]);
    assert_eq!(run.status, 1);
    assert_eq!(run.stdout, "");
    golden("broken_errors.txt", &relative(&run));
    assert_eq!(lab.snapshot(), before);

    let cmdlet = lab.c(&format!("Import-MapishConfig '{}'", fixture("broken.toml")));
    assert_eq!(cmdlet.status, 1);
    for line in relative(&run).lines().filter(|l| l.starts_with("broken.toml:")) {
        let message = line.split_once(": ").map_or(line, |(_, m)| m);
        assert!(cmdlet.stderr.contains(&format!(":{message}")) || cmdlet.stderr.contains(message), "missing {line}\n{}", cmdlet.stderr);
    }
    assert_eq!(lab.snapshot(), before);
}

#[test]
fn the_config_format_page_is_generated_from_the_declarations_and_its_example_applies() {
    let page_path = repo_root().join("docs/config-format.md");
    let page = std::fs::read_to_string(&page_path).expect("docs/config-format.md");
    let (begin, end) = ("<!-- BEGIN GENERATED KEYS: do not edit; MAPISH_BLESS=1 cargo test --test tests config_import rewrites it -->\n", "<!-- END GENERATED KEYS -->");
    let start = page.find(begin).expect("begin marker") + begin.len();
    let stop = page.find(end).expect("end marker");
    let fresh = mapish_commands::config::reference::markdown();
    if std::env::var_os("MAPISH_BLESS").is_some() {
        std::fs::write(&page_path, format!("{}{fresh}{}", &page[..start], &page[stop..])).expect("write page");
    } else {
        assert!(page[start..stop] == fresh, "docs/config-format.md's key reference is stale (a parameter was renamed or its help changed); MAPISH_BLESS=1 rewrites it");
    }
    // The page's complete example is the fixture the other tests apply.
    let example = page.split("```toml\n").nth(1).and_then(|s| s.split("```").next()).expect("a toml example");
    let fixture_text = std::fs::read_to_string(golden_dir().join("contoso.toml")).expect("fixture");
    assert_eq!(example, fixture_text, "the example in docs/config-format.md must be tests/golden/config_import/contoso.toml");
    for key in key_names() {
        assert!(example.contains(&format!("{key} =")), "the example does not show the key {key}");
    }
}

fn key_names() -> Vec<&'static str> {
    use mapish_commands::config::schema::Kind;
    let mut keys: Vec<&'static str> = Vec::new();
    keys.extend(mapish_store::Organization::fields().iter().map(|f| f.key));
    keys.extend(mapish_store::Server::fields().iter().map(|f| f.key));
    keys.extend(mapish_store::MapiVirtualDirectory::fields().iter().map(|f| f.key));
    keys.extend(mapish_store::Mailbox::fields().iter().map(|f| f.key));
    keys
}

/// A tiny xorshift, seeded from the clock: every run kills at other points (the seed is printed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const BIG: usize = 50_000;

fn big_file(dir: &Path) -> PathBuf {
    let mut text = String::with_capacity(BIG * 190);
    text.push_str("Version = 1\n[Organization]\nName = \"Contoso\"\nMapiHttpEnabled = true\n");
    text.push_str("[[MapiVirtualDirectory]]\nServer = \"EX01\"\nInternalUrl = \"https://mail.contoso.com/mapi\"\n");
    for i in 0..BIG {
        text.push_str(&format!("[[Mailbox]]\nName = \"user{i:05}\"\nUserPrincipalName = \"user{i:05}@contoso.com\"\nPasswordHash = \"{HASH}\"\nMAPIEnabled = false\n"));
    }
    let path = dir.join("big.toml");
    std::fs::write(&path, text).expect("write big file");
    path
}

#[derive(Debug, PartialEq)]
enum State {
    Old,
    New,
}

/// Which configuration the store holds; panics on anything in between.
fn state_of(dir: &Path, rng: &mut Rng) -> State {
    let store = Store::open(dir, &OpenOptions { lock_wait: Duration::from_secs(10) }).expect("reopen after the kill");
    let org = store.organization().expect("organization").mapi_http_enabled;
    let count = store.mailbox_count().expect("count");
    let url = store.mapi_virtual_directories().expect("vdirs")[0].internal_url.clone().unwrap_or_default();
    let mut samples: Vec<usize> = (0..40).map(|_| (rng.next() % BIG as u64) as usize).collect();
    samples.extend([0, BIG - 1]);
    let found: Vec<bool> = samples
        .iter()
        .map(|i| {
            let hits = store.find_mailboxes(&format!("user{i:05}@contoso.com")).expect("find");
            hits.first().is_some_and(|m| !m.mapi_enabled && m.password_hash.as_deref() == Some(HASH))
        })
        .collect();
    let old = !org && count == 0 && url == "https://ex01.contoso.com/mapi" && found.iter().all(|f| !f);
    let new = org && count == BIG as u64 && url == "https://mail.contoso.com/mapi" && found.iter().all(|f| *f);
    match (old, new) {
        (true, false) => State::Old,
        (false, true) => State::New,
        _ => panic!("a mix: MapiHttpEnabled {org}, {count} mailboxes, InternalUrl {url}, sampled mailboxes present {found:?}"),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The import with its phase log lines (MAPISH_LOG=info) read as they come, each with its arrival time.
struct Import {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<(Instant, String)>,
}

const COMMITTING: &str = "every write staged; committing";
const COMMITTED: &str = "committed and flushed";

impl Import {
    fn spawn(store: &Path, file: &Path) -> Import {
        let mut child = Command::new(bin())
            .arg("--store")
            .arg(store)
            .args(["import", file.to_str().expect("utf-8"), "--yes"])
            .env_remove("MAPISH_STORE")
            .env("MAPISH_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn mapish import");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        Import { child, lines }
    }

    /// When a log line containing `marker` arrived (None if the process ended first).
    fn wait_for(&self, marker: &str) -> Option<Instant> {
        self.lines.iter().find(|(_, l)| l.contains(marker)).map(|(t, _)| t)
    }
}

/// kill -9 at random points of a 50,000-mailbox import: while reading and planning, while the
/// transaction is written, and (aimed with the import's own log lines) while sled commits and
/// flushes it. Every time the store must hold the old configuration or the new one, never part of each.
#[test]
fn a_kill_during_a_50k_mailbox_import_leaves_the_old_or_the_new_configuration() {
    let started = Instant::now();
    let lab = Lab::new();
    let file = big_file(lab.dir.path());
    let pristine = lab.path("pristine");
    copy_dir(&lab.store(), &pristine);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1;
    eprintln!("kill -9 test seed {seed}");
    let mut rng = Rng(seed);

    // One run to the end measures the phases on this machine, and proves the new state is reachable.
    let spawned = Instant::now();
    let mut full = Import::spawn(&lab.store(), &file);
    let commit_start = full.wait_for(COMMITTING).expect("the import reached its commit");
    let committed = full.wait_for(COMMITTED).expect("the import committed");
    assert!(full.child.wait().expect("wait").success(), "the uninterrupted import failed");
    let (before_commit, commit) = (commit_start - spawned, committed - commit_start);
    eprintln!("50k-mailbox import (debug build): {:?} to stage the writes, {commit:?} to commit and flush", before_commit);
    assert_eq!(state_of(&lab.store(), &mut rng), State::New);

    let mut seen = Vec::new();
    for run in 0..3 {
        let dir = lab.path(&format!("run{run}"));
        copy_dir(&pristine, &dir);
        let mut import = Import::spawn(&dir, &file);
        let random = (rng.next() % 1000) as f64 / 1000.0;
        let at = if run == 0 {
            // Anywhere before the commit: reading, planning, staging the writes.
            let delay = before_commit.mul_f64(0.2 + 0.75 * random);
            std::thread::sleep(delay);
            format!("{delay:?} after the start")
        } else {
            // Inside the commit and flush, which is where a torn write could happen.
            let _ = import.wait_for(COMMITTING);
            let delay = commit.mul_f64(0.9 * random);
            std::thread::sleep(delay);
            format!("{delay:?} into the commit")
        };
        let _ = import.child.kill();
        let finished = import.child.wait().expect("wait").success();
        let state = state_of(&dir, &mut rng);
        eprintln!("run {run}: killed {at}, exited by itself: {finished}, state {state:?}");
        if finished {
            assert_eq!(state, State::New);
        }
        seen.push(state);
    }
    eprintln!("states after the kills: {seen:?}; total {:?}", started.elapsed());
}
