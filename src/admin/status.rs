//! `mapish status`: is a server running on this store, and what is it doing.

use std::path::Path;

use super::client::AdminClient;
use super::protocol::StatusReport;
use crate::cli::{EXIT_ERRORS, EXIT_OK};
use crate::output::{print_error_line, print_line};

/// Exit status 0 when a server answers, 1 when none runs on this store (or it cannot be reached).
pub fn run(store_dir: &Path) -> i32 {
    match AdminClient::connect(store_dir) {
        Ok(Some(mut client)) => match client.status() {
            Ok(report) => {
                print_line(&describe(&report));
                EXIT_OK
            }
            Err(e) => {
                print_error_line(&format!("mapish: {e}"));
                EXIT_ERRORS
            }
        },
        Ok(None) => {
            print_line(&format!(
                "No mapish server is running on the store at {} (shells open it directly).",
                store_dir.display()
            ));
            EXIT_ERRORS
        }
        Err(e) => {
            print_error_line(&format!("mapish: {e}"));
            EXIT_ERRORS
        }
    }
}

fn describe(r: &StatusReport) -> String {
    let mut lines = vec![
        format!("A mapish server is running on the store at {} (mapish {}, pid {}).", r.store, r.server_version, r.pid),
        format!("Uptime:           {}", uptime(r.uptime_secs)),
    ];
    for url in &r.listeners {
        lines.push(format!("Listening on:     {url}"));
    }
    lines.push(format!("Admin endpoint:   {}", super::socket_path(Path::new(&r.store)).display()));
    lines.push(format!("Shell sessions:   {} open, this one included ({} since start)", r.admin_sessions, r.admin_sessions_total));
    lines.push(format!("MAPI sessions:    {}", r.mapi_sessions));
    lines.push(format!("HTTP in flight:   {}", r.requests_in_flight));
    lines.push(format!("Changes applied:  {}", r.changes_applied));
    lines.join("\n")
}

fn uptime(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 { format!("{d}d {h:02}:{m:02}:{s:02}") } else { format!("{h:02}:{m:02}:{s:02}") }
}
