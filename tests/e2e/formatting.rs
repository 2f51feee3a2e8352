//! Output layout as PowerShell prints it, checked on whole outputs.

use crate::common::Lab;

fn lab_with_mailboxes() -> Lab {
    let lab = Lab::new();
    lab.stdin(
        "New-Mailbox -Name alice -UserPrincipalName alice@contoso.com -Password 'Pw-1'\n\
         New-Mailbox -Name bob -UserPrincipalName bob@contoso.com -Password 'Pw-2'\n\
         Set-CASMailbox bob -MAPIEnabled $false -MapiHttpEnabled $true\n",
    )
    .ok();
    lab
}

#[test]
fn the_default_cas_mailbox_table_uses_exchanges_columns() {
    let lab = lab_with_mailboxes();
    let run = lab.c("Get-CASMailbox");
    run.ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "");
    assert!(lines[1].starts_with("Name"), "{}", run.stdout);
    assert!(lines[1].ends_with("MapiEnabled"), "{}", run.stdout);
    assert!(lines.iter().all(|l| !l.ends_with(' ')), "trailing spaces:\n{}", run.stdout);
}

#[test]
fn wildcards_expand_in_object_order_and_null_prints_empty() {
    let lab = lab_with_mailboxes();
    let run = lab.c_width("Get-CASMailbox | ft Name, *mapi* -AutoSize", 200);
    run.ok();
    assert_eq!(
        run.stdout,
        "\nName  MAPIEnabled MapiHttpEnabled MAPIBlockOutlookNonCachedMode MAPIBlockOutlookVersions MAPIBlockOutlookRpcHttp MAPIBlockOutlookExternalConnectivity\n\
         ----  ----------- --------------- ----------------------------- ------------------------ ----------------------- ------------------------------------\n\
         alice        True                                         False                                            False                                False\n\
         bob         False            True                         False                                            False                                False\n\n"
    );
}

#[test]
fn format_list_star_shows_every_property_and_typed_names_take_the_objects_spelling() {
    let lab = lab_with_mailboxes();
    let run = lab.c("Get-CASMailbox alice | fl name, mapienabled, mapihttpenabled");
    run.ok();
    assert_eq!(run.stdout, "\nName            : alice\nMAPIEnabled     : True\nMapiHttpEnabled :\n\n");
    let all = lab.c("Get-OrganizationConfig | fl *");
    all.ok();
    assert!(all.stdout.contains("\nMapiHttpEnabled            : False\n"), "{}", all.stdout);
    assert_eq!(lab.c("Get-OrganizationConfig | fl *mapi*").stdout, "\nMapiHttpEnabled : False\n\n");
}

#[test]
fn multi_valued_properties_are_cut_after_the_enumeration_limit() {
    let lab = Lab::new();
    lab.c("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Basic,Ntlm,Negotiate,OAuth").ok_warned("OAuth");
    assert_eq!(lab.c("Get-MapiVirtualDirectory | fl IISAuthenticationMethods").stdout, "\nIISAuthenticationMethods : {Basic, Ntlm, Negotiate, OAuth}\n\n");
    assert_eq!(
        lab.c("$FormatEnumerationLimit = 2; Get-MapiVirtualDirectory | fl IISAuthenticationMethods").stdout,
        "\nIISAuthenticationMethods : {Basic, Ntlm...}\n\n"
    );
}

#[test]
fn add_and_remove_edit_a_multi_valued_property() {
    let lab = Lab::new();
    lab.c("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods @{Add='Basic'; Remove='OAuth'}").ok();
    assert_eq!(lab.c("Get-MapiVirtualDirectory | fl IISAuthenticationMethods").stdout, "\nIISAuthenticationMethods : {Ntlm, Negotiate, Basic}\n\n");
}

#[test]
fn pipeline_input_binds_to_identity() {
    let lab = lab_with_mailboxes();
    lab.c("Get-CASMailbox | Set-CASMailbox -PopEnabled $false").ok();
    lab.c("Get-Mailbox alice | Set-CASMailbox -ImapEnabled $false").ok();
    let json = lab.json("Get-CASMailbox");
    assert!(json.as_array().expect("array").iter().all(|m| m["PopEnabled"] == false));
    assert_eq!(json[0]["ImapEnabled"], false);
    assert_eq!(json[1]["ImapEnabled"], true);
}

#[test]
fn get_command_lists_the_cmdlets() {
    let lab = Lab::new();
    let run = lab.c("Get-Command *MapiVirtualDirectory");
    run.ok();
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with("Cmdlet")).count(), 4, "{}", run.stdout);
}

#[test]
fn an_autosized_table_wider_than_the_console_cuts_the_last_column() {
    let lab = lab_with_mailboxes();
    let run = lab.c_width("Get-CASMailbox | ft Name, *mapi* -AutoSize", 121);
    run.ok();
    assert!(run.stdout.lines().all(|l| l.chars().count() <= 120), "{}", run.stdout);
}
