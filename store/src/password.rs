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
        assert_eq!(check_password_hash(&phc), Ok(()));
        assert!(check_password_hash("not a phc string").is_err());
        assert!(
            check_password_hash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
                .unwrap_err()
                .contains("argon2i")
        );
    }
}
