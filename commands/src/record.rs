//! The one user-facing error shape: PowerShell's ErrorRecord. Every layer's error becomes one of
//! these at the commands boundary; the edge renders it (NormalView text or JSON).

use serde::Serialize;

use crate::lang::ast::Span;
use crate::lang::ParseError;

/// PowerShell's ErrorCategory names used by mapish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorCategory {
    NotSpecified,
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    InvalidType,
    ObjectNotFound,
    ParserError,
    PermissionDenied,
    ResourceUnavailable,
    ResourceBusy,
    OperationStopped,
    NotImplemented,
    WriteError,
    ReadError,
    SecurityError,
    ConnectionError,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorRecord {
    pub message: String,
    pub category: ErrorCategory,
    /// The cmdlet shown in `[…]` of CategoryInfo and before the message (`Set-CASMailbox : …`).
    pub command: Option<String>,
    /// The exception type name at the end of CategoryInfo.
    pub reason: String,
    /// `(target:type)` in CategoryInfo; empty for `(:)`.
    pub target_name: String,
    pub target_type: String,
    pub fully_qualified_error_id: String,
    /// Where in the source text the problem is.
    #[serde(serialize_with = "serialize_span")]
    pub span: Option<Span>,
    /// Terminating errors stop the statement; others let the pipeline continue.
    #[serde(skip)]
    pub terminating: bool,
}

impl ErrorRecord {
    pub fn new(message: impl Into<String>, category: ErrorCategory, reason: &str, id: impl Into<String>) -> Self {
        ErrorRecord {
            message: message.into(),
            category,
            command: None,
            reason: reason.to_string(),
            target_name: String::new(),
            target_type: String::new(),
            fully_qualified_error_id: id.into(),
            span: None,
            terminating: true,
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    pub fn in_command(mut self, command: &str) -> Self {
        if self.command.is_none() {
            self.command = Some(command.to_string());
        }
        self
    }

    pub fn target(mut self, name: impl Into<String>, type_name: impl Into<String>) -> Self {
        self.target_name = name.into();
        self.target_type = type_name.into();
        self
    }

    /// The same record without a position (its span points into text the user is not looking at).
    pub fn without_span(mut self) -> Self {
        self.span = None;
        self
    }

    pub fn non_terminating(mut self) -> Self {
        self.terminating = false;
        self
    }

    /// `InvalidArgument: (:) [Set-CASMailbox], ParameterBindingException`
    pub fn category_info(&self) -> String {
        format!(
            "{:?}: ({}:{}) [{}], {}",
            self.category,
            self.target_name,
            self.target_type,
            self.command.as_deref().unwrap_or(""),
            self.reason
        )
    }

    /// A binder error: PowerShell's ParameterBindingException with `<id>,<cmdlet>`.
    pub fn binding(message: impl Into<String>, id: &str, cmdlet: &str, span: Span) -> Self {
        ErrorRecord::new(message, ErrorCategory::InvalidArgument, "ParameterBindingException", format!("{id},{cmdlet}"))
            .in_command(cmdlet)
            .at(span)
    }

    /// An argument conversion error (`Cannot process argument transformation on parameter …`).
    pub fn transformation(message: impl Into<String>, cmdlet: &str, span: Span) -> Self {
        ErrorRecord::new(
            message,
            ErrorCategory::InvalidData,
            "ParameterBindingArgumentTransformationException",
            format!("ParameterArgumentTransformationError,{cmdlet}"),
        )
        .in_command(cmdlet)
        .at(span)
    }

    /// A runtime error in the style of the language engine (RuntimeException).
    pub fn runtime(message: impl Into<String>, id: &str, span: Span) -> Self {
        ErrorRecord::new(message, ErrorCategory::InvalidOperation, "RuntimeException", id).at(span)
    }

    /// `The term 'X' is not recognized …`
    pub fn command_not_found(name: &str, span: Span) -> Self {
        ErrorRecord::new(
            format!(
                "The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program. \
                 Check the spelling of the name, or if a path was included, verify that the path is correct and try again."
            ),
            ErrorCategory::ObjectNotFound,
            "CommandNotFoundException",
            "CommandNotFoundException",
        )
        .target(name, "String")
        .at(span)
    }
}

impl From<ParseError> for ErrorRecord {
    fn from(e: ParseError) -> Self {
        ErrorRecord::new(e.message.clone(), ErrorCategory::ParserError, "ParentContainsErrorRecordException", e.error_id)
            .at(e.span)
    }
}

impl std::fmt::Display for ErrorRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn serialize_span<S: serde::Serializer>(span: &Option<Span>, s: S) -> Result<S::Ok, S::Error> {
    match span {
        Some(sp) => s.serialize_some(&[sp.start, sp.end]),
        None => s.serialize_none(),
    }
}
