//! Mailbox passwords: argon2id hashes in PHC string form.

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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
