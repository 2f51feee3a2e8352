//! The properties of the objects ROPs reach — the logon (the mailbox store, MS-OXCSTOR §2.2.2) and its
//! folders (MS-OXCFOLD §2.2.2, MS-OXOSFLD §2.2) — and RopGetPropertiesSpecific / RopGetPropertiesAll /
//! RopGetPropertiesList over them (MS-OXCPRPT §3.2.5).
//!
//! A property the object does not have is answered as PtypErrorCode ecNotFound (MS-OXCPRPT §3.2.5.1), as is one
//! asked for with a type it cannot be given in. PtypString and PtypString8 convert into each other; PtypString8
//! is Latin-1 here (code page 1252's first 256 code points), anything else becomes `?`.

use chrono::{DateTime, Utc};
use mapish_store::{Folder, Mailbox, MailboxFolders, SpecialFolder};
use mapish_wire::ec;
use mapish_wire::nspi::entry_id::EntryId;
use mapish_wire::prop::tags::*;
use mapish_wire::prop::{PropTag, PropType, PropertyRow, PropertyValue, TaggedValue, xid};
use mapish_wire::rop::{
    GetPropertiesAllRequest, GetPropertiesAllResponse, GetPropertiesListRequest,
    GetPropertiesListResponse, GetPropertiesSpecificRequest, GetPropertiesSpecificResponse,
    RopResponse,
};

use super::Ctx;
use super::objects::ServerObject;
use crate::folders;

/// PidTagObjectType of a store (MAPI_STORE).
const MAPI_STORE: i32 = 1;
/// PidTagObjectType of a folder (MAPI_FOLDER).
const MAPI_FOLDER: i32 = 3;
/// PidTagFolderType: the root folder (FOLDER_ROOT) and every other folder (FOLDER_GENERIC).
const FOLDER_ROOT: i32 = 0;
const FOLDER_GENERIC: i32 = 1;
/// PidTagAccess: MAPI_ACCESS_READ only — mapish serves no ROP that changes a folder yet.
const ACCESS_READ: i32 = 0x0000_0002;
/// PidTagAccessLevel: read-only.
const ACCESS_LEVEL_READ_ONLY: i32 = 0;
/// PidTagRights of the owner as far as mapish can honour them: frightsReadAny | frightsOwner | frightsVisible.
const RIGHTS_OWNER_READ: i32 = 0x0000_0001 | 0x0000_0100 | 0x0000_0400;
/// PidTagStoreSupportMask (MS-OXCSTOR §2.2.2.1.1): STORE_ENTRYID_UNIQUE | STORE_READONLY | STORE_MV_PROPS_OK |
/// STORE_RESTRICTION_OK | STORE_SORT_OK | STORE_ANSI_OK | STORE_UNICODE_OK. No submit, create, modify,
/// notify or search: those ROPs are not served.
pub const STORE_SUPPORT_MASK: i32 =
    0x0000_0001 | 0x0000_0002 | 0x0000_0200 | 0x0000_1000 | 0x0000_2000 | 0x0002_0000 | 0x0004_0000;
/// PidTagDisplayType of a mail user (DT_MAILUSER) in an address book entry ID.
const DT_MAILUSER: u32 = 0;

fn time(t: DateTime<Utc>) -> PropertyValue {
    PropertyValue::Time(folders::filetime(t))
}

fn owner_entry_id(mailbox: &Mailbox) -> Option<PropertyValue> {
    EntryId::Permanent {
        display_type: DT_MAILUSER,
        dn: mailbox.legacy_exchange_dn.clone(),
    }
    .to_bytes()
    .ok()
    .map(PropertyValue::Binary)
}

fn special_entry_id(
    mailbox: &Mailbox,
    folders: &MailboxFolders,
    f: SpecialFolder,
) -> Option<PropertyValue> {
    folders
        .special(f)
        .map(|folder| PropertyValue::Binary(folders::entry_id(mailbox, folder.global_counter)))
}

/// Every property of the logon object, in a stable order.
pub fn logon_properties(
    mailbox: &Mailbox,
    folders: &MailboxFolders,
) -> Vec<(PropTag, PropertyValue)> {
    let name = if mailbox.display_name.is_empty() {
        &mailbox.name
    } else {
        &mailbox.display_name
    };
    let store_key = PropertyValue::Binary(mailbox.guid.to_bytes_le().to_vec());
    let mut out = vec![
        (
            PID_TAG_DISPLAY_NAME,
            PropertyValue::String(format!("Mailbox - {name}")),
        ),
        (
            PID_TAG_MAILBOX_OWNER_NAME,
            PropertyValue::String(name.clone()),
        ),
        (PID_TAG_OBJECT_TYPE, PropertyValue::Integer32(MAPI_STORE)),
        (PID_TAG_RECORD_KEY, store_key.clone()),
        (PID_TAG_STORE_RECORD_KEY, store_key),
        (
            PID_TAG_STORE_SUPPORT_MASK,
            PropertyValue::Integer32(STORE_SUPPORT_MASK),
        ),
        (PID_TAG_STORE_STATE, PropertyValue::Integer32(0)),
        (PID_TAG_OUT_OF_OFFICE_STATE, PropertyValue::Boolean(false)),
    ];
    if let Some(v) = owner_entry_id(mailbox) {
        out.push((PID_TAG_MAILBOX_OWNER_ENTRY_ID, v.clone()));
        out.push((PID_TAG_USER_ENTRY_ID, v));
    }
    for (tag, f) in [
        (PID_TAG_IPM_SUBTREE_ENTRY_ID, SpecialFolder::IpmSubtree),
        (PID_TAG_IPM_OUTBOX_ENTRY_ID, SpecialFolder::Outbox),
        (
            PID_TAG_IPM_WASTEBASKET_ENTRY_ID,
            SpecialFolder::DeletedItems,
        ),
        (PID_TAG_IPM_SENTMAIL_ENTRY_ID, SpecialFolder::SentItems),
        (PID_TAG_VIEWS_ENTRY_ID, SpecialFolder::Views),
        (PID_TAG_COMMON_VIEWS_ENTRY_ID, SpecialFolder::CommonViews),
        (PID_TAG_FINDER_ENTRY_ID, SpecialFolder::Finder),
    ] {
        if let Some(v) = special_entry_id(mailbox, folders, f) {
            out.push((tag, v));
        }
    }
    out
}

/// Every property of `folder`, in a stable order. The Root folder and the Inbox also carry the entry ids of
/// the Calendar, Contacts, Journal, Notes, Tasks and Drafts folders (MS-OXOSFLD §2.2.3).
pub fn folder_properties(
    mailbox: &Mailbox,
    folders: &MailboxFolders,
    folder: &Folder,
) -> Vec<(PropTag, PropertyValue)> {
    let gc = folder.global_counter;
    let id = folders::folder_id(folders, gc);
    let entry_id = PropertyValue::Binary(folders::entry_id(mailbox, gc));
    let children = folders.child_count(gc);
    let is_root = folder.special() == Some(SpecialFolder::Root);
    let mut out = vec![
        (
            PID_TAG_DISPLAY_NAME,
            PropertyValue::String(folder.display_name.clone()),
        ),
        (
            PID_TAG_FOLDER_ID,
            PropertyValue::Integer64(id.to_u64() as i64),
        ),
        (PID_TAG_ENTRY_ID, entry_id.clone()),
        (PID_TAG_RECORD_KEY, entry_id.clone()),
        (
            PID_TAG_SOURCE_KEY,
            PropertyValue::Binary(xid(folders::replica_guid(mailbox), gc)),
        ),
        (PID_TAG_OBJECT_TYPE, PropertyValue::Integer32(MAPI_FOLDER)),
        (
            PID_TAG_FOLDER_TYPE,
            PropertyValue::Integer32(if is_root { FOLDER_ROOT } else { FOLDER_GENERIC }),
        ),
        (
            PID_TAG_CONTENT_COUNT,
            PropertyValue::Integer32(folder.content_count as i32),
        ),
        (
            PID_TAG_CONTENT_UNREAD_COUNT,
            PropertyValue::Integer32(folder.unread_count as i32),
        ),
        (
            PID_TAG_ASSOCIATED_CONTENT_COUNT,
            PropertyValue::Integer32(0),
        ),
        (PID_TAG_SUBFOLDERS, PropertyValue::Boolean(children > 0)),
        (
            PID_TAG_FOLDER_CHILD_COUNT,
            PropertyValue::Integer32(children as i32),
        ),
        (PID_TAG_CREATION_TIME, time(folders.created)),
        (PID_TAG_LAST_MODIFICATION_TIME, time(folders.created)),
        (PID_TAG_ACCESS, PropertyValue::Integer32(ACCESS_READ)),
        (
            PID_TAG_ACCESS_LEVEL,
            PropertyValue::Integer32(ACCESS_LEVEL_READ_ONLY),
        ),
        (PID_TAG_RIGHTS, PropertyValue::Integer32(RIGHTS_OWNER_READ)),
        (PID_TAG_ATTRIBUTE_HIDDEN, PropertyValue::Boolean(false)),
    ];
    // The root is its own parent entry (MAPI convention); it has no parent folder id.
    if let Some(parent) = folders.get(folder.parent) {
        out.push((
            PID_TAG_PARENT_FOLDER_ID,
            PropertyValue::Integer64(
                folders::folder_id(folders, parent.global_counter).to_u64() as i64
            ),
        ));
        out.push((
            PID_TAG_PARENT_ENTRY_ID,
            PropertyValue::Binary(folders::entry_id(mailbox, parent.global_counter)),
        ));
    } else {
        out.push((PID_TAG_PARENT_ENTRY_ID, entry_id));
    }
    if let Some(class) = &folder.container_class {
        out.push((
            PID_TAG_CONTAINER_CLASS,
            PropertyValue::String(class.clone()),
        ));
    }
    if matches!(
        folder.special(),
        Some(SpecialFolder::Root | SpecialFolder::Inbox)
    ) {
        for (tag, f) in [
            (PID_TAG_IPM_APPOINTMENT_ENTRY_ID, SpecialFolder::Calendar),
            (PID_TAG_IPM_CONTACT_ENTRY_ID, SpecialFolder::Contacts),
            (PID_TAG_IPM_JOURNAL_ENTRY_ID, SpecialFolder::Journal),
            (PID_TAG_IPM_NOTE_ENTRY_ID, SpecialFolder::Notes),
            (PID_TAG_IPM_TASK_ENTRY_ID, SpecialFolder::Tasks),
            (PID_TAG_IPM_DRAFTS_ENTRY_ID, SpecialFolder::Drafts),
        ] {
            if let Some(v) = special_entry_id(mailbox, folders, f) {
                out.push((tag, v));
            }
        }
    }
    out
}

fn to_string8(s: &str) -> String {
    s.chars()
        .map(|c| if u32::from(c) <= 0xFF { c } else { '?' })
        .collect()
}

/// The value of `tag` among `props`, converted to the tag's type: `Some(value)` or `None` when the object has
/// no such property (or not in a type it can be given in). PtypUnspecified takes the stored type, with strings
/// as PtypString when `unicode`, else PtypString8.
pub fn pick(
    props: &[(PropTag, PropertyValue)],
    tag: PropTag,
    unicode: bool,
) -> Option<PropertyValue> {
    let (_, value) = props.iter().find(|(t, _)| t.id() == tag.id())?;
    let wanted = match tag.ptype() {
        PropType::UNSPECIFIED => match value {
            PropertyValue::String(_) | PropertyValue::String8(_) if unicode => PropType::STRING,
            PropertyValue::String(_) | PropertyValue::String8(_) => PropType::STRING8,
            other => other.ptype(),
        },
        t => t,
    };
    match (value, wanted) {
        (v, t) if v.ptype() == t => Some(v.clone()),
        (PropertyValue::String(s), PropType::STRING8) => {
            Some(PropertyValue::String8(to_string8(s)))
        }
        (PropertyValue::String8(s), PropType::STRING) => Some(PropertyValue::String(s.clone())),
        _ => None,
    }
}

/// The properties of the object in slot `index` (a logon or a folder); ecNotSupported for tables and
/// notification objects, whose properties ROPs do not reach.
fn object_properties(ctx: &mut Ctx<'_>, index: u8) -> Result<Vec<(PropTag, PropertyValue)>, u32> {
    let folder = match ctx.handles.object(index)? {
        ServerObject::Logon { .. } => None,
        ServerObject::Folder { folder, .. } => Some(*folder),
        _ => return Err(ec::NOT_SUPPORTED),
    };
    let mailbox = ctx.mailbox;
    let folders = ctx.folders()?;
    Ok(match folder {
        None => logon_properties(mailbox, folders),
        Some(gc) => {
            let f = folders.get(gc).ok_or(ec::NOT_FOUND)?;
            folder_properties(mailbox, folders, f)
        }
    })
}

/// RopGetPropertiesSpecific (0x07).
pub fn get_specific(
    ctx: &mut Ctx<'_>,
    req: &GetPropertiesSpecificRequest,
) -> Result<RopResponse, u32> {
    let props = object_properties(ctx, req.input_handle_index)?;
    let unicode = req.want_unicode != 0;
    let values = req.tags.iter().map(|t| pick(&props, *t, unicode)).collect();
    Ok(RopResponse::GetPropertiesSpecific(
        GetPropertiesSpecificResponse {
            handle_index: req.input_handle_index,
            columns: req.tags.clone(),
            row: PropertyRow { values },
        },
    ))
}

/// RopGetPropertiesAll (0x08): every property, strings as PtypString or PtypString8 per WantUnicode.
pub fn get_all(ctx: &mut Ctx<'_>, req: &GetPropertiesAllRequest) -> Result<RopResponse, u32> {
    let props = object_properties(ctx, req.input_handle_index)?;
    let unicode = req.want_unicode != 0;
    let values = props
        .iter()
        .filter_map(|(tag, _)| {
            pick(&props, tag.with_type(PropType::UNSPECIFIED), unicode)
                .map(|v| TaggedValue::new(*tag, v))
        })
        .collect();
    Ok(RopResponse::GetPropertiesAll(GetPropertiesAllResponse {
        handle_index: req.input_handle_index,
        values,
    }))
}

/// RopGetPropertiesList (0x09): the tags of every property.
pub fn get_list(ctx: &mut Ctx<'_>, req: &GetPropertiesListRequest) -> Result<RopResponse, u32> {
    let props = object_properties(ctx, req.input_handle_index)?;
    Ok(RopResponse::GetPropertiesList(GetPropertiesListResponse {
        handle_index: req.input_handle_index,
        tags: props.iter().map(|(t, _)| *t).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_convert_and_other_types_do_not() {
        let props = vec![
            (
                PID_TAG_DISPLAY_NAME,
                PropertyValue::String("Posteingang ✓".into()),
            ),
            (PID_TAG_CONTENT_COUNT, PropertyValue::Integer32(0)),
        ];
        assert_eq!(
            pick(
                &props,
                PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8),
                true
            ),
            Some(PropertyValue::String8("Posteingang ?".into()))
        );
        assert_eq!(
            pick(
                &props,
                PID_TAG_DISPLAY_NAME.with_type(PropType::UNSPECIFIED),
                false
            ),
            Some(PropertyValue::String8("Posteingang ?".into()))
        );
        assert_eq!(
            pick(
                &props,
                PID_TAG_CONTENT_COUNT.with_type(PropType::UNSPECIFIED),
                true
            ),
            Some(PropertyValue::Integer32(0))
        );
        assert_eq!(
            pick(
                &props,
                PID_TAG_CONTENT_COUNT.with_type(PropType::STRING),
                true
            ),
            None
        );
        assert_eq!(pick(&props, PID_TAG_CONTAINER_CLASS, true), None);
    }

    #[test]
    fn the_inbox_and_root_carry_the_ipm_entry_ids() {
        let mailbox = Mailbox::new("A", "a", "a@b.c", "a@b.c", "B", "EX01");
        let folders = MailboxFolders::special_set(Utc::now());
        let inbox = folders.special(SpecialFolder::Inbox).unwrap();
        let props = folder_properties(&mailbox, &folders, inbox);
        let cal = pick(&props, PID_TAG_IPM_APPOINTMENT_ENTRY_ID, true).unwrap();
        assert_eq!(
            cal,
            PropertyValue::Binary(folders::entry_id(&mailbox, 0x0f))
        );
        assert_eq!(
            pick(&props, PID_TAG_PARENT_FOLDER_ID, true),
            Some(PropertyValue::Integer64(
                mapish_wire::ids::ObjectId::new(1, 9).to_u64() as i64
            ))
        );
        let sent = folders.special(SpecialFolder::SentItems).unwrap();
        assert_eq!(
            pick(
                &folder_properties(&mailbox, &folders, sent),
                PID_TAG_IPM_APPOINTMENT_ENTRY_ID,
                true
            ),
            None
        );
        let root = folders.special(SpecialFolder::Root).unwrap();
        let root_props = folder_properties(&mailbox, &folders, root);
        assert_eq!(
            pick(&root_props, PID_TAG_FOLDER_TYPE, true),
            Some(PropertyValue::Integer32(0))
        );
        assert_eq!(pick(&root_props, PID_TAG_PARENT_FOLDER_ID, true), None);
        assert_eq!(
            pick(&root_props, PID_TAG_SUBFOLDERS, true),
            Some(PropertyValue::Boolean(true))
        );
    }
}
