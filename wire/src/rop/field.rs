//! Building blocks shared by the ROP codecs: the [`Field`] trait for the fixed and counted fields of request and
//! response buffers, and the `rop_request!` / `rop_response!` macros that write a ROP's struct and its [`Codec`]
//! from one field list, so that each ROP file is its layout table and its tests.
//!
//! Counted arrays (`PropertyTagCount` + `PropertyTags`, `LongTermIdCount` + `LongTermIds`) use a u16 count, as every
//! such array in MS-OXCROPS does.

use uuid::Uuid;

use super::RopId;
use crate::buf::{Reader, Writer};
use crate::error::{Result, WireError};
use crate::ids::ObjectId;
use crate::prop::PropTag;

/// A value with one fixed wire form inside a ROP buffer.
pub trait Field: Sized {
    /// Appends the value.
    fn put(&self, w: &mut Writer) -> Result<()>;
    /// Reads the value; `what` names the field in errors.
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self>;
}

impl Field for u8 {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.u8(*self);
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        r.u8(what)
    }
}

impl Field for u16 {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.u16(*self);
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        r.u16(what)
    }
}

impl Field for u32 {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.u32(*self);
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        r.u32(what)
    }
}

impl Field for i32 {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.i32(*self);
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        r.i32(what)
    }
}

impl Field for Uuid {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.guid(self);
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        r.guid(what)
    }
}

impl Field for ObjectId {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.bytes(&self.to_bytes());
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(r.bytes(8, what)?);
        Ok(ObjectId::from_bytes(bytes))
    }
}

impl Field for PropTag {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.0);
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        Ok(PropTag(r.u32(what)?))
    }
}

/// A NUL-terminated ASCII string (message classes).
impl Field for String {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.asciiz(self, "ASCII string")
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        r.asciiz(what)
    }
}

/// A u16 count followed by the items.
impl<T: Field + MinSize> Field for Vec<T> {
    fn put(&self, w: &mut Writer) -> Result<()> {
        let n = u16::try_from(self.len()).map_err(|_| WireError::TooLarge {
            what: "ROP array",
            len: self.len(),
            limit: u16::MAX as usize,
        })?;
        w.u16(n);
        for item in self {
            item.put(w)?;
        }
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        let n = usize::from(r.u16(what)?);
        // A hostile count must not make us allocate more than the input could hold.
        if n.saturating_mul(T::MIN_SIZE) > r.remaining() {
            return Err(WireError::Truncated {
                what,
                needed: n.saturating_mul(T::MIN_SIZE) - r.remaining(),
            });
        }
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(T::get(r, what)?);
        }
        Ok(out)
    }
}

/// The smallest wire size of an array item, to bound counts before allocating.
pub trait MinSize {
    /// Bytes.
    const MIN_SIZE: usize;
}

impl MinSize for PropTag {
    const MIN_SIZE: usize = 4;
}

/// Reads the `RopId` byte and checks it.
pub(crate) fn expect_rop(r: &mut Reader<'_>, id: RopId, what: &'static str) -> Result<()> {
    match r.u8("RopId")? {
        got if got == id.0 => Ok(()),
        other => Err(WireError::invalid(
            what,
            format!("RopId {other:#04x}, expected {id}"),
        )),
    }
}

/// Reads a success response's header (RopId, handle index, ReturnValue 0) and returns the handle index.
pub(crate) fn expect_success(r: &mut Reader<'_>, id: RopId, what: &'static str) -> Result<u8> {
    expect_rop(r, id, what)?;
    let handle_index = r.u8("handle index")?;
    match r.u32("ReturnValue")? {
        0 => Ok(handle_index),
        other => Err(WireError::invalid(
            what,
            format!("ReturnValue {other:#010x} is a failure"),
        )),
    }
}

/// Writes a success response's header.
pub(crate) fn put_success(w: &mut Writer, id: RopId, handle_index: u8) {
    w.u8(id.0);
    w.u8(handle_index);
    w.u32(0);
}

/// What every ROP request struct tells the dispatcher.
pub trait RequestHeader {
    /// `LogonId`.
    fn logon_id(&self) -> u8;
    /// `InputHandleIndex` (RopLogon has none: its third byte is the output index).
    fn input_handle_index(&self) -> u8;
    /// The index the response echoes: `OutputHandleIndex` for ROPs that create an object, else the input index.
    fn response_handle_index(&self) -> u8;
    /// `OutputHandleIndex`, for ROPs that create an object.
    fn output_handle_index(&self) -> Option<u8> {
        None
    }
}

/// Declares a ROP request: the struct (with `logon_id` and `input_handle_index` first) and its codec. Fields are
/// listed in wire order; `answer` names the field the response echoes, `output` the output slot if any.
macro_rules! rop_request {
    (
        $(#[$meta:meta])*
        $name:ident = $id:ident, answer: $answer:ident, output: $output:expr, {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            /// `LogonId`.
            pub logon_id: u8,
            /// `InputHandleIndex`.
            pub input_handle_index: u8,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::buf::Codec for $name {
            const NAME: &'static str = stringify!($name);

            fn write_to(&self, w: &mut $crate::buf::Writer) -> $crate::error::Result<()> {
                w.u8($crate::rop::RopId::$id.0);
                w.u8(self.logon_id);
                w.u8(self.input_handle_index);
                $( $crate::rop::field::Field::put(&self.$field, w)?; )*
                Ok(())
            }

            fn read_from(r: &mut $crate::buf::Reader<'_>) -> $crate::error::Result<Self> {
                $crate::rop::field::expect_rop(r, $crate::rop::RopId::$id, stringify!($name))?;
                let logon_id = r.u8("LogonId")?;
                let input_handle_index = r.u8("InputHandleIndex")?;
                $( let $field = <$ty as $crate::rop::field::Field>::get(r, stringify!($field))?; )*
                Ok($name { logon_id, input_handle_index, $($field,)* })
            }
        }

        impl $crate::rop::field::RequestHeader for $name {
            fn logon_id(&self) -> u8 {
                self.logon_id
            }
            fn input_handle_index(&self) -> u8 {
                self.input_handle_index
            }
            fn response_handle_index(&self) -> u8 {
                self.$answer
            }
            #[allow(clippy::redundant_closure_call)]
            fn output_handle_index(&self) -> Option<u8> {
                ($output)(self)
            }
        }
    };
}

/// Declares a ROP success response: the struct (with `handle_index` first) and its codec, which writes RopId,
/// the handle index and ReturnValue 0 before the fields. Failures of every ROP share one layout
/// ([`super::RopErrorResponse`]).
macro_rules! rop_response {
    (
        $(#[$meta:meta])*
        $name:ident = $id:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            /// The handle index echoed from the request.
            pub handle_index: u8,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::buf::Codec for $name {
            const NAME: &'static str = stringify!($name);

            fn write_to(&self, w: &mut $crate::buf::Writer) -> $crate::error::Result<()> {
                $crate::rop::field::put_success(w, $crate::rop::RopId::$id, self.handle_index);
                $( $crate::rop::field::Field::put(&self.$field, w)?; )*
                Ok(())
            }

            fn read_from(r: &mut $crate::buf::Reader<'_>) -> $crate::error::Result<Self> {
                let handle_index =
                    $crate::rop::field::expect_success(r, $crate::rop::RopId::$id, stringify!($name))?;
                $( let $field = <$ty as $crate::rop::field::Field>::get(r, stringify!($field))?; )*
                Ok($name { handle_index, $($field,)* })
            }
        }
    };
}

pub(crate) use {rop_request, rop_response};

/// `output` for ROPs that create no object.
pub(crate) fn no_output<T>(_: &T) -> Option<u8> {
    None
}
