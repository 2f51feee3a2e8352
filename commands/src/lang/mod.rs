//! The PowerShell subset mapish understands: tokens, syntax tree and parser.
//!
//! [`parse`] turns a command line or script into an [`ast::Script`], or fails with PowerShell's
//! own error text and FullyQualifiedErrorId ([`ParseError`]); [`tokenize_lenient`] never fails
//! and serves tab completion.
//!
//! # What parses
//!
//! Statements separated by `;` or newlines; `#` and `<# … #>` comments; backtick line
//! continuation and a trailing `|`. Pipelines of commands in argument mode (`-Name`,
//! `-Name:value`, `-?`, bare words, comma lists, `@splat`, `> file` / `>> file` at the end) with an
//! optional expression as the first element. Expressions with PowerShell's precedence (unary and
//! casts, then `,`, then `..`, `-f`, `* / %`, `+ -`, comparisons, `-and -or -xor`), member access,
//! method calls, indexing, `$( )`, `@( )`, `( )`, `@{ }`, `{ }`, single- and double-quoted
//! strings and here-strings with expansion, numbers with `0x` and `kb`…`pb`. Assignments `=`,
//! `+=`, `-=` to a variable, possibly with members or indexes. `if`/`elseif`/`else` and
//! `foreach ($x in …) { }`.
//!
//! # What is refused (error id [`NOT_SUPPORTED_BY_MAPISH`])
//!
//! The keywords function, filter, workflow, class, enum, try, catch, finally, trap, throw,
//! switch, while, do, until, for, break, continue, return, param, begin, process, end,
//! dynamicparam, using, data and configuration at the start of a statement; the call operator
//! `&`, dot-sourcing, `&&`, `||`, stream redirections (`2>`, `*>`, `2>&1`), `::`, `++`, `--`,
//! `-band`, `-bor`, `-bxor`, `-bnot`, `-shl`, `-shr`, `-as`, the unary `-split` / `-join`,
//! `*=` `/=` `%=`, attributes, `--%`, multiple assignment, type-constrained assignment, and an
//! `if` or `foreach` used as a value (`$y = if …`). An assignment used as a value (`($x += 1)`,
//! `$a = $b = 1`) is an [`ast::ExprKind::Assign`] whose value is the new value.
//!
//! # Conventions of the tree
//!
//! * A bare word containing `$var` or `$( … )` (`abc$x`, `"a"$b`) is an
//!   [`ast::ExprKind::DoubleQuoted`], as PowerShell expands it; otherwise it is a
//!   [`ast::ExprKind::BareWord`] holding the value (escapes and glued quotes resolved), or an
//!   [`ast::ExprKind::Number`] when the whole word is a numeric literal (`-5`, `10kb`).
//! * `""` is `DoubleQuoted(vec![])`; here-strings are `SingleQuoted` / `DoubleQuoted`.
//! * `-5` and `+5` are number literals, not unary operators.
//! * Variable names are as typed without `$`, scope included (`env:PATH`), braces removed.
//! * Simple member names and hash keys are `BareWord`s; other keys and member names are the
//!   expression written (`'x y'`, `$k`, `(…)`).
//! * The body [`ast::Script`] of a block or sub-expression spans the text between the brackets.
//! * A command name is PowerShell's literal value of the word (`$x` inside it is kept as typed).
//! * The tree is at most a few hundred levels deep: deeper input fails with
//!   "ScriptTooComplicated", so recursive walks cannot overflow the stack.

pub mod ast;
mod error;
mod lexer;
mod parser;
mod token;

pub use error::{NOT_SUPPORTED_BY_MAPISH, ParseError};
pub use lexer::tokenize_lenient;
pub use parser::parse;
pub use token::{Token, TokenKind};
