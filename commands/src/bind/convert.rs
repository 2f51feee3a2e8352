//! Argument transformation: turning an evaluated value into a parameter's type, with PowerShell's
//! conversion messages.

use std::sync::Arc;

use crate::lang::ast::Span;
use crate::record::ErrorRecord;
use crate::spec::{EnumSpec, ParamType};
use crate::value::{SecretText, Value};

pub fn convert(value: Value, ty: &ParamType, param: &str, cmdlet: &str, span: Span) -> Result<Value, ErrorRecord> {
    let fail = |msg: String| ErrorRecord::transformation(
        format!("Cannot process argument transformation on parameter '{param}'. {msg}"),
        cmdlet,
        span,
    );
    let value = unwrap_single(value, ty);
    match ty {
        ParamType::Object => Ok(value),
        ParamType::Switch => match value {
            Value::Bool(b) => Ok(Value::Bool(b)),
            Value::Int(i) => Ok(Value::Bool(i != 0)),
            Value::Null => Ok(Value::Bool(false)),
            other => Err(fail(format!(
                "Cannot convert value \"{}\" to type \"System.Management.Automation.SwitchParameter\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.",
                describe(&other)
            ))),
        },
        ParamType::Bool => to_bool(value).map(Value::Bool).map_err(fail),
        ParamType::NullableBool => match value {
            Value::Null => Ok(Value::Null),
            other => to_bool(other).map(Value::Bool).map_err(fail),
        },
        ParamType::String | ParamType::Fqdn => match value {
            Value::List(_) => Err(fail("Cannot convert 'System.Object[]' to the type 'System.String' required by parameter. Specified method is not supported.".into())),
            Value::Null => Ok(Value::Null),
            other => {
                let text = other.to_text();
                if matches!(ty, ParamType::Fqdn) && !is_fqdn(&text) {
                    return Err(fail(format!("Cannot convert value \"{text}\" to type \"Microsoft.Exchange.Data.Fqdn\". Error: \"'{text}' is not a valid fully qualified domain name.\"")));
                }
                Ok(Value::String(text))
            }
        },
        ParamType::SmtpAddress => match value {
            Value::Null => Ok(Value::Null),
            other => {
                let text = other.to_text();
                if is_smtp_address(&text) {
                    Ok(Value::String(text))
                } else {
                    Err(fail(format!("Cannot convert value \"{text}\" to type \"Microsoft.Exchange.Data.SmtpAddress\". Error: \"The email address \"{text}\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.\"")))
                }
            }
        },
        ParamType::Int => to_int(&value).map(Value::Int).ok_or_else(|| {
            fail(format!("Cannot convert value \"{}\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\"", describe(&value)))
        }),
        ParamType::Uri => match value {
            Value::Null => Ok(Value::Null),
            Value::String(s) if s.is_empty() => Ok(Value::Null),
            other => {
                let text = other.to_text();
                parse_url(&text).map(|_| Value::String(text.clone())).map_err(|why| {
                    fail(format!("Cannot convert value \"{text}\" to type \"System.Uri\". Error: \"{why}\""))
                })
            }
        },
        ParamType::Enum(e) => match &value {
            Value::Null => Ok(Value::Null),
            other => to_enum(e, &other.to_text()).map(Value::Enum).map_err(fail),
        },
        ParamType::MultiValued(e) => match value {
            Value::Null => Ok(Value::Null),
            Value::Hashtable(entries) => {
                let mut edited = Vec::new();
                for (key, v) in entries {
                    let op = if key.eq_ignore_ascii_case("Add") {
                        "Add"
                    } else if key.eq_ignore_ascii_case("Remove") {
                        "Remove"
                    } else {
                        return Err(fail(format!("The hash table key '{key}' is not valid here. Use Add or Remove, as in @{{Add=\"Value1\"; Remove=\"Value2\"}}.")));
                    };
                    let items = v.into_items().iter().map(|i| to_enum(e, &i.to_text()).map(Value::Enum)).collect::<Result<Vec<_>, _>>().map_err(fail)?;
                    edited.push((op.to_string(), Value::List(items)));
                }
                Ok(Value::Hashtable(edited))
            }
            other => {
                let mut items = Vec::new();
                for item in other.into_items() {
                    let name = to_enum(e, &item.to_text()).map_err(fail)?;
                    if !items.iter().any(|v| matches!(v, Value::Enum(n) if *n == name)) {
                        items.push(Value::Enum(name));
                    }
                }
                Ok(Value::List(items))
            }
        },
        ParamType::Identity(_) => match value {
            Value::List(items) if items.len() > 1 => Err(ErrorRecord::binding(
                format!(
                    "Cannot process argument transformation on parameter '{param}'. Cannot convert 'System.Object[]' to the type '{}' required by parameter '{param}'. Specified method is not supported.",
                    ty.dotnet_name()
                ),
                "CannotConvertArgument",
                cmdlet,
                span,
            )),
            Value::Null | Value::Object(_) | Value::Guid(_) => Ok(value),
            Value::String(s) if s.is_empty() => Ok(Value::Null),
            other => Ok(Value::String(other.to_text())),
        },
        ParamType::ResultSize => match &value {
            Value::String(s) if s.eq_ignore_ascii_case("unlimited") => Ok(Value::Int(-1)),
            other => match to_int(other) {
                Some(n) if n > 0 => Ok(Value::Int(n)),
                _ => Err(fail(format!(
                    "Cannot convert value \"{}\" to type \"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]\". Error: \"Use a whole number greater than 0, or Unlimited.\"",
                    describe(other)
                ))),
            },
        },
        ParamType::SecureString => match value {
            Value::SecureString(s) => Ok(Value::SecureString(s)),
            Value::String(s) => Ok(Value::SecureString(Arc::new(SecretText(s)))),
            other => Err(fail(format!("Cannot convert the \"{}\" value of type \"{}\" to type \"System.Security.SecureString\".", describe(&other), other.type_name()))),
        },
        ParamType::Credential => match value {
            Value::Credential(c) => Ok(Value::Credential(c)),
            other => Err(fail(format!(
                "Cannot convert the \"{}\" value of type \"{}\" to type \"System.Management.Automation.PSCredential\".",
                describe(&other),
                other.type_name()
            ))),
        },
        ParamType::ScriptBlock => match value {
            Value::ScriptBlock(b) => Ok(Value::ScriptBlock(b)),
            other => Err(fail(format!(
                "Cannot convert the \"{}\" value of type \"{}\" to type \"System.Management.Automation.ScriptBlock\".",
                describe(&other),
                other.type_name()
            ))),
        },
        ParamType::PropertyList => Ok(Value::List(value.into_items())),
        ParamType::StringArray => Ok(Value::List(value.into_items().into_iter().map(|v| Value::String(v.to_text())).collect())),
    }
}

/// Lists are passed as a whole to list-typed parameters; a one-element list is its element.
fn unwrap_single(value: Value, ty: &ParamType) -> Value {
    match (value, ty) {
        (v, ParamType::PropertyList | ParamType::StringArray | ParamType::MultiValued(_) | ParamType::Object) => v,
        (Value::List(mut items), _) if items.len() == 1 => items.remove(0),
        (v, _) => v,
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::List(_) => "System.Object[]".into(),
        Value::Hashtable(_) => "System.Collections.Hashtable".into(),
        other => other.to_text(),
    }
}

fn to_bool(value: Value) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(b),
        Value::Int(i) => Ok(i != 0),
        Value::Float(f) => Ok(f != 0.0),
        other => Err(format!(
            "Cannot convert value \"{}\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.",
            describe(&other)
        )),
    }
}

fn to_int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

fn to_enum(e: &'static EnumSpec, text: &str) -> Result<&'static str, String> {
    e.find(text.trim()).ok_or_else(|| {
        format!(
            "Cannot convert value \"{text}\" to type \"{}\". Error: \"Unable to match the identifier name {text} to a valid enumerator name. Specify one of the following enumerator names and try again: {}\"",
            e.type_name,
            e.members.join(", ")
        )
    })
}

/// Parses an absolute URL the way System.Uri would reject it, with .NET's messages.
pub fn parse_url(text: &str) -> Result<url::Url, &'static str> {
    if !text.contains("://") {
        return Err("Invalid URI: The format of the URI could not be determined.");
    }
    match url::Url::parse(text) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(u),
        Ok(_) | Err(url::ParseError::EmptyHost) | Err(url::ParseError::InvalidDomainCharacter) | Err(url::ParseError::IdnaError) => {
            Err("Invalid URI: The hostname could not be parsed.")
        }
        Err(url::ParseError::InvalidPort) => Err("Invalid URI: Invalid port specified."),
        Err(_) => Err("Invalid URI: The format of the URI could not be determined."),
    }
}

fn is_fqdn(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 255
        && text.split('.').all(|l| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

fn is_smtp_address(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !local.contains(char::is_whitespace)
                && domain.contains('.')
                && is_fqdn(domain)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{IdKind, AUTHENTICATION_METHOD as AUTH};

    fn conv(v: Value, ty: ParamType) -> Result<Value, String> {
        convert(v, &ty, "P", "Test-It", Span::default()).map_err(|e| e.message)
    }

    #[test]
    fn booleans_take_booleans_and_numbers_only() {
        assert!(matches!(conv(Value::Bool(false), ParamType::Bool), Ok(Value::Bool(false))));
        assert!(matches!(conv(Value::Int(1), ParamType::Bool), Ok(Value::Bool(true))));
        assert_eq!(
            conv(Value::str("yes"), ParamType::Bool).unwrap_err(),
            "Cannot process argument transformation on parameter 'P'. Cannot convert value \"yes\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0."
        );
        assert!(conv(Value::Null, ParamType::Bool).is_err());
        assert!(matches!(conv(Value::Null, ParamType::NullableBool), Ok(Value::Null)));
    }

    #[test]
    fn urls_follow_system_uri() {
        assert!(conv(Value::str("https://mail.contoso.com/mapi"), ParamType::Uri).is_ok());
        assert_eq!(
            conv(Value::str("mail.contoso.com"), ParamType::Uri).unwrap_err(),
            "Cannot process argument transformation on parameter 'P'. Cannot convert value \"mail.contoso.com\" to type \"System.Uri\". Error: \"Invalid URI: The format of the URI could not be determined.\""
        );
        assert!(conv(Value::str("https://"), ParamType::Uri).unwrap_err().contains("hostname could not be parsed"));
        assert!(conv(Value::str("https://x:99999/mapi"), ParamType::Uri).unwrap_err().contains("Invalid port"));
        assert!(matches!(conv(Value::Null, ParamType::Uri), Ok(Value::Null)));
    }

    #[test]
    fn auth_methods_are_matched_case_insensitively_and_shown_canonically() {
        let v = conv(Value::List(vec![Value::str("NTLM"), Value::str("negotiate")]), ParamType::MultiValued(&AUTH)).unwrap();
        assert_eq!(v.to_text(), "Ntlm Negotiate");
        let err = conv(Value::str("Kerberos"), ParamType::MultiValued(&AUTH)).unwrap_err();
        assert!(err.ends_with("Specify one of the following enumerator names and try again: Basic, Ntlm, Negotiate, OAuth\""), "{err}");
        let edit = conv(Value::Hashtable(vec![("add".into(), Value::str("basic"))]), ParamType::MultiValued(&AUTH)).unwrap();
        assert!(matches!(edit, Value::Hashtable(ref e) if e[0].0 == "Add"));
    }

    #[test]
    fn result_size_takes_unlimited_or_a_positive_number() {
        assert!(matches!(conv(Value::str("unlimited"), ParamType::ResultSize), Ok(Value::Int(-1))));
        assert!(matches!(conv(Value::Int(5), ParamType::ResultSize), Ok(Value::Int(5))));
        assert!(conv(Value::Int(0), ParamType::ResultSize).is_err());
    }

    #[test]
    fn several_objects_cannot_be_one_identity() {
        let err = conv(Value::List(vec![Value::str("a"), Value::str("b")]), ParamType::Identity(IdKind::VirtualDirectory)).unwrap_err();
        assert!(err.contains("Cannot convert 'System.Object[]' to the type 'Microsoft.Exchange.Configuration.Tasks.VirtualDirectoryIdParameter' required by parameter 'P'. Specified method is not supported."));
    }

    #[test]
    fn smtp_addresses_are_checked() {
        assert!(conv(Value::str("user@contoso.com"), ParamType::SmtpAddress).is_ok());
        assert!(conv(Value::str("user"), ParamType::SmtpAddress).is_err());
    }
}
