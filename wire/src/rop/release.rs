//! RopRelease (0x01, MS-OXCROPS §2.2.15.3): frees the object in a handle
//! table slot. It has no response buffer, and the server swallows its
//! errors (MS-OXCROPS §3.2.5.3).

use super::RopId;
use crate::buf::{Codec, Reader, Writer};
use crate::error::{Result, WireError};

/// RopRelease request: RopId, LogonId, InputHandleIndex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReleaseRequest {
    /// `LogonId`.
    pub logon_id: u8,
    /// `InputHandleIndex`: the slot whose object is released.
    pub input_handle_index: u8,
}

impl Codec for ReleaseRequest {
    const NAME: &'static str = "RopRelease request";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u8(RopId::RELEASE.0);
        w.u8(self.logon_id);
        w.u8(self.input_handle_index);
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let id = r.u8("RopId")?;
        if id != RopId::RELEASE.0 {
            return Err(WireError::invalid("RopRelease RopId", format!("{id:#04x}")));
        }
        Ok(ReleaseRequest {
            logon_id: r.u8("LogonId")?,
            input_handle_index: r.u8("InputHandleIndex")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_three_bytes() {
        // MS-OXCROPS §2.2.15.3.1: RopId 0x01, LogonId, InputHandleIndex.
        let req = ReleaseRequest {
            logon_id: 0,
            input_handle_index: 2,
        };
        assert_eq!(req.encode().unwrap(), [0x01, 0x00, 0x02]);
        assert_eq!(ReleaseRequest::decode(&[0x01, 0x00, 0x02]).unwrap(), req);
        assert!(ReleaseRequest::decode(&[0xfe, 0x00, 0x02]).is_err());
    }
}
