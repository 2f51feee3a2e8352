//! Success bodies (after `StatusCode` 0) of the address book request types beyond Bind/Unbind/URLs
//! (MS-OXCMAPIHTTP §2.2.5.3.2–§2.2.5.17.2). Each starts with `ErrorCode` (the NSPI return value) and ends
//! with the auxiliary buffer; a failing StatusCode uses the common failure body (`body::Response`).

use crate::body::Response;
use crate::buf::{Codec, Reader, Writer};
use crate::error::Result;
use crate::prop::PropTag;

use super::stat::{Stat, read_optional_stat};
use super::value::{
    AbTaggedValue, ColumnsAndRows, read_count, read_mids, read_optional, read_tags,
    read_value_list, write_mids, write_present, write_tags, write_value_list,
};

/// CompareMIds success (§2.2.5.3.2): ErrorCode, then `Result` (negative, zero, positive).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompareMIdsSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `Result`: < 0 when MinimalId1 comes first, 0 when the same row, > 0 when after.
    pub result: i32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for CompareMIdsSuccess {
    const NAME: &'static str = "CompareMIds response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.i32(self.result);
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(CompareMIdsSuccess {
            error_code: r.u32("ErrorCode")?,
            result: r.i32("Result")?,
            aux: r.aux()?,
        })
    }
}

/// Success bodies that are ErrorCode, an optional MID list and aux: DNToMId (§2.2.5.4.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DnToMIdSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`: one per DN, 0 for a DN not found.
    pub mids: Option<Vec<u32>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for DnToMIdSuccess {
    const NAME: &'static str = "DNToMId response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        write_present(w, &self.mids, |w, m| write_mids(w, m))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(DnToMIdSuccess {
            error_code: r.u32("ErrorCode")?,
            mids: read_optional(r, "HasMinimalIds", |r| read_mids(r, "MinimalIds"))?,
            aux: r.aux()?,
        })
    }
}

/// GetMatches success (§2.2.5.5.2).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GetMatchesSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`: the explicit table.
    pub mids: Option<Vec<u32>>,
    /// `HasColumnsAndRows` + `Columns` + `RowCount` + `RowData`.
    pub rows: Option<ColumnsAndRows>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for GetMatchesSuccess {
    const NAME: &'static str = "GetMatches response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        write_present(w, &self.state, |w, s| s.write_to(w))?;
        write_present(w, &self.mids, |w, m| write_mids(w, m))?;
        write_present(w, &self.rows, |w, r| r.write_to(w))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(GetMatchesSuccess {
            error_code: r.u32("ErrorCode")?,
            state: read_optional_stat(r)?,
            mids: read_optional(r, "HasMinimalIds", |r| read_mids(r, "MinimalIds"))?,
            rows: read_optional(r, "HasColumnsAndRows", ColumnsAndRows::read_from)?,
            aux: r.aux()?,
        })
    }
}

/// GetPropList (§2.2.5.6.2) and QueryColumns (§2.2.5.11.2) success: ErrorCode, optional tag list, aux.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagListSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `HasPropertyTags`/`HasColumns` + LargePropertyTagArray.
    pub tags: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for TagListSuccess {
    const NAME: &'static str = "GetPropList/QueryColumns response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        write_present(w, &self.tags, |w, t| write_tags(w, t))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(TagListSuccess {
            error_code: r.u32("ErrorCode")?,
            tags: read_optional(r, "HasPropertyTags", read_tags)?,
            aux: r.aux()?,
        })
    }
}

/// GetProps (§2.2.5.7.2) and GetTemplateInfo (§2.2.5.9.2) success: ErrorCode, CodePage, optional
/// AddressBookPropertyValueList, aux.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PropertyListSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `CodePage` of String8 values.
    pub code_page: u32,
    /// `HasPropertyValues`/`HasRow` + AddressBookPropertyValueList.
    pub values: Option<Vec<AbTaggedValue>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for PropertyListSuccess {
    const NAME: &'static str = "GetProps/GetTemplateInfo response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.u32(self.code_page);
        write_present(w, &self.values, |w, v| write_value_list(w, v))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(PropertyListSuccess {
            error_code: r.u32("ErrorCode")?,
            code_page: r.u32("CodePage")?,
            values: read_optional(r, "HasPropertyValues", read_value_list)?,
            aux: r.aux()?,
        })
    }
}

/// GetSpecialTable success (§2.2.5.8.2).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GetSpecialTableSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `CodePage`.
    pub code_page: u32,
    /// `HasVersion` + `Version`.
    pub version: Option<u32>,
    /// `HasRows` + `RowsCount` + `Rows` (each an AddressBookPropertyValueList).
    pub rows: Option<Vec<Vec<AbTaggedValue>>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for GetSpecialTableSuccess {
    const NAME: &'static str = "GetSpecialTable response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.u32(self.code_page);
        write_present(w, &self.version, |w, v| {
            w.u32(*v);
            Ok(())
        })?;
        write_present(w, &self.rows, |w, rows| {
            w.u32(u32::try_from(rows.len()).unwrap_or(u32::MAX));
            rows.iter().try_for_each(|row| write_value_list(w, row))
        })?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(GetSpecialTableSuccess {
            error_code: r.u32("ErrorCode")?,
            code_page: r.u32("CodePage")?,
            version: read_optional(r, "HasVersion", |r| r.u32("Version"))?,
            rows: read_optional(r, "HasRows", |r| {
                let n = read_count(r, 4, "RowsCount")?;
                (0..n).map(|_| read_value_list(r)).collect()
            })?,
            aux: r.aux()?,
        })
    }
}

/// QueryRows (§2.2.5.12.2) and SeekEntries (§2.2.5.15.2) success: ErrorCode, optional STAT, optional
/// columns and rows, aux.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatRowsSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasColumnsAndRows` + columns, count, rows.
    pub rows: Option<ColumnsAndRows>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for StatRowsSuccess {
    const NAME: &'static str = "QueryRows/SeekEntries response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        write_present(w, &self.state, |w, s| s.write_to(w))?;
        write_present(w, &self.rows, |w, r| r.write_to(w))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(StatRowsSuccess {
            error_code: r.u32("ErrorCode")?,
            state: read_optional_stat(r)?,
            rows: read_optional(r, "HasColumnsAndRows", ColumnsAndRows::read_from)?,
            aux: r.aux()?,
        })
    }
}

/// ResortRestriction success (§2.2.5.13.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResortRestrictionSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`: the sorted explicit table.
    pub mids: Option<Vec<u32>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for ResortRestrictionSuccess {
    const NAME: &'static str = "ResortRestriction response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        write_present(w, &self.state, |w, s| s.write_to(w))?;
        write_present(w, &self.mids, |w, m| write_mids(w, m))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ResortRestrictionSuccess {
            error_code: r.u32("ErrorCode")?,
            state: read_optional_stat(r)?,
            mids: read_optional(r, "HasMinimalIds", |r| read_mids(r, "MinimalIds"))?,
            aux: r.aux()?,
        })
    }
}

/// ResolveNames success (§2.2.5.14.2).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResolveNamesSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `CodePage`.
    pub code_page: u32,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`: one per name (MID, MID_AMBIGUOUS, MID_UNRESOLVED).
    pub mids: Option<Vec<u32>>,
    /// `HasRowsAndCols` + columns, count, rows: one row per resolved name.
    pub rows: Option<ColumnsAndRows>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for ResolveNamesSuccess {
    const NAME: &'static str = "ResolveNames response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.u32(self.code_page);
        write_present(w, &self.mids, |w, m| write_mids(w, m))?;
        write_present(w, &self.rows, |w, r| r.write_to(w))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ResolveNamesSuccess {
            error_code: r.u32("ErrorCode")?,
            code_page: r.u32("CodePage")?,
            mids: read_optional(r, "HasMinimalIds", |r| read_mids(r, "MinimalIds"))?,
            rows: read_optional(r, "HasRowsAndCols", ColumnsAndRows::read_from)?,
            aux: r.aux()?,
        })
    }
}

/// UpdateStat success (§2.2.5.16.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateStatSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasDelta` + `Delta`: rows actually moved (when requested).
    pub delta: Option<i32>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for UpdateStatSuccess {
    const NAME: &'static str = "UpdateStat response body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        write_present(w, &self.state, |w, s| s.write_to(w))?;
        write_present(w, &self.delta, |w, d| {
            w.i32(*d);
            Ok(())
        })?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(UpdateStatSuccess {
            error_code: r.u32("ErrorCode")?,
            state: read_optional_stat(r)?,
            delta: read_optional(r, "HasDelta", |r| r.i32("Delta"))?,
            aux: r.aux()?,
        })
    }
}

/// CompareMIds response body.
pub type CompareMIdsResponse = Response<CompareMIdsSuccess>;
/// DNToMId response body.
pub type DnToMIdResponse = Response<DnToMIdSuccess>;
/// GetMatches response body.
pub type GetMatchesResponse = Response<GetMatchesSuccess>;
/// GetPropList response body.
pub type GetPropListResponse = Response<TagListSuccess>;
/// QueryColumns response body.
pub type QueryColumnsResponse = Response<TagListSuccess>;
/// GetProps response body.
pub type GetPropsResponse = Response<PropertyListSuccess>;
/// GetTemplateInfo response body.
pub type GetTemplateInfoResponse = Response<PropertyListSuccess>;
/// GetSpecialTable response body.
pub type GetSpecialTableResponse = Response<GetSpecialTableSuccess>;
/// QueryRows response body.
pub type QueryRowsResponse = Response<StatRowsSuccess>;
/// ResortRestriction response body.
pub type ResortRestrictionResponse = Response<ResortRestrictionSuccess>;
/// SeekEntries response body.
pub type SeekEntriesResponse = Response<StatRowsSuccess>;
/// ResolveNames response body.
pub type ResolveNamesResponse = Response<ResolveNamesSuccess>;
/// UpdateStat response body.
pub type UpdateStatResponse = Response<UpdateStatSuccess>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nspi::value::{AbCell, AbRow};
    use crate::prop::PropertyValue;
    use crate::prop::tags::*;
    use crate::testutil::hex;

    fn check<T: Codec + PartialEq + std::fmt::Debug>(value: &T, expected: &[u8]) {
        assert_eq!(value.encode().unwrap(), expected);
        assert_eq!(&T::decode(expected).unwrap(), value);
    }

    #[test]
    fn present_parts_are_flagged_ff_as_ruler_requires() {
        // ruler reads HasState/HasColsAndRows/HasVersion/HasRows as present only when 0xFF.
        let resp = GetSpecialTableResponse::Success(GetSpecialTableSuccess {
            error_code: 0,
            code_page: 1252,
            version: Some(1),
            rows: Some(vec![]),
            aux: vec![],
        });
        assert_eq!(
            resp.encode().unwrap(),
            hex("00000000 00000000 e4040000 ff 01000000 ff 00000000 00000000")
        );
        // Any non-zero byte reads as present.
        let sent = hex("00000000 00000000 e4040000 01 01000000 00 00000000");
        let back = GetSpecialTableResponse::decode(&sent)
            .unwrap()
            .into_result()
            .unwrap();
        assert_eq!(back.version, Some(1));
    }

    #[test]
    fn compare_mids_has_error_code_before_result() {
        // The spec order (gromox swaps them; fact sheet §3.5).
        check(
            &CompareMIdsResponse::Success(CompareMIdsSuccess {
                error_code: 0,
                result: -1,
                aux: vec![],
            }),
            &hex("00000000 00000000 ffffffff 00000000"),
        );
    }

    #[test]
    fn query_rows_response_layout() {
        let stat = Stat {
            current_rec: 2,
            num_pos: 2,
            total_recs: 2,
            code_page: 1252,
            ..Stat::default()
        };
        let resp = QueryRowsResponse::Success(StatRowsSuccess {
            error_code: 0,
            state: Some(stat),
            rows: Some(ColumnsAndRows {
                columns: vec![PID_TAG_DISPLAY_NAME, PID_TAG_OBJECT_TYPE],
                rows: vec![AbRow {
                    cells: vec![
                        AbCell::Value(PropertyValue::String("A".into())),
                        AbCell::Value(PropertyValue::Integer32(6)),
                    ],
                }],
            }),
            aux: vec![],
        });
        check(
            &resp,
            &hex(
                "00000000 00000000 ff 00000000 00000000 02000000 00000000 02000000 02000000 e4040000 00000000 00000000
                 ff 02000000 1f000130 0300fe0f 01000000 00 ff 4100 0000 06000000 00000000",
            ),
        );
    }

    #[test]
    fn other_responses_round_trip() {
        check(
            &DnToMIdResponse::Success(DnToMIdSuccess {
                error_code: 0,
                mids: Some(vec![0x11, 0]),
                aux: vec![],
            }),
            &hex("00000000 00000000 ff 02000000 11000000 00000000 00000000"),
        );
        check(
            &GetPropListResponse::Success(TagListSuccess {
                error_code: 0,
                tags: Some(vec![PID_TAG_DISPLAY_NAME]),
                aux: vec![],
            }),
            &hex("00000000 00000000 ff 01000000 1f000130 00000000"),
        );
        check(
            &GetPropsResponse::Success(PropertyListSuccess {
                error_code: 0,
                code_page: 1252,
                values: Some(vec![AbTaggedValue::new(
                    PID_TAG_DISPLAY_TYPE,
                    PropertyValue::Integer32(0),
                )]),
                aux: vec![],
            }),
            &hex("00000000 00000000 e4040000 ff 01000000 03000039 00000000 00000000"),
        );
        check(
            &GetSpecialTableResponse::Success(GetSpecialTableSuccess {
                error_code: 0,
                code_page: 1252,
                version: Some(1),
                rows: Some(vec![vec![AbTaggedValue::new(
                    PID_TAG_DEPTH,
                    PropertyValue::Integer32(0),
                )]]),
                aux: vec![],
            }),
            &hex(
                "00000000 00000000 e4040000 ff 01000000 ff 01000000 01000000 03000530 00000000 00000000",
            ),
        );
        check(
            &ResortRestrictionResponse::Success(ResortRestrictionSuccess {
                error_code: 0,
                state: None,
                mids: Some(vec![0x11]),
                aux: vec![],
            }),
            &hex("00000000 00000000 00 ff 01000000 11000000 00000000"),
        );
        check(
            &UpdateStatResponse::Success(UpdateStatSuccess {
                error_code: 0,
                state: None,
                delta: Some(-2),
                aux: vec![],
            }),
            &hex("00000000 00000000 00 ff feffffff 00000000"),
        );
        check(
            &ResolveNamesResponse::Success(ResolveNamesSuccess {
                error_code: 0,
                code_page: 1252,
                mids: Some(vec![1]),
                rows: None,
                aux: vec![],
            }),
            &hex("00000000 00000000 e4040000 ff 01000000 01000000 00 00000000"),
        );
        check(
            &GetMatchesResponse::Success(GetMatchesSuccess {
                error_code: 0,
                state: None,
                mids: Some(vec![]),
                rows: Some(ColumnsAndRows::default()),
                aux: vec![],
            }),
            &hex("00000000 00000000 00 ff 00000000 ff 00000000 00000000 00000000"),
        );
    }
}
