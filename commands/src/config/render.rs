//! The plan as text: one block per object, grouped by kind, values as the file writes them (the
//! object's identity in the header line is shown as Exchange prints it, unescaped).
//!
//! ```text
//! ~ Organization "Contoso"
//!     MapiHttpEnabled: false → true
//! + Mailbox "alice"
//!     UserPrincipalName = "alice@contoso.com"
//! - Mailbox "bob"
//!
//! Plan: 1 to create, 1 to change, 1 to delete.
//! ```

use super::plan::{Change, Plan};
use super::schema::{Export, Kind};
use super::toml_text::value_text;

/// The whole plan; "No changes." when there is nothing to do.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    if let Some(c) = &plan.organization {
        block(&mut out, c);
    }
    plan.servers.iter().for_each(|c| block(&mut out, c));
    plan.vdirs.iter().for_each(|c| block(&mut out, c));
    plan.mailboxes.iter().for_each(|c| block(&mut out, c));
    let counts = plan.counts();
    if counts.total() == 0 {
        out.push_str("No changes.\n");
    } else {
        out.push_str(&format!("\nPlan: {} to create, {} to change, {} to delete.\n", counts.create, counts.change, counts.delete));
    }
    if plan.kept > 0 {
        out.push_str(&format!(
            "{} object{} in the store {} not in the file and {} kept (--prune would delete {}).\n",
            plan.kept,
            if plan.kept == 1 { "" } else { "s" },
            if plan.kept == 1 { "is" } else { "are" },
            if plan.kept == 1 { "is" } else { "are" },
            if plan.kept == 1 { "it" } else { "them" },
        ));
    }
    out
}

fn block<T: Kind>(out: &mut String, change: &Change<T>) {
    match change {
        Change::Create(obj) => {
            out.push_str(&format!("+ {} \"{}\"\n", T::TABLE, obj.identity()));
            // What the file sets beyond the identity: the keys an export of the new object would write.
            let base = obj.export_base();
            for f in T::fields() {
                let v = (f.get)(obj);
                let write = match f.export {
                    Export::Always => true,
                    Export::WhenNotDefault => v != (f.get)(&base),
                    Export::Never => false,
                };
                if !write || f.key == identity_key::<T>() {
                    continue;
                }
                if let Some(text) = value_text(&v) {
                    let text = if f.secret { "(set)".to_string() } else { text };
                    out.push_str(&format!("    {} = {text}\n", f.key));
                }
            }
        }
        Change::Update { new, properties, .. } => {
            out.push_str(&format!("~ {} \"{}\"\n", T::TABLE, new.identity()));
            for p in properties {
                out.push_str(&format!("    {}: {} → {}\n", p.property, p.old, p.new));
            }
        }
        Change::Delete(obj) => out.push_str(&format!("- {} \"{}\"\n", T::TABLE, obj.identity())),
    }
}

/// The key already shown in a block's header line.
fn identity_key<T: Kind>() -> &'static str {
    if T::TABLE == "MapiVirtualDirectory" { "" } else { "Name" }
}
