//! Property ROPs (MS-OXCROPS §2.2.8, semantics in MS-OXCPRPT §2.2.2): RopGetPropertiesSpecific (0x07),
//! RopGetPropertiesAll (0x08), RopGetPropertiesList (0x09).

use super::RopId;
use super::field::{
    Field, MinSize, expect_success, no_output, put_success, rop_request, rop_response,
};
use crate::buf::{Reader, Writer};
use crate::error::Result;
use crate::prop::{PropTag, PropertyRow, TaggedValue};

rop_request! {
    /// RopGetPropertiesSpecific request (§2.2.8.3.1).
    GetPropertiesSpecificRequest = GET_PROPERTIES_SPECIFIC, answer: input_handle_index, output: no_output, {
        /// `PropertySizeLimit`: 0 for the server's default limit.
        property_size_limit: u16,
        /// `WantUnicode`: non-zero asks for PtypString where the tag says PtypUnspecified.
        want_unicode: u16,
        /// `PropertyTagCount` + `PropertyTags`.
        tags: Vec<PropTag>,
    }
}

/// RopGetPropertiesSpecific success response (§2.2.8.3.2): one PropertyRow in the order of the requested tags
/// (a FlaggedPropertyRow with PtypErrorCode ecNotFound for missing ones). Decoding needs the request's tags.
#[derive(Debug, Clone, PartialEq)]
pub struct GetPropertiesSpecificResponse {
    /// `InputHandleIndex`.
    pub handle_index: u8,
    /// The requested tags (not on the wire).
    pub columns: Vec<PropTag>,
    /// `RowData`.
    pub row: PropertyRow,
}

impl GetPropertiesSpecificResponse {
    /// Appends the response.
    pub fn write_to(&self, w: &mut Writer) -> Result<()> {
        put_success(w, RopId::GET_PROPERTIES_SPECIFIC, self.handle_index);
        self.row.write_to(w, &self.columns)
    }

    /// Reads a response to a request for `columns`.
    pub fn read_with(r: &mut Reader<'_>, columns: &[PropTag]) -> Result<Self> {
        let handle_index = expect_success(
            r,
            RopId::GET_PROPERTIES_SPECIFIC,
            "RopGetPropertiesSpecific response",
        )?;
        let row = PropertyRow::read_from(r, columns)?;
        Ok(GetPropertiesSpecificResponse {
            handle_index,
            columns: columns.to_vec(),
            row,
        })
    }
}

impl Field for TaggedValue {
    fn put(&self, w: &mut Writer) -> Result<()> {
        self.write_to(w)
    }
    fn get(r: &mut Reader<'_>, _what: &'static str) -> Result<Self> {
        TaggedValue::read_from(r)
    }
}

impl MinSize for TaggedValue {
    const MIN_SIZE: usize = 5;
}

rop_request! {
    /// RopGetPropertiesAll request (§2.2.8.4.1).
    GetPropertiesAllRequest = GET_PROPERTIES_ALL, answer: input_handle_index, output: no_output, {
        /// `PropertySizeLimit`.
        property_size_limit: u16,
        /// `WantUnicode`: non-zero for PtypString, zero for PtypString8.
        want_unicode: u16,
    }
}

rop_response! {
    /// RopGetPropertiesAll success response (§2.2.8.4.2).
    GetPropertiesAllResponse = GET_PROPERTIES_ALL {
        /// `PropertyValueCount` + `PropertyValues` (TaggedPropertyValues).
        values: Vec<TaggedValue>,
    }
}

rop_request! {
    /// RopGetPropertiesList request (§2.2.8.5.1): the header only.
    GetPropertiesListRequest = GET_PROPERTIES_LIST, answer: input_handle_index, output: no_output, {}
}

rop_response! {
    /// RopGetPropertiesList success response (§2.2.8.5.2).
    GetPropertiesListResponse = GET_PROPERTIES_LIST {
        /// `PropertyTagCount` + `PropertyTags`.
        tags: Vec<PropTag>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::Codec;
    use crate::ec;
    use crate::prop::PropertyValue;
    use crate::prop::tags::*;
    use crate::testutil::hex;

    #[test]
    fn get_properties_specific_layouts() {
        // §2.2.8.3.1: PropertySizeLimit u16, WantUnicode u16, PropertyTagCount u16, PropertyTags.
        let req = GetPropertiesSpecificRequest {
            logon_id: 0,
            input_handle_index: 1,
            property_size_limit: 0,
            want_unicode: 1,
            tags: vec![PID_TAG_DISPLAY_NAME, PID_TAG_CONTAINER_CLASS],
        };
        let bytes = hex("07 00 01 0000 0100 0200 1f000130 1f001336");
        assert_eq!(req.encode().unwrap(), bytes);
        assert_eq!(GetPropertiesSpecificRequest::decode(&bytes).unwrap(), req);
        // A missing property makes the row flagged with ecNotFound.
        let resp = GetPropertiesSpecificResponse {
            handle_index: 1,
            columns: req.tags.clone(),
            row: PropertyRow {
                values: vec![Some(PropertyValue::String("A".into())), None],
            },
        };
        let mut w = Writer::new();
        resp.write_to(&mut w).unwrap();
        let expected = hex("07 01 00000000 01 00 4100 0000 0a 0f010480");
        assert_eq!(w.as_slice(), expected);
        let back = GetPropertiesSpecificResponse::read_with(&mut Reader::new(&expected), &req.tags)
            .unwrap();
        assert_eq!(
            back.row.values[1],
            Some(PropertyValue::ErrorCode(ec::NOT_FOUND))
        );
    }

    #[test]
    fn get_properties_all_and_list_layouts() {
        let req = GetPropertiesAllRequest {
            logon_id: 0,
            input_handle_index: 1,
            property_size_limit: 0,
            want_unicode: 1,
        };
        assert_eq!(req.encode().unwrap(), hex("08 00 01 0000 0100"));
        let resp = GetPropertiesAllResponse {
            handle_index: 1,
            values: vec![TaggedValue::new(
                PID_TAG_CONTENT_COUNT,
                PropertyValue::Integer32(2),
            )],
        };
        let bytes = hex("08 01 00000000 0100 03000236 02000000");
        assert_eq!(resp.encode().unwrap(), bytes);
        assert_eq!(GetPropertiesAllResponse::decode(&bytes).unwrap(), resp);
        assert_eq!(
            GetPropertiesListRequest {
                logon_id: 0,
                input_handle_index: 1
            }
            .encode()
            .unwrap(),
            hex("09 00 01")
        );
        let list = GetPropertiesListResponse {
            handle_index: 1,
            tags: vec![PID_TAG_FOLDER_ID],
        };
        assert_eq!(list.encode().unwrap(), hex("09 01 00000000 0100 14004867"));
        assert_eq!(
            GetPropertiesListResponse::decode(&hex("09 01 00000000 0100 14004867")).unwrap(),
            list
        );
    }
}
