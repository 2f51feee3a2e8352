//! Contents of `AuxiliaryBuffer`: one or more RPC_HEADER_EXT payloads made
//! of AUX_HEADER blocks (MS-OXCRPC §2.2.2.2, §3.1.4.1.1.1).
//!
//! A minimal server may ignore the client's blocks and send none. This
//! module exists so the Connect response can carry the three blocks gromox
//! sends (fact sheet §9.2, test vector T3) and so the probe can read them.
//! (The file is not called `aux.rs` because AUX is a reserved name on
//! Windows file systems.)

use crate::buf::{Codec, Reader, Writer};
use crate::error::{Result, WireError};
use crate::rpc_header::{self, PackOptions};

/// `Type` of AUX_CLIENT_CONTROL (MS-OXCRPC §2.2.2.2).
pub const AUX_TYPE_CLIENT_CONTROL: u8 = 0x0A;
/// `Type` of AUX_EXORGINFO (MS-OXCRPC §2.2.2.2).
pub const AUX_TYPE_EXORGINFO: u8 = 0x17;
/// `Type` of AUX_ENDPOINT_CAPABILITIES (MS-OXCRPC §2.2.2.2).
pub const AUX_TYPE_ENDPOINT_CAPABILITIES: u8 = 0x48;

/// AUX_EXORGINFO flag: public folders are enabled.
pub const EXORGINFO_PUBLIC_FOLDERS_ENABLED: u32 = 0x0000_0001;
/// AUX_EXORGINFO flag: use Autodiscover for public folder configuration.
pub const EXORGINFO_USE_AUTODISCOVER_FOR_PUBLIC_FOLDER_CONFIGURATION: u32 = 0x0000_0002;
/// AUX_CLIENT_CONTROL EnableFlags: client may compress.
pub const CLIENT_CONTROL_ENABLE_COMPRESSION: u32 = 0x0000_0004;
/// AUX_CLIENT_CONTROL EnableFlags: client may use HTTP tunnelling.
pub const CLIENT_CONTROL_ENABLE_HTTP_TUNNELING: u32 = 0x0000_0008;
/// AUX_ENDPOINT_CAPABILITIES flag: single endpoint serves everything.
pub const ENDPOINT_CAPABILITIES_SINGLE_ENDPOINT: u32 = 0x0000_0001;

/// One auxiliary block: AUX_HEADER (`Size` u16 including the header,
/// `Version` u8, `Type` u8) and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuxBlock {
    /// `Version`: 1 or 2 depending on the block type.
    pub version: u8,
    /// `Type`.
    pub block_type: u8,
    /// The bytes after the 4-byte header.
    pub payload: Vec<u8>,
}

impl AuxBlock {
    /// AUX_EXORGINFO v1 with `OrgFlags`.
    pub fn exorginfo(org_flags: u32) -> Self {
        AuxBlock {
            version: 1,
            block_type: AUX_TYPE_EXORGINFO,
            payload: org_flags.to_le_bytes().to_vec(),
        }
    }

    /// AUX_CLIENT_CONTROL v1 with `EnableFlags` and `ExpiryTime` (ms).
    pub fn client_control(enable_flags: u32, expiry_time_ms: u32) -> Self {
        let mut payload = enable_flags.to_le_bytes().to_vec();
        payload.extend_from_slice(&expiry_time_ms.to_le_bytes());
        AuxBlock {
            version: 1,
            block_type: AUX_TYPE_CLIENT_CONTROL,
            payload,
        }
    }

    /// AUX_ENDPOINT_CAPABILITIES v1 with `EndpointCapabilityFlag`.
    pub fn endpoint_capabilities(flags: u32) -> Self {
        AuxBlock {
            version: 1,
            block_type: AUX_TYPE_ENDPOINT_CAPABILITIES,
            payload: flags.to_le_bytes().to_vec(),
        }
    }
}

impl Codec for AuxBlock {
    const NAME: &'static str = "AUX_HEADER block";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        let size = u16::try_from(self.payload.len() + 4).map_err(|_| WireError::TooLarge {
            what: "AUX block",
            len: self.payload.len() + 4,
            limit: u16::MAX as usize,
        })?;
        w.u16(size);
        w.u8(self.version);
        w.u8(self.block_type);
        w.bytes(&self.payload);
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let size = usize::from(r.u16("AUX_HEADER Size")?);
        let payload_len = size.checked_sub(4).ok_or_else(|| {
            WireError::invalid(
                "AUX_HEADER Size",
                format!("{size} is smaller than the header"),
            )
        })?;
        Ok(AuxBlock {
            version: r.u8("AUX_HEADER Version")?,
            block_type: r.u8("AUX_HEADER Type")?,
            payload: r.bytes(payload_len, "AUX block payload")?.to_vec(),
        })
    }
}

/// Builds an `AuxiliaryBuffer`: the blocks in one uncompressed payload
/// with the Last flag. No blocks gives an empty buffer (size 0).
pub fn encode_aux_blocks(blocks: &[AuxBlock]) -> Result<Vec<u8>> {
    if blocks.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = Writer::new();
    for block in blocks {
        block.write_to(&mut w)?;
    }
    rpc_header::pack(w.as_slice(), PackOptions::default())
}

/// Reads every block of an `AuxiliaryBuffer` (any number of payloads,
/// compressed or obfuscated). An empty buffer has no blocks.
pub fn decode_aux_blocks(aux: &[u8]) -> Result<Vec<AuxBlock>> {
    if aux.is_empty() {
        return Ok(Vec::new());
    }
    let mut blocks = Vec::new();
    for payload in rpc_header::unpack(aux)? {
        let mut r = Reader::new(&payload);
        while !r.is_empty() {
            blocks.push(AuxBlock::read_from(&mut r)?);
        }
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    #[test]
    fn gromox_connect_blocks_match_t3() {
        // Fact sheet §11 T3: RPC_HEADER_EXT v0/Last/28/28, EXORGINFO flags 3,
        // CLIENT_CONTROL enable 0x0C expiry 604800000, ENDPOINT_CAPABILITIES 1.
        let expected = hex("00000400 1c001c00
             08000117 03000000
             0c00010a 0c000000 00840c24
             08000148 01000000");
        let blocks = vec![
            AuxBlock::exorginfo(
                EXORGINFO_PUBLIC_FOLDERS_ENABLED
                    | EXORGINFO_USE_AUTODISCOVER_FOR_PUBLIC_FOLDER_CONFIGURATION,
            ),
            AuxBlock::client_control(
                CLIENT_CONTROL_ENABLE_COMPRESSION | CLIENT_CONTROL_ENABLE_HTTP_TUNNELING,
                604_800_000,
            ),
            AuxBlock::endpoint_capabilities(ENDPOINT_CAPABILITIES_SINGLE_ENDPOINT),
        ];
        assert_eq!(encode_aux_blocks(&blocks).unwrap(), expected);
        assert_eq!(decode_aux_blocks(&expected).unwrap(), blocks);
    }

    #[test]
    fn empty_and_malformed() {
        assert!(encode_aux_blocks(&[]).unwrap().is_empty());
        assert!(decode_aux_blocks(&[]).unwrap().is_empty());
        // Block Size 2 is smaller than its own header.
        assert!(decode_aux_blocks(&hex("00000400 04000400 02000101")).is_err());
    }
}
