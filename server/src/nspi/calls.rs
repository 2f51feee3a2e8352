//! The NSPI operations over one session's address book, as pure functions from request to success body
//! (MS-OXNSPI §3.1.4.1 server processing rules; MAPI/HTTP bodies of MS-OXCMAPIHTTP §2.2.5). The HTTP side
//! (sessions, cookies, logs) is in `mod.rs`.

use mapish_wire::ec;
use mapish_wire::nspi::{
    AbRow, AbTaggedValue, CP_WINUNICODE, ColumnsAndRows, CompareMIdsRequest, CompareMIdsSuccess,
    DnToMIdRequest, DnToMIdSuccess, FLAG_EPH_ID, GetMatchesRequest, GetMatchesSuccess,
    GetPropListRequest, GetPropsRequest, GetSpecialTableRequest, GetSpecialTableSuccess,
    GetTemplateInfoRequest, MID_BEGINNING_OF_TABLE, MID_END_OF_TABLE,
    NSPI_ADDRESS_CREATION_TEMPLATES, NSPI_UNICODE_PROPTYPES, NSPI_UNICODE_STRINGS,
    PropertyListSuccess, QueryColumnsRequest, QueryRowsRequest, ResolveNamesRequest,
    ResolveNamesSuccess, ResortRestrictionRequest, ResortRestrictionSuccess,
    SORT_TYPE_DISPLAY_NAME, SORT_TYPE_DISPLAY_NAME_RO, SORT_TYPE_DISPLAY_NAME_W,
    SORT_TYPE_PHONETIC_DISPLAY_NAME, SeekEntriesRequest, Stat, StatRowsSuccess, TI_TEMPLATE,
    TagListSuccess, UpdateStatRequest, UpdateStatSuccess,
};
use mapish_wire::prop::tags::*;
use mapish_wire::prop::{PropTag, PropertyValue};

use super::gal::{Gal, HIERARCHY_VERSION, Object, sort_key};
use super::props::{self, Want};
use super::{anr, codepage, restrict, table};

/// The rows one SeekEntries returns from a container: the row found. The spec leaves the number to the
/// server; returning more rows than asked for is what makes Outlook crash in QueryRows (gromox's note), and
/// SeekEntries asks for no number.
pub const SEEK_ROWS: usize = 1;

/// The most columns a request may name (as gromox and Exchange: more is TableTooBig).
pub const MAX_COLUMNS: usize = 100;

/// The code page to answer in when a request carries no STAT.
const DEFAULT_CODE_PAGE: u32 = 1252;

/// The STAT every table operation needs. A missing one is InvalidParameter; CP_WINUNICODE cannot be a
/// String8 code page, and the spec leaves the answer open ("one of the return values"): NotSupported, as
/// at Bind.
fn stat_of(state: Option<Stat>) -> Result<Stat, u32> {
    let stat = state.ok_or(ec::nspi::INVALID_PARAMETER)?;
    if stat.code_page == CP_WINUNICODE {
        return Err(ec::nspi::NOT_SUPPORTED);
    }
    Ok(stat)
}

/// The columns asked for, or the default set; TableTooBig past [`MAX_COLUMNS`].
fn columns_of(columns: &Option<Vec<PropTag>>) -> Result<Vec<PropTag>, u32> {
    match columns {
        Some(c) if c.len() > MAX_COLUMNS => Err(ec::nspi::TABLE_TOO_BIG),
        Some(c) => Ok(c.clone()),
        None => Ok(props::default_columns()),
    }
}

/// The rows of the STAT's container; InvalidBookmark for a container that does not exist.
fn rows_of<'g>(gal: &'g Gal, stat: &Stat) -> Result<&'g [u32], u32> {
    gal.table(stat.container_id)
        .ok_or(ec::nspi::INVALID_BOOKMARK)
}

fn want(stat: &Stat, flags: u32) -> Want {
    Want {
        code_page: stat.code_page,
        ephemeral: flags & FLAG_EPH_ID != 0,
    }
}

fn row(gal: &Gal, mid: u32, columns: &[PropTag], want: Want) -> AbRow {
    let object = gal.object(mid);
    AbRow {
        cells: columns
            .iter()
            .map(|t| props::cell(gal, object, *t, want))
            .collect(),
    }
}

fn rows(gal: &Gal, mids: &[u32], columns: &[PropTag], want: Want) -> ColumnsAndRows {
    ColumnsAndRows {
        columns: columns.to_vec(),
        rows: mids.iter().map(|m| row(gal, *m, columns, want)).collect(),
    }
}

fn stat_rows_error(error_code: u32) -> StatRowsSuccess {
    StatRowsSuccess {
        error_code,
        ..StatRowsSuccess::default()
    }
}

/// QueryRows (MS-OXNSPI §3.1.4.1.8): up to RowCount rows from the STAT position (or of the explicit table),
/// and the STAT moved past them.
pub fn query_rows(gal: &Gal, req: &QueryRowsRequest) -> StatRowsSuccess {
    let mut stat = match stat_of(req.state) {
        Ok(s) => s,
        Err(e) => return stat_rows_error(e),
    };
    // RowCount 0 is meaningless for a container, and means one row of an explicit table (§3.1.4.1.8).
    let count = match (req.row_count, req.explicit_table.is_empty()) {
        (0, true) => return stat_rows_error(ec::nspi::INVALID_PARAMETER),
        (0, false) => 1,
        (n, _) => n as usize,
    };
    let columns = match columns_of(&req.columns) {
        Ok(c) => c,
        Err(e) => return stat_rows_error(e),
    };
    let want = want(&stat, req.flags);
    if !req.explicit_table.is_empty() {
        // An explicit table: its rows in the order given; the STAT is left where it was.
        let mids: Vec<u32> = req.explicit_table.iter().copied().take(count).collect();
        stat.delta = 0;
        return StatRowsSuccess {
            error_code: ec::nspi::SUCCESS,
            state: Some(stat),
            rows: Some(rows(gal, &mids, &columns, want)),
            aux: Vec::new(),
        };
    }
    let table_rows = match rows_of(gal, &stat) {
        Ok(r) => r,
        Err(e) => return stat_rows_error(e),
    };
    let start = match table::locate(&stat, table_rows) {
        Ok(p) => p,
        Err(e) => return stat_rows_error(e),
    };
    let end = start.saturating_add(count).min(table_rows.len());
    let page = &table_rows[start..end];
    table::report(&mut stat, table_rows, end);
    StatRowsSuccess {
        error_code: ec::nspi::SUCCESS,
        state: Some(stat),
        rows: Some(rows(gal, page, &columns, want)),
        aux: Vec::new(),
    }
}

/// UpdateStat (§3.1.4.1.4): resolves the STAT's position and reports it; Delta = rows moved.
pub fn update_stat(gal: &Gal, req: &UpdateStatRequest) -> UpdateStatSuccess {
    let fail = |error_code| UpdateStatSuccess {
        error_code,
        ..UpdateStatSuccess::default()
    };
    let mut stat = match stat_of(req.state) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let table_rows = match rows_of(gal, &stat) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let (base, position) = match (
        table::base(&stat, table_rows),
        table::locate(&stat, table_rows),
    ) {
        (Ok(b), Ok(p)) => (b, p),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    table::report(&mut stat, table_rows, position);
    UpdateStatSuccess {
        error_code: ec::nspi::SUCCESS,
        state: Some(stat),
        delta: req.delta_requested.then(|| position as i32 - base as i32),
        aux: Vec::new(),
    }
}

/// SeekEntries (§3.1.4.1.9): moves to the first row whose display name is ≥ the target (the table is
/// sorted by display name); NotFound when there is none. Returns rows from there when columns are asked:
/// the rest of an explicit table, or [`SEEK_ROWS`] of a container.
pub fn seek_entries(gal: &Gal, req: &SeekEntriesRequest) -> StatRowsSuccess {
    let mut stat = match stat_of(req.state) {
        Ok(s) => s,
        Err(e) => return stat_rows_error(e),
    };
    let Some(target) = &req.target else {
        return stat_rows_error(ec::nspi::INVALID_PARAMETER);
    };
    if ![
        SORT_TYPE_DISPLAY_NAME,
        SORT_TYPE_DISPLAY_NAME_RO,
        SORT_TYPE_DISPLAY_NAME_W,
    ]
    .contains(&stat.sort_type)
        || target.tag.id() != PID_TAG_DISPLAY_NAME.id()
    {
        // Only the display name sort exists, so only display names can be sought.
        return stat_rows_error(ec::nspi::TOO_COMPLEX);
    }
    let sought = match &target.value {
        Some(PropertyValue::String(s)) => s.clone(),
        Some(PropertyValue::String8(s)) => codepage::decode(s, stat.code_page),
        _ => return stat_rows_error(ec::nspi::INVALID_PARAMETER),
    };
    let (table_rows, limit) = match &req.explicit_table {
        Some(mids) => (mids.as_slice(), usize::MAX),
        None => match rows_of(gal, &stat) {
            Ok(r) => (r, SEEK_ROWS),
            Err(e) => return stat_rows_error(e),
        },
    };
    let key = sort_key(&sought);
    let Some(position) = table_rows.iter().position(|m| {
        gal.entry(*m)
            .is_some_and(|e| sort_key(&e.display_name) >= key)
    }) else {
        return stat_rows_error(ec::nspi::NOT_FOUND);
    };
    table::report(&mut stat, table_rows, position);
    let rows = match &req.columns {
        Some(_) => match columns_of(&req.columns) {
            Ok(columns) => {
                let end = position.saturating_add(limit).min(table_rows.len());
                Some(rows(
                    gal,
                    &table_rows[position..end],
                    &columns,
                    want(&stat, 0),
                ))
            }
            Err(e) => return stat_rows_error(e),
        },
        None => None,
    };
    StatRowsSuccess {
        error_code: ec::nspi::SUCCESS,
        state: Some(stat),
        rows,
        aux: Vec::new(),
    }
}

/// GetMatches (§3.1.4.1.10): the explicit table of the container's rows that satisfy the filter;
/// TableTooBig when more than RowCount match (Outlook then asks the user to narrow the search).
///
/// Without a filter, STAT.ContainerID names either a container — then every row of it is a match — or a
/// property of the object at CurrentRec that links to other objects (PidTagAddressBookMember of a DL,
/// delegates …); mapish's objects have no such links, so that table is empty. A property name (a named
/// link property) is NotSupported. The STAT comes back with ContainerID = CurrentRec (§3.1.4.1.10, as
/// gromox reads it), the rest unchanged.
pub fn get_matches(gal: &Gal, req: &GetMatchesRequest) -> GetMatchesSuccess {
    let fail = |error_code| GetMatchesSuccess {
        error_code,
        ..GetMatchesSuccess::default()
    };
    let mut stat = match stat_of(req.state) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if req.property_name.is_some()
        || ![
            SORT_TYPE_DISPLAY_NAME,
            SORT_TYPE_PHONETIC_DISPLAY_NAME,
            SORT_TYPE_DISPLAY_NAME_RO,
            SORT_TYPE_DISPLAY_NAME_W,
        ]
        .contains(&stat.sort_type)
    {
        return fail(ec::nspi::NOT_SUPPORTED);
    }
    let columns = match &req.columns {
        Some(_) => match columns_of(&req.columns) {
            Ok(c) => Some(c),
            Err(e) => return fail(e),
        },
        None => None,
    };
    let table_rows = match (rows_of(gal, &stat), &req.filter) {
        (Ok(r), _) => r,
        (Err(_), None) => &[],
        (Err(e), Some(_)) => return fail(e),
    };
    let mut mids = Vec::new();
    for mid in table_rows {
        let Some(entry) = gal.entry(*mid) else {
            continue;
        };
        let hit = match &req.filter {
            Some(f) => match restrict::satisfies(gal, entry, f, stat.code_page) {
                Ok(h) => h,
                Err(e) => return fail(e),
            },
            None => true,
        };
        if hit {
            mids.push(*mid);
        }
    }
    if mids.len() > req.row_count as usize {
        return fail(ec::nspi::TABLE_TOO_BIG);
    }
    stat.container_id = stat.current_rec;
    let rows = columns.map(|c| rows(gal, &mids, &c, want(&stat, 0)));
    GetMatchesSuccess {
        error_code: ec::nspi::SUCCESS,
        state: Some(stat),
        mids: Some(mids),
        rows: Some(rows.unwrap_or_default()),
        aux: Vec::new(),
    }
}

/// ResortRestriction (§3.1.4.1.11): the explicit table sorted by display name, MIDs that name no mail user
/// dropped; the STAT keeps CurrentRec if it is in the table (NumPos its position), else it moves to the
/// beginning; TotalRecs is the table's size.
pub fn resort_restriction(gal: &Gal, req: &ResortRestrictionRequest) -> ResortRestrictionSuccess {
    let fail = |error_code| ResortRestrictionSuccess {
        error_code,
        ..ResortRestrictionSuccess::default()
    };
    let mut stat = match stat_of(req.state) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mut entries: Vec<_> = req
        .mids
        .iter()
        .flatten()
        .filter_map(|m| gal.entry(*m))
        .collect();
    entries.sort_by_cached_key(|e| (sort_key(&e.display_name), e.mid));
    let mids: Vec<u32> = entries.iter().map(|e| e.mid).collect();
    match mids.iter().position(|m| *m == stat.current_rec) {
        Some(p) => stat.num_pos = p as u32,
        None => {
            stat.current_rec = MID_BEGINNING_OF_TABLE;
            stat.num_pos = 0;
        }
    }
    stat.delta = 0;
    stat.total_recs = mids.len() as u32;
    ResortRestrictionSuccess {
        error_code: ec::nspi::SUCCESS,
        state: Some(stat),
        mids: Some(mids),
        aux: Vec::new(),
    }
}

/// ResolveNames (§3.1.4.1.17): a MID per name (the match, MID_AMBIGUOUS or MID_UNRESOLVED) and a row per
/// resolved name.
pub fn resolve_names(gal: &Gal, req: &ResolveNamesRequest) -> ResolveNamesSuccess {
    let fail = |error_code, code_page| ResolveNamesSuccess {
        error_code,
        code_page,
        ..ResolveNamesSuccess::default()
    };
    let stat = match stat_of(req.state) {
        Ok(s) => s,
        Err(e) => return fail(e, req.state.map_or(DEFAULT_CODE_PAGE, |s| s.code_page)),
    };
    let table_rows = match rows_of(gal, &stat) {
        Ok(r) => r,
        Err(e) => return fail(e, stat.code_page),
    };
    let names = req.names.clone().unwrap_or_default();
    let mids: Vec<u32> = names
        .iter()
        .map(|n| anr::resolve(gal, table_rows, n))
        .collect();
    let resolved: Vec<u32> = mids
        .iter()
        .copied()
        .filter(|m| gal.entry(*m).is_some())
        .collect();
    let columns = match columns_of(&req.tags) {
        Ok(c) => c,
        Err(e) => return fail(e, stat.code_page),
    };
    ResolveNamesSuccess {
        error_code: ec::nspi::SUCCESS,
        code_page: stat.code_page,
        mids: Some(mids),
        rows: Some(rows(gal, &resolved, &columns, want(&stat, 0))),
        aux: Vec::new(),
    }
}

/// DNToMId (§3.1.4.1.13): the MID of each DN, 0 for one not found (no list without names).
pub fn dn_to_mid(gal: &Gal, req: &DnToMIdRequest) -> DnToMIdSuccess {
    DnToMIdSuccess {
        error_code: ec::nspi::SUCCESS,
        mids: req
            .names
            .as_ref()
            .map(|names| names.iter().map(|dn| gal.mid_of_dn(dn)).collect()),
        aux: Vec::new(),
    }
}

/// CompareMIds (§3.1.4.1.6): the order of two rows of the STAT's container (the GAL without a STAT) as
/// -1, 0 or 1; GeneralFailure when either is not in it.
pub fn compare_mids(gal: &Gal, req: &CompareMIdsRequest) -> CompareMIdsSuccess {
    let fail = |error_code| CompareMIdsSuccess {
        error_code,
        ..CompareMIdsSuccess::default()
    };
    let stat = match req.state {
        None => Stat::default(),
        Some(_) => match stat_of(req.state) {
            Ok(s) => s,
            Err(e) => return fail(e),
        },
    };
    let table_rows = match rows_of(gal, &stat) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let at = |mid| table_rows.iter().position(|m| *m == mid);
    match (at(req.mid1), at(req.mid2)) {
        (Some(a), Some(b)) => CompareMIdsSuccess {
            error_code: ec::nspi::SUCCESS,
            result: match a.cmp(&b) {
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 1,
            },
            aux: Vec::new(),
        },
        _ => fail(ec::nspi::GENERAL_FAILURE),
    }
}

/// GetProps (§3.1.4.1.7): the properties of the object at CurrentRec (all of them without a tag list);
/// ErrorsReturned when some are missing (they come back as PtypErrorCode ecNotFound). CurrentRec may also
/// be a position (MID_BEGINNING_OF_TABLE, MID_CURRENT, MID_END_OF_TABLE) in the STAT's container. An
/// object that does not exist gives a row of errors and ErrorsReturned (§3.1.4.1.7, as gromox).
pub fn get_props(gal: &Gal, req: &GetPropsRequest) -> PropertyListSuccess {
    let fail = |error_code, code_page| PropertyListSuccess {
        error_code,
        code_page,
        ..PropertyListSuccess::default()
    };
    let stat = match stat_of(req.state) {
        Ok(s) => s,
        Err(e) => return fail(e, req.state.map_or(DEFAULT_CODE_PAGE, |s| s.code_page)),
    };
    let mid = if stat.current_rec <= MID_END_OF_TABLE {
        let table_rows = match rows_of(gal, &stat) {
            Ok(r) => r,
            Err(e) => return fail(e, stat.code_page),
        };
        match table::locate(&stat, table_rows) {
            Ok(p) => table_rows.get(p).copied().unwrap_or(MID_END_OF_TABLE),
            Err(e) => return fail(e, stat.code_page),
        }
    } else {
        stat.current_rec
    };
    let object = gal.object(mid);
    if req.tags.as_ref().is_some_and(|t| t.len() > MAX_COLUMNS) {
        return fail(ec::nspi::TABLE_TOO_BIG, stat.code_page);
    }
    let want = want(&stat, req.flags);
    let tags = match (&req.tags, object) {
        (Some(t), _) => t.clone(),
        (None, Some(o)) => props::property_list(o, false),
        (None, None) => props::ENTRY_PROPERTIES
            .iter()
            .map(|t| props::string_typed(*t, false))
            .collect(),
    };
    let mut missing = false;
    let values = tags
        .iter()
        .map(
            |tag| match object.and_then(|o| props::value(gal, o, *tag, want)) {
                Some(v) => AbTaggedValue::new(*tag, v),
                None => {
                    missing = true;
                    AbTaggedValue::new(*tag, PropertyValue::ErrorCode(ec::nspi::NOT_FOUND))
                }
            },
        )
        .collect();
    PropertyListSuccess {
        error_code: if missing {
            ec::nspi::ERRORS_RETURNED
        } else {
            ec::nspi::SUCCESS
        },
        code_page: stat.code_page,
        values: Some(values),
        aux: Vec::new(),
    }
}

/// GetPropList (§3.1.4.1.6): the tags the object has, strings as PtypString for CP_WINUNICODE and
/// PtypString8 otherwise; InvalidObject for a MID that names nothing.
pub fn get_prop_list(gal: &Gal, req: &GetPropListRequest) -> TagListSuccess {
    match gal.object(req.mid) {
        Some(object) => TagListSuccess {
            error_code: ec::nspi::SUCCESS,
            tags: Some(props::property_list(object, req.code_page == CP_WINUNICODE)),
            aux: Vec::new(),
        },
        None => TagListSuccess {
            error_code: ec::nspi::INVALID_OBJECT,
            tags: None,
            aux: Vec::new(),
        },
    }
}

/// QueryColumns (§3.1.4.1.5): every column the server can return, strings typed by NspiUnicodeProptypes.
pub fn query_columns(req: &QueryColumnsRequest) -> TagListSuccess {
    TagListSuccess {
        error_code: ec::nspi::SUCCESS,
        tags: Some(props::all_columns(req.flags & NSPI_UNICODE_PROPTYPES != 0)),
        aux: Vec::new(),
    }
}

/// The properties of a hierarchy table row (MS-OXOABK §2.2.2; the set gromox and Exchange return).
const HIERARCHY_COLUMNS: [PropTag; 6] = [
    PID_TAG_ENTRY_ID,
    PID_TAG_CONTAINER_FLAGS,
    PID_TAG_DEPTH,
    PID_TAG_ADDRESS_BOOK_CONTAINER_ID,
    PID_TAG_DISPLAY_NAME,
    PID_TAG_ADDRESS_BOOK_IS_MASTER,
];

/// GetSpecialTable (§3.1.4.1.3): the address book hierarchy table, one row per container, strings as
/// PtypString with NspiUnicodeStrings and in the STAT code page otherwise. mapish has no address creation
/// templates: that table is NotSupported.
pub fn get_special_table(gal: &Gal, req: &GetSpecialTableRequest) -> GetSpecialTableSuccess {
    let code_page = req.state.map_or(DEFAULT_CODE_PAGE, |s| s.code_page);
    let fail = |error_code| GetSpecialTableSuccess {
        error_code,
        code_page,
        ..GetSpecialTableSuccess::default()
    };
    if req.flags & NSPI_ADDRESS_CREATION_TEMPLATES != 0 {
        return fail(ec::nspi::NOT_SUPPORTED);
    }
    let unicode = req.flags & NSPI_UNICODE_STRINGS != 0;
    if !unicode && code_page == CP_WINUNICODE {
        return fail(ec::nspi::NOT_SUPPORTED);
    }
    let want = Want {
        code_page,
        ephemeral: false,
    };
    let rows = gal
        .containers
        .iter()
        .map(|c| {
            HIERARCHY_COLUMNS
                .iter()
                .map(|t| props::string_typed(*t, unicode))
                .filter_map(|tag| {
                    props::value(gal, Object::Container(c), tag, want)
                        .map(|v| AbTaggedValue::new(tag, v))
                })
                .collect()
        })
        .collect();
    GetSpecialTableSuccess {
        error_code: ec::nspi::SUCCESS,
        code_page,
        version: Some(HIERARCHY_VERSION),
        rows: Some(rows),
        aux: Vec::new(),
    }
}

/// GetTemplateInfo (§3.1.4.1.18): mapish has no display or script templates. A template request is
/// answered InvalidLocale (no template for that locale), anything else (scripts, help files, e-mail type
/// information without TI_TEMPLATE) NotSupported; CP_WINUNICODE is InvalidCodepage.
pub fn get_template_info(req: &GetTemplateInfoRequest) -> PropertyListSuccess {
    let error_code = if req.code_page == CP_WINUNICODE {
        ec::nspi::INVALID_CODEPAGE
    } else if req.flags & TI_TEMPLATE != 0 {
        ec::nspi::INVALID_LOCALE
    } else {
        ec::nspi::NOT_SUPPORTED
    };
    PropertyListSuccess {
        error_code,
        code_page: req.code_page,
        values: None,
        aux: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nspi::gal::tests::sample;
    use mapish_wire::nspi::{AbCell, MID_AMBIGUOUS, MID_UNRESOLVED, Restriction};
    use mapish_wire::prop::PropType;

    fn cell_text(cell: &AbCell) -> Option<&str> {
        match cell {
            AbCell::Value(PropertyValue::String(s) | PropertyValue::String8(s)) => Some(s),
            _ => None,
        }
    }

    fn stat() -> Stat {
        Stat {
            code_page: 1252,
            template_locale: 0x409,
            sort_locale: 0x409,
            ..Stat::default()
        }
    }

    fn names(r: &ColumnsAndRows) -> Vec<String> {
        r.rows
            .iter()
            .map(|row| cell_text(&row.cells[0]).unwrap_or("?").to_string())
            .collect()
    }

    #[test]
    fn query_rows_pages_through_the_gal() {
        let gal = sample();
        let mut req = QueryRowsRequest {
            state: Some(stat()),
            row_count: 3,
            columns: Some(vec![PID_TAG_DISPLAY_NAME]),
            ..QueryRowsRequest::default()
        };
        let first = query_rows(&gal, &req);
        assert_eq!(first.error_code, 0);
        assert_eq!(
            names(first.rows.as_ref().unwrap()),
            ["Alice Example", "Bob Example", "Bobby Tables"]
        );
        let s = first.state.unwrap();
        assert_eq!(
            (s.current_rec, s.num_pos, s.total_recs, s.delta),
            (0x14, 3, 4, 0)
        );
        req.state = Some(s);
        let second = query_rows(&gal, &req);
        assert_eq!(names(second.rows.as_ref().unwrap()), ["carol Jones"]);
        assert_eq!(second.state.unwrap().current_rec, MID_END_OF_TABLE);
        // Default columns, an explicit table, and the errors.
        let d = query_rows(
            &gal,
            &QueryRowsRequest {
                state: Some(stat()),
                row_count: 1,
                ..QueryRowsRequest::default()
            },
        );
        assert_eq!(d.rows.unwrap().columns, props::default_columns());
        let e = query_rows(
            &gal,
            &QueryRowsRequest {
                state: Some(stat()),
                explicit_table: vec![0x14, 0x11, 0x99],
                row_count: 10,
                columns: Some(vec![PID_TAG_DISPLAY_NAME]),
                ..QueryRowsRequest::default()
            },
        );
        let e_rows = e.rows.unwrap();
        assert_eq!(names(&e_rows), ["carol Jones", "Alice Example", "?"]);
        assert_eq!(e_rows.rows[2].cells[0], AbCell::Error(ec::nspi::NOT_FOUND));
        assert_eq!(
            query_rows(
                &gal,
                &QueryRowsRequest {
                    row_count: 1,
                    ..QueryRowsRequest::default()
                }
            )
            .error_code,
            ec::nspi::INVALID_PARAMETER
        );
        assert_eq!(
            query_rows(
                &gal,
                &QueryRowsRequest {
                    state: Some(stat()),
                    ..QueryRowsRequest::default()
                }
            )
            .error_code,
            ec::nspi::INVALID_PARAMETER
        );
        let bad_container = Stat {
            container_id: 0x77,
            ..stat()
        };
        assert_eq!(
            query_rows(
                &gal,
                &QueryRowsRequest {
                    state: Some(bad_container),
                    row_count: 1,
                    ..QueryRowsRequest::default()
                }
            )
            .error_code,
            ec::nspi::INVALID_BOOKMARK
        );
        let unicode = Stat {
            code_page: CP_WINUNICODE,
            ..stat()
        };
        assert_eq!(
            query_rows(
                &gal,
                &QueryRowsRequest {
                    state: Some(unicode),
                    row_count: 1,
                    ..QueryRowsRequest::default()
                }
            )
            .error_code,
            ec::nspi::NOT_SUPPORTED
        );
    }

    #[test]
    fn resort_restriction_sorts_by_display_name() {
        let gal = sample();
        let r = resort_restriction(
            &gal,
            &ResortRestrictionRequest {
                state: Some(Stat {
                    current_rec: 0x12,
                    ..stat()
                }),
                mids: Some(vec![0x14, 0x99, 0x12, 0x11]),
                ..ResortRestrictionRequest::default()
            },
        );
        assert_eq!(r.mids, Some(vec![0x11, 0x12, 0x14]));
        let s = r.state.unwrap();
        assert_eq!((s.current_rec, s.num_pos, s.total_recs), (0x12, 1, 3));
        let gone = resort_restriction(
            &gal,
            &ResortRestrictionRequest {
                state: Some(Stat {
                    current_rec: 0x13,
                    ..stat()
                }),
                mids: Some(vec![0x14]),
                ..ResortRestrictionRequest::default()
            },
        );
        assert_eq!(gone.state.unwrap().current_rec, MID_BEGINNING_OF_TABLE);
    }

    #[test]
    fn update_stat_and_compare_mids() {
        let gal = sample();
        let s = Stat {
            current_rec: 0x12,
            delta: 5,
            ..stat()
        };
        let r = update_stat(
            &gal,
            &UpdateStatRequest {
                state: Some(s),
                delta_requested: true,
                ..UpdateStatRequest::default()
            },
        );
        assert_eq!(
            r.delta,
            Some(3),
            "from row 1, +5 is clamped to the end (row 4)"
        );
        assert_eq!(r.state.unwrap().current_rec, MID_END_OF_TABLE);
        let c = |a, b| {
            compare_mids(
                &gal,
                &CompareMIdsRequest {
                    state: Some(stat()),
                    mid1: a,
                    mid2: b,
                    ..CompareMIdsRequest::default()
                },
            )
        };
        assert!(c(0x11, 0x13).result < 0);
        assert_eq!(c(0x12, 0x12).result, 0);
        assert!(c(0x14, 0x11).result > 0);
        assert_eq!(c(0x11, 0x99).error_code, ec::nspi::GENERAL_FAILURE);
        let without_stat = compare_mids(
            &gal,
            &CompareMIdsRequest {
                mid1: 0x14,
                mid2: 0x11,
                ..CompareMIdsRequest::default()
            },
        );
        assert_eq!((without_stat.error_code, without_stat.result), (0, 1));
        assert_eq!(
            dn_to_mid(&gal, &DnToMIdRequest::default()).mids,
            None,
            "no names, no list"
        );
    }

    #[test]
    fn seek_resolve_match() {
        let gal = sample();
        let seek = seek_entries(
            &gal,
            &SeekEntriesRequest {
                state: Some(stat()),
                target: Some(AbTaggedValue::new(
                    PID_TAG_DISPLAY_NAME,
                    PropertyValue::String("bobby".into()),
                )),
                columns: Some(vec![PID_TAG_DISPLAY_NAME]),
                ..SeekEntriesRequest::default()
            },
        );
        assert_eq!(seek.state.unwrap().current_rec, 0x13);
        assert_eq!(names(seek.rows.as_ref().unwrap()), ["Bobby Tables"]);
        // In an explicit table: the rows from the one found to the end.
        let in_table = seek_entries(
            &gal,
            &SeekEntriesRequest {
                state: Some(stat()),
                target: Some(AbTaggedValue::new(
                    PID_TAG_DISPLAY_NAME,
                    PropertyValue::String("b".into()),
                )),
                explicit_table: Some(vec![0x11, 0x12, 0x14]),
                columns: Some(vec![PID_TAG_DISPLAY_NAME]),
                ..SeekEntriesRequest::default()
            },
        );
        assert_eq!(
            names(in_table.rows.as_ref().unwrap()),
            ["Bob Example", "carol Jones"]
        );
        assert_eq!(in_table.state.unwrap().num_pos, 1);
        let past = seek_entries(
            &gal,
            &SeekEntriesRequest {
                state: Some(stat()),
                target: Some(AbTaggedValue::new(
                    PID_TAG_DISPLAY_NAME,
                    PropertyValue::String("zz".into()),
                )),
                ..SeekEntriesRequest::default()
            },
        );
        assert_eq!(past.error_code, ec::nspi::NOT_FOUND);
        let by_account = seek_entries(
            &gal,
            &SeekEntriesRequest {
                state: Some(stat()),
                target: Some(AbTaggedValue::new(
                    PID_TAG_ACCOUNT,
                    PropertyValue::String("b".into()),
                )),
                ..SeekEntriesRequest::default()
            },
        );
        assert_eq!(by_account.error_code, ec::nspi::TOO_COMPLEX);

        let resolved = resolve_names(
            &gal,
            &ResolveNamesRequest {
                state: Some(stat()),
                tags: Some(vec![PID_TAG_DISPLAY_NAME, PID_TAG_SMTP_ADDRESS]),
                names: Some(vec!["Bob Example".into(), "Bo".into(), "nobody".into()]),
                ..ResolveNamesRequest::default()
            },
        );
        assert_eq!(
            resolved.mids,
            Some(vec![0x12, MID_AMBIGUOUS, MID_UNRESOLVED])
        );
        assert_eq!(names(resolved.rows.as_ref().unwrap()), ["Bob Example"]);

        let all = get_matches(
            &gal,
            &GetMatchesRequest {
                state: Some(stat()),
                row_count: 10,
                ..GetMatchesRequest::default()
            },
        );
        assert_eq!(all.mids, Some(vec![0x11, 0x12, 0x13, 0x14]));
        // A link property of the object at CurrentRec (PidTagAddressBookMember): no links here, no rows.
        let members = get_matches(
            &gal,
            &GetMatchesRequest {
                state: Some(Stat {
                    container_id: 0x8009_000D,
                    current_rec: 0x12,
                    ..stat()
                }),
                row_count: 10,
                ..GetMatchesRequest::default()
            },
        );
        assert_eq!((members.error_code, members.mids), (0, Some(vec![])));
        assert_eq!(members.state.unwrap().container_id, 0x12);
        let named = get_matches(
            &gal,
            &GetMatchesRequest {
                state: Some(stat()),
                property_name: Some((mapish_store::Uuid::nil(), 1)),
                row_count: 10,
                ..GetMatchesRequest::default()
            },
        );
        assert_eq!(named.error_code, ec::nspi::NOT_SUPPORTED);
        let too_big = get_matches(
            &gal,
            &GetMatchesRequest {
                state: Some(stat()),
                row_count: 3,
                ..GetMatchesRequest::default()
            },
        );
        assert_eq!(too_big.error_code, ec::nspi::TABLE_TOO_BIG);
        let filtered = get_matches(
            &gal,
            &GetMatchesRequest {
                state: Some(stat()),
                filter: Some(Restriction::Property {
                    relop: mapish_wire::nspi::restriction::relop::EQ,
                    tag: PID_TAG_ANR,
                    value: AbTaggedValue::new(PID_TAG_ANR, PropertyValue::String("carol".into())),
                }),
                row_count: 10,
                columns: Some(vec![PID_TAG_DISPLAY_NAME]),
                ..GetMatchesRequest::default()
            },
        );
        assert_eq!(filtered.mids, Some(vec![0x14]));
        assert_eq!(names(filtered.rows.as_ref().unwrap()), ["carol Jones"]);
    }

    #[test]
    fn props_lists_hierarchy_templates() {
        let gal = sample();
        let props = get_props(
            &gal,
            &GetPropsRequest {
                state: Some(Stat {
                    current_rec: 0x11,
                    ..stat()
                }),
                tags: Some(vec![PID_TAG_DISPLAY_NAME, PID_TAG_DEPARTMENT_NAME]),
                ..GetPropsRequest::default()
            },
        );
        assert_eq!(props.error_code, ec::nspi::ERRORS_RETURNED);
        let values = props.values.unwrap();
        assert_eq!(
            values[0].value,
            Some(PropertyValue::String("Alice Example".into()))
        );
        assert_eq!(
            values[1].tag,
            PID_TAG_DEPARTMENT_NAME.with_type(PropType::ERROR_CODE)
        );
        let all = get_props(
            &gal,
            &GetPropsRequest {
                state: Some(Stat {
                    current_rec: 0x11,
                    ..stat()
                }),
                ..GetPropsRequest::default()
            },
        );
        assert_eq!(all.error_code, 0);
        assert_eq!(
            get_props(
                &gal,
                &GetPropsRequest {
                    state: Some(Stat {
                        current_rec: 0x99,
                        ..stat()
                    }),
                    ..GetPropsRequest::default()
                }
            )
            .error_code,
            ec::nspi::ERRORS_RETURNED
        );
        // CurrentRec as a position: the first row of the GAL, moved by Delta.
        let positional = get_props(
            &gal,
            &GetPropsRequest {
                state: Some(Stat { delta: 2, ..stat() }),
                tags: Some(vec![PID_TAG_DISPLAY_NAME]),
                ..GetPropsRequest::default()
            },
        );
        assert_eq!(
            positional.values.unwrap()[0].value,
            Some(PropertyValue::String("Bobby Tables".into()))
        );
        assert_eq!(
            get_prop_list(
                &gal,
                &GetPropListRequest {
                    mid: 0x99,
                    ..GetPropListRequest::default()
                }
            )
            .error_code,
            ec::nspi::INVALID_OBJECT
        );
        let list = get_prop_list(
            &gal,
            &GetPropListRequest {
                mid: 0x11,
                code_page: 1252,
                ..GetPropListRequest::default()
            },
        );
        assert!(
            list.tags
                .unwrap()
                .contains(&PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8))
        );
        assert!(
            query_columns(&QueryColumnsRequest {
                flags: NSPI_UNICODE_PROPTYPES,
                ..QueryColumnsRequest::default()
            })
            .tags
            .unwrap()
            .contains(&PID_TAG_DISPLAY_NAME)
        );
        let h = get_special_table(
            &gal,
            &GetSpecialTableRequest {
                flags: NSPI_UNICODE_STRINGS,
                state: Some(stat()),
                ..GetSpecialTableRequest::default()
            },
        );
        let rows = h.rows.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0][4].value,
            Some(PropertyValue::String("Global Address List".into()))
        );
        assert_eq!(
            get_special_table(
                &gal,
                &GetSpecialTableRequest {
                    flags: NSPI_ADDRESS_CREATION_TEMPLATES,
                    ..GetSpecialTableRequest::default()
                }
            )
            .error_code,
            ec::nspi::NOT_SUPPORTED
        );
        assert_eq!(
            get_template_info(&GetTemplateInfoRequest {
                flags: TI_TEMPLATE,
                code_page: 1252,
                ..GetTemplateInfoRequest::default()
            })
            .error_code,
            ec::nspi::INVALID_LOCALE
        );
        let dn = gal.entries[3].dn.clone();
        assert_eq!(
            dn_to_mid(
                &gal,
                &DnToMIdRequest {
                    names: Some(vec![dn, "/o=x".into()]),
                    ..DnToMIdRequest::default()
                }
            )
            .mids,
            Some(vec![0x14, 0])
        );
    }
}
