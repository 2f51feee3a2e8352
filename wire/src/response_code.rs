//! The `X-ResponseCode` values (MS-OXCMAPIHTTP §2.2.3.3.3).
//!
//! The number travels both as an HTTP header and as an additional header
//! after `DONE` in the body. Only 0 means the body follows the request
//! type's layout; every other value comes with `Content-Type: text/html`
//! (§2.2.2.2, §2.2.3.2.2).

use std::fmt;

use crate::error::WireError;

macro_rules! response_codes {
    ($($variant:ident = $value:literal, $name:literal;)*) => {
        /// One `X-ResponseCode` value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u32)]
        pub enum ResponseCode {
            $(
                #[doc = concat!("`", stringify!($value), "` ", $name, ".")]
                $variant = $value,
            )*
        }

        impl ResponseCode {
            /// Every defined code, in numeric order.
            pub const ALL: &'static [ResponseCode] = &[$(ResponseCode::$variant),*];

            /// The spec's name for the code, for human-readable messages.
            pub fn name(self) -> &'static str {
                match self {
                    $(ResponseCode::$variant => $name,)*
                }
            }
        }

        impl TryFrom<u32> for ResponseCode {
            type Error = WireError;

            fn try_from(value: u32) -> Result<Self, WireError> {
                match value {
                    $($value => Ok(ResponseCode::$variant),)*
                    other => Err(WireError::invalid("X-ResponseCode", format!("undefined value {other}"))),
                }
            }
        }
    };
}

response_codes! {
    Success = 0, "Success";
    UnknownFailure = 1, "Unknown Failure";
    InvalidVerb = 2, "Invalid Verb";
    InvalidPath = 3, "Invalid Path";
    InvalidHeader = 4, "Invalid Header";
    InvalidRequestType = 5, "Invalid Request Type";
    InvalidContextCookie = 6, "Invalid Context Cookie";
    MissingHeader = 7, "Missing Header";
    AnonymousNotAllowed = 8, "Anonymous Not Allowed";
    TooLarge = 9, "Too Large";
    ContextNotFound = 10, "Context Not Found";
    NoPrivilege = 11, "No Privilege";
    InvalidRequestBody = 12, "Invalid Request Body";
    MissingCookie = 13, "Missing Cookie";
    Reserved = 14, "Reserved";
    InvalidSequence = 15, "Invalid Sequence";
    EndpointDisabled = 16, "Endpoint Disabled";
    InvalidResponse = 17, "Invalid Response";
    EndpointShuttingDown = 18, "Endpoint Shutting Down";
}

impl ResponseCode {
    /// The numeric value sent on the wire.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// Whether the body that follows is a request-type body (only for 0).
    pub fn is_success(self) -> bool {
        self == ResponseCode::Success
    }
}

impl From<ResponseCode> for u32 {
    fn from(code: ResponseCode) -> u32 {
        code.code()
    }
}

impl fmt::Display for ResponseCode {
    /// `"10 (Context Not Found)"`: the number is what an admin greps logs for,
    /// the name is what they understand.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.name())
    }
}

/// Parses an `X-ResponseCode` header value into its number.
///
/// If the value is a comma-separated list the last entry wins, because a
/// proxy may fold a repeated header and the last one is the final answer
/// (this is what Microsoft's test suite does: `GetFinalResponseCode`).
pub fn parse_response_code_header(value: &str) -> Option<u32> {
    value.rsplit(',').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_names_match_the_spec_table() {
        // MS-OXCMAPIHTTP §2.2.3.3.3 / fact sheet §4: 0..=18 in order.
        let expected = [
            "Success",
            "Unknown Failure",
            "Invalid Verb",
            "Invalid Path",
            "Invalid Header",
            "Invalid Request Type",
            "Invalid Context Cookie",
            "Missing Header",
            "Anonymous Not Allowed",
            "Too Large",
            "Context Not Found",
            "No Privilege",
            "Invalid Request Body",
            "Missing Cookie",
            "Reserved",
            "Invalid Sequence",
            "Endpoint Disabled",
            "Invalid Response",
            "Endpoint Shutting Down",
        ];
        assert_eq!(ResponseCode::ALL.len(), expected.len());
        for (n, (code, name)) in ResponseCode::ALL.iter().zip(expected).enumerate() {
            assert_eq!(code.code() as usize, n);
            assert_eq!(code.name(), name);
            assert_eq!(ResponseCode::try_from(n as u32).unwrap(), *code);
        }
        assert!(ResponseCode::try_from(19).is_err());
        assert_eq!(
            ResponseCode::ContextNotFound.to_string(),
            "10 (Context Not Found)"
        );
    }

    #[test]
    fn header_parsing_takes_the_last_of_a_folded_list() {
        assert_eq!(parse_response_code_header("0"), Some(0));
        assert_eq!(parse_response_code_header(" 10 "), Some(10));
        assert_eq!(parse_response_code_header("0, 15"), Some(15));
        assert_eq!(parse_response_code_header("x"), None);
        assert_eq!(parse_response_code_header(""), None);
    }
}
