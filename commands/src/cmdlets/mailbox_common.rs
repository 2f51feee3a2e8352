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
    let store = inv.session.store.clone();
    let mut emitted: i64 = 0;
    let mut emit = |inv: &mut Invocation<'_>, m: &Mailbox| -> bool {
        if m.is_health_mailbox && !monitoring {
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
        true
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
