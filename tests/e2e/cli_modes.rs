//! The ways to run mapish non-interactively: -c, a command as words, a script file, stdin, JSON.

use crate::common::Lab;

#[test]
fn a_command_given_as_words_is_requoted() {
    let lab = Lab::new();
    lab.cmd(&["Set-MapiVirtualDirectory", "-Identity", "mapi (Default Web Site)", "-InternalUrl", "https://mail.contoso.com/mapi", "-IISAuthenticationMethods", "Ntlm,Negotiate"]).ok();
    let json = lab.json("Get-MapiVirtualDirectory");
    assert_eq!(json[0]["IISAuthenticationMethods"], serde_json::json!(["Ntlm", "Negotiate"]));
    lab.cmd(&["Set-OrganizationConfig", "-MapiHttpEnabled", "$true"]).ok();
    assert_eq!(lab.json("Get-OrganizationConfig")[0]["MapiHttpEnabled"], true);
}

#[test]
fn a_script_file_runs_with_comments_and_several_statements() {
    let lab = Lab::new();
    let script = lab.path("setup.ps1");
    std::fs::write(
        &script,
        "# MAPI over HTTP for Contoso\nSet-MapiVirtualDirectory -Identity \"mapi (Default Web Site)\" `\n  -InternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Negotiate\nSet-OrganizationConfig -MapiHttpEnabled $true; Get-OrganizationConfig | fl Name, MapiHttpEnabled\n",
    )
    .expect("write script");
    let run = lab.cmd(&[script.to_str().expect("utf-8 path")]);
    run.ok();
    assert_eq!(run.stdout, "\nName            : Contoso\nMapiHttpEnabled : True\n\n");
}

#[test]
fn commands_on_stdin_run_as_a_script() {
    let lab = Lab::new();
    let run = lab.stdin("Set-OrganizationConfig -MapiHttpEnabled $true\nGet-OrganizationConfig | fl MapiHttpEnabled\n");
    run.ok();
    assert_eq!(run.stdout, "\nMapiHttpEnabled : True\n\n");
}

#[test]
fn a_script_error_reports_its_line() {
    let lab = Lab::new();
    let run = lab.stdin("Get-OrganizationConfig | Out-Null-Nope\n\nSet-CASMailbox nobody -MAPIEnabled $false\n");
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("At line:1 char:26"), "{}", run.stderr);
    assert!(run.stderr.contains("At line:3 char:16"), "{}", run.stderr);
}

#[test]
fn json_output_gives_the_objects() {
    let lab = Lab::new();
    let json = lab.json("Get-MapiVirtualDirectory");
    assert_eq!(json[0]["Identity"], "EX01\\mapi (Default Web Site)");
    assert_eq!(json[0]["InternalUrl"], "https://ex01.contoso.com/mapi");
    assert_eq!(json[0]["ExternalUrl"], serde_json::Value::Null);
    assert_eq!(json[0]["IISAuthenticationMethods"], serde_json::json!(["Ntlm", "OAuth", "Negotiate"]));
    let errors = lab.cmd(&["--output", "json", "-c", "Get-Foo"]);
    assert_eq!(errors.status, 1);
    let record: serde_json::Value = serde_json::from_str(errors.stderr.lines().next().unwrap_or("")).expect("error as JSON");
    assert_eq!(record["fully_qualified_error_id"], "CommandNotFoundException");
}

#[test]
fn concurrent_one_shot_commands_wait_for_the_store_instead_of_failing() {
    let lab = Lab::new();
    let mut setup = String::new();
    for i in 0..8 {
        setup.push_str(&format!("New-Mailbox -Name u{i} -UserPrincipalName u{i}@contoso.com -Password 'Pw-{i}'\n"));
    }
    lab.stdin(&setup).ok();
    let children: Vec<_> = (0..8)
        .map(|i| {
            std::process::Command::new(crate::common::bin())
                .arg("--store")
                .arg(lab.store())
                .arg("-c")
                .arg(format!("Set-CASMailbox u{i} -MAPIEnabled $false"))
                .stdin(std::process::Stdio::null())
                .output()
        })
        .collect::<Vec<_>>();
    // The commands above ran one after another; now really in parallel.
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let store = lab.store();
            std::thread::spawn(move || {
                std::process::Command::new(crate::common::bin())
                    .arg("--store")
                    .arg(store)
                    .arg("-c")
                    .arg(format!("Set-CASMailbox u{i} -ImapEnabled $false"))
                    .stdin(std::process::Stdio::null())
                    .output()
                    .expect("run")
            })
        })
        .collect();
    for h in handles {
        let out = h.join().expect("thread");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(children.iter().all(|c| c.as_ref().is_ok_and(|o| o.status.success())));
    let json = lab.json("Get-CASMailbox");
    for m in json.as_array().expect("array") {
        assert_eq!(m["MAPIEnabled"], false);
        assert_eq!(m["ImapEnabled"], false);
    }
}
