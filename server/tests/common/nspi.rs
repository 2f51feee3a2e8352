//! The address book half of a client's first minute, as reusable steps: Bind with a STAT, page through the
//! GAL with QueryRows, resolve a name, Unbind. Each step checks what it must and returns what it read.

use mapish_wire::body::Response;
use mapish_wire::buf::Codec;
use mapish_wire::nspi::{
    AbCell, BindRequest, BindResponse, MID_BEGINNING_OF_TABLE, MID_END_OF_TABLE, QueryRowsRequest,
    ResolveNamesRequest, ResolveNamesSuccess, Stat, StatRowsSuccess,
};
use mapish_wire::prop::tags::{PID_TAG_DISPLAY_NAME, PID_TAG_EMAIL_ADDRESS, PID_TAG_SMTP_ADDRESS};
use mapish_wire::prop::{PropTag, PropertyValue};

use super::{Mapi, hex};

/// The STAT Outlook binds with: code page 1252, locales 0x409, the GAL at its beginning.
pub fn stat_1252() -> Stat {
    Stat {
        code_page: 1252,
        template_locale: 0x409,
        sort_locale: 0x409,
        ..Stat::default()
    }
}

/// Sends an address book request and decodes the success body (panics on a failure body or non-zero
/// X-ResponseCode).
#[track_caller]
pub fn nspi_call<T: Codec>(n: &mut Mapi, request_type: &str, request: &impl Codec) -> T {
    let r = n.send(request_type, &request.encode().expect("encode"));
    r.expect_code(0);
    match Response::<T>::decode(&r.body()).expect("response body") {
        Response::Success(t) => t,
        Response::Failure(f) => panic!("{request_type}: StatusCode 0x{:08X}", f.status_code),
    }
}

/// Bind with the 1252 STAT; returns the server GUID.
#[track_caller]
pub fn nspi_bind(n: &mut Mapi) -> mapish_store::Uuid {
    let body = BindRequest {
        flags: 0,
        state: Some(stat_1252()),
        aux: vec![],
    }
    .encode()
    .expect("encode");
    let r = n.send("Bind", &body);
    r.expect_code(0);
    let ok = BindResponse::decode(&r.body())
        .expect("Bind body")
        .into_result()
        .expect("Bind success");
    assert_eq!(ok.error_code, 0, "Bind ErrorCode");
    ok.server_guid
}

/// The columns `gal_in_pages` reads.
pub fn gal_columns() -> Vec<PropTag> {
    vec![
        PID_TAG_DISPLAY_NAME,
        PID_TAG_EMAIL_ADDRESS,
        PID_TAG_SMTP_ADDRESS,
    ]
}

/// One GAL row as read: display name, legacy DN, SMTP address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalRow {
    pub display_name: String,
    pub dn: String,
    pub smtp: String,
}

fn text(cell: &AbCell) -> String {
    match cell {
        AbCell::Value(PropertyValue::String(s)) => s.clone(),
        other => panic!("not a string: {other:?}"),
    }
}

/// Reads the whole GAL with QueryRows in pages of `page` rows, checking that the STAT advances by a page
/// each time (CurrentRec = the next row's MID, NumPos = rows read, TotalRecs = the GAL size) until
/// CurrentRec is MID_END_OF_TABLE.
#[track_caller]
pub fn gal_in_pages(n: &mut Mapi, page: u32) -> Vec<GalRow> {
    let mut stat = stat_1252();
    assert_eq!(stat.current_rec, MID_BEGINNING_OF_TABLE);
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let req = QueryRowsRequest {
            flags: 0,
            state: Some(stat),
            explicit_table: vec![],
            row_count: page,
            columns: Some(gal_columns()),
            aux: vec![],
        };
        let ok: StatRowsSuccess = nspi_call(n, "QueryRows", &req);
        assert_eq!(ok.error_code, 0, "QueryRows ErrorCode");
        let next = ok.state.expect("QueryRows returns the STAT");
        let rows = ok.rows.expect("QueryRows returns rows");
        assert_eq!(rows.columns, gal_columns());
        assert!(rows.rows.len() <= page as usize);
        for row in &rows.rows {
            out.push(GalRow {
                display_name: text(&row.cells[0]),
                dn: text(&row.cells[1]),
                smtp: text(&row.cells[2]),
            });
        }
        assert_eq!(
            next.num_pos as usize,
            out.len(),
            "NumPos counts the rows read"
        );
        assert_eq!(next.delta, 0);
        assert_eq!(next.code_page, 1252);
        if next.current_rec == MID_END_OF_TABLE {
            assert_eq!(next.total_recs as usize, out.len());
            return out;
        }
        assert_eq!(
            rows.rows.len(),
            page as usize,
            "a short page only at the end"
        );
        stat = next;
    }
    panic!("QueryRows never reached the end of the table");
}

/// ResolveNames of one name with the GAL columns: the MID, and the row if it resolved.
#[track_caller]
pub fn resolve_name(n: &mut Mapi, name: &str) -> (u32, Option<GalRow>) {
    let req = ResolveNamesRequest {
        reserved: 0,
        state: Some(stat_1252()),
        tags: Some(gal_columns()),
        names: Some(vec![name.to_string()]),
        aux: vec![],
    };
    let ok: ResolveNamesSuccess = nspi_call(n, "ResolveNames", &req);
    assert_eq!(ok.error_code, 0);
    let mids = ok.mids.expect("MinimalIds");
    assert_eq!(mids.len(), 1);
    let rows = ok.rows.expect("rows and columns");
    let row = rows.rows.first().map(|r| GalRow {
        display_name: text(&r.cells[0]),
        dn: text(&r.cells[1]),
        smtp: text(&r.cells[2]),
    });
    (mids[0], row)
}

/// Unbind: UnbindSuccess (1) and the cookies removed.
#[track_caller]
pub fn nspi_unbind(n: &mut Mapi) {
    let r = n.send("Unbind", &hex("00000000 00000000"));
    r.expect_code(0);
    assert_eq!(r.body(), hex("00000000 01000000 00000000"));
    assert!(n.cookies.is_empty());
}
