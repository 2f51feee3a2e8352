//! Stores for the benchmarks, built through the store API.

use std::path::Path;

use base64::Engine;
use mapish_store::{AuthMethod, InitParams, Mailbox, OpenOptions, Store};

use crate::BenchError;

pub const PASSWORD: &str = "B3nch!pass";

fn store_err(e: mapish_store::StoreError) -> BenchError {
    BenchError::Setup(format!("store: {e}"))
}

/// A mailbox `name@contoso.com` of organization Contoso on server EX01.
pub fn mailbox(name: &str) -> Mailbox {
    Mailbox::new(
        name,
        name,
        format!("{name}@contoso.com"),
        format!("{name}@contoso.com"),
        "Contoso",
        "EX01",
    )
}

/// Opens (creating) a store in `dir` with Contoso/EX01, MAPI over HTTP on, the MAPI directory with Basic,
/// and `users` mailboxes bench0…benchN-1 with password [`PASSWORD`].
pub fn lab(dir: &Path, users: usize) -> Result<(Store, Vec<Mailbox>), BenchError> {
    let store = Store::open(dir, &OpenOptions::default()).map_err(store_err)?;
    store
        .initialize(&InitParams {
            organization: "Contoso".into(),
            server: "EX01".into(),
            fqdn: "ex01.contoso.com".into(),
        })
        .map_err(store_err)?;
    let hash = mapish_store::hash_password(PASSWORD).map_err(store_err)?;
    let boxes: Vec<Mailbox> = (0..users)
        .map(|i| {
            let mut m = mailbox(&format!("bench{i}"));
            m.password_hash = Some(hash.clone());
            m
        })
        .collect();
    store
        .update(|tx| {
            for m in &boxes {
                tx.put_mailbox(m)?;
            }
            let mut org = tx.organization()?;
            org.mapi_http_enabled = true;
            tx.put_organization(&org)?;
            let mut v = tx.mapi_virtual_directories()?.remove(0);
            v.iis_authentication_methods = vec![AuthMethod::Basic];
            v.internal_url = Some("http://127.0.0.1/mapi".into());
            tx.put_mapi_virtual_directory(&v)
        })
        .map_err(store_err)?;
    Ok((store, boxes))
}

/// The load generator's view of mailbox `m` on the server at `authority`.
pub fn target(authority: &str, m: &Mailbox) -> crate::http::Target {
    crate::http::Target {
        authority: authority.to_string(),
        path: format!("/mapi/emsmdb/?MailboxId={}@contoso.com", m.guid),
        authorization: format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{PASSWORD}", m.user_principal_name))
        ),
        legacy_dn: m.legacy_exchange_dn.clone(),
    }
}
