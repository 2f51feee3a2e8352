//! Bad input of every kind: PowerShell's error shape and text, exit status 1, and the store left
//! exactly as it was.

use crate::common::Lab;

fn lab_with_user() -> Lab {
    let lab = Lab::new();
    lab.c("New-Mailbox -Name User -Alias user -UserPrincipalName user@contoso.com -Password 'P@ssw0rd-1'").ok();
    lab
}

/// Runs `line`, expects exit 1 with `expected` in stderr, nothing on stdout, and no change to the store.
#[track_caller]
fn fails(lab: &Lab, line: &str, expected: &[&str]) {
    let before = lab.snapshot();
    let run = lab.c(line);
    assert_eq!(run.status, 1, "{line}\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    for e in expected {
        assert!(run.stderr.contains(e), "{line}\nexpected {e:?} in stderr:\n{}", run.stderr);
    }
    assert_eq!(lab.snapshot(), before, "{line} changed the store");
}

#[test]
fn the_articles_servername_placeholder_gives_powershells_unknown_parameter_error() {
    let lab = Lab::new();
    let run = lab.c("Get-MapiVirtualDirectory -servername");
    assert_eq!(run.status, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "Get-MapiVirtualDirectory : A parameter cannot be found that matches parameter name 'servername'.\n\
         At line:1 char:26\n\
         + Get-MapiVirtualDirectory -servername\n\
         +                          ~~~~~~~~~~~\n    \
         + CategoryInfo          : InvalidArgument: (:) [Get-MapiVirtualDirectory], ParameterBindingException\n    \
         + FullyQualifiedErrorId : NamedParameterNotFound,Get-MapiVirtualDirectory\n\n"
    );
}

#[test]
fn binder_errors_have_powershells_texts() {
    let lab = lab_with_user();
    let cases: &[(&str, &[&str])] = &[
        (
            "Set-CASMailbox User -MAPI $false",
            &["Parameter cannot be processed because the parameter name 'MAPI' is ambiguous. Possible matches include: -MAPIBlockOutlookExternalConnectivity -MAPIBlockOutlookNonCachedMode -MAPIBlockOutlookRpcHttp -MAPIBlockOutlookVersions -MAPIEnabled -MapiHttpEnabled.", "AmbiguousParameter,Set-CASMailbox"],
        ),
        ("Get-CASMailbox Jeff Hay", &["A positional parameter cannot be found that accepts argument 'Hay'.", "PositionalParameterNotFound,Get-CASMailbox"]),
        (
            "Set-CASMailbox User -MAPIEnabled yes",
            &["Cannot process argument transformation on parameter 'MAPIEnabled'. Cannot convert value \"yes\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.", "ParameterArgumentTransformationError,Set-CASMailbox"],
        ),
        ("Set-CASMailbox -MAPIEnabled $false", &["Cannot process command because of one or more missing mandatory parameters: Identity.", "MissingMandatoryParameter,Set-CASMailbox"]),
        ("Set-CASMailbox User -MAPIEnabled", &["Missing an argument for parameter 'MAPIEnabled'. Specify a parameter of type 'System.Boolean' and try again."]),
        ("Set-CASMailbox User -MAPIEnabled $false -MAPIEnabled $true", &["Cannot bind parameter because parameter 'MAPIEnabled' is specified more than once."]),
        ("Get-MapiVirtualDirectory -Identity x -Server EX01", &["Parameter set cannot be resolved using the specified named parameters.", "AmbiguousParameterSet,Get-MapiVirtualDirectory"]),
        ("Get-Foo", &["The term 'Get-Foo' is not recognized as the name of a cmdlet, function, script file, or operable program.", "CommandNotFoundException"]),
    ];
    for (line, expected) in cases {
        fails(&lab, line, expected);
    }
}

#[test]
fn exchange_errors_have_exchanges_texts() {
    let lab = lab_with_user();
    let cases: &[(&str, &[&str])] = &[
        (
            "Set-CASMailbox nobody -MAPIEnabled $false",
            &["Set-CASMailbox : The operation couldn't be performed because object 'nobody' couldn't be found on 'ex01.contoso.com'.", "ManagementObjectNotFoundException", "[FailureCategory=Cmdlet-ManagementObjectNotFoundException]"],
        ),
        (
            "Set-MapiVirtualDirectory 'EX02\\mapi (Default Web Site)' -InternalUrl https://mail.contoso.com/mapi",
            &["The operation couldn't be performed because object 'EX02\\mapi (Default Web Site)' couldn't be found on 'ex01.contoso.com'."],
        ),
        (
            "Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl mail.contoso.com",
            &["Cannot process argument transformation on parameter 'InternalUrl'. Cannot convert value \"mail.contoso.com\" to type \"System.Uri\". Error: \"Invalid URI: The format of the URI could not be determined.\""],
        ),
        ("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl https://mail.contoso.com/owa", &["must be of the form https://<host>/mapi"]),
        ("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl ftp://mail.contoso.com/mapi", &["uses the scheme 'ftp'"]),
        (
            "Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Kerberos",
            &["Unable to match the identifier name Kerberos to a valid enumerator name. Specify one of the following enumerator names and try again: Basic, Ntlm, Negotiate, OAuth"],
        ),
        ("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl $null", &["must have an InternalUrl or an ExternalUrl"]),
        ("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods $null", &["must offer at least one authentication method"]),
        ("New-Mailbox -Name User -UserPrincipalName other@contoso.com -Password 'x1'", &["already used by another object"]),
        ("New-Mailbox -Name Other -UserPrincipalName user@contoso.com -Password 'x1'", &["already used by another object"]),
        ("New-Mailbox -Name Other -UserPrincipalName nodomain -Password 'x1'", &["isn't correct"]),
    ];
    for (line, expected) in cases {
        fails(&lab, line, expected);
    }
}

#[test]
fn remove_asks_and_a_non_interactive_run_refuses_instead_of_hanging() {
    let lab = Lab::new();
    fails(&lab, "Remove-MapiVirtualDirectory 'EX01\\mapi (Default Web Site)'", &["cannot ask", "-Confirm:$false"]);
    lab.c("Remove-MapiVirtualDirectory 'EX01\\mapi (Default Web Site)' -WhatIf").ok();
    assert_eq!(lab.json("Get-MapiVirtualDirectory").as_array().map(|a| a.len()), Some(1));
}

#[test]
fn a_parse_error_anywhere_runs_nothing() {
    let lab = Lab::new();
    fails(&lab, "Set-OrganizationConfig -MapiHttpEnabled $true; Get-CASMailbox | ft Name, -AutoSize {", &["Missing closing '}'"]);
    fails(&lab, "Set-CASMailbox \"User -MAPIEnabled $false", &["The string is missing the terminator"]);
}

#[test]
fn a_failing_statement_does_not_undo_earlier_ones_but_sets_the_exit_status() {
    let lab = Lab::new();
    let run = lab.c("Set-OrganizationConfig -MapiHttpEnabled $true; Set-CASMailbox nobody -MAPIEnabled $false");
    assert_eq!(run.status, 1);
    assert_eq!(lab.json("Get-OrganizationConfig")[0]["MapiHttpEnabled"], true);
}

#[test]
fn whatif_changes_nothing_and_says_what_it_would_do() {
    let lab = Lab::new();
    let before = lab.snapshot();
    let run = lab.c("Set-OrganizationConfig -MapiHttpEnabled $true -WhatIf");
    run.ok();
    assert_eq!(run.stdout, "What if: Setting organization configuration \"Contoso\".\n");
    assert_eq!(lab.snapshot(), before);
}

#[test]
fn a_set_that_changes_nothing_warns_like_exchange() {
    let lab = Lab::new();
    let run = lab.c("Set-OrganizationConfig -MapiHttpEnabled $false");
    assert_eq!(run.status, 0);
    assert_eq!(run.stderr, "WARNING: The command completed successfully but no settings of 'Contoso' have been modified.\n");
}

#[test]
fn usage_errors_exit_2() {
    let lab = Lab::new();
    assert_eq!(lab.cmd(&["--no-such-flag"]).status, 2);
    let missing = lab.cmd(&["no-such-script.ps1"]);
    assert_eq!(missing.status, 2);
    assert!(missing.stderr.contains("cannot read the script file"), "{}", missing.stderr);
}
