//! Folder ROPs (MS-OXCFOLD §3.2.5): RopOpenFolder, RopGetHierarchyTable, RopGetContentsTable, and
//! RopGetRulesTable (MS-OXORULE §3.2.5.2). Each opens an object into the request's output slot.

use mapish_wire::ec;
use mapish_wire::rop::folder::table_flags;
use mapish_wire::rop::{
    GetContentsTableRequest, GetContentsTableResponse, GetHierarchyTableRequest,
    GetHierarchyTableResponse, GetRulesTableRequest, GetRulesTableResponse, OpenFolderRequest,
    OpenFolderResponse, RopResponse,
};

use super::Ctx;
use super::objects::{ServerObject, Table, TableKind};
use super::table::row_count;

/// The folder (global counter) a folder ROP works on: the object in slot `index` must be a folder.
fn folder_of(ctx: &Ctx<'_>, index: u8) -> Result<u64, u32> {
    match ctx.handles.object(index)? {
        ServerObject::Folder { folder, .. } => Ok(*folder),
        _ => Err(ec::NOT_SUPPORTED),
    }
}

/// RopOpenFolder (0x02): the input is the logon or a folder; the folder must be one of this mailbox's.
pub fn open_folder(ctx: &mut Ctx<'_>, req: &OpenFolderRequest) -> Result<RopResponse, u32> {
    match ctx.handles.object(req.input_handle_index)? {
        ServerObject::Logon { .. } | ServerObject::Folder { .. } => {}
        _ => return Err(ec::NOT_SUPPORTED),
    }
    let mailbox = ctx.mailbox.guid;
    let set = ctx.folders()?;
    if req.folder_id.replica_id != set.replica_id || set.get(req.folder_id.global_counter).is_none()
    {
        return Err(ec::NOT_FOUND);
    }
    let folder = req.folder_id.global_counter;
    ctx.handles.create(
        req.output_handle_index,
        req.logon_id,
        ServerObject::Folder { mailbox, folder },
    )?;
    Ok(RopResponse::OpenFolder(OpenFolderResponse {
        handle_index: req.output_handle_index,
        has_rules: 0,
        ghost: None,
    }))
}

fn open_table(ctx: &mut Ctx<'_>, output: u8, logon_id: u8, table: Table) -> Result<u32, u32> {
    let rows = row_count(ctx, &table)?;
    let mailbox = ctx.mailbox.guid;
    ctx.handles
        .create(output, logon_id, ServerObject::Table { mailbox, table })?;
    Ok(rows)
}

/// RopGetHierarchyTable (0x04): the folder's subfolders, or all its descendants with TableFlags Depth.
pub fn get_hierarchy_table(
    ctx: &mut Ctx<'_>,
    req: &GetHierarchyTableRequest,
) -> Result<RopResponse, u32> {
    let folder = folder_of(ctx, req.input_handle_index)?;
    if req.table_flags & table_flags::SOFT_DELETES != 0 {
        // Nothing is ever soft-deleted here.
        let t = Table::new(TableKind::Contents { folder }, true);
        let rows = open_table(ctx, req.output_handle_index, req.logon_id, t)?;
        return Ok(RopResponse::GetHierarchyTable(GetHierarchyTableResponse {
            handle_index: req.output_handle_index,
            row_count: rows,
        }));
    }
    let kind = TableKind::Hierarchy {
        folder,
        depth: req.table_flags & table_flags::DEPTH != 0,
    };
    let unicode = req.table_flags & table_flags::USE_UNICODE != 0;
    let rows = open_table(
        ctx,
        req.output_handle_index,
        req.logon_id,
        Table::new(kind, unicode),
    )?;
    Ok(RopResponse::GetHierarchyTable(GetHierarchyTableResponse {
        handle_index: req.output_handle_index,
        row_count: rows,
    }))
}

/// RopGetContentsTable (0x05): no messages exist yet, so the table is empty (normal or associated).
pub fn get_contents_table(
    ctx: &mut Ctx<'_>,
    req: &GetContentsTableRequest,
) -> Result<RopResponse, u32> {
    let folder = folder_of(ctx, req.input_handle_index)?;
    let unicode = req.table_flags & table_flags::USE_UNICODE != 0;
    let rows = open_table(
        ctx,
        req.output_handle_index,
        req.logon_id,
        Table::new(TableKind::Contents { folder }, unicode),
    )?;
    Ok(RopResponse::GetContentsTable(GetContentsTableResponse {
        handle_index: req.output_handle_index,
        row_count: rows,
    }))
}

/// RopGetRulesTable (0x3F): no rules exist yet, so the table is empty.
pub fn get_rules_table(ctx: &mut Ctx<'_>, req: &GetRulesTableRequest) -> Result<RopResponse, u32> {
    let folder = folder_of(ctx, req.input_handle_index)?;
    let unicode = req.table_flags & table_flags::RULES_USE_UNICODE != 0;
    open_table(
        ctx,
        req.output_handle_index,
        req.logon_id,
        Table::new(TableKind::Rules { folder }, unicode),
    )?;
    Ok(RopResponse::GetRulesTable(GetRulesTableResponse {
        handle_index: req.output_handle_index,
    }))
}
