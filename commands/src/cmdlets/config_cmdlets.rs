//! Import-MapishConfig and Export-MapishConfig: configuration as code from the shell. They run the
//! same core as `mapish import` (commands/src/config); only the way they talk to the user differs.

use std::path::Path;

use chrono::Utc;

use crate::bind::Bound;
use crate::config::{self, ConfigError, Current, LocalSecrets, PlanOptions, Source};
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::Value;

use super::errors::exchange_error;

pub static IMPORT_MAPISH_CONFIG: CmdletSpec = CmdletSpec {
    name: "Import-MapishConfig",
    aliases: &[],
    synopsis: "Applies a configuration file (TOML) to the store: shows the plan, then applies all of it or nothing.",
    description: "Reads a configuration file in the format of docs/config-format.md (the keys are the parameters of the cmdlets that set the same settings, and are checked the same way), compares it with the store and prints the plan: every object created (+), changed (~, property: old → new) and, with -Prune, deleted (-). Then it applies the whole plan in one transaction, or nothing if any check fails; every problem in the file is reported with its line and column. A file already in effect prints \"No changes.\". -Prune asks for confirmation unless -Confirm:$false is given. The same as `mapish import FILE`.",
    params: &[
        ParamSpec {
            mandatory: true,
            position: Some(0),
            ..ParamSpec::new("Path", ParamType::String, "The configuration file to apply.")
        },
        ParamSpec::new(
            "Prune",
            ParamType::Switch,
            "Also deletes the objects the file does not declare, for each kind of object (Server, MapiVirtualDirectory, Mailbox) the file declares at least once or as an empty list (Mailbox = []). Asks for confirmation unless -Confirm:$false.",
        ),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::Medium,
    inputs: "None",
    outputs: "None",
    class: "Mapish.Configuration.ImportMapishConfig",
    examples: &[
        Example { code: "Import-MapishConfig -Path contoso.toml -WhatIf", remarks: "Shows what applying contoso.toml would change, and changes nothing." },
        Example { code: "Import-MapishConfig contoso.toml -Prune -Confirm:$false", remarks: "Makes the store exactly what contoso.toml declares, deleting what it does not, without asking." },
    ],
    body: Body::PerRecord(import),
};

pub static EXPORT_MAPISH_CONFIG: CmdletSpec = CmdletSpec {
    name: "Export-MapishConfig",
    aliases: &[],
    synopsis: "Writes the whole configuration as a TOML file that Import-MapishConfig reads back.",
    description: "Writes the organization, servers, MAPI virtual directories and mailboxes (without the probes' health mailboxes) in the format of docs/config-format.md: stable order, no Guids or timestamps, passwords only as their argon2id hashes. Importing the file into an empty store and exporting again gives the same file. Without -Path the text is the command's output.",
    params: &[ParamSpec {
        position: Some(0),
        ..ParamSpec::new("Path", ParamType::String, "The file to write (replaced whole, never left half-written). Omitted: the text is written to the pipeline.")
    }],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "None",
    outputs: "System.String",
    class: "Mapish.Configuration.ExportMapishConfig",
    examples: &[
        Example { code: "Export-MapishConfig -Path contoso.toml", remarks: "Saves the configuration, for version control or to apply to another store." },
        Example { code: "Export-MapishConfig | Select-String MapiHttpEnabled", remarks: "Shows the MapiHttpEnabled lines of the configuration." },
    ],
    body: Body::PerRecord(export),
};

fn failure(inv: &Invocation<'_>, message: String, category: ErrorCategory, exception: &str) -> ErrorRecord {
    exchange_error(inv, message, category, exception).at(inv.call_span)
}

fn import(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let path = b.string("Path").unwrap_or_default();
    // Through the host: run from a shell connected to `mapish serve`, the file is the shell's.
    let text = inv
        .host
        .read_file(&path)
        .map_err(|e| failure(inv, format!("Cannot read the configuration file '{path}': {e}"), ErrorCategory::ReadError, "IOException"))?;
    let source = Source::new(path.clone(), &text);
    let store = inv.session.store.clone();
    let prepared = config::parse(&source, &LocalSecrets::beside(Path::new(&path))).and_then(|desired| {
        let opts = PlanOptions { prune: b.switch("Prune"), now: Utc::now(), default_server: inv.session.local_server.clone() };
        config::plan(&desired, &Current::read(&store)?, &source, &opts)
    });
    let plan = match prepared {
        Ok(plan) => plan,
        Err(ConfigError::Invalid { file, diagnostics }) => {
            // Every problem as its own record, then one that stops the command: nothing was applied.
            for d in &diagnostics {
                let e = failure(inv, format!("{file}:{d}"), ErrorCategory::InvalidData, "ConfigurationException");
                inv.write_error(e)?;
            }
            return Err(failure(
                inv,
                format!("{file} has {} problem(s); nothing was changed.", diagnostics.len()),
                ErrorCategory::InvalidData,
                "ConfigurationException",
            ));
        }
        Err(other) => return Err(failure(inv, other.to_string(), ErrorCategory::InvalidOperation, "ConfigurationException")),
    };
    inv.host.information(config::render(&plan).trim_end());
    let counts = plan.counts();
    if counts.total() == 0 {
        return Ok(());
    }
    let action = format!(
        "Importing the configuration in \"{path}\": {} to create, {} to change, {} to delete.",
        counts.create, counts.change, counts.delete
    );
    // Deleting is destructive: it asks even without -Confirm, as a ConfirmImpact=High cmdlet would,
    // and only -Confirm:$false skips the question.
    if counts.delete > 0 && inv.confirm.is_none() {
        inv.confirm = Some(true);
    }
    if !inv.should_process(&action)? {
        return Ok(());
    }
    let done = config::apply(&store, &plan, &|_, _| {})
        .map_err(|e| failure(inv, e.to_string(), ErrorCategory::WriteError, "ConfigurationException"))?;
    inv.host.information(&format!("Applied: {} created, {} changed, {} deleted.", done.create, done.change, done.delete));
    Ok(())
}

fn export(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let text = config::export(&Current::read(&inv.session.store)?);
    match b.string("Path") {
        None => inv.emit(Value::String(text.trim_end_matches('\n').to_string())),
        // Through the host: run from a shell connected to `mapish serve`, the file is the shell's.
        Some(path) => {
            let path = crate::run::file_path(&path);
            inv.host.write_file(&path, &text).map_err(|e| failure(inv, e, ErrorCategory::WriteError, "IOException"))?
        }
    }
    Ok(())
}
