//! Applying a plan: every write in one store transaction, so an import lands whole or not at all,
//! also when the process is killed midway (sled commits a transaction atomically and `Store::update`
//! flushes it before returning).
//!
//! The plan was made from a snapshot. Inside the transaction every object it changes or deletes is
//! read again and must be exactly what the plan saw; otherwise another command changed it in between
//! (possible once imports run inside the server, issue 6) and nothing is applied.

use mapish_store::{Store, StoreError, Tx};

use super::error::ConfigError;
use super::plan::{Change, Counts, Plan};

/// How far an apply has come: `done` of `total` objects written into the transaction. Reported about
/// every thousand objects; the commit and flush follow `done == total`.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Applies `plan` to `store`; returns what was done. A plan with no change writes nothing.
pub fn apply(store: &Store, plan: &Plan, progress: Progress<'_>) -> Result<Counts, ConfigError> {
    let counts = plan.counts();
    if counts.total() == 0 {
        return Ok(counts);
    }
    let total = counts.total();
    tracing::info!(total, "import: writing the plan in one transaction");
    store.update(|tx| -> Result<(), ConfigError> {
        let mut done = 0usize;
        let mut tick = || {
            done += 1;
            if done.is_multiple_of(1000) || done == total {
                progress(done, total);
            }
            if done == total {
                tracing::info!(total, "import: every write staged; committing");
            }
        };
        organization(tx, plan, &mut tick)?;
        // Children before parents on the way out, so nothing ever points at a deleted object.
        for c in &plan.mailboxes {
            if let Change::Delete(m) = c {
                expect(tx.mailbox(m.guid)?.as_ref() == Some(m), || format!("mailbox '{}'", m.name))?;
                tx.delete_mailbox(m.guid)?;
                tick();
            }
        }
        for c in &plan.vdirs {
            if let Change::Delete(v) = c {
                expect(tx.mapi_virtual_directory(v.guid)?.as_ref() == Some(v), || format!("MAPI virtual directory '{}'", v.identity()))?;
                tx.delete_mapi_virtual_directory(v.guid)?;
                tick();
            }
        }
        servers(tx, plan, &mut tick)?;
        for c in &plan.vdirs {
            match c {
                Change::Create(v) => tx.put_mapi_virtual_directory(v)?,
                Change::Update { old, new, .. } => {
                    expect(tx.mapi_virtual_directory(old.guid)?.as_ref() == Some(old), || format!("MAPI virtual directory '{}'", old.identity()))?;
                    tx.put_mapi_virtual_directory(new)?;
                }
                Change::Delete(_) => continue,
            }
            tick();
        }
        mailboxes(tx, plan, &mut tick)
    })?;
    tracing::info!(total, "import: committed and flushed");
    Ok(counts)
}

fn expect(same: bool, what: impl FnOnce() -> String) -> Result<(), ConfigError> {
    if same { Ok(()) } else { Err(ConfigError::Changed { what: what() }) }
}

fn organization(tx: &mut Tx<'_>, plan: &Plan, tick: &mut impl FnMut()) -> Result<(), ConfigError> {
    match &plan.organization {
        None => return Ok(()),
        Some(Change::Create(o)) => match tx.organization() {
            Err(StoreError::NotInitialized) => tx.put_organization(o)?,
            Ok(_) => return Err(ConfigError::Changed { what: "an organization was created".into() }),
            Err(e) => return Err(e.into()),
        },
        Some(Change::Update { old, new, .. }) => {
            expect(tx.organization().ok().as_ref() == Some(old), || "the organization".into())?;
            tx.put_organization(new)?;
        }
        // Plans never delete the organization.
        Some(Change::Delete(_)) => return Ok(()),
    }
    tick();
    Ok(())
}

fn servers(tx: &mut Tx<'_>, plan: &Plan, tick: &mut impl FnMut()) -> Result<(), ConfigError> {
    let current = tx.servers()?;
    let unchanged = |s: &mapish_store::Server| current.iter().any(|c| c == s);
    for c in &plan.servers {
        match c {
            Change::Delete(s) => {
                expect(unchanged(s), || format!("server '{}'", s.name))?;
                tx.delete_server(s.guid)?;
                tick();
            }
            // A server whose Fqdn changes leaves first, so that two servers may swap FQDNs.
            Change::Update { old, new, .. } if !old.fqdn.eq_ignore_ascii_case(&new.fqdn) => {
                expect(unchanged(old), || format!("server '{}'", old.name))?;
                tx.delete_server(old.guid)?;
            }
            _ => {}
        }
    }
    for c in &plan.servers {
        match c {
            Change::Create(s) => tx.put_server(s)?,
            Change::Update { old, new, .. } => {
                if old.fqdn.eq_ignore_ascii_case(&new.fqdn) {
                    expect(unchanged(old), || format!("server '{}'", old.name))?;
                }
                tx.put_server(new)?;
            }
            Change::Delete(_) => continue,
        }
        tick();
    }
    Ok(())
}

fn mailboxes(tx: &mut Tx<'_>, plan: &Plan, tick: &mut impl FnMut()) -> Result<(), ConfigError> {
    // A mailbox whose unique values change leaves the indexes first, so that two mailboxes may swap
    // an alias or an address within one import.
    let moves_unique = |a: &mapish_store::Mailbox, b: &mapish_store::Mailbox| {
        !(a.name.eq_ignore_ascii_case(&b.name)
            && a.alias.eq_ignore_ascii_case(&b.alias)
            && a.primary_smtp_address.eq_ignore_ascii_case(&b.primary_smtp_address)
            && a.user_principal_name.eq_ignore_ascii_case(&b.user_principal_name))
    };
    for c in &plan.mailboxes {
        if let Change::Update { old, new, .. } = c {
            expect(tx.mailbox(old.guid)?.as_ref() == Some(old), || format!("mailbox '{}'", old.name))?;
            if moves_unique(old, new) {
                tx.delete_mailbox(old.guid)?;
            }
        }
    }
    for c in &plan.mailboxes {
        match c {
            Change::Create(m) | Change::Update { new: m, .. } => tx.put_mailbox(m)?,
            Change::Delete(_) => continue,
        }
        tick();
    }
    Ok(())
}
