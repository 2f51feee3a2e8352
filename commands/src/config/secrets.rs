//! Passwords given in clear through `PasswordFile` or `PasswordEnv`: where they are read from, and a
//! type that never prints them.
//!
//! The reading is behind a trait so that the same parser can run where the file's paths and
//! environment mean nothing: the admin endpoint of a running server (issue 6) resolves them in the
//! client and hands over a `Secrets` that answers from what it was sent.

use std::path::{Path, PathBuf};

/// A clear-text password; `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Where `PasswordFile` and `PasswordEnv` are looked up. `Err` is the message for the user.
pub trait Secrets {
    fn file(&self, path: &str) -> Result<Secret, String>;
    fn env(&self, name: &str) -> Result<Secret, String>;
}

/// The local file system (paths relative to the configuration file's directory) and environment.
pub struct LocalSecrets {
    pub base: PathBuf,
}

impl LocalSecrets {
    /// Secrets for a configuration file at `config_path`.
    pub fn beside(config_path: &Path) -> LocalSecrets {
        LocalSecrets { base: config_path.parent().map(Path::to_path_buf).unwrap_or_default() }
    }
}

impl Secrets for LocalSecrets {
    fn file(&self, path: &str) -> Result<Secret, String> {
        let full = self.base.join(path);
        let text = std::fs::read_to_string(&full).map_err(|e| format!("cannot read the password file {}: {e}", full.display()))?;
        // The first line is the password, so a file written by `echo` (trailing newline) works.
        let first = text.lines().next().unwrap_or_default();
        if first.is_empty() {
            return Err(format!("the password file {} is empty", full.display()));
        }
        Ok(Secret::new(first))
    }

    fn env(&self, name: &str) -> Result<Secret, String> {
        match std::env::var(name) {
            Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
            Ok(_) => Err(format!("the environment variable {name} is empty")),
            Err(_) => Err(format!("the environment variable {name} is not set")),
        }
    }
}

/// Refuses every clear-text password source; for callers that have none (fuzzing, tests).
pub struct NoSecrets;

impl Secrets for NoSecrets {
    fn file(&self, path: &str) -> Result<Secret, String> {
        Err(format!("password files are not available here ({path}); use PasswordHash"))
    }

    fn env(&self, name: &str) -> Result<Secret, String> {
        Err(format!("environment variables are not available here ({name}); use PasswordHash"))
    }
}
