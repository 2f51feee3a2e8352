//! Return values that travel in `ErrorCode` fields and ROP `ReturnValue`s
//! (MS-OXCDATA §2.4; NSPI values from MS-OXNSPI §2.2.1.2).
//!
//! Plain `u32` constants rather than an enum: clients and servers must pass
//! through values they do not know.

/// Success.
pub const SUCCESS: u32 = 0x0000_0000;

/// ecUnknownUser: the user DN is not known (EcDoConnectEx).
pub const UNKNOWN_USER: u32 = 0x0000_03EB;
/// ecLoginPerm: the caller lacks the right for admin behaviour (Connect Flags 0x1).
pub const LOGIN_PERM: u32 = 0x0000_03F2;
/// ecWrongServer: RopLogon redirect response (MS-OXCROPS §2.2.3.1.4).
pub const WRONG_SERVER: u32 = 0x0000_0478;
/// ecBufferTooSmall.
pub const BUFFER_TOO_SMALL: u32 = 0x0000_047D;
/// ecRpcFormat: the ROP input buffer cannot be parsed; fails the whole
/// Execute call (MS-OXCROPS §3.2.5.1).
pub const RPC_FORMAT: u32 = 0x0000_04B6;
/// ecNullObject: a handle index points at no object (MS-OXCROPS §3.2.5.1).
pub const NULL_OBJECT: u32 = 0x0000_04B9;
/// ecError / MAPI_E_CALL_FAILED: unspecified failure.
pub const ERROR: u32 = 0x8000_4005;
/// ecNotSupported / MAPI_E_NO_SUPPORT: the server does not implement the
/// operation. The natural answer to a ROP that parses but is not served.
pub const NOT_SUPPORTED: u32 = 0x8004_0102;
/// ecNotFound / MAPI_E_NOT_FOUND.
pub const NOT_FOUND: u32 = 0x8004_010F;
/// ecVersionMismatch: the client version is refused.
pub const VERSION_MISMATCH: u32 = 0x8004_0110;
/// ecLoginFailure / MAPI_E_LOGON_FAILED.
pub const LOGIN_FAILURE: u32 = 0x8004_0111;
/// RPC_X_BAD_STUB_DATA: the RPC-layer answer to a ROP input buffer above 0x40000 bytes (MS-OXCRPC
/// §3.1.4.2).
pub const RPC_X_BAD_STUB_DATA: u32 = 0x0000_06F7;

/// ecRpcFailed: e.g. MaxRopOut or an auxiliary buffer below 8 bytes
/// (MS-OXCRPC §3.1.4.1, §3.1.4.2).
pub const RPC_FAILED: u32 = 0x8004_0115;
/// ecNotImplemented / MAPI_E_NOT_IMPLEMENTED.
pub const NOT_IMPLEMENTED: u32 = 0x8004_0FFF;
/// ecAccessDenied / E_ACCESSDENIED.
pub const ACCESS_DENIED: u32 = 0x8007_0005;
/// ecInvalidParam / E_INVALIDARG.
pub const INVALID_PARAM: u32 = 0x8007_0057;

/// NSPI return values (MS-OXNSPI §2.2.1.2; fact sheet §3.4).
pub mod nspi {
    /// Success.
    pub const SUCCESS: u32 = 0x0000_0000;
    /// NspiUnbind's success value (MS-OXNSPI §3.1.4.1.2).
    pub const UNBIND_SUCCESS: u32 = 0x0000_0001;
    /// NspiUnbind failure.
    pub const UNBIND_FAILURE: u32 = 0x0000_0002;
    /// Some properties could not be returned.
    pub const ERRORS_RETURNED: u32 = 0x0004_0380;
    /// Unspecified failure.
    pub const GENERAL_FAILURE: u32 = 0x8000_4005;
    /// Not supported (e.g. a STAT CodePage of CP_WINUNICODE in Bind).
    pub const NOT_SUPPORTED: u32 = 0x8004_0102;
    /// Invalid object.
    pub const INVALID_OBJECT: u32 = 0x8004_0108;
    /// Out of resources.
    pub const OUT_OF_RESOURCES: u32 = 0x8004_010E;
    /// Not found.
    pub const NOT_FOUND: u32 = 0x8004_010F;
    /// Logon failed.
    pub const LOGON_FAILED: u32 = 0x8004_0111;
    /// Restriction too complex.
    pub const TOO_COMPLEX: u32 = 0x8004_0117;
    /// Code page not served.
    pub const INVALID_CODEPAGE: u32 = 0x8004_011E;
    /// Locale not served.
    pub const INVALID_LOCALE: u32 = 0x8004_011F;
    /// Table too big.
    pub const TABLE_TOO_BIG: u32 = 0x8004_0403;
    /// Invalid bookmark.
    pub const INVALID_BOOKMARK: u32 = 0x8004_0405;
    /// Access denied.
    pub const ACCESS_DENIED: u32 = 0x8007_0005;
    /// Invalid parameter.
    pub const INVALID_PARAMETER: u32 = 0x8007_0057;
    /// Not enough memory.
    pub const NOT_ENOUGH_MEMORY: u32 = 0x8007_000E;
}

/// A short name for a return value, for logs and probe messages.
pub fn name(value: u32) -> Option<&'static str> {
    Some(match value {
        SUCCESS => "Success",
        UNKNOWN_USER => "ecUnknownUser",
        LOGIN_PERM => "ecLoginPerm",
        WRONG_SERVER => "ecWrongServer",
        BUFFER_TOO_SMALL => "ecBufferTooSmall",
        RPC_FORMAT => "ecRpcFormat",
        NULL_OBJECT => "ecNullObject",
        ERROR => "ecError",
        NOT_SUPPORTED => "ecNotSupported",
        NOT_FOUND => "ecNotFound",
        VERSION_MISMATCH => "ecVersionMismatch",
        LOGIN_FAILURE => "ecLoginFailure",
        RPC_FAILED => "ecRpcFailed",
        RPC_X_BAD_STUB_DATA => "RPC_X_BAD_STUB_DATA",
        NOT_IMPLEMENTED => "ecNotImplemented",
        ACCESS_DENIED => "ecAccessDenied",
        INVALID_PARAM => "ecInvalidParam",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_cover_the_values_the_server_sends() {
        assert_eq!(super::name(0x4B6), Some("ecRpcFormat"));
        assert_eq!(super::name(0x8004_0102), Some("ecNotSupported"));
        assert_eq!(super::name(0x1234), None);
    }
}
