//! Parse errors carrying PowerShell's own message texts and FullyQualifiedErrorIds.

use std::fmt;

use super::ast::Span;

/// The error id of every construct PowerShell accepts but mapish deliberately does not.
pub const NOT_SUPPORTED_BY_MAPISH: &str = "NotSupportedByMapish";

/// A syntax error, as PowerShell's parser would report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// PowerShell's text, e.g. "Missing closing '}' in statement block or type definition."
    pub message: String,
    /// PowerShell's FullyQualifiedErrorId, e.g. "MissingEndCurlyBrace", or "NotSupportedByMapish".
    pub error_id: &'static str,
    /// Where PowerShell points: the offending token, or an empty span where something is missing.
    pub span: Span,
    /// True when the input merely ended too early (unclosed quote, brace, parenthesis or
    /// here-string, a trailing `|` or backtick, `if (…)` without its block, …): an interactive
    /// shell should read a continuation line instead of reporting the error.
    pub incomplete: bool,
}

impl ParseError {
    pub(crate) fn new(error_id: &'static str, message: impl Into<String>, span: Span, incomplete: bool) -> Self {
        ParseError { message: message.into(), error_id, span, incomplete }
    }

    /// "Unexpected token '{text}' in expression or statement."
    pub(crate) fn unexpected_token(text: &str, span: Span) -> Self {
        ParseError::new("UnexpectedToken", format!("Unexpected token '{text}' in expression or statement."), span, false)
    }

    /// "The '{keyword}' keyword is not supported by mapish."
    pub(crate) fn keyword_not_supported(keyword: &str, span: Span) -> Self {
        ParseError::not_supported(format!("The '{keyword}' keyword is not supported by mapish."), span)
    }

    /// "The '{op}' operator is not supported by mapish."
    pub(crate) fn operator_not_supported(op: &str, span: Span) -> Self {
        ParseError::not_supported(format!("The '{op}' operator is not supported by mapish."), span)
    }

    /// Any other construct mapish refuses on purpose.
    pub(crate) fn not_supported(message: impl Into<String>, span: Span) -> Self {
        ParseError::new(NOT_SUPPORTED_BY_MAPISH, message, span, false)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}
