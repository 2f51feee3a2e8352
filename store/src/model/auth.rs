//! Authentication methods of a virtual directory.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An authentication method of a virtual directory (`IISAuthenticationMethods`, `InternalAuthenticationMethods`,
/// `ExternalAuthenticationMethods`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthMethod {
    /// HTTP Basic.
    Basic,
    /// NTLM.
    Ntlm,
    /// Negotiate (Kerberos, falling back to NTLM).
    Negotiate,
    /// OAuth bearer tokens (Hybrid Modern Authentication).
    OAuth,
}

impl AuthMethod {
    /// Every method, in the order Exchange lists them in help text.
    pub const ALL: [AuthMethod; 4] = [
        AuthMethod::Basic,
        AuthMethod::Ntlm,
        AuthMethod::Negotiate,
        AuthMethod::OAuth,
    ];

    /// The canonical spelling Exchange prints: `Basic`, `Ntlm`, `Negotiate`, `OAuth`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Basic => "Basic",
            AuthMethod::Ntlm => "Ntlm",
            AuthMethod::Negotiate => "Negotiate",
            AuthMethod::OAuth => "OAuth",
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no authentication method.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an authentication method; valid values are Basic, Ntlm, Negotiate, OAuth")]
pub struct ParseAuthMethodError(pub String);

impl FromStr for AuthMethod {
    type Err = ParseAuthMethodError;

    /// Accepts any letter case, as PowerShell enum binding does (`NTLM`, `oauth`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        AuthMethod::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ParseAuthMethodError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_any_case_and_prints_canonical() {
        assert_eq!("NTLM".parse::<AuthMethod>(), Ok(AuthMethod::Ntlm));
        assert_eq!("oauth".parse::<AuthMethod>(), Ok(AuthMethod::OAuth));
        assert_eq!(
            " Negotiate ".parse::<AuthMethod>(),
            Ok(AuthMethod::Negotiate)
        );
        assert!("Digest".parse::<AuthMethod>().is_err());
        for m in AuthMethod::ALL {
            assert_eq!(m.to_string().parse::<AuthMethod>(), Ok(m));
        }
        assert_eq!(AuthMethod::OAuth.as_str(), "OAuth");
    }
}
