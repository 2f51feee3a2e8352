//! Mailbox passwords: argon2id hashes in PHC string form, for Basic; and the NT hash, for NTLM.
//!
//! The NT hash (MD4 of the UTF-16LE password, MS-NLMP §3.3.1 NTOWFv1) is password-equivalent: whoever holds it
//! can answer an NTLM challenge. It is kept only for mailboxes that have a password, bound to the argon2id hash
//! set at the same moment (a password set any other way leaves no usable NT hash), never exported, never shown,
//! and its `Debug` form is redacted.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::error::StoreError;

/// Hashes `plain` with argon2id (the crate's default parameters) and a fresh random salt; the result is a PHC
/// string such as `$argon2id$v=19$m=19456,t=2,p=1$…`, which carries its own parameters so they can change later.
pub fn hash_password(plain: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(plain.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Password(e.to_string()))
}

/// Whether `plain` matches the PHC string `phc`. A malformed `phc` never matches.
pub fn verify_password(phc: &str, plain: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(plain.as_bytes(), &hash)
            .is_ok(),
        Err(e) => {
            tracing::warn!("a stored password hash is malformed: {e}");
            false
        }
    }
}

/// Whether `phc` is a PHC string this store can verify: well formed and of the argon2id algorithm, as
/// `hash_password` writes. `Err` says what is wrong, for an administrator supplying a hash made elsewhere.
pub fn check_password_hash(phc: &str) -> Result<(), String> {
    let hash = PasswordHash::new(phc).map_err(|e| format!("it is not a PHC string ({e})"))?;
    if hash.algorithm.as_str() != "argon2id" {
        return Err(format!(
            "it uses the algorithm '{}'; mapish stores argon2id hashes only ($argon2id$v=19$…)",
            hash.algorithm
        ));
    }
    if hash.hash.is_none() || hash.salt.is_none() {
        return Err("it has no salt or no hash value".into());
    }
    // Checking the parameters is cheap; verifying a trial password would cost a full hash per mailbox.
    argon2::Params::try_from(&hash)
        .map(|_| ())
        .map_err(|e| format!("its parameters are unusable ({e})"))
}

/// NTOWFv1: MD4 of the password in UTF-16LE (MS-NLMP §3.3.1). NTOWFv2 starts from it.
pub fn nt_owf(plain: &str) -> [u8; 16] {
    use md4::{Digest, Md4};
    let mut h = Md4::new();
    for unit in plain.encode_utf16() {
        h.update(unit.to_le_bytes());
    }
    h.finalize().into()
}

/// A mailbox's NT hash, with the argon2id PHC string it was computed beside.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NtHash {
    /// The 16-byte NT hash, lower-case hex.
    pub hash: String,
    /// The `password_hash` set together with it; the NT hash is valid only while the mailbox still has this one.
    pub for_password_hash: String,
}

impl NtHash {
    /// The NT hash of `plain`, bound to `phc` (the argon2id hash of the same password).
    pub fn new(plain: &str, phc: &str) -> NtHash {
        let bytes = nt_owf(plain);
        NtHash {
            hash: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            for_password_hash: phc.to_string(),
        }
    }

    /// The hash bytes, if it belongs to `phc` and is well formed.
    pub fn for_password(&self, phc: &str) -> Option<[u8; 16]> {
        if self.for_password_hash != phc || self.hash.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(self.hash.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(out)
    }
}

/// Never print the hash, even in debug logs.
impl std::fmt::Debug for NtHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NtHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nt_hash_vectors_and_binding() {
        // MS-NLMP §4.2.2.1.2: NTOWFv1("Password") = a4f49c40 6510bdca b6824ee7 c30fd852.
        assert_eq!(
            nt_owf("Password"),
            [
                0xa4, 0xf4, 0x9c, 0x40, 0x65, 0x10, 0xbd, 0xca, 0xb6, 0x82, 0x4e, 0xe7, 0xc3, 0x0f,
                0xd8, 0x52
            ]
        );
        let nt = NtHash::new("Password", "$argon2id$phc-a");
        assert_eq!(nt.hash, "a4f49c406510bdcab6824ee7c30fd852");
        assert_eq!(nt.for_password("$argon2id$phc-a"), Some(nt_owf("Password")));
        assert_eq!(
            nt.for_password("$argon2id$phc-b"),
            None,
            "stale after a password change"
        );
        assert!(!format!("{nt:?}").contains("a4f4"));
    }

    #[test]
    fn round_trip() {
        let phc = hash_password("P@ssw0rd!").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password(&phc, "P@ssw0rd!"));
        assert!(!verify_password(&phc, "p@ssw0rd!"));
        assert_ne!(
            hash_password("P@ssw0rd!").unwrap(),
            phc,
            "salts must differ"
        );
        assert!(!verify_password("not a phc string", "P@ssw0rd!"));
        assert_eq!(check_password_hash(&phc), Ok(()));
        assert!(check_password_hash("not a phc string").is_err());
        assert!(
            check_password_hash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
                .unwrap_err()
                .contains("argon2i")
        );
    }
}
