//! The PowerShell subset mapish understands: tokens, syntax tree and parser.

pub mod ast;
