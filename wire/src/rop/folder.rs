//! Folder ROPs (MS-OXCROPS §2.2.4, semantics in MS-OXCFOLD §2.2.1; the rules table in MS-OXCROPS §2.2.11.2,
//! MS-OXORULE §2.2.2): RopOpenFolder (0x02), RopGetHierarchyTable (0x04), RopGetContentsTable (0x05),
//! RopGetRulesTable (0x3F). Each opens an object into the handle-table slot `OutputHandleIndex`.

use super::RopId;
use super::field::{expect_success, put_success, rop_request, rop_response};
use crate::buf::{Codec, Reader, Writer};
use crate::error::{Result, WireError};
use crate::ids::ObjectId;

/// `OpenModeFlags` of RopOpenFolder (MS-OXCFOLD §2.2.1.1.1).
pub mod open_mode {
    /// Open a soft-deleted folder too.
    pub const OPEN_SOFT_DELETED: u8 = 0x04;
}

/// `TableFlags` of RopGetHierarchyTable / RopGetContentsTable / RopGetRulesTable (MS-OXCFOLD §2.2.1.13.1,
/// §2.2.1.14.1; MS-OXORULE §2.2.2.1).
pub mod table_flags {
    /// Contents table: the folder's associated (FAI) messages.
    pub const ASSOCIATED: u8 = 0x02;
    /// Hierarchy table: every descendant, not only direct children.
    pub const DEPTH: u8 = 0x04;
    /// Contents table: categorised conversation members.
    pub const CONVERSATION_MEMBERS: u8 = 0x80;
    /// Errors may be deferred until the table is read.
    pub const DEFERRED_ERRORS: u8 = 0x08;
    /// No table notifications.
    pub const NO_NOTIFICATIONS: u8 = 0x10;
    /// Soft-deleted rows only.
    pub const SOFT_DELETES: u8 = 0x20;
    /// Strings as PtypString (hierarchy/contents; the rules table uses 0x40 for this).
    pub const USE_UNICODE: u8 = 0x40;
    /// Rules table: strings as PtypString (MS-OXORULE §2.2.2.1).
    pub const RULES_USE_UNICODE: u8 = 0x40;
}

rop_request! {
    /// RopOpenFolder request (§2.2.4.1.1).
    OpenFolderRequest = OPEN_FOLDER, answer: output_handle_index,
    output: |r: &OpenFolderRequest| Some(r.output_handle_index), {
        /// `OutputHandleIndex`: the slot receiving the Folder object.
        output_handle_index: u8,
        /// `FolderId`.
        folder_id: ObjectId,
        /// `OpenModeFlags`, see [`open_mode`].
        open_mode_flags: u8,
    }
}

/// Replica servers of a ghosted public folder (present in a RopOpenFolder response only when `IsGhosted`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GhostInfo {
    /// `CheapServerCount`: how many of `servers` (from the front) are cheap to reach.
    pub cheap_server_count: u16,
    /// `Servers`: ASCII names.
    pub servers: Vec<String>,
}

/// RopOpenFolder success response (§2.2.4.1.2): `HasRules`, `IsGhosted`, and for a ghosted folder
/// `ServerCount`, `CheapServerCount`, `Servers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFolderResponse {
    /// `OutputHandleIndex`.
    pub handle_index: u8,
    /// `HasRules`: non-zero when the folder has rules.
    pub has_rules: u8,
    /// `IsGhosted` and its servers; `None` for a folder held here (every private mailbox folder).
    pub ghost: Option<GhostInfo>,
}

impl Codec for OpenFolderResponse {
    const NAME: &'static str = "RopOpenFolder response";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        put_success(w, RopId::OPEN_FOLDER, self.handle_index);
        w.u8(self.has_rules);
        match &self.ghost {
            None => w.u8(0),
            Some(g) => {
                w.u8(1);
                let n = u16::try_from(g.servers.len()).map_err(|_| WireError::TooLarge {
                    what: "Servers",
                    len: g.servers.len(),
                    limit: u16::MAX as usize,
                })?;
                if g.cheap_server_count > n {
                    return Err(WireError::invalid(
                        "CheapServerCount",
                        "more than ServerCount",
                    ));
                }
                w.u16(n);
                w.u16(g.cheap_server_count);
                for s in &g.servers {
                    w.asciiz(s, "Servers")?;
                }
            }
        }
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let handle_index = expect_success(r, RopId::OPEN_FOLDER, Self::NAME)?;
        let has_rules = r.u8("HasRules")?;
        let ghost = match r.u8("IsGhosted")? {
            0 => None,
            1 => {
                let n = r.u16("ServerCount")?;
                let cheap_server_count = r.u16("CheapServerCount")?;
                if cheap_server_count > n || usize::from(n) > r.remaining() {
                    return Err(WireError::invalid("ServerCount", "inconsistent counts"));
                }
                let mut servers = Vec::with_capacity(usize::from(n));
                for _ in 0..n {
                    servers.push(r.asciiz("Servers")?);
                }
                Some(GhostInfo {
                    cheap_server_count,
                    servers,
                })
            }
            other => return Err(WireError::invalid("IsGhosted", format!("{other:#04x}"))),
        };
        Ok(OpenFolderResponse {
            handle_index,
            has_rules,
            ghost,
        })
    }
}

rop_request! {
    /// RopGetHierarchyTable request (§2.2.4.13.1).
    GetHierarchyTableRequest = GET_HIERARCHY_TABLE, answer: output_handle_index,
    output: |r: &GetHierarchyTableRequest| Some(r.output_handle_index), {
        /// `OutputHandleIndex`: the slot receiving the Table object.
        output_handle_index: u8,
        /// `TableFlags`, see [`table_flags`].
        table_flags: u8,
    }
}

rop_response! {
    /// RopGetHierarchyTable success response (§2.2.4.13.2).
    GetHierarchyTableResponse = GET_HIERARCHY_TABLE {
        /// `RowCount`: rows in the new table.
        row_count: u32,
    }
}

rop_request! {
    /// RopGetContentsTable request (§2.2.4.14.1).
    GetContentsTableRequest = GET_CONTENTS_TABLE, answer: output_handle_index,
    output: |r: &GetContentsTableRequest| Some(r.output_handle_index), {
        /// `OutputHandleIndex`: the slot receiving the Table object.
        output_handle_index: u8,
        /// `TableFlags`, see [`table_flags`].
        table_flags: u8,
    }
}

rop_response! {
    /// RopGetContentsTable success response (§2.2.4.14.2).
    GetContentsTableResponse = GET_CONTENTS_TABLE {
        /// `RowCount`: rows in the new table.
        row_count: u32,
    }
}

rop_request! {
    /// RopGetRulesTable request (§2.2.11.2.1).
    GetRulesTableRequest = GET_RULES_TABLE, answer: output_handle_index,
    output: |r: &GetRulesTableRequest| Some(r.output_handle_index), {
        /// `OutputHandleIndex`: the slot receiving the Table object.
        output_handle_index: u8,
        /// `TableFlags`: only [`table_flags::RULES_USE_UNICODE`] is defined.
        table_flags: u8,
    }
}

rop_response! {
    /// RopGetRulesTable success response (§2.2.11.2.2): the header only.
    GetRulesTableResponse = GET_RULES_TABLE {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    #[test]
    fn open_folder_layouts() {
        // §2.2.4.1.1: RopId 02, LogonId, InputHandleIndex, OutputHandleIndex, FolderId (8), OpenModeFlags.
        let req = OpenFolderRequest {
            logon_id: 0,
            input_handle_index: 0,
            output_handle_index: 1,
            folder_id: ObjectId::new(1, 0x0d),
            open_mode_flags: 0,
        };
        let bytes = hex("02 00 00 01 0100 00000000000d 00");
        assert_eq!(req.encode().unwrap(), bytes);
        assert_eq!(OpenFolderRequest::decode(&bytes).unwrap(), req);
        // §2.2.4.1.2: RopId, OutputHandleIndex, ReturnValue, HasRules, IsGhosted.
        let resp = OpenFolderResponse {
            handle_index: 1,
            has_rules: 0,
            ghost: None,
        };
        assert_eq!(resp.encode().unwrap(), hex("02 01 00000000 00 00"));
        let ghosted = OpenFolderResponse {
            handle_index: 1,
            has_rules: 1,
            ghost: Some(GhostInfo {
                cheap_server_count: 1,
                servers: vec!["ex01".into()],
            }),
        };
        let bytes = ghosted.encode().unwrap();
        assert_eq!(bytes, hex("02 01 00000000 01 01 0100 0100 65783031 00"));
        assert_eq!(OpenFolderResponse::decode(&bytes).unwrap(), ghosted);
        assert!(OpenFolderResponse::decode(&hex("02 01 00000000 00 02")).is_err());
        assert!(OpenFolderResponse::decode(&hex("02 01 0f010480 00 00")).is_err());
    }

    #[test]
    fn table_opening_layouts() {
        let h = GetHierarchyTableRequest {
            logon_id: 0,
            input_handle_index: 1,
            output_handle_index: 2,
            table_flags: table_flags::DEPTH,
        };
        assert_eq!(h.encode().unwrap(), hex("04 00 01 02 04"));
        assert_eq!(
            GetHierarchyTableRequest::decode(&hex("04 00 01 02 04")).unwrap(),
            h
        );
        let hr = GetHierarchyTableResponse {
            handle_index: 2,
            row_count: 10,
        };
        assert_eq!(hr.encode().unwrap(), hex("04 02 00000000 0a000000"));
        let c = GetContentsTableRequest {
            logon_id: 0,
            input_handle_index: 1,
            output_handle_index: 2,
            table_flags: 0,
        };
        assert_eq!(c.encode().unwrap(), hex("05 00 01 02 00"));
        let cr = GetContentsTableResponse {
            handle_index: 2,
            row_count: 0,
        };
        assert_eq!(
            GetContentsTableResponse::decode(&hex("05 02 00000000 00000000")).unwrap(),
            cr
        );
        // MS-OXORULE §4.2.2 example: the server's RopGetRulesTable response is 3f 01 00000000.
        let rr = GetRulesTableResponse { handle_index: 1 };
        assert_eq!(rr.encode().unwrap(), hex("3f 01 00000000"));
        assert_eq!(
            GetRulesTableResponse::decode(&hex("3f 01 00000000")).unwrap(),
            rr
        );
        let rq = GetRulesTableRequest {
            logon_id: 0,
            input_handle_index: 0,
            output_handle_index: 1,
            table_flags: table_flags::RULES_USE_UNICODE,
        };
        assert_eq!(rq.encode().unwrap(), hex("3f 00 00 01 40"));
        // A request for another ROP is refused.
        assert!(GetContentsTableRequest::decode(&hex("04 00 01 02 00")).is_err());
    }
}
