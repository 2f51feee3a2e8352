//! RopBufferTooSmall (0xFF, MS-OXCROPS §2.2.15.1; server behaviour §3.2.4.3): the response that replaces the
//! rest of a RopsList when the next response does not fit in the client's output buffer (MaxRopOut). It echoes
//! the request ROPs that were not executed, so the client can resend them with a larger buffer.

use super::RopId;
use super::field::expect_rop;
use crate::buf::{Codec, Reader, Writer};
use crate::error::Result;

/// RopBufferTooSmall response. It is always the last response of a RopsList: `RequestBuffers` runs to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferTooSmallResponse {
    /// `SizeNeeded`: the output buffer size that would have held the response that did not fit.
    pub size_needed: u16,
    /// `RequestBuffers`: the unexecuted request ROPs, byte for byte.
    pub request_buffers: Vec<u8>,
}

impl BufferTooSmallResponse {
    /// The response for `needed` bytes (saturating at u16::MAX) and the unexecuted requests.
    pub fn new(needed: usize, request_buffers: Vec<u8>) -> Self {
        BufferTooSmallResponse {
            size_needed: u16::try_from(needed).unwrap_or(u16::MAX),
            request_buffers,
        }
    }
}

impl Codec for BufferTooSmallResponse {
    const NAME: &'static str = "RopBufferTooSmall response";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u8(RopId::BUFFER_TOO_SMALL.0);
        w.u16(self.size_needed);
        w.bytes(&self.request_buffers);
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        expect_rop(r, RopId::BUFFER_TOO_SMALL, Self::NAME)?;
        Ok(BufferTooSmallResponse {
            size_needed: r.u16("SizeNeeded")?,
            request_buffers: r.rest().to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    #[test]
    fn layout_is_id_size_and_the_unexecuted_requests() {
        // §2.2.15.1: RopId 0xFF, SizeNeeded u16, RequestBuffers. Here a RopGetStoreState (7b 00 00) that did
        // not fit.
        let resp = BufferTooSmallResponse::new(0x1234, hex("7b 00 00"));
        let bytes = hex("ff 3412 7b0000");
        assert_eq!(resp.encode().unwrap(), bytes);
        assert_eq!(BufferTooSmallResponse::decode(&bytes).unwrap(), resp);
        assert_eq!(
            BufferTooSmallResponse::new(70_000, vec![]).size_needed,
            u16::MAX
        );
    }
}
