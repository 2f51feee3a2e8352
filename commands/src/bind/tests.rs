//! Table-driven binder tests: each line, the error id and PowerShell's message (or success).

use mapish_store::{InitParams, Mailbox, Store};

use crate::run::{RecordingHost, Session};

fn session() -> Session {
    let store = Store::open_temporary().expect("temporary store");
    store
        .initialize(&InitParams { organization: "Contoso".into(), server: "EX01".into(), fqdn: "ex01.contoso.com".into() })
        .expect("initialize");
    store
        .update(|tx| tx.put_mailbox(&Mailbox::new("alice", "alice", "alice@contoso.com", "alice@contoso.com", "Contoso", "EX01")))
        .expect("mailbox");
    Session::new(store, Some("EX01".into()))
}

/// (line, expected FullyQualifiedErrorId prefix or "" for success, message fragment)
const CASES: &[(&str, &str, &str)] = &[
    ("Set-CASMailbox alice -MAPIEnabled $false", "", ""),
    ("Set-casmailbox ALICE -mapienabled:$False", "", ""),
    ("Set-CASMailbox alice -MAPIE 0", "", ""),
    ("Set-CASMailbox -Identity alice -MapiHttpEnabled $null", "", ""),
    ("Set-CASMailbox alice -MAPIEnabled 1 -WhatIf", "", ""),
    ("Set-CASMailbox alice -MAPIEnabled $false -wi", "", ""),
    ("Get-MapiVirtualDirectory -Server EX01", "", ""),
    ("Get-MapiVirtualDirectory 'EX01\\mapi (Default Web Site)'", "", ""),
    ("Get-MapiVirtualDirectory -servername", "NamedParameterNotFound,Get-MapiVirtualDirectory", "A parameter cannot be found that matches parameter name 'servername'."),
    ("Set-CASMailbox alice -MAPI $false", "AmbiguousParameter,Set-CASMailbox", "Possible matches include: -MAPIBlockOutlookExternalConnectivity"),
    ("Set-CASMailbox alice bob", "PositionalParameterNotFound,Set-CASMailbox", "A positional parameter cannot be found that accepts argument 'bob'."),
    ("Set-CASMailbox alice -MAPIEnabled yes", "ParameterArgumentTransformationError,Set-CASMailbox", "Boolean parameters accept only Boolean values and numbers"),
    ("Set-CASMailbox alice -MAPIEnabled $null", "ParameterArgumentTransformationError,Set-CASMailbox", "to type \"System.Boolean\""),
    ("Set-CASMailbox -MAPIEnabled $false", "MissingMandatoryParameter,Set-CASMailbox", "missing mandatory parameters: Identity."),
    ("Set-CASMailbox alice -MAPIEnabled", "MissingArgument,Set-CASMailbox", "Missing an argument for parameter 'MAPIEnabled'."),
    ("Set-CASMailbox alice -WhatIf $true", "PositionalParameterNotFound,Set-CASMailbox", "accepts argument 'True'"),
    ("Set-CASMailbox alice -PopEnabled 1 -PopEnabled 0", "ParameterAlreadyBound,Set-CASMailbox", "specified more than once"),
    ("Get-MapiVirtualDirectory x -Server EX01", "PositionalParameterNotFound,Get-MapiVirtualDirectory", "accepts argument 'x'"),
    ("Get-MapiVirtualDirectory -Identity x -Server EX01", "AmbiguousParameterSet,Get-MapiVirtualDirectory", "Parameter set cannot be resolved"),
    ("Get-CASMailbox -ResultSize 0", "ParameterArgumentTransformationError,Get-CASMailbox", "Unlimited"),
    ("Get-CASMailbox -ErrorAction Bogus", "ParameterArgumentTransformationError,Get-CASMailbox", "ActionPreference"),
    ("Set-Nothing", "CommandNotFoundException", "is not recognized"),
];

#[test]
fn binder_table() {
    for (line, id, fragment) in CASES {
        let mut session = session();
        let mut host = RecordingHost::default();
        session.run_script(line, &mut host);
        match host.errors.first() {
            None => assert!(id.is_empty(), "{line}: expected error {id}, got none"),
            Some(e) => {
                assert!(!id.is_empty(), "{line}: unexpected error {}", e.message);
                assert!(e.fully_qualified_error_id.starts_with(id), "{line}: id {} != {id}", e.fully_qualified_error_id);
                assert!(e.message.contains(fragment), "{line}: message {:?} lacks {fragment:?}", e.message);
                assert!(e.span.is_some(), "{line}: error without a span");
            }
        }
    }
}

#[test]
fn errors_point_at_what_was_typed() {
    let mut session = session();
    let mut host = RecordingHost::default();
    let line = "Set-CASMailbox alice -Foo 1";
    session.run_script(line, &mut host);
    let span = host.errors[0].span.expect("span");
    assert_eq!(&line[span.start..span.end], "-Foo");
}

#[test]
fn result_size_defaults_to_1000_with_exchanges_warning() {
    let mut session = session();
    session
        .store
        .update(|tx| {
            for i in 0..1001 {
                tx.put_mailbox(&Mailbox::new(format!("m{i:04}"), format!("m{i:04}"), format!("m{i:04}@contoso.com"), format!("m{i:04}@contoso.com"), "Contoso", "EX01"))?;
            }
            Ok::<_, mapish_store::StoreError>(())
        })
        .expect("mailboxes");
    let mut host = RecordingHost::default();
    session.run_script("Get-CASMailbox", &mut host);
    assert_eq!(host.outputs[0].len(), 1000);
    assert!(host.warnings.iter().any(|w| w.starts_with("By default, only the first 1000 items are returned.")));
    let mut host = RecordingHost::default();
    session.run_script("Get-CASMailbox -ResultSize Unlimited", &mut host);
    assert_eq!(host.outputs[0].len(), 1002);
    assert!(host.warnings.is_empty());
    let mut host = RecordingHost::default();
    session.run_script("Get-Mailbox -ResultSize 3", &mut host);
    assert_eq!(host.outputs[0].len(), 3);
    assert!(host.warnings.is_empty());
}

#[test]
fn pipeline_input_binds_by_value_then_by_property_name() {
    let mut session = session();
    let mut host = RecordingHost::default();
    session.run_script("Get-CASMailbox alice | Set-CASMailbox -PopEnabled $false; Get-Mailbox | Get-CASMailbox", &mut host);
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    assert_eq!(host.outputs[0].len(), 1);
    let m = session.store.find_mailboxes("alice").expect("find").remove(0);
    assert!(!m.pop_enabled);
}
