//! The configuration-file import (`mapish import`, Import-MapishConfig): TOML parsing, the schema walk
//! with the binder's conversions, and planning against a store snapshot. Malformed TOML, wrong types
//! and absurd values must come back as problems, never as a panic; what is accepted must export and
//! import back to the same plan-free state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapish_commands::config::{self, Current, NoSecrets, PlanOptions, Source};
use mapish_store::{MapiVirtualDirectory, Organization, Server};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = Source::new("fuzz.toml", text);
    let Ok(desired) = config::parse(&source, &NoSecrets) else { return };
    // Against an empty store and against a small initialised one, with and without prune.
    let org = Organization::new("Contoso");
    let server = Server::new("EX01", "ex01.contoso.com");
    let lab = Current {
        organization: Some(org),
        vdirs: vec![MapiVirtualDirectory::with_defaults(&server)],
        servers: vec![server],
        mailboxes: Vec::new(),
    };
    for current in [Current::default(), lab] {
        for prune in [false, true] {
            let opts = PlanOptions { prune, ..PlanOptions::default() };
            if let Ok(plan) = config::plan(&desired, &current, &source, &opts) {
                let _ = config::render(&plan);
            }
        }
    }
});
