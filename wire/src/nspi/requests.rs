//! Request bodies of the address book endpoint beyond Bind/Unbind/URLs (MS-OXCMAPIHTTP §2.2.5.3–§2.2.5.17,
//! field order as in the fact sheet §3.5). Every body ends with the auxiliary buffer.

use uuid::Uuid;

use crate::buf::{Codec, Reader, Writer};
use crate::error::Result;
use crate::prop::PropTag;

use super::restriction::Restriction;
use super::stat::{Stat, read_optional_stat, write_optional_stat};
use super::value::{
    AbTaggedValue, read_count, read_mids, read_optional, read_tags, write_mids, write_optional,
    write_tags,
};

/// CompareMIds request (§2.2.5.3.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompareMIdsRequest {
    /// `Reserved`.
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `MinimalId1`.
    pub mid1: u32,
    /// `MinimalId2`.
    pub mid2: u32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for CompareMIdsRequest {
    const NAME: &'static str = "CompareMIds request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.reserved);
        write_optional_stat(w, &self.state)?;
        w.u32(self.mid1);
        w.u32(self.mid2);
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(CompareMIdsRequest {
            reserved: r.u32("Reserved")?,
            state: read_optional_stat(r)?,
            mid1: r.u32("MinimalId1")?,
            mid2: r.u32("MinimalId2")?,
            aux: r.aux()?,
        })
    }
}

/// DNToMId request (§2.2.5.4.1): DNs as 8-bit strings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DnToMIdRequest {
    /// `Reserved`.
    pub reserved: u32,
    /// `HasNames` + `NameCount` + `NameValues` (asciiz each).
    pub names: Option<Vec<String>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for DnToMIdRequest {
    const NAME: &'static str = "DNToMId request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.reserved);
        write_optional(w, &self.names, |w, names| {
            w.u32(u32::try_from(names.len()).unwrap_or(u32::MAX));
            names.iter().try_for_each(|n| w.asciiz(n, "NameValues"))
        })?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(DnToMIdRequest {
            reserved: r.u32("Reserved")?,
            names: read_optional(r, "HasNames", |r| {
                let n = read_count(r, 1, "NameCount")?;
                (0..n).map(|_| r.asciiz("NameValues")).collect()
            })?,
            aux: r.aux()?,
        })
    }
}

/// GetMatches request (§2.2.5.5.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GetMatchesRequest {
    /// `Reserved`.
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds` (reserved; ignored by servers).
    pub mids: Option<Vec<u32>>,
    /// `InterfaceOptionFlags` (reserved).
    pub interface_option_flags: u32,
    /// `HasFilter` + `Filter`.
    pub filter: Option<Restriction>,
    /// `HasPropertyName` + `PropertyNameGuid` + `PropertyNameId`.
    pub property_name: Option<(Uuid, u32)>,
    /// `RowCount`: the most rows wanted.
    pub row_count: u32,
    /// `HasColumns` + `Columns`.
    pub columns: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for GetMatchesRequest {
    const NAME: &'static str = "GetMatches request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.reserved);
        write_optional_stat(w, &self.state)?;
        write_optional(w, &self.mids, |w, m| write_mids(w, m))?;
        w.u32(self.interface_option_flags);
        write_optional(w, &self.filter, |w, f| f.write_to(w))?;
        write_optional(w, &self.property_name, |w, (g, id)| {
            w.guid(g);
            w.u32(*id);
            Ok(())
        })?;
        w.u32(self.row_count);
        write_optional(w, &self.columns, |w, c| write_tags(w, c))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(GetMatchesRequest {
            reserved: r.u32("Reserved")?,
            state: read_optional_stat(r)?,
            mids: read_optional(r, "HasMinimalIds", |r| read_mids(r, "MinimalIds"))?,
            interface_option_flags: r.u32("InterfaceOptionFlags")?,
            filter: read_optional(r, "HasFilter", Restriction::read_from)?,
            property_name: read_optional(r, "HasPropertyName", |r| {
                Ok((r.guid("PropertyNameGuid")?, r.u32("PropertyNameId")?))
            })?,
            row_count: r.u32("RowCount")?,
            columns: read_optional(r, "HasColumns", read_tags)?,
            aux: r.aux()?,
        })
    }
}

/// GetPropList request (§2.2.5.6.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetPropListRequest {
    /// `Flags` (fSkipObjects).
    pub flags: u32,
    /// `MinimalId` of the object.
    pub mid: u32,
    /// `CodePage`: CP_WINUNICODE asks for PtypString tags, anything else PtypString8.
    pub code_page: u32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for GetPropListRequest {
    const NAME: &'static str = "GetPropList request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.flags);
        w.u32(self.mid);
        w.u32(self.code_page);
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(GetPropListRequest {
            flags: r.u32("Flags")?,
            mid: r.u32("MinimalId")?,
            code_page: r.u32("CodePage")?,
            aux: r.aux()?,
        })
    }
}

/// GetProps request (§2.2.5.7.1): the object is `State.CurrentRec`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetPropsRequest {
    /// `Flags` (fEphID, fSkipObjects).
    pub flags: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasPropertyTags` + `PropertyTags`; `None` asks for every property.
    pub tags: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for GetPropsRequest {
    const NAME: &'static str = "GetProps request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.flags);
        write_optional_stat(w, &self.state)?;
        write_optional(w, &self.tags, |w, t| write_tags(w, t))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(GetPropsRequest {
            flags: r.u32("Flags")?,
            state: read_optional_stat(r)?,
            tags: read_optional(r, "HasPropertyTags", read_tags)?,
            aux: r.aux()?,
        })
    }
}

/// GetSpecialTable request (§2.2.5.8.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetSpecialTableRequest {
    /// `Flags` (NspiAddressCreationTemplates, NspiUnicodeStrings).
    pub flags: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasVersion` + `Version`: the hierarchy table version the client has.
    pub version: Option<u32>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for GetSpecialTableRequest {
    const NAME: &'static str = "GetSpecialTable request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.flags);
        write_optional_stat(w, &self.state)?;
        write_optional(w, &self.version, |w, v| {
            w.u32(*v);
            Ok(())
        })?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(GetSpecialTableRequest {
            flags: r.u32("Flags")?,
            state: read_optional_stat(r)?,
            version: read_optional(r, "HasVersion", |r| r.u32("Version"))?,
            aux: r.aux()?,
        })
    }
}

/// GetTemplateInfo request (§2.2.5.9.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetTemplateInfoRequest {
    /// `Flags` (TI_TEMPLATE, TI_SCRIPT, …).
    pub flags: u32,
    /// `DisplayType` of the template wanted.
    pub display_type: u32,
    /// `HasTemplateDn` + `TemplateDn` (asciiz).
    pub template_dn: Option<String>,
    /// `CodePage`.
    pub code_page: u32,
    /// `LocaleId`.
    pub locale_id: u32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for GetTemplateInfoRequest {
    const NAME: &'static str = "GetTemplateInfo request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.flags);
        w.u32(self.display_type);
        write_optional(w, &self.template_dn, |w, dn| w.asciiz(dn, "TemplateDn"))?;
        w.u32(self.code_page);
        w.u32(self.locale_id);
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(GetTemplateInfoRequest {
            flags: r.u32("Flags")?,
            display_type: r.u32("DisplayType")?,
            template_dn: read_optional(r, "HasTemplateDn", |r| r.asciiz("TemplateDn"))?,
            code_page: r.u32("CodePage")?,
            locale_id: r.u32("LocaleId")?,
            aux: r.aux()?,
        })
    }
}

/// QueryColumns request (§2.2.5.11.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryColumnsRequest {
    /// `Reserved`.
    pub reserved: u32,
    /// `MapiFlags` (NspiUnicodeProptypes).
    pub flags: u32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for QueryColumnsRequest {
    const NAME: &'static str = "QueryColumns request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.reserved);
        w.u32(self.flags);
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(QueryColumnsRequest {
            reserved: r.u32("Reserved")?,
            flags: r.u32("MapiFlags")?,
            aux: r.aux()?,
        })
    }
}

/// QueryRows request (§2.2.5.12.1). The explicit table has no `Has…` byte: a count of 0 means none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryRowsRequest {
    /// `Flags` (fEphID, fSkipObjects).
    pub flags: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `ExplicitTableCount` + `ExplicitTable`.
    pub explicit_table: Vec<u32>,
    /// `RowCount`: rows wanted.
    pub row_count: u32,
    /// `HasColumns` + `Columns`.
    pub columns: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for QueryRowsRequest {
    const NAME: &'static str = "QueryRows request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.flags);
        write_optional_stat(w, &self.state)?;
        write_mids(w, &self.explicit_table)?;
        w.u32(self.row_count);
        write_optional(w, &self.columns, |w, c| write_tags(w, c))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(QueryRowsRequest {
            flags: r.u32("Flags")?,
            state: read_optional_stat(r)?,
            explicit_table: read_mids(r, "ExplicitTable")?,
            row_count: r.u32("RowCount")?,
            columns: read_optional(r, "HasColumns", read_tags)?,
            aux: r.aux()?,
        })
    }
}

/// ResolveNames request (§2.2.5.14.1): names as UTF-16 strings, without per-name `HasValue` bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolveNamesRequest {
    /// `Reserved`.
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasPropertyTags` + `PropertyTags`.
    pub tags: Option<Vec<PropTag>>,
    /// `HasNames` + `NameCount` + `NameValues`.
    pub names: Option<Vec<String>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for ResolveNamesRequest {
    const NAME: &'static str = "ResolveNames request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.reserved);
        write_optional_stat(w, &self.state)?;
        write_optional(w, &self.tags, |w, t| write_tags(w, t))?;
        write_optional(w, &self.names, |w, names| {
            w.u32(u32::try_from(names.len()).unwrap_or(u32::MAX));
            names.iter().try_for_each(|n| w.utf16z(n, "NameValues"))
        })?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ResolveNamesRequest {
            reserved: r.u32("Reserved")?,
            state: read_optional_stat(r)?,
            tags: read_optional(r, "HasPropertyTags", read_tags)?,
            names: read_optional(r, "HasNames", |r| {
                let n = read_count(r, 2, "NameCount")?;
                (0..n).map(|_| r.utf16z("NameValues")).collect()
            })?,
            aux: r.aux()?,
        })
    }
}

/// ResortRestriction request (§2.2.5.13.1): an explicit table to sort.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResortRestrictionRequest {
    /// `Reserved`.
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`.
    pub mids: Option<Vec<u32>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for ResortRestrictionRequest {
    const NAME: &'static str = "ResortRestriction request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.reserved);
        write_optional_stat(w, &self.state)?;
        write_optional(w, &self.mids, |w, m| write_mids(w, m))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ResortRestrictionRequest {
            reserved: r.u32("Reserved")?,
            state: read_optional_stat(r)?,
            mids: read_optional(r, "HasMinimalIds", |r| read_mids(r, "MinimalIds"))?,
            aux: r.aux()?,
        })
    }
}

/// SeekEntries request (§2.2.5.15.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeekEntriesRequest {
    /// `Reserved`.
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasTarget` + `Target`: the value sought (of the sort property).
    pub target: Option<AbTaggedValue>,
    /// `HasExplicitTable` + `ExplicitTableCount` + `ExplicitTable`.
    pub explicit_table: Option<Vec<u32>>,
    /// `HasColumns` + `Columns`.
    pub columns: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for SeekEntriesRequest {
    const NAME: &'static str = "SeekEntries request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.reserved);
        write_optional_stat(w, &self.state)?;
        write_optional(w, &self.target, |w, t| t.write_to(w))?;
        write_optional(w, &self.explicit_table, |w, m| write_mids(w, m))?;
        write_optional(w, &self.columns, |w, c| write_tags(w, c))?;
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(SeekEntriesRequest {
            reserved: r.u32("Reserved")?,
            state: read_optional_stat(r)?,
            target: read_optional(r, "HasTarget", AbTaggedValue::read_from)?,
            explicit_table: read_optional(r, "HasExplicitTable", |r| {
                read_mids(r, "ExplicitTable")
            })?,
            columns: read_optional(r, "HasColumns", read_tags)?,
            aux: r.aux()?,
        })
    }
}

/// UpdateStat request (§2.2.5.16.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateStatRequest {
    /// `Reserved`.
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `DeltaRequested`.
    pub delta_requested: bool,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for UpdateStatRequest {
    const NAME: &'static str = "UpdateStat request body";
    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.reserved);
        write_optional_stat(w, &self.state)?;
        w.bool8(self.delta_requested);
        w.aux(&self.aux)
    }
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(UpdateStatRequest {
            reserved: r.u32("Reserved")?,
            state: read_optional_stat(r)?,
            delta_requested: r.bool8("DeltaRequested")?,
            aux: r.aux()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prop::PropertyValue;
    use crate::prop::tags::*;
    use crate::testutil::hex;

    const STAT_1252: &str =
        "00000000 00000000 00000000 00000000 00000000 00000000 e4040000 09040000 09040000";

    fn stat() -> Stat {
        Stat {
            code_page: 1252,
            template_locale: 0x409,
            sort_locale: 0x409,
            ..Stat::default()
        }
    }

    fn check<T: Codec + PartialEq + std::fmt::Debug>(value: &T, expected: &[u8]) {
        assert_eq!(value.encode().unwrap(), expected);
        assert_eq!(&T::decode(expected).unwrap(), value);
    }

    #[test]
    fn query_rows_layout() {
        // Flags, HasState, STAT, ExplicitTableCount 0, RowCount 2, HasColumns, 2 tags, aux.
        let req = QueryRowsRequest {
            flags: 0,
            state: Some(stat()),
            explicit_table: vec![],
            row_count: 2,
            columns: Some(vec![PID_TAG_DISPLAY_NAME, PID_TAG_EMAIL_ADDRESS]),
            aux: vec![],
        };
        check(
            &req,
            &hex(&format!(
                "00000000 01 {STAT_1252} 00000000 02000000 01 02000000 1f000130 1f000330 00000000"
            )),
        );
        let explicit = QueryRowsRequest {
            explicit_table: vec![0x11, 0x12],
            columns: None,
            ..req
        };
        check(
            &explicit,
            &hex(&format!(
                "00000000 01 {STAT_1252} 02000000 11000000 12000000 02000000 00 00000000"
            )),
        );
    }

    #[test]
    fn resolve_names_layout() {
        let req = ResolveNamesRequest {
            reserved: 0,
            state: Some(stat()),
            tags: Some(vec![PID_TAG_DISPLAY_NAME]),
            names: Some(vec!["Al".into()]),
            aux: vec![],
        };
        check(
            &req,
            &hex(&format!(
                "00000000 01 {STAT_1252} 01 01000000 1f000130 01 01000000 4100 6c00 0000 00000000"
            )),
        );
    }

    #[test]
    fn small_requests_layouts() {
        check(
            &CompareMIdsRequest {
                reserved: 0,
                state: None,
                mid1: 0x11,
                mid2: 0x12,
                aux: vec![],
            },
            &hex("00000000 00 11000000 12000000 00000000"),
        );
        check(
            &DnToMIdRequest {
                reserved: 0,
                names: Some(vec!["/o=A".into()]),
                aux: vec![],
            },
            &hex("00000000 01 01000000 2f6f3d4100 00000000"),
        );
        check(
            &GetPropListRequest {
                flags: 0,
                mid: 0x11,
                code_page: 1252,
                aux: vec![],
            },
            &hex("00000000 11000000 e4040000 00000000"),
        );
        check(
            &GetPropsRequest {
                flags: 2,
                state: None,
                tags: Some(vec![PID_TAG_ENTRY_ID]),
                aux: vec![],
            },
            &hex("02000000 00 01 01000000 0201ff0f 00000000"),
        );
        check(
            &GetSpecialTableRequest {
                flags: 4,
                state: None,
                version: Some(7),
                aux: vec![],
            },
            &hex("04000000 00 01 07000000 00000000"),
        );
        check(
            &GetTemplateInfoRequest {
                flags: 1,
                display_type: 0,
                template_dn: None,
                code_page: 1252,
                locale_id: 0x409,
                aux: vec![],
            },
            &hex("01000000 00000000 00 e4040000 09040000 00000000"),
        );
        check(
            &QueryColumnsRequest {
                reserved: 0,
                flags: 0x8000_0000,
                aux: vec![],
            },
            &hex("00000000 00000080 00000000"),
        );
        check(
            &UpdateStatRequest {
                reserved: 0,
                state: Some(stat()),
                delta_requested: true,
                aux: vec![],
            },
            &hex(&format!("00000000 01 {STAT_1252} 01 00000000")),
        );
    }

    fn survives<T: Codec + PartialEq + std::fmt::Debug>(data: &[u8]) {
        if let Ok(v) = T::decode(data) {
            let again = T::decode(&v.encode().expect("what decodes encodes")).expect("and decodes");
            assert_eq!(again, v);
        }
    }

    #[test]
    fn random_and_mutated_bodies_never_panic() {
        // Every request decoder the server runs, on random bytes and on mutations of valid bodies.
        let seeds: Vec<Vec<u8>> = vec![
            QueryRowsRequest {
                state: Some(stat()),
                row_count: 2,
                columns: Some(vec![PID_TAG_DISPLAY_NAME]),
                ..QueryRowsRequest::default()
            }
            .encode()
            .unwrap(),
            GetMatchesRequest {
                state: Some(stat()),
                filter: Some(Restriction::And(vec![Restriction::Content {
                    fuzzy_level: 0x0001_0002,
                    tag: PID_TAG_DISPLAY_NAME,
                    value: AbTaggedValue::new(
                        PID_TAG_DISPLAY_NAME,
                        PropertyValue::String("x".into()),
                    ),
                }])),
                row_count: 5,
                ..GetMatchesRequest::default()
            }
            .encode()
            .unwrap(),
            ResolveNamesRequest {
                state: Some(stat()),
                names: Some(vec!["a".into()]),
                ..ResolveNamesRequest::default()
            }
            .encode()
            .unwrap(),
        ];
        let mut rng = crate::testutil::Rng(0x5eed_ab1e);
        for round in 0..3000 {
            let data = if round % 2 == 0 {
                {
                    let n = rng.below(80);
                    rng.bytes(n)
                }
            } else {
                let mut d = seeds[rng.below(seeds.len())].clone();
                let i = rng.below(d.len());
                d[i] = rng.next_u64() as u8;
                let cut = rng.below(4);
                d.truncate(d.len() - cut);
                d
            };
            survives::<CompareMIdsRequest>(&data);
            survives::<DnToMIdRequest>(&data);
            survives::<GetMatchesRequest>(&data);
            survives::<GetPropListRequest>(&data);
            survives::<GetPropsRequest>(&data);
            survives::<GetSpecialTableRequest>(&data);
            survives::<GetTemplateInfoRequest>(&data);
            survives::<QueryColumnsRequest>(&data);
            survives::<QueryRowsRequest>(&data);
            survives::<ResolveNamesRequest>(&data);
            survives::<ResortRestrictionRequest>(&data);
            survives::<SeekEntriesRequest>(&data);
            survives::<UpdateStatRequest>(&data);
        }
    }

    #[test]
    fn resort_restriction_layout() {
        check(
            &ResortRestrictionRequest {
                reserved: 0,
                state: Some(stat()),
                mids: Some(vec![0x12, 0x11]),
                aux: vec![],
            },
            &hex(&format!(
                "00000000 01 {STAT_1252} 01 02000000 12000000 11000000 00000000"
            )),
        );
    }

    #[test]
    fn seek_entries_and_get_matches_layouts() {
        let seek = SeekEntriesRequest {
            reserved: 0,
            state: Some(stat()),
            target: Some(AbTaggedValue::new(
                PID_TAG_DISPLAY_NAME,
                PropertyValue::String("B".into()),
            )),
            explicit_table: None,
            columns: Some(vec![PID_TAG_DISPLAY_NAME]),
            aux: vec![],
        };
        check(
            &seek,
            &hex(&format!(
                "00000000 01 {STAT_1252} 01 1f000130 ff 4200 0000 00 01 01000000 1f000130 00000000"
            )),
        );
        let matches = GetMatchesRequest {
            reserved: 0,
            state: Some(stat()),
            mids: None,
            interface_option_flags: 0,
            filter: Some(Restriction::Exist {
                tag: PID_TAG_SMTP_ADDRESS,
            }),
            property_name: None,
            row_count: 50,
            columns: Some(vec![PID_TAG_DISPLAY_NAME]),
            aux: vec![],
        };
        check(
            &matches,
            &hex(&format!(
                "00000000 01 {STAT_1252} 00 00000000 01 08 1f00fe39 00 32000000 01 01000000 1f000130 00000000"
            )),
        );
        // Truncated bodies fail with an error, not a panic.
        let bytes = matches.encode().unwrap();
        for n in 0..bytes.len() {
            assert!(GetMatchesRequest::decode(&bytes[..n]).is_err());
        }
    }

    #[test]
    fn a_server_id_target_encodes_as_it_decodes() {
        // Found by the nspi_request_bodies fuzz target: a PtypServerId value was read with the ROP
        // layout (u16 count) but written with PtypBinary's u32 count.
        let body = hex("09010000 00 fd fb007a7a 0100 00 00 00 00000000");
        let v = SeekEntriesRequest::decode(&body).unwrap();
        assert_eq!(SeekEntriesRequest::decode(&v.encode().unwrap()).unwrap(), v);
    }
}
