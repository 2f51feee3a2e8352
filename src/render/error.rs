//! Error records (Windows PowerShell 5.1 NormalView), warnings and verbose lines.
//!
//! The position block is a port of 5.1's `PositionUtilities.VerboseMessage`, the rest follows
//! the ErrorRecord view in 5.1's `PowerShellCore.format.ps1xml`.

use super::ErrorView;
use super::width::display_width;

/// 5.1 shortens a source line longer than this around the error (so that "+ ", "... " and
/// " ..." still fit an 80-column console without wrapping).
const MAX_SOURCE_LINE: usize = 69;

/// Context kept before the error when a long source line is shortened.
const MIN_PREFIX: usize = 12;

/// Context kept after the error when a long source line is shortened.
const MIN_SUFFIX: usize = 8;

/// Marks text dropped in front of a shortened source line.
const PREFIX_DOTS: &str = "... ";

/// Marks text dropped after a shortened source line.
const SUFFIX_DOTS: &str = " ...";

/// 5.1 expands each tab in the shown source line to four spaces.
const TAB_EXPANSION: &str = "    ";

/// Renders an error record as Windows PowerShell 5.1 prints it:
///
/// ```text
/// Set-CASMailbox : A parameter cannot be found that matches parameter name 'Foo'.
/// At line:1 char:20
/// + Set-CASMailbox bob -Foo 1
/// +                    ~~~~
///     + CategoryInfo          : InvalidArgument: (:) [Set-CASMailbox], ParameterBindingException
///     + FullyQualifiedErrorId : NamedParameterNotFound,Set-CASMailbox
///
/// ```
///
/// The position block appears only with both `source` and `span`. Line and char are 1-based and
/// count characters; only the line holding the span start is shown, underlined from the span
/// start to the span end (or the end of that line), at least one `~`. Out-of-range or
/// mid-character offsets are clamped rather than trusted.
///
/// Deviations: 5.1 also cuts the CategoryInfo and FullyQualifiedErrorId lines into pieces of
/// console width minus 6 and ends the record with a line holding one space; there is no width
/// here, and the last line is empty, so no line carries trailing spaces.
pub fn render_error(e: &ErrorView) -> String {
    let mut out = String::new();
    if let Some(command) = &e.command {
        out.push_str(command);
        out.push_str(" : ");
    }
    out.push_str(&e.message);
    out.push('\n');
    if let (Some(source), Some(span)) = (&e.source, e.span) {
        out.push_str(&position_message(source, span));
    }
    out.push_str("    + CategoryInfo          : ");
    out.push_str(&e.category_info);
    out.push('\n');
    out.push_str("    + FullyQualifiedErrorId : ");
    out.push_str(&e.fully_qualified_error_id);
    out.push('\n');
    out.push('\n');
    out
}

/// `WARNING: <text>` and a newline, as the console host prints the warning stream.
pub fn render_warning(text: &str) -> String {
    format!("WARNING: {text}\n")
}

/// `VERBOSE: <text>` and a newline, as the console host prints the verbose stream.
pub fn render_verbose(text: &str) -> String {
    format!("VERBOSE: {text}\n")
}

/// Where a byte offset falls in a script: 1-based line, 1-based character column, and the byte
/// offset at which that line starts.
struct Position {
    line: usize,
    column: usize,
    line_start: usize,
}

/// The `At line:L char:C` line and the two `+ ` lines, each ending in a newline.
fn position_message(source: &str, (start, end): (usize, usize)) -> String {
    let start = floor_char_boundary(source, start);
    let end = floor_char_boundary(source, end.max(start));
    let from = locate(source, start);
    let to = locate(source, end);
    let mut out = format!("At line:{} char:{}\n", from.line, from.column);

    let line = line_at(source, from.line_start).trim_end();
    if line.is_empty() {
        // 5.1 prints the "+ " of its format string with nothing after it; keep the "+" and drop
        // the trailing space like every other line here.
        out.push_str("+\n");
        return out;
    }
    let mut chars: Vec<char> = line.chars().collect();
    let mut before = from.column - 1;
    // Signed, like 5.1's arithmetic: a span ending past the trimmed line can make it negative,
    // which still prints one `~`.
    let mut length: isize = if from.line == to.line {
        to_isize(to.column) - to_isize(from.column)
    } else {
        to_isize(chars.len()) - to_isize(from.column) + 1
    };

    if chars.contains(&'\t') {
        let error_end = before
            .saturating_add(length.max(0).unsigned_abs())
            .min(chars.len());
        let head = expand_tabs(&chars[..before.min(chars.len())]);
        let error = expand_tabs(&chars[before.min(error_end)..error_end]);
        let rest = expand_tabs(&chars[error_end..]);
        before = head.len();
        length = to_isize(error.len());
        chars = [head, error, rest].concat();
    }

    let (shown, prefix_dots, suffix_dots) = if chars.len() > MAX_SOURCE_LINE {
        shorten(&chars, &mut before, &mut length)
    } else {
        (chars.iter().collect(), false, false)
    };

    out.push_str("+ ");
    if prefix_dots {
        out.push_str(PREFIX_DOTS);
    }
    out.push_str(&shown);
    if suffix_dots {
        out.push_str(SUFFIX_DOTS);
    }
    out.push_str("\n+ ");
    // The underline moves right by the "... " put in front of a shortened line.
    let dots_width = if prefix_dots {
        display_width(PREFIX_DOTS)
    } else {
        0
    };
    out.push_str(&" ".repeat(before + dots_width));
    out.push_str(&"~".repeat(usize::try_from(length).unwrap_or(0).max(1)));
    out.push('\n');
    out
}

/// Cuts a source line longer than [`MAX_SOURCE_LINE`] to a window around the error, keeping
/// 5.1's preference for context in front of the error. Adjusts `before` (characters in front of
/// the error) and `length` (error characters) to the window; returns the window and whether text
/// was dropped in front of and behind it.
fn shorten(chars: &[char], before: &mut usize, length: &mut isize) -> (String, bool, bool) {
    let max = to_isize(MAX_SOURCE_LINE);
    let total_prefix = to_isize(*before);
    let total_suffix = to_isize(chars.len()) - *length - total_prefix;
    let mut prefix = total_prefix.min(to_isize(MIN_PREFIX));
    let mut suffix = total_suffix.min(to_isize(MIN_SUFFIX));
    let mut candidate = prefix + *length + suffix;
    let suffix_dots;
    if candidate >= max {
        if prefix + *length >= max {
            *length = max - prefix;
        }
        suffix_dots = true;
    } else {
        let prefix_available = total_prefix - prefix;
        if prefix_available > 0 {
            prefix += prefix_available.min(max - candidate);
            candidate = prefix + *length + suffix;
        }
        if candidate < max && total_suffix > 0 {
            suffix += total_suffix.min(max - candidate);
        }
        suffix_dots = suffix < total_suffix;
    }
    let prefix_dots = prefix < total_prefix;

    let start = usize::try_from(total_prefix - prefix)
        .unwrap_or(0)
        .min(chars.len());
    let stop = start.saturating_add(MAX_SOURCE_LINE).min(chars.len());
    *before = (*before).min(usize::try_from(prefix).unwrap_or(0));
    *length = (*length).min(max - to_isize(*before));
    (
        chars[start..stop].iter().collect(),
        prefix_dots,
        suffix_dots,
    )
}

/// Line number, column and line start of byte offset `offset` (already a char boundary).
/// `\n`, `\r\n` and a lone `\r` each end a line, as in PowerShell's tokenizer.
fn locate(source: &str, offset: usize) -> Position {
    let mut line = 1;
    let mut line_start = 0;
    let mut chars = source[..offset].char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let ends_line = match c {
            '\n' => true,
            '\r' => chars.peek().map(|&(_, next)| next) != Some('\n'),
            _ => false,
        };
        if ends_line {
            line += 1;
            line_start = index + 1;
        }
    }
    let column = display_width(&source[line_start..offset]) + 1;
    Position {
        line,
        column,
        line_start,
    }
}

/// The text of the line starting at byte `line_start`, without its line break.
fn line_at(source: &str, line_start: usize) -> &str {
    let rest = &source[line_start..];
    rest.find(['\n', '\r']).map_or(rest, |end| &rest[..end])
}

/// Clamps `offset` into `source` and moves it back onto a character boundary.
fn floor_char_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Replaces each tab by [`TAB_EXPANSION`].
fn expand_tabs(chars: &[char]) -> Vec<char> {
    chars
        .iter()
        .flat_map(|&c| {
            if c == '\t' {
                TAB_EXPANSION.chars().collect()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Source lines are far shorter than `isize::MAX`; saturate rather than panic if not.
fn to_isize(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown_parameter(source: &str, span: (usize, usize)) -> ErrorView {
        ErrorView {
            command: Some("Set-CASMailbox".to_owned()),
            message: "A parameter cannot be found that matches parameter name 'Foo'.".to_owned(),
            source: Some(source.to_owned()),
            span: Some(span),
            category_info: "InvalidArgument: (:) [Set-CASMailbox], ParameterBindingException"
                .to_owned(),
            fully_qualified_error_id: "NamedParameterNotFound,Set-CASMailbox".to_owned(),
        }
    }

    #[test]
    fn unknown_parameter_points_at_the_parameter() {
        // "-Foo" starts at byte 19, which PowerShell reports as char:20.
        let e = unknown_parameter("Set-CASMailbox bob -Foo 1", (19, 23));
        let expected = r"Set-CASMailbox : A parameter cannot be found that matches parameter name 'Foo'.
At line:1 char:20
+ Set-CASMailbox bob -Foo 1
+                    ~~~~
    + CategoryInfo          : InvalidArgument: (:) [Set-CASMailbox], ParameterBindingException
    + FullyQualifiedErrorId : NamedParameterNotFound,Set-CASMailbox

";
        assert_eq!(render_error(&e), expected);
    }

    #[test]
    fn span_on_the_second_line_shows_only_that_line() {
        let source = "$m = 'bob'\nSet-CASMailbox $m -Foo 1";
        // "-Foo" is at byte 11 + 18 = 29: line 2, char 19.
        let e = unknown_parameter(source, (29, 33));
        let expected = r"Set-CASMailbox : A parameter cannot be found that matches parameter name 'Foo'.
At line:2 char:19
+ Set-CASMailbox $m -Foo 1
+                   ~~~~
    + CategoryInfo          : InvalidArgument: (:) [Set-CASMailbox], ParameterBindingException
    + FullyQualifiedErrorId : NamedParameterNotFound,Set-CASMailbox

";
        assert_eq!(render_error(&e), expected);
    }

    #[test]
    fn crlf_and_lone_cr_end_lines_too() {
        let source = "Get-CASMailbox\r\n\rSet-CASMailbox bob -Foo 1";
        // Line 1 ends in \r\n (bytes 14-15), line 2 is empty and ends in \r (byte 16).
        let e = unknown_parameter(source, (17 + 19, 17 + 23));
        assert!(render_error(&e).contains("At line:3 char:20\n+ Set-CASMailbox bob -Foo 1\n"));
    }

    #[test]
    fn characters_not_bytes_before_the_span() {
        // "Jürgen" has a two-byte "ü": "-Foo" is at byte 25 but character 24, so char:25.
        let e = unknown_parameter("Set-CASMailbox 'Jürgen' -Foo 1", (25, 29));
        let expected = r"Set-CASMailbox : A parameter cannot be found that matches parameter name 'Foo'.
At line:1 char:25
+ Set-CASMailbox 'Jürgen' -Foo 1
+                         ~~~~
    + CategoryInfo          : InvalidArgument: (:) [Set-CASMailbox], ParameterBindingException
    + FullyQualifiedErrorId : NamedParameterNotFound,Set-CASMailbox

";
        assert_eq!(render_error(&e), expected);
    }

    #[test]
    fn without_span_or_command_only_message_and_details_remain() {
        // cmdlets.md 1.6: the verified Exchange "object not found" record (remote, no position).
        let e = ErrorView {
            command: None,
            message: "The operation couldn't be performed because object 'tony' couldn't be found on 'DC01.contoso.com'.".to_owned(),
            source: Some("Get-CASMailbox tony".to_owned()),
            span: None,
            category_info: "NotSpecified: (:) [Get-CASMailbox], ManagementObjectNotFoundException".to_owned(),
            fully_qualified_error_id: "ManagementObjectNotFoundException,Get-CASMailbox".to_owned(),
        };
        let expected = r"The operation couldn't be performed because object 'tony' couldn't be found on 'DC01.contoso.com'.
    + CategoryInfo          : NotSpecified: (:) [Get-CASMailbox], ManagementObjectNotFoundException
    + FullyQualifiedErrorId : ManagementObjectNotFoundException,Get-CASMailbox

";
        assert_eq!(render_error(&e), expected);
    }

    #[test]
    fn multi_line_messages_keep_their_lines() {
        let e = ErrorView {
            command: Some("Set-MapiVirtualDirectory".to_owned()),
            message: "Cannot process argument transformation on parameter 'InternalUrl'.\nInvalid URI.".to_owned(),
            category_info: "InvalidData: (:) [Set-MapiVirtualDirectory], ParameterBindingArgumentTransformationException".to_owned(),
            fully_qualified_error_id: "ParameterArgumentTransformationError,Set-MapiVirtualDirectory".to_owned(),
            ..ErrorView::default()
        };
        let expected = r"Set-MapiVirtualDirectory : Cannot process argument transformation on parameter 'InternalUrl'.
Invalid URI.
    + CategoryInfo          : InvalidData: (:) [Set-MapiVirtualDirectory], ParameterBindingArgumentTransformationException
    + FullyQualifiedErrorId : ParameterArgumentTransformationError,Set-MapiVirtualDirectory

";
        assert_eq!(render_error(&e), expected);
    }

    #[test]
    fn empty_span_and_span_at_end_of_input_get_one_tilde() {
        let source = "Set-CASMailbox bob -MAPIEnabled";
        let e = unknown_parameter(source, (source.len(), source.len()));
        assert!(render_error(&e).contains(
            "At line:1 char:32\n+ Set-CASMailbox bob -MAPIEnabled\n+                                ~\n"
        ));
    }

    #[test]
    fn span_running_onto_the_next_line_is_underlined_to_the_line_end() {
        let source = "Set-CASMailbox bob -MAPIEnabled (\n$true";
        let e = unknown_parameter(source, (32, source.len()));
        assert!(render_error(&e).contains(
            "At line:1 char:33\n+ Set-CASMailbox bob -MAPIEnabled (\n+                                 ~\n"
        ));
    }

    #[test]
    fn bad_offsets_are_clamped_not_trusted() {
        // Offset 18 is inside the two-byte "ü" (bytes 17-18), so it moves back to "ü" itself,
        // character 18; 999 is past the end, so the underline runs to the end of the line.
        let e = unknown_parameter("Set-CASMailbox 'Jürgen'", (18, 999));
        assert!(
            render_error(&e).contains(
                "At line:1 char:18\n+ Set-CASMailbox 'Jürgen'\n+                  ~~~~~~\n"
            )
        );
        let reversed = unknown_parameter("Set-CASMailbox bob -Foo 1", (23, 19));
        assert!(render_error(&reversed).contains("At line:1 char:24\n"));
    }

    #[test]
    fn tabs_are_expanded_to_four_spaces() {
        let e = unknown_parameter("Set-CASMailbox\tbob -Foo 1", (19, 23));
        assert!(render_error(&e).contains(
            "At line:1 char:20\n+ Set-CASMailbox    bob -Foo 1\n+                       ~~~~\n"
        ));
    }

    #[test]
    fn long_lines_are_shortened_around_the_error() {
        // 5.1 keeps up to 69 characters: as much context before the error as fits, "... " and
        // " ..." where text was dropped, and shifts the underline by the four "... " characters.
        let source = "Set-MapiVirtualDirectory -Identity \"EX01\\mapi (Default Web Site)\" -InternalUrl https://mail.contoso.com/mapi -Foo 1 -ExternalUrl https://mail.contoso.com/mapi";
        let start = source.find("-Foo").unwrap_or_default();
        let e = unknown_parameter(source, (start, start + 4));
        let expected_lines = concat!(
            "At line:1 char:110\n",
            "+ ... lt Web Site)\" -InternalUrl https://mail.contoso.com/mapi -Foo 1 -Exte ...\n",
            "+                                                              ~~~~\n",
        );
        assert!(
            render_error(&e).contains(expected_lines),
            "{}",
            render_error(&e)
        );
    }

    #[test]
    fn warning_and_verbose_lines() {
        assert_eq!(
            render_warning(
                "The command completed successfully but no settings of 'tony' have been modified."
            ),
            "WARNING: The command completed successfully but no settings of 'tony' have been modified.\n"
        );
        assert_eq!(
            render_verbose("Performing the operation \"Set-CASMailbox\" on target \"tony\"."),
            "VERBOSE: Performing the operation \"Set-CASMailbox\" on target \"tony\".\n"
        );
    }
}
