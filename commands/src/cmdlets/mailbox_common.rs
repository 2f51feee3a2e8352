//! What the mailbox cmdlets share: resolving -Identity, and enumerating with -ResultSize.

use mapish_store::Mailbox;

use crate::bind::Bound;
use crate::record::ErrorRecord;
use crate::run::Invocation;
use crate::spec::{IdKind, ParamSpec, ParamType, PipelineInput};

use super::errors::{ambiguous, not_found};
use super::identity::{find_mailboxes, IdentityArg};

pub const DEFAULT_RESULT_SIZE: i64 = 1000;

pub const RESULT_SIZE_WARNING: &str = "By default, only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify \"-ResultSize Unlimited\". Be aware that, depending on the actual number of items, returning all items can take a long time and consume a large amount of memory. Also, we don't recommend storing the results in a variable. Instead, pipe the results to another task or script to perform batch changes.";

pub const RESULT_SIZE: ParamSpec = ParamSpec {
    default: Some("1000"),
    ..ParamSpec::new("ResultSize", ParamType::ResultSize, "The most objects to return: a number, or Unlimited. Default 1000, with a warning when more exist.")
};

pub const FILTER: ParamSpec = ParamSpec::new(
    "Filter",
    ParamType::String,
    "An OPATH filter evaluated on the server, as \"Property -Operator 'Value'\" clauses joined with -and, -or, -not and parentheses; for example 'MAPIEnabled -eq $false'. Use single quotes round a filter with $true, $false or $null. Only the documented filterable properties work (not MapiHttpEnabled: use Where-Object for that). OWAEnabled filters by its plain meaning, unlike Exchange's inverted one.",
);

pub const MONITORING: ParamSpec = ParamSpec::new(
    "Monitoring",
    ParamType::Switch,
    "Includes the health mailboxes that Test-OutlookConnectivity uses; they are hidden otherwise.",
);

pub const GET_IDENTITY: ParamSpec = ParamSpec {
    position: Some(0),
    pipeline: PipelineInput::BOTH,
    wildcards: true,
    ..ParamSpec::new(
        "Identity",
        ParamType::Identity(IdKind::Mailbox),
        "The mailbox: Name, Alias, e-mail address, user principal name, LegacyExchangeDN, DOMAIN\\user or Guid; a trailing * matches names. Omitted or $null: all mailboxes.",
    )
};

pub const SET_IDENTITY: ParamSpec = ParamSpec {
    mandatory: true,
    position: Some(0),
    pipeline: PipelineInput::BOTH,
    ..ParamSpec::new(
        "Identity",
        ParamType::Identity(IdKind::Mailbox),
        "The mailbox: Name, Alias, e-mail address, user principal name, LegacyExchangeDN, DOMAIN\\user or Guid.",
    )
};

/// Emits the mailboxes the Get- parameters select, honouring -ResultSize and hiding health
/// mailboxes unless -Monitoring. Streams: the store is read one mailbox at a time.
pub fn emit_selected(
    inv: &mut Invocation<'_>,
    b: &Bound,
    mut to_object: impl FnMut(&Mailbox) -> crate::value::Value,
) -> Result<(), ErrorRecord> {
    let limit = b.int("ResultSize").unwrap_or(DEFAULT_RESULT_SIZE);
    let explicit_limit = b.has("ResultSize");
    let monitoring = b.switch("Monitoring");
    let filter = compile_filter(inv, b)?;
    let store = inv.session.store.clone();
    let mut emitted: i64 = 0;
    let mut emit = |inv: &mut Invocation<'_>, m: &Mailbox| -> bool {
        if (m.is_health_mailbox && !monitoring) || filter.as_ref().is_some_and(|f| !f.matches(m)) {
            return true;
        }
        if limit >= 0 && emitted >= limit {
            if !explicit_limit {
                inv.warn(RESULT_SIZE_WARNING);
            }
            return false;
        }
        emitted += 1;
        inv.emit(to_object(m));
        // Stop reading the store once nothing downstream wants more (`| select -First 1`).
        !inv.output_closed()
    };
    match b.get("Identity").and_then(IdentityArg::from_value) {
        Some(id) => {
            let found = find_mailboxes(&store, &id)?;
            if found.is_empty() {
                let e = not_found(inv, &id.text).at(b.span("Identity").unwrap_or(inv.call_span));
                return inv.write_error(e);
            }
            for m in &found {
                if !emit(inv, m) {
                    break;
                }
            }
        }
        None => {
            for m in store.mailboxes() {
                if !emit(inv, &m?) {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// The -Filter of a Get- cmdlet, parsed against that cmdlet's filterable properties. A bad
/// filter fails the command before anything is read, with Exchange's binding-error shape.
fn compile_filter(inv: &Invocation<'_>, b: &Bound) -> Result<Option<super::opath::Filter>, ErrorRecord> {
    let Some(text) = b.string("Filter") else { return Ok(None) };
    let fields = if inv.spec.name.eq_ignore_ascii_case("Get-Mailbox") { &super::opath::MAILBOX_FIELDS } else { &super::opath::CAS_MAILBOX_FIELDS };
    let session = &*inv.session;
    super::opath::parse(&text, fields, &|name| session.variable(name)).map(Some).map_err(|e| {
        ErrorRecord::binding(
            format!("Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"{e}\""),
            "ParameterBindingFailed",
            inv.spec.name,
            b.span("Filter").unwrap_or(inv.call_span),
        )
    })
}

/// Exactly one mailbox for a Set-/Remove-, or a written error and None.
pub fn resolve_one(inv: &mut Invocation<'_>, b: &Bound) -> Result<Option<Mailbox>, ErrorRecord> {
    let span = b.span("Identity").unwrap_or(inv.call_span);
    let Some(id) = b.get("Identity").and_then(IdentityArg::from_value) else {
        let e = not_found(inv, "").at(span);
        inv.write_error(e)?;
        return Ok(None);
    };
    let mut found = find_mailboxes(&inv.session.store, &id)?;
    match found.len() {
        1 => Ok(found.pop()),
        0 => {
            let e = not_found(inv, &id.text).at(span);
            inv.write_error(e)?;
            Ok(None)
        }
        _ => {
            let e = ambiguous(inv, &id.text).at(span);
            inv.write_error(e)?;
            Ok(None)
        }
    }
}

/// How a Set- cmdlet on a mailbox ends, given what its transaction found: `Some(true)` changed,
/// `Some(false)` nothing to change (Exchange's warning), `None` the mailbox vanished meanwhile.
pub(crate) fn report_set(inv: &mut Invocation<'_>, name: &str, changed: Option<bool>) -> Result<(), ErrorRecord> {
    match changed {
        Some(true) => Ok(()),
        Some(false) => {
            inv.warn(format!("The command completed successfully but no settings of '{name}' have been modified."));
            Ok(())
        }
        None => {
            let e = super::errors::not_found(inv, name);
            inv.write_error(e)
        }
    }
}
