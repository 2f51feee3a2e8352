//! The text of a configuration file and the diagnostics that point into it.
//!
//! Every problem is kept as a byte range while parsing and checking, and turned into `file:line:column`
//! once, when the whole list is handed back, so that all problems of a file are reported together.

use std::ops::Range;

use super::error::ConfigError;

/// A configuration file's name (as the user wrote it, for messages) and text.
pub struct Source<'a> {
    pub name: String,
    pub text: &'a str,
    /// Byte offset of the start of every line, for offset → line:column.
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub fn new(name: impl Into<String>, text: &'a str) -> Source<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source { name: name.into(), text, line_starts }
    }

    /// 1-based line and column (in characters) of byte `offset`, clamped into the text.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset).max(1);
        let start = self.line_starts[line - 1];
        // A mid-character offset (never produced by the parser, but cheap to survive) counts the partial char.
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (line, column)
    }
}

/// One problem found in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: usize,
    pub column: usize,
    /// The offending key, as `Table.Key` (`Mailbox.MAPIEnabled`), or the table alone for a whole-object problem.
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        } else {
            write!(f, "{}:{}: {}: {}", self.line, self.column, self.key, self.message)
        }
    }
}

/// Collects problems while a file is parsed and checked.
#[derive(Default)]
pub struct Problems {
    found: Vec<(Range<usize>, String, String)>,
}

impl Problems {
    pub fn add(&mut self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        self.found.push((span, key.into(), message.into()));
    }

    pub fn len(&self) -> usize {
        self.found.len()
    }

    /// `Ok` if nothing was found, else every problem in file order.
    pub fn finish(self, source: &Source<'_>) -> Result<(), ConfigError> {
        if self.found.is_empty() {
            return Ok(());
        }
        let mut found = self.found;
        found.sort_by(|a, b| (a.0.start, &a.1).cmp(&(b.0.start, &b.1)));
        found.dedup();
        let diagnostics = found
            .into_iter()
            .map(|(span, key, message)| {
                let (line, column) = source.position(span.start);
                Diagnostic { line, column, key, message }
            })
            .collect();
        Err(ConfigError::Invalid { file: source.name.clone(), diagnostics })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let s = Source::new("f.toml", "a = 1\nnäme = 2\n\nx");
        assert_eq!(s.position(0), (1, 1));
        assert_eq!(s.position(4), (1, 5));
        assert_eq!(s.position(6), (2, 1));
        assert_eq!(s.position(6 + "näm".len()), (2, 4));
        assert_eq!(s.position(s.text.len()), (4, 2));
        assert_eq!(s.position(usize::MAX), (4, 2));
        assert_eq!(Source::new("e", "").position(0), (1, 1));
    }
}
