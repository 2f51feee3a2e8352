//! Evaluating GetMatches filters against mail users (MS-OXNSPI §3.1.4.1.10; restriction semantics of
//! MS-OXCDATA §2.12). Supported: And, Or, Not, Content (full string, substring, prefix; case-insensitive or
//! not), Property (the six comparisons), Exist, and PidTagAnr under Property or Content restrictions, which
//! means ambiguous name resolution. Anything else is TooComplex, as the spec allows.

use std::cmp::Ordering;

use mapish_wire::ec;
use mapish_wire::nspi::restriction::{fuzzy, relop};
use mapish_wire::nspi::{AbTaggedValue, Restriction};
use mapish_wire::prop::PropertyValue;

use super::anr;
use super::codepage;
use super::gal::{Entry, Gal, Object};
use super::props::{self, Native, Want};

/// PidTagAnr's property id.
const ANR: u16 = 0x360C;

/// The comparand as text, or as an integer, or as bytes.
enum Comparand {
    Text(String),
    Int(i64),
    Bool(bool),
    Bin(Vec<u8>),
}

fn comparand(v: &AbTaggedValue, code_page: u32) -> Option<Comparand> {
    Some(match v.value.as_ref()? {
        PropertyValue::String(s) => Comparand::Text(s.clone()),
        PropertyValue::String8(s) => Comparand::Text(codepage::decode(s, code_page)),
        PropertyValue::Integer32(i) => Comparand::Int(i64::from(*i)),
        PropertyValue::Integer16(i) => Comparand::Int(i64::from(*i)),
        PropertyValue::Integer64(i) => Comparand::Int(*i),
        PropertyValue::Boolean(b) => Comparand::Bool(*b),
        PropertyValue::Binary(b) => Comparand::Bin(b.clone()),
        _ => return None,
    })
}

fn relate(relop: u8, ord: Ordering) -> Result<bool, u32> {
    Ok(match relop {
        relop::LT => ord == Ordering::Less,
        relop::LE => ord != Ordering::Greater,
        relop::GT => ord == Ordering::Greater,
        relop::GE => ord != Ordering::Less,
        relop::EQ => ord == Ordering::Equal,
        relop::NE => ord != Ordering::Equal,
        _ => return Err(ec::nspi::TOO_COMPLEX),
    })
}

/// Whether `entry` satisfies `r`; Err(TooComplex) for what mapish does not evaluate.
pub fn satisfies(gal: &Gal, entry: &Entry, r: &Restriction, code_page: u32) -> Result<bool, u32> {
    let want = Want {
        code_page,
        ephemeral: false,
    };
    let native = |id| props::native(gal, Object::Entry(entry), id, want);
    match r {
        Restriction::And(rs) => {
            for sub in rs {
                if !satisfies(gal, entry, sub, code_page)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Restriction::Or(rs) => {
            for sub in rs {
                if satisfies(gal, entry, sub, code_page)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Restriction::Not(sub) => Ok(!satisfies(gal, entry, sub, code_page)?),
        Restriction::Exist { tag } => Ok(tag.id() == ANR || native(tag.id()).is_some()),
        Restriction::Property { relop, tag, value } => {
            let Some(c) = comparand(value, code_page) else {
                return Err(ec::nspi::TOO_COMPLEX);
            };
            if tag.id() == ANR {
                let Comparand::Text(t) = c else {
                    return Err(ec::nspi::TOO_COMPLEX);
                };
                return Ok(anr::matches(entry, &t));
            }
            let Some(v) = native(tag.id()) else {
                return Ok(*relop == relop::NE);
            };
            match (v, c) {
                (Native::Text(s), Comparand::Text(t)) => {
                    relate(*relop, s.to_lowercase().cmp(&t.to_lowercase()))
                }
                (Native::Texts(vs), Comparand::Text(t)) => {
                    let t = t.to_lowercase();
                    let mut any = false;
                    for s in vs {
                        any |= relate(*relop, s.to_lowercase().cmp(&t))?;
                    }
                    Ok(any)
                }
                (Native::Int(i), Comparand::Int(j)) => relate(*relop, i64::from(i).cmp(&j)),
                (Native::Bool(a), Comparand::Bool(b)) => relate(*relop, a.cmp(&b)),
                (Native::Bin(a), Comparand::Bin(b)) => relate(*relop, a.cmp(&b)),
                _ => Ok(false),
            }
        }
        Restriction::Content {
            fuzzy_level,
            tag,
            value,
        } => {
            let Some(Comparand::Text(t)) = comparand(value, code_page) else {
                return Err(ec::nspi::TOO_COMPLEX);
            };
            if tag.id() == ANR {
                return Ok(anr::matches(entry, &t));
            }
            let texts = match native(tag.id()) {
                Some(Native::Text(s)) => vec![s],
                Some(Native::Texts(v)) => v,
                Some(_) => return Err(ec::nspi::TOO_COMPLEX),
                None => return Ok(false),
            };
            let fold = |s: &str| {
                if fuzzy_level & (fuzzy::IGNORECASE | fuzzy::LOOSE) != 0 {
                    s.to_lowercase()
                } else {
                    s.to_string()
                }
            };
            let t = fold(&t);
            Ok(texts.iter().any(|s| {
                let s = fold(s);
                match fuzzy_level & 0xFFFF {
                    fuzzy::SUBSTRING => s.contains(&t),
                    fuzzy::PREFIX => s.starts_with(&t),
                    _ => s == t,
                }
            }))
        }
        Restriction::CompareProps { .. }
        | Restriction::Bitmask { .. }
        | Restriction::Size { .. }
        | Restriction::SubObject { .. } => Err(ec::nspi::TOO_COMPLEX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nspi::gal::tests::sample;
    use mapish_wire::prop::PropType;
    use mapish_wire::prop::tags::*;

    fn matching(gal: &Gal, r: &Restriction) -> Result<Vec<u32>, u32> {
        let mut out = Vec::new();
        for e in &gal.entries {
            if satisfies(gal, e, r, 1252)? {
                out.push(e.mid);
            }
        }
        Ok(out)
    }

    fn text(tag: mapish_wire::prop::PropTag, s: &str) -> AbTaggedValue {
        AbTaggedValue::new(tag, PropertyValue::String(s.into()))
    }

    #[test]
    fn restrictions_select_entries() {
        let gal = sample();
        let eq = Restriction::Property {
            relop: relop::EQ,
            tag: PID_TAG_ACCOUNT,
            value: text(PID_TAG_ACCOUNT, "BOB"),
        };
        assert_eq!(matching(&gal, &eq), Ok(vec![0x12]));
        let anr = Restriction::Property {
            relop: relop::EQ,
            tag: PID_TAG_ANR,
            value: text(PID_TAG_ANR, "bo"),
        };
        assert_eq!(matching(&gal, &anr), Ok(vec![0x12, 0x13]));
        let prefix = Restriction::Content {
            fuzzy_level: fuzzy::PREFIX | fuzzy::IGNORECASE,
            tag: PID_TAG_DISPLAY_NAME,
            value: text(PID_TAG_DISPLAY_NAME, "CAROL"),
        };
        assert_eq!(matching(&gal, &prefix), Ok(vec![0x14]));
        let case_sensitive = Restriction::Content {
            fuzzy_level: fuzzy::SUBSTRING,
            tag: PID_TAG_DISPLAY_NAME,
            value: text(PID_TAG_DISPLAY_NAME, "Example"),
        };
        assert_eq!(matching(&gal, &case_sensitive), Ok(vec![0x11, 0x12]));
        let not = Restriction::Not(Box::new(case_sensitive.clone()));
        assert_eq!(matching(&gal, &not), Ok(vec![0x13, 0x14]));
        let and = Restriction::And(vec![
            case_sensitive.clone(),
            Restriction::Not(Box::new(eq.clone())),
        ]);
        assert_eq!(matching(&gal, &and), Ok(vec![0x11]));
        let or = Restriction::Or(vec![eq, prefix]);
        assert_eq!(matching(&gal, &or), Ok(vec![0x12, 0x14]));
        let exist = Restriction::Exist {
            tag: PID_TAG_SMTP_ADDRESS,
        };
        assert_eq!(matching(&gal, &exist).unwrap().len(), 4);
        let none = Restriction::Exist {
            tag: PID_TAG_DEPARTMENT_NAME,
        };
        assert_eq!(matching(&gal, &none), Ok(vec![]));
        // String8 comparands are read in the code page.
        let s8 = Restriction::Property {
            relop: relop::GE,
            tag: PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8),
            value: AbTaggedValue::new(PID_TAG_DISPLAY_NAME, PropertyValue::String8("bobby".into())),
        };
        assert_eq!(matching(&gal, &s8), Ok(vec![0x13, 0x14]));
        let ints = Restriction::Property {
            relop: relop::EQ,
            tag: PID_TAG_OBJECT_TYPE,
            value: AbTaggedValue::new(PID_TAG_OBJECT_TYPE, PropertyValue::Integer32(6)),
        };
        assert_eq!(matching(&gal, &ints).unwrap().len(), 4);
        let regex = Restriction::Property {
            relop: relop::RE,
            tag: PID_TAG_ACCOUNT,
            value: text(PID_TAG_ACCOUNT, "b.*"),
        };
        assert_eq!(matching(&gal, &regex), Err(ec::nspi::TOO_COMPLEX));
        let size = Restriction::Size {
            relop: relop::GT,
            tag: PID_TAG_ACCOUNT,
            size: 1,
        };
        assert_eq!(matching(&gal, &size), Err(ec::nspi::TOO_COMPLEX));
    }
}
