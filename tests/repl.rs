//! The interactive shell, driven through a pseudo-terminal like a user at a terminal
//! (shell-ux.md rows 51-54): prompt, output, Tab completion, `>> ` continuation, history, Ctrl-C
//! and exit. A separate test binary, because each test owns a child on its own pty.
//!
//! Synchronisation is by expecting output (with a timeout), never by sleeping. rustyline redraws
//! the prompt and the line while editing, so a test waits for text only a command's output (or a
//! completion) can produce before it waits for the next prompt.

mod common;

use std::process::Command;

use common::Lab;
use mapish_store::{Mailbox, OpenOptions, Store};
use rexpect::session::{spawn_with_options, Options, PtySession};

const PROMPT: &str = "[PS] mapish EX01> ";
/// Generous: debug builds on a shared two-core machine.
const TIMEOUT_MS: u64 = 30_000;
const UP: &str = "\x1b[A";

/// The lab store (Contoso, EX01) with mailboxes `alice`, `albert` and `count` more (`user00000`…).
fn lab_with_mailboxes(count: usize) -> Lab {
    let lab = Lab::new();
    let store = Store::open(&lab.store(), &OpenOptions::default()).expect("open the lab store");
    let mut names: Vec<String> = vec!["alice".into(), "albert".into()];
    names.extend((0..count).map(|i| format!("user{i:05}")));
    for chunk in names.chunks(1000) {
        let mailboxes: Vec<Mailbox> = chunk
            .iter()
            .map(|n| Mailbox::new(n.clone(), n.clone(), format!("{n}@contoso.com"), format!("{n}@contoso.com"), "Contoso", "EX01"))
            .collect();
        store
            .update(|tx| {
                for m in &mailboxes {
                    tx.put_mailbox(m)?;
                }
                Ok::<(), mapish_store::StoreError>(())
            })
            .expect("insert mailboxes");
    }
    // The shell opens the store itself: release sled's lock first.
    drop(store);
    lab
}

fn start(lab: &Lab) -> PtySession {
    let mut cmd = Command::new(common::bin());
    cmd.arg("--store")
        .arg(lab.store())
        .env_remove("MAPISH_STORE")
        .env_remove("MAPISH_HISTORY")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("COLUMNS", "121")
        .env("TZ", "UTC");
    let options = Options::new().timeout_ms(Some(TIMEOUT_MS)).strip_ansi_escape_codes(true);
    let mut p = spawn_with_options(cmd, options).expect("spawn mapish on a pty");
    p.exp_string("Tab completes").expect("the banner");
    p.exp_string(PROMPT).expect("the first prompt");
    p
}

/// Types `keys` (no Enter).
fn send(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("write to the pty");
    p.flush().expect("flush the pty");
}

/// Types `line` and Enter, waits for `marker` in the output and then for the next prompt;
/// returns everything from Enter to that prompt.
fn run(p: &mut PtySession, line: &str, marker: &str) -> String {
    send(p, &format!("{line}\r"));
    let before = p.exp_string(marker).unwrap_or_else(|e| panic!("{marker:?} after {line:?}: {e}"));
    let after = p.exp_string(PROMPT).unwrap_or_else(|e| panic!("the prompt after {line:?}: {e}"));
    format!("{before}{marker}{after}")
}

fn exit(mut p: PtySession) {
    send(&mut p, "exit\r");
    p.exp_eof().expect("mapish ends after exit");
    // rexpect does not re-export nix's WaitStatus; its Debug form is `Exited(Pid(N), CODE)`.
    let status = format!("{:?}", p.process().wait().expect("wait for mapish"));
    assert!(status.starts_with("Exited(") && status.ends_with(", 0)"), "mapish did not exit with status 0: {status}");
}

#[test]
fn the_prompt_runs_a_command_and_exit_leaves() {
    let lab = Lab::new();
    let mut p = start(&lab);
    run(&mut p, "Get-OrganizationConfig | fl Name, MapiHttpEnabled", "Name            : Contoso");
    // Variables persist from line to line.
    run(&mut p, "$org = Get-OrganizationConfig", "");
    run(&mut p, "$org | fl Name", "Name : Contoso");
    exit(p);
}

#[test]
fn ctrl_d_on_an_empty_line_leaves() {
    let lab = Lab::new();
    let mut p = start(&lab);
    p.send_control('d').expect("Ctrl-D");
    p.exp_eof().expect("mapish ends on Ctrl-D");
}

#[test]
fn tab_completes_cmdlet_names_parameters_values_and_identities() {
    let lab = lab_with_mailboxes(0);
    let mut p = start(&lab);
    send(&mut p, "Get-CASMai\t");
    p.exp_string("Get-CASMailbox").expect("the cmdlet name completed");
    send(&mut p, " -Ide\t");
    p.exp_string("-Identity").expect("the parameter completed");
    send(&mut p, " ali\t");
    p.exp_string("alice").expect("the mailbox name completed from the store");
    let out = run(&mut p, "", "MapiEnabled");
    assert!(out.contains("ActiveSyncEnabled"), "Get-CASMailbox -Identity alice ran: {out}");

    // Enumerations and Booleans after `-Param:`; repeated Tab cycles through the candidates.
    send(&mut p, "Set-CASMailbox alice -MAPIEnabled:$f\t");
    p.exp_string("$false").expect("$false offered");
    send(&mut p, "\x15"); // Ctrl-U: clear the line
    send(&mut p, "Get-CASMailbox -ErrorAction S\t");
    p.exp_string("SilentlyContinue").expect("the first member");
    send(&mut p, "\t");
    p.exp_string("Stop").expect("the second member on the next Tab");
    send(&mut p, "\x15");
    exit(p);
}

#[test]
fn an_unclosed_brace_continues_with_the_continuation_prompt() {
    let lab = Lab::new();
    let mut p = start(&lab);
    send(&mut p, "if ($true) {\r");
    p.exp_string(">> ").expect("the continuation prompt");
    send(&mut p, "Get-OrganizationConfig |\r");
    p.exp_string(">> ").expect("a trailing pipe continues too");
    send(&mut p, "fl Name\r");
    p.exp_string(">> ").expect("still inside the braces");
    run(&mut p, "}", "Name : Contoso");
    exit(p);
}

#[test]
fn history_is_recalled_saved_without_secrets_and_listed() {
    let lab = Lab::new();
    let mut p = start(&lab);
    run(&mut p, "Get-ExchangeServer | fl Name", "Name : EX01");
    run(&mut p, "Get-OrganizationConfig | fl Name # password rotation next week", "Name : Contoso");
    // Up recalls the sensitive line (kept for this session), Up again the one before it.
    send(&mut p, UP);
    p.exp_string("# password rotation").expect("the last line recalled");
    send(&mut p, UP);
    run(&mut p, "", "Name : EX01");
    let listed = run(&mut p, "Get-History", "CommandLine");
    for line in ["Get-ExchangeServer | fl Name", "# password rotation"] {
        assert!(listed.contains(line), "Get-History lists every line of the session: {listed}");
    }
    exit(p);

    let file = std::fs::read_to_string(lab.store().join("history")).expect("the history file");
    assert_eq!(file.lines().filter(|l| *l == "Get-ExchangeServer | fl Name").count(), 1, "once, no duplicates:\n{file}");
    assert!(file.lines().any(|l| l == "Get-History"), "{file}");
    assert!(!file.to_lowercase().contains("password"), "a line with 'password' was saved:\n{file}");

    // A new session starts with the saved history.
    let mut p = start(&lab);
    send(&mut p, UP);
    p.exp_string("Get-History").expect("the last saved line recalled in a new session");
    send(&mut p, "\x15");
    exit(p);
}

#[test]
fn ctrl_c_cancels_the_line_being_typed() {
    let lab = Lab::new();
    let mut p = start(&lab);
    send(&mut p, "Get-Organizat");
    p.send_control('c').expect("Ctrl-C");
    p.exp_string(PROMPT).expect("a fresh prompt");
    // Had the typed text survived, this would run "Get-OrganizatGet-ExchangeServer…".
    run(&mut p, "Get-ExchangeServer | fl Name", "Name : EX01");
    // Ctrl-C also abandons a statement being continued.
    send(&mut p, "Get-OrganizationConfig |\r");
    p.exp_string(">> ").expect("continuation");
    p.send_control('c').expect("Ctrl-C");
    p.exp_string(PROMPT).expect("back at the main prompt");
    run(&mut p, "Get-ExchangeServer | fl Fqdn", "Fqdn : ex01.contoso.com");
    exit(p);
}

#[test]
fn ctrl_c_stops_a_running_pipeline_and_not_the_shell() {
    const MAILBOXES: usize = 20_000;
    let lab = lab_with_mailboxes(MAILBOXES);
    let mut p = start(&lab);
    // -WhatIf writes one line per mailbox and changes nothing: visible progress to interrupt.
    send(&mut p, "Get-CASMailbox -ResultSize Unlimited | Set-CASMailbox -MAPIEnabled $false -WhatIf\r");
    p.exp_string("What if:").expect("the pipeline is running");
    p.send_control('c').expect("Ctrl-C");
    let before = p.exp_string("The pipeline has been stopped.").expect("PowerShell's message");
    p.exp_string(PROMPT).expect("the shell goes on");
    let done = before.matches("What if:").count();
    eprintln!("{done} of {MAILBOXES} objects went through before Ctrl-C stopped the pipeline");
    assert!(done < MAILBOXES, "the pipeline ran to its end ({done} objects)");
    run(&mut p, "Get-ExchangeServer | fl Name", "Name : EX01");
    exit(p);
}

#[test]
fn missing_mandatory_parameters_and_credentials_are_asked_for() {
    let lab = lab_with_mailboxes(0);
    let mut p = start(&lab);
    send(&mut p, "Set-CASMailbox -MAPIEnabled $false\r");
    p.exp_string("Supply values for the following parameters:").expect("PowerShell's prompt caption");
    p.exp_string("Identity: ").expect("the parameter prompt");
    run(&mut p, "alice", "");
    run(&mut p, "Get-CASMailbox alice | fl MAPIEnabled", "MAPIEnabled : False");

    // Get-Credential: the password is read without showing it.
    send(&mut p, "$c = Get-Credential\r");
    p.exp_string("User: ").expect("the user prompt");
    send(&mut p, "alice\r");
    p.exp_string("Password for user alice: ").expect("the password prompt");
    send(&mut p, "s3cr3t\r");
    p.exp_string("******").expect("masked input");
    let out = run(&mut p, "$c.UserName", "alice\r\n");
    let file = std::fs::read_to_string(lab.store().join("history")).expect("the history file");
    assert!(!out.contains("s3cr3t") && !file.contains("s3cr3t"), "the password leaked:\n{out}\n{file}");

    // Ctrl-C at a prompt stops the command.
    send(&mut p, "Set-CASMailbox -MAPIEnabled $true\r");
    p.exp_string("Identity: ").expect("the parameter prompt");
    p.send_control('c').expect("Ctrl-C");
    p.exp_string("The pipeline has been stopped.").expect("stopped");
    p.exp_string(PROMPT).expect("the prompt");
    run(&mut p, "Get-CASMailbox alice | fl MAPIEnabled", "MAPIEnabled : False");
    exit(p);
}
