//! The file's vocabulary must stay the cmdlets' vocabulary: these tests walk the schema against the
//! declarations, so renaming or retyping a parameter the format uses fails here (and in the docs test).

use mapish_store::{Mailbox, MapiVirtualDirectory, Organization, Server};

use super::*;
use crate::cmdlets::objects::{cas_mailbox_object, org_object, server_object, vdir_object};
use crate::value::Value;

fn property_names(v: Value) -> Vec<String> {
    match v {
        Value::Object(o) => o.properties.iter().map(|(k, _)| k.clone()).collect(),
        _ => Vec::new(),
    }
}

/// The output object a Get- cmdlet returns, for keys declared as output properties.
fn output_properties(cmdlet: &str) -> Vec<String> {
    match cmdlet {
        "Get-OrganizationConfig" => property_names(org_object(&Organization::default())),
        "Get-ExchangeServer" => property_names(server_object(&Server::default())),
        "Get-MapiVirtualDirectory" => property_names(vdir_object(&MapiVirtualDirectory::default(), "")),
        "Get-CASMailbox" => property_names(cas_mailbox_object(&Mailbox::default())),
        other => panic!("no output object known for {other}"),
    }
}

fn check_kind<T: Kind>() {
    let mut seen = Vec::new();
    for f in T::fields() {
        assert!(!seen.contains(&f.key), "{}.{} twice", T::TABLE, f.key);
        seen.push(f.key);
        match f.origin {
            Origin::Parameter { cmdlet } => {
                let p = declared(cmdlet, f.key).unwrap_or_else(|e| panic!("{}.{}: {e}", T::TABLE, f.key));
                assert!(
                    !matches!(p.ty, ParamType::Switch | ParamType::ScriptBlock | ParamType::Credential | ParamType::Object | ParamType::PropertyList),
                    "{}.{}: {} cannot be written in a file",
                    T::TABLE,
                    f.key,
                    p.ty.type_name()
                );
            }
            Origin::Property { cmdlet, .. } => {
                assert!(crate::cmdlets::find(cmdlet).is_some(), "{cmdlet} is not declared");
                let props = output_properties(cmdlet);
                assert!(props.iter().any(|p| p == f.key), "{cmdlet} returns no property named exactly {} ({props:?})", f.key);
            }
            Origin::StandsFor { cmdlet, parameter } => {
                declared(cmdlet, parameter).unwrap_or_else(|e| panic!("{}.{}: {e}", T::TABLE, f.key));
                assert!(f.key.starts_with(parameter), "{} should be named after -{parameter}", f.key);
            }
        }
        f.param_type().unwrap_or_else(|e| panic!("{}.{}: {e}", T::TABLE, f.key));
    }
}

#[test]
fn every_key_is_declared_by_a_cmdlet() {
    check_kind::<Organization>();
    check_kind::<Server>();
    check_kind::<MapiVirtualDirectory>();
    check_kind::<Mailbox>();
}

/// A declaration's documented default ("$true", "$null", "Default Web Site", "Ntlm, OAuth, Negotiate")
/// is what an absent key gives, so help and the file format say the same thing.
fn check_defaults<T: Kind>() {
    let template = {
        let mut t = T::template();
        t.complete();
        t
    };
    for f in T::fields() {
        let Origin::Parameter { cmdlet } = f.origin else { continue };
        let Ok(p) = declared(cmdlet, f.key) else { continue };
        let Some(doc) = p.default else { continue };
        let expected = match doc {
            "$true" => Setting::Bool(true),
            "$false" => Setting::Bool(false),
            "$null" => Setting::Absent,
            list if matches!(p.ty, ParamType::MultiValued(_)) => Setting::List(list.split(',').map(|s| s.trim().to_string()).collect()),
            text => Setting::Text(text.to_string()),
        };
        assert_eq!((f.get)(&template), expected, "{}.{}: the declaration says the default is {doc}", T::TABLE, f.key);
    }
}

#[test]
fn absent_keys_take_the_defaults_the_declarations_document() {
    check_defaults::<Organization>();
    check_defaults::<Server>();
    check_defaults::<MapiVirtualDirectory>();
    check_defaults::<Mailbox>();
}

#[test]
fn every_settable_mailbox_parameter_of_set_casmailbox_is_in_the_format() {
    // A parameter added to Set-CASMailbox must be added to the file format too (or listed here as
    // deliberately left out), so that an export carries every setting an administrator can make.
    let left_out = ["Identity", "DisplayName"];
    let spec = crate::cmdlets::find("Set-CASMailbox").expect("declared");
    for p in spec.params.iter().filter(|p| !left_out.contains(&p.name)) {
        assert!(Mailbox::fields().iter().any(|f| f.key == p.name), "Set-CASMailbox -{} has no key in [[Mailbox]]", p.name);
    }
    let spec = crate::cmdlets::find("Set-MapiVirtualDirectory").expect("declared");
    for p in spec.params.iter().filter(|p| !["Identity", "DomainController"].contains(&p.name)) {
        assert!(MapiVirtualDirectory::fields().iter().any(|f| f.key == p.name), "Set-MapiVirtualDirectory -{} has no key", p.name);
    }
    let spec = crate::cmdlets::find("Set-OrganizationConfig").expect("declared");
    for p in spec.params.iter().filter(|p| p.name != "DomainController") {
        assert!(Organization::fields().iter().any(|f| f.key == p.name), "Set-OrganizationConfig -{} has no key", p.name);
    }
}
