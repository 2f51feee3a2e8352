//! ConvertTo-SecureString and Get-Credential: the two ways scripts get a password into
//! New-Mailbox -Password and -Credential parameters. A SecureString never prints its text.

use std::sync::Arc;

use crate::bind::Bound;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType, PipelineInput};
use crate::value::{Credential, SecretText, Value};

pub static CONVERT_TO_SECURE_STRING: CmdletSpec = CmdletSpec {
    name: "ConvertTo-SecureString",
    aliases: &[],
    synopsis: "Converts plain text to a secure string.",
    description: "Turns a password typed in a script into a SecureString for parameters such as New-Mailbox -Password. Plain text needs -AsPlainText -Force, as in PowerShell. The result shows only as System.Security.SecureString. Encrypted strings exported with ConvertFrom-SecureString (Windows DPAPI) cannot be read by mapish.",
    params: &[
        ParamSpec {
            position: Some(0),
            mandatory: true,
            pipeline: PipelineInput::BY_VALUE,
            ..ParamSpec::new("String", ParamType::String, "The text to convert.")
        },
        ParamSpec { sets: &["PlainText"], mandatory: true, ..ParamSpec::new("AsPlainText", ParamType::Switch, "Says that -String is plain text.") },
        ParamSpec { sets: &["PlainText"], ..ParamSpec::new("Force", ParamType::Switch, "Confirms that you understand the risk of plain text in a script.") },
        ParamSpec { sets: &["Secure"], ..ParamSpec::new("SecureKey", ParamType::SecureString, "Not supported by mapish (Windows DPAPI).") },
        ParamSpec { sets: &["Open"], mandatory: true, ..ParamSpec::new("Key", ParamType::StringArray, "Not supported by mapish (Windows DPAPI).") },
    ],
    parameter_sets: &["Secure", "PlainText", "Open"],
    default_set: Some("Secure"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "String",
    outputs: "System.Security.SecureString",
    class: "Microsoft.PowerShell.Commands.ConvertToSecureStringCommand",
    examples: &[Example {
        code: "New-Mailbox -Name Test -UserPrincipalName test@contoso.com -Password (ConvertTo-SecureString 'P@ssw0rd-1' -AsPlainText -Force)",
        remarks: "Creates a mailbox with a password given in the script.",
    }],
    body: Body::PerRecord(convert_to_secure_string),
};

fn convert_to_secure_string(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let text = b.string("String").unwrap_or_default();
    if !b.switch("AsPlainText") {
        return Err(ErrorRecord::new(
            "mapish cannot decrypt a string exported by ConvertFrom-SecureString (it is protected with Windows DPAPI). Pass the password as plain text: ConvertTo-SecureString 'password' -AsPlainText -Force.",
            ErrorCategory::NotImplemented,
            "NotSupportedException",
            "NotSupportedByMapish,Microsoft.PowerShell.Commands.ConvertToSecureStringCommand",
        )
        .at(b.span("String").unwrap_or(inv.call_span)));
    }
    if !b.switch("Force") {
        return Err(ErrorRecord::new(
            "The system cannot protect plain text input. To suppress this warning and convert the plain text to a SecureString, reissue the command specifying the Force parameter. For more information ,type: get-help ConvertTo-SecureString.",
            ErrorCategory::InvalidArgument,
            "ArgumentException",
            "ImportSecureString_InvalidArgument,Microsoft.PowerShell.Commands.ConvertToSecureStringCommand",
        )
        .at(inv.call_span));
    }
    inv.emit(Value::SecureString(Arc::new(SecretText(text))));
    Ok(())
}

pub static GET_CREDENTIAL: CmdletSpec = CmdletSpec {
    name: "Get-Credential",
    aliases: &[],
    synopsis: "Gets a credential object based on a user name and password.",
    description: "Asks for a user name and a password (not echoed) and returns a PSCredential for -Credential parameters. It needs an interactive terminal; in scripts build the credential with New-Object System.Management.Automation.PSCredential('user', (ConvertTo-SecureString 'password' -AsPlainText -Force)).",
    params: &[
        ParamSpec { position: Some(0), ..ParamSpec::new("Credential", ParamType::Object, "A user name to offer (or a PSCredential, returned as is).") },
        ParamSpec::new("UserName", ParamType::String, "The user name to offer."),
        ParamSpec::new("Message", ParamType::String, "The message shown above the prompt."),
        ParamSpec::new("Title", ParamType::String, "The title of the prompt."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "None",
    outputs: "System.Management.Automation.PSCredential",
    class: "Microsoft.PowerShell.Commands.GetCredentialCommand",
    examples: &[Example { code: "$cred = Get-Credential contoso\\admin", remarks: "Asks for the password of contoso\\admin and keeps the credential in $cred." }],
    body: Body::PerRecord(get_credential),
};

fn get_credential(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let offered = match b.get("Credential") {
        Some(Value::Credential(c)) => {
            inv.emit(Value::Credential(c.clone()));
            return Ok(());
        }
        Some(Value::Null) | None => b.string("UserName"),
        Some(other) => Some(other.to_text()),
    };
    let title = b.string("Title").unwrap_or_else(|| "Windows PowerShell credential request".into());
    let message = b.string("Message").unwrap_or_else(|| "Enter your credentials.".into());
    let answer = if inv.host.interactive() { inv.host.prompt_credential(&title, &message, offered.as_deref()) } else { None };
    match answer {
        Some((user_name, password)) => {
            inv.emit(Value::Credential(Arc::new(Credential { user_name, password })));
            Ok(())
        }
        None => Err(ErrorRecord::new(
            "Get-Credential needs an interactive terminal to ask for the password, and none is available (or the prompt was cancelled). In a script, build the credential instead: New-Object System.Management.Automation.PSCredential('user', (ConvertTo-SecureString 'password' -AsPlainText -Force)).",
            ErrorCategory::InvalidOperation,
            "HostException",
            "CouldNotPromptForCredential,Microsoft.PowerShell.Commands.GetCredentialCommand",
        )
        .at(inv.call_span)),
    }
}
