//! Where the store lives, how it is created, and what survives.

use std::os::unix::fs::PermissionsExt;

use crate::common::Lab;

#[test]
fn first_use_creates_the_store_with_defaults_and_mode_0700() {
    let lab = Lab::empty();
    let org = lab.json("Get-OrganizationConfig");
    assert_eq!(org[0]["Name"], "First Organization");
    assert_eq!(org[0]["MapiHttpEnabled"], false);
    let vdir = lab.json("Get-MapiVirtualDirectory");
    assert_eq!(vdir[0]["IISAuthenticationMethods"], serde_json::json!(["Ntlm", "OAuth", "Negotiate"]));
    assert!(vdir[0]["InternalUrl"].as_str().is_some_and(|u| u.starts_with("https://") && u.ends_with("/mapi")));
    let mode = std::fs::metadata(lab.store()).expect("store dir").permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn init_names_the_organization_and_server_and_refuses_to_run_twice() {
    let lab = Lab::new();
    let servers = lab.json("Get-ExchangeServer");
    assert_eq!(servers[0]["Name"], "EX01");
    assert_eq!(servers[0]["Fqdn"], "ex01.contoso.com");
    let again = lab.cmd(&["init", "--organization", "Other"]);
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("already initialized"), "{}", again.stderr);
    assert_eq!(lab.json("Get-OrganizationConfig")[0]["Name"], "Contoso");
}

#[test]
fn the_store_location_comes_from_the_environment_when_no_flag_is_given() {
    let lab = Lab::empty();
    let out = std::process::Command::new(crate::common::bin())
        .env("MAPISH_STORE", lab.store())
        .args(["-c", "Set-OrganizationConfig -MapiHttpEnabled $true"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(lab.json("Get-OrganizationConfig")[0]["MapiHttpEnabled"], true);
}

#[test]
fn set_mailbox_changes_the_password_and_display_name_and_refuses_an_empty_password() {
    let lab = Lab::new();
    lab.c("New-Mailbox -Name alice -UserPrincipalName alice@contoso.com -Password 'first-pw' | Out-Null").ok();
    let stored = || {
        let store = mapish_store::Store::open(&lab.store(), &mapish_store::OpenOptions::default()).expect("open");
        let m = store.find_mailboxes("alice").expect("read").remove(0);
        (m.password_hash.clone().expect("argon2id hash"), m.current_nt_hash())
    };
    let (before, _) = stored();

    let empty = lab.c("Set-Mailbox alice -Password ''");
    assert_eq!(empty.status, 1, "{}", empty.stderr);
    assert!(empty.stderr.contains("The password can't be empty."), "{}", empty.stderr);
    assert_eq!(stored().0, before, "a refused Set-Mailbox writes nothing");

    lab.c("Set-Mailbox alice -Password (ConvertTo-SecureString 'second-pw' -AsPlainText -Force)").ok();
    let (after, nt) = stored();
    assert!(mapish_store::verify_password(&after, "second-pw"));
    assert!(!mapish_store::verify_password(&after, "first-pw"));
    assert_eq!(nt, Some(mapish_store::nt_owf("second-pw")), "NTLM gets the new password too");

    lab.c("Set-Mailbox alice -DisplayName 'Alice Wood'").ok();
    assert_eq!(lab.json("Get-Mailbox alice")[0]["DisplayName"], "Alice Wood");
    let same = lab.c("Set-Mailbox alice -DisplayName 'Alice Wood'");
    assert_eq!(same.status, 0);
    assert!(same.stderr.contains("no settings of 'alice' have been modified"), "{}", same.stderr);
}
