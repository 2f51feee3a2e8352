//! Width, truncation and wrapping helpers shared by the table and list renderers.
//!
//! Widths are counted in characters (Unicode scalar values), not bytes: "Jürgen" is 6 wide.
//! PowerShell counts console cells, which differs only for East Asian wide characters and
//! combining marks; counting characters keeps the arithmetic predictable and testable.
//!
//! The truncation and wrapping rules are ports of PowerShell's `TableWriter.GenerateRowField`
//! and `StringManipulationHelper` (FormatAndOutput/common), with 5.1's three-dot ellipsis.

use std::borrow::Cow;

use super::Align;

/// Windows PowerShell 5.1 marks cut values with three ASCII dots (PowerShell 7 uses "…").
pub const ELLIPSIS: &str = "...";

/// Display width of `s`, in characters.
pub fn display_width(s: &str) -> usize {
    s.chars().count()
}

/// The first `n` characters of `s` (all of it when shorter).
pub fn head(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((index, _)) => &s[..index],
        None => s,
    }
}

/// The last `n` characters of `s` (all of it when shorter).
pub fn tail(s: &str, n: usize) -> &str {
    let len = display_width(s);
    if n >= len {
        return s;
    }
    match s.char_indices().nth(len - n) {
        Some((index, _)) => &s[index..],
        None => "",
    }
}

/// Splits a value into its lines the way PowerShell does: every `\r` is dropped, then the text is
/// split at `\n`. An empty value is one empty line.
pub fn split_lines(s: &str) -> Vec<String> {
    let without_cr: String = s.chars().filter(|&c| c != '\r').collect();
    without_cr.split('\n').map(str::to_owned).collect()
}

/// A table cell shows one line only: PowerShell cuts a value at its first line break and marks
/// the cut with the ellipsis ("line one...").
pub fn truncate_at_newline(s: &str) -> Cow<'_, str> {
    match s.find(['\n', '\r']) {
        Some(index) => Cow::Owned(format!("{}{ELLIPSIS}", &s[..index])),
        None => Cow::Borrowed(s),
    }
}

/// Cuts `s` to exactly `width` characters when it is longer, as a table cell does.
///
/// Left-aligned text keeps its head and ends in "..."; right-aligned text keeps its tail and
/// starts with "..." (so a number keeps its low digits). When the column is too narrow for the
/// ellipsis (three characters or fewer) the text is cut without one. Shorter text is returned
/// unchanged: padding is the caller's business.
pub fn fit(s: &str, width: usize, align: Align) -> String {
    if display_width(s) <= width {
        return s.to_owned();
    }
    let ellipsis_width = display_width(ELLIPSIS);
    if width > ellipsis_width {
        let keep = width - ellipsis_width;
        match align {
            Align::Left => format!("{}{ELLIPSIS}", head(s, keep)),
            Align::Right => format!("{ELLIPSIS}{}", tail(s, keep)),
        }
    } else {
        match align {
            Align::Left => head(s, width).to_owned(),
            Align::Right => tail(s, width).to_owned(),
        }
    }
}

/// Wraps `s` into lines of at most `width` characters, the way `Format-Table -Wrap` and wrapped
/// headers do (PowerShell's `GenerateLinesWithWordWrap`, used for English and the other Western
/// cultures):
///
/// - embedded line breaks always start a new line;
/// - a line that fits is kept whole;
/// - otherwise words are placed greedily, each word counted *with* the space or tab that follows
///   it (so the delimiter can push a word to the next line, and kept lines may end in a space);
/// - a word longer than a whole line is split character by character, starting on the current
///   line.
///
/// Deviation: PowerShell also breaks at U+00AD (soft hyphen) and drops U+00A0 and U+2011 while
/// splitting; here those are ordinary characters, which never loses text.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    // A zero-width column cannot hold text; treat it as one character so the loop terminates.
    let width = width.max(1);
    let mut lines = Vec::new();
    for line in split_lines(s) {
        if display_width(&line) <= width {
            lines.push(line);
            continue;
        }
        let mut current = String::new();
        let mut left = width;
        for word in line.split_inclusive([' ', '\t']) {
            let word_width = display_width(word);
            if word_width > width {
                for c in word.chars() {
                    if left == 0 {
                        lines.push(std::mem::take(&mut current));
                        left = width;
                    }
                    current.push(c);
                    left -= 1;
                }
            } else if word_width > left {
                lines.push(std::mem::take(&mut current));
                current.push_str(word);
                left = width - word_width;
            } else {
                current.push_str(word);
                left -= word_width;
            }
        }
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_counts_characters_not_bytes() {
        assert_eq!(display_width("Jürgen"), 6);
        assert_eq!(display_width("日本"), 2);
        assert_eq!(display_width(""), 0);
    }

    #[test]
    fn head_and_tail_respect_char_boundaries() {
        assert_eq!(head("Jürgen", 2), "Jü");
        assert_eq!(head("ab", 5), "ab");
        assert_eq!(tail("Jürgen", 5), "ürgen");
        assert_eq!(tail("ab", 5), "ab");
        assert_eq!(tail("ab", 0), "");
    }

    #[test]
    fn fit_left_keeps_head_and_appends_dots() {
        // Windows PowerShell docs, Format-Table on an 80-column console: a 19-wide Path column.
        assert_eq!(
            fit(
                r"C:\Program Files\Windows PowerShell\v1.0\powershell.exe",
                19,
                Align::Left
            ),
            r"C:\Program Files..."
        );
        assert_eq!(fit("short", 19, Align::Left), "short");
        assert_eq!(fit("exact", 5, Align::Left), "exact");
    }

    #[test]
    fn fit_right_keeps_tail_behind_dots() {
        assert_eq!(fit("1234567", 5, Align::Right), "...67");
    }

    #[test]
    fn fit_without_room_for_dots_just_cuts() {
        // Docs: "Id" squeezed to one column shows the last digit of 2836.
        assert_eq!(fit("2836", 1, Align::Right), "6");
        assert_eq!(fit("abcdef", 3, Align::Left), "abc");
        assert_eq!(fit("abcdef", 3, Align::Right), "def");
    }

    #[test]
    fn fit_counts_characters() {
        assert_eq!(fit("Jürgen Müller", 8, Align::Left), "Jürge...");
    }

    #[test]
    fn newline_cuts_the_cell_with_dots() {
        assert_eq!(truncate_at_newline("first\nsecond"), "first...");
        assert_eq!(truncate_at_newline("first\r\nsecond"), "first...");
        assert_eq!(truncate_at_newline("single"), "single");
    }

    #[test]
    fn split_lines_drops_carriage_returns() {
        assert_eq!(split_lines("a\r\nb\nc"), vec!["a", "b", "c"]);
        assert_eq!(split_lines(""), vec![""]);
        assert_eq!(split_lines("a\n"), vec!["a", ""]);
    }

    #[test]
    fn wrap_keeps_fitting_lines_whole() {
        assert_eq!(wrap("Microsoft", 19), vec!["Microsoft"]);
        assert_eq!(wrap("", 5), vec![""]);
    }

    #[test]
    fn wrap_breaks_at_spaces_counting_the_space() {
        // "Microsoft " is 10 wide with its space; "Corporation" (11) no longer fits in the 9 left.
        assert_eq!(
            wrap("Microsoft Corporation", 19),
            vec!["Microsoft ", "Corporation"]
        );
        // The space after "quick" makes "quick " 6 wide: it does not fit the 5 left after "The ".
        assert_eq!(wrap("The quick brown", 9), vec!["The ", "quick ", "brown"]);
    }

    #[test]
    fn wrap_splits_overlong_words_from_the_current_line() {
        assert_eq!(wrap("ab verylongword", 5), vec!["ab ve", "rylon", "gword"]);
        assert_eq!(wrap("Id", 1), vec!["I", "d"]);
    }

    #[test]
    fn wrap_honours_embedded_newlines() {
        assert_eq!(
            wrap("This\nIs some random", 9),
            vec!["This", "Is some ", "random"]
        );
    }
}
