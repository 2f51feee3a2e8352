//! The key reference of docs/config-format.md, generated from the schema and the cmdlet declarations
//! (type and help text come from the parameter the key is named after), so the page cannot describe
//! a key the cmdlets do not have. tests/e2e/config_import.rs fails when the page is stale.

use mapish_store::{Mailbox, MapiVirtualDirectory, Organization, Server};

use super::schema::{Field, Kind, Origin, declared};

/// Markdown: one table per kind.
pub fn markdown() -> String {
    let mut out = String::new();
    section::<Organization>(&mut out, "The one organization. Left out: the store's organization stays as it is (a new store needs it).");
    section::<Server>(&mut out, "One table per server, identified by Name.");
    section::<MapiVirtualDirectory>(&mut out, "One table per MAPI virtual directory, identified by Server and WebSiteName.");
    section::<Mailbox>(&mut out, "One table per mailbox, identified by Name. The probes' health mailboxes are not part of the file.");
    out
}

fn section<T: Kind>(out: &mut String, intro: &str) {
    let header = if T::ARRAY { format!("[[{}]]", T::TABLE) } else { format!("[{}]", T::TABLE) };
    out.push_str(&format!("### `{header}`\n\n{intro}\n\n| Key | Type | From | Required | Meaning |\n|---|---|---|---|---|\n"));
    for f in T::fields() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            f.key,
            type_text(f),
            from_text(f),
            if f.required { "yes" } else { "no" },
            meaning(f).replace('|', "\\|")
        ));
    }
    out.push('\n');
}

fn type_text<T>(f: &Field<T>) -> String {
    use crate::spec::ParamType;
    match f.param_type() {
        Ok(ParamType::Bool | ParamType::NullableBool) => "boolean".into(),
        Ok(ParamType::MultiValued(e)) => format!("array of strings: {}", e.members.join(", ")),
        Ok(ty) => format!("string ({})", ty.type_name()),
        Err(why) => format!("(undeclared: {why})"),
    }
}

fn from_text<T>(f: &Field<T>) -> String {
    match f.origin {
        Origin::Parameter { cmdlet } => format!("{cmdlet} -{}", f.key),
        Origin::Property { cmdlet, .. } => format!("{cmdlet} property {}", f.key),
        Origin::StandsFor { cmdlet, parameter } => format!("instead of {cmdlet} -{parameter}"),
    }
}

fn meaning<T>(f: &Field<T>) -> String {
    let help = match f.origin {
        Origin::Parameter { cmdlet } => declared(cmdlet, f.key).map(|p| p.help.to_string()).unwrap_or_default(),
        _ => String::new(),
    };
    match (help.is_empty(), f.note.is_empty()) {
        (true, _) => f.note.to_string(),
        (false, true) => help,
        (false, false) => format!("{help} *In the file:* {}", f.note),
    }
}
