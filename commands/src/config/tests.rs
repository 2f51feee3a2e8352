//! Parse → plan → apply → export against temporary stores.

use mapish_store::{InitParams, Mailbox, Store};

use super::*;

/// A well-formed argon2id PHC string (salt "saltsaltsaltsalt"); imports only check its form.
pub const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g";

fn lab() -> Store {
    let store = Store::open_temporary().expect("store");
    store
        .initialize(&InitParams { organization: "Contoso".into(), server: "EX01".into(), fqdn: "ex01.contoso.com".into() })
        .expect("init");
    store
}

fn plan_for(store: &Store, text: &str, prune: bool) -> Result<Plan, ConfigError> {
    let source = Source::new("c.toml", text);
    let desired = parse(&source, &NoSecrets)?;
    plan(&desired, &Current::read(store)?, &source, &PlanOptions { prune, ..PlanOptions::default() })
}

fn import(store: &Store, text: &str, prune: bool) -> Result<Plan, ConfigError> {
    let p = plan_for(store, text, prune)?;
    apply(store, &p, &|_, _| {})?;
    Ok(p)
}

fn export_of(store: &Store) -> String {
    export(&Current::read(store).expect("read"))
}

fn problems(text: &str) -> Vec<String> {
    problems_against(&lab(), text)
}

fn problems_against(store: &Store, text: &str) -> Vec<String> {
    match plan_for(store, text, false) {
        Err(ConfigError::Invalid { diagnostics, .. }) => diagnostics.iter().map(|d| d.to_string()).collect(),
        Err(other) => panic!("expected problems, got {other}"),
        Ok(p) => panic!("expected problems, got a plan:\n{}", render(&p)),
    }
}

const FULL: &str = r#"Version = 1

[Organization]
Name = "Contoso"
MapiHttpEnabled = true
EwsEnabled = false
OAuth2ClientProfileEnabled = true

[[Server]]
Name = "EX01"
Fqdn = "ex01.contoso.com"

[[Server]]
Name = "EX02"
Fqdn = "ex02.contoso.com"

[[MapiVirtualDirectory]]
Server = "EX01"
InternalUrl = "https://mail.contoso.com/mapi"
ExternalUrl = "https://Mail.Contoso.com/MAPI/"
IISAuthenticationMethods = ["NTLM", "negotiate"]

[[MapiVirtualDirectory]]
Server = "ex02"
WebSiteName = "Exchange Back End"
InternalUrl = "https://ex02.contoso.com"

[[Mailbox]]
Name = "Alice Wood"
UserPrincipalName = "alice@contoso.com"
PasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g"
MAPIEnabled = false
MapiHttpEnabled = true
MAPIBlockOutlookNonCachedMode = true
MAPIBlockOutlookVersions = "-14.0.0"
MAPIBlockOutlookRpcHttp = true
MAPIBlockOutlookExternalConnectivity = true
ActiveSyncEnabled = false
OWAEnabled = false
ECPEnabled = false
PopEnabled = false
ImapEnabled = false
EwsEnabled = false

[[Mailbox]]
Name = "Bob"
Alias = "robert"
DisplayName = "Bob Smith"
UserPrincipalName = "bob@contoso.com"
PrimarySmtpAddress = "bob.smith@contoso.com"
"#;

#[test]
fn a_full_file_plans_applies_and_then_has_nothing_left_to_do() {
    let store = lab();
    let p = import(&store, FULL, false).expect("import");
    let text = render(&p);
    assert!(text.contains("~ Organization \"Contoso\"\n    MapiHttpEnabled: false → true\n"), "{text}");
    assert!(text.contains("~ MapiVirtualDirectory \"EX01\\mapi (Default Web Site)\"\n    InternalUrl: \"https://ex01.contoso.com/mapi\" → \"https://mail.contoso.com/mapi\"\n"), "{text}");
    assert!(text.contains("    IISAuthenticationMethods: [\"Ntlm\", \"OAuth\", \"Negotiate\"] → [\"Ntlm\", \"Negotiate\"]\n"), "{text}");
    assert!(text.contains("+ Mailbox \"Alice Wood\"\n    UserPrincipalName = \"alice@contoso.com\"\n    PasswordHash = (set)\n    MAPIEnabled = false\n"), "{text}");
    assert!(text.ends_with("Plan: 4 to create, 2 to change, 0 to delete.\n"), "{text}");

    let org = store.organization().expect("org");
    assert!(org.mapi_http_enabled && org.oauth2_client_profile_enabled && org.ews_enabled == Some(false));
    let vdirs = store.mapi_virtual_directories().expect("vdirs");
    assert_eq!(vdirs.len(), 2);
    assert_eq!(vdirs[0].external_url.as_deref(), Some("https://mail.contoso.com/mapi"), "normalised as the cmdlet does");
    assert_eq!(vdirs[1].identity(), "EX02\\mapi (Exchange Back End)");
    assert_eq!(vdirs[1].internal_url.as_deref(), Some("https://ex02.contoso.com/mapi"));
    let alice = &store.find_mailboxes("alice@contoso.com").expect("find")[0];
    assert_eq!(alice.alias, "AliceWood");
    assert_eq!(alice.display_name, "Alice Wood");
    assert_eq!(alice.primary_smtp_address, "alice@contoso.com");
    assert_eq!(alice.password_hash.as_deref(), Some(HASH));
    assert_eq!(alice.server, "EX01");
    assert!(alice.legacy_exchange_dn.starts_with("/o=Contoso/"), "{}", alice.legacy_exchange_dn);
    assert!(!alice.mapi_enabled && alice.mapi_http_enabled == Some(true));
    assert_eq!(alice.mapi_block_outlook_versions.as_deref(), Some("-14.0.0"));

    let again = plan_for(&store, FULL, false).expect("plan");
    assert!(again.is_empty(), "{}", render(&again));
    assert_eq!(render(&again), "No changes.\n");
}

#[test]
fn export_then_import_into_an_empty_store_then_export_gives_the_same_file() {
    let first = lab();
    import(&first, FULL, false).expect("import");
    let exported = export_of(&first);
    let empty = Store::open_temporary().expect("store");
    let p = import(&empty, &exported, true).expect("import into an empty store");
    assert_eq!(p.counts().delete, 0);
    assert_eq!(export_of(&empty), exported);
    assert!(plan_for(&empty, &exported, true).expect("plan").is_empty());
    // Stable and free of what differs between stores.
    assert!(!exported.contains("Guid") && !exported.contains("When") && !exported.contains("/o="), "{exported}");
    assert!(exported.contains("[[Mailbox]]\nName = \"Bob\"\nAlias = \"robert\"\nDisplayName = \"Bob Smith\"\nUserPrincipalName = \"bob@contoso.com\"\nPrimarySmtpAddress = \"bob.smith@contoso.com\"\n"), "{exported}");
}

#[test]
fn an_uninitialized_store_needs_the_organization() {
    let empty = Store::open_temporary().expect("store");
    let found = problems_against(&empty, "Version = 1\nMailbox = []\n");
    assert_eq!(found, ["1:1: Organization: the store is empty, so the file must declare the [Organization] to create (with its Name)"]);
    let p = import(&empty, "Version = 1\n[Organization]\nName = \"Fabrikam\"\n", false).expect("import");
    assert_eq!(p.counts().create, 1);
    assert_eq!(empty.organization().expect("org").name, "Fabrikam");
}

#[test]
fn prune_deletes_only_undeclared_objects_of_the_kinds_the_file_declares() {
    let store = lab();
    import(&store, FULL, false).expect("import");
    let only_bob = "Version = 1\n[[Mailbox]]\nName = \"Bob\"\nAlias = \"robert\"\nDisplayName = \"Bob Smith\"\nUserPrincipalName = \"bob@contoso.com\"\nPrimarySmtpAddress = \"bob.smith@contoso.com\"\n";
    let kept = plan_for(&store, only_bob, false).expect("plan");
    assert!(kept.is_empty());
    assert!(render(&kept).contains("1 object in the store is not in the file and is kept (--prune would delete it).\n"), "{}", render(&kept));
    let p = import(&store, only_bob, true).expect("prune");
    assert_eq!(render(&p), "- Mailbox \"Alice Wood\"\n\nPlan: 0 to create, 0 to change, 1 to delete.\n");
    assert_eq!(store.mailbox_count().expect("count"), 1);
    assert_eq!(store.servers().expect("servers").len(), 2, "servers are not declared, so not pruned");

    let p = import(&store, "Version = 1\nMailbox = []\nServer = [{ Name = \"EX02\", Fqdn = \"ex02.contoso.com\" }]\n", true).expect("prune");
    let text = render(&p);
    assert!(text.contains("- Server \"EX01\"\n"), "{text}");
    assert!(text.contains("- MapiVirtualDirectory \"EX01\\mapi (Default Web Site)\"\n"), "a directory goes with its server:\n{text}");
    assert!(text.contains("- Mailbox \"Bob\"\n"), "{text}");
    assert_eq!(store.mailbox_count().expect("count"), 0);
    assert_eq!(store.mapi_virtual_directories().expect("vdirs").len(), 1);
}

#[test]
fn two_mailboxes_can_swap_aliases_in_one_import() {
    let store = lab();
    let file = |a: &str, b: &str| {
        format!(
            "Version = 1\n[[Mailbox]]\nName = \"A\"\nAlias = \"{a}\"\nUserPrincipalName = \"a@contoso.com\"\n[[Mailbox]]\nName = \"B\"\nAlias = \"{b}\"\nUserPrincipalName = \"b@contoso.com\"\n"
        )
    };
    import(&store, &file("one", "two"), false).expect("first");
    let p = import(&store, &file("two", "one"), false).expect("swap");
    assert_eq!(p.counts().change, 2);
    assert_eq!(store.find_mailboxes("one").expect("find")[0].name, "B");
    assert_eq!(store.mailbox_count().expect("count"), 2);
}

#[test]
fn a_change_made_between_plan_and_apply_stops_the_import() {
    let store = lab();
    let p = plan_for(&store, "Version = 1\n[Organization]\nName = \"Contoso\"\nMapiHttpEnabled = true\n", false).expect("plan");
    store
        .update(|tx| {
            let mut o = tx.organization()?;
            o.ews_enabled = Some(true);
            tx.put_organization(&o)
        })
        .expect("concurrent change");
    let err = apply(&store, &p, &|_, _| {}).unwrap_err();
    assert!(matches!(err, ConfigError::Changed { .. }), "{err}");
    assert!(!store.organization().expect("org").mapi_http_enabled, "nothing applied");
}

#[test]
fn clear_passwords_are_hashed_once_and_then_recognised() {
    struct Fixed;
    impl Secrets for Fixed {
        fn file(&self, _: &str) -> Result<Secret, String> {
            Ok(Secret::new("P@ssw0rd-1"))
        }
        fn env(&self, _: &str) -> Result<Secret, String> {
            Ok(Secret::new("P@ssw0rd-2"))
        }
    }
    let store = lab();
    let run = |text: &str| {
        let source = Source::new("c.toml", text);
        let desired = parse(&source, &Fixed).expect("parse");
        let p = plan(&desired, &Current::read(&store).expect("read"), &source, &PlanOptions::default()).expect("plan");
        apply(&store, &p, &|_, _| {}).expect("apply");
        p
    };
    let file = "Version = 1\n[[Mailbox]]\nName = \"A\"\nUserPrincipalName = \"a@contoso.com\"\nPasswordFile = \"a.pw\"\n";
    run(file);
    let hash = store.find_mailboxes("A").expect("find")[0].password_hash.clone().expect("hash");
    assert!(mapish_store::verify_password(&hash, "P@ssw0rd-1"));
    assert!(run(file).is_empty(), "the same password again is no change");
    let changed = run(&file.replace("PasswordFile = \"a.pw\"", "PasswordEnv = \"PW\""));
    assert_eq!(render(&changed), "~ Mailbox \"A\"\n    PasswordHash: (set) → (set, a different one)\n\nPlan: 0 to create, 1 to change, 0 to delete.\n");
    // The NT hash (NTLM) follows the clear password, and a mailbox stored without one gets it from the
    // same password again.
    let nt = || store.find_mailboxes("A").expect("find")[0].current_nt_hash();
    assert_eq!(nt(), Some(mapish_store::nt_owf("P@ssw0rd-2")));
    let mut a = store.find_mailboxes("A").expect("find").remove(0);
    a.nt_hash = None;
    store.update(|tx| tx.put_mailbox(&a)).expect("put");
    let env_file = file.replace("PasswordFile = \"a.pw\"", "PasswordEnv = \"PW\"");
    assert_eq!(render(&run(&env_file)), "~ Mailbox \"A\"\n    NTHash: (not set) → (set)\n\nPlan: 0 to create, 1 to change, 0 to delete.\n");
    assert_eq!(nt(), Some(mapish_store::nt_owf("P@ssw0rd-2")));
    assert!(run(&env_file).is_empty());
    assert!(!format!("{:?}", Secret::new("hunter2")).contains("hunter2"));
}

/// Every validation error, with its position and key, all reported together.
#[test]
fn every_problem_is_reported_with_its_position_and_key() {
    let cases: &[(&str, &[&str])] = &[
        ("[Organization]\nName = \"Contoso\"\n", &["1:1: Version: missing: the file must start with Version = 1"]),
        ("Version = 2\n", &["1:11: Version: this mapish reads format version 1, not 2; use a mapish that knows it"]),
        ("Version = \"1\"\n", &["1:11: Version: expected the integer 1, found the string \"1\""]),
        ("Version = 1\nMailboxes = []\n", &["2:1: Mailboxes: unknown key 'Mailboxes' at the top level; expected one of Version, Organization, Server, MapiVirtualDirectory, Mailbox"]),
        ("Version = 1\n[Server]\nName = \"EX03\"\n", &["2:2: Server: expected an array of tables ([[Server]], one per object), found a table; write [[Server]]"]),
        ("Version = 1\n[[Organization]]\nName = \"C\"\n", &["2:1: Organization: expected a table ([Organization]), found an array"]),
        (
            "Version = 1\n[[Mailbox]]\nName = \"A\"\nUserPrincipalName = \"a@contoso.com\"\nMapiEnabled = false\n",
            &["5:1: Mailbox.MapiEnabled: unknown key 'MapiEnabled' in [[Mailbox]]; keys are case-sensitive: did you mean 'MAPIEnabled'?"],
        ),
        (
            "Version = 1\n[[Mailbox]]\nName = \"A\"\nUserPrincipalName = \"a@contoso.com\"\nMAPIEnabled = \"no\"\n",
            &["5:15: Mailbox.MAPIEnabled: expected true or false, found the string \"no\""],
        ),
        (
            "Version = 1\n[[Mailbox]]\nName = \"A\"\nUserPrincipalName = \"not an address\"\n",
            &["4:21: Mailbox.UserPrincipalName: Cannot process argument transformation on parameter 'UserPrincipalName'. Cannot convert value \"not an address\" to type \"Microsoft.Exchange.Data.SmtpAddress\". Error: \"The email address \"not an address\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.\""],
        ),
        ("Version = 1\n[[Mailbox]]\nName = \"A\"\n", &["2:1: Mailbox.UserPrincipalName: missing: every [[Mailbox]] needs UserPrincipalName (it is required by New-Mailbox)"]),
        (
            "Version = 1\n[[Mailbox]]\nName = \"A\"\nAlias = \"a b\"\nUserPrincipalName = \"a@contoso.com\"\n",
            &["4:9: Mailbox.Alias: The alias 'a b' contains characters that aren't allowed. Use letters, digits and !#$%&'*+-/=?^_`{|}~ with dots only between them."],
        ),
        (
            "Version = 1\n[[Mailbox]]\nName = \"A\"\nDisplayName = \"\"\nUserPrincipalName = \"a@contoso.com\"\n",
            &["4:15: Mailbox.DisplayName: DisplayName can't be empty; leave the key out for its default"],
        ),
        (
            "Version = 1\n[[Mailbox]]\nName = \"A\"\nUserPrincipalName = \"a@contoso.com\"\nPasswordHash = \"secret\"\n",
            &["5:16: Mailbox.PasswordHash: PasswordHash must be an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash), but it is not a PHC string (password hash string missing field)."],
        ),
        (
            "Version = 1\n[[Mailbox]]\nName = \"A\"\nUserPrincipalName = \"a@contoso.com\"\nPasswordEnv = \"X\"\nPasswordFile = \"f\"\n",
            &[
                "5:15: Mailbox.PasswordEnv: environment variables are not available here (X); use PasswordHash",
                "6:1: Mailbox.PasswordFile: give the password one way only: PasswordEnv is already set for this mailbox (PasswordHash, PasswordFile and PasswordEnv are alternatives)",
                "6:16: Mailbox.PasswordFile: password files are not available here (f); use PasswordHash",
            ],
        ),
        (
            "Version = 1\n[[MapiVirtualDirectory]]\nServer = \"EX01\"\nInternalUrl = \"ftp://x.contoso.com/mapi\"\nIISAuthenticationMethods = [\"Ntlm\", \"Kerberos\"]\n",
            &[
                "4:15: MapiVirtualDirectory.InternalUrl: The value of InternalUrl 'ftp://x.contoso.com/mapi' uses the scheme 'ftp'. A MAPI virtual directory URL must start with https:// (or http:// behind a TLS-terminating proxy).",
                "5:28: MapiVirtualDirectory.IISAuthenticationMethods: Cannot process argument transformation on parameter 'IISAuthenticationMethods'. Cannot convert value \"Kerberos\" to type \"AuthenticationMethod\". Error: \"Unable to match the identifier name Kerberos to a valid enumerator name. Specify one of the following enumerator names and try again: Basic, Ntlm, Negotiate, OAuth\"",
            ],
        ),
        (
            "Version = 1\n[[MapiVirtualDirectory]]\nServer = \"EX01\"\nIISAuthenticationMethods = []\n",
            &["2:1: MapiVirtualDirectory: The MAPI virtual directory 'EX01\\mapi (Default Web Site)' must have an InternalUrl or an ExternalUrl: Autodiscover has no address to give Outlook otherwise."],
        ),
        (
            "Version = 1\n[[MapiVirtualDirectory]]\nServer = \"EX09\"\nInternalUrl = \"https://x.contoso.com/mapi\"\n",
            &["3:1: MapiVirtualDirectory.Server: there is no server 'EX09' (declare it as a [[Server]], or name one the store has)"],
        ),
        (
            "Version = 1\n[[MapiVirtualDirectory]]\nServer = \"EX01\"\nWebSiteName = \"Other\"\nInternalUrl = \"https://x.contoso.com/mapi\"\n",
            &["3:1: MapiVirtualDirectory.Server: server EX01 can have only one MAPI virtual directory, and it already has the directory 'EX01\\mapi (Default Web Site)', which is in the store but not in this file (declare it, or remove it with --prune)"],
        ),
        (
            "Version = 1\n[[Server]]\nName = \"EX02\"\nFqdn = \"ex01.contoso.com\"\n[[Server]]\nName = \"ex02\"\nFqdn = \"x.contoso.com\"\n",
            &[
                "4:1: Server.Fqdn: Fqdn 'ex01.contoso.com' is already the name or FQDN of server 'EX01', which is in the store but not in this file (declare it, or remove it with --prune)",
                "6:1: Server.Name: the server 'ex02' is declared twice; the first is server 'EX02' (line 2)",
            ],
        ),
        (
            "Version = 1\n[[Mailbox]]\nName = \"A\"\nUserPrincipalName = \"a@contoso.com\"\n[[Mailbox]]\nName = \"B\"\nAlias = \"A\"\nUserPrincipalName = \"A@contoso.com\"\n",
            &[
                "7:1: Mailbox.Alias: Alias 'A' is already used by mailbox 'A' (line 2)",
                "8:1: Mailbox.PrimarySmtpAddress: PrimarySmtpAddress 'A@contoso.com' is already used by mailbox 'A' (line 2)",
                "8:1: Mailbox.UserPrincipalName: UserPrincipalName 'A@contoso.com' is already used by mailbox 'A' (line 2)",
            ],
        ),
        (
            "Version = 1\n[Organization]\nName = \"Fabrikam\"\n",
            &["3:1: Organization.Name: this store's organization is 'Contoso'; an organization can't be renamed, so import into a new store or write Name = \"Contoso\""],
        ),
        ("Version = 1\n[[Mailbox]\n", &["2:11: TOML syntax: unclosed array table, expected `]`"]),
    ];
    for (text, expected) in cases {
        assert_eq!(problems(text), *expected, "for:\n{text}");
    }
}

#[test]
fn problems_in_several_objects_are_reported_together_and_nothing_is_applied() {
    let store = lab();
    let before = export_of(&store);
    let text = "Version = 1\n[Organization]\nName = \"Contoso\"\nMapiHttpEnabled = 1\n[[Mailbox]]\nName = \"A\"\nUserPrincipalName = \"x\"\n[[MapiVirtualDirectory]]\nServer = \"EX01\"\nExternalUrl = \"https://a/b\"\n";
    let found = problems_against(&store, text);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("4:19: Organization.MapiHttpEnabled:"), "{found:#?}");
    assert!(found[1].starts_with("7:21: Mailbox.UserPrincipalName:"), "{found:#?}");
    assert!(found[2].starts_with("10:15: MapiVirtualDirectory.ExternalUrl:"), "{found:#?}");
    assert_eq!(export_of(&store), before);
}

#[test]
fn health_mailboxes_are_neither_exported_nor_pruned() {
    let store = lab();
    let mut health = Mailbox::new("HealthMailbox1", "hm1", "hm1@contoso.com", "hm1@contoso.com", "Contoso", "EX01");
    health.is_health_mailbox = true;
    store.update(|tx| tx.put_mailbox(&health)).expect("put");
    assert!(!export_of(&store).contains("HealthMailbox1"));
    let p = import(&store, "Version = 1\nMailbox = []\n", true).expect("prune");
    assert!(p.is_empty());
    assert_eq!(store.mailbox_count().expect("count"), 1);
}

/// Malformed input of every kind must come back as problems, never as a panic (the cargo-fuzz target
/// `config_import` does the same at scale).
#[test]
fn mangled_files_never_panic() {
    let base = FULL.as_bytes();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let store = lab();
    let current = Current::read(&store).expect("read");
    for _ in 0..400 {
        let mut bytes = base.to_vec();
        for _ in 0..(next() % 6 + 1) {
            if bytes.is_empty() {
                break;
            }
            let at = (next() as usize) % bytes.len();
            match next() % 4 {
                0 => bytes[at] = (next() % 128) as u8,
                1 => {
                    bytes.remove(at);
                }
                2 => bytes.insert(at, b"[]=\"{},\n#'"[(next() % 10) as usize]),
                _ => bytes.truncate(at.max(1)),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let source = Source::new("fuzz.toml", &text);
        if let Ok(desired) = parse(&source, &NoSecrets) {
            let _ = plan(&desired, &current, &source, &PlanOptions { prune: true, ..PlanOptions::default() }).map(|p| render(&p));
        }
    }
}
