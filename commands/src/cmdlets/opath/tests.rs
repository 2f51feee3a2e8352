//! OPATH filters: syntax, conversions, the filterable-property errors, and evaluation.

use mapish_store::Mailbox;

use super::*;

fn no_vars(_: &str) -> Option<Value> {
    None
}

fn mailbox(name: &str, mapi: bool) -> Mailbox {
    let mut m = Mailbox::new(name, name, format!("{name}@contoso.com"), format!("{name}@contoso.com"), "Contoso", "EX01");
    m.mapi_enabled = mapi;
    m
}

fn keeps(filter: &str, m: &Mailbox) -> bool {
    parse(filter, &CAS_MAILBOX_FIELDS, &no_vars).unwrap_or_else(|e| panic!("{filter}: {e}")).matches(m)
}

fn error(filter: &str) -> String {
    match parse(filter, &CAS_MAILBOX_FIELDS, &no_vars) {
        Ok(f) => panic!("{filter}: parsed as {f:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn comparisons_and_connectives() {
    let (alice, bob) = (mailbox("alice", true), mailbox("bob", false));
    assert!(keeps("MAPIEnabled -eq $false", &bob));
    assert!(!keeps("MAPIEnabled -eq $false", &alice));
    assert!(keeps("mapienabled -EQ 'False'", &bob));
    assert!(keeps("MAPIEnabled -ne $true", &bob));
    assert!(keeps("Name -like 'a*'", &alice));
    assert!(keeps("Name -notlike 'a*'", &bob));
    assert!(keeps("Name -eq \"BOB\"", &bob));
    assert!(keeps("(Name -eq 'alice') -or (Name -eq 'bob')", &bob));
    assert!(!keeps("Name -eq 'alice' -and MAPIEnabled -eq $false", &alice));
    assert!(keeps("-not(Name -like 'a*')", &bob));
    assert!(keeps("-not (MAPIEnabled -eq $true) -and Name -ne 'x'", &bob));
    assert!(keeps("PrimarySmtpAddress -like '*@contoso.com'", &alice));
    assert!(keeps("EmailAddresses -eq 'SMTP:alice@contoso.com'", &alice));
    assert!(keeps("DisplayName -ne $null", &alice));
    assert!(keeps("WhenCreated -ge '1/1/2020'", &alice));
    assert!(keeps("WhenCreated -lt '2999-01-01'", &alice));
    assert!(keeps("Name -eq 'it''s'", &mailbox("it's", true)));
    assert!(keeps("Name -eq alice", &alice));
    // -and binds tighter than -or.
    assert!(keeps("Name -eq 'bob' -or Name -eq 'x' -and MAPIEnabled -eq $true", &bob));
}

#[test]
fn owa_enabled_has_its_plain_meaning() {
    let mut m = mailbox("alice", true);
    m.owa_enabled = false;
    assert!(keeps("OWAEnabled -eq $false", &m));
    assert!(!keeps("OWAEnabled -eq $true", &m));
}

#[test]
fn variables_come_from_the_session() {
    let vars = |name: &str| (name.eq_ignore_ascii_case("who")).then(|| Value::str("bob"));
    let f = parse("Name -eq $who", &CAS_MAILBOX_FIELDS, &vars).expect("parse");
    assert!(f.matches(&mailbox("bob", true)));
    assert_eq!(
        parse("Name -eq $nobody", &CAS_MAILBOX_FIELDS, &vars).map(|_| ()).unwrap_err().to_string(),
        "The variable $nobody in the filter has no value in this session. Put the value in quotes or set the variable first."
    );
}

#[test]
fn unfilterable_properties_name_themselves_and_point_to_where_object() {
    let e = error("MapiHttpEnabled -eq $true");
    assert!(e.starts_with("\"MapiHttpEnabled\" is not a recognized filterable property. Valid property names are: ActiveSyncEnabled, DisplayName, "), "{e}");
    assert!(e.contains("Where-Object {$_.MapiHttpEnabled -eq $true}"), "{e}");
    let e = error("MAPIBlockOutlookRpcHttp -eq $true");
    assert!(e.contains("\"MAPIBlockOutlookRpcHttp\" is not a recognized filterable property") && e.contains("Where-Object"), "{e}");
    let e = error("Foo -eq 1");
    assert!(e.contains("\"Foo\" is not a recognized filterable property") && e.contains("$_.Foo"), "{e}");
    let e = error("MemberOfGroup -eq 'x'");
    assert!(e.contains("mapish does not store it"), "{e}");
}

#[test]
fn syntax_errors_give_a_position() {
    assert_eq!(
        error("MAPIEnabled -eq"),
        "Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n\"MAPIEnabled -eq\" at position 16."
    );
    assert!(error("MAPIEnabled $false").ends_with("at position 13."));
    assert!(error("(Name -eq 'a'").ends_with("at position 14."));
    assert!(error("Name -eq 'a").contains("at position 10."));
    assert!(error("Name -contains 'a'").contains("at position 6."));
    assert!(error("").contains("at position 1."));
}

#[test]
fn values_and_operators_must_fit_the_property() {
    assert!(error("MAPIEnabled -eq 'yes'").contains("could not be converted to type System.Boolean"));
    assert!(error("MAPIEnabled -like 'Tr*'").contains("wildcards work only on text properties"));
    assert!(error("Guid -eq 'nope'").contains("System.Guid"));
    assert!(error("WhenCreated -gt 'someday'").contains("System.DateTime"));
    assert!(error("Name -like $null").contains("$null works only with -eq and -ne"));
}

#[test]
fn get_mailbox_has_its_own_list() {
    let m = mailbox("alice", true);
    assert!(parse("Alias -eq 'alice' -and RecipientTypeDetails -eq 'UserMailbox'", &MAILBOX_FIELDS, &no_vars).expect("parse").matches(&m));
    assert!(parse("MAPIEnabled -eq $true", &MAILBOX_FIELDS, &no_vars).unwrap_err().to_string().contains("not a recognized filterable property"));
}
