//! The envelope shared by every MAPI/HTTP response body.
//!
//! Each response body starts with `StatusCode` (u32). Zero means the
//! request-type-specific success layout follows (which starts with
//! `ErrorCode`); anything else means the failure layout, which is only
//! `AuxiliaryBufferSize` + `AuxiliaryBuffer` (MS-OXCMAPIHTTP §2.2.4.x.3,
//! §2.2.5.x.3). Clients tell the two apart by that first u32, as Microsoft's
//! test suite does.

use crate::buf::{Codec, Reader, Writer};
use crate::error::{Result, WireError};

/// The failure layout of any response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureBody {
    /// `StatusCode`; never zero.
    pub status_code: u32,
    /// `AuxiliaryBuffer` (usually empty).
    pub aux: Vec<u8>,
}

/// A response body: the success layout `T` (everything after the zero
/// `StatusCode`) or the failure layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response<T> {
    /// `StatusCode` 0 followed by `T`.
    Success(T),
    /// `StatusCode` ≠ 0 followed by the auxiliary buffer.
    Failure(FailureBody),
}

impl<T> Response<T> {
    /// The success part, if any.
    pub fn success(&self) -> Option<&T> {
        match self {
            Response::Success(t) => Some(t),
            Response::Failure(_) => None,
        }
    }

    /// The success part, or the failing status code.
    pub fn into_result(self) -> std::result::Result<T, FailureBody> {
        match self {
            Response::Success(t) => Ok(t),
            Response::Failure(f) => Err(f),
        }
    }
}

impl<T: Codec> Codec for Response<T> {
    const NAME: &'static str = T::NAME;

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        match self {
            Response::Success(t) => {
                w.u32(0);
                t.write_to(w)
            }
            Response::Failure(f) => {
                if f.status_code == 0 {
                    return Err(WireError::invalid(
                        "StatusCode",
                        "a failure body needs a non-zero StatusCode",
                    ));
                }
                w.u32(f.status_code);
                w.aux(&f.aux)
            }
        }
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        match r.u32("StatusCode")? {
            0 => Ok(Response::Success(T::read_from(r)?)),
            status_code => Ok(Response::Failure(FailureBody {
                status_code,
                aux: r.aux()?,
            })),
        }
    }
}

/// Success layouts that consist of nothing but `ErrorCode` and the
/// auxiliary buffer (Disconnect, Unbind).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorCodeOnly {
    /// `ErrorCode`: the EMSMDB/NSPI return value.
    pub error_code: u32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for ErrorCodeOnly {
    const NAME: &'static str = "response body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ErrorCodeOnly {
            error_code: r.u32("ErrorCode")?,
            aux: r.aux()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_body_is_status_code_and_aux_only() {
        // MS-OXCMAPIHTTP §2.2.4.1.3: StatusCode, AuxiliaryBufferSize, AuxiliaryBuffer.
        let failure: Response<ErrorCodeOnly> = Response::Failure(FailureBody {
            status_code: 0x8004_0115,
            aux: vec![],
        });
        let bytes = failure.encode().unwrap();
        assert_eq!(bytes, [0x15, 0x01, 0x04, 0x80, 0, 0, 0, 0]);
        assert_eq!(Response::<ErrorCodeOnly>::decode(&bytes).unwrap(), failure);
        let zero: Response<ErrorCodeOnly> = Response::Failure(FailureBody {
            status_code: 0,
            aux: vec![],
        });
        assert!(zero.encode().is_err());
    }
}
