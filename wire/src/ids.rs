//! Folder and message identifiers (MS-OXCDATA §2.2.1.1 Folder ID,
//! §2.2.1.2 Message ID).
//!
//! Eight bytes: `ReplicaId` (u16, little-endian) then `GlobalCounter`
//! (6 bytes, **big-endian**). The mixed byte order matters: a store that
//! hands out counters 1, 2, 3 produces `01 00 00 00 00 00 00 01` etc.

use crate::buf::{Codec, Reader, Writer};
use crate::error::Result;

/// The largest value a 48-bit global counter can hold.
pub const MAX_GLOBAL_COUNTER: u64 = (1 << 48) - 1;

/// A Folder ID or Message ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ObjectId {
    /// `ReplicaId`: the replica (store) that allocated the counter.
    pub replica_id: u16,
    /// `GlobalCounter`: 48 bits, unique within the replica.
    pub global_counter: u64,
}

impl ObjectId {
    /// An id; `global_counter` is truncated to its 48 bits.
    pub const fn new(replica_id: u16, global_counter: u64) -> Self {
        ObjectId {
            replica_id,
            global_counter: global_counter & MAX_GLOBAL_COUNTER,
        }
    }

    /// The 8 wire bytes.
    pub fn to_bytes(self) -> [u8; 8] {
        let mut out = [0u8; 8];
        let [r0, r1] = self.replica_id.to_le_bytes();
        let [_, _, g0, g1, g2, g3, g4, g5] =
            (self.global_counter & MAX_GLOBAL_COUNTER).to_be_bytes();
        out.copy_from_slice(&[r0, r1, g0, g1, g2, g3, g4, g5]);
        out
    }

    /// Parses the 8 wire bytes.
    pub fn from_bytes(bytes: [u8; 8]) -> Self {
        let [r0, r1, g0, g1, g2, g3, g4, g5] = bytes;
        ObjectId {
            replica_id: u16::from_le_bytes([r0, r1]),
            global_counter: u64::from_be_bytes([0, 0, g0, g1, g2, g3, g4, g5]),
        }
    }

    /// The wire bytes read as one little-endian u64, the form in which
    /// ROP fields declared as "8 bytes" are often handled.
    pub fn to_u64(self) -> u64 {
        u64::from_le_bytes(self.to_bytes())
    }

    /// Inverse of [`ObjectId::to_u64`].
    pub fn from_u64(value: u64) -> Self {
        ObjectId::from_bytes(value.to_le_bytes())
    }
}

impl Codec for ObjectId {
    const NAME: &'static str = "FID/MID";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.bytes(&self.to_bytes());
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(r.bytes(8, Self::NAME)?);
        Ok(ObjectId::from_bytes(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    #[test]
    fn replica_is_little_endian_and_counter_big_endian() {
        // Fact sheet §6.3 / T5: replid 1, counter 0x0d → 01 00 00 00 00 00 00 0d.
        let fid = ObjectId::new(1, 0x0d);
        assert_eq!(fid.to_bytes().to_vec(), hex("0100 0000 0000 000d"));
        let odd = ObjectId::new(0x0302, 0x0405_0607_0809);
        assert_eq!(odd.to_bytes().to_vec(), hex("0203 0405 0607 0809"));
        assert_eq!(ObjectId::decode(&odd.encode().unwrap()).unwrap(), odd);
        assert_eq!(ObjectId::from_u64(odd.to_u64()), odd);
        assert_eq!(
            ObjectId::new(1, u64::MAX).global_counter,
            MAX_GLOBAL_COUNTER
        );
    }
}
