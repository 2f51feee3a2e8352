//! Shared pieces of the mapish benchmarks: the one-liner corpus (used by the criterion bench and by the
//! `mapish-bench` report) and the MAPI over HTTP request bodies the load generator sends.

#![deny(unsafe_code)]

use mapish_wire::buf::Codec;

/// One-liners as an administrator types them: reads, pipelines with script blocks, and writes with
/// `-WhatIf` so that running the corpus changes nothing.
pub const CORPUS: &[&str] = &[
    "Get-OrganizationConfig",
    "Get-OrganizationConfig | Format-List MapiHttpEnabled",
    "Get-Mailbox",
    "Get-Mailbox -ResultSize Unlimited",
    "Get-Mailbox -Identity alice",
    "Get-Mailbox alice | Format-List Name,Alias,PrimarySmtpAddress",
    "Get-CASMailbox -ResultSize Unlimited | Measure-Object",
    "Get-CASMailbox alice | Format-Table Name,MAPIEnabled,MapiHttpEnabled",
    "Get-CASMailbox -ResultSize Unlimited | Where-Object { $_.MapiHttpEnabled -eq $false } | Select-Object Name",
    "Get-Mailbox | Where-Object { $_.Name -like 'a*' } | Sort-Object Name | Select-Object -First 10",
    "Get-Mailbox | Group-Object Server | Select-Object Name,Count",
    "Get-MapiVirtualDirectory | Format-List InternalUrl,ExternalUrl,IISAuthenticationMethods",
    "Get-MapiVirtualDirectory 'mapi (Default Web Site)' | Select-Object Identity,InternalUrl",
    "Get-ExchangeServer | Format-Table Name,Fqdn",
    "Set-CASMailbox alice -MapiHttpEnabled $false -WhatIf",
    "Set-CASMailbox -Identity alice -MAPIEnabled $true -WhatIf",
    "Set-OrganizationConfig -MapiHttpEnabled $true -WhatIf",
    "Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl http://127.0.0.1:8080/mapi -WhatIf",
    "Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Basic,Ntlm -WhatIf",
    "$m = Get-Mailbox alice; $m.Name",
    "$n = 0; 1..20 | ForEach-Object { $n += $_ }; $n",
    "Get-Mailbox | Select-Object -ExpandProperty PrimarySmtpAddress",
    "Write-Output ('a' + 'b' + 'c')",
    "Get-Command *CASMailbox*",
    "Get-Mailbox | Measure-Object | Select-Object Count",
    "Get-CASMailbox | Where-Object MAPIEnabled -eq $true | Measure-Object",
];

/// The `X-ClientInfo` the load generator sends.
pub const CLIENT_INFO: &str = "{A7A47AAD-233C-412B-9D10-DDE9108FEBD7}-5";

/// Errors of the benchmark helpers.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// A request body could not be encoded.
    #[error("cannot encode the {what} request: {reason}")]
    Encode {
        /// Which request.
        what: &'static str,
        /// The encoder's message.
        reason: String,
    },
}

fn enc(what: &'static str) -> impl Fn(mapish_wire::error::WireError) -> BodyError {
    move |e| BodyError::Encode {
        what,
        reason: e.to_string(),
    }
}

/// The body of an EMSMDB Connect for the user `dn`.
pub fn connect_body(dn: &str) -> Result<Vec<u8>, BodyError> {
    mapish_wire::emsmdb::ConnectRequest {
        user_dn: dn.into(),
        flags: 0,
        default_code_page: 1252,
        lcid_sort: 0x409,
        lcid_string: 0x409,
        aux: vec![],
    }
    .encode()
    .map_err(enc("Connect"))
}

/// The body of an Execute holding one private-mailbox RopLogon for `dn`.
pub fn logon_execute_body(dn: &str) -> Result<Vec<u8>, BodyError> {
    use mapish_wire::rop::{self, LogonRequest, RopBuffer, RopRequest};
    let rops = rop::encode_requests(&[RopRequest::Logon(LogonRequest {
        logon_id: 0,
        output_handle_index: 0,
        logon_flags: 0x01,
        open_flags: 0x0100_0000,
        store_state: 0,
        essdn: dn.into(),
    })])
    .map_err(enc("RopLogon"))?;
    let payload = RopBuffer {
        rops,
        handles: vec![0xFFFF_FFFF],
    }
    .encode()
    .map_err(enc("RopBuffer"))?;
    mapish_wire::emsmdb::ExecuteRequest {
        flags: 3,
        rop_buffer: mapish_wire::rpc_header::pack(&payload, Default::default())
            .map_err(enc("RPC header"))?,
        max_rop_out: 0x10008,
        aux: vec![],
    }
    .encode()
    .map_err(enc("Execute"))
}

/// The body of a Disconnect (MS-OXCMAPIHTTP: a four-byte auxiliary size of 0).
pub const DISCONNECT_BODY: [u8; 4] = [0, 0, 0, 0];

#[cfg(test)]
mod tests {
    #[test]
    fn every_corpus_line_parses() {
        for line in super::CORPUS {
            assert!(mapish_commands::lang::parse(line).is_ok(), "{line}");
        }
    }

    #[test]
    fn bodies_encode() {
        assert!(super::connect_body("/o=Contoso/cn=alice").is_ok());
        assert!(super::logon_execute_body("/o=Contoso/cn=alice").is_ok());
    }
}
