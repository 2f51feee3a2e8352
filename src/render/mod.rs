//! Output layer: turns laid-out views into PowerShell-shaped text.
//!
//! Everything here is a pure function from an already-stringified view to the exact text Windows
//! PowerShell 5.1 prints for it (Format-Table, Format-List, the NormalView error record, warning
//! and verbose lines). Nothing here writes to a terminal: callers print the returned strings.
//!
//! Widths are counted in characters (Unicode scalar values), never bytes; see [`width`].

mod error;
mod list;
mod table;
pub mod width;

pub use error::{render_error, render_verbose, render_warning};
pub use list::render_list;
pub use table::render_table;

/// Horizontal alignment of a table column (header, dashes and values alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Strings: padded on the right; a value that is too long keeps its head ("abc...").
    #[default]
    Left,
    /// Numbers, Booleans, dates: padded on the left; a value that is too long keeps its tail
    /// ("...xyz"), as PowerShell 5.1 does.
    Right,
}

/// One column of a table view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Column {
    /// Header text, in the object's own spelling of the property name.
    pub header: String,
    /// Alignment of header, dashes and values.
    pub align: Align,
    /// Width declared by a default view; `None` (or `Some(0)`) means "share the free width".
    /// Ignored when the view is autosized.
    pub width: Option<usize>,
}

/// One `-GroupBy` group (or the single group of an ungrouped table).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableGroup {
    /// `(property name, value)` printed as `   Property: Value` above the group's table;
    /// `None` for an ungrouped table.
    pub label: Option<(String, String)>,
    /// Rows of already-stringified cells, one string per column (missing cells print empty).
    pub rows: Vec<Vec<String>>,
}

/// Everything Format-Table needs to lay out its output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableView {
    /// Columns, left to right.
    pub columns: Vec<Column>,
    /// Groups in output order; each gets its own header.
    pub groups: Vec<TableGroup>,
    /// `-AutoSize`: each column as wide as its header or longest value.
    pub autosize: bool,
    /// `-Wrap`: long values continue on following lines instead of ending in "...".
    pub wrap: bool,
    /// `-HideTableHeaders`: no header and no dash line.
    pub hide_headers: bool,
}

/// One `Label : value` line (or several, for a multi-line value) of a list view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListEntry {
    /// Property name as the object spells it.
    pub label: String,
    /// Already-stringified value; may contain newlines.
    pub value: String,
}

/// Everything Format-List needs: the entries of each object, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListView {
    /// One entry list per object.
    pub objects: Vec<Vec<ListEntry>>,
}

/// An error record, ready for PowerShell 5.1's NormalView.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorView {
    /// Command name as invoked (e.g. `Set-CASMailbox`); prefixes the message with `"<command> : "`.
    pub command: Option<String>,
    /// The error message; may span several lines.
    pub message: String,
    /// The whole script or command text the span points into.
    pub source: Option<String>,
    /// Byte offsets `[start, end)` into `source`.
    pub span: Option<(usize, usize)>,
    /// Already formatted, e.g. `InvalidArgument: (:) [Set-CASMailbox], ParameterBindingException`.
    pub category_info: String,
    /// e.g. `NamedParameterNotFound,Set-CASMailbox`.
    pub fully_qualified_error_id: String,
}
