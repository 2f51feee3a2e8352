//! Writing the store's configuration as a file that an import reads back to the same state.
//!
//! The output is stable: objects sorted as the store lists them (by name, case-insensitive), keys in
//! schema order, no timestamps and no Guids. Objects are identified by their names (Exchange's own
//! identities), so a file moves between stores, and exporting what an import made gives the same file.

use mapish_store::{Mailbox, MapiVirtualDirectory, Server};

use super::current::Current;
use super::schema::{Export, FORMAT_VERSION, Kind};
use super::toml_text::value_text;

/// The file for `current`. Every kind is declared (`Mailbox = []` when there is none), so that an
/// import of it with --prune reproduces the state exactly.
pub fn export(current: &Current) -> String {
    let mut out = String::new();
    out.push_str("# mapish configuration. Keys are the cmdlet parameters; a key left out takes its default.\n");
    out.push_str("# Format: docs/config-format.md. Apply with: mapish import FILE --what-if\n");
    out.push_str(&format!("Version = {FORMAT_VERSION}\n"));
    let mut servers: Vec<&Server> = current.servers.iter().collect();
    servers.sort_by_cached_key(|s| s.name.to_lowercase());
    let mut vdirs: Vec<&MapiVirtualDirectory> = current.vdirs.iter().collect();
    vdirs.sort_by_cached_key(|v| (v.server.to_lowercase(), v.website.to_lowercase()));
    let mut mailboxes: Vec<&Mailbox> = current.mailboxes.iter().filter(|m| !m.is_health_mailbox).collect();
    mailboxes.sort_by_cached_key(|m| m.name.to_lowercase());
    // An empty array must be written before the first table header, or TOML would put it inside that table.
    for (table, empty) in [(Server::TABLE, servers.is_empty()), (MapiVirtualDirectory::TABLE, vdirs.is_empty()), (Mailbox::TABLE, mailboxes.is_empty())] {
        if empty {
            out.push_str(&format!("{table} = []\n"));
        }
    }
    if let Some(org) = &current.organization {
        table(&mut out, org);
    }
    servers.into_iter().for_each(|s| table(&mut out, s));
    vdirs.into_iter().for_each(|v| table(&mut out, v));
    mailboxes.into_iter().for_each(|m| table(&mut out, m));
    out
}

fn table<T: Kind>(out: &mut String, obj: &T) {
    let (open, close) = if T::ARRAY { ("[[", "]]") } else { ("[", "]") };
    out.push_str(&format!("\n{open}{}{close}\n", T::TABLE));
    let base = obj.export_base();
    for f in T::fields() {
        let v = (f.get)(obj);
        let write = match f.export {
            Export::Always => true,
            Export::WhenNotDefault => v != (f.get)(&base),
            Export::Never => false,
        };
        if let (true, Some(text)) = (write, value_text(&v)) {
            out.push_str(&format!("{} = {text}\n", f.key));
        }
    }
}
