//! Tokens as seen by tab completion and syntax colouring ([`super::tokenize_lenient`]).
//!
//! The parser itself does not go through a token list: PowerShell tokenizes differently in
//! command (argument) mode and in expression mode, so the parser scans on demand. This module
//! only describes the coarse token stream handed to the REPL.

use super::ast::Span;

/// One token of a (possibly incomplete) command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte offsets into the source.
    pub span: Span,
    /// The source text of the token, exactly as typed (quotes included for strings).
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// The first word of a command: `Get-CASMailbox`, `ft`, `?`, `%`.
    CommandName,
    /// `if`, `elseif`, `else`, `foreach` (and unsupported keywords) at the start of a statement.
    Keyword,
    /// `-Name` or `-Name:` in argument mode.
    Parameter,
    /// A bare word in argument mode, or a name in expression mode (member names, hash keys).
    BareWord,
    /// A numeric literal (`42`, `1.5`, `0x1F`, `10kb`, `-5`).
    Number,
    /// `$name`, `${name}`, `$_`.
    Variable,
    /// `@name` in argument mode.
    Splat,
    /// A quoted string or here-string, quotes included. An unterminated string runs to the end.
    String,
    /// An expression-mode operator: `-eq`, `+`, `=`, `+=`, `!`, `..`, `&&`, `||`.
    Operator,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    /// `@(`
    AtParen,
    /// `@{`
    AtBrace,
    /// `$(`
    DollarParen,
    Comma,
    Semicolon,
    Pipe,
    /// `.` (member access)
    Dot,
    /// `::`
    ColonColon,
    /// `&` (the call operator, not supported by mapish)
    Ampersand,
    /// `>`, `>>`, `2>`, `2>&1`, …
    Redirection,
    Newline,
    /// `# …` or `<# … #>`
    Comment,
    /// A backtick at the end of a line.
    LineContinuation,
}
