//! The built-in pipeline cmdlets, run through the real parser, binder and runner against a
//! temporary store with three mailboxes (bob has MAPI disabled).

use mapish_store::{InitParams, Mailbox, Store};

use crate::run::{RecordingHost, Session};
use crate::value::Value;

fn lab() -> Session {
    let store = Store::open_temporary().expect("temporary store");
    store
        .initialize(&InitParams { organization: "Contoso".into(), server: "EX01".into(), fqdn: "ex01.contoso.com".into() })
        .expect("initialize");
    for name in ["alice", "bob", "carol"] {
        let mut m = Mailbox::new(name, name, format!("{name}@contoso.com"), format!("{name}@contoso.com"), "Contoso", "EX01");
        m.mapi_enabled = name != "bob";
        if name == "carol" {
            m.mapi_http_enabled = Some(true);
        }
        store.update(|tx| tx.put_mailbox(&m)).expect("mailbox");
    }
    Session::new(store, Some("EX01".into()))
}

/// Runs a script; returns every output value and the host (for errors, warnings, information).
fn run(session: &mut Session, script: &str) -> (Vec<Value>, RecordingHost) {
    let mut host = RecordingHost::default();
    session.run_script(script, &mut host);
    let out = host.outputs.iter().flatten().cloned().collect();
    (out, host)
}

/// Output values as text, failing on any error.
fn ok(session: &mut Session, script: &str) -> Vec<String> {
    let (out, host) = run(session, script);
    assert!(host.errors.is_empty(), "{script}: {:?}", host.errors.iter().map(|e| &e.message).collect::<Vec<_>>());
    out.iter().map(Value::to_text).collect()
}

fn error_of(session: &mut Session, script: &str) -> String {
    let (_, host) = run(session, script);
    let e = host.errors.first().unwrap_or_else(|| panic!("{script}: no error"));
    format!("{} | {}", e.fully_qualified_error_id, e.message)
}

#[test]
fn where_object_script_block_and_simplified_forms() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "Get-CASMailbox | Where-Object {$_.MAPIEnabled -eq $false}"), ["bob"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | ? {$PSItem.MAPIEnabled}"), ["alice", "carol"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | Where-Object MapiEnabled -eq $false"), ["bob"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | where MAPIEnabled"), ["alice", "carol"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | ? MapiHttpEnabled -ne $null"), ["carol"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | ? Name -like 'a*'"), ["alice"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | ? Name -CLike 'A*'"), Vec::<String>::new());
    assert_eq!(ok(&mut s, "Get-CASMailbox | ? Name -Match '^(b|c)'"), ["bob", "carol"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | ? Name -In 'bob','carol'"), ["bob", "carol"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | ? Name -NotIn 'bob','carol'"), ["alice"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | Where-Object -Property Name -Value 'BOB' -EQ"), ["bob"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | Where-Object -Property Name -Value 'BOB' -CEQ"), Vec::<String>::new());
    assert_eq!(ok(&mut s, "1,2,3,4 | ? {$_ -gt 2}"), ["3", "4"]);
    assert_eq!(ok(&mut s, "'a','b' | ? Length -GE 1"), ["a", "b"]);
    assert_eq!(ok(&mut s, "@('x','y'),@('z') | ? {$_ -contains 'z'}"), ["z"]);
}

#[test]
fn foreach_object_process_begin_end_and_member_name() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "Get-CASMailbox | % { $_.Name.ToUpper() }"), ["ALICE", "BOB", "CAROL"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | % Name"), ["alice", "bob", "carol"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | ForEach-Object -MemberName Name"), ["alice", "bob", "carol"]);
    assert_eq!(ok(&mut s, "'a','b' | % ToUpper"), ["A", "B"]);
    assert_eq!(ok(&mut s, "'a-b' | % Replace '-' '+'"), ["a+b"]);
    assert_eq!(ok(&mut s, "1..3 | % -Begin { 'start' } -Process { $_ * 2 } -End { 'end' }"), ["start", "2", "4", "6", "end"]);
    assert_eq!(ok(&mut s, "1..2 | % { 'b' } { $_ } { 'e' }"), ["b", "1", "2", "e"]);
    assert_eq!(ok(&mut s, "$n = 0; Get-CASMailbox | foreach { $n += 1 }; $n"), ["3"]);
    assert_eq!(ok(&mut s, "ForEach-Object { 'once' }"), ["once"]);
    let e = error_of(&mut s, "'a' | % NoSuchThing");
    assert!(e.contains("Input name \"NoSuchThing\" cannot be resolved to a method."), "{e}");
}

#[test]
fn foreach_object_runs_cmdlets_per_object() {
    let mut s = lab();
    ok(&mut s, "Get-CASMailbox | % { Set-CASMailbox $_.Identity -MAPIEnabled $false }");
    assert_eq!(ok(&mut s, "Get-CASMailbox | ? MAPIEnabled | % Name"), Vec::<String>::new());
}

#[test]
fn select_object_properties_wildcards_and_calculated() {
    let mut s = lab();
    let (out, host) = run(&mut s, "Get-CASMailbox bob | select Name, *mapiena*, @{n='Upper';e={$_.Name.ToUpper()}}, @{Name='Alias';Expression='Name'}");
    assert!(host.errors.is_empty() && host.warnings.is_empty(), "{:?} {:?}", host.errors, host.warnings);
    let Value::Object(o) = &out[0] else { panic!("{out:?}") };
    assert_eq!(o.type_name, "Selected.Microsoft.Exchange.Data.Directory.Management.CASMailbox");
    let names: Vec<&str> = o.properties.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["Name", "MAPIEnabled", "Upper", "Alias"]);
    assert_eq!(o.get("MAPIEnabled").map(Value::to_text).as_deref(), Some("False"));
    assert_eq!(o.get("Upper").map(Value::to_text).as_deref(), Some("BOB"));
    assert_eq!(o.get("Alias").map(Value::to_text).as_deref(), Some("bob"));
}

#[test]
fn select_object_first_last_skip_unique_expand_index() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "1..10 | select -First 3"), ["1", "2", "3"]);
    assert_eq!(ok(&mut s, "1..10 | select -Last 2"), ["9", "10"]);
    assert_eq!(ok(&mut s, "1..10 | select -Skip 8"), ["9", "10"]);
    assert_eq!(ok(&mut s, "1..10 | select -Skip 2 -First 2"), ["3", "4"]);
    assert_eq!(ok(&mut s, "1..5 | select -SkipLast 3"), ["1", "2"]);
    assert_eq!(ok(&mut s, "1..5 | select -Index 1,3"), ["2", "4"]);
    assert_eq!(ok(&mut s, "1,1,2,1,3 | select -Unique"), ["1", "2", "3"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | select -ExpandProperty Name"), ["alice", "bob", "carol"]);
    assert_eq!(ok(&mut s, "Get-MapiVirtualDirectory | select -ExpandProperty IISAuthenticationMethods").len(), 3);
    assert_eq!(ok(&mut s, "Get-CASMailbox | select MAPIEnabled -Unique | % MAPIEnabled"), ["True", "False"]);
    let e = error_of(&mut s, "Get-CASMailbox alice | select -ExpandProperty Nope");
    assert!(e.starts_with("ExpandPropertyNotFound,") && e.contains("Property \"Nope\" cannot be found."), "{e}");
}

#[test]
fn select_first_stops_the_producer() {
    let mut s = lab();
    // -First 1 stops Get-CASMailbox after one object: ForEach-Object before it sees only one.
    assert_eq!(ok(&mut s, "$seen = 0; Get-CASMailbox | % { $seen += 1; $_ } | select -First 1 | % Name; $seen"), ["alice", "1"]);
}

#[test]
fn select_object_warns_once_about_a_misspelt_property() {
    let mut s = lab();
    let (_, host) = run(&mut s, "Get-CASMailbox | select Name, MapiEnabld");
    assert_eq!(host.warnings.len(), 1, "{:?}", host.warnings);
    assert!(host.warnings[0].contains("'MapiEnabld'"), "{:?}", host.warnings);
}

#[test]
fn sort_object_stable_descending_unique_and_calculated() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "Get-CASMailbox | sort Name -Descending | % Name"), ["carol", "bob", "alice"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | sort MAPIEnabled | % Name"), ["bob", "alice", "carol"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | sort MAPIEnabled, Name -Descending | % Name"), ["carol", "alice", "bob"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | sort @{e={$_.Name.Length}; Descending=$true}, Name | % Name"), ["alice", "carol", "bob"]);
    assert_eq!(ok(&mut s, "3,1,2,1 | sort"), ["1", "1", "2", "3"]);
    assert_eq!(ok(&mut s, "3,1,2,1 | sort -Unique"), ["1", "2", "3"]);
    // Culture order puts lower case first (a, A, b, B); -Unique keeps the first of each.
    assert_eq!(ok(&mut s, "'b','A','a','B' | sort -Unique"), ["a", "b"]);
    assert_eq!(ok(&mut s, "10,9,100 | sort -Descending"), ["100", "10", "9"]);
}

#[test]
fn measure_object_counts_and_statistics() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "(Get-CASMailbox | measure).Count"), ["3"]);
    assert_eq!(ok(&mut s, "(Get-CASMailbox | ? MAPIEnabled -eq $false | Measure-Object).Count"), ["1"]);
    let (out, _) = run(&mut s, "1..10 | measure -Sum -Average -Maximum -Minimum");
    let Value::Object(o) = &out[0] else { panic!() };
    let names: Vec<&str> = o.properties.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["Count", "Average", "Sum", "Maximum", "Minimum", "Property"]);
    let get = |n: &str| o.get(n).map(Value::to_text).unwrap_or_default();
    assert_eq!((get("Count"), get("Sum"), get("Average"), get("Maximum"), get("Minimum")), ("10".into(), "55".into(), "5.5".into(), "10".into(), "1".into()));
    assert_eq!(ok(&mut s, "(Get-CASMailbox | measure -Property Name).Property"), ["Name"]);
    assert_eq!(ok(&mut s, "(1,5,3 | measure -Maximum).Maximum"), ["5"]);
    assert_eq!(ok(&mut s, "('a b','c' | measure -Word -Line).Words"), ["3"]);
    let e = error_of(&mut s, "Get-CASMailbox | measure -Property Nope");
    assert!(e.starts_with("GenericMeasurePropertyNotFound,"), "{e}");
    let e = error_of(&mut s, "'x' | measure -Sum");
    assert!(e.contains("Input object \"x\" is not numeric."), "{e}");
}

#[test]
fn group_object_counts_names_and_groups() {
    let mut s = lab();
    let (out, _) = run(&mut s, "Get-CASMailbox | group MAPIEnabled");
    let rows: Vec<(String, String, String)> = out
        .iter()
        .map(|g| (g.property("Count").map(|v| v.to_text()).unwrap_or_default(), g.property("Name").map(|v| v.to_text()).unwrap_or_default(), g.property("Group").map(|v| v.to_text()).unwrap_or_default()))
        .collect();
    assert_eq!(rows, [("2".into(), "True".into(), "alice carol".into()), ("1".into(), "False".into(), "bob".into())]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | group MAPIEnabled -NoElement | % Count"), ["2", "1"]);
    assert_eq!(ok(&mut s, "'a','A','b' | group | % Count"), ["2", "1"]);
    assert_eq!(ok(&mut s, "'a','A','b' | group -CaseSensitive | % Count"), ["1", "1", "1"]);
    assert_eq!(ok(&mut s, "(Get-CASMailbox | group MAPIEnabled -AsHashTable)['False'].Name"), ["bob"]);
}

#[test]
fn get_member_lists_properties_by_type() {
    let mut s = lab();
    let (out, _) = run(&mut s, "Get-CASMailbox alice | gm -MemberType Property *mapi*");
    let defs: Vec<String> = out.iter().map(|m| m.property("Definition").map(|v| v.to_text()).unwrap_or_default()).collect();
    assert!(defs.contains(&"bool MAPIEnabled {get;set;}".to_string()), "{defs:?}");
    assert!(out.iter().all(|m| m.property("TypeName").map(|v| v.to_text()).as_deref() == Some("Microsoft.Exchange.Data.Directory.Management.CASMailbox")));
    let (out, _) = run(&mut s, "Get-CASMailbox | select Name | gm");
    let last = out.last().map(|m| m.property("Definition").map(|v| v.to_text()).unwrap_or_default());
    assert_eq!(last.as_deref(), Some("string Name=alice"));
    assert_eq!(out.iter().filter(|m| m.property("MemberType").map(|v| v.to_text()).as_deref() == Some("Method")).count(), 4);
}

#[test]
fn convert_to_json_uses_the_windows_powershell_layout() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "Get-CASMailbox bob | select Name, MAPIEnabled, MapiHttpEnabled | ConvertTo-Json"), ["{\n    \"Name\":  \"bob\",\n    \"MAPIEnabled\":  false,\n    \"MapiHttpEnabled\":  null\n}"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | select Name | ConvertTo-Json -Compress"), ["[{\"Name\":\"alice\"},{\"Name\":\"bob\"},{\"Name\":\"carol\"}]"]);
    assert_eq!(ok(&mut s, "ConvertTo-Json @{a=@{b=@{c=@{d=1}}}} -Compress"), ["{\"a\":{\"b\":{\"c\":\"System.Collections.Hashtable\"}}}"]);
    assert_eq!(ok(&mut s, "ConvertTo-Json @{a=@{b=@{c=@{d=1}}}} -Compress -Depth 5"), ["{\"a\":{\"b\":{\"c\":{\"d\":1}}}}"]);
    let json = ok(&mut s, "Get-MapiVirtualDirectory | ConvertTo-Json").join("");
    assert!(json.contains("\"IISAuthenticationMethods\":  [\n"), "{json}");
    assert!(json.contains("\"WhenCreated\":  \"\\/Date("), "{json}");
}

#[test]
fn csv_has_a_type_line_unless_told_otherwise() {
    let mut s = lab();
    assert_eq!(
        ok(&mut s, "Get-CASMailbox | select Name, MAPIEnabled, MapiHttpEnabled | ConvertTo-Csv"),
        [
            "#TYPE Selected.Microsoft.Exchange.Data.Directory.Management.CASMailbox",
            "\"Name\",\"MAPIEnabled\",\"MapiHttpEnabled\"",
            "\"alice\",\"True\",",
            "\"bob\",\"False\",",
            "\"carol\",\"True\",\"True\"",
        ]
    );
    assert_eq!(ok(&mut s, "Get-CASMailbox alice | select Name | ConvertTo-Csv -NoTypeInformation -Delimiter ';'"), ["\"Name\"", "\"alice\""]);
}

#[test]
fn write_output_and_write_host() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "Write-Output a b c"), ["a", "b", "c"]);
    assert_eq!(ok(&mut s, "echo (1,2) | measure | % Count"), ["2"]);
    assert_eq!(ok(&mut s, "write 'x'"), ["x"]);
    let (out, host) = run(&mut s, "Write-Host 'MAPI' 'is' $true -ForegroundColor Green; Write-Host a,b -Separator '-'");
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(host.information, ["MAPI is True", "a-b"]);
    let e = error_of(&mut s, "Write-Host x -ForegroundColor Pink");
    assert!(e.starts_with("ParameterArgumentTransformationError,Write-Host"), "{e}");
}

#[test]
fn secure_strings_and_credentials() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "ConvertTo-SecureString 'P@ss' -AsPlainText -Force"), ["System.Security.SecureString"]);
    assert_eq!(ok(&mut s, "\"$(ConvertTo-SecureString 'P@ss' -AsPlainText -Force)\""), ["System.Security.SecureString"]);
    let e = error_of(&mut s, "ConvertTo-SecureString 'P@ss' -AsPlainText");
    assert!(e.contains("reissue the command specifying the Force parameter"), "{e}");
    let e = error_of(&mut s, "ConvertTo-SecureString 'P@ss'");
    assert!(e.contains("-AsPlainText -Force"), "{e}");
    assert_eq!(
        ok(&mut s, "$c = New-Object System.Management.Automation.PSCredential('contoso\\admin', (ConvertTo-SecureString 'pw' -AsPlainText -Force)); $c.UserName; $c"),
        ["contoso\\admin", "System.Management.Automation.PSCredential"]
    );
    assert_eq!(ok(&mut s, "(New-Object PSCredential -ArgumentList 'u',(ConvertTo-SecureString 'pw' -AsPlainText -Force)).UserName"), ["u"]);
    let e = error_of(&mut s, "New-Object System.Management.Automation.PSCredential('u', 'plain')");
    assert!(e.contains("Cannot find an overload for \"PSCredential\" and the argument count: \"2\""), "{e}");
    let e = error_of(&mut s, "Get-Credential admin");
    assert!(e.starts_with("CouldNotPromptForCredential,") && e.contains("interactive terminal"), "{e}");
}

#[test]
fn new_mailbox_takes_a_secure_string_password() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "New-Mailbox -Name dave -UserPrincipalName dave@contoso.com -Password (ConvertTo-SecureString 'P@ssw0rd-1' -AsPlainText -Force) | % Name"), ["dave"]);
}

#[test]
fn new_object_psobject_with_properties() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "$o = New-Object PSObject -Property @{Name='x'; Count=2}; $o.Name; $o.Count"), ["x", "2"]);
    assert_eq!(ok(&mut s, "(New-Object PSCustomObject -Property @{A=1}).A"), ["1"]);
    let e = error_of(&mut s, "New-Object System.Net.WebClient");
    assert!(e.starts_with("TypeNotFound,") && e.contains("Cannot find type [System.Net.WebClient]"), "{e}");
}

#[test]
fn out_null_swallows_everything() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "Get-CASMailbox | Out-Null"), Vec::<String>::new());
}

#[test]
fn out_file_and_export_csv_go_through_the_host() {
    let mut s = lab();
    let (_, host) = run(&mut s, "Get-CASMailbox | Out-File mbx.txt; Get-CASMailbox | select Name | Export-Csv m.csv -NoTypeInformation");
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    assert_eq!(host.information, ["redirected to mbx.txt", "redirected to m.csv"]);
    let csv: Vec<String> = host.outputs[1].iter().map(Value::to_text).collect();
    assert_eq!(csv, ["\"Name\"", "\"alice\"", "\"bob\"", "\"carol\""]);
}

#[test]
fn assignment_as_a_value_edits_a_multi_valued_property() {
    let mut s = lab();
    let out = ok(
        &mut s,
        "$mapidir = Get-MapiVirtualDirectory; $mapidir | Set-MapiVirtualDirectory -IISAuthenticationMethods ($mapidir.IISAuthenticationMethods +='Basic'); (Get-MapiVirtualDirectory).IISAuthenticationMethods",
    );
    assert_eq!(out.last().map(String::as_str), Some("Basic"), "{out:?}");
    assert_eq!(ok(&mut s, "$x = 1; ($x += 2); $x"), ["3", "3"]);
    assert_eq!(ok(&mut s, "$a = $b = 'v'; $a; $b"), ["v", "v"]);
    assert_eq!(ok(&mut s, "$h = @{a=@{b=@(1,2)}}; $h.a.b[1] = 5; $h.a.b[1]; $h.a['c'] = 'new'; $h.a.c"), ["5", "new"]);
    assert_eq!(ok(&mut s, "if ($m = Get-CASMailbox bob) { $m.Name }"), ["bob"]);
}

#[test]
fn multi_valued_plus_a_value_binds_to_a_multi_valued_parameter() {
    let mut s = lab();
    let out = ok(&mut s, "$x = Get-MapiVirtualDirectory; Set-MapiVirtualDirectory $x.Identity -IISAuthenticationMethods ($x.IISAuthenticationMethods + 'Basic'); (Get-MapiVirtualDirectory).IISAuthenticationMethods -join ','");
    assert!(out.last().is_some_and(|l| l.ends_with(",Basic")), "{out:?}");
}

#[test]
fn positional_arguments_pick_the_parameter_whose_type_fits() {
    let mut s = lab();
    // -FilterScript and -Property share position 1 in different sets.
    assert_eq!(ok(&mut s, "Get-CASMailbox | Where-Object MAPIEnabled | % Name"), ["alice", "carol"]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | Where-Object { -not $_.MAPIEnabled } | % Name"), ["bob"]);
}

#[test]
fn stream_cmdlets_keep_common_parameters() {
    let mut s = lab();
    assert_eq!(ok(&mut s, "Get-CASMailbox | select Name -OutVariable got | Out-Null; $got.Count"), ["3"]);
    let (_, host) = run(&mut s, "'x' | measure -Sum -ErrorAction SilentlyContinue -ErrorVariable bad; $bad.Count");
    assert!(host.errors.is_empty(), "{:?}", host.errors);
}

#[test]
fn an_interactive_host_is_asked_for_missing_mandatory_parameters() {
    let mut s = lab();
    let mut host = RecordingHost { parameter_answers: vec![Value::str("bob")], ..RecordingHost::default() };
    s.run_script("Set-CASMailbox -MAPIEnabled $true", &mut host);
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    assert_eq!(host.prompts, ["cmdlet Set-CASMailbox at command pipeline position 1", "Supply values for the following parameters:", "Identity: "]);
    assert_eq!(ok(&mut s, "Get-CASMailbox | ? MAPIEnabled | % Name"), ["alice", "bob", "carol"]);
    // Pipeline input will supply -Identity: no prompt.
    let mut host = RecordingHost { parameter_answers: vec![Value::str("unused")], ..RecordingHost::default() };
    s.run_script("Get-CASMailbox bob | Set-CASMailbox -MAPIEnabled $false", &mut host);
    assert!(host.prompts.is_empty() && host.errors.is_empty(), "{:?} {:?}", host.prompts, host.errors);
    // An empty answer is refused as PowerShell does.
    let mut host = RecordingHost { parameter_answers: vec![Value::str("")], ..RecordingHost::default() };
    s.run_script("Set-CASMailbox -MAPIEnabled $true", &mut host);
    assert_eq!(host.errors[0].message, "Cannot bind argument to parameter 'Identity' because it is an empty string.");
}

#[test]
fn a_script_keeps_the_missing_mandatory_parameter_error() {
    let mut s = lab();
    let e = error_of(&mut s, "Set-CASMailbox -MAPIEnabled $true");
    assert!(e.starts_with("MissingMandatoryParameter,Set-CASMailbox"), "{e}");
}

#[test]
fn get_credential_asks_an_interactive_host() {
    let mut s = lab();
    let mut host = RecordingHost { credential_answers: vec![(String::new(), "pw".into())], ..RecordingHost::default() };
    s.run_script("$c = Get-Credential contoso\\admin; $c.UserName; $c.Password", &mut host);
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    let out: Vec<String> = host.outputs.iter().flatten().map(Value::to_text).collect();
    assert_eq!(out, ["contoso\\admin", "System.Security.SecureString"]);
}
