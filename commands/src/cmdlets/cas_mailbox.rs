//! Get/Set-CASMailbox (cmdlets.md §7, §8): the per-mailbox client access switches.

use chrono::Utc;
use mapish_store::Mailbox;

use crate::bind::Bound;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};

use super::mailbox_common::{emit_selected, FILTER, resolve_one, GET_IDENTITY, MONITORING, RESULT_SIZE, SET_IDENTITY};
use super::objects::cas_mailbox_object;

pub static GET_CAS_MAILBOX: CmdletSpec = CmdletSpec {
    name: "Get-CASMailbox",
    aliases: &[],
    synopsis: "Shows the client access settings of mailboxes (MAPI, OWA, IMAP, POP, EWS, ActiveSync).",
    description: "Returns the client access settings of one mailbox or of all. MAPIEnabled governs every MAPI client; MapiHttpEnabled (empty = follow the organization) picks MAPI over HTTP for that mailbox. At most 1000 mailboxes are returned unless -ResultSize says otherwise.",
    params: &[GET_IDENTITY, FILTER, RESULT_SIZE, MONITORING],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "MailboxIdParameter",
    outputs: super::objects::CAS_MAILBOX_TYPE,
    class: "Microsoft.Exchange.Management.RecipientTasks.GetCasMailbox",
    examples: &[
        Example { code: "Get-CASMailbox | ft Name, MapiEnabled -AutoSize", remarks: "Lists every mailbox with its MAPIEnabled setting." },
        Example { code: "Get-CASMailbox -ResultSize Unlimited | ft Name, *mapi*", remarks: "Shows all MAPI settings of every mailbox, to find per-mailbox overrides." },
        Example { code: "Get-CASMailbox alice | Format-List", remarks: "Shows every client access setting of one mailbox." },
    ],
    body: Body::PerRecord(get),
};

fn get(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    emit_selected(inv, b, cas_mailbox_object)
}

const fn flag(name: &'static str, help: &'static str) -> ParamSpec {
    ParamSpec::new(name, ParamType::Bool, help)
}

pub static SET_CAS_MAILBOX: CmdletSpec = CmdletSpec {
    name: "Set-CASMailbox",
    aliases: &[],
    synopsis: "Changes the client access settings of a mailbox, such as MAPIEnabled and MapiHttpEnabled.",
    description: "Turns protocols on or off for one mailbox. -MAPIEnabled $false blocks every MAPI client (Outlook over MAPI over HTTP and Outlook Anywhere). -MapiHttpEnabled overrides the organization's setting for this mailbox; $null makes it follow the organization again. A running `mapish serve` applies the change to the next request.",
    params: &[
        SET_IDENTITY,
        flag("MAPIBlockOutlookExternalConnectivity", "$true removes the external URLs from this mailbox's Autodiscover answer, so Outlook connects only from inside."),
        flag("MAPIBlockOutlookNonCachedMode", "$true allows only Outlook in Cached Exchange Mode."),
        flag("MAPIBlockOutlookRpcHttp", "$true blocks Outlook Anywhere (RPC over HTTP) for this mailbox."),
        ParamSpec::new(
            "MAPIBlockOutlookVersions",
            ParamType::String,
            "Outlook versions to block, as x.y.z (for example -11.8010.8036 blocks older ones); $null clears it.",
        ),
        ParamSpec { default: Some("$true"), ..flag("MAPIEnabled", "$false blocks all MAPI access to the mailbox, over HTTP or RPC; the other MAPI settings are then ignored.") },
        ParamSpec {
            default: Some("$null"),
            ..ParamSpec::new(
                "MapiHttpEnabled",
                ParamType::NullableBool,
                "$true or $false overrides the organization's MapiHttpEnabled for this mailbox; $null (the default) follows the organization.",
            )
        },
        ParamSpec { default: Some("$true"), ..flag("ActiveSyncEnabled", "Enables Exchange ActiveSync for the mailbox.") },
        ParamSpec { default: Some("$true"), ..flag("OWAEnabled", "Enables Outlook on the web for the mailbox.") },
        ParamSpec { default: Some("$true"), ..flag("ECPEnabled", "Enables the Exchange admin center for the mailbox.") },
        ParamSpec { default: Some("$true"), ..flag("ImapEnabled", "Enables IMAP4 for the mailbox.") },
        ParamSpec { default: Some("$true"), ..flag("PopEnabled", "Enables POP3 for the mailbox.") },
        ParamSpec { default: Some("$true"), ..flag("EwsEnabled", "Enables Exchange Web Services for the mailbox.") },
        ParamSpec::new("DisplayName", ParamType::String, "The name shown in the address book."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::Medium,
    inputs: "MailboxIdParameter",
    outputs: "None",
    class: "Microsoft.Exchange.Management.RecipientTasks.SetCasMailbox",
    examples: &[
        Example { code: "Set-CASMailbox alice -MAPIEnabled $false", remarks: "Blocks all MAPI access for alice." },
        Example { code: "Set-CASMailbox alice -MapiHttpEnabled $null", remarks: "Makes alice follow the organization's MAPI over HTTP setting again." },
        Example { code: "Get-CASMailbox | Set-CASMailbox -MAPIEnabled $true", remarks: "Enables MAPI for every mailbox (pipeline input binds to -Identity)." },
    ],
    body: Body::PerRecord(set),
};

fn apply(m: &mut Mailbox, b: &Bound) {
    let flags: [(&str, &mut bool); 10] = [
        ("MAPIBlockOutlookExternalConnectivity", &mut m.mapi_block_outlook_external_connectivity),
        ("MAPIBlockOutlookNonCachedMode", &mut m.mapi_block_outlook_non_cached_mode),
        ("MAPIBlockOutlookRpcHttp", &mut m.mapi_block_outlook_rpc_http),
        ("MAPIEnabled", &mut m.mapi_enabled),
        ("ActiveSyncEnabled", &mut m.active_sync_enabled),
        ("OWAEnabled", &mut m.owa_enabled),
        ("ECPEnabled", &mut m.ecp_enabled),
        ("ImapEnabled", &mut m.imap_enabled),
        ("PopEnabled", &mut m.pop_enabled),
        ("EwsEnabled", &mut m.ews_enabled),
    ];
    for (name, slot) in flags {
        if let Some(v) = b.bool(name) {
            *slot = v;
        }
    }
    if let Some(v) = b.nullable_bool("MapiHttpEnabled") {
        m.mapi_http_enabled = v;
    }
    if let Some(v) = b.optional_string("MAPIBlockOutlookVersions") {
        m.mapi_block_outlook_versions = v.filter(|s| !s.is_empty());
    }
    if let Some(v) = b.string("DisplayName") {
        m.display_name = v;
    }
}

/// Set-CASMailbox's rule for DisplayName (also applied by Import-MapishConfig).
pub(crate) fn check_display_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.chars().count() > 256 {
        return Err("DisplayName must be 1 to 256 characters long.".into());
    }
    Ok(())
}

fn set(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    if let Some(name) = b.string("DisplayName") {
        if let Err(message) = check_display_name(&name) {
            return Err(ErrorRecord::new(
                message,
                ErrorCategory::InvalidArgument,
                "ArgumentException",
                format!("InvalidDisplayName,{}", inv.spec.name),
            )
            .at(b.span("DisplayName").unwrap_or(inv.call_span)));
        }
    }
    let Some(current) = resolve_one(inv, b)? else { return Ok(()) };
    if !inv.should_process(&format!("Setting client access settings of mailbox \"{}\".", current.name))? {
        return Ok(());
    }
    let guid = current.guid;
    // Read-modify-write inside one transaction, so concurrent Sets on one mailbox lose nothing.
    let changed = inv.session.store.update(|tx| -> Result<Option<bool>, ErrorRecord> {
        let Some(mut m) = tx.mailbox(guid)? else { return Ok(None) };
        let before = m.clone();
        apply(&mut m, b);
        if m == before {
            return Ok(Some(false));
        }
        m.when_changed = Utc::now();
        tx.put_mailbox(&m)?;
        Ok(Some(true))
    })?;
    super::mailbox_common::report_set(inv, &current.name, changed)
}
