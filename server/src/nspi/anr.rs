//! Ambiguous name resolution (MS-OXNSPI §3.1.4.7): free text typed by a user mapped to one mail user, to
//! several (MID_AMBIGUOUS) or to none (MID_UNRESOLVED).
//!
//! The algorithm is the server's to choose. Like Exchange's, it first looks for exact matches
//! (case-insensitive) on display name, name, alias, primary SMTP address (with or without `SMTP:`), user
//! principal name and LegacyExchangeDN; only if there is none does it fall back to prefixes of the display
//! name, of each word of it, of the alias, the name and the addresses. An empty string is unresolved.

use mapish_wire::nspi::{MID_AMBIGUOUS, MID_UNRESOLVED};

use super::gal::{Entry, Gal};

fn cleaned(text: &str) -> String {
    let t = text.trim();
    let t = t.strip_prefix('=').unwrap_or(t).trim();
    let t = match t.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("smtp:") => &t[5..],
        _ => t,
    };
    t.to_lowercase()
}

fn exact(e: &Entry, t: &str) -> bool {
    [&e.display_name, &e.name, &e.alias, &e.smtp, &e.upn, &e.dn]
        .iter()
        .any(|v| !v.is_empty() && v.to_lowercase() == t)
}

/// Whether `e` matches `t` (already cleaned) by prefix.
fn prefix(e: &Entry, t: &str) -> bool {
    let words = e.display_name.split_whitespace();
    [&e.display_name, &e.name, &e.alias, &e.smtp, &e.upn]
        .into_iter()
        .map(String::as_str)
        .chain(words)
        .any(|v| v.to_lowercase().starts_with(t))
}

/// Whether `e` is a match for `text` in an ANR restriction (PidTagAnr): exact or prefix.
pub fn matches(e: &Entry, text: &str) -> bool {
    let t = cleaned(text);
    !t.is_empty() && (exact(e, &t) || prefix(e, &t))
}

/// The mail users `text` resolves to among `rows` (MIDs of a container): the exact matches if any, else the
/// prefix matches.
pub fn candidates<'a>(gal: &'a Gal, rows: &[u32], text: &str) -> Vec<&'a Entry> {
    let t = cleaned(text);
    if t.is_empty() {
        return Vec::new();
    }
    let entries: Vec<&Entry> = rows.iter().filter_map(|m| gal.entry(*m)).collect();
    let exact_hits: Vec<&Entry> = entries.iter().copied().filter(|e| exact(e, &t)).collect();
    if !exact_hits.is_empty() {
        return exact_hits;
    }
    entries.into_iter().filter(|e| prefix(e, &t)).collect()
}

/// The ANR result for `text`: the MID of the one match, MID_AMBIGUOUS or MID_UNRESOLVED.
pub fn resolve(gal: &Gal, rows: &[u32], text: &str) -> u32 {
    match candidates(gal, rows, text).as_slice() {
        [] => MID_UNRESOLVED,
        [one] => one.mid,
        _ => MID_AMBIGUOUS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nspi::gal::tests::sample;

    #[test]
    fn resolution() {
        let gal = sample();
        let rows = gal.table(0).unwrap();
        let r = |t: &str| resolve(&gal, rows, t);
        assert_eq!(r("Alice Example"), 0x11);
        assert_eq!(r("alice example"), 0x11);
        assert_eq!(r("alice"), 0x11);
        assert_eq!(r("SMTP:alice@contoso.com"), 0x11);
        assert_eq!(
            r("=bob"),
            0x12,
            "an exact alias match wins over the prefix match of Bobby"
        );
        assert_eq!(r("Bo"), MID_AMBIGUOUS);
        assert_eq!(r("Example"), MID_AMBIGUOUS, "a word of two display names");
        assert_eq!(r("Jones"), 0x14);
        assert_eq!(r("nobody"), MID_UNRESOLVED);
        assert_eq!(r(""), MID_UNRESOLVED);
        assert_eq!(r("   "), MID_UNRESOLVED);
        assert_eq!(
            r("HealthMailbox1"),
            MID_UNRESOLVED,
            "hidden from address lists"
        );
        assert_eq!(r(&gal.entries[2].dn.to_uppercase()), 0x13);
    }
}
