//! Table ROPs over hierarchy, contents and rules tables (MS-OXCTABL §3.2.5): RopSetColumns, RopSortTable,
//! RopRestrict, RopQueryRows, RopQueryPosition, RopSeekRow.
//!
//! Rows are computed from the store on every read (a mailbox has a few dozen folders), then restricted, then
//! sorted (stable, so folders keep their stored order within equal keys). Contents and rules tables have no
//! rows: mapish stores no messages or rules yet.
//!
//! RopQueryRows sends as many whole rows as fit in what is left of the client's output buffer; if rows remain
//! but not one fits it fails with ecBufferTooSmall (MS-OXCTABL §3.2.5.5).

use std::cmp::Ordering;

use mapish_wire::buf::Writer;
use mapish_wire::ec;
use mapish_wire::prop::tags::{PID_TAG_DEPTH, PID_TAG_INSTANCE_KEY};
use mapish_wire::prop::{PropTag, PropertyRow, PropertyValue};
use mapish_wire::rop::table::{origin, query_rows_flags, sort_order, table_status};
use mapish_wire::rop::{
    QueryPositionRequest, QueryPositionResponse, QueryRowsRequest, QueryRowsResponse,
    RestrictRequest, RestrictResponse, RopResponse, SeekRowRequest, SeekRowResponse,
    SetColumnsRequest, SetColumnsResponse, SortTableRequest, SortTableResponse,
};

use super::Ctx;
use super::objects::{ServerObject, Table, TableKind};
use super::props::{folder_properties, pick};
use super::restrict;
use crate::folders;

type Row = Vec<(PropTag, PropertyValue)>;

/// The table in slot `index`; ecNotSupported when the object there is not a table (MS-OXCTABL §3.2.5).
fn table(ctx: &mut Ctx<'_>, index: u8) -> Result<Table, u32> {
    match ctx.handles.object(index)? {
        ServerObject::Table { table, .. } => Ok(table.clone()),
        _ => Err(ec::NOT_SUPPORTED),
    }
}

fn store_table(ctx: &mut Ctx<'_>, index: u8, new: Table) -> Result<(), u32> {
    match ctx.handles.object_mut(index)? {
        ServerObject::Table { table, .. } => {
            *table = new;
            Ok(())
        }
        _ => Err(ec::NOT_SUPPORTED),
    }
}

/// Every row of `t`, restricted and sorted.
pub fn rows(ctx: &mut Ctx<'_>, t: &Table) -> Result<Vec<Row>, u32> {
    let mut rows: Vec<Row> = match t.kind {
        TableKind::Hierarchy { folder, depth } => {
            let mailbox = ctx.mailbox;
            let set = ctx.folders()?;
            let listed: Vec<_> = if depth {
                set.descendants(folder)
            } else {
                set.children(folder).map(|f| (f, 1)).collect()
            };
            listed
                .into_iter()
                .map(|(f, d)| {
                    let mut row = folder_properties(mailbox, set, f);
                    // PidTagDepth is zero-based and relative to the table's folder.
                    row.push((PID_TAG_DEPTH, PropertyValue::Integer32(d as i32 - 1)));
                    row.push((
                        PID_TAG_INSTANCE_KEY,
                        PropertyValue::Binary(
                            folders::folder_id(set, f.global_counter)
                                .to_bytes()
                                .to_vec(),
                        ),
                    ));
                    row
                })
                .collect()
        }
        TableKind::Contents { .. } | TableKind::Rules { .. } => Vec::new(),
    };
    if let Some(r) = &t.restriction {
        rows.retain(|row| restrict::matches(r, &|tag| pick(row, tag, true)));
    }
    if !t.sort.is_empty() {
        rows.sort_by(|a, b| {
            for o in &t.sort {
                let ord = match (pick(a, o.tag, true), pick(b, o.tag, true)) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(x), Some(y)) => restrict::compare(&x, &y).unwrap_or(Ordering::Equal),
                };
                let ord = if o.order == sort_order::DESCENDING {
                    ord.reverse()
                } else {
                    ord
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
    }
    Ok(rows)
}

/// How many rows a table of `t` has now (RowCount of RopGetHierarchyTable and friends).
pub fn row_count(ctx: &mut Ctx<'_>, t: &Table) -> Result<u32, u32> {
    Ok(rows(ctx, t)?.len() as u32)
}

/// RopSetColumns (0x12).
pub fn set_columns(ctx: &mut Ctx<'_>, req: &SetColumnsRequest) -> Result<RopResponse, u32> {
    let mut t = table(ctx, req.input_handle_index)?;
    if req.columns.is_empty() {
        // MS-OXCTABL §2.2.2.2.1: every table has at least one column.
        return Err(ec::INVALID_PARAM);
    }
    t.columns = Some(req.columns.clone());
    store_table(ctx, req.input_handle_index, t)?;
    Ok(RopResponse::SetColumns(SetColumnsResponse {
        handle_index: req.input_handle_index,
        table_status: table_status::COMPLETE,
    }))
}

/// RopSortTable (0x13): categories are not supported (ecNotSupported); the cursor returns to the beginning.
pub fn sort_table(ctx: &mut Ctx<'_>, req: &SortTableRequest) -> Result<RopResponse, u32> {
    let mut t = table(ctx, req.input_handle_index)?;
    let sort = &req.sort;
    if usize::from(sort.categorized_count) > sort.orders.len()
        || sort.expanded_count > sort.categorized_count
    {
        return Err(ec::INVALID_PARAM);
    }
    if sort.categorized_count > 0 {
        return Err(ec::NOT_SUPPORTED);
    }
    t.sort = sort.orders.clone();
    t.position = 0;
    store_table(ctx, req.input_handle_index, t)?;
    Ok(RopResponse::SortTable(SortTableResponse {
        handle_index: req.input_handle_index,
        table_status: table_status::COMPLETE,
    }))
}

/// RopRestrict (0x14): an empty restriction removes it; the cursor returns to the beginning.
pub fn restrict(ctx: &mut Ctx<'_>, req: &RestrictRequest) -> Result<RopResponse, u32> {
    let mut t = table(ctx, req.input_handle_index)?;
    if let Some(r) = &req.restriction.0 {
        restrict::check(r)?;
    }
    t.restriction = req.restriction.0.clone();
    t.position = 0;
    store_table(ctx, req.input_handle_index, t)?;
    Ok(RopResponse::Restrict(RestrictResponse {
        handle_index: req.input_handle_index,
        table_status: table_status::COMPLETE,
    }))
}

/// RopQueryRows (0x15); `room` is what is left of the output buffer for this response.
pub fn query_rows(
    ctx: &mut Ctx<'_>,
    req: &QueryRowsRequest,
    room: usize,
) -> Result<RopResponse, u32> {
    let mut t = table(ctx, req.input_handle_index)?;
    // MS-OXCTABL §3.2.5.5: ecNullObject when RopSetColumns has not been sent.
    let columns = t.columns.clone().ok_or(ec::NULL_OBJECT)?;
    let all = rows(ctx, &t)?;
    let pos = t.position.min(all.len());
    let want = usize::from(req.row_count);
    let forward = req.forward_read != 0;
    let candidates: Vec<&Row> = if forward {
        all[pos..(pos + want).min(all.len())].iter().collect()
    } else {
        // Backwards: the rows just before the cursor, nearest first, returned in table order.
        all[pos.saturating_sub(want)..pos].iter().rev().collect()
    };
    let mut budget = room.saturating_sub(QueryRowsResponse::EMPTY_LEN);
    let mut picked = Vec::new();
    for row in candidates {
        let values: Vec<Option<PropertyValue>> =
            columns.iter().map(|c| pick(row, *c, t.unicode)).collect();
        let prow = PropertyRow { values };
        let mut w = Writer::new();
        prow.write_to(&mut w, &columns).map_err(|_| ec::ERROR)?;
        if w.len() > budget {
            break;
        }
        budget -= w.len();
        picked.push(prow);
    }
    let remaining = if forward { all.len() - pos } else { pos };
    if picked.is_empty() && remaining > 0 && want > 0 {
        return Err(ec::BUFFER_TOO_SMALL);
    }
    if !forward {
        picked.reverse();
    }
    let new_pos = if forward {
        pos + picked.len()
    } else {
        pos - picked.len()
    };
    let at = if forward && new_pos == all.len() {
        origin::END
    } else if !forward && new_pos == 0 {
        origin::BEGINNING
    } else {
        origin::CURRENT
    };
    if req.query_rows_flags & query_rows_flags::NO_ADVANCE == 0 {
        t.position = new_pos;
        store_table(ctx, req.input_handle_index, t)?;
    }
    Ok(RopResponse::QueryRows(QueryRowsResponse {
        handle_index: req.input_handle_index,
        origin: at,
        columns,
        rows: picked,
    }))
}

/// RopQueryPosition (0x17): the cursor and the row count.
pub fn query_position(ctx: &mut Ctx<'_>, req: &QueryPositionRequest) -> Result<RopResponse, u32> {
    let t = table(ctx, req.input_handle_index)?;
    let n = rows(ctx, &t)?.len();
    Ok(RopResponse::QueryPosition(QueryPositionResponse {
        handle_index: req.input_handle_index,
        numerator: t.position.min(n) as u32,
        denominator: n as u32,
    }))
}

/// RopSeekRow (0x18): moves the cursor from a bookmark, stopping at either end.
pub fn seek_row(ctx: &mut Ctx<'_>, req: &SeekRowRequest) -> Result<RopResponse, u32> {
    let mut t = table(ctx, req.input_handle_index)?;
    let n = rows(ctx, &t)?.len() as i64;
    let base = match req.origin {
        origin::BEGINNING => 0,
        origin::CURRENT => (t.position as i64).min(n),
        origin::END => n,
        _ => return Err(ec::INVALID_PARAM),
    };
    let target = (base + i64::from(req.row_count)).clamp(0, n);
    let sought = target - base;
    t.position = target as usize;
    store_table(ctx, req.input_handle_index, t)?;
    Ok(RopResponse::SeekRow(SeekRowResponse {
        handle_index: req.input_handle_index,
        has_sought_less: u8::from(sought != i64::from(req.row_count)),
        rows_sought: sought as i32,
    }))
}
