//! The one property table (`prop::tags::PROPERTIES`) checked against an independent list: impacket 0.13.1's
//! `impacket.mapi_constants.MAPI_PROPERTIES` (3274 entries, id → (type, LDAP name, AD name, …, canonical
//! name, PR_ name, internal name)), read through python3.
//!
//! For every entry of ours, impacket's entry for the same id must agree:
//! - same canonical name → same type (or the alternative type MS-OXPROPS lists, see `ALTERNATE_TYPES`);
//! - no canonical name in impacket → same type;
//! - another canonical name → the id is shared by two properties (MS-OXPROPS has a few, e.g. 0x0E08
//!   PidTagMessageSize / PidTagMessageSizeExtended) and impacket, keyed by id, holds one of them: ours must then
//!   list impacket's property too, with impacket's type, and ours must have another type.
//!
//! Skipped with a note when impacket is not installed, unless MAPISH_REQUIRE_INTEROP=1 (as `.ci/run` sets),
//! which makes a missing module a failure. Install: `python3 -m pip install impacket==0.13.1`.

use std::collections::HashMap;
use std::process::Command;

use mapish_wire::prop::PROPERTIES;

/// Properties MS-OXPROPS gives two data types, where impacket records the other one: (canonical name,
/// impacket's type). PidTagAddressBookHomeMessageDatabase is PtypString8, or PtypEmbeddedTable (0x000D) when
/// NSPI returns it (MS-OXPROPS §2.544).
const ALTERNATE_TYPES: &[(&str, u16)] = &[("PidTagAddressBookHomeMessageDatabase", 0x000D)];

const DUMP: &str = r#"
import importlib.metadata, sys
from impacket import mapi_constants
print("version", importlib.metadata.version("impacket"), sep="\t")
for pid, entry in sorted(mapi_constants.MAPI_PROPERTIES.items()):
    print(pid, entry[0], entry[4] or "", entry[6] or "", sep="\t")
"#;

struct Entry {
    ptype: u16,
    canonical: Option<String>,
}

/// impacket's table, or `None` when the module is missing.
fn impacket() -> Option<(String, HashMap<u16, Entry>)> {
    let out = Command::new("python3").args(["-c", DUMP]).output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        other => {
            let why = match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
                    .to_string(),
                Err(e) => e.to_string(),
            };
            assert!(
                std::env::var("MAPISH_REQUIRE_INTEROP").as_deref() != Ok("1"),
                "MAPISH_REQUIRE_INTEROP=1 but impacket cannot be read ({why}): python3 -m pip install impacket==0.13.1"
            );
            eprintln!(
                "skipped: impacket is not available ({why}); python3 -m pip install impacket==0.13.1"
            );
            return None;
        }
    };
    let text = String::from_utf8(out.stdout).expect("UTF-8 from python");
    let mut version = String::new();
    let mut table = HashMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields[0] == "version" {
            version = fields[1].to_string();
            continue;
        }
        let pid: u16 = fields[0].parse().expect("id");
        let ptype: u16 = fields[1].parse().expect("type");
        let canonical = Some(fields[2])
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        table.insert(pid, Entry { ptype, canonical });
    }
    Some((version, table))
}

#[test]
fn every_property_agrees_with_impacket() {
    let Some((version, table)) = impacket() else {
        return;
    };
    assert_eq!(version, "0.13.1", "the check is pinned to impacket 0.13.1");
    assert_eq!(table.len(), 3274, "impacket 0.13.1 lists 3274 properties");

    let ours: HashMap<(u16, &str), u16> = PROPERTIES
        .iter()
        .map(|p| ((p.tag.id(), p.name), p.tag.ptype().0))
        .collect();
    let mut problems = Vec::new();
    for p in PROPERTIES {
        let (id, ptype) = (p.tag.id(), p.tag.ptype().0);
        let Some(entry) = table.get(&id) else {
            problems.push(format!("{}: id 0x{id:04X} is not in impacket", p.name));
            continue;
        };
        match entry.canonical.as_deref() {
            Some(name) if name == p.name => {
                let alternate = ALTERNATE_TYPES.contains(&(p.name, entry.ptype));
                if entry.ptype != ptype && !alternate {
                    problems.push(format!(
                        "{}: type 0x{ptype:04X}, impacket says 0x{:04X}",
                        p.name, entry.ptype
                    ));
                }
            }
            None => {
                if entry.ptype != ptype {
                    problems.push(format!(
                        "{} (no canonical name in impacket): type 0x{ptype:04X}, impacket says 0x{:04X}",
                        p.name, entry.ptype
                    ));
                }
            }
            Some(other) => match ours.get(&(id, other)) {
                Some(&t) if t == entry.ptype && t != ptype => {}
                _ => problems.push(format!(
                    "{}: impacket names id 0x{id:04X} {other} (type 0x{:04X}); list {other} too if the id is shared",
                    p.name, entry.ptype
                )),
            },
        }
    }
    assert!(
        problems.is_empty(),
        "property table disagrees with impacket:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_alternate_types_are_still_needed() {
    // An exception that impacket no longer needs must go, or it would hide a future disagreement.
    let Some((_, table)) = impacket() else { return };
    for (name, ptype) in ALTERNATE_TYPES {
        let p = PROPERTIES
            .iter()
            .find(|p| p.name == *name)
            .expect("listed property");
        let entry = &table[&p.tag.id()];
        assert_eq!(entry.ptype, *ptype, "{name}");
        assert_ne!(
            entry.ptype,
            p.tag.ptype().0,
            "{name} now agrees: drop the exception"
        );
    }
}
