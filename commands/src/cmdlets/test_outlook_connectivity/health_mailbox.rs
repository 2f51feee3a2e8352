//! The health mailbox a deep test logs on to when no -MailboxId is given: one per server, made
//! and kept by mapish itself, as Exchange keeps its HealthMailbox accounts.
//!
//! The probe logs on with the password (Basic, or NTLM / Negotiate, which the server checks against the
//! mailbox's NT hash), so it must know it: the plain secret lives only in
//! `<store>/health/<server>.secret` (mode 0600, next to the store the server reads), the mailbox
//! holds its argon2id hash like any other. The mailbox is hidden from Get-Mailbox and
//! Get-CASMailbox unless -Monitoring. A secret that no longer matches (the file was lost, the
//! mailbox was removed) is replaced on the next run.

use std::path::{Path, PathBuf};

use mapish_store::{verify_password, Mailbox, Server, Store, Uuid};

use crate::record::{ErrorCategory, ErrorRecord};

/// The health mailbox's logon.
pub struct HealthAccount {
    pub mailbox: Mailbox,
    pub password: String,
}

/// The health mailbox of `server`, created or repaired as needed.
pub fn ensure(store: &Store, server: &Server) -> Result<HealthAccount, ErrorRecord> {
    let name = format!("HealthMailbox{}", server.guid.simple());
    let existing = store.find_mailboxes(&name)?.into_iter().find(|m| m.is_health_mailbox && m.name.eq_ignore_ascii_case(&name));
    let file = store.dir().map(|d| secret_path(d, server));
    let kept = file.as_deref().and_then(read_secret);
    let verified = matches!((&existing, &kept), (Some(m), Some(secret)) if m.password_hash.as_deref().is_some_and(|h| verify_password(h, secret)));
    if verified
        && let (Some(m), Some(secret)) = (&existing, &kept)
        && m.current_nt_hash().is_some()
    {
        return Ok(HealthAccount { mailbox: m.clone(), password: secret.clone() });
    }
    // A kept secret is reused for a re-created mailbox, and for one whose password predates NT hashes
    // (NTLM and Negotiate need one); otherwise a new one is made.
    let password = match (&existing, kept) {
        (None, Some(secret)) => secret,
        (Some(_), Some(secret)) if verified => secret,
        _ => new_secret(),
    };
    if let Some(path) = &file {
        write_secret(path, &password)?;
    }
    let mut mailbox = match existing {
        Some(m) => m,
        None => {
            let org = store.organization()?;
            let upn = format!("{name}@{}", domain_of(&server.fqdn));
            let mut m = Mailbox::new(&name, &name, &upn, &upn, &org.name, &server.name);
            m.is_health_mailbox = true;
            m
        }
    };
    // Hash outside the transaction: the closure may run again on a conflict.
    mailbox.set_password(&password)?;
    mailbox.when_changed = chrono::Utc::now();
    store.update(|tx| tx.put_mailbox(&mailbox).map_err(ErrorRecord::from))?;
    tracing::info!(mailbox = %mailbox.name, server = %server.name, "health mailbox created or its secret renewed");
    Ok(HealthAccount { mailbox, password })
}

fn secret_path(store_dir: &Path, server: &Server) -> PathBuf {
    let safe: String = server.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    store_dir.join("health").join(format!("{safe}.secret"))
}

fn read_secret(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let secret = text.trim().to_string();
    (!secret.is_empty()).then_some(secret)
}

/// 244 random bits from the OS (two v4 UUIDs), as hex.
fn new_secret() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// The parent domain of the server's FQDN (`ex01.contoso.com` → `contoso.com`), where the
/// organization's mailboxes live.
fn domain_of(fqdn: &str) -> String {
    match fqdn.split_once('.') {
        Some((_, domain)) if !domain.is_empty() => domain.to_ascii_lowercase(),
        _ => format!("{}.local", fqdn.to_ascii_lowercase()),
    }
}

/// Writes the secret readable by the owner only, replacing the file in one rename so a reader
/// never sees half a secret.
fn write_secret(path: &Path, secret: &str) -> Result<(), ErrorRecord> {
    let fail = |e: std::io::Error| {
        ErrorRecord::new(
            format!("The health mailbox's secret cannot be written to {}: {e}.", path.display()),
            ErrorCategory::WriteError,
            "IOException",
            "HealthMailboxSecretNotWritten",
        )
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let tmp = path.with_extension("secret.tmp");
    write_private(&tmp, secret).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapish_store::{InitParams, OpenOptions};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store"), &OpenOptions::default()).unwrap();
        store.initialize(&InitParams { organization: "Contoso".into(), server: "EX01".into(), fqdn: "ex01.contoso.com".into() }).unwrap();
        (dir, store)
    }

    #[test]
    fn created_once_kept_and_repaired() {
        let (_dir, store) = store();
        let server = store.server("EX01").unwrap().unwrap();
        let first = ensure(&store, &server).unwrap();
        assert!(first.mailbox.is_health_mailbox);
        assert!(first.mailbox.user_principal_name.ends_with("@contoso.com"));
        let path = secret_path(store.dir().unwrap(), &server);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let hash = store.mailbox(first.mailbox.guid).unwrap().unwrap().password_hash.unwrap();
        assert!(!hash.contains(&first.password), "only the hash is stored");

        let again = ensure(&store, &server).unwrap();
        assert_eq!((again.mailbox.guid, &again.password), (first.mailbox.guid, &first.password));

        // The secret file is lost: a new secret is made and the hash follows it.
        std::fs::remove_file(&path).unwrap();
        let renewed = ensure(&store, &server).unwrap();
        assert_eq!(renewed.mailbox.guid, first.mailbox.guid);
        assert_ne!(renewed.password, first.password);
        let hash = store.mailbox(renewed.mailbox.guid).unwrap().unwrap().password_hash.unwrap();
        assert!(verify_password(&hash, &renewed.password));
    }

    #[test]
    fn domains_come_from_the_server_fqdn() {
        assert_eq!(domain_of("ex01.contoso.com"), "contoso.com");
        assert_eq!(domain_of("EX01.Contoso.COM"), "contoso.com");
        assert_eq!(domain_of("ex01"), "ex01.local");
    }
}
