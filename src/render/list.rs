//! Format-List output (a port of PowerShell's `ListWriter`, without wrapping at the screen edge).

use super::ListView;
use super::width::{display_width, split_lines};

/// Between the padded label and the value.
const SEPARATOR: &str = " : ";

/// Renders a Format-List view.
///
/// Output: an empty line, then per object one `Label : value` line per entry with every label
/// padded to the longest label of *that* object, then an empty line. A multi-line value continues
/// on following lines indented to the value column. Lines carry no trailing spaces, so an empty
/// value prints as `Label :`. Objects without entries are skipped; no objects give `""`.
///
/// Deviation: PowerShell also wraps a value that is wider than the console; this renderer has no
/// width to wrap at, so long values stay on one line.
pub fn render_list(view: &ListView) -> String {
    let mut out = String::new();
    let mut objects = view
        .objects
        .iter()
        .filter(|entries| !entries.is_empty())
        .peekable();
    if objects.peek().is_none() {
        return out;
    }
    out.push('\n');
    for entries in objects {
        let label_width = entries
            .iter()
            .map(|entry| display_width(&entry.label))
            .max()
            .unwrap_or(0);
        let indent = " ".repeat(label_width + SEPARATOR.len());
        for entry in entries {
            let padding = " ".repeat(label_width - display_width(&entry.label));
            for (index, line) in split_lines(&entry.value).iter().enumerate() {
                let text = if index == 0 {
                    format!("{}{padding}{SEPARATOR}{line}", entry.label)
                } else {
                    format!("{indent}{line}")
                };
                out.push_str(text.trim_end());
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::ListEntry;
    use super::*;

    fn object(entries: &[(&str, &str)]) -> Vec<ListEntry> {
        entries
            .iter()
            .map(|(label, value)| ListEntry {
                label: (*label).to_owned(),
                value: (*value).to_owned(),
            })
            .collect()
    }

    #[test]
    fn labels_are_padded_to_the_longest_label() {
        let view = ListView {
            objects: vec![object(&[
                ("Name", "First Organization"),
                ("MapiHttpEnabled", "True"),
            ])],
        };
        let expected = r"
Name            : First Organization
MapiHttpEnabled : True

";
        assert_eq!(render_list(&view), expected);
    }

    #[test]
    fn several_objects_are_separated_by_one_empty_line_and_padded_separately() {
        // Shape of the Format-List samples in "Using Format Commands to Change Output View".
        let view = ListView {
            objects: vec![
                object(&[
                    ("Id", "2760"),
                    ("Handles", "1242"),
                    ("CPU", "3.03125"),
                    ("Name", "powershell"),
                ]),
                object(&[("Name", "EX01"), ("Id", "1")]),
            ],
        };
        let expected = r"
Id      : 2760
Handles : 1242
CPU     : 3.03125
Name    : powershell

Name : EX01
Id   : 1

";
        assert_eq!(render_list(&view), expected);
    }

    #[test]
    fn empty_values_leave_no_trailing_space() {
        // cmdlets.md 2.4: AdminDisplayName and OrganizationId print nothing after the colon.
        let view = ListView {
            objects: vec![object(&[
                ("AdminDisplayName", ""),
                ("ExchangeVersion", "0.10 (14.0.100.0)"),
                ("MapiHttpEnabled", ""),
            ])],
        };
        let expected = r"
AdminDisplayName :
ExchangeVersion  : 0.10 (14.0.100.0)
MapiHttpEnabled  :

";
        assert_eq!(render_list(&view), expected);
    }

    #[test]
    fn multi_line_values_continue_under_the_value_column() {
        let view = ListView {
            objects: vec![object(&[
                ("Name", "mapi (Default Web Site)"),
                ("Description", "line one\r\nline two\n\nline four"),
            ])],
        };
        let expected = r"
Name        : mapi (Default Web Site)
Description : line one
              line two

              line four

";
        assert_eq!(render_list(&view), expected);
    }

    #[test]
    fn labels_are_measured_in_characters() {
        let view = ListView {
            objects: vec![object(&[("Größe", "1"), ("Name", "x")])],
        };
        let expected = r"
Größe : 1
Name  : x

";
        assert_eq!(render_list(&view), expected);
    }

    #[test]
    fn empty_views_render_nothing() {
        assert_eq!(render_list(&ListView::default()), "");
        assert_eq!(
            render_list(&ListView {
                objects: vec![Vec::new()]
            }),
            ""
        );
    }
}
