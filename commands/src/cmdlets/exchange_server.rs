//! Get-ExchangeServer: the servers of the organization.

use crate::bind::Bound;
use crate::record::ErrorRecord;
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, IdKind, ParamSpec, ParamType, PipelineInput};

use super::errors::not_found;
use super::identity::{find_server, IdentityArg};
use super::objects::server_object;

pub static GET_EXCHANGE_SERVER: CmdletSpec = CmdletSpec {
    name: "Get-ExchangeServer",
    aliases: &[],
    synopsis: "Shows the servers of the organization.",
    description: "Returns one server or all of them, with the name (used in -Server and in virtual directory identities) and the FQDN.",
    params: &[ParamSpec {
        position: Some(0),
        pipeline: PipelineInput::BOTH,
        ..ParamSpec::new("Identity", ParamType::Identity(IdKind::Server), "The server: Name or FQDN. Omitted: all servers.")
    }],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "ServerIdParameter",
    outputs: super::objects::SERVER_TYPE,
    class: "Microsoft.Exchange.Management.SystemConfigurationTasks.GetExchangeServer",
    examples: &[Example { code: "Get-ExchangeServer", remarks: "Lists the servers." }],
    body: Body::PerRecord(get),
};

fn get(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let store = inv.session.store.clone();
    match b.get("Identity").and_then(IdentityArg::from_value) {
        Some(id) => match find_server(&store, &id)? {
            Some(s) => inv.emit(server_object(&s)),
            None => {
                let e = not_found(inv, &id.text).at(b.span("Identity").unwrap_or(inv.call_span));
                inv.write_error(e)?;
            }
        },
        None => {
            for s in store.servers()? {
                inv.emit(server_object(&s));
            }
        }
    }
    Ok(())
}
