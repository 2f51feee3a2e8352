//! Command history: what Up/Down and Ctrl+R recall, and the file that carries it across sessions
//! (shell-ux.md row 52, after PSReadLine).
//!
//! * At most [`MAX_HISTORY`] entries ($MaximumHistoryCount), no duplicates: running a line again
//!   moves it to the end instead of adding a copy.
//! * Lines containing password, secret, token, apikey or asplaintext (any case) are recalled in
//!   this session but never written to the file, like PSReadLine's default AddToHistoryHandler.
//! * The file is per store (`<store dir>/history`, or `$MAPISH_HISTORY`), in rustyline's `#V2`
//!   format: one entry per line, with `\n` and `\\` escaped so multi-line entries survive.
//!
//! rustyline's own FileHistory writes every entry it holds and only drops consecutive
//! duplicates, so the editor gets [`ShellHistory`] (the same search semantics, case-insensitive
//! as in PowerShell) and [`HistoryFile`] does the writing.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};

use rustyline::history::{History, SearchDirection, SearchResult};

/// PowerShell's default `$MaximumHistoryCount`.
pub const MAX_HISTORY: usize = 4096;

/// The words PSReadLine treats as marking a sensitive line.
const SENSITIVE: &[&str] = &["password", "secret", "token", "apikey", "asplaintext"];

/// Whether a line must not be saved to the history file.
pub fn is_sensitive(line: &str) -> bool {
    let lower = line.to_lowercase();
    SENSITIVE.iter().any(|w| lower.contains(w))
}

/// Where the history of the store in `store_dir` is kept: `$MAPISH_HISTORY` if set (empty turns
/// the file off), else a file inside the store directory, so each store has its own history.
pub fn default_path(store_dir: &Path) -> Option<PathBuf> {
    match std::env::var_os("MAPISH_HISTORY") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => Some(store_dir.join("history")),
    }
}

/// The in-memory history the line editor navigates.
pub struct ShellHistory {
    entries: VecDeque<String>,
    max_len: usize,
}

impl ShellHistory {
    pub fn new(entries: impl IntoIterator<Item = String>) -> Self {
        let mut h = ShellHistory { entries: VecDeque::new(), max_len: MAX_HISTORY };
        for e in entries {
            h.push(e);
        }
        h
    }

    pub fn entries(&self) -> impl Iterator<Item = &String> {
        self.entries.iter()
    }

    /// Adds `line` at the end, removing an earlier identical entry; false if it was blank.
    fn push(&mut self, line: String) -> bool {
        if line.trim().is_empty() || self.max_len == 0 {
            return false;
        }
        if let Some(i) = self.entries.iter().position(|e| *e == line) {
            self.entries.remove(i);
        }
        self.entries.push_back(line);
        while self.entries.len() > self.max_len {
            self.entries.pop_front();
        }
        true
    }

    fn search_match(&self, start: usize, dir: SearchDirection, test: impl Fn(&str) -> Option<usize>) -> Option<SearchResult<'_>> {
        if start >= self.entries.len() {
            return None;
        }
        let hit = |idx: usize| test(&self.entries[idx]).map(|pos| SearchResult { entry: Cow::Borrowed(self.entries[idx].as_str()), idx, pos });
        match dir {
            SearchDirection::Reverse => (0..=start).rev().find_map(hit),
            SearchDirection::Forward => (start..self.entries.len()).find_map(hit),
        }
    }
}

/// Byte offset of `term` in `entry`, ignoring case (PowerShell's history search is case-insensitive).
fn find_ci(entry: &str, term: &str) -> Option<usize> {
    if term.is_empty() {
        return None;
    }
    // ASCII folding keeps byte offsets valid for the cursor position rustyline takes from `pos`.
    entry.to_ascii_lowercase().find(&term.to_ascii_lowercase())
}

fn starts_with_ci(entry: &str, term: &str) -> Option<usize> {
    if term.is_empty() {
        return None;
    }
    (entry.len() >= term.len() && entry.is_char_boundary(term.len()) && entry[..term.len()].eq_ignore_ascii_case(term)).then_some(term.len())
}

impl History for ShellHistory {
    fn get(&self, index: usize, _dir: SearchDirection) -> rustyline::Result<Option<SearchResult<'_>>> {
        Ok(self.entries.get(index).map(|e| SearchResult { entry: Cow::Borrowed(e.as_str()), idx: index, pos: 0 }))
    }

    fn add(&mut self, line: &str) -> rustyline::Result<bool> {
        Ok(self.push(line.to_string()))
    }

    fn add_owned(&mut self, line: String) -> rustyline::Result<bool> {
        Ok(self.push(line))
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn set_max_len(&mut self, len: usize) -> rustyline::Result<()> {
        self.max_len = len;
        while self.entries.len() > len {
            self.entries.pop_front();
        }
        Ok(())
    }

    fn ignore_dups(&mut self, _yes: bool) -> rustyline::Result<()> {
        // Duplicates are always dropped (PSReadLine's HistoryNoDuplicates).
        Ok(())
    }

    fn ignore_space(&mut self, _yes: bool) {}

    // The file is written by HistoryFile, which filters what the editor holds; these are the
    // editor's own persistence hooks, which the REPL does not call.
    fn save(&mut self, path: &Path) -> rustyline::Result<()> {
        HistoryFile::new(path.to_path_buf()).write_all(self.entries.iter().cloned().collect()).map_err(rustyline::error::ReadlineError::Io)
    }

    fn append(&mut self, path: &Path) -> rustyline::Result<()> {
        self.save(path)
    }

    fn load(&mut self, path: &Path) -> rustyline::Result<()> {
        for e in HistoryFile::new(path.to_path_buf()).load() {
            self.push(e);
        }
        Ok(())
    }

    fn clear(&mut self) -> rustyline::Result<()> {
        self.entries.clear();
        Ok(())
    }

    fn search(&self, term: &str, start: usize, dir: SearchDirection) -> rustyline::Result<Option<SearchResult<'_>>> {
        Ok(self.search_match(start, dir, |e| find_ci(e, term)))
    }

    fn starts_with(&self, term: &str, start: usize, dir: SearchDirection) -> rustyline::Result<Option<SearchResult<'_>>> {
        Ok(self.search_match(start, dir, |e| starts_with_ci(e, term)))
    }
}

/// The history file of one store.
pub struct HistoryFile {
    path: PathBuf,
}

const FILE_VERSION: &str = "#V2";

impl HistoryFile {
    pub fn new(path: PathBuf) -> Self {
        HistoryFile { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved entries, oldest first, without duplicates (the last occurrence wins) and at
    /// most [`MAX_HISTORY`]. A missing or unreadable file is an empty history.
    pub fn load(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        let entries = text.lines().filter(|l| !l.is_empty() && *l != FILE_VERSION).map(unescape).collect();
        normalise(entries)
    }

    /// Saves `line` unless it is sensitive or blank. The file is rewritten (via a temporary file
    /// and a rename, so a crash never leaves half a file) with `line` moved to the end: at most
    /// 4096 entries, so this stays a few hundred kilobytes at worst. Another shell's entries
    /// written since this one started are kept, because the file is read again first.
    pub fn add(&self, line: &str) -> std::io::Result<()> {
        if is_sensitive(line) || line.trim().is_empty() {
            return Ok(());
        }
        let mut entries = self.load();
        entries.push(line.to_string());
        self.write_all(entries)
    }

    fn write_all(&self, entries: Vec<String>) -> std::io::Result<()> {
        let entries = normalise(entries.into_iter().filter(|e| !is_sensitive(e)).collect());
        let mut text = String::from(FILE_VERSION);
        text.push('\n');
        for e in &entries {
            text.push_str(&escape(e));
            text.push('\n');
        }
        let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = self.path.with_extension("tmp");
        {
            let mut file = private_file(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)
    }
}

/// History can hold identities and URLs: readable by its owner only, like the store.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Drops blank lines and earlier duplicates, keeps the newest [`MAX_HISTORY`].
fn normalise(entries: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for e in entries.into_iter().rev() {
        if e.trim().is_empty() || !seen.insert(e.clone()) {
            continue;
        }
        out.push(e);
        if out.len() == MAX_HISTORY {
            break;
        }
    }
    out.reverse();
    out
}

fn escape(entry: &str) -> String {
    entry.replace('\\', "\\\\").replace('\n', "\\n")
}

fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_lines_are_recognised_in_any_case() {
        for line in [
            "$p = ConvertTo-SecureString 'x' -AsPlainText -Force",
            "New-Mailbox bob -Password $pw",
            "$TOKEN = 'abc'",
            "Set-Thing -ApiKey 1",
            "$client_secret = 1",
        ] {
            assert!(is_sensitive(line), "{line}");
        }
        assert!(!is_sensitive("Get-CASMailbox alice | fl MapiHttpEnabled"));
    }

    #[test]
    fn the_file_keeps_no_secrets_no_duplicates_and_multi_line_entries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = HistoryFile::new(dir.path().join("history"));
        file.add("Get-Mailbox").expect("add");
        file.add("Set-CASMailbox alice -MAPIEnabled $false").expect("add");
        file.add("New-Mailbox bob -Password (ConvertTo-SecureString 'P@ss' -AsPlainText -Force)").expect("add");
        file.add("Get-Mailbox").expect("add");
        file.add("if ($true) {\n  Get-OrganizationConfig \\ x\n}").expect("add");
        assert_eq!(
            file.load(),
            vec![
                "Set-CASMailbox alice -MAPIEnabled $false".to_string(),
                "Get-Mailbox".to_string(),
                "if ($true) {\n  Get-OrganizationConfig \\ x\n}".to_string(),
            ]
        );
        let text = std::fs::read_to_string(file.path()).expect("read");
        assert!(text.starts_with("#V2\n") && !text.contains("P@ss"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path()).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_file_keeps_the_newest_4096_entries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("history");
        let mut text = String::from("#V2\n");
        for i in 0..5000 {
            text.push_str(&format!("Get-Mailbox user{i}\n"));
        }
        std::fs::write(&path, text).expect("write");
        let file = HistoryFile::new(path);
        file.add("Get-OrganizationConfig").expect("add");
        let loaded = file.load();
        assert_eq!(loaded.len(), MAX_HISTORY);
        assert_eq!(loaded.last().map(String::as_str), Some("Get-OrganizationConfig"));
        assert_eq!(loaded.first().map(String::as_str), Some("Get-Mailbox user905"));
    }

    #[test]
    fn memory_history_moves_a_repeated_line_to_the_end_and_searches_ignoring_case() {
        let mut h = ShellHistory::new(["a".to_string(), "Get-CASMailbox".to_string(), "b".to_string()]);
        assert!(h.add("Get-CASMailbox").expect("add"));
        assert!(!h.add("   ").expect("add"));
        assert_eq!(h.entries().cloned().collect::<Vec<_>>(), vec!["a", "b", "Get-CASMailbox"]);
        let found = h.search("casmail", 2, SearchDirection::Reverse).expect("search").expect("a hit");
        assert_eq!((found.idx, found.pos), (2, 4));
        let found = h.starts_with("get-", 2, SearchDirection::Reverse).expect("search").expect("a hit");
        assert_eq!(found.idx, 2);
        assert!(h.search("nothing", 2, SearchDirection::Reverse).expect("search").is_none());
        assert!(h.search("a", 0, SearchDirection::Forward).expect("search").is_some());
    }

    #[test]
    fn a_missing_file_is_an_empty_history_and_mapish_history_overrides_the_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(HistoryFile::new(dir.path().join("nope")).load().is_empty());
        assert_eq!(default_path(Path::new("/s")).map(|p| p.ends_with("history")), Some(true));
    }
}
