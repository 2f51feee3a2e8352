//! The address book endpoint (`/mapi/nspi/`, MS-OXCMAPIHTTP §2.2.5): request and response bodies of every
//! NSPI request type mapish serves, and the structures they are built from.
//!
//! | Module | What it covers |
//! |---|---|
//! | [`flags`] | MS-OXNSPI constants: flags, reserved MIDs, sort/display/object types |
//! | [`stat`] | the STAT block |
//! | [`bind`] | Bind, Unbind, GetMailboxUrl, GetAddressBookUrl |
//! | [`value`] | AddressBookPropertyValue and friends: tagged values, value lists, rows, tag and MID arrays |
//! | [`restriction`] | GetMatches filters |
//! | [`entry_id`] | Permanent and Ephemeral Entry IDs |
//! | [`requests`], [`responses`] | the other request types' bodies |

pub mod bind;
pub mod entry_id;
pub mod flags;
pub mod requests;
pub mod responses;
pub mod restriction;
pub mod stat;
pub mod value;

pub use bind::*;
pub use entry_id::{EntryId, GUID_NSPI};
pub use flags::*;
pub use requests::*;
pub use responses::*;
pub use restriction::Restriction;
pub use stat::{Stat, read_optional_stat, write_optional_stat};
pub use value::{AbCell, AbRow, AbTaggedValue, ColumnsAndRows};
