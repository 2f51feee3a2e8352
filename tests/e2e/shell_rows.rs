//! One test per row of shell-ux.md part A that issue 3 asks for (all P1 rows, and P2 rows 12–15,
//! 19, 20, 22, 23, 27, 29–32, 37, 46, 48–50; row 55, -Filter, too), each named after its row and
//! run through the real binary. Rows 51–53 (completion, history, multi-line input) are the REPL's
//! and are tested through a pseudo-terminal in tests/repl.rs.

use crate::common::{Lab, Run};

/// A lab with three mailboxes: alice, bob (MAPI disabled) and carol (MAPI over HTTP forced on).
fn lab3() -> Lab {
    let lab = Lab::new();
    let run = lab.stdin(
        "New-Mailbox -Name alice -UserPrincipalName alice@contoso.com -Password 'P@ssw0rd-1' | Out-Null\n\
         New-Mailbox -Name bob -UserPrincipalName bob@contoso.com -Password 'P@ssw0rd-1' | Out-Null\n\
         New-Mailbox -Name carol -UserPrincipalName carol@contoso.com -Password 'P@ssw0rd-1' | Out-Null\n\
         Set-CASMailbox bob -MAPIEnabled $false\n\
         Set-CASMailbox carol -MapiHttpEnabled $true\n",
    );
    run.ok();
    lab
}

/// Output lines without the blank ones, trimmed at the end.
fn lines(run: &Run) -> Vec<String> {
    run.stdout.lines().map(|l| l.trim_end().to_string()).filter(|l| !l.is_empty()).collect()
}

#[track_caller]
fn out(lab: &Lab, line: &str) -> Vec<String> {
    let run = lab.c(line);
    run.ok();
    lines(&run)
}

#[track_caller]
fn fails_with(lab: &Lab, line: &str, expected: &[&str]) -> Run {
    let run = lab.c(line);
    assert_eq!(run.status, 1, "{line}\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    for e in expected {
        assert!(run.stderr.contains(e), "{line}: expected {e:?} in stderr:\n{}", run.stderr);
    }
    run
}

#[test]
fn row_01_verb_noun_cmdlets_and_discovery() {
    let lab = Lab::new();
    let names = out(&lab, "Get-Command -Noun CASMailbox | % Name");
    assert_eq!(names, ["Get-CASMailbox", "Set-CASMailbox"]);
    let verbs = out(&lab, "Get-Command -Verb Set | % Verb | select -Unique");
    assert_eq!(verbs, ["Set"]);
}

#[test]
fn row_02_case_insensitive_everything() {
    let lab = lab3();
    let run = lab.c("GET-casmailbox -IDENTITY ALICE | FT name, MAPIENABLED -autosize; $M = get-casmailbox bob; $m.mapienabled -EQ $FALSE");
    run.ok();
    assert_eq!(lines(&run), ["Name  MAPIEnabled", "----  -----------", "alice        True", "True"]);
}

#[test]
fn row_03_standard_aliases() {
    let lab = lab3();
    let run = lab.c(
        "Get-CASMailbox | ? MAPIEnabled | where { $_.Name -ne 'carol' } | % Name; \
         Get-CASMailbox | foreach { $_.Name.Length } | measure | select Count | ft -AutoSize; \
         Get-CASMailbox | sort Name -Descending | select -First 1 | fl Name; \
         (Get-CASMailbox | group MAPIEnabled).Count; (gcm Get-CASMailbox).Name; (Get-CASMailbox alice | gm Name).MemberType",
    );
    run.ok();
    assert_eq!(lines(&run), ["alice", "Count", "-----", "    3", "Name : carol", "2", "Get-CASMailbox", "Property"]);
    let csv = lab.path("a.csv");
    lab.c(&format!("Get-CASMailbox alice | select Name | epcsv '{}' -NoTypeInformation", csv.display())).ok();
    assert_eq!(std::fs::read_to_string(csv).expect("csv"), "\"Name\"\n\"alice\"\n");
}

#[test]
fn row_04_parameter_name_prefixes() {
    let lab = lab3();
    lab.c("Set-CASMailbox alice -MAPIE $false; Set-CASMailbox alice -MapiH $false").ok();
    assert_eq!(out(&lab, "Get-CASMailbox alice | % { \"$($_.MAPIEnabled) $($_.MapiHttpEnabled)\" }"), ["False False"]);
    assert_eq!(out(&lab, "Get-CASMailbox | Sort-Object -Desc Name | Select-Object -Fi 1 -ExpandP Name"), ["carol"]);
}

#[test]
fn row_05_ambiguous_parameter_error() {
    let lab = lab3();
    fails_with(
        &lab,
        "Set-CASMailbox alice -MAPI $false",
        &["Parameter cannot be processed because the parameter name 'MAPI' is ambiguous. Possible matches include: -MAPIBlockOutlookExternalConnectivity -MAPIBlockOutlookNonCachedMode -MAPIBlockOutlookRpcHttp -MAPIBlockOutlookVersions -MAPIEnabled -MapiHttpEnabled.", "AmbiguousParameter,Set-CASMailbox"],
    );
}

#[test]
fn row_06_unknown_parameter_error() {
    let lab = Lab::new();
    fails_with(&lab, "Get-MapiVirtualDirectory -servername", &["A parameter cannot be found that matches parameter name 'servername'.", "NamedParameterNotFound,Get-MapiVirtualDirectory"]);
    fails_with(&lab, "Get-MapiVirtualDirectory | Where-Object -Bogus", &["A parameter cannot be found that matches parameter name 'Bogus'.", "NamedParameterNotFound,Where-Object"]);
}

#[test]
fn row_07_positional_identity() {
    let lab = lab3();
    lab.c("Set-CasMailbox alice -MAPIEnabled $False").ok();
    assert_eq!(out(&lab, "(Get-CASMailbox alice).MAPIEnabled"), ["False"]);
    fails_with(&lab, "Get-CASMailbox Jeff Hay", &["A positional parameter cannot be found that accepts argument 'Hay'.", "PositionalParameterNotFound,Get-CASMailbox"]);
}

#[test]
fn row_08_colon_form_for_every_parameter() {
    let lab = lab3();
    lab.c("Set-CASMailbox -Identity:alice -MAPIEnabled:$false -Confirm:$false; Remove-Mailbox -Identity:carol -Confirm:$false").ok();
    assert_eq!(out(&lab, "Get-CASMailbox | % { \"$($_.Name)=$($_.MAPIEnabled)\" }"), ["alice=False", "bob=False"]);
}

#[test]
fn row_09_switch_versus_boolean() {
    let lab = lab3();
    fails_with(
        &lab,
        "Set-CASMailbox alice -MAPIEnabled yes",
        &["Cannot convert value \"yes\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0."],
    );
    fails_with(&lab, "Set-CASMailbox alice -WhatIf $true", &["A positional parameter cannot be found that accepts argument 'True'."]);
    let run = lab.c("Set-CASMailbox alice -MAPIEnabled 0 -WhatIf:$false; (Get-CASMailbox alice).MAPIEnabled");
    run.ok();
    assert_eq!(lines(&run), ["False"]);
}

#[test]
fn row_10_three_state_mapi_http_enabled() {
    let lab = lab3();
    assert_eq!(out(&lab, "Get-CASMailbox carol | fl MapiHttpEnabled"), ["MapiHttpEnabled : True"]);
    lab.c("Set-CASMailbox carol -MapiHttpEnabled $null").ok();
    assert_eq!(out(&lab, "Get-CASMailbox carol | fl MapiHttpEnabled"), ["MapiHttpEnabled :"]);
    assert_eq!(out(&lab, "(Get-CASMailbox | ? MapiHttpEnabled -eq $null | measure).Count"), ["3"]);
}

#[test]
fn row_11_parameter_sets() {
    let lab = Lab::new();
    fails_with(&lab, "Get-MapiVirtualDirectory -Identity x -Server EX01", &["Parameter set cannot be resolved using the specified named parameters.", "AmbiguousParameterSet,Get-MapiVirtualDirectory"]);
    fails_with(&lab, "1,2 | Where-Object -FilterScript { $_ } -Property x", &["Parameter set cannot be resolved using the specified named parameters.", "AmbiguousParameterSet,Where-Object"]);
}

#[test]
fn row_12_duplicate_parameter() {
    let lab = lab3();
    fails_with(
        &lab,
        "Set-CASMailbox alice -PopEnabled $true -PopEnabled $false",
        &["Cannot bind parameter because parameter 'PopEnabled' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".", "ParameterAlreadyBound,Set-CASMailbox"],
    );
}

#[test]
fn row_13_missing_mandatory_value_in_a_script() {
    // A script (no terminal) fails; an interactive host is asked for the value instead
    // (commands/src/cmdlets/core/tests.rs drives that through the Host trait).
    let lab = lab3();
    fails_with(&lab, "Set-CASMailbox -MAPIEnabled $false", &["Cannot process command because of one or more missing mandatory parameters: Identity.", "MissingMandatoryParameter,Set-CASMailbox"]);
    // Pipeline input supplies the mandatory -Identity.
    lab.c("Get-CASMailbox alice | Set-CASMailbox -MAPIEnabled $false").ok();
}

#[test]
fn row_14_wildcards_in_identities() {
    let lab = lab3();
    assert_eq!(out(&lab, "Get-MapiVirtualDirectory EX01\\mapi* | % Identity"), ["EX01\\mapi (Default Web Site)"]);
    assert_eq!(out(&lab, "Get-MapiVirtualDirectory 'mapi*' | % Name"), ["mapi (Default Web Site)"]);
    assert_eq!(out(&lab, "Get-CASMailbox b* | % Name"), ["bob"]);
    assert_eq!(out(&lab, "Get-CASMailbox *ol | % Name"), ["carol"]);
}

#[test]
fn row_15_question_mark_shows_help() {
    let lab = Lab::new();
    let run = lab.c("Set-CASMailbox -?");
    run.ok();
    assert!(run.stdout.starts_with("\nNAME\n    Set-CASMailbox\n\nSYNOPSIS\n"), "{}", run.stdout);
    assert_eq!(run.stdout, lab.c("Get-Help Set-CASMailbox").stdout);
    assert!(lab.c("Where-Object -?").stdout.contains("\nNAME\n    Where-Object\n"));
}

#[test]
fn row_16_true_false_null() {
    let lab = lab3();
    assert_eq!(out(&lab, "$TRUE; $False; $null -eq $NULL; 1 -eq $true"), ["True", "False", "True", "True"]);
    lab.c("Set-CASMailbox alice -MAPIEnabled 0; Set-CASMailbox bob -MAPIEnabled 1").ok();
    assert_eq!(out(&lab, "Get-CASMailbox | % { $_.MAPIEnabled }"), ["False", "True", "True"]);
}

#[test]
fn row_17_single_and_double_quotes() {
    let lab = lab3();
    assert_eq!(
        out(&lab, "$n = 'alice'; 'It''s $n'; \"It's $n\"; \"count: $((Get-CASMailbox).Count)\"; (Get-MapiVirtualDirectory \"mapi (Default Web Site)\").Name"),
        ["It's $n", "It's alice", "count: 3", "mapi (Default Web Site)"]
    );
}

#[test]
fn row_18_backtick_escapes_and_literal_backslash() {
    let lab = Lab::new();
    assert_eq!(out(&lab, "\"`$23 and `\"q`\" and tab[`t]\"; \"EX01\\mapi (Default Web Site)\""), ["$23 and \"q\" and tab[\t]", "EX01\\mapi (Default Web Site)"]);
}

#[test]
fn row_19_line_continuation() {
    let lab = lab3();
    let run = lab.stdin("Get-CASMailbox |\n  Where-Object { $_.MAPIEnabled -eq $false } |\n  ForEach-Object Name\nSet-CASMailbox alice `\n  -MAPIEnabled $false\n(Get-CASMailbox alice).MAPIEnabled\n");
    run.ok();
    assert_eq!(lines(&run), ["bob", "False"]);
}

#[test]
fn row_20_comments() {
    let lab = lab3();
    let run = lab.stdin("# the MAPI report\n<# a block\n   comment #>\nGet-CASMailbox bob | % Name # trailing\n");
    run.ok();
    assert_eq!(lines(&run), ["bob"]);
}

#[test]
fn row_21_arrays_with_commas() {
    let lab = Lab::new();
    lab.c("Set-MapiVirtualDirectory 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods NTLM,Negotiate,OAuth").ok_warned("OAuth");
    assert_eq!(out(&lab, "(Get-MapiVirtualDirectory).IISAuthenticationMethods -join ','"), ["Ntlm,Negotiate,OAuth"]);
    lab.c("$m = @('Basic', 'Ntlm'); Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods $m").ok();
    assert_eq!(out(&lab, "(Get-MapiVirtualDirectory).IISAuthenticationMethods -join ','"), ["Basic,Ntlm"]);
    lab.c("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods @('OAuth')").ok_warned("OAuth");
    assert_eq!(out(&lab, "(Get-MapiVirtualDirectory).IISAuthenticationMethods -join ','"), ["OAuth"]);
}

#[test]
fn row_22_add_and_remove_on_multi_valued_properties() {
    let lab = Lab::new();
    lab.c("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods @{Add='Basic','Negotiate'; Remove='Ntlm'}").ok_warned("OAuth");
    assert_eq!(out(&lab, "(Get-MapiVirtualDirectory).IISAuthenticationMethods -join ','"), ["OAuth,Negotiate,Basic"]);
    // The documented alternative: append to the current value, in one expression.
    lab.c("$mapidir = Get-MapiVirtualDirectory; $mapidir | Set-MapiVirtualDirectory -IISAuthenticationMethods ($mapidir.IISAuthenticationMethods +='Ntlm')").ok_warned("OAuth");
    assert_eq!(out(&lab, "(Get-MapiVirtualDirectory).IISAuthenticationMethods -join ','"), ["OAuth,Negotiate,Basic,Ntlm"]);
    lab.c("$x = Get-MapiVirtualDirectory; Set-MapiVirtualDirectory $x.Identity -IISAuthenticationMethods ($x.IISAuthenticationMethods | ? { $_ -ne 'Basic' })").ok_warned("OAuth");
    assert_eq!(out(&lab, "(Get-MapiVirtualDirectory).IISAuthenticationMethods -join ','"), ["OAuth,Negotiate,Ntlm"]);
}

#[test]
fn row_23_variables_and_member_access() {
    let lab = lab3();
    assert_eq!(
        out(&lab, "$m = Get-CASMailbox bob; $m.MapiEnabled; $m.Name.ToUpper(); $all = Get-CASMailbox; $all.Count; $all[1].Name; $all.Name -join '+'"),
        ["False", "BOB", "3", "bob", "alice+bob+carol"]
    );
}

#[test]
fn row_24_objects_stream_through_the_pipe() {
    let lab = lab3();
    // Each object reaches the second ForEach-Object before the first sees the next one.
    let run = lab.c("Get-CASMailbox | % { Write-Host \"got $($_.Name)\"; $_ } | % { Write-Host \"set $($_.Name)\" }");
    run.ok();
    assert_eq!(lines(&run), ["got alice", "set alice", "got bob", "set bob", "got carol", "set carol"]);
}

#[test]
fn row_25_binding_by_value_then_by_property_name() {
    let lab = lab3();
    lab.c("Get-CASMailbox | Set-CASMailbox -MAPIEnabled $false -WarningAction SilentlyContinue").ok();
    assert_eq!(out(&lab, "(Get-CASMailbox | ? MAPIEnabled | measure).Count"), ["0"]);
    assert_eq!(out(&lab, "Get-Mailbox a* | Get-CASMailbox | % Name"), ["alice"]);
    lab.c("[pscustomobject]@{Identity='bob'} | Set-CASMailbox -MAPIEnabled $true").ok();
    assert_eq!(out(&lab, "(Get-CASMailbox bob).MAPIEnabled"), ["True"]);
    fails_with(&lab, "42 | Set-CASMailbox -MAPIEnabled $true", &["The input object cannot be bound to any parameters for the command", "InputObjectNotBound,Set-CASMailbox"]);
}

#[test]
fn row_26_script_block_filters() {
    let lab = lab3();
    assert_eq!(out(&lab, "Get-CASMailbox | Where-Object {$_.MapiEnabled -eq $false} | % Name"), ["bob"]);
    assert_eq!(out(&lab, "Get-CASMailbox | ? {$_.MapiHttpEnabled -eq $true -or $_.Name -like 'a*'} | % Name"), ["alice", "carol"]);
    let run = lab.c("Get-CASMailbox | ? {$_.MAPIEnabled -eq $false} | ft Name, MAPIEnabled -AutoSize");
    run.ok();
    assert_eq!(run.stdout, "\nName MAPIEnabled\n---- -----------\nbob        False\n\n");
}

#[test]
fn row_27_simplified_where_object() {
    let lab = lab3();
    assert_eq!(out(&lab, "Get-CASMailbox | Where-Object MapiEnabled -eq $false | % Name"), ["bob"]);
    assert_eq!(out(&lab, "Get-CASMailbox | where MAPIEnabled | % Name"), ["alice", "carol"]);
    assert_eq!(out(&lab, "Get-CASMailbox | ? Name -Like '*o*' | % Name"), ["bob", "carol"]);
    assert_eq!(out(&lab, "Get-CASMailbox | ? Name -In alice,carol | % Name"), ["alice", "carol"]);
    assert_eq!(out(&lab, "Get-CASMailbox | ? Name -CEQ 'Bob' | % Name"), Vec::<String>::new());
    assert_eq!(out(&lab, "Get-CASMailbox | ? MapiHttpEnabled -ne $null | % Name"), ["carol"]);
}

#[test]
fn row_28_comparison_operators() {
    let lab = lab3();
    assert_eq!(
        out(
            &lab,
            "'ABC' -eq 'abc'; 'ABC' -ceq 'abc'; 'mapi' -like 'MA*'; 'mapi' -clike 'MA*'; 'EX01' -match '^ex\\d+$'; 'a' -notmatch 'b'; \
             1,2,3 -contains 2; 4 -in 1,2,3; 4 -notin 1,2,3; 2 -gt 1 -and -not (1 -ge 2); !$false -or $false; (1,2,3,2 -eq 2).Count; 'x' -ne 'y'",
        ),
        ["True", "False", "True", "False", "True", "True", "True", "False", "True", "True", "True", "2", "True"]
    );
}

#[test]
fn row_29_select_object() {
    let lab = lab3();
    let run = lab.c("Get-CASMailbox | select Name, MAPIEnabled, @{n='Http';e={$_.MapiHttpEnabled}} -First 2");
    run.ok();
    assert_eq!(lines(&run), ["Name  MAPIEnabled Http", "----  ----------- ----", "alice        True", "bob         False"]);
    assert_eq!(out(&lab, "Get-CASMailbox | select -Last 1 -ExpandProperty Name"), ["carol"]);
    assert_eq!(out(&lab, "Get-CASMailbox | select MAPIEnabled -Unique | % MAPIEnabled"), ["True", "False"]);
    assert_eq!(out(&lab, "Get-CASMailbox | select -Skip 1 | % Name"), ["bob", "carol"]);
    assert_eq!(out(&lab, "Get-CASMailbox carol | select *mapiena*, Name | fl"), ["MAPIEnabled : True", "Name        : carol"]);
    assert_eq!(out(&lab, "Get-MapiVirtualDirectory | select -ExpandProperty IISAuthenticationMethods"), ["Ntlm", "OAuth", "Negotiate"]);
}

#[test]
fn row_30_sort_object() {
    let lab = lab3();
    assert_eq!(out(&lab, "Get-CASMailbox | sort Name -Descending | % Name"), ["carol", "bob", "alice"]);
    assert_eq!(out(&lab, "Get-CASMailbox | sort MAPIEnabled, Name | % Name"), ["bob", "alice", "carol"]);
    assert_eq!(out(&lab, "3,1,3,2 | sort -Unique"), ["1", "2", "3"]);
    // -Descending applies to every key that does not say otherwise.
    assert_eq!(out(&lab, "Get-CASMailbox | sort @{e={$_.Name.Length}}, Name -Descending | % Name"), ["carol", "alice", "bob"]);
    assert_eq!(out(&lab, "Get-CASMailbox | sort @{e={$_.Name.Length}; Descending=$false}, Name | % Name"), ["bob", "alice", "carol"]);
}

#[test]
fn row_31_measure_and_group() {
    let lab = lab3();
    let run = lab.c("Get-CASMailbox | measure");
    run.ok();
    assert_eq!(run.stdout, "\nCount    : 3\nAverage  :\nSum      :\nMaximum  :\nMinimum  :\nProperty :\n\n");
    let run = lab.c("Get-CASMailbox | group MAPIEnabled");
    run.ok();
    assert_eq!(
        run.stdout,
        "\nCount Name                      Group\n----- ----                      -----\n    2 True                      {alice, carol}\n    1 False                     {bob}\n\n"
    );
    assert_eq!(out(&lab, "(1..4 | measure -Sum -Average).Average; (Get-CASMailbox | group MAPIEnabled -NoElement | ? Name -eq 'False').Count"), ["2.5", "1"]);
}

#[test]
fn row_32_foreach_object_bulk_change() {
    let lab = lab3();
    lab.c("Get-CASMailbox | %{ Set-CASMailbox $_.Identity -MAPIEnabled $true -WarningAction SilentlyContinue }").ok();
    assert_eq!(out(&lab, "Get-CASMailbox | % MAPIEnabled"), ["True", "True", "True"]);
    let run = lab.c("Get-CASMailbox | ForEach-Object -Begin { $n = 0 } -Process { $n += 1 } -End { \"$n mailboxes\" }");
    run.ok();
    assert_eq!(lines(&run), ["3 mailboxes"]);
}

#[test]
fn row_33_default_views_per_type() {
    let lab = lab3();
    let run = lab.c("Get-CASMailbox alice");
    run.ok();
    let header: Vec<&str> = run.stdout.lines().nth(1).unwrap_or_default().split_whitespace().collect();
    assert_eq!(header, ["Name", "ActiveSyncEnabled", "OWAEnabled", "PopEnabled", "ImapEnabled", "MapiEnabled"], "{}", run.stdout);
    assert!(lab.c("Get-OrganizationConfig").stdout.contains("\nName                       : Contoso\n"));
    // Selected objects: four properties or fewer make a table, more a list.
    assert_eq!(lines(&lab.c("Get-CASMailbox alice | select Name, PopEnabled")), ["Name  PopEnabled", "----  ----------", "alice       True"]);
    assert!(lab.c("Get-CASMailbox alice | select Name, PopEnabled, ImapEnabled, OWAEnabled, EwsEnabled").stdout.contains("\nName        : alice\n"));
}

#[test]
fn row_34_format_table() {
    let lab = lab3();
    let run = lab.c("Get-CASMailbox | ft Name, MapiEnabled -AutoSize");
    run.ok();
    assert_eq!(run.stdout, "\nName  MAPIEnabled\n----  -----------\nalice        True\nbob         False\ncarol        True\n\n");
    let run = lab.c("Get-CASMailbox | ft Name, *mapihttp* -GroupBy MAPIEnabled -AutoSize");
    run.ok();
    assert!(run.stdout.contains("   MAPIEnabled: False\n"), "{}", run.stdout);
}

#[test]
fn row_35_format_list() {
    let lab = Lab::new();
    assert_eq!(lab.c("Get-OrganizationConfig | fl Name, MapiHttpEnabled").stdout, "\nName            : Contoso\nMapiHttpEnabled : False\n\n");
    assert!(lab.c("Get-MapiVirtualDirectory | fl *").stdout.contains("\nMetabasePath                  : IIS://"));
}

#[test]
fn row_36_multi_valued_truncation() {
    let lab = Lab::new();
    lab.c("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Basic,Ntlm,Negotiate,OAuth").ok_warned("OAuth");
    assert_eq!(out(&lab, "Get-MapiVirtualDirectory | fl IISAuthenticationMethods"), ["IISAuthenticationMethods : {Basic, Ntlm, Negotiate, OAuth}"]);
    assert_eq!(out(&lab, "$FormatEnumerationLimit = 2; Get-MapiVirtualDirectory | fl IISAuthenticationMethods"), ["IISAuthenticationMethods : {Basic, Ntlm...}"]);
}

#[test]
fn row_37_export_csv_and_convert_to_json() {
    let lab = lab3();
    let with_type = lab.path("with-type.csv");
    let without = lab.path("without.csv");
    lab.c(&format!(
        "Get-CASMailbox | select Name, MAPIEnabled, MapiHttpEnabled | Export-Csv '{}'; Get-CASMailbox | select Name | Export-Csv -Path '{}' -NoTypeInformation",
        with_type.display(),
        without.display()
    ))
    .ok();
    assert_eq!(
        std::fs::read_to_string(&with_type).expect("csv"),
        "#TYPE Selected.Microsoft.Exchange.Data.Directory.Management.CASMailbox\n\"Name\",\"MAPIEnabled\",\"MapiHttpEnabled\"\n\"alice\",\"True\",\n\"bob\",\"False\",\n\"carol\",\"True\",\"True\"\n"
    );
    assert_eq!(std::fs::read_to_string(&without).expect("csv"), "\"Name\"\n\"alice\"\n\"bob\"\n\"carol\"\n");
    let run = lab.c("Get-CASMailbox bob | select Name, MAPIEnabled | ConvertTo-Json");
    run.ok();
    assert_eq!(run.stdout, "{\n    \"Name\":  \"bob\",\n    \"MAPIEnabled\":  false\n}\n");
    // -Depth defaults to 2: the third level is written as text.
    assert_eq!(out(&lab, "@{a=@{b=@{c=1}}} | ConvertTo-Json -Compress"), ["{\"a\":{\"b\":{\"c\":1}}}"]);
    assert_eq!(out(&lab, "@{a=@{b=@{c=@{d=1}}}} | ConvertTo-Json -Compress"), ["{\"a\":{\"b\":{\"c\":\"System.Collections.Hashtable\"}}}"]);
}

#[test]
fn row_40_what_if() {
    let lab = lab3();
    let run = lab.c("Set-CASMailbox alice -MAPIEnabled $false -WhatIf");
    run.ok();
    assert_eq!(run.stdout, "What if: Setting client access settings of mailbox \"alice\".\n");
    assert_eq!(out(&lab, "(Get-CASMailbox alice).MAPIEnabled"), ["True"]);
}

#[test]
fn row_41_confirm_and_should_process() {
    let lab = Lab::new();
    fails_with(&lab, "Remove-MapiVirtualDirectory 'EX01\\mapi (Default Web Site)'", &["needs your confirmation", "-Confirm:$false"]);
    assert_eq!(out(&lab, "(Get-MapiVirtualDirectory | measure).Count"), ["1"]);
    lab.c("Remove-MapiVirtualDirectory 'EX01\\mapi (Default Web Site)' -cf:$false").ok();
    assert_eq!(out(&lab, "(Get-MapiVirtualDirectory | measure).Count"), ["0"]);
}

#[test]
fn row_42_no_settings_modified_warning() {
    let lab = lab3();
    let run = lab.c("Set-CASMailbox alice -MAPIEnabled $true");
    assert_eq!(run.status, 0);
    assert_eq!(run.stderr, "WARNING: The command completed successfully but no settings of 'alice' have been modified.\n");
    let run = lab.c("Set-CASMailbox alice -MAPIEnabled $true -WarningAction SilentlyContinue -WarningVariable w; $w.Count");
    run.ok();
    assert_eq!(lines(&run), ["1"]);
}

#[test]
fn row_43_error_record_shape() {
    let lab = Lab::new();
    let run = fails_with(&lab, "Get-CASMailbox | Where-Object Name -Bogus x", &[]);
    assert_eq!(
        run.stderr,
        "Where-Object : A parameter cannot be found that matches parameter name 'Bogus'.\n\
         At line:1 char:36\n\
         + Get-CASMailbox | Where-Object Name -Bogus x\n\
         +                                    ~~~~~~\n    \
         + CategoryInfo          : InvalidArgument: (:) [Where-Object], ParameterBindingException\n    \
         + FullyQualifiedErrorId : NamedParameterNotFound,Where-Object\n\n"
    );
}

#[test]
fn row_44_exchange_not_found() {
    let lab = Lab::new();
    fails_with(
        &lab,
        "Get-CASMailbox nobody",
        &["The operation couldn't be performed because object 'nobody' couldn't be found on 'ex01.contoso.com'.", "ManagementObjectNotFoundException"],
    );
}

#[test]
fn row_45_unknown_command() {
    let lab = Lab::new();
    fails_with(&lab, "Get-Foo | ft", &["The term 'Get-Foo' is not recognized as the name of a cmdlet", "CommandNotFoundException"]);
}

#[test]
fn row_46_error_action_and_friends() {
    let lab = lab3();
    let run = lab.c("Get-CASMailbox nobody -ErrorAction SilentlyContinue -ErrorVariable ev; \"errors: $($ev.Count)\"");
    run.ok();
    assert_eq!(lines(&run), ["errors: 1"]);
    let run = lab.c("Get-CASMailbox nobody -ea Stop; 'not reached'");
    assert_eq!(run.status, 1);
    assert!(!run.stdout.contains("not reached"), "{}", run.stdout);
    let run = lab.c("$ErrorActionPreference = 'Stop'; Set-CASMailbox nobody -MAPIEnabled $false; 'not reached'");
    assert_eq!(run.status, 1);
    assert!(!run.stdout.contains("not reached"));
    let run = lab.c("Set-CASMailbox alice -MAPIEnabled $false -Verbose");
    assert_eq!(run.status, 0);
    assert_eq!(run.stderr, "VERBOSE: Setting client access settings of mailbox \"alice\".\n");
    fails_with(&lab, "try { Get-CASMailbox nobody } catch { 'caught' }", &["The 'try' keyword is not supported by mapish.", "NotSupportedByMapish"]);
}

#[test]
fn row_47_exit_status() {
    let lab = lab3();
    assert_eq!(lab.c("Get-CASMailbox | ? MAPIEnabled | Out-Null").status, 0);
    assert_eq!(lab.c("Get-CASMailbox alice, nobody").status, 1);
    assert_eq!(lab.c("Get-CASMailbox -Filter 'MapiHttpEnabled -eq $true'").status, 1);
}

#[test]
fn row_48_get_help() {
    let lab = Lab::new();
    let full = lab.c("Get-Help Where-Object -Full");
    full.ok();
    for section in ["NAME", "SYNOPSIS", "SYNTAX", "DESCRIPTION", "PARAMETERS", "INPUTS", "OUTPUTS"] {
        assert!(full.stdout.contains(&format!("\n{section}\n")), "{section} missing:\n{}", full.stdout);
    }
    assert!(full.stdout.contains("Where-Object [-Property] <String> [[-Value] <PSObject>] [-InputObject <PSObject>] [-EQ] [<CommonParameters>]"), "{}", full.stdout);
    let p = lab.c("Get-Help Set-CASMailbox -Parameter MAPIEnabled");
    p.ok();
    assert!(p.stdout.contains("Required?                    False") && p.stdout.contains("Accept pipeline input?       False"), "{}", p.stdout);
    assert!(lab.c("Get-Help Select-Object -Examples").stdout.contains("Example 1"));
}

#[test]
fn row_49_get_command() {
    let lab = Lab::new();
    assert_eq!(out(&lab, "Get-Command *MapiVirtual* | % Name"), ["Get-MapiVirtualDirectory", "New-MapiVirtualDirectory", "Remove-MapiVirtualDirectory", "Set-MapiVirtualDirectory"]);
    assert_eq!(out(&lab, "Get-Command -Noun *-Object* | measure | % Count").len(), 1);
    assert_eq!(out(&lab, "Get-Command -Verb ConvertTo | % Name"), ["ConvertTo-Json", "ConvertTo-Csv", "ConvertTo-SecureString"]);
    let run = lab.c("Get-Command Measure-Object -Syntax");
    run.ok();
    assert!(run.stdout.contains("Measure-Object [[-Property] <String[]>] [-InputObject <PSObject>] [-Sum] [-Average] [-Maximum] [-Minimum] [<CommonParameters>]"), "{}", run.stdout);
}

#[test]
fn row_50_get_member() {
    let lab = lab3();
    let run = lab.c("Get-CASMailbox alice | gm *Enabled");
    run.ok();
    assert!(run.stdout.starts_with("\n   TypeName: Microsoft.Exchange.Data.Directory.Management.CASMailbox\n\nName "), "{}", run.stdout);
    assert!(run.stdout.contains("\nMAPIEnabled       Property   bool MAPIEnabled {get;set;}\n"), "{}", run.stdout);
    assert!(run.stdout.contains("\nMapiHttpEnabled   Property   System.Object MapiHttpEnabled {get;set;}\n"), "{}", run.stdout);
    let run = lab.c("Get-CASMailbox alice | select Name | Get-Member -MemberType NoteProperty");
    run.ok();
    assert!(run.stdout.contains("TypeName: Selected.Microsoft.Exchange.Data.Directory.Management.CASMailbox") && run.stdout.contains("Name NoteProperty string Name=alice"), "{}", run.stdout);
}

#[test]
fn row_55_server_side_filter() {
    let lab = lab3();
    assert_eq!(out(&lab, "Get-CasMailbox -ResultSize unlimited -Filter \"MAPIEnabled -eq `$false\" | % Name"), ["bob"]);
    assert_eq!(out(&lab, "Get-CASMailbox -Filter 'MAPIEnabled -eq $true -and (Name -like \"a*\" -or Name -eq ''carol'')' | % Name"), ["alice", "carol"]);
    assert_eq!(out(&lab, "Get-CASMailbox -Filter {Name -ne 'bob'} | % Name"), ["alice", "carol"]);
    assert_eq!(out(&lab, "$who = 'carol'; Get-Mailbox -Filter \"Alias -eq '$who'\" | % Name"), ["carol"]);
    assert_eq!(out(&lab, "Get-CASMailbox -Filter \"PrimarySmtpAddress -like '*@contoso.com'\" | measure | % Count"), ["3"]);
    fails_with(
        &lab,
        "Get-CASMailbox -Filter 'MapiHttpEnabled -eq $true'",
        &["Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"\"MapiHttpEnabled\" is not a recognized filterable property.", "Where-Object {$_.MapiHttpEnabled -eq $true}", "ParameterBindingFailed,Get-CASMailbox"],
    );
    fails_with(&lab, "Get-CASMailbox -Filter 'MAPIBlockOutlookRpcHttp -eq $true'", &["\"MAPIBlockOutlookRpcHttp\" is not a recognized filterable property."]);
    fails_with(&lab, "Get-CASMailbox -Filter 'MAPIEnabled -eq'", &["Invalid filter syntax.", "at position 16."]);
}
