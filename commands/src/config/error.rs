//! The errors of the configuration layer.

use mapish_store::StoreError;

use super::source::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file has problems; nothing was applied. Every problem is listed, in file order.
    #[error("{}", invalid_text(file, diagnostics))]
    Invalid { file: String, diagnostics: Vec<Diagnostic> },

    /// Reading the configuration file (or writing an export) failed.
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: String, source: std::io::Error },

    /// An object the plan was made from changed before the plan was applied (another command ran in
    /// between); applying the plan anyway could undo that change.
    #[error("the configuration changed while the import was being prepared ({what}); nothing was applied, run the import again")]
    Changed { what: String },

    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ConfigError {
    /// The listed problems, for callers that show them one by one.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ConfigError::Invalid { diagnostics, .. } => diagnostics,
            _ => &[],
        }
    }
}

fn invalid_text(file: &str, diagnostics: &[Diagnostic]) -> String {
    let mut text = format!(
        "{file} has {} problem{}; nothing was changed:",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    );
    for d in diagnostics {
        text.push_str(&format!("\n{file}:{d}"));
    }
    text
}
