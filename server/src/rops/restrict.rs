//! Evaluating a Restriction (MS-OXCDATA §2.12) over a table row, and comparing values for RopSortTable.
//!
//! Rows are folders, which have no subobjects (recipients, attachments): a SubObject restriction matches
//! nothing. A Count restriction (which limits how many rows match) and RELOP_RE / RELOP_MEMBER_OF_DL are not
//! evaluated: RopRestrict answers ecTooComplex for them rather than guessing.

use std::cmp::Ordering;

use mapish_wire::prop::{PropTag, PropertyValue};
use mapish_wire::rop::Restriction;
use mapish_wire::rop::restriction::{bitmask, fuzzy, relop};

/// ecTooComplex: the restriction cannot be evaluated (MS-OXCDATA §2.4).
pub const TOO_COMPLEX: u32 = 0x8004_0117;

/// Fails with ecTooComplex if `r` uses something [`matches`] does not evaluate.
pub fn check(r: &Restriction) -> Result<(), u32> {
    match r {
        Restriction::And(list) | Restriction::Or(list) => list.iter().try_for_each(check),
        Restriction::Not(inner) => check(inner),
        Restriction::Comment { restriction, .. } => restriction.as_deref().map_or(Ok(()), check),
        Restriction::SubObject { restriction, .. } => check(restriction),
        Restriction::Count { .. } => Err(TOO_COMPLEX),
        Restriction::Property { relop, .. }
        | Restriction::CompareProps { relop, .. }
        | Restriction::Size { relop, .. } => {
            if *relop <= relop::NE {
                Ok(())
            } else {
                Err(TOO_COMPLEX)
            }
        }
        Restriction::Content { .. } | Restriction::Bitmask { .. } | Restriction::Exist(_) => Ok(()),
    }
}

/// Whether the row whose values `get` returns matches `r` (which passed [`check`]).
pub fn matches(r: &Restriction, get: &dyn Fn(PropTag) -> Option<PropertyValue>) -> bool {
    match r {
        Restriction::And(list) => list.iter().all(|r| matches(r, get)),
        Restriction::Or(list) => list.iter().any(|r| matches(r, get)),
        Restriction::Not(inner) => !matches(inner, get),
        Restriction::Content {
            fuzzy_low,
            fuzzy_high,
            tag,
            value,
        } => match (get(*tag), &value.value) {
            (Some(have), want) => content_matches(&have, want, *fuzzy_low, *fuzzy_high),
            (None, _) => false,
        },
        Restriction::Property { relop, tag, value } => get(*tag)
            .and_then(|have| compare(&have, &value.value))
            .is_some_and(|ord| relop_holds(*relop, ord)),
        Restriction::CompareProps { relop, tag1, tag2 } => match (get(*tag1), get(*tag2)) {
            (Some(a), Some(b)) => compare(&a, &b).is_some_and(|ord| relop_holds(*relop, ord)),
            _ => false,
        },
        Restriction::Bitmask { op, tag, mask } => match get(*tag) {
            Some(PropertyValue::Integer32(v)) => {
                let zero = (v as u32) & mask == 0;
                if *op == bitmask::BMR_EQZ { zero } else { !zero }
            }
            _ => false,
        },
        Restriction::Size { relop, tag, size } => {
            get(*tag).is_some_and(|v| relop_holds(*relop, value_size(&v).cmp(&(*size as usize))))
        }
        Restriction::Exist(tag) => get(*tag).is_some(),
        Restriction::SubObject { .. } => false,
        Restriction::Comment { restriction, .. } => {
            restriction.as_deref().is_none_or(|r| matches(r, get))
        }
        Restriction::Count { restriction, .. } => matches(restriction, get),
    }
}

fn relop_holds(op: u8, ord: Ordering) -> bool {
    match op {
        relop::LT => ord == Ordering::Less,
        relop::LE => ord != Ordering::Greater,
        relop::GT => ord == Ordering::Greater,
        relop::GE => ord != Ordering::Less,
        relop::EQ => ord == Ordering::Equal,
        relop::NE => ord != Ordering::Equal,
        _ => false,
    }
}

fn text(v: &PropertyValue) -> Option<&str> {
    match v {
        PropertyValue::String(s) | PropertyValue::String8(s) => Some(s),
        _ => None,
    }
}

fn content_matches(have: &PropertyValue, want: &PropertyValue, low: u16, high: u16) -> bool {
    let (have, want): (Vec<u8>, Vec<u8>) = match (text(have), text(want)) {
        (Some(h), Some(w)) => {
            if high & (fuzzy::IGNORECASE | fuzzy::LOOSE) != 0 {
                (h.to_lowercase().into_bytes(), w.to_lowercase().into_bytes())
            } else {
                (h.as_bytes().to_vec(), w.as_bytes().to_vec())
            }
        }
        _ => match (have, want) {
            (PropertyValue::Binary(h), PropertyValue::Binary(w)) => (h.clone(), w.clone()),
            _ => return false,
        },
    };
    match low & 0x000F {
        fuzzy::FULLSTRING => have == want,
        fuzzy::PREFIX => have.starts_with(&want),
        fuzzy::SUBSTRING => want.is_empty() || have.windows(want.len()).any(|w| w == want),
        _ => false,
    }
}

fn value_size(v: &PropertyValue) -> usize {
    match v {
        PropertyValue::Boolean(_) => 2,
        PropertyValue::Integer16(_) => 2,
        PropertyValue::Integer32(_) | PropertyValue::ErrorCode(_) => 4,
        PropertyValue::Integer64(_) | PropertyValue::Time(_) | PropertyValue::Floating64(_) => 8,
        PropertyValue::Guid(_) => 16,
        PropertyValue::String(s) => (s.encode_utf16().count() + 1) * 2,
        PropertyValue::String8(s) => s.len() + 1,
        PropertyValue::Binary(b) | PropertyValue::ServerId(b) => b.len(),
        other => format!("{other:?}").len(),
    }
}

/// Orders two values of comparable types; strings case-insensitively, as Exchange sorts and compares them.
/// `None` when the types do not compare.
pub fn compare(a: &PropertyValue, b: &PropertyValue) -> Option<Ordering> {
    use PropertyValue as V;
    Some(match (a, b) {
        (V::Integer16(x), V::Integer16(y)) => x.cmp(y),
        (V::Integer32(x), V::Integer32(y)) => x.cmp(y),
        (V::Integer64(x), V::Integer64(y)) => x.cmp(y),
        (V::Time(x), V::Time(y)) => x.cmp(y),
        (V::Boolean(x), V::Boolean(y)) => x.cmp(y),
        (V::Floating64(x), V::Floating64(y)) => x.partial_cmp(y)?,
        (V::Binary(x), V::Binary(y)) => x.cmp(y),
        (V::Guid(x), V::Guid(y)) => x.cmp(y),
        (V::ErrorCode(x), V::ErrorCode(y)) => x.cmp(y),
        _ => match (text(a), text(b)) {
            (Some(x), Some(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
            _ => return None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapish_wire::prop::TaggedValue;
    use mapish_wire::prop::tags::*;

    fn row(tag: PropTag) -> Option<PropertyValue> {
        match tag.id() {
            0x3001 => Some(PropertyValue::String("Sent Items".into())),
            0x3602 => Some(PropertyValue::Integer32(5)),
            0x3613 => Some(PropertyValue::String("IPF.Note".into())),
            _ => None,
        }
    }

    fn prop(op: u8, tag: PropTag, v: PropertyValue) -> Restriction {
        Restriction::Property {
            relop: op,
            tag,
            value: TaggedValue::new(tag, v),
        }
    }

    #[test]
    fn property_content_exist_and_logic() {
        assert!(matches(
            &prop(
                relop::EQ,
                PID_TAG_CONTAINER_CLASS,
                PropertyValue::String("ipf.note".into())
            ),
            &row
        ));
        assert!(matches(
            &prop(
                relop::GT,
                PID_TAG_CONTENT_COUNT,
                PropertyValue::Integer32(4)
            ),
            &row
        ));
        assert!(!matches(
            &prop(
                relop::LT,
                PID_TAG_CONTENT_COUNT,
                PropertyValue::Integer32(4)
            ),
            &row
        ));
        // A missing property never matches a property restriction, and mismatched types do not compare.
        assert!(!matches(
            &prop(
                relop::NE,
                PID_TAG_COMMENT,
                PropertyValue::String("x".into())
            ),
            &row
        ));
        assert!(!matches(
            &prop(
                relop::EQ,
                PID_TAG_CONTENT_COUNT,
                PropertyValue::String("5".into())
            ),
            &row
        ));
        let content = |low, high, s: &str| Restriction::Content {
            fuzzy_low: low,
            fuzzy_high: high,
            tag: PID_TAG_DISPLAY_NAME,
            value: TaggedValue::new(PID_TAG_DISPLAY_NAME, PropertyValue::String(s.into())),
        };
        assert!(matches(
            &content(fuzzy::SUBSTRING, fuzzy::IGNORECASE, "ITEM"),
            &row
        ));
        assert!(!matches(&content(fuzzy::SUBSTRING, 0, "ITEM"), &row));
        assert!(matches(&content(fuzzy::PREFIX, 0, "Sent"), &row));
        assert!(!matches(&content(fuzzy::FULLSTRING, 0, "Sent"), &row));
        let exist = Restriction::Exist(PID_TAG_CONTAINER_CLASS);
        let not_exist = Restriction::Not(Box::new(Restriction::Exist(PID_TAG_COMMENT)));
        assert!(matches(
            &Restriction::And(vec![exist.clone(), not_exist.clone()]),
            &row
        ));
        assert!(!matches(&Restriction::Not(Box::new(exist.clone())), &row));
        assert!(matches(
            &Restriction::Or(vec![Restriction::Not(Box::new(exist)), not_exist]),
            &row
        ));
        assert!(matches(&Restriction::And(vec![]), &row));
        assert!(!matches(&Restriction::Or(vec![]), &row));
        let bits = Restriction::Bitmask {
            op: bitmask::BMR_NEZ,
            tag: PID_TAG_CONTENT_COUNT,
            mask: 4,
        };
        assert!(matches(&bits, &row));
        let size = Restriction::Size {
            relop: relop::EQ,
            tag: PID_TAG_CONTAINER_CLASS,
            size: 18,
        };
        assert!(matches(&size, &row));
    }

    #[test]
    fn what_is_not_evaluated_is_too_complex() {
        let count = Restriction::Count {
            count: 1,
            restriction: Box::new(Restriction::Exist(PID_TAG_DISPLAY_NAME)),
        };
        assert_eq!(check(&count), Err(TOO_COMPLEX));
        assert_eq!(
            check(&Restriction::Not(Box::new(prop(
                relop::RE,
                PID_TAG_DISPLAY_NAME,
                PropertyValue::String("x".into())
            )))),
            Err(TOO_COMPLEX)
        );
        assert_eq!(check(&Restriction::Exist(PID_TAG_DISPLAY_NAME)), Ok(()));
    }
}
