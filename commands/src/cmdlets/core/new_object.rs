//! New-Object for the few .NET types Exchange scripts construct: PSCredential (user name and
//! SecureString password) and PSObject/PSCustomObject with -Property.

use std::sync::Arc;

use crate::bind::Bound;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::{Credential, PsObject, SecretText, Value};

pub static NEW_OBJECT: CmdletSpec = CmdletSpec {
    name: "New-Object",
    aliases: &[],
    synopsis: "Creates an instance of a .NET Framework object.",
    description: "mapish knows the types Exchange scripts build: System.Management.Automation.PSCredential (-ArgumentList user name, SecureString password) and PSObject / PSCustomObject (with -Property @{Name=value; …}, whose properties keep the order written). Any other type name is an error.",
    params: &[
        ParamSpec { position: Some(0), mandatory: true, aliases: &["Type"], ..ParamSpec::new("TypeName", ParamType::String, "The type: System.Management.Automation.PSCredential, PSObject or PSCustomObject.") },
        ParamSpec { position: Some(1), aliases: &["Args"], ..ParamSpec::new("ArgumentList", ParamType::PropertyList, "The constructor's arguments: for PSCredential the user name and the SecureString password.") },
        ParamSpec::new("Property", ParamType::Object, "A hashtable of properties to set on the new object."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "None",
    outputs: "Object",
    class: "Microsoft.PowerShell.Commands.NewObjectCommand",
    examples: &[
        Example {
            code: "$cred = New-Object System.Management.Automation.PSCredential('contoso\\admin', (ConvertTo-SecureString 'P@ssw0rd-1' -AsPlainText -Force))",
            remarks: "Builds a credential without a prompt.",
        },
        Example { code: "New-Object PSObject -Property @{Name='alice'; Mapi=$true}", remarks: "Builds an object with two properties." },
    ],
    body: Body::PerRecord(new_object),
};

fn type_key(name: &str) -> String {
    let lower = name.trim().trim_matches(|c| c == '[' || c == ']').to_ascii_lowercase();
    let lower = lower.strip_prefix("system.").unwrap_or(&lower).to_string();
    lower.strip_prefix("management.automation.").unwrap_or(&lower).to_string()
}

fn new_object(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let type_name = b.string("TypeName").unwrap_or_default();
    let type_span = b.span("TypeName").unwrap_or(inv.call_span);
    let args = b.get("ArgumentList").cloned().map(Value::into_items).unwrap_or_default();
    let value = match type_key(&type_name).as_str() {
        "pscredential" => credential(inv, b, args)?,
        "psobject" | "pscustomobject" | "object" => {
            let mut obj = PsObject::new("System.Management.Automation.PSCustomObject");
            match b.get("Property") {
                None | Some(Value::Null) => {}
                Some(Value::Hashtable(entries)) => obj.properties = entries.clone(),
                Some(other) => {
                    return Err(ErrorRecord::transformation(
                        format!(
                            "Cannot process argument transformation on parameter 'Property'. Cannot convert the \"{}\" value of type \"{}\" to type \"System.Collections.IDictionary\".",
                            other.to_text(),
                            other.type_name()
                        ),
                        inv.spec.name,
                        b.span("Property").unwrap_or(inv.call_span),
                    ));
                }
            }
            Value::Object(Arc::new(obj))
        }
        _ => {
            return Err(ErrorRecord::new(
                format!("Cannot find type [{type_name}]: verify that the assembly containing this type is loaded. mapish can create System.Management.Automation.PSCredential, PSObject and PSCustomObject."),
                ErrorCategory::InvalidType,
                "PSArgumentException",
                "TypeNotFound,Microsoft.PowerShell.Commands.NewObjectCommand",
            )
            .at(type_span));
        }
    };
    inv.emit(value);
    Ok(())
}

fn credential(inv: &Invocation<'_>, b: &Bound, args: Vec<Value>) -> Result<Value, ErrorRecord> {
    let span = b.span("ArgumentList").unwrap_or(inv.call_span);
    let no_overload = |why: &str| {
        ErrorRecord::new(
            format!("Cannot find an overload for \"PSCredential\" and the argument count: \"{}\". {why}", args.len()),
            ErrorCategory::InvalidOperation,
            "MethodException",
            "ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand",
        )
        .at(span)
    };
    let [user, password] = args.as_slice() else {
        return Err(no_overload("PSCredential takes a user name and a SecureString password."));
    };
    let password = match password {
        Value::SecureString(s) => SecretText(s.0.clone()),
        _ => {
            return Err(no_overload(
                "The password must be a SecureString: (ConvertTo-SecureString 'password' -AsPlainText -Force).",
            ));
        }
    };
    Ok(Value::Credential(Arc::new(Credential { user_name: user.to_text(), password })))
}
