//! New/Get/Set/Remove-Mailbox: the mailboxes whose client access the other cmdlets manage.

use mapish_store::Mailbox;

use crate::bind::Bound;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::Value;

use super::errors::exchange_error;
use super::mailbox_common::{emit_selected, FILTER, resolve_one, GET_IDENTITY, MONITORING, RESULT_SIZE, SET_IDENTITY};
use super::objects::mailbox_object;

pub static NEW_MAILBOX: CmdletSpec = CmdletSpec {
    name: "New-Mailbox",
    aliases: &[],
    synopsis: "Creates a mailbox with a password for MAPI over HTTP logons.",
    description: "Creates a mailbox on the local server. The password is stored only as an argon2id hash and is what the MAPI over HTTP endpoint checks for Basic authentication. Alias defaults to the Name without spaces, PrimarySmtpAddress to the UserPrincipalName.",
    params: &[
        ParamSpec { mandatory: true, position: Some(0), ..ParamSpec::new("Name", ParamType::String, "The mailbox's name (unique), e.g. \"Alice Wood\".") },
        ParamSpec::new("Alias", ParamType::String, "The alias (unique); default: the Name without spaces."),
        ParamSpec::new("DisplayName", ParamType::String, "The name shown in the address book; default: the Name."),
        ParamSpec { mandatory: true, ..ParamSpec::new("UserPrincipalName", ParamType::SmtpAddress, "The logon name, user@domain (unique).") },
        ParamSpec::new("PrimarySmtpAddress", ParamType::SmtpAddress, "The e-mail address (unique); default: the UserPrincipalName."),
        ParamSpec {
            mandatory: true,
            ..ParamSpec::new(
                "Password",
                ParamType::SecureString,
                "The password: (ConvertTo-SecureString 'pw' -AsPlainText -Force), or plain text in scripts. Only its argon2id hash is stored.",
            )
        },
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::Medium,
    inputs: "None",
    outputs: super::objects::MAILBOX_TYPE,
    class: "Microsoft.Exchange.Management.RecipientTasks.NewMailbox",
    examples: &[Example {
        code: "New-Mailbox -Name User -Alias user -PrimarySmtpAddress user@contoso.com -UserPrincipalName user@contoso.com -Password 'P@ssw0rd-1'",
        remarks: "Creates the mailbox User with a password.",
    }],
    body: Body::PerRecord(new),
};

fn invalid(inv: &Invocation<'_>, message: String, span: crate::lang::ast::Span) -> ErrorRecord {
    exchange_error(inv, message, ErrorCategory::InvalidArgument, "ArgumentException").at(span)
}

fn new(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let name = b.string("Name").unwrap_or_default().trim().to_string();
    let name_span = b.span("Name").unwrap_or(inv.call_span);
    check_name(&name).map_err(|m| invalid(inv, m, name_span))?;
    let alias = b.string("Alias").unwrap_or_else(|| default_alias(&name));
    check_alias(&alias).map_err(|m| invalid(inv, m, b.span("Alias").unwrap_or(name_span)))?;
    let upn = b.string("UserPrincipalName").unwrap_or_default();
    let smtp = b.string("PrimarySmtpAddress").unwrap_or_else(|| upn.clone());
    let password = match b.get("Password") {
        Some(Value::SecureString(s)) => s.0.clone(),
        _ => String::new(),
    };
    if password.is_empty() {
        return Err(invalid(inv, "The password can't be empty.".into(), b.span("Password").unwrap_or(inv.call_span)));
    }
    if !inv.should_process(&format!("Creating mailbox \"{name}\" with UserPrincipalName \"{upn}\"."))? {
        return Ok(());
    }
    let store = inv.session.store.clone();
    let org = store.organization()?;
    let server = inv.session.local_server.clone().or_else(|| store.servers().ok().and_then(|s| s.first().map(|s| s.name.clone()))).unwrap_or_default();
    let mut mailbox = Mailbox::new(&name, &alias, &smtp, &upn, &org.name, server);
    if let Some(display) = b.string("DisplayName") {
        mailbox.display_name = display;
    }
    // Hash outside the transaction: the closure may run again on a conflict. The argon2id hash serves Basic, the
    // NT hash (bound to it) NTLM.
    mailbox.set_password(&password)?;
    store.update(|tx| tx.put_mailbox(&mailbox).map_err(ErrorRecord::from)).map_err(|e| e.in_command(inv.spec.name).at(inv.call_span))?;
    inv.emit(mailbox_object(&mailbox));
    Ok(())
}

/// New-Mailbox's rule for Name (also applied by Import-MapishConfig).
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.chars().count() > 64 {
        return Err("Name must be 1 to 64 characters long.".into());
    }
    Ok(())
}

/// The Alias New-Mailbox gives when none is given: the Name without white space.
pub(crate) fn default_alias(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

/// New-Mailbox's rule for Alias (also applied by Import-MapishConfig).
pub(crate) fn check_alias(alias: &str) -> Result<(), String> {
    if alias.is_empty() || alias.chars().any(|c| !(c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))) || alias.starts_with('.') || alias.ends_with('.') {
        return Err(format!(
            "The alias '{alias}' contains characters that aren't allowed. Use letters, digits and !#$%&'*+-/=?^_`{{|}}~ with dots only between them."
        ));
    }
    Ok(())
}

pub static GET_MAILBOX: CmdletSpec = CmdletSpec {
    name: "Get-Mailbox",
    aliases: &[],
    synopsis: "Shows mailboxes.",
    description: "Returns one mailbox or all of them (at most 1000 unless -ResultSize says otherwise). Pipe into Get-CASMailbox or Set-CASMailbox to work on their client access settings.",
    params: &[GET_IDENTITY, FILTER, RESULT_SIZE, MONITORING],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "MailboxIdParameter",
    outputs: super::objects::MAILBOX_TYPE,
    class: "Microsoft.Exchange.Management.RecipientTasks.GetMailbox",
    examples: &[
        Example { code: "Get-Mailbox", remarks: "Lists the mailboxes." },
        Example { code: "Get-Mailbox a* | Get-CASMailbox", remarks: "Shows the client access settings of every mailbox whose name starts with a." },
    ],
    body: Body::PerRecord(get),
};

fn get(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    emit_selected(inv, b, mailbox_object)
}

pub static SET_MAILBOX: CmdletSpec = CmdletSpec {
    name: "Set-Mailbox",
    aliases: &[],
    synopsis: "Changes a mailbox's password or display name.",
    description: "Sets a new password (stored as an argon2id hash for Basic and the NT hash NTLM and Negotiate need) or a new DisplayName. Setting the password again is how a mailbox created before NTLM support, or imported with only a PasswordHash, becomes usable with NTLM and Negotiate. A running `mapish serve` checks the new password from the next request; connections logged on with the old one must log on again.",
    params: &[
        SET_IDENTITY,
        ParamSpec::new("DisplayName", ParamType::String, "The name shown in the address book."),
        ParamSpec::new(
            "Password",
            ParamType::SecureString,
            "The new password: (ConvertTo-SecureString 'pw' -AsPlainText -Force), or plain text in scripts. Only its hashes are stored.",
        ),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::Medium,
    inputs: "MailboxIdParameter",
    outputs: "None",
    class: "Microsoft.Exchange.Management.RecipientTasks.SetMailbox",
    examples: &[
        Example {
            code: "Set-Mailbox user -Password (ConvertTo-SecureString 'N3w-P@ssw0rd' -AsPlainText -Force)",
            remarks: "Gives the mailbox user a new password, usable with Basic, NTLM and Negotiate.",
        },
        Example { code: "Set-Mailbox user -DisplayName 'User One'", remarks: "Changes the name the address book shows." },
    ],
    body: Body::PerRecord(set),
};

fn set(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    if let Some(name) = b.string("DisplayName") {
        super::cas_mailbox::check_display_name(&name).map_err(|m| invalid(inv, m, b.span("DisplayName").unwrap_or(inv.call_span)))?;
    }
    let password = match b.get("Password") {
        Some(Value::SecureString(s)) if s.0.is_empty() => {
            return Err(invalid(inv, "The password can't be empty.".into(), b.span("Password").unwrap_or(inv.call_span)));
        }
        Some(Value::SecureString(s)) => Some(s.0.clone()),
        _ => None,
    };
    let Some(current) = resolve_one(inv, b)? else { return Ok(()) };
    if !inv.should_process(&format!("Setting mailbox \"{}\".", current.name))? {
        return Ok(());
    }
    // Hash outside the transaction: the closure may run again on a conflict, and argon2 is slow on purpose.
    let mut hashed = current.clone();
    if let Some(password) = &password {
        hashed.set_password(password)?;
    }
    let guid = current.guid;
    let changed = inv.session.store.update(|tx| -> Result<Option<bool>, ErrorRecord> {
        let Some(mut m) = tx.mailbox(guid)? else { return Ok(None) };
        let before = m.clone();
        if password.is_some() {
            m.password_hash.clone_from(&hashed.password_hash);
            m.nt_hash.clone_from(&hashed.nt_hash);
        }
        if let Some(name) = b.string("DisplayName") {
            m.display_name = name;
        }
        if m == before {
            return Ok(Some(false));
        }
        m.when_changed = chrono::Utc::now();
        tx.put_mailbox(&m)?;
        Ok(Some(true))
    })?;
    super::mailbox_common::report_set(inv, &current.name, changed)
}

pub static REMOVE_MAILBOX: CmdletSpec = CmdletSpec {
    name: "Remove-Mailbox",
    aliases: &[],
    synopsis: "Removes a mailbox.",
    description: "Deletes a mailbox and its settings. Asks for confirmation unless -Confirm:$false is given.",
    params: &[SET_IDENTITY],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::High,
    inputs: "MailboxIdParameter",
    outputs: "None",
    class: "Microsoft.Exchange.Management.RecipientTasks.RemoveMailbox",
    examples: &[Example { code: "Remove-Mailbox user -Confirm:$false", remarks: "Removes the mailbox user without asking." }],
    body: Body::PerRecord(remove),
};

fn remove(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let Some(m) = resolve_one(inv, b)? else { return Ok(()) };
    if !inv.should_process(&format!("Removing mailbox \"{}\".", m.name))? {
        return Ok(());
    }
    let guid = m.guid;
    inv.session.store.update(|tx| -> Result<(), ErrorRecord> {
        if tx.mailbox(guid)?.is_some() {
            tx.delete_mailbox(guid)?;
        }
        Ok(())
    })
}
