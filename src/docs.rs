//! `mapish docs`: writes the cmdlet reference generated from the declarations.

use std::path::Path;

use mapish_commands::cmdlets::CATALOG;
use mapish_commands::help::{markdown, markdown_index};

/// The files of the reference: (file name, content).
pub fn reference_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = CATALOG.iter().map(|s| (format!("{}.md", s.name), markdown(s))).collect();
    files.push(("README.md".to_string(), markdown_index(CATALOG)));
    files
}

pub fn write_reference(dir: &Path) -> i32 {
    if let Err(e) = std::fs::create_dir_all(dir) {
        crate::output::print_error_line(&format!("mapish: cannot create {}: {e}", dir.display()));
        return crate::cli::EXIT_ERRORS;
    }
    for (name, content) in reference_files() {
        if let Err(e) = std::fs::write(dir.join(&name), content) {
            crate::output::print_error_line(&format!("mapish: cannot write {}: {e}", dir.join(&name).display()));
            return crate::cli::EXIT_ERRORS;
        }
    }
    crate::output::print_line(&format!("Wrote the cmdlet reference to {}.", dir.display()));
    crate::cli::EXIT_OK
}
