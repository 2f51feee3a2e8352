//! Get/Set/New/Remove-MapiVirtualDirectory (cmdlets.md §2–§5).

use chrono::Utc;
use mapish_store::{AuthMethod, MapiVirtualDirectory, Store};

use crate::bind::Bound;
use crate::record::ErrorRecord;
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, IdKind, ParamSpec, ParamType, PipelineInput, AUTHENTICATION_METHOD};
use crate::value::Value;

use super::errors::{ambiguous, invalid_argument, not_found};
use super::identity::{find_server, find_vdirs, IdentityArg};
use super::objects::vdir_object;
use super::urls::check_mapi_url;

const DOMAIN_CONTROLLER: ParamSpec = ParamSpec::new(
    "DomainController",
    ParamType::Fqdn,
    "Accepted for script compatibility. mapish keeps its configuration in its own store, not in Active Directory, so no domain controller is contacted.",
);
const INTERNAL_URL: ParamSpec = ParamSpec::new(
    "InternalUrl",
    ParamType::Uri,
    "The URL clients inside the network use, of the form https://<host>/mapi. Autodiscover hands it out as the MAPI over HTTP endpoint. $null clears it (the other URL must stay set).",
);
const EXTERNAL_URL: ParamSpec = ParamSpec::new(
    "ExternalUrl",
    ParamType::Uri,
    "The URL clients outside the network use, of the form https://<host>/mapi. $null clears it (the other URL must stay set).",
);
const IIS_AUTH: ParamSpec = ParamSpec {
    default: Some("Ntlm, OAuth, Negotiate"),
    ..ParamSpec::new(
        "IISAuthenticationMethods",
        ParamType::MultiValued(&AUTHENTICATION_METHOD),
        "The authentication methods the MAPI endpoint offers: Basic, Ntlm, Negotiate, OAuth. A list (Ntlm,Negotiate) replaces the current methods; @{Add=\"Basic\"} or @{Remove=\"OAuth\"} edits them. Sets InternalAuthenticationMethods and ExternalAuthenticationMethods too.",
    )
};

pub static GET_MAPI_VIRTUAL_DIRECTORY: CmdletSpec = CmdletSpec {
    name: "Get-MapiVirtualDirectory",
    aliases: &[],
    synopsis: "Shows the MAPI virtual directories that serve MAPI over HTTP.",
    description: "Returns the MAPI virtual directory of each server (or of the one named by -Identity or -Server). Its InternalUrl and ExternalUrl are the addresses Autodiscover gives Outlook for MAPI over HTTP, and IISAuthenticationMethods are the authentication schemes the endpoint offers.",
    params: &[
        ParamSpec {
            sets: &["Identity"],
            position: Some(0),
            pipeline: PipelineInput::BOTH,
            wildcards: true,
            ..ParamSpec::new(
                "Identity",
                ParamType::Identity(IdKind::VirtualDirectory),
                "The virtual directory: \"mapi (Default Web Site)\", \"EX01\\mapi (Default Web Site)\", a trailing wildcard such as EX01\\mapi*, or its Guid. Omitted or $null: all MAPI virtual directories.",
            )
        },
        ParamSpec {
            sets: &["Server"],
            mandatory: true,
            pipeline: PipelineInput::BY_VALUE,
            ..ParamSpec::new("Server", ParamType::Identity(IdKind::Server), "The server whose MAPI virtual directory to show: its Name (EX01) or FQDN.")
        },
        ParamSpec::new(
            "ADPropertiesOnly",
            ParamType::Switch,
            "Accepted for script compatibility: mapish has no IIS metabase, so every property comes from its store either way.",
        ),
        DOMAIN_CONTROLLER,
        ParamSpec::new(
            "ShowMailboxVirtualDirectories",
            ParamType::Switch,
            "Accepted for script compatibility (Exchange 2013 back-end directories); mapish has one directory per server.",
        ),
    ],
    parameter_sets: &["Identity", "Server"],
    default_set: Some("Identity"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "VirtualDirectoryIdParameter, ServerIdParameter",
    outputs: super::objects::VDIR_TYPE,
    class: "Microsoft.Exchange.Management.SystemConfigurationTasks.GetMapiVirtualDirectory",
    examples: &[
        Example { code: "Get-MapiVirtualDirectory -Server EX01", remarks: "Shows the MAPI virtual directory of server EX01." },
        Example { code: "Get-MapiVirtualDirectory | fl server,*url*,*auth*", remarks: "Shows the URLs and authentication methods of every MAPI virtual directory." },
        Example { code: "Get-MapiVirtualDirectory \"EX01\\mapi (Default Web Site)\" | Format-List", remarks: "Shows every property of one directory." },
    ],
    body: Body::PerRecord(get),
};

fn get(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let store = inv.session.store.clone();
    let vdirs = if let Some(server_arg) = b.get("Server").and_then(IdentityArg::from_value) {
        let Some(server) = find_server(&store, &server_arg)? else {
            return inv.write_error(not_found(inv, &server_arg.text));
        };
        store.mapi_virtual_directories()?.into_iter().filter(|v| v.server.eq_ignore_ascii_case(&server.name)).collect()
    } else if let Some(id) = b.get("Identity").and_then(IdentityArg::from_value) {
        let found = find_vdirs(&store, &id)?;
        if found.is_empty() {
            return inv.write_error(not_found(inv, &id.text));
        }
        found
    } else {
        store.mapi_virtual_directories()?
    };
    for v in vdirs {
        let fqdn = server_fqdn(&store, &v.server);
        inv.emit(vdir_object(&v, &fqdn));
    }
    Ok(())
}

fn server_fqdn(store: &Store, server: &str) -> String {
    store.server(server).ok().flatten().map(|s| s.fqdn).unwrap_or_else(|| server.to_string())
}

pub static SET_MAPI_VIRTUAL_DIRECTORY: CmdletSpec = CmdletSpec {
    name: "Set-MapiVirtualDirectory",
    aliases: &[],
    synopsis: "Changes the URLs and authentication methods of a MAPI virtual directory.",
    description: "Sets the internal and external URLs that Autodiscover hands to Outlook for MAPI over HTTP, and the authentication methods the endpoint offers. A running `mapish serve` uses the new values for the next request. At least one of InternalUrl and ExternalUrl must stay set, and at least one authentication method.",
    params: &[
        ParamSpec {
            mandatory: true,
            position: Some(0),
            pipeline: PipelineInput::BOTH,
            ..ParamSpec::new(
                "Identity",
                ParamType::Identity(IdKind::VirtualDirectory),
                "The virtual directory to change: \"mapi (Default Web Site)\", \"EX01\\mapi (Default Web Site)\" or its Guid.",
            )
        },
        INTERNAL_URL,
        EXTERNAL_URL,
        IIS_AUTH,
        DOMAIN_CONTROLLER,
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::Medium,
    inputs: "VirtualDirectoryIdParameter",
    outputs: "None",
    class: "Microsoft.Exchange.Management.SystemConfigurationTasks.SetMapiVirtualDirectory",
    examples: &[
        Example {
            code: "Set-MapiVirtualDirectory -Identity \"EX01\\mapi (Default Web Site)\" -InternalUrl https://mail.contoso.com/mapi -ExternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Negotiate",
            remarks: "Sets both URLs and offers only Negotiate, as in the classic MAPI over HTTP setup.",
        },
        Example {
            code: "Get-MapiVirtualDirectory -Server EX01 | Set-MapiVirtualDirectory -IISAuthenticationMethods @{Add=\"Basic\"}",
            remarks: "Adds Basic to the methods already offered.",
        },
    ],
    body: Body::PerRecord(set),
};

/// The requested changes, checked before any write.
struct VdirChanges {
    internal_url: Option<Option<String>>,
    external_url: Option<Option<String>>,
    auth: Option<AuthEdit>,
}

enum AuthEdit {
    Replace(Vec<AuthMethod>),
    Edit { add: Vec<AuthMethod>, remove: Vec<AuthMethod> },
}

fn auth_methods(v: &Value) -> Vec<AuthMethod> {
    v.clone().into_items().iter().filter_map(|m| m.to_text().parse().ok()).collect()
}

fn read_changes(inv: &mut Invocation<'_>, b: &Bound) -> Result<VdirChanges, ErrorRecord> {
    let mut url = |param: &str| -> Result<Option<Option<String>>, ErrorRecord> {
        match b.optional_string(param) {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(text)) => {
                let checked = check_mapi_url(param, &text).map_err(|m| invalid_argument(inv, m).at(b.span(param).unwrap_or_default()))?;
                if let Some(w) = checked.warning {
                    inv.warn(w);
                }
                Ok(Some(Some(checked.url)))
            }
        }
    };
    let internal_url = url("InternalUrl")?;
    let external_url = url("ExternalUrl")?;
    let auth = match b.get("IISAuthenticationMethods") {
        None => None,
        Some(Value::Null) => Some(AuthEdit::Replace(Vec::new())),
        Some(Value::Hashtable(entries)) => {
            let pick = |key: &str| entries.iter().filter(|(k, _)| k == key).flat_map(|(_, v)| auth_methods(v)).collect();
            Some(AuthEdit::Edit { add: pick("Add"), remove: pick("Remove") })
        }
        Some(list) => Some(AuthEdit::Replace(auth_methods(list))),
    };
    Ok(VdirChanges { internal_url, external_url, auth })
}

/// Applies the changes; Err(message) when the result would be invalid.
fn apply(v: &mut MapiVirtualDirectory, c: &VdirChanges) -> Result<(), String> {
    if let Some(u) = &c.internal_url {
        v.internal_url = u.clone();
    }
    if let Some(u) = &c.external_url {
        v.external_url = u.clone();
    }
    if let Some(edit) = &c.auth {
        let methods = match edit {
            AuthEdit::Replace(list) => list.clone(),
            AuthEdit::Edit { add, remove } => {
                let mut list = v.iis_authentication_methods.clone();
                for m in add {
                    if !list.contains(m) {
                        list.push(*m);
                    }
                }
                list.retain(|m| !remove.contains(m));
                list
            }
        };
        v.iis_authentication_methods = methods.clone();
        v.internal_authentication_methods = methods.clone();
        v.external_authentication_methods = methods;
    }
    validate(v)
}

/// What every MAPI virtual directory must satisfy after a change (also applied by Import-MapishConfig).
pub(crate) fn validate(v: &MapiVirtualDirectory) -> Result<(), String> {
    if v.internal_url.is_none() && v.external_url.is_none() {
        return Err(format!(
            "The MAPI virtual directory '{}' must have an InternalUrl or an ExternalUrl: Autodiscover has no address to give Outlook otherwise.",
            v.identity()
        ));
    }
    if v.iis_authentication_methods.is_empty() {
        return Err(format!(
            "The MAPI virtual directory '{}' must offer at least one authentication method in IISAuthenticationMethods (Basic, Ntlm, Negotiate, OAuth).",
            v.identity()
        ));
    }
    Ok(())
}

fn resolve_one(inv: &mut Invocation<'_>, b: &Bound) -> Result<Option<MapiVirtualDirectory>, ErrorRecord> {
    let Some(id) = b.get("Identity").and_then(IdentityArg::from_value) else {
        return Err(not_found(inv, "").at(b.span("Identity").unwrap_or(inv.call_span)));
    };
    let mut found = find_vdirs(&inv.session.store, &id)?;
    match found.len() {
        0 => {
            let e = not_found(inv, &id.text).at(b.span("Identity").unwrap_or(inv.call_span));
            inv.write_error(e)?;
            Ok(None)
        }
        1 => Ok(found.pop()),
        _ => {
            let e = ambiguous(inv, &id.text).at(b.span("Identity").unwrap_or(inv.call_span));
            inv.write_error(e)?;
            Ok(None)
        }
    }
}

fn set(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let changes = read_changes(inv, b)?;
    let Some(current) = resolve_one(inv, b)? else { return Ok(()) };
    let mut preview = current.clone();
    apply(&mut preview, &changes).map_err(|m| invalid_argument(inv, m).at(inv.call_span))?;
    if !inv.should_process(&format!("Setting MAPI virtual directory \"{}\".", current.identity()))? {
        return Ok(());
    }
    let guid = current.guid;
    let changed = inv.session.store.update(|tx| -> Result<Option<bool>, ErrorRecord> {
        let Some(mut v) = tx.mapi_virtual_directory(guid)? else { return Ok(None) };
        let before = v.clone();
        if let Err(m) = apply(&mut v, &changes) {
            return Err(ErrorRecord::new(m, crate::record::ErrorCategory::InvalidArgument, "ArgumentException", "InvalidArgument"));
        }
        if v == before {
            return Ok(Some(false));
        }
        v.when_changed = Utc::now();
        tx.put_mapi_virtual_directory(&v)?;
        Ok(Some(true))
    });
    match changed.map_err(|e| e.in_command(inv.spec.name))? {
        None => inv.write_error(not_found(inv, &current.identity())),
        Some(false) => {
            inv.warn(format!("The command completed successfully but no settings of '{}' have been modified.", current.identity()));
            Ok(())
        }
        Some(true) => {
            if changes.auth.is_some() {
                warn_oauth(inv, &preview.iis_authentication_methods);
            }
            Ok(())
        }
    }
}

/// mapish serve cannot complete OAuth, so it never offers it: say so when it is configured.
fn warn_oauth(inv: &mut Invocation<'_>, methods: &[AuthMethod]) {
    if methods.contains(&AuthMethod::OAuth) {
        inv.warn("IISAuthenticationMethods includes OAuth, which mapish serve does not implement: it is not offered in WWW-Authenticate (Basic, Ntlm and Negotiate are).".to_string());
    }
}

pub static NEW_MAPI_VIRTUAL_DIRECTORY: CmdletSpec = CmdletSpec {
    name: "New-MapiVirtualDirectory",
    aliases: &[],
    synopsis: "Creates the MAPI virtual directory of a server.",
    description: "Creates `mapi (Default Web Site)` (or `mapi (<WebSiteName>)`) on a server, which makes the server offer MAPI over HTTP at /mapi. A server has at most one MAPI virtual directory: remove the old one first. IISAuthenticationMethods and at least one URL are required.",
    params: &[
        ParamSpec {
            pipeline: PipelineInput::BY_VALUE,
            ..ParamSpec::new("Server", ParamType::Identity(IdKind::Server), "The server to create the directory on: Name or FQDN. Default: the server mapish runs on.")
        },
        INTERNAL_URL,
        EXTERNAL_URL,
        IIS_AUTH,
        ParamSpec {
            default: Some("Default Web Site"),
            ..ParamSpec::new("WebSiteName", ParamType::String, "The web site the directory belongs to; it becomes part of the name, mapi (<WebSiteName>).")
        },
        DOMAIN_CONTROLLER,
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::Medium,
    inputs: "ServerIdParameter",
    outputs: super::objects::VDIR_TYPE,
    class: "Microsoft.Exchange.Management.SystemConfigurationTasks.NewMapiVirtualDirectory",
    examples: &[Example {
        code: "New-MapiVirtualDirectory -Server EX01 -InternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
        remarks: "Re-creates the MAPI virtual directory of EX01 after it was removed.",
    }],
    body: Body::PerRecord(new),
};

fn new(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let changes = read_changes(inv, b)?;
    let store = inv.session.store.clone();
    let server_arg = match b.get("Server").and_then(IdentityArg::from_value) {
        Some(a) => a,
        None => match inv.session.local_server.clone() {
            Some(name) => IdentityArg { text: name, guid: None },
            None => return Err(invalid_argument(inv, "Specify -Server: mapish could not tell which server it runs on.").at(inv.call_span)),
        },
    };
    let Some(server) = find_server(&store, &server_arg)? else {
        return Err(not_found(inv, &server_arg.text).at(b.span("Server").unwrap_or(inv.call_span)));
    };
    if changes.auth.is_none() {
        return Err(invalid_argument(
            inv,
            "Specify -IISAuthenticationMethods for the new MAPI virtual directory (for example Ntlm,OAuth,Negotiate).",
        )
        .at(inv.call_span));
    }
    let mut vdir = MapiVirtualDirectory::with_defaults(&server);
    vdir.internal_url = None;
    vdir.external_url = None;
    if let Some(site) = b.string("WebSiteName") {
        vdir.website = site;
    }
    apply(&mut vdir, &changes).map_err(|m| invalid_argument(inv, m).at(inv.call_span))?;
    if !inv.should_process(&format!("Creating MAPI virtual directory \"{}\" on server \"{}\".", vdir.name(), server.name))? {
        return Ok(());
    }
    let created = store.update(|tx| -> Result<Result<MapiVirtualDirectory, String>, ErrorRecord> {
        if let Some(existing) = tx.mapi_virtual_directories()?.into_iter().find(|v| v.server.eq_ignore_ascii_case(&server.name)) {
            return Ok(Err(existing.identity()));
        }
        tx.put_mapi_virtual_directory(&vdir)?;
        Ok(Ok(vdir.clone()))
    })?;
    match created {
        Ok(v) => {
            inv.emit(vdir_object(&v, &server.fqdn));
            warn_oauth(inv, &v.iis_authentication_methods);
            Ok(())
        }
        Err(existing) => Err(invalid_argument(
            inv,
            format!(
                "MAPI over HTTP is already enabled on server {}: it has the MAPI virtual directory '{existing}'. A server can have only one; remove it first with Remove-MapiVirtualDirectory.",
                server.fqdn
            ),
        )
        .at(inv.call_span)),
    }
}

pub static REMOVE_MAPI_VIRTUAL_DIRECTORY: CmdletSpec = CmdletSpec {
    name: "Remove-MapiVirtualDirectory",
    aliases: &[],
    synopsis: "Removes a MAPI virtual directory.",
    description: "Removes the MAPI virtual directory of a server. A running `mapish serve` stops answering /mapi/emsmdb and /mapi/nspi for that server at once (404), and Autodiscover stops offering MAPI over HTTP. Asks for confirmation unless -Confirm:$false is given.",
    params: &[ParamSpec {
        mandatory: true,
        position: Some(0),
        pipeline: PipelineInput::BOTH,
        wildcards: true,
        ..ParamSpec::new(
            "Identity",
            ParamType::Identity(IdKind::VirtualDirectory),
            "The virtual directory to remove: \"EX01\\mapi (Default Web Site)\", \"mapi (Default Web Site)\", a trailing wildcard, or its Guid.",
        )
    }, DOMAIN_CONTROLLER],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::High,
    inputs: "VirtualDirectoryIdParameter",
    outputs: "None",
    class: "Microsoft.Exchange.Management.SystemConfigurationTasks.RemoveMapiVirtualDirectory",
    examples: &[Example {
        code: "Remove-MapiVirtualDirectory -Identity \"EX01\\mapi (Default Web Site)\" -Confirm:$false",
        remarks: "Removes the MAPI virtual directory of EX01 without asking.",
    }],
    body: Body::PerRecord(remove),
};

fn remove(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let Some(id) = b.get("Identity").and_then(IdentityArg::from_value) else {
        return Err(not_found(inv, "").at(inv.call_span));
    };
    let found = find_vdirs(&inv.session.store, &id)?;
    if found.is_empty() {
        let e = not_found(inv, &id.text).at(b.span("Identity").unwrap_or(inv.call_span));
        return inv.write_error(e);
    }
    for v in found {
        if !inv.should_process(&format!("Removing MAPI virtual directory \"{}\".", v.identity()))? {
            continue;
        }
        let guid = v.guid;
        let removed = inv.session.store.update(|tx| -> Result<bool, ErrorRecord> {
            if tx.mapi_virtual_directory(guid)?.is_none() {
                return Ok(false);
            }
            tx.delete_mapi_virtual_directory(guid)?;
            Ok(true)
        })?;
        if !removed {
            let e = not_found(inv, &v.identity());
            inv.write_error(e)?;
        }
    }
    Ok(())
}
