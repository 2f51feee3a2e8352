//! Get/Set-OrganizationConfig (cmdlets.md §6): the organization-wide MAPI over HTTP switch.

use chrono::Utc;

use crate::bind::Bound;
use crate::record::ErrorRecord;
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};

use super::objects::org_object;

const DOMAIN_CONTROLLER: ParamSpec = ParamSpec::new(
    "DomainController",
    ParamType::Fqdn,
    "Accepted for script compatibility; mapish keeps its configuration in its own store.",
);

pub static GET_ORGANIZATION_CONFIG: CmdletSpec = CmdletSpec {
    name: "Get-OrganizationConfig",
    aliases: &[],
    synopsis: "Shows the organization's settings, including MapiHttpEnabled.",
    description: "Returns the one organization object. MapiHttpEnabled is the organization-wide MAPI over HTTP switch that every mailbox follows unless its own MapiHttpEnabled (Set-CASMailbox) is set.",
    params: &[DOMAIN_CONTROLLER],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "None",
    outputs: super::objects::ORG_TYPE,
    class: "Microsoft.Exchange.Management.SystemConfigurationTasks.GetOrganizationConfig",
    examples: &[
        Example { code: "Get-OrganizationConfig | fl Name, MapiHttpEnabled", remarks: "Checks whether MAPI over HTTP is enabled for the organization." },
        Example { code: "Get-OrganizationConfig | fl *mapi*", remarks: "Shows every MAPI-related organization setting." },
    ],
    body: Body::PerRecord(get),
};

fn get(inv: &mut Invocation<'_>, _b: &Bound) -> Result<(), ErrorRecord> {
    let org = inv.session.store.organization()?;
    inv.emit(org_object(&org));
    Ok(())
}

pub static SET_ORGANIZATION_CONFIG: CmdletSpec = CmdletSpec {
    name: "Set-OrganizationConfig",
    aliases: &[],
    synopsis: "Changes organization-wide settings such as MapiHttpEnabled.",
    description: "Sets organization-wide settings. -MapiHttpEnabled $true lets every mailbox that does not override it use MAPI over HTTP: Autodiscover starts offering it and a running `mapish serve` accepts such connections at once. Outlook clients pick the change up after a restart.",
    params: &[
        ParamSpec::new(
            "MapiHttpEnabled",
            ParamType::Bool,
            "$true enables MAPI over HTTP for the organization, $false disables it. A mailbox's own MapiHttpEnabled (Set-CASMailbox) wins over this.",
        ),
        ParamSpec::new(
            "EwsEnabled",
            ParamType::NullableBool,
            "$true or $false switches EWS for the whole organization; $null leaves it to the per-mailbox and per-application settings.",
        ),
        ParamSpec::new(
            "OAuth2ClientProfileEnabled",
            ParamType::Bool,
            "Enables modern authentication for Outlook clients. Recorded; mapish's server does not offer OAuth yet.",
        ),
        DOMAIN_CONTROLLER,
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::Medium,
    inputs: "None",
    outputs: "None",
    class: "Microsoft.Exchange.Management.SystemConfigurationTasks.SetOrganizationConfig",
    examples: &[Example { code: "Set-OrganizationConfig -MapiHttpEnabled $true", remarks: "Enables MAPI over HTTP for the whole organization." }],
    body: Body::PerRecord(set),
};

fn set(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let mapi_http = b.bool("MapiHttpEnabled");
    let ews = b.nullable_bool("EwsEnabled");
    let oauth = b.bool("OAuth2ClientProfileEnabled");
    let name = inv.session.store.organization()?.name;
    if !inv.should_process(&format!("Setting organization configuration \"{name}\"."))? {
        return Ok(());
    }
    let changed = inv.session.store.update(|tx| -> Result<bool, ErrorRecord> {
        let mut org = tx.organization()?;
        let before = org.clone();
        if let Some(v) = mapi_http {
            org.mapi_http_enabled = v;
        }
        if let Some(v) = ews {
            org.ews_enabled = v;
        }
        if let Some(v) = oauth {
            org.oauth2_client_profile_enabled = v;
        }
        if org == before {
            return Ok(false);
        }
        org.when_changed = Utc::now();
        tx.put_organization(&org)?;
        Ok(true)
    })?;
    if !changed {
        inv.warn(format!("The command completed successfully but no settings of '{name}' have been modified."));
    }
    Ok(())
}
