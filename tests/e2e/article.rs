//! Every configuration line of the seed article, run as printed, from bash-style one-shot calls.

use crate::common::Lab;


#[test]
fn the_article_walkthrough_works_as_printed() {
    let lab = Lab::new();
    let run = lab.c("New-Mailbox -Name User -Alias user -PrimarySmtpAddress user@contoso.com -UserPrincipalName user@contoso.com -Password 'P@ssw0rd-1'");
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("User"), "{}", run.stdout);

    // Get-MapiVirtualDirectory -Server (the article's "-servername" placeholder is tested in errors.rs).
    let run = lab.c("Get-MapiVirtualDirectory -Server EX01");
    run.ok();
    let row = run.stdout.lines().nth(3).unwrap_or_default();
    assert_eq!(row.split_whitespace().collect::<Vec<_>>(), ["mapi", "(Default", "Web", "Site)", "EX01", "https://ex01.contoso.com/mapi"], "{}", run.stdout);
    assert!(run.stdout.starts_with("\nName "), "{}", run.stdout);

    lab.c("Set-MapiVirtualDirectory -Identity \"mapi (Default Web Site)\" -InternalUrl https://mail.contoso.com/mapi -ExternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Negotiate").ok();
    let run = lab.c("Get-MapiVirtualDirectory | fl server,*url*,*auth*");
    run.ok();
    assert_eq!(
        run.stdout,
        "\nServer                        : EX01\nInternalUrl                   : https://mail.contoso.com/mapi\nExternalUrl                   : https://mail.contoso.com/mapi\nIISAuthenticationMethods      : {Negotiate}\nInternalAuthenticationMethods : {Negotiate}\nExternalAuthenticationMethods : {Negotiate}\n\n"
    );

    lab.c("Set-OrganizationConfig -MapiHttpEnabled $true").ok();
    let run = lab.c("Get-OrganizationConfig | fl Name, MapiHttpEnabled");
    run.ok();
    assert_eq!(run.stdout, "\nName            : Contoso\nMapiHttpEnabled : True\n\n");

    let run = lab.c("Get-CASMailbox | ft Name, MapiEnabled -AutoSize");
    run.ok();
    assert_eq!(run.stdout, "\nName MAPIEnabled\n---- -----------\nUser        True\n\n");

    lab.c("Set-CasMailbox User -MAPIEnabled $False").ok();
    assert_eq!(lab.c("Get-CASMailbox | ft Name, MapiEnabled -AutoSize").stdout, "\nName MAPIEnabled\n---- -----------\nUser       False\n\n");
    lab.c("Set-CasMailbox User -MAPIEnabled $True").ok();
    assert_eq!(lab.c("Get-CASMailbox | ft Name, MapiEnabled -AutoSize").stdout, "\nName MAPIEnabled\n---- -----------\nUser        True\n\n");
}

#[test]
fn the_identity_with_server_prefix_works_too() {
    let lab = Lab::new();
    lab.c("Set-MapiVirtualDirectory -Identity \"EX01\\mapi (Default Web Site)\" -InternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Negotiate").ok();
    let json = lab.json("Get-MapiVirtualDirectory 'EX01\\mapi*'");
    assert_eq!(json[0]["InternalUrl"], "https://mail.contoso.com/mapi");
    assert_eq!(json[0]["IISAuthenticationMethods"], serde_json::json!(["Negotiate"]));
}

#[test]
fn remove_and_new_mapi_virtual_directory_round_trip() {
    let lab = Lab::new();
    lab.c("Remove-MapiVirtualDirectory -Identity \"EX01\\mapi (Default Web Site)\" -Confirm:$false").ok();
    assert_eq!(lab.c("Get-MapiVirtualDirectory").stdout, "");
    let run = lab.c("New-MapiVirtualDirectory -Server EX01 -InternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Ntlm,OAuth,Negotiate");
    run.ok_warned("OAuth");
    assert!(run.stdout.lines().any(|l| l.starts_with("mapi (Default Web Site)") && l.contains(" EX01 ")), "{}", run.stdout);
    let json = lab.json("Get-MapiVirtualDirectory -Server EX01");
    assert_eq!(json[0]["Identity"], "EX01\\mapi (Default Web Site)");
    assert_eq!(json[0]["IISAuthenticationMethods"], serde_json::json!(["Ntlm", "OAuth", "Negotiate"]));
    // One directory per server, as on Exchange.
    let again = lab.c("New-MapiVirtualDirectory -InternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Ntlm");
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("MAPI over HTTP is already enabled on server ex01.contoso.com"), "{}", again.stderr);
}

#[test]
fn each_change_is_visible_to_the_next_process() {
    let lab = Lab::new();
    assert_eq!(lab.json("Get-OrganizationConfig")[0]["MapiHttpEnabled"], false);
    lab.c("Set-OrganizationConfig -MapiHttpEnabled $true").ok();
    assert_eq!(lab.json("Get-OrganizationConfig")[0]["MapiHttpEnabled"], true);
}
