//! The cmdlet reference in docs/cmdlets is generated from the declarations; this fails when it is
//! stale. Regenerate with `cargo run -- docs --out docs/cmdlets`.

use crate::common::{repo_root, Lab};

#[test]
fn the_generated_cmdlet_reference_is_up_to_date() {
    let lab = Lab::empty();
    let out = lab.path("generated");
    lab.cmd(&["docs", "--out", out.to_str().expect("utf-8")]).status.eq(&0).then_some(()).expect("mapish docs");
    let committed = repo_root().join("docs/cmdlets");
    let mut names: Vec<String> = std::fs::read_dir(&out).expect("generated").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let mut committed_names: Vec<String> = std::fs::read_dir(&committed)
        .map(|d| d.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    committed_names.sort();
    assert_eq!(names, committed_names, "docs/cmdlets has other files than the generator writes; run `cargo run -- docs --out docs/cmdlets`");
    for name in names {
        let fresh = std::fs::read_to_string(out.join(&name)).expect("read generated");
        let old = std::fs::read_to_string(committed.join(&name)).expect("read committed");
        assert!(fresh == old, "docs/cmdlets/{name} is stale; run `cargo run -- docs --out docs/cmdlets`");
    }
}

#[test]
fn get_help_shows_the_same_parameter_text_as_the_reference() {
    let lab = Lab::new();
    let run = lab.c("Get-Help Set-CASMailbox -Parameter MAPIEnabled");
    run.ok();
    let reference = std::fs::read_to_string(repo_root().join("docs/cmdlets/Set-CASMailbox.md")).expect("reference");
    let help_line = run.stdout.lines().find(|l| l.contains("blocks all MAPI access")).expect("help text").trim().to_string();
    assert!(reference.contains(&help_line), "{help_line}");
    assert!(run.stdout.contains("Required?                    False"), "{}", run.stdout);
}
