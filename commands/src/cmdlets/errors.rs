//! Exchange-style error records for the Exchange cmdlets (object not found, invalid argument…).

use mapish_store::StoreError;

use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;

/// A short, stable error code in place of Exchange's internal hex code (same code for the same
/// kind of failure, so scripts can match it).
fn code(kind: &str) -> String {
    let mut h: u32 = 0x811c9dc5;
    for b in kind.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    format!("{h:08X}")
}

/// `[Server=EX01] [FailureCategory=Cmdlet-X] CODE,Class` — Exchange's FullyQualifiedErrorId shape,
/// without the per-request Guid and timestamp so output is reproducible.
pub fn exchange_error(inv: &Invocation<'_>, message: impl Into<String>, category: ErrorCategory, exception: &str) -> ErrorRecord {
    let server = inv.session.local_server.clone().unwrap_or_else(|| "localhost".into());
    let id = format!(
        "[Server={server}] [FailureCategory=Cmdlet-{exception}] {},{}",
        code(&format!("{}:{exception}", inv.spec.name)),
        inv.spec.class
    );
    ErrorRecord::new(message, category, exception, id).in_command(inv.spec.name)
}

/// `The operation couldn't be performed because object 'X' couldn't be found on 'ex01.contoso.com'.`
pub fn not_found(inv: &Invocation<'_>, identity: &str) -> ErrorRecord {
    let on = local_fqdn(inv);
    exchange_error(
        inv,
        format!("The operation couldn't be performed because object '{identity}' couldn't be found on '{on}'."),
        ErrorCategory::NotSpecified,
        "ManagementObjectNotFoundException",
    )
}

/// `The operation couldn't be performed because 'X' matches multiple entries.`
pub fn ambiguous(inv: &Invocation<'_>, identity: &str) -> ErrorRecord {
    exchange_error(
        inv,
        format!("The operation couldn't be performed because '{identity}' matches multiple entries."),
        ErrorCategory::NotSpecified,
        "ManagementObjectAmbiguousException",
    )
}

pub fn invalid_argument(inv: &Invocation<'_>, message: impl Into<String>) -> ErrorRecord {
    exchange_error(inv, message, ErrorCategory::InvalidArgument, "ArgumentException")
}

fn local_fqdn(inv: &Invocation<'_>) -> String {
    let name = inv.session.local_server.clone().unwrap_or_default();
    match inv.session.store.server(&name) {
        Ok(Some(s)) => s.fqdn,
        _ => name,
    }
}

impl From<StoreError> for ErrorRecord {
    fn from(e: StoreError) -> Self {
        let (category, reason, id) = match &e {
            StoreError::Duplicate { .. } => (ErrorCategory::InvalidArgument, "ADObjectAlreadyExistsException", "DuplicateObject"),
            StoreError::Invalid { .. } => (ErrorCategory::InvalidArgument, "ArgumentException", "InvalidValue"),
            StoreError::NotFound { .. } => (ErrorCategory::ObjectNotFound, "ManagementObjectNotFoundException", "ObjectNotFound"),
            StoreError::Locked { .. } => (ErrorCategory::ResourceBusy, "StoreLockedException", "StoreLocked"),
            StoreError::NotInitialized => (ErrorCategory::InvalidOperation, "StoreNotInitializedException", "StoreNotInitialized"),
            _ => (ErrorCategory::WriteError, "StoreException", "StoreFailure"),
        };
        let mut message = e.to_string();
        if let Some(first) = message.get(..1) {
            message = first.to_uppercase() + &message[1..];
        }
        if !message.ends_with('.') {
            message.push('.');
        }
        ErrorRecord::new(message, category, reason, id)
    }
}
