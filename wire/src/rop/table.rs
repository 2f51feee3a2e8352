//! Table ROPs (MS-OXCROPS §2.2.5, semantics in MS-OXCTABL §2.2.2): RopSetColumns (0x12), RopSortTable (0x13),
//! RopRestrict (0x14), RopQueryRows (0x15), RopQueryPosition (0x17), RopSeekRow (0x18).

use super::RopId;
use super::field::{
    Field, MinSize, expect_success, no_output, put_success, rop_request, rop_response,
};
use super::restriction::Restriction;
use crate::buf::{Reader, Writer};
use crate::error::{Result, WireError};
use crate::prop::{PropTag, PropertyRow};

/// `TableStatus` values (MS-OXCTABL §2.2.2.1.3).
pub mod table_status {
    /// TBLSTAT_COMPLETE: no asynchronous operation is running.
    pub const COMPLETE: u8 = 0x00;
}

/// `Origin` / bookmark values (MS-OXCTABL §2.2.2.1.1).
pub mod origin {
    /// BOOKMARK_BEGINNING.
    pub const BEGINNING: u8 = 0x00;
    /// BOOKMARK_CURRENT.
    pub const CURRENT: u8 = 0x01;
    /// BOOKMARK_END.
    pub const END: u8 = 0x02;
}

/// `QueryRowsFlags` (MS-OXCTABL §2.2.2.5.1).
pub mod query_rows_flags {
    /// Do not move the cursor.
    pub const NO_ADVANCE: u8 = 0x01;
    /// The client accepts packed (chained) buffers.
    pub const ENABLE_PACKED_BUFFERS: u8 = 0x02;
}

/// `Order` of a SortOrder (MS-OXCDATA §2.13.1).
pub mod sort_order {
    /// Ascending.
    pub const ASCENDING: u8 = 0x00;
    /// Descending.
    pub const DESCENDING: u8 = 0x01;
    /// Categorise by the maximum value.
    pub const MAXIMUM_CATEGORY: u8 = 0x04;
}

rop_request! {
    /// RopSetColumns request (§2.2.5.1.1).
    SetColumnsRequest = SET_COLUMNS, answer: input_handle_index, output: no_output, {
        /// `SetColumnsFlags`: 0x00 wait, 0x01 TBL_ASYNC.
        set_columns_flags: u8,
        /// `PropertyTagCount` + `PropertyTags`: the columns, in order.
        columns: Vec<PropTag>,
    }
}

rop_response! {
    /// RopSetColumns success response (§2.2.5.1.2).
    SetColumnsResponse = SET_COLUMNS {
        /// `TableStatus`, see [`table_status`].
        table_status: u8,
    }
}

/// One SortOrder (MS-OXCDATA §2.13.1): the column and the direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOrder {
    /// `PropertyTag`.
    pub tag: PropTag,
    /// `Order`, see [`sort_order`].
    pub order: u8,
}

impl Field for SortOrder {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.tag.0);
        w.u8(self.order);
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        Ok(SortOrder {
            tag: PropTag(r.u32(what)?),
            order: r.u8(what)?,
        })
    }
}

impl MinSize for SortOrder {
    const MIN_SIZE: usize = 5;
}

/// `SortOrderCount`, `CategorizedCount`, `ExpandedCount`, `SortOrders` of RopSortTable: the count of the array
/// comes first, with two other counts between it and the array.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SortOrderSet {
    /// `CategorizedCount`: how many of the leading orders are categories.
    pub categorized_count: u16,
    /// `ExpandedCount`: how many categories start expanded.
    pub expanded_count: u16,
    /// `SortOrders`.
    pub orders: Vec<SortOrder>,
}

impl Field for SortOrderSet {
    fn put(&self, w: &mut Writer) -> Result<()> {
        let n = u16::try_from(self.orders.len()).map_err(|_| WireError::TooLarge {
            what: "SortOrderCount",
            len: self.orders.len(),
            limit: u16::MAX as usize,
        })?;
        w.u16(n);
        w.u16(self.categorized_count);
        w.u16(self.expanded_count);
        for o in &self.orders {
            o.put(w)?;
        }
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        let n = usize::from(r.u16(what)?);
        let categorized_count = r.u16("CategorizedCount")?;
        let expanded_count = r.u16("ExpandedCount")?;
        if n.saturating_mul(SortOrder::MIN_SIZE) > r.remaining() {
            return Err(WireError::Truncated {
                what,
                needed: n.saturating_mul(SortOrder::MIN_SIZE) - r.remaining(),
            });
        }
        let mut orders = Vec::with_capacity(n);
        for _ in 0..n {
            orders.push(SortOrder::get(r, what)?);
        }
        Ok(SortOrderSet {
            categorized_count,
            expanded_count,
            orders,
        })
    }
}

rop_request! {
    /// RopSortTable request (§2.2.5.2.1).
    SortTableRequest = SORT_TABLE, answer: input_handle_index, output: no_output, {
        /// `SortTableFlags`: 0x00 wait, 0x01 TBL_ASYNC, 0x02 TBL_BATCH.
        sort_table_flags: u8,
        /// The sort orders and their counts.
        sort: SortOrderSet,
    }
}

rop_response! {
    /// RopSortTable success response (§2.2.5.2.2).
    SortTableResponse = SORT_TABLE {
        /// `TableStatus`.
        table_status: u8,
    }
}

/// `RestrictionDataSize` + `RestrictionData`: size 0 removes the table's restriction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestrictionData(pub Option<Restriction>);

impl Field for RestrictionData {
    fn put(&self, w: &mut Writer) -> Result<()> {
        let mut inner = Writer::new();
        if let Some(r) = &self.0 {
            r.write_to(&mut inner)?;
        }
        let n = u16::try_from(inner.len()).map_err(|_| WireError::TooLarge {
            what: "RestrictionDataSize",
            len: inner.len(),
            limit: u16::MAX as usize,
        })?;
        w.u16(n);
        w.bytes(inner.as_slice());
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        let n = usize::from(r.u16(what)?);
        if n == 0 {
            return Ok(RestrictionData(None));
        }
        let bytes = r.bytes(n, "RestrictionData")?;
        let mut inner = Reader::new(bytes);
        let restriction = Restriction::read_from(&mut inner)?;
        inner.finish("RestrictionData")?;
        Ok(RestrictionData(Some(restriction)))
    }
}

rop_request! {
    /// RopRestrict request (§2.2.5.3.1).
    RestrictRequest = RESTRICT, answer: input_handle_index, output: no_output, {
        /// `RestrictFlags`: 0x00 wait, 0x01 TBL_ASYNC, 0x02 TBL_BATCH.
        restrict_flags: u8,
        /// The restriction, or `None` to remove it.
        restriction: RestrictionData,
    }
}

rop_response! {
    /// RopRestrict success response (§2.2.5.3.2).
    RestrictResponse = RESTRICT {
        /// `TableStatus`.
        table_status: u8,
    }
}

rop_request! {
    /// RopQueryRows request (§2.2.5.4.1).
    QueryRowsRequest = QUERY_ROWS, answer: input_handle_index, output: no_output, {
        /// `QueryRowsFlags`, see [`query_rows_flags`].
        query_rows_flags: u8,
        /// `ForwardRead`: non-zero reads forward from the cursor.
        forward_read: u8,
        /// `RowCount`: the most rows wanted.
        row_count: u16,
    }
}

/// RopQueryRows success response (§2.2.5.4.2): `Origin`, `RowCount`, then the rows as PropertyRows of the
/// table's columns. Decoding needs the columns (from the RopSetColumns that set them), so this has no
/// context-free decoder; see [`QueryRowsResponse::read_with`].
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRowsResponse {
    /// `InputHandleIndex`.
    pub handle_index: u8,
    /// `Origin`, see [`origin`].
    pub origin: u8,
    /// The columns the rows are in (not on the wire).
    pub columns: Vec<PropTag>,
    /// The rows.
    pub rows: Vec<PropertyRow>,
}

impl QueryRowsResponse {
    /// The size of the response with no rows (header, Origin, RowCount).
    pub const EMPTY_LEN: usize = 9;

    /// Appends the response.
    pub fn write_to(&self, w: &mut Writer) -> Result<()> {
        put_success(w, RopId::QUERY_ROWS, self.handle_index);
        w.u8(self.origin);
        let n = u16::try_from(self.rows.len()).map_err(|_| WireError::TooLarge {
            what: "RowCount",
            len: self.rows.len(),
            limit: u16::MAX as usize,
        })?;
        w.u16(n);
        for row in &self.rows {
            row.write_to(w, &self.columns)?;
        }
        Ok(())
    }

    /// Reads a response whose rows are in `columns`.
    pub fn read_with(r: &mut Reader<'_>, columns: &[PropTag]) -> Result<Self> {
        let handle_index = expect_success(r, RopId::QUERY_ROWS, "RopQueryRows response")?;
        let origin = r.u8("Origin")?;
        let n = r.u16("RowCount")?;
        if usize::from(n) > r.remaining() {
            return Err(WireError::Truncated {
                what: "RowData",
                needed: usize::from(n) - r.remaining(),
            });
        }
        let mut rows = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            rows.push(PropertyRow::read_from(r, columns)?);
        }
        Ok(QueryRowsResponse {
            handle_index,
            origin,
            columns: columns.to_vec(),
            rows,
        })
    }
}

rop_request! {
    /// RopQueryPosition request (§2.2.5.7.1): the header only.
    QueryPositionRequest = QUERY_POSITION, answer: input_handle_index, output: no_output, {}
}

rop_response! {
    /// RopQueryPosition success response (§2.2.5.7.2).
    QueryPositionResponse = QUERY_POSITION {
        /// `Numerator`: the cursor's row index.
        numerator: u32,
        /// `Denominator`: rows in the table.
        denominator: u32,
    }
}

rop_request! {
    /// RopSeekRow request (§2.2.5.8.1).
    SeekRowRequest = SEEK_ROW, answer: input_handle_index, output: no_output, {
        /// `Origin`, see [`origin`].
        origin: u8,
        /// `RowCount`: rows to move, negative for backwards.
        row_count: i32,
        /// `WantRowMovedCount`: non-zero asks for `RowsSought`.
        want_row_moved_count: u8,
    }
}

rop_response! {
    /// RopSeekRow success response (§2.2.5.8.2).
    SeekRowResponse = SEEK_ROW {
        /// `HasSoughtLess`: non-zero when fewer rows than asked could be moved.
        has_sought_less: u8,
        /// `RowsSought`: rows actually moved (signed).
        rows_sought: i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::Codec;
    use crate::prop::PropertyValue;
    use crate::prop::tags::*;
    use crate::rop::restriction::relop;
    use crate::testutil::hex;

    #[test]
    fn set_columns_matches_the_ms_oxorule_example_response() {
        let req = SetColumnsRequest {
            logon_id: 0,
            input_handle_index: 1,
            set_columns_flags: 0,
            columns: vec![PID_TAG_DISPLAY_NAME, PID_TAG_FOLDER_ID],
        };
        let bytes = hex("12 00 01 00 0200 1f000130 14004867");
        assert_eq!(req.encode().unwrap(), bytes);
        assert_eq!(SetColumnsRequest::decode(&bytes).unwrap(), req);
        // MS-OXORULE §4.2.2: 12 01 00000000 00.
        let resp = SetColumnsResponse {
            handle_index: 1,
            table_status: table_status::COMPLETE,
        };
        assert_eq!(resp.encode().unwrap(), hex("12 01 00000000 00"));
        // A count larger than the input is refused before allocating.
        assert!(SetColumnsRequest::decode(&hex("12 00 01 00 ffff 1f000130")).is_err());
    }

    #[test]
    fn sort_table_layout() {
        let req = SortTableRequest {
            logon_id: 0,
            input_handle_index: 1,
            sort_table_flags: 0,
            sort: SortOrderSet {
                categorized_count: 0,
                expanded_count: 0,
                orders: vec![SortOrder {
                    tag: PID_TAG_DISPLAY_NAME,
                    order: sort_order::DESCENDING,
                }],
            },
        };
        let bytes = hex("13 00 01 00 0100 0000 0000 1f000130 01");
        assert_eq!(req.encode().unwrap(), bytes);
        assert_eq!(SortTableRequest::decode(&bytes).unwrap(), req);
        assert_eq!(
            SortTableResponse {
                handle_index: 1,
                table_status: 0
            }
            .encode()
            .unwrap(),
            hex("13 01 00000000 00")
        );
    }

    #[test]
    fn restrict_layout() {
        let req = RestrictRequest {
            logon_id: 0,
            input_handle_index: 1,
            restrict_flags: 0,
            restriction: RestrictionData(Some(Restriction::Property {
                relop: relop::EQ,
                tag: PID_TAG_CONTENT_COUNT,
                value: crate::prop::TaggedValue::new(
                    PID_TAG_CONTENT_COUNT,
                    PropertyValue::Integer32(0),
                ),
            })),
        };
        let bytes = hex("14 00 01 00 0e00 04 04 03000236 03000236 00000000");
        assert_eq!(req.encode().unwrap(), bytes);
        assert_eq!(RestrictRequest::decode(&bytes).unwrap(), req);
        let clear = hex("14 00 01 00 0000");
        assert_eq!(
            RestrictRequest::decode(&clear).unwrap().restriction,
            RestrictionData(None)
        );
        // RestrictionDataSize must cover the restriction exactly.
        assert!(RestrictRequest::decode(&hex("14 00 01 00 0600 08 1f000130 00")).is_err());
        assert!(RestrictRequest::decode(&hex("14 00 01 00 0400 08 1f000130")).is_err());
    }

    #[test]
    fn query_rows_matches_the_ms_oxorule_example_header() {
        let req = QueryRowsRequest {
            logon_id: 0,
            input_handle_index: 1,
            query_rows_flags: 0,
            forward_read: 1,
            row_count: 0x10,
        };
        assert_eq!(req.encode().unwrap(), hex("15 00 01 00 01 1000"));
        // MS-OXORULE §4.2.2: "15 01 00000000 02 0100" then the rows.
        let columns = vec![PID_TAG_DISPLAY_NAME, PID_TAG_CONTENT_COUNT];
        let resp = QueryRowsResponse {
            handle_index: 1,
            origin: origin::END,
            columns: columns.clone(),
            rows: vec![PropertyRow {
                values: vec![
                    Some(PropertyValue::String("X".into())),
                    Some(PropertyValue::Integer32(3)),
                ],
            }],
        };
        let mut w = Writer::new();
        resp.write_to(&mut w).unwrap();
        assert_eq!(
            w.as_slice(),
            hex("15 01 00000000 02 0100 00 5800 0000 03000000")
        );
        let back = QueryRowsResponse::read_with(&mut Reader::new(w.as_slice()), &columns).unwrap();
        assert_eq!(back, resp);
        let empty = QueryRowsResponse {
            handle_index: 1,
            origin: origin::END,
            columns,
            rows: vec![],
        };
        let mut w = Writer::new();
        empty.write_to(&mut w).unwrap();
        assert_eq!(w.len(), QueryRowsResponse::EMPTY_LEN);
    }

    #[test]
    fn position_and_seek_layouts() {
        let q = QueryPositionRequest {
            logon_id: 0,
            input_handle_index: 2,
        };
        assert_eq!(q.encode().unwrap(), hex("17 00 02"));
        let qr = QueryPositionResponse {
            handle_index: 2,
            numerator: 3,
            denominator: 10,
        };
        assert_eq!(
            qr.encode().unwrap(),
            hex("17 02 00000000 03000000 0a000000")
        );
        assert_eq!(
            QueryPositionResponse::decode(&qr.encode().unwrap()).unwrap(),
            qr
        );
        let s = SeekRowRequest {
            logon_id: 0,
            input_handle_index: 2,
            origin: origin::CURRENT,
            row_count: -2,
            want_row_moved_count: 1,
        };
        assert_eq!(s.encode().unwrap(), hex("18 00 02 01 feffffff 01"));
        assert_eq!(
            SeekRowRequest::decode(&hex("18 00 02 01 feffffff 01")).unwrap(),
            s
        );
        let sr = SeekRowResponse {
            handle_index: 2,
            has_sought_less: 1,
            rows_sought: -1,
        };
        assert_eq!(sr.encode().unwrap(), hex("18 02 00000000 01 ffffffff"));
    }
}
