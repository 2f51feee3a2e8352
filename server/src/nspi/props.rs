//! The properties of address book objects (MS-OXOABK §2.2), and how a requested tag's type shapes the
//! value: PtypString gets UTF-16, PtypString8 gets the STAT code page, PtypUnspecified gets the property's
//! own type (MS-OXNSPI §3.1.4.3).

use mapish_wire::ec;
use mapish_wire::nspi::{
    AB_RECIPIENTS, AB_UNMODIFIABLE, AbCell, EntryId, MAPI_ABCONT, MAPI_MAILUSER,
};
use mapish_wire::prop::tags::*;
use mapish_wire::prop::{PropTag, PropType, PropertyValue};

use super::codepage;
use super::gal::{Entry, Gal, Object};

/// PidTagDisplayTypeEx of a mail user: DTE_FLAG_ACL_CAPABLE | DT_MAILUSER (MS-OXOABK §2.2.3.12).
const DISPLAY_TYPE_EX_MAILUSER: i32 = 0x4000_0000;

/// How values are asked for.
#[derive(Debug, Clone, Copy)]
pub struct Want {
    /// The code page of PtypString8 values (the STAT's).
    pub code_page: u32,
    /// fEphID: PidTagEntryId as an Ephemeral Entry ID.
    pub ephemeral: bool,
}

/// A property's value in its own type, before the request shapes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Native {
    /// Text (PtypString, or PtypString8 by canonical type).
    Text(String),
    /// Several texts.
    Texts(Vec<String>),
    /// PtypInteger32.
    Int(i32),
    /// PtypBoolean.
    Bool(bool),
    /// PtypBinary.
    Bin(Vec<u8>),
}

impl Native {
    fn natural_type(&self) -> PropType {
        match self {
            Native::Text(_) => PropType::STRING,
            Native::Texts(_) => PropType::MULTIPLE_STRING,
            Native::Int(_) => PropType::INTEGER32,
            Native::Bool(_) => PropType::BOOLEAN,
            Native::Bin(_) => PropType::BINARY,
        }
    }
}

/// The properties a mail user has, in the order GetPropList reports them (canonical tags).
pub const ENTRY_PROPERTIES: &[PropTag] = &[
    PID_TAG_ENTRY_ID,
    PID_TAG_INSTANCE_KEY,
    PID_TAG_RECORD_KEY,
    PID_TAG_SEARCH_KEY,
    PID_TAG_OBJECT_TYPE,
    PID_TAG_DISPLAY_TYPE,
    PID_TAG_DISPLAY_TYPE_EX,
    PID_TAG_TEMPLATEID,
    PID_TAG_DISPLAY_NAME,
    PID_TAG_TRANSMITTABLE_DISPLAY_NAME,
    PID_TAG_ADDRESS_TYPE,
    PID_TAG_EMAIL_ADDRESS,
    PID_TAG_SMTP_ADDRESS,
    PID_TAG_ACCOUNT,
    PID_TAG_ADDRESS_BOOK_PROXY_ADDRESSES,
    PID_TAG_ADDRESS_BOOK_HOME_MESSAGE_DATABASE,
    PID_TAG_ADDRESS_BOOK_OBJECT_GUID,
    PID_TAG_SEND_RICH_INFO,
];

/// The properties of an address list.
pub const CONTAINER_PROPERTIES: &[PropTag] = &[
    PID_TAG_ENTRY_ID,
    PID_TAG_INSTANCE_KEY,
    PID_TAG_RECORD_KEY,
    PID_TAG_OBJECT_TYPE,
    PID_TAG_DISPLAY_TYPE,
    PID_TAG_DISPLAY_NAME,
    PID_TAG_EMAIL_ADDRESS,
    PID_TAG_CONTAINER_FLAGS,
    PID_TAG_DEPTH,
    PID_TAG_ADDRESS_BOOK_CONTAINER_ID,
    PID_TAG_ADDRESS_BOOK_IS_MASTER,
];

/// The default columns of QueryRows and ResolveNames when the client names none (MS-OXNSPI §3.1.4.1.8).
pub fn default_columns() -> Vec<PropTag> {
    vec![
        PID_TAG_ADDRESS_BOOK_CONTAINER_ID,
        PID_TAG_OBJECT_TYPE,
        PID_TAG_DISPLAY_TYPE,
        PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8),
        PID_TAG_PRIMARY_TELEPHONE_NUMBER.with_type(PropType::STRING8),
        PID_TAG_DEPARTMENT_NAME.with_type(PropType::STRING8),
        PID_TAG_OFFICE_LOCATION.with_type(PropType::STRING8),
    ]
}

/// The DN of a mailbox database on `server` in `organization` (PidTagAddressBookHomeMessageDatabase).
pub fn database_dn(organization: &str, server: &str) -> String {
    format!(
        "/o={organization}/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn={server}/cn=Microsoft Private MDB"
    )
}

/// The Permanent Entry ID of an object.
pub fn permanent_entry_id(object: Object<'_>) -> Vec<u8> {
    EntryId::Permanent {
        display_type: object.display_type(),
        dn: object.dn().to_string(),
    }
    .to_bytes()
    .unwrap_or_default()
}

fn entry_native(gal: &Gal, e: &Entry, id: u16, want: Want) -> Option<Native> {
    let object = Object::Entry(e);
    let text = |s: &str| (!s.is_empty()).then(|| Native::Text(s.to_string()));
    Some(match id {
        0x0FFF => {
            if want.ephemeral {
                Native::Bin(
                    EntryId::Ephemeral {
                        server_guid: gal.server_guid,
                        display_type: object.display_type(),
                        mid: e.mid,
                    }
                    .to_bytes()
                    .ok()?,
                )
            } else {
                Native::Bin(permanent_entry_id(object))
            }
        }
        0x3902 | 0x0FF9 => Native::Bin(permanent_entry_id(object)),
        0x0FF6 => Native::Bin(e.mid.to_le_bytes().to_vec()),
        0x300B => Native::Bin(format!("EX:{}\0", e.dn.to_uppercase()).into_bytes()),
        0x0FFE => Native::Int(MAPI_MAILUSER as i32),
        0x3900 => Native::Int(object.display_type() as i32),
        0x3905 => Native::Int(DISPLAY_TYPE_EX_MAILUSER),
        0x3001 | 0x3A20 => return text(&e.display_name),
        0x3002 => Native::Text("EX".into()),
        0x3003 => return text(&e.dn),
        0x39FE => return text(&e.smtp),
        0x3A00 => return text(&e.alias),
        0x800F => {
            if e.smtp.is_empty() {
                return None;
            }
            Native::Texts(vec![format!("SMTP:{}", e.smtp)])
        }
        0x8006 => {
            if e.server.is_empty() {
                return None;
            }
            Native::Text(database_dn(&gal.organization, &e.server))
        }
        0x8C6D => Native::Bin(e.guid.to_bytes_le().to_vec()),
        0x3A40 => Native::Bool(true),
        _ => return None,
    })
}

fn container_native(gal: &Gal, object: Object<'_>, id: u16, want: Want) -> Option<Native> {
    let Object::Container(c) = object else {
        return None;
    };
    Some(match id {
        0x0FFF if want.ephemeral => Native::Bin(
            EntryId::Ephemeral {
                server_guid: gal.server_guid,
                display_type: c.display_type,
                mid: c.mid,
            }
            .to_bytes()
            .ok()?,
        ),
        0x0FFF | 0x0FF9 => Native::Bin(permanent_entry_id(object)),
        0x0FF6 => Native::Bin(c.mid.to_le_bytes().to_vec()),
        0x0FFE => Native::Int(MAPI_ABCONT as i32),
        0x3900 => Native::Int(c.display_type as i32),
        0x3001 => Native::Text(c.display_name.clone()),
        0x3003 => Native::Text(c.dn.clone()),
        0x3600 => Native::Int((AB_RECIPIENTS | AB_UNMODIFIABLE) as i32),
        0x3005 => Native::Int(0),
        0xFFFD => Native::Int(c.mid as i32),
        0xFFFB => Native::Bool(false),
        _ => return None,
    })
}

/// The value of property `id` of `object`, in its own type.
pub fn native(gal: &Gal, object: Object<'_>, id: u16, want: Want) -> Option<Native> {
    match object {
        Object::Entry(e) => entry_native(gal, e, id, want),
        Object::Container(_) => container_native(gal, object, id, want),
    }
}

/// `native` shaped by the requested type; `None` when the property is missing or cannot take that type.
pub fn shape(native: Native, ptype: PropType, code_page: u32) -> Option<PropertyValue> {
    let ptype = if ptype == PropType::UNSPECIFIED {
        native.natural_type()
    } else {
        ptype
    };
    Some(match (native, ptype) {
        (Native::Text(s), PropType::STRING) => PropertyValue::String(s),
        (Native::Text(s), PropType::STRING8) => {
            PropertyValue::String8(codepage::encode(&s, code_page))
        }
        (Native::Texts(v), PropType::MULTIPLE_STRING) => PropertyValue::MultipleString(v),
        (Native::Texts(v), PropType::MULTIPLE_STRING8) => PropertyValue::MultipleString8(
            v.iter().map(|s| codepage::encode(s, code_page)).collect(),
        ),
        (Native::Int(i), PropType::INTEGER32) => PropertyValue::Integer32(i),
        (Native::Bool(b), PropType::BOOLEAN) => PropertyValue::Boolean(b),
        (Native::Bin(b), PropType::BINARY) => PropertyValue::Binary(b),
        _ => return None,
    })
}

/// The value for column `tag` of `object`.
pub fn value(gal: &Gal, object: Object<'_>, tag: PropTag, want: Want) -> Option<PropertyValue> {
    shape(
        native(gal, object, tag.id(), want)?,
        tag.ptype(),
        want.code_page,
    )
}

/// The row cell for column `tag` of `object` (ecNotFound when it has no such value).
pub fn cell(gal: &Gal, object: Option<Object<'_>>, tag: PropTag, want: Want) -> AbCell {
    match object.and_then(|o| value(gal, o, tag, want)) {
        Some(v) => AbCell::Value(v),
        None => AbCell::Error(ec::nspi::NOT_FOUND),
    }
}

/// The tags `object` has, strings typed PtypString (`unicode`) or PtypString8.
pub fn property_list(object: Object<'_>, unicode: bool) -> Vec<PropTag> {
    let all = match object {
        Object::Entry(_) => ENTRY_PROPERTIES,
        Object::Container(_) => CONTAINER_PROPERTIES,
    };
    all.iter().map(|t| string_typed(*t, unicode)).collect()
}

/// `tag` with its string type (single or multi) set to Unicode or 8-bit.
pub fn string_typed(tag: PropTag, unicode: bool) -> PropTag {
    match tag.ptype() {
        PropType::STRING | PropType::STRING8 => tag.with_type(if unicode {
            PropType::STRING
        } else {
            PropType::STRING8
        }),
        PropType::MULTIPLE_STRING | PropType::MULTIPLE_STRING8 => tag.with_type(if unicode {
            PropType::MULTIPLE_STRING
        } else {
            PropType::MULTIPLE_STRING8
        }),
        _ => tag,
    }
}

/// Every column QueryColumns offers.
pub fn all_columns(unicode: bool) -> Vec<PropTag> {
    let mut out: Vec<PropTag> = Vec::new();
    for t in ENTRY_PROPERTIES.iter().chain(CONTAINER_PROPERTIES) {
        let t = string_typed(*t, unicode);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nspi::gal::tests::sample;
    use mapish_wire::nspi::GUID_NSPI;

    const WANT: Want = Want {
        code_page: 1252,
        ephemeral: false,
    };

    #[test]
    fn a_mail_user_has_the_address_book_properties() {
        let gal = sample();
        let alice = Object::Entry(&gal.entries[0]);
        let v = |tag| value(&gal, alice, tag, WANT);
        assert_eq!(
            v(PID_TAG_DISPLAY_NAME),
            Some(PropertyValue::String("Alice Example".into()))
        );
        assert_eq!(
            v(PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8)),
            Some(PropertyValue::String8("Alice Example".into()))
        );
        assert_eq!(
            v(PID_TAG_ADDRESS_TYPE),
            Some(PropertyValue::String("EX".into()))
        );
        assert_eq!(
            v(PID_TAG_SMTP_ADDRESS),
            Some(PropertyValue::String("alice@contoso.com".into()))
        );
        assert_eq!(
            v(PID_TAG_ACCOUNT),
            Some(PropertyValue::String("alice".into()))
        );
        assert_eq!(v(PID_TAG_OBJECT_TYPE), Some(PropertyValue::Integer32(6)));
        assert_eq!(v(PID_TAG_DISPLAY_TYPE), Some(PropertyValue::Integer32(0)));
        assert_eq!(
            v(PID_TAG_ADDRESS_BOOK_PROXY_ADDRESSES),
            Some(PropertyValue::MultipleString(vec![
                "SMTP:alice@contoso.com".into()
            ]))
        );
        let Some(PropertyValue::Binary(eid)) = v(PID_TAG_ENTRY_ID) else {
            panic!("no entry id")
        };
        assert_eq!(
            EntryId::parse(&eid).unwrap(),
            EntryId::Permanent {
                display_type: 0,
                dn: gal.entries[0].dn.clone()
            }
        );
        assert_eq!(&eid[4..20], GUID_NSPI.to_bytes_le());
        let eph = value(
            &gal,
            alice,
            PID_TAG_ENTRY_ID,
            Want {
                ephemeral: true,
                ..WANT
            },
        );
        let Some(PropertyValue::Binary(eph)) = eph else {
            panic!()
        };
        assert_eq!(
            EntryId::parse(&eph).unwrap(),
            EntryId::Ephemeral {
                server_guid: gal.server_guid,
                display_type: 0,
                mid: 0x11
            }
        );
        // Unspecified → own type; wrong type or unknown property → none.
        assert_eq!(
            v(PID_TAG_ACCOUNT.with_type(PropType::UNSPECIFIED)),
            Some(PropertyValue::String("alice".into()))
        );
        assert_eq!(v(PID_TAG_ACCOUNT.with_type(PropType::INTEGER32)), None);
        assert_eq!(v(PID_TAG_DEPARTMENT_NAME), None);
        assert!(matches!(
            cell(&gal, Some(alice), PID_TAG_DEPARTMENT_NAME, WANT),
            AbCell::Error(0x8004_010F)
        ));
        assert_eq!(
            v(PID_TAG_ADDRESS_BOOK_HOME_MESSAGE_DATABASE),
            Some(PropertyValue::String8(database_dn("Contoso", "EX01")))
        );
    }

    #[test]
    fn property_lists_follow_the_string_type_asked_for() {
        let gal = sample();
        let alice = Object::Entry(&gal.entries[0]);
        let unicode = property_list(alice, true);
        assert!(unicode.contains(&PID_TAG_DISPLAY_NAME));
        assert!(
            unicode
                .contains(&PID_TAG_ADDRESS_BOOK_HOME_MESSAGE_DATABASE.with_type(PropType::STRING))
        );
        let ansi = property_list(alice, false);
        assert!(ansi.contains(&PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8)));
        assert!(
            ansi.contains(
                &PID_TAG_ADDRESS_BOOK_PROXY_ADDRESSES.with_type(PropType::MULTIPLE_STRING8)
            )
        );
        // Every listed property has a value.
        for tag in unicode {
            assert!(value(&gal, alice, tag, WANT).is_some(), "{tag}");
        }
    }
}
