//! Logon-object ROPs (MS-OXCSTOR §3.2.5): RopLogon, RopGetReceiveFolder, RopLongTermIdFromId,
//! RopIdFromLongTermId, RopGetPerUserLongTermIds, RopGetStoreState; and RopRegisterNotification
//! (MS-OXCNOTIF §3.2.5.1), accepted with no events sent yet.

use mapish_store::SpecialFolder;
use mapish_wire::ec;
use mapish_wire::ids::ObjectId;
use mapish_wire::rop::logon::{logon_flags, open_flags};
use mapish_wire::rop::notify::NotificationScope;
use mapish_wire::rop::{
    GetPerUserLongTermIdsRequest, GetPerUserLongTermIdsResponse, GetReceiveFolderRequest,
    GetReceiveFolderResponse, GetStoreStateRequest, GetStoreStateResponse, IdFromLongTermIdRequest,
    IdFromLongTermIdResponse, LogonRequest, LogonResponse, LongTermId, LongTermIdFromIdRequest,
    LongTermIdFromIdResponse, RegisterNotificationRequest, RegisterNotificationResponse,
    RopResponse,
};

use super::Ctx;
use super::objects::ServerObject;
use crate::folders;

/// LogonFlags bits MS-OXCSTOR defines (Private, Undercover, Ghosted).
const DEFINED_LOGON_FLAGS: u8 =
    logon_flags::PRIVATE | logon_flags::UNDERCOVER | logon_flags::GHOSTED;

/// RopLogon (0xFE). Only the session owner's own mailbox can be opened. mapish hosts no public folders: a
/// public-folder logon fails with ecLoginFailure, the answer MS-OXCSTOR §3.2.5.1.1 gives when the store to log
/// on to cannot be found for a reason other than an unknown DN.
pub fn logon(ctx: &mut Ctx<'_>, req: &LogonRequest) -> LogonResponse {
    match logon_inner(ctx, req) {
        Ok(r) => r,
        Err(return_value) => LogonResponse::Failure {
            output_handle_index: req.output_handle_index,
            return_value,
        },
    }
}

fn logon_inner(ctx: &mut Ctx<'_>, req: &LogonRequest) -> Result<LogonResponse, u32> {
    if usize::from(req.output_handle_index) >= ctx.handles.slots.len() {
        return Err(ec::NULL_OBJECT);
    }
    if req.logon_flags & !DEFINED_LOGON_FLAGS != 0 {
        // MS-OXCSTOR §3.2.5.1: an undefined LogonFlags bit SHOULD fail with ecError.
        return Err(ec::ERROR);
    }
    if !req.is_private() {
        return Err(ec::LOGIN_FAILURE);
    }
    if req.open_flags & open_flags::USE_PER_MDB_REPLID_MAPPING == 0 {
        // MS-OXCSTOR §3.2.5.1.3: ecInvalidParameter when USE_PER_MDB_REPLID_MAPPING is not set.
        return Err(ec::INVALID_PARAM);
    }
    let mailbox = ctx.mailbox;
    if !req.essdn.eq_ignore_ascii_case(&mailbox.legacy_exchange_dn) {
        // Delegate access is not modelled: another user's mailbox is refused, an unknown DN is unknown.
        let other = ctx
            .store
            .find_mailboxes(&req.essdn)
            .unwrap_or_default()
            .into_iter()
            .any(|m| m.legacy_exchange_dn.eq_ignore_ascii_case(&req.essdn));
        return Err(if other {
            ec::LOGIN_PERM
        } else {
            ec::UNKNOWN_USER
        });
    }
    let now = ctx.now;
    let logon = folders::private_logon(mailbox, ctx.folders()?, req.logon_flags, now);
    if ctx.handles.objects.has_logon(req.logon_id) {
        // A LogonId already in use: the new logon replaces the old one and its objects.
        ctx.handles.objects.end_logon(req.logon_id);
    }
    ctx.handles.create(
        req.output_handle_index,
        req.logon_id,
        ServerObject::Logon {
            logon_id: req.logon_id,
            mailbox: mailbox.guid,
        },
    )?;
    Ok(LogonResponse::Private {
        output_handle_index: req.output_handle_index,
        logon: Box::new(logon),
    })
}

/// The object in slot `index` must be a logon.
fn expect_logon(ctx: &Ctx<'_>, index: u8) -> Result<(), u32> {
    match ctx.handles.object(index)? {
        ServerObject::Logon { .. } => Ok(()),
        _ => Err(ec::NOT_SUPPORTED),
    }
}

/// The receive folder registrations of a new mailbox (MS-OXCSTOR §3.2.5.2; Exchange's defaults): the
/// message-class prefix and the folder.
const RECEIVE_FOLDERS: [(&str, SpecialFolder); 4] = [
    ("", SpecialFolder::Inbox),
    ("IPM", SpecialFolder::Inbox),
    ("REPORT.IPM", SpecialFolder::Inbox),
    ("IPC", SpecialFolder::Root),
];

/// Whether `class` is a message class MS-OXCSTOR §2.2.1.2.1 allows: ASCII 32–126, at most 255 characters, not
/// starting or ending with a period, no two periods in a row.
fn valid_message_class(class: &str) -> bool {
    class.len() <= 255
        && class.bytes().all(|b| (32..=126).contains(&b))
        && !class.starts_with('.')
        && !class.ends_with('.')
        && !class.contains("..")
}

/// RopGetReceiveFolder (0x27): the folder registered for the longest prefix of the message class.
pub fn get_receive_folder(
    ctx: &mut Ctx<'_>,
    req: &GetReceiveFolderRequest,
) -> Result<RopResponse, u32> {
    expect_logon(ctx, req.input_handle_index)?;
    if !valid_message_class(&req.message_class) {
        return Err(ec::INVALID_PARAM);
    }
    let class = req.message_class.to_ascii_uppercase();
    let (prefix, folder) = RECEIVE_FOLDERS
        .iter()
        .filter(|(p, _)| p.is_empty() || class == *p || class.starts_with(&format!("{p}.")))
        .max_by_key(|(p, _)| p.len())
        .copied()
        .unwrap_or(("", SpecialFolder::Inbox));
    let set = ctx.folders()?;
    let gc = set.special(folder).ok_or(ec::NOT_FOUND)?.global_counter;
    Ok(RopResponse::GetReceiveFolder(GetReceiveFolderResponse {
        handle_index: req.input_handle_index,
        folder_id: folders::folder_id(set, gc),
        explicit_message_class: prefix.to_string(),
    }))
}

/// RopLongTermIdFromId (0x43): only the mailbox's own replica id is mapped.
pub fn long_term_id_from_id(
    ctx: &mut Ctx<'_>,
    req: &LongTermIdFromIdRequest,
) -> Result<RopResponse, u32> {
    expect_logon(ctx, req.input_handle_index)?;
    let replica = ctx.folders()?.replica_id;
    if req.object_id.replica_id != replica {
        return Err(ec::NOT_FOUND);
    }
    Ok(RopResponse::LongTermIdFromId(LongTermIdFromIdResponse {
        handle_index: req.input_handle_index,
        long_term_id: LongTermId::new(folders::replica_guid(ctx.mailbox), req.object_id),
    }))
}

/// RopIdFromLongTermId (0x44): only the mailbox's own replica GUID is mapped.
pub fn id_from_long_term_id(
    ctx: &mut Ctx<'_>,
    req: &IdFromLongTermIdRequest,
) -> Result<RopResponse, u32> {
    expect_logon(ctx, req.input_handle_index)?;
    if req.long_term_id.database_guid != folders::replica_guid(ctx.mailbox) {
        return Err(ec::NOT_FOUND);
    }
    let replica = ctx.folders()?.replica_id;
    Ok(RopResponse::IdFromLongTermId(IdFromLongTermIdResponse {
        handle_index: req.input_handle_index,
        object_id: ObjectId::new(replica, req.long_term_id.global_counter),
    }))
}

/// RopGetPerUserLongTermIds (0x60): no public folders exist, so no per-user read state does (an empty list is
/// allowed, MS-OXCSTOR §3.2.5.10).
pub fn get_per_user_long_term_ids(
    ctx: &mut Ctx<'_>,
    req: &GetPerUserLongTermIdsRequest,
) -> Result<RopResponse, u32> {
    expect_logon(ctx, req.input_handle_index)?;
    Ok(RopResponse::GetPerUserLongTermIds(
        GetPerUserLongTermIdsResponse {
            handle_index: req.input_handle_index,
            long_term_ids: Vec::new(),
        },
    ))
}

/// RopGetStoreState (0x7B): 0 — the mailbox has no search folders (STORE_HAS_SEARCHES clear).
pub fn get_store_state(ctx: &mut Ctx<'_>, req: &GetStoreStateRequest) -> Result<RopResponse, u32> {
    expect_logon(ctx, req.input_handle_index)?;
    Ok(RopResponse::GetStoreState(GetStoreStateResponse {
        handle_index: req.input_handle_index,
        store_state: 0,
    }))
}

/// RopRegisterNotification (0x29): the subscription is recorded as a Notify object; no events are generated
/// yet (nothing in a mailbox changes through mapish). A folder scope must name a folder of the mailbox.
pub fn register_notification(
    ctx: &mut Ctx<'_>,
    req: &RegisterNotificationRequest,
) -> Result<RopResponse, u32> {
    match ctx.handles.object(req.input_handle_index)? {
        ServerObject::Logon { .. } => {}
        _ => return Err(ec::NOT_SUPPORTED),
    }
    if let NotificationScope::Object { folder_id, .. } = req.scope {
        let set = ctx.folders()?;
        if folder_id.replica_id != set.replica_id || set.get(folder_id.global_counter).is_none() {
            return Err(ec::NOT_FOUND);
        }
    }
    let mailbox = ctx.mailbox.guid;
    ctx.handles.create(
        req.output_handle_index,
        req.logon_id,
        ServerObject::Notify {
            mailbox,
            types: req.notification_types,
            scope: req.scope,
        },
    )?;
    Ok(RopResponse::RegisterNotification(
        RegisterNotificationResponse {
            handle_index: req.output_handle_index,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_classes() {
        assert!(valid_message_class(""));
        assert!(valid_message_class("IPM.Note"));
        assert!(!valid_message_class(".IPM"));
        assert!(!valid_message_class("IPM..Note"));
        assert!(!valid_message_class("IPM.Note."));
        assert!(!valid_message_class(&"x".repeat(256)));
    }
}
