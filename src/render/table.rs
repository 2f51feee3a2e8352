//! Format-Table output.
//!
//! Layout decisions are ports of Windows PowerShell's formatter (`ColumnWidthManager` and
//! `TableWriter` in FormatAndOutput/common) and are made here by hand, because comfy-table cannot
//! express them: it never drops a column with a warning, distributes spare width differently,
//! wraps instead of cutting values with "...", cannot keep the tail of a right-aligned value, and
//! underlines the whole column instead of just the header text. comfy-table then does what it is
//! good at: padding each cell to its column width with the column's alignment, stacking
//! multi-line cells, and joining columns with one space.

use comfy_table::presets::NOTHING;
use comfy_table::{
    Cell, CellAlignment, ColumnConstraint, ContentArrangement, Row, Table, TableComponent, Width,
};

use super::width::{display_width, fit, truncate_at_newline, wrap};
use super::{Align, TableGroup, TableView, render_warning};

/// PowerShell refuses to draw a table narrower than this (`TableWriter.minimumScreenColumns`).
const MIN_TABLE_WIDTH: usize = 5;

/// Narrowest column PowerShell keeps; a column that cannot get this much is removed.
const MIN_COLUMN_WIDTH: usize = 1;

/// Columns are separated by exactly one space.
const SEPARATOR_WIDTH: usize = 1;

/// Group labels are indented by three spaces (`   Status: Running`).
const GROUP_LABEL_INDENT: &str = "   ";

/// Renders a Format-Table view.
///
/// `available_width` is the width the table may use. Windows PowerShell's console host gives the
/// formatter one column less than the buffer width (79 on an 80-column console), so pass
/// `terminal columns - 1` to match it. Widths below 5 are raised to 5 (PowerShell would print no
/// table at all, which only hides a caller's missing terminal size); widths above 65535 are
/// lowered to 65535 (comfy-table measures columns in `u16`).
///
/// Output per group: any "column does not fit" warnings, then for a labelled group an empty line
/// and `   Property: Value`, then an empty line, the header, the dash line, the rows and an empty
/// line. Groups without rows print nothing; a view with no rows (or no columns) gives `""`.
pub fn render_table(view: &TableView, available_width: usize) -> String {
    let table_width = available_width.clamp(MIN_TABLE_WIDTH, usize::from(u16::MAX));
    let mut out = String::new();
    if view.columns.is_empty() {
        return out;
    }
    for group in view.groups.iter().filter(|group| !group.rows.is_empty()) {
        let widths = fit_widths(desired_widths(view, group), table_width);
        for (column, width) in view.columns.iter().zip(&widths) {
            if width.is_none() {
                out.push_str(&render_warning(&format!(
                    "column \"{}\" does not fit into the display and was removed.",
                    column.header
                )));
            }
        }
        if let Some((property, value)) = &group.label {
            out.push('\n');
            let label = format!("{GROUP_LABEL_INDENT}{property}: {value}");
            out.push_str(label.trim_end());
            out.push('\n');
        }
        out.push('\n');
        for line in grid(view, group, &widths).lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The width each column asks for before fitting; 0 means "no preference, share the rest".
///
/// With `-AutoSize` that is the longest of header and values (PowerShell measures the whole
/// value string, line breaks included); otherwise the declared width, if any.
fn desired_widths(view: &TableView, group: &TableGroup) -> Vec<usize> {
    view.columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            if view.autosize {
                group
                    .rows
                    .iter()
                    .filter_map(|row| row.get(index))
                    .map(|value| display_width(value))
                    .fold(display_width(&column.header), usize::max)
            } else {
                column.width.unwrap_or(0)
            }
        })
        .collect()
}

/// Port of PowerShell's `ColumnWidthManager.CalculateColumnWidths`: returns each column's width,
/// or `None` for a column removed because it does not fit.
///
/// Columns without a width first get the minimum, then the spare width is dealt out one character
/// at a time from the left, so they end up equal with any remainder on the leftmost ones. If the
/// table is still too wide, the last visible column is narrowed to fit or, when even one
/// character would not fit, removed, and so on leftwards.
fn fit_widths(mut widths: Vec<usize>, table_width: usize) -> Vec<Option<usize>> {
    let free: Vec<usize> = (0..widths.len()).filter(|&k| widths[k] == 0).collect();
    for &k in &free {
        widths[k] = MIN_COLUMN_WIDTH;
    }
    let used = total_width(&widths);
    if used <= table_width && !free.is_empty() {
        let spare = table_width - used;
        let (share, remainder) = (spare / free.len(), spare % free.len());
        for (position, &k) in free.iter().enumerate() {
            widths[k] += share + usize::from(position < remainder);
        }
    }
    trim_to_fit(widths, table_width)
}

/// The shrink-or-remove half of [`fit_widths`] (`ColumnWidthManager.TrimToFit`).
fn trim_to_fit(mut widths: Vec<usize>, table_width: usize) -> Vec<Option<usize>> {
    let mut visible = widths.len();
    while visible > 0 {
        let current = total_width(&widths[..visible]);
        if current <= table_width {
            break;
        }
        let excess = current - table_width;
        let last = visible - 1;
        match widths[last].checked_sub(excess) {
            Some(narrowed) if narrowed >= MIN_COLUMN_WIDTH => widths[last] = narrowed,
            _ => visible -= 1,
        }
    }
    widths
        .into_iter()
        .enumerate()
        .map(|(k, width)| (k < visible).then_some(width))
        .collect()
}

/// Columns plus the single-space separators between them.
fn total_width(widths: &[usize]) -> usize {
    let separators = widths.len().saturating_sub(1) * SEPARATOR_WIDTH;
    widths
        .iter()
        .fold(separators, |sum, &width| sum.saturating_add(width))
}

/// Lays one group out as a borderless comfy-table grid (header, dashes as the first body row,
/// rows). Every cell arrives already cut or wrapped to its column width.
fn grid(view: &TableView, group: &TableGroup, widths: &[Option<usize>]) -> String {
    let visible: Vec<(usize, usize)> = widths
        .iter()
        .enumerate()
        .filter_map(|(k, width)| width.map(|width| (k, width)))
        .collect();
    let mut table = Table::new();
    table
        .load_preset(NOTHING)
        .set_style(TableComponent::VerticalLines, ' ')
        .set_content_arrangement(ContentArrangement::Disabled);

    if !view.hide_headers {
        table.set_header(Row::from(visible.iter().map(|&(k, width)| {
            // Headers always wrap (PowerShell stacks a long header over several lines).
            Cell::new(wrap(&view.columns[k].header, width).join("\n"))
        })));
        table.add_row(Row::from(
            visible
                .iter()
                .map(|&(k, width)| Cell::new(dashes(&view.columns[k].header, width))),
        ));
    }
    for row in &group.rows {
        table.add_row(Row::from(visible.iter().map(|&(k, width)| {
            let value = row.get(k).map_or("", String::as_str);
            Cell::new(cell_text(value, width, view.columns[k].align, view.wrap))
        })));
    }

    for (position, &(k, width)) in visible.iter().enumerate() {
        if let Some(column) = table.column_mut(position) {
            column.set_padding((0, 0));
            column.set_cell_alignment(match view.columns[k].align {
                Align::Left => CellAlignment::Left,
                Align::Right => CellAlignment::Right,
            });
            // A lower bound rather than a fixed width: comfy-table measures display cells, so a
            // line of East Asian wide characters widens the column instead of being re-wrapped.
            let width = u16::try_from(width).unwrap_or(u16::MAX);
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(width)));
        }
    }
    table.to_string()
}

/// The underline: as many dashes as the header text has characters, but never wider than the
/// column; an empty header is underlined across the whole column (as PowerShell does).
fn dashes(header: &str, width: usize) -> String {
    let header_width = display_width(header);
    let count = if header_width == 0 {
        width
    } else {
        header_width.min(width)
    };
    "-".repeat(count)
}

/// A value as it appears in its cell: wrapped onto several lines with `-Wrap`, otherwise cut at
/// its first line break and to the column width.
fn cell_text(value: &str, width: usize, align: Align, wrap_lines: bool) -> String {
    if wrap_lines {
        wrap(value, width).join("\n")
    } else {
        fit(&truncate_at_newline(value), width, align)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Column;
    use super::*;

    fn column(header: &str, align: Align) -> Column {
        Column {
            header: header.to_owned(),
            align,
            width: None,
        }
    }

    fn declared(header: &str, align: Align, width: usize) -> Column {
        Column {
            header: header.to_owned(),
            align,
            width: Some(width),
        }
    }

    fn rows(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|row| row.iter().map(|cell| (*cell).to_owned()).collect())
            .collect()
    }

    fn single(columns: Vec<Column>, data: &[&[&str]]) -> TableView {
        TableView {
            columns,
            groups: vec![TableGroup {
                label: None,
                rows: rows(data),
            }],
            ..TableView::default()
        }
    }

    /// The process used throughout "Using Format Commands to Change Output View" (PowerShell docs).
    const PATH: &str = r"C:\Program Files\Windows PowerShell\v1.0\powershell.exe";

    #[test]
    fn autosize_right_aligns_booleans_under_their_header() {
        let mut view = single(
            vec![
                column("Name", Align::Left),
                column("MAPIEnabled", Align::Right),
            ],
            &[&["alice", "True"], &["bob", "False"]],
        );
        view.autosize = true;
        let expected = r"
Name  MAPIEnabled
----  -----------
alice        True
bob         False

";
        assert_eq!(render_table(&view, 119), expected);
    }

    #[test]
    fn autosize_dashes_follow_header_text_not_column() {
        let mut view = single(
            vec![column("Id", Align::Right), column("Name", Align::Left)],
            &[&["12345", "mapi (Default Web Site)"]],
        );
        view.autosize = true;
        let expected = r"
   Id Name
   -- ----
12345 mapi (Default Web Site)

";
        assert_eq!(render_table(&view, 119), expected);
    }

    #[test]
    fn autosize_cuts_the_last_column_at_the_screen_edge() {
        // Docs: Format-Table -Property Path,Name,Id,Company -AutoSize on an 80-column console.
        let mut view = single(
            vec![
                column("Path", Align::Left),
                column("Name", Align::Left),
                column("Id", Align::Right),
                column("Company", Align::Left),
            ],
            &[&[PATH, "powershell", "2836", "Microsoft Corporation"]],
        );
        view.autosize = true;
        let expected = r"
Path                                                    Name         Id Company
----                                                    ----         -- -------
C:\Program Files\Windows PowerShell\v1.0\powershell.exe powershell 2836 Micr...

";
        assert_eq!(render_table(&view, 79), expected);
    }

    #[test]
    fn autosize_removes_columns_that_do_not_fit_and_warns() {
        // Docs: Format-Table -Property Company,Path,Id,Name -AutoSize; Id shrinks to one
        // character, its header stacks, and Name is removed with a warning.
        let mut view = single(
            vec![
                column("Company", Align::Left),
                column("Path", Align::Left),
                column("Id", Align::Right),
                column("Name", Align::Left),
            ],
            &[&["Microsoft Corporation", PATH, "2836", "powershell"]],
        );
        view.autosize = true;
        let expected = concat!(
            "WARNING: column \"Name\" does not fit into the display and was removed.\n",
            "\n",
            "Company               Path                                                    I\n",
            "                                                                              d\n",
            "-------               ----                                                    -\n",
            r"Microsoft Corporation C:\Program Files\Windows PowerShell\v1.0\powershell.exe 6",
            "\n",
            "\n",
        );
        assert_eq!(render_table(&view, 79), expected);
    }

    #[test]
    fn shared_width_cuts_long_values_with_dots() {
        // Docs: Format-Table -Property Path,Name,Id,Company (no -AutoSize), 80-column console:
        // four columns share 79 characters, 19 each.
        let view = single(
            vec![
                column("Path", Align::Left),
                column("Name", Align::Left),
                column("Id", Align::Right),
                column("Company", Align::Left),
            ],
            &[&[PATH, "powershell", "2836", "Microsoft Corporation"]],
        );
        let expected = r"
Path                Name                                 Id Company
----                ----                                 -- -------
C:\Program Files... powershell                         2836 Microsoft Corpor...

";
        assert_eq!(render_table(&view, 79), expected);
    }

    #[test]
    fn shared_width_gives_the_remainder_to_the_leftmost_columns() {
        // Three free columns in 21: 1 + 1 + 1 plus two separators leaves 16 spare, dealt one at a
        // time from the left: 6 each and the odd one to the first column.
        assert_eq!(
            fit_widths(vec![0, 0, 0], 21),
            vec![Some(7), Some(6), Some(6)]
        );
        assert_eq!(
            fit_widths(vec![0, 0, 0], 22),
            vec![Some(7), Some(7), Some(6)]
        );
        // A declared width is kept; only the free columns share what is left.
        assert_eq!(
            fit_widths(vec![10, 0, 0], 22),
            vec![Some(10), Some(5), Some(5)]
        );
    }

    #[test]
    fn shared_width_right_aligned_cut_keeps_the_tail() {
        let view = single(
            vec![column("Name", Align::Left), column("Size", Align::Right)],
            &[&["a", "123456789012"]],
        );
        // Two columns share 20: 10 + 1 + 9 (the leftmost gets the odd character).
        let expected = r"
Name            Size
----            ----
a          ...789012

";
        assert_eq!(render_table(&view, 20), expected);
    }

    #[test]
    fn declared_widths_are_kept_and_the_rest_is_shared() {
        // A default view declaring Name as 12 wide; Server and Url share the rest of 40:
        // 40 - 12 - 2 separators = 26, 13 each.
        let view = single(
            vec![
                declared("Name", Align::Left, 12),
                column("Server", Align::Left),
                column("InternalUrl", Align::Left),
            ],
            &[&[
                "mapi (Default Web Site)",
                "EX01",
                "https://mail.contoso.com/mapi",
            ]],
        );
        let expected = r"
Name         Server        InternalUrl
----         ------        -----------
mapi (Def... EX01          https://ma...

";
        assert_eq!(render_table(&view, 40), expected);
    }

    #[test]
    fn declared_widths_that_all_fit_are_not_stretched() {
        let view = single(
            vec![
                declared("Name", Align::Left, 6),
                declared("Value", Align::Right, 7),
            ],
            &[&["a", "1"], &["abcdefgh", "12"]],
        );
        let expected = r"
Name     Value
----     -----
a            1
abc...      12

";
        assert_eq!(render_table(&view, 119), expected);
    }

    #[test]
    fn declared_width_narrower_than_header_stacks_the_header() {
        let view = single(
            vec![
                declared("MAPIEnabled", Align::Right, 5),
                declared("Name", Align::Left, 4),
            ],
            &[&["False", "bob"]],
        );
        let expected = r"
MAPIE Name
nable
    d
----- ----
False bob

";
        assert_eq!(render_table(&view, 119), expected);
    }

    #[test]
    fn wrap_continues_values_on_following_lines() {
        // Docs: Format-Table -Wrap -Property Name,Id,Company,Path on an 80-column console; 19 per
        // column. Windows PowerShell 5.1 wraps at spaces for English cultures, counting each
        // word with its trailing space.
        let mut view = single(
            vec![
                column("Name", Align::Left),
                column("Id", Align::Right),
                column("Company", Align::Left),
                column("Path", Align::Left),
            ],
            &[&["powershell", "2836", "Microsoft Corporation", PATH]],
        );
        view.wrap = true;
        let expected = r"
Name                                 Id Company             Path
----                                 -- -------             ----
powershell                         2836 Microsoft           C:\Program
                                        Corporation         Files\Windows Power
                                                            Shell\v1.0\powershe
                                                            ll.exe

";
        assert_eq!(render_table(&view, 79), expected);
    }

    #[test]
    fn autosize_wrap_wraps_only_the_last_column() {
        // Docs: Format-Table -Wrap -AutoSize -Property Name,Id,Company,Path, 80 columns: Path
        // gets the 41 characters left and its one long word is split.
        let mut view = single(
            vec![
                column("Name", Align::Left),
                column("Id", Align::Right),
                column("Company", Align::Left),
                column("Path", Align::Left),
            ],
            &[&["powershell", "2836", "Microsoft Corporation", PATH]],
        );
        view.autosize = true;
        view.wrap = true;
        let expected = r"
Name         Id Company               Path
----         -- -------               ----
powershell 2836 Microsoft Corporation C:\Program Files\Windows
                                      PowerShell\v1.0\powershell.exe

";
        assert_eq!(render_table(&view, 79), expected);
    }

    #[test]
    fn multi_line_values_are_cut_at_the_line_break_without_wrap() {
        let mut view = single(
            vec![column("Id", Align::Right), column("Name", Align::Left)],
            &[&["1", "This\nIs some random"]],
        );
        view.autosize = true;
        // AutoSize measures the whole string (19 characters), line break included.
        let expected = r"
Id Name
-- ----
 1 This...

";
        assert_eq!(render_table(&view, 119), expected);
    }

    #[test]
    fn multi_line_values_keep_their_column_with_wrap() {
        // PowerShell issue 7179, expected output.
        let mut view = single(
            vec![column("Id", Align::Right), column("Name", Align::Left)],
            &[&["1", "This\nIs some random\n multiline content"]],
        );
        view.autosize = true;
        view.wrap = true;
        let expected = r"
Id Name
-- ----
 1 This
   Is some random
    multiline content

";
        assert_eq!(render_table(&view, 119), expected);
    }

    #[test]
    fn groups_print_a_label_and_their_own_header() {
        // Docs: Format-Table -Wrap -AutoSize -Property Name,Id,Path -GroupBy Company.
        let view = TableView {
            columns: vec![
                column("Name", Align::Left),
                column("Id", Align::Right),
                column("Path", Align::Left),
            ],
            groups: vec![
                TableGroup {
                    label: Some(("Company".to_owned(), "Microsoft Corporation".to_owned())),
                    rows: rows(&[&["powershell", "1956", PATH], &["powershell", "2656", PATH]]),
                },
                TableGroup {
                    label: Some(("Company".to_owned(), "Contoso".to_owned())),
                    rows: rows(&[&["mapish", "42", "/usr/bin/mapish"]]),
                },
            ],
            autosize: true,
            wrap: true,
            hide_headers: false,
        };
        let expected = r"
   Company: Microsoft Corporation

Name         Id Path
----         -- ----
powershell 1956 C:\Program Files\Windows PowerShell\v1.0\powershell.exe
powershell 2656 C:\Program Files\Windows PowerShell\v1.0\powershell.exe


   Company: Contoso

Name   Id Path
----   -- ----
mapish 42 /usr/bin/mapish

";
        assert_eq!(render_table(&view, 79), expected);
    }

    #[test]
    fn hidden_headers_leave_only_the_rows() {
        let mut view = single(
            vec![
                column("Name", Align::Left),
                column("MAPIEnabled", Align::Right),
            ],
            &[&["alice", "True"], &["bob", "False"]],
        );
        view.autosize = true;
        view.hide_headers = true;
        let expected = r"
alice        True
bob         False

";
        assert_eq!(render_table(&view, 119), expected);
    }

    #[test]
    fn empty_views_render_nothing() {
        let view = single(vec![column("Name", Align::Left)], &[]);
        assert_eq!(render_table(&view, 119), "");
        let no_groups = TableView {
            columns: vec![column("Name", Align::Left)],
            ..TableView::default()
        };
        assert_eq!(render_table(&no_groups, 119), "");
        let no_columns = single(vec![], &[&["x"]]);
        assert_eq!(render_table(&no_columns, 119), "");
    }

    #[test]
    fn missing_cells_print_empty_and_lines_have_no_trailing_spaces() {
        let mut view = single(
            vec![
                column("Name", Align::Left),
                column("MapiHttpEnabled", Align::Left),
            ],
            &[&["alice"], &["bob", "True"]],
        );
        view.autosize = true;
        let expected = r"
Name  MapiHttpEnabled
----  ---------------
alice
bob   True

";
        assert_eq!(render_table(&view, 119), expected);
    }

    #[test]
    fn wide_characters_are_padded_by_display_cells() {
        // Widths are decided in characters ("山田太郎" is 4, so the column asks for the header's
        // 4), but comfy-table pads by console cells: the name fills 8 cells, the column grows to
        // 8 and the next column still lines up on screen. PowerShell, which also measures cells,
        // prints the same.
        let mut view = single(
            vec![
                column("Name", Align::Left),
                column("MAPIEnabled", Align::Right),
            ],
            &[&["山田太郎", "True"], &["bob", "False"]],
        );
        view.autosize = true;
        let expected = r"
Name     MAPIEnabled
----     -----------
山田太郎        True
bob            False

";
        assert_eq!(render_table(&view, 119), expected);
    }

    #[test]
    fn non_ascii_values_are_measured_in_characters() {
        let mut view = single(
            vec![
                column("Name", Align::Left),
                column("MAPIEnabled", Align::Right),
            ],
            &[&["Jürgen Müller", "True"]],
        );
        view.autosize = true;
        let expected = r"
Name          MAPIEnabled
----          -----------
Jürgen Müller        True

";
        assert_eq!(render_table(&view, 119), expected);
    }
}
