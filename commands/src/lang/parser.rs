//! Recursive-descent parser for mapish's PowerShell subset.
//!
//! It follows the structure of PowerShell's own parser (StatementRule, PipelineRule,
//! ExpressionRule, CommandRule, …) and scans characters on demand, because PowerShell
//! tokenizes differently in command (argument) mode and in expression mode. The first error
//! stops the parse; its message, error id, position and "incomplete input" flag are those
//! PowerShell reports.
//!
//! Every loop consumes input or ends, recursion is bounded by [`MAX_DEPTH`] and the depth of the
//! resulting tree by [`MAX_TREE_DEPTH`], so no input can make the parser hang or overflow the
//! stack, nor produce a tree too deep to walk recursively.

use std::sync::Arc;

use super::ast::{
    AssignOp, BinaryOp, CommandArg, CommandCall, Expr, ExprKind, Pipeline, PipelineElement, Redirection, Script,
    ScriptBlock, Span, Statement, StringPart, UnaryOp,
};
use super::error::ParseError;
use super::lexer::{
    DashOperator, PREC_ADD, PREC_MULTIPLY, PREC_RANGE, ascii_letters, backtick_escape, char_at, dash_operator,
    force_start, is_blank, is_dash, is_double_quote, is_ident_follow, is_ident_start, is_newline, is_quote,
    is_single_quote, is_unary_operator_name, is_var_start, rest_is_blank, scan_number, scan_single_quoted,
    scan_variable,
};

type PResult<T> = Result<T, ParseError>;

/// Maximum nesting of statements, unary operators, brackets and arguments. Deeper input is
/// refused with PowerShell's "script is too complex" error instead of exhausting the stack
/// (48 levels take about 1 MiB of stack in a debug build).
const MAX_DEPTH: usize = 48;

/// Maximum depth of the syntax tree, counting operator chains (`1 + 1 + …` is left-nested) and
/// member-access chains (`$a.b.c…`) as well as nesting, so that no tree is deep enough to
/// overflow a recursive walk (or `Drop`).
const MAX_TREE_DEPTH: usize = 256;

/// Keywords PowerShell supports and mapish refuses, at the start of a statement.
const UNSUPPORTED_KEYWORDS: &[&str] = &[
    "function",
    "filter",
    "workflow",
    "class",
    "enum",
    "try",
    "catch",
    "finally",
    "trap",
    "throw",
    "switch",
    "while",
    "do",
    "until",
    "for",
    "break",
    "continue",
    "return",
    "param",
    "begin",
    "process",
    "end",
    "dynamicparam",
    "using",
    "data",
    "configuration",
];

/// Keywords reserved by PowerShell itself.
const RESERVED_KEYWORDS: &[&str] = &["define", "from", "var"];

const FOREACH_FORM: &str = "The correct form is: foreach ($a in $b) {...}";

/// Parses a command line or a whole script.
pub fn parse(source: &str) -> Result<Script, ParseError> {
    // A byte-order mark is not part of the script (PowerShell's file reader drops it).
    let pos = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let mut p = Parser { src: source, pos, depth: 0, tree_depth: 0 };
    let statements = p.parse_statement_list()?;
    if p.peek().is_some() {
        // A `)` or `}` without its opening bracket.
        return p.unexpected_token(p.pos);
    }
    Ok(Script { statements, span: Span::new(0, source.len()) })
}

/// What `redirection_at` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Redir {
    /// `>`, `>>`, `1>`, `1>>`
    Output { append: bool },
    /// `2>`, `*>`, `2>&1`, …
    Unsupported,
    /// `<`
    Input,
}

/// An assignment operator found after an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AssignToken {
    Supported(AssignOp),
    /// `*=`, `/=`, `%=`
    Unsupported,
}

/// A bare word in argument mode: literal text, possibly with `$var` / `$( … )` expansions and
/// quoted parts glued to it (PowerShell's generic token).
struct GenericWord {
    parts: Vec<StringPart>,
    /// The value with escapes and quotes resolved but expansions kept as typed (a command name).
    literal: String,
    has_expansion: bool,
}

impl GenericWord {
    fn into_expr(self, span: Span) -> Expr {
        let kind = if self.has_expansion { ExprKind::DoubleQuoted(self.parts) } else { ExprKind::BareWord(self.literal) };
        Expr { kind, span }
    }
}

fn push_text(parts: &mut Vec<StringPart>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(StringPart::Text(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(StringPart::Text(text.to_string()));
    }
}

fn element_span(e: &PipelineElement) -> Span {
    match e {
        PipelineElement::Command(c) => c.span,
        PipelineElement::Expression(x) => x.span,
    }
}

fn arg_span(a: &CommandArg) -> Span {
    match a {
        CommandArg::Parameter { span, .. } => *span,
        CommandArg::Value(e) => e.span,
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    /// Current recursion depth (see [`MAX_DEPTH`]).
    depth: usize,
    /// Depth of the tree being built (see [`MAX_TREE_DEPTH`]).
    tree_depth: usize,
}

impl<'a> Parser<'a> {
    // -----------------------------------------------------------------------------------------
    // Low-level helpers
    // -----------------------------------------------------------------------------------------

    fn at(&self, i: usize) -> Option<char> {
        char_at(self.src, i)
    }

    fn peek(&self) -> Option<char> {
        self.at(self.pos)
    }

    fn peek2(&self) -> Option<char> {
        self.peek().and_then(|c| self.at(self.pos + c.len_utf8()))
    }

    /// The offset just after the character at `i`.
    fn after(&self, i: usize) -> usize {
        i + self.at(i).map_or(0, char::len_utf8)
    }

    /// Called on entering a recursive rule; errors out when nested too deeply.
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        self.deepen(1)
    }

    fn leave(&mut self) {
        self.depth -= 1;
        self.tree_depth -= 1;
    }

    /// Accounts for `levels` more levels of tree (operator or member chains); the caller gives
    /// them back with `self.tree_depth -= levels` when the chain is complete.
    fn deepen(&mut self, levels: usize) -> PResult<()> {
        self.tree_depth += levels;
        if self.depth > MAX_DEPTH || self.tree_depth > MAX_TREE_DEPTH {
            let end = self.after(self.pos);
            return Err(ParseError::new(
                "ScriptTooComplicated",
                "Processing was stopped because the script is too complex.",
                Span::new(self.pos, end),
                false,
            ));
        }
        Ok(())
    }

    /// An error reported where something is missing (an empty span at `at`), marked incomplete
    /// when only whitespace and comments follow — PowerShell's ReportIncompleteInput(After(x)).
    fn missing(&self, error_id: &'static str, message: impl Into<String>, at: usize) -> ParseError {
        ParseError::new(error_id, message, Span::new(at, at), rest_is_blank(self.src, at))
    }

    /// The span of the character at the current position (empty at the end of input).
    fn here_span(&self) -> Span {
        Span::new(self.pos, self.after(self.pos))
    }

    /// Skips blanks, comments, line continuations (backtick + newline) and escaped blanks;
    /// stops at a newline.
    fn skip_inline(&mut self) -> PResult<()> {
        loop {
            let Some(c) = self.peek() else { return Ok(()) };
            if is_blank(c) {
                self.pos += c.len_utf8();
                continue;
            }
            match c {
                '#' => {
                    while let Some(c) = self.peek() {
                        if is_newline(c) {
                            break;
                        }
                        self.pos += c.len_utf8();
                    }
                }
                '<' if self.peek2() == Some('#') => {
                    let start = self.pos;
                    match self.src[start + 2..].find("#>") {
                        Some(k) => self.pos = start + 2 + k + 2,
                        None => {
                            return Err(ParseError::new(
                                "MissingTerminatorMultiLineComment",
                                "The terminator '#>' is missing from the multiline comment.",
                                Span::new(start, self.src.len()),
                                true,
                            ));
                        }
                    }
                }
                '`' => match self.peek2() {
                    None => {
                        return Err(ParseError::new(
                            "IncompleteString",
                            "Incomplete string token.",
                            Span::new(self.pos, self.pos + 1),
                            true,
                        ));
                    }
                    Some('\r') => {
                        self.pos += 2;
                        if self.peek() == Some('\n') {
                            self.pos += 1;
                        }
                    }
                    Some('\n') => self.pos += 2,
                    Some(w) if is_blank(w) => self.pos += 1 + w.len_utf8(),
                    Some(_) => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
    }

    fn skip_newlines(&mut self) -> PResult<()> {
        loop {
            self.skip_inline()?;
            match self.peek() {
                Some(c) if is_newline(c) => self.pos += 1,
                _ => return Ok(()),
            }
        }
    }

    fn skip_newlines_and_semicolons(&mut self) -> PResult<()> {
        loop {
            self.skip_inline()?;
            match self.peek() {
                Some(c) if is_newline(c) || c == ';' => self.pos += 1,
                _ => return Ok(()),
            }
        }
    }

    /// A keyword at `pos`: ASCII letters forming a whole token (`if(` is a keyword, `if-x` is not).
    fn keyword_at(&self, pos: usize) -> Option<(String, Span)> {
        let word = ascii_letters(self.src, pos);
        if word.is_empty() {
            return None;
        }
        let end = pos + word.len();
        let next = self.at(end);
        if next.is_some_and(is_ident_follow) || !force_start(next) {
            return None;
        }
        Some((word.to_ascii_lowercase(), Span::new(pos, end)))
    }

    /// Reports "Unexpected token '…' in expression or statement." for the token at `pos`.
    fn unexpected_token<T>(&mut self, pos: usize) -> PResult<T> {
        let end = self.token_end_at(pos)?;
        let end = if end <= pos { self.after(pos) } else { end };
        let span = Span::new(pos, end);
        Err(ParseError::unexpected_token(&self.src[pos..end], span))
    }

    /// The end of the token starting at `pos`, scanned as PowerShell would in command mode.
    fn token_end_at(&mut self, pos: usize) -> PResult<usize> {
        let Some(c) = self.at(pos) else { return Ok(pos) };
        let n = self.at(self.after(pos));
        self.pos = pos;
        if let Some((_, len)) = self.redirection_at(pos) {
            return Ok(pos + len);
        }
        Ok(match c {
            '(' | ')' | '{' | '}' | '[' | ']' | ',' | ';' => pos + 1,
            '|' | '&' => pos + if n == Some(c) { 2 } else { 1 },
            '$' | '@' if matches!(n, Some('(')) || (c == '@' && n == Some('{')) => pos + 2,
            '@' if n.is_some_and(is_quote) => {
                self.parse_here_string()?;
                self.pos
            }
            q if is_single_quote(q) => scan_single_quoted(self.src, pos)?.1,
            q if is_double_quote(q) => {
                self.parse_double_quoted_body()?;
                self.pos
            }
            '$' if n.is_some_and(|n| n == '{' || is_var_start(n)) => {
                let (_, end) = scan_variable(self.src, pos)?;
                let after = self.at(end);
                if force_start(after) || matches!(after, Some('.' | '[' | '=' | ':')) {
                    end
                } else {
                    self.scan_generic_word()?;
                    self.pos
                }
            }
            d if is_dash(d) && n.is_some_and(|n| n.is_alphabetic() || n == '_' || n == '?') => {
                let (end, _, quoted) = self.scan_parameter_name(pos);
                if quoted {
                    self.scan_generic_word()?;
                    self.pos
                } else {
                    end
                }
            }
            _ => {
                self.scan_generic_word()?;
                self.pos
            }
        })
    }

    // -----------------------------------------------------------------------------------------
    // Statements
    // -----------------------------------------------------------------------------------------

    /// Statements separated by newlines and semicolons, up to the end of input or a `)` / `}`
    /// (which the caller checks).
    fn parse_statement_list(&mut self) -> PResult<Vec<Statement>> {
        let mut statements = Vec::new();
        loop {
            self.skip_newlines_and_semicolons()?;
            match self.peek() {
                None | Some(')' | '}') => return Ok(statements),
                _ => {}
            }
            let before = self.pos;
            let statement = self.parse_statement()?;
            if self.pos == before {
                return self.unexpected_token(before);
            }
            statements.push(statement);
        }
    }

    fn parse_statement(&mut self) -> PResult<Statement> {
        self.enter()?;
        let result = self.parse_statement_inner();
        self.leave();
        result
    }

    fn parse_statement_inner(&mut self) -> PResult<Statement> {
        if let Some((keyword, span)) = self.keyword_at(self.pos) {
            match keyword.as_str() {
                "if" => {
                    self.pos = span.end;
                    return self.parse_if(span);
                }
                "foreach" => {
                    self.pos = span.end;
                    return self.parse_foreach(span);
                }
                k if UNSUPPORTED_KEYWORDS.contains(&k) => return Err(ParseError::keyword_not_supported(k, span)),
                k if RESERVED_KEYWORDS.contains(&k) => {
                    return Err(ParseError::new(
                        "ReservedKeywordNotAllowed",
                        format!("The '{k}' keyword is not supported in this version of the language."),
                        span,
                        false,
                    ));
                }
                // `else`, `elseif`, `in`, `exit`, … are command names here, as in PowerShell.
                _ => {}
            }
        }
        self.parse_pipeline_statement()
    }

    /// `if (c) {…} elseif (c) {…} else {…}`
    fn parse_if(&mut self, if_span: Span) -> PResult<Statement> {
        let mut clauses = Vec::new();
        let mut else_body = None;
        let mut keyword = self.src[if_span.start..if_span.end].to_string();
        let mut keyword_end = if_span.end;
        let end;
        loop {
            self.skip_newlines()?;
            if self.peek() != Some('(') {
                return Err(self.missing(
                    "MissingOpenParenthesisInIfStatement",
                    format!("Missing '(' after '{keyword}' in if statement."),
                    keyword_end,
                ));
            }
            let lparen_end = self.pos + 1;
            self.pos = lparen_end;
            self.skip_newlines()?;
            if matches!(self.peek(), None | Some(')' | '}' | ';')) {
                return Err(self.missing(
                    "IfStatementMissingCondition",
                    format!("Missing condition in if statement after '{keyword} ('."),
                    lparen_end,
                ));
            }
            let condition = self.parse_pipeline_statement()?;
            let condition = self.statement_as_pipeline(condition)?;
            self.skip_newlines()?;
            if self.peek() != Some(')') {
                return Err(ParseError::new(
                    "MissingEndParenthesisAfterStatement",
                    format!("Missing closing ')' after expression in '{keyword}' statement."),
                    self.here_span(),
                    self.peek().is_none(),
                ));
            }
            let rparen = Span::new(self.pos, self.pos + 1);
            self.pos = rparen.end;
            self.skip_newlines()?;
            if self.peek() != Some('{') {
                return Err(ParseError::new(
                    "MissingStatementBlock",
                    format!("Missing statement block after {keyword} ( condition )."),
                    rparen,
                    rest_is_blank(self.src, rparen.end),
                ));
            }
            let (body, body_span) = self.parse_brace_block()?;
            clauses.push((condition, body));
            let mut last_end = body_span.end;
            let save = self.pos;
            self.skip_newlines()?;
            match self.keyword_at(self.pos) {
                Some((k, span)) if k == "elseif" => {
                    keyword = self.src[span.start..span.end].to_string();
                    keyword_end = span.end;
                    self.pos = span.end;
                    continue;
                }
                Some((k, span)) if k == "else" => {
                    self.pos = span.end;
                    self.skip_newlines()?;
                    if self.peek() != Some('{') {
                        return Err(self.missing(
                            "MissingStatementBlockAfterElse",
                            "Missing statement block after 'else' keyword.",
                            span.end,
                        ));
                    }
                    let (body, body_span) = self.parse_brace_block()?;
                    else_body = Some(body);
                    last_end = body_span.end;
                }
                _ => self.pos = save,
            }
            end = last_end;
            break;
        }
        Ok(Statement::If { clauses, else_body, span: Span::new(if_span.start, end) })
    }

    /// `foreach ($x in <pipeline>) {…}`
    fn parse_foreach(&mut self, keyword: Span) -> PResult<Statement> {
        self.skip_newlines()?;
        if self.peek() != Some('(') {
            return Err(self.missing(
                "MissingOpenParenthesisAfterKeyword",
                "Missing opening '(' after keyword 'foreach'.",
                keyword.end,
            ));
        }
        let lparen_end = self.pos + 1;
        self.pos = lparen_end;
        self.skip_newlines()?;
        let variable_start = self.pos;
        if !(self.peek() == Some('$') && self.peek2().is_some_and(|c| c == '{' || is_var_start(c))) {
            return Err(self.missing(
                "MissingVariableNameAfterForeach",
                format!("Missing variable name after foreach.\n{FOREACH_FORM}"),
                lparen_end,
            ));
        }
        let (variable, variable_end) = scan_variable(self.src, variable_start)?;
        let variable_span = Span::new(variable_start, variable_end);
        self.pos = variable_end;
        self.skip_newlines()?;
        match self.keyword_at(self.pos) {
            Some((k, span)) if k == "in" => self.pos = span.end,
            _ => {
                return Err(self.missing(
                    "MissingInInForeach",
                    format!("Missing 'in' after variable in foreach loop.\n{FOREACH_FORM}"),
                    variable_end,
                ));
            }
        }
        let in_end = self.pos;
        self.skip_newlines()?;
        if matches!(self.peek(), None | Some(')' | '}' | ';')) {
            return Err(self.missing(
                "MissingForeachExpression",
                format!("Missing expression in foreach loop.\n{FOREACH_FORM}"),
                in_end,
            ));
        }
        let iterable = self.parse_pipeline_statement()?;
        let iterable = self.statement_as_pipeline(iterable)?;
        self.skip_newlines()?;
        if self.peek() != Some(')') {
            return Err(self.missing(
                "MissingEndParenthesisAfterForeach",
                format!("Missing closing ')' after expression part of foreach loop.\n{FOREACH_FORM}"),
                iterable.span.end,
            ));
        }
        let rparen_end = self.pos + 1;
        self.pos = rparen_end;
        self.skip_newlines()?;
        if self.peek() != Some('{') {
            return Err(self.missing(
                "MissingForeachStatement",
                format!("Missing statement body in foreach loop.\n{FOREACH_FORM}"),
                rparen_end,
            ));
        }
        let (body, body_span) = self.parse_brace_block()?;
        Ok(Statement::Foreach { variable, variable_span, iterable, body, span: Span::new(keyword.start, body_span.end) })
    }

    /// `{ statements }` at the current `{`: the body and the span including the braces.
    fn parse_brace_block(&mut self) -> PResult<(Script, Span)> {
        self.enter()?;
        let open = self.pos;
        self.pos += 1;
        let body_start = self.pos;
        let statements = self.parse_statement_list()?;
        if self.peek() != Some('}') {
            return Err(ParseError::new(
                "MissingEndCurlyBrace",
                "Missing closing '}' in statement block or type definition.",
                Span::new(open, open + 1),
                self.peek().is_none(),
            ));
        }
        let body_end = self.pos;
        self.pos += 1;
        self.leave();
        Ok((Script { statements, span: Span::new(body_start, body_end) }, Span::new(open, self.pos)))
    }

    /// A statement where PowerShell wants a pipeline (parentheses, conditions, hash values).
    fn statement_as_pipeline(&self, statement: Statement) -> PResult<Pipeline> {
        match statement {
            Statement::Pipeline(p) => Ok(p),
            // `($x += 1)`, `$a = $b = 1`, `if ($m = …)`: the assignment is an expression whose
            // value is what was assigned, as in PowerShell.
            Statement::Assignment { target, op, value, span } => Ok(Pipeline {
                elements: vec![PipelineElement::Expression(Expr {
                    kind: ExprKind::Assign { target: Box::new(target), op, value: Box::new(value) },
                    span,
                })],
                redirection: None,
                span,
            }),
            Statement::If { span, .. } => Err(ParseError::not_supported(
                "An 'if' statement used as a value is not supported by mapish.",
                Span::new(span.start, span.start + 2),
            )),
            Statement::Foreach { span, .. } => Err(ParseError::not_supported(
                "A 'foreach' statement used as a value is not supported by mapish.",
                Span::new(span.start, span.start + 7),
            )),
        }
    }

    /// A pipeline, or an assignment statement whose value is a statement.
    fn parse_pipeline_statement(&mut self) -> PResult<Statement> {
        let start = self.pos;
        let mut elements = Vec::new();
        let mut redirection: Option<Redirection> = None;
        if self.peek() == Some('|') {
            let span = Span::new(self.pos, self.pos + 1);
            return Err(ParseError::new(
                "EmptyPipeElement",
                "An empty pipe element is not allowed.",
                span,
                rest_is_blank(self.src, span.end),
            ));
        }
        let mut have_first = false;
        if self.at_expression_start()
            && let Some(expr) = self.parse_expression(false)? {
                self.skip_inline()?;
                if let Some((op, len)) = self.assign_op_at(self.pos) {
                    return self.finish_assignment(expr, op, len);
                }
                elements.push(PipelineElement::Expression(expr));
                have_first = true;
            }
        if !have_first {
            let command = self.parse_command(&mut redirection)?;
            elements.push(PipelineElement::Command(command));
        }
        loop {
            self.skip_inline()?;
            match self.peek() {
                Some('|') => {
                    if self.peek2() == Some('|') {
                        return Err(ParseError::operator_not_supported("||", Span::new(self.pos, self.pos + 2)));
                    }
                    if let Some(r) = &redirection {
                        return Err(ParseError::not_supported(
                            "mapish supports output redirection only at the end of a pipeline.",
                            r.span,
                        ));
                    }
                    let pipe_end = self.pos + 1;
                    self.pos = pipe_end;
                    self.skip_newlines()?;
                    if matches!(self.peek(), None | Some(';' | ')' | '}' | '|')) {
                        return Err(ParseError::new(
                            "EmptyPipeElement",
                            "An empty pipe element is not allowed.",
                            Span::new(pipe_end, pipe_end),
                            self.peek().is_none(),
                        ));
                    }
                    if self.at_expression_start() {
                        let save = self.pos;
                        if let Some(expr) = self.parse_expression(false)? {
                            return Err(ParseError::new(
                                "ExpressionsMustBeFirstInPipeline",
                                "Expressions are only allowed as the first element of a pipeline.",
                                expr.span,
                                false,
                            ));
                        }
                        self.pos = save;
                    }
                    let command = self.parse_command(&mut redirection)?;
                    elements.push(PipelineElement::Command(command));
                }
                Some(_) if self.redirection_at(self.pos).is_some() => self.parse_redirection(&mut redirection)?,
                _ => break,
            }
        }
        self.check_statement_end()?;
        let mut end = elements.last().map_or(start, |e| element_span(e).end);
        if let Some(r) = &redirection {
            end = end.max(r.span.end);
        }
        Ok(Statement::Pipeline(Pipeline { elements, redirection, span: Span::new(start, end) }))
    }

    /// After a pipeline: a newline, `;`, `)`, `}` or the end of input must follow.
    fn check_statement_end(&mut self) -> PResult<()> {
        self.skip_inline()?;
        match self.peek() {
            None | Some('\n' | '\r' | ';' | ')' | '}') => Ok(()),
            Some('&') => Err(self.ampersand_error()),
            _ => self.unexpected_token(self.pos),
        }
    }

    fn ampersand_error(&self) -> ParseError {
        if self.peek2() == Some('&') {
            ParseError::operator_not_supported("&&", Span::new(self.pos, self.pos + 2))
        } else {
            ParseError::operator_not_supported("&", Span::new(self.pos, self.pos + 1))
        }
    }

    /// `=`, `+=`, `-=` (and the refused `*=`, `/=`, `%=`) at `pos`, with their length.
    fn assign_op_at(&self, pos: usize) -> Option<(AssignToken, usize)> {
        let c = self.at(pos)?;
        let n = self.at(pos + c.len_utf8());
        match c {
            '=' => Some((AssignToken::Supported(AssignOp::Assign), 1)),
            '+' if n == Some('=') => Some((AssignToken::Supported(AssignOp::Add), 2)),
            c if is_dash(c) && n == Some('=') => Some((AssignToken::Supported(AssignOp::Subtract), c.len_utf8() + 1)),
            '*' | '/' | '%' if n == Some('=') => Some((AssignToken::Unsupported, 2)),
            _ => None,
        }
    }

    fn finish_assignment(&mut self, target: Expr, op: AssignToken, len: usize) -> PResult<Statement> {
        let op_start = self.pos;
        let op_end = op_start + len;
        let op_text = &self.src[op_start..op_end];
        let op = match op {
            AssignToken::Supported(op) => op,
            AssignToken::Unsupported => {
                return Err(ParseError::operator_not_supported(op_text, Span::new(op_start, op_end)));
            }
        };
        self.check_assignment_target(&target, op)?;
        let op_text = op_text.to_string();
        self.pos = op_end;
        self.skip_newlines()?;
        if matches!(self.peek(), None | Some(';' | ')' | '}')) {
            return Err(ParseError::new(
                "ExpectedValueExpression",
                format!("You must provide a value expression following the '{op_text}' operator."),
                Span::new(op_end, op_end),
                self.peek().is_none(),
            ));
        }
        let value = self.parse_statement()?;
        let value = self.statement_as_pipeline(value)?;
        let span = Span::new(target.span.start, value.span.end);
        Ok(Statement::Assignment { target, op, value, span })
    }

    /// The target of an assignment: a variable, possibly with member access or indexing.
    fn check_assignment_target(&self, target: &Expr, op: AssignOp) -> PResult<()> {
        match &target.kind {
            ExprKind::Variable(_) => Ok(()),
            ExprKind::Member { target: inner, .. } | ExprKind::Index { target: inner, .. } => {
                let mut root = inner.as_ref();
                while let ExprKind::Member { target, .. } | ExprKind::Index { target, .. } = &root.kind {
                    root = target;
                }
                if matches!(root.kind, ExprKind::Variable(_)) {
                    Ok(())
                } else {
                    Err(ParseError::not_supported(
                        "Assigning to a property or element of a value that is not held in a variable is not supported by mapish.",
                        target.span,
                    ))
                }
            }
            ExprKind::Cast { .. } => Err(ParseError::not_supported(
                "Assigning through a type constraint ('[type]$x = …') is not supported by mapish.",
                target.span,
            )),
            ExprKind::List(items)
                if op == AssignOp::Assign && items.iter().all(|i| matches!(i.kind, ExprKind::Variable(_))) =>
            {
                Err(ParseError::not_supported("Assigning to several variables at once is not supported by mapish.", target.span))
            }
            _ => Err(ParseError::new(
                "InvalidLeftHandSide",
                "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.",
                target.span,
                false,
            )),
        }
    }

    /// Whether the pipeline element here starts in expression mode (about_Parsing): a variable,
    /// a quote, a number, `(`, `@(`, `$(`, `@{`, `{`, `[`, a unary operator or `,`.
    fn at_expression_start(&self) -> bool {
        let Some(c) = self.peek() else { return false };
        let n = self.peek2();
        match c {
            '$' => n.is_some_and(|n| n == '(' || n == '{' || is_var_start(n)),
            '@' | '(' | '{' | '[' | ',' => true,
            q if is_quote(q) => true,
            '!' => !n.is_some_and(is_ident_start),
            '0'..='9' => scan_number(self.src, self.pos, true).is_some(),
            '.' => n.is_some_and(|d| d.is_ascii_digit()) && scan_number(self.src, self.pos, true).is_some(),
            '+' => n != Some('='),
            d if is_dash(d) => match n {
                Some('=') => false,
                Some(l) if l.is_ascii_alphabetic() => is_unary_operator_name(ascii_letters(self.src, self.pos + d.len_utf8())),
                _ => true,
            },
            _ => false,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Commands (argument mode)
    // -----------------------------------------------------------------------------------------

    /// A command: its name, then parameters and arguments in argument mode. A `>`/`>>`
    /// redirection among the arguments goes to `redirection`.
    fn parse_command(&mut self, redirection: &mut Option<Redirection>) -> PResult<CommandCall> {
        let start = self.pos;
        match self.peek() {
            Some('&') => return Err(self.ampersand_error()),
            Some('.') => {
                let n = self.peek2();
                if force_start(n) || n == Some('$') || n.is_some_and(is_quote) {
                    return Err(ParseError::operator_not_supported(".", Span::new(start, start + 1)));
                }
            }
            _ => {}
        }
        if self.redirection_at(start).is_some() {
            return self.unexpected_token(start);
        }
        let word = self.scan_generic_word()?;
        if self.pos == start {
            return self.unexpected_token(start);
        }
        let name_span = Span::new(start, self.pos);
        let mut args = Vec::new();
        let mut end = name_span.end;
        loop {
            self.skip_inline()?;
            let Some(c) = self.peek() else { break };
            let arg = match c {
                '\n' | '\r' | ';' | ')' | '}' | '|' => break,
                '&' => return Err(self.ampersand_error()),
                ',' => {
                    return Err(ParseError::new(
                        "MissingArgument",
                        "Missing argument in parameter list.",
                        Span::new(self.pos, self.pos + 1),
                        false,
                    ));
                }
                _ if self.redirection_at(self.pos).is_some() => {
                    self.parse_redirection(redirection)?;
                    continue;
                }
                c if is_dash(c) => match self.try_parameter()? {
                    Some(parameter) => parameter,
                    None => CommandArg::Value(self.parse_command_argument()?),
                },
                _ => CommandArg::Value(self.parse_command_argument()?),
            };
            end = arg_span(&arg).end;
            args.push(arg);
        }
        Ok(CommandCall { name: word.literal, name_span, args, span: Span::new(start, end) })
    }

    /// Scans the name of `-Name` / `-Name:` at `pos`: returns the end of the token (after the
    /// colon if any), whether it ended with a colon, and whether a quote made it a bare word.
    fn scan_parameter_name(&self, pos: usize) -> (usize, bool, bool) {
        let mut i = self.after(pos);
        while let Some(c) = self.at(i) {
            if is_blank(c) || matches!(c, '{' | '}' | '(' | ')' | ';' | ',' | '|' | '&' | '.' | '[' | '\n' | '\r') {
                return (i, false, false);
            }
            if c == ':' {
                return (i + 1, true, false);
            }
            if is_quote(c) {
                return (i, false, true);
            }
            i += c.len_utf8();
        }
        (i, false, false)
    }

    /// `-Name`, `-Name:value`, `-?` at a dash in argument mode; `None` when the dash starts a
    /// value instead (`-5`, `-`, `--x`, `-a"b"`).
    fn try_parameter(&mut self) -> PResult<Option<CommandArg>> {
        let start = self.pos;
        let name_start = self.after(start);
        match self.at(name_start) {
            Some(d) if is_dash(d) => {
                let after = name_start + d.len_utf8();
                if force_start(self.at(after)) {
                    return Err(ParseError::operator_not_supported("--", Span::new(start, after)));
                }
                return Ok(None);
            }
            Some(c) if c.is_alphabetic() || c == '_' || c == '?' => {}
            _ => return Ok(None),
        }
        let (token_end, colon, quoted) = self.scan_parameter_name(start);
        if quoted {
            return Ok(None);
        }
        let name_end = if colon { token_end - 1 } else { token_end };
        let name = self.src[name_start..name_end].to_string();
        self.pos = token_end;
        let mut end = token_end;
        let mut value = None;
        if colon {
            self.skip_inline()?;
            let missing = match self.peek() {
                Some(',') => false,
                None | Some('\n' | '\r' | ';' | ')' | '}' | '|' | '&') => true,
                _ => self.redirection_at(self.pos).is_some(),
            };
            if missing {
                return Err(ParseError::new(
                    "ParameterRequiresArgument",
                    format!("Parameter {} requires an argument.", &self.src[start..token_end]),
                    Span::new(token_end, token_end),
                    false,
                ));
            }
            if self.peek() != Some(',') {
                let v = self.parse_command_argument()?;
                end = v.span.end;
                value = Some(v);
            }
        }
        Ok(Some(CommandArg::Parameter { name, value, span: Span::new(start, end) }))
    }

    /// One argument: an element, or a comma-separated list of elements (`NTLM,Negotiate`).
    fn parse_command_argument(&mut self) -> PResult<Expr> {
        let first = self.parse_arg_element(false)?;
        self.skip_inline()?;
        if self.peek() != Some(',') {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.peek() == Some(',') {
            let comma_end = self.pos + 1;
            self.pos = comma_end;
            self.skip_newlines()?;
            if self.at_argument_end() {
                return Err(ParseError::new(
                    "MissingExpression",
                    "Missing expression after ',' in pipeline element.",
                    Span::new(comma_end, comma_end),
                    self.peek().is_none(),
                ));
            }
            items.push(self.parse_arg_element(true)?);
            self.skip_inline()?;
        }
        let span = Span::new(items[0].span.start, items[items.len() - 1].span.end);
        Ok(Expr { kind: ExprKind::List(items), span })
    }

    fn at_argument_end(&self) -> bool {
        match self.peek() {
            None | Some('\n' | '\r' | ';' | ')' | '}' | '|' | '&' | ',') => true,
            _ => self.redirection_at(self.pos).is_some(),
        }
    }

    fn parse_arg_element(&mut self, in_list: bool) -> PResult<Expr> {
        self.enter()?;
        let result = self.parse_arg_element_inner(in_list);
        self.leave();
        result
    }

    /// One value in argument mode, with directly attached member access and indexing.
    fn parse_arg_element_inner(&mut self, in_list: bool) -> PResult<Expr> {
        let start = self.pos;
        let Some(c) = self.peek() else { return self.unexpected_token(start) };
        let n = self.peek2();
        match c {
            '$' => {
                if n == Some('(') {
                    let e = self.parse_sub_expression()?;
                    return self.postfix(e, true);
                }
                if n.is_some_and(|n| n == '{' || is_var_start(n)) {
                    let (name, end) = scan_variable(self.src, start)?;
                    let after = self.at(end);
                    // `.`, `[` and `::` start member access; `=` ends the variable (PowerShell's quirk).
                    if force_start(after) || matches!(after, Some('.' | '[' | '=' | ':')) {
                        self.pos = end;
                        let e = Expr { kind: ExprKind::Variable(name), span: Span::new(start, end) };
                        return self.postfix(e, true);
                    }
                }
                // `$x-y`, `$` alone: an expandable bare word.
                self.generic_argument(start)
            }
            '@' => match n {
                Some('(') => {
                    let e = self.parse_array_expression()?;
                    self.postfix(e, true)
                }
                Some('{') => {
                    let e = self.parse_hashtable()?;
                    self.postfix(e, true)
                }
                Some(q) if is_quote(q) => {
                    let e = self.parse_here_string()?;
                    self.postfix(e, true)
                }
                Some(v) if is_var_start(v) => {
                    let (name, end) = scan_variable(self.src, start)?;
                    let span = Span::new(start, end);
                    match self.at(end) {
                        Some('.' | '[') => Err(ParseError::new(
                            "NoPropertiesInSplatting",
                            format!("Cannot expand the splatted variable '@{name}'. Splatted variables cannot be used as part of a property or array expression. Assign the result of the expression to a temporary variable then splat the temporary variable instead."),
                            span,
                            false,
                        )),
                        after if force_start(after) => {
                            if in_list {
                                return Err(ParseError::new(
                                    "SplattingNotPermittedInArgumentList",
                                    format!("Splatted variables like '@{name}' cannot be part of a comma-separated list of arguments."),
                                    span,
                                    false,
                                ));
                            }
                            self.pos = end;
                            Ok(Expr { kind: ExprKind::Splat(name), span })
                        }
                        _ => self.generic_argument(start),
                    }
                }
                _ => Err(unrecognized_token(start)),
            },
            q if is_quote(q) => {
                let e = self.parse_string()?;
                self.postfix(e, true)
            }
            '(' => {
                let e = self.parse_paren()?;
                self.postfix(e, true)
            }
            '{' => {
                let e = self.parse_script_block()?;
                self.postfix(e, true)
            }
            _ => self.generic_argument(start),
        }
    }

    /// A bare word (or a number, when the whole word is a numeric literal).
    fn generic_argument(&mut self, start: usize) -> PResult<Expr> {
        self.pos = start;
        let word = self.scan_generic_word()?;
        let end = self.pos;
        if end == start {
            return self.unexpected_token(start);
        }
        let span = Span::new(start, end);
        if let Some((number, number_end)) = scan_number(self.src, start, false)
            && number_end == end {
                return Ok(Expr { kind: ExprKind::Number(number), span });
            }
        if !word.has_expansion && &self.src[start..end] == "--%" {
            return Err(ParseError::not_supported("The stop-parsing token '--%' is not supported by mapish.", span));
        }
        Ok(word.into_expr(span))
    }

    /// PowerShell's generic token: everything up to whitespace or one of `& ( ) , ; { } |`,
    /// with backtick escapes, glued quoted parts and `$var` / `$( … )` expansions.
    fn scan_generic_word(&mut self) -> PResult<GenericWord> {
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut literal = String::new();
        let mut has_expansion = false;
        while let Some(c) = self.peek() {
            if force_start(Some(c)) {
                break;
            }
            match c {
                '`' => match self.peek2() {
                    // A line continuation, or a backtick ending the input (more input is
                    // expected): leave it for skip_inline.
                    None => break,
                    Some(n) if is_newline(n) => break,
                    Some(n) => {
                        let e = backtick_escape(n);
                        buf.push(e);
                        literal.push(e);
                        self.pos += 1 + n.len_utf8();
                    }
                },
                q if is_single_quote(q) => {
                    let (s, end) = scan_single_quoted(self.src, self.pos)?;
                    buf.push_str(&s);
                    literal.push_str(&s);
                    self.pos = end;
                }
                q if is_double_quote(q) => {
                    let (inner, inner_literal) = self.parse_double_quoted_body()?;
                    literal.push_str(&inner_literal);
                    for part in inner {
                        match part {
                            StringPart::Text(t) => buf.push_str(&t),
                            other => {
                                has_expansion = true;
                                push_text(&mut parts, &std::mem::take(&mut buf));
                                parts.push(other);
                            }
                        }
                    }
                }
                '$' => {
                    let dollar = self.pos;
                    match self.try_dollar()? {
                        Some(part) => {
                            has_expansion = true;
                            literal.push_str(&self.src[dollar..self.pos]);
                            push_text(&mut parts, &std::mem::take(&mut buf));
                            parts.push(part);
                        }
                        None => {
                            buf.push('$');
                            literal.push('$');
                            self.pos += 1;
                        }
                    }
                }
                _ => {
                    buf.push(c);
                    literal.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        push_text(&mut parts, &buf);
        Ok(GenericWord { parts, literal, has_expansion })
    }

    /// A redirection operator at `pos` and its length.
    fn redirection_at(&self, pos: usize) -> Option<(Redir, usize)> {
        let c = self.at(pos)?;
        let n = self.at(pos + 1);
        let n2 = self.at(pos + 2);
        match c {
            '>' => Some(if n == Some('>') { (Redir::Output { append: true }, 2) } else { (Redir::Output { append: false }, 1) }),
            '<' if n != Some('#') => Some((Redir::Input, 1)),
            '1'..='6' | '*' if n == Some('>') => {
                let stdout = c == '1';
                if n2 == Some('>') {
                    Some((if stdout { Redir::Output { append: true } } else { Redir::Unsupported }, 3))
                } else if n2 == Some('&') && matches!(self.at(pos + 3), Some('1' | '2')) {
                    Some((Redir::Unsupported, 4))
                } else {
                    Some((if stdout { Redir::Output { append: false } } else { Redir::Unsupported }, 2))
                }
            }
            _ => None,
        }
    }

    /// `> file` / `>> file` at the current position.
    fn parse_redirection(&mut self, slot: &mut Option<Redirection>) -> PResult<()> {
        let start = self.pos;
        let Some((kind, len)) = self.redirection_at(start) else { return self.unexpected_token(start) };
        let op_end = start + len;
        let op_span = Span::new(start, op_end);
        let append = match kind {
            Redir::Output { append } => append,
            Redir::Unsupported => return Err(ParseError::operator_not_supported(&self.src[start..op_end], op_span)),
            Redir::Input => {
                return Err(ParseError::new(
                    "RedirectionNotSupported",
                    "The '<' operator is reserved for future use.",
                    op_span,
                    false,
                ));
            }
        };
        self.pos = op_end;
        self.skip_inline()?;
        if self.at_argument_end() {
            return Err(ParseError::new(
                "MissingFileSpecification",
                "Missing file specification after redirection operator.",
                Span::new(op_end, op_end),
                false,
            ));
        }
        let target = self.parse_arg_element(false)?;
        let span = Span::new(start, target.span.end);
        if slot.is_some() {
            return Err(ParseError::new(
                "StreamAlreadyRedirected",
                "The output stream for this command is already redirected.",
                span,
                false,
            ));
        }
        *slot = Some(Redirection { append, target, span });
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Expressions
    // -----------------------------------------------------------------------------------------

    /// ExpressionRule: binary operators over array literals. `None` (without consuming
    /// anything) when no expression starts here. With `no_comma`, `,` separates arguments
    /// instead of building arrays (method calls).
    fn parse_expression(&mut self, no_comma: bool) -> PResult<Option<Expr>> {
        let Some(first) = self.parse_array_literal(no_comma)? else { return Ok(None) };
        let mut operands = vec![first];
        let mut operators: Vec<(BinaryOp, u8)> = Vec::new();
        let mut chain = 0;
        loop {
            self.skip_inline()?;
            let Some((op, precedence, len)) = self.binary_operator_at(self.pos)? else { break };
            self.deepen(1)?;
            chain += 1;
            let op_start = self.pos;
            let op_end = op_start + len;
            self.pos = op_end;
            self.skip_newlines()?;
            let Some(rhs) = self.parse_array_literal(no_comma)? else {
                return Err(self.missing(
                    "ExpectedValueExpression",
                    format!("You must provide a value expression following the '{}' operator.", &self.src[op_start..op_end]),
                    op_end,
                ));
            };
            while let Some(&(top, top_precedence)) = operators.last() {
                if top_precedence < precedence {
                    break;
                }
                operators.pop();
                reduce(&mut operands, top);
            }
            operators.push((op, precedence));
            operands.push(rhs);
        }
        while let Some((op, _)) = operators.pop() {
            reduce(&mut operands, op);
        }
        self.tree_depth -= chain;
        Ok(operands.pop())
    }

    /// A binary operator at `pos`: the operator, its precedence and its length. Refused
    /// operators and stray `-parameters` are errors, as in PowerShell.
    fn binary_operator_at(&self, pos: usize) -> PResult<Option<(BinaryOp, u8, usize)>> {
        let Some(c) = self.at(pos) else { return Ok(None) };
        let n = self.at(pos + c.len_utf8());
        Ok(match c {
            d if is_dash(d) => match n {
                Some(l) if l.is_ascii_alphabetic() => {
                    let name = ascii_letters(self.src, pos + d.len_utf8());
                    let len = d.len_utf8() + name.len();
                    let span = Span::new(pos, pos + len);
                    match dash_operator(name) {
                        Some(DashOperator::Binary(op, precedence)) => Some((op, precedence, len)),
                        Some(DashOperator::UnsupportedBinary) => {
                            return Err(ParseError::operator_not_supported(&format!("-{}", name.to_ascii_lowercase()), span));
                        }
                        Some(DashOperator::Not | DashOperator::UnsupportedUnary) => None,
                        None => return Err(ParseError::unexpected_token(&self.src[span.start..span.end], span)),
                    }
                }
                Some('=') => None,
                Some(x) if is_dash(x) => None,
                _ => Some((BinaryOp::Subtract, PREC_ADD, d.len_utf8())),
            },
            '+' if !matches!(n, Some('=' | '+')) => Some((BinaryOp::Add, PREC_ADD, 1)),
            '*' if !matches!(n, Some('=' | '>')) => Some((BinaryOp::Multiply, PREC_MULTIPLY, 1)),
            '/' if n != Some('=') => Some((BinaryOp::Divide, PREC_MULTIPLY, 1)),
            '%' if n != Some('=') => Some((BinaryOp::Modulo, PREC_MULTIPLY, 1)),
            '.' if n == Some('.') => Some((BinaryOp::Range, PREC_RANGE, 2)),
            _ => None,
        })
    }

    /// ArrayLiteralRule: `a, b, c` (the comma binds tighter than binary operators).
    fn parse_array_literal(&mut self, no_comma: bool) -> PResult<Option<Expr>> {
        let Some(first) = self.parse_unary(no_comma)? else { return Ok(None) };
        if no_comma {
            return Ok(Some(first));
        }
        let save = self.pos;
        self.skip_inline()?;
        if self.peek() != Some(',') {
            self.pos = save;
            return Ok(Some(first));
        }
        let mut items = vec![first];
        while self.peek() == Some(',') {
            let comma_end = self.pos + 1;
            self.pos = comma_end;
            self.skip_newlines()?;
            let Some(item) = self.parse_unary(false)? else {
                return Err(self.missing("MissingExpressionAfterToken", "Missing expression after ','.", comma_end));
            };
            items.push(item);
            let save = self.pos;
            self.skip_inline()?;
            if self.peek() != Some(',') {
                self.pos = save;
            }
        }
        let span = Span::new(items[0].span.start, items[items.len() - 1].span.end);
        Ok(Some(Expr { kind: ExprKind::List(items), span }))
    }

    fn parse_unary(&mut self, no_comma: bool) -> PResult<Option<Expr>> {
        self.enter()?;
        let result = self.parse_unary_inner(no_comma);
        self.leave();
        let result = result?;
        if result.is_some() {
            // Postfix `++` / `--`.
            let save = self.pos;
            self.skip_inline()?;
            let c = self.peek();
            let n = self.peek2();
            if c == Some('+') && n == Some('+') {
                return Err(ParseError::operator_not_supported("++", Span::new(self.pos, self.pos + 2)));
            }
            if c.is_some_and(is_dash) && n.is_some_and(is_dash) {
                let end = self.after(self.after(self.pos));
                return Err(ParseError::operator_not_supported("--", Span::new(self.pos, end)));
            }
            self.pos = save;
        }
        Ok(result)
    }

    /// UnaryExpressionRule: `!x`, `-not x`, `-x`, `+x`, `,x`, `[type]x`, or a primary expression.
    fn parse_unary_inner(&mut self, no_comma: bool) -> PResult<Option<Expr>> {
        let start = self.pos;
        let Some(c) = self.peek() else { return Ok(None) };
        let n = self.peek2();
        match c {
            '!' => {
                if n.is_some_and(is_ident_start) {
                    return Ok(None);
                }
                self.unary_operator(UnaryOp::Not, 1, no_comma).map(Some)
            }
            ',' if !no_comma => self.unary_operator(UnaryOp::Comma, 1, no_comma).map(Some),
            '+' => match n {
                Some('+') => Err(ParseError::operator_not_supported("++", Span::new(start, start + 2))),
                Some('=') => Ok(None),
                Some(d) if d.is_ascii_digit() || d == '.' => match scan_number(self.src, start, true) {
                    Some((number, end)) => {
                        self.pos = end;
                        self.postfix(Expr { kind: ExprKind::Number(number), span: Span::new(start, end) }, false).map(Some)
                    }
                    None => self.unary_operator(UnaryOp::Plus, 1, no_comma).map(Some),
                },
                _ => self.unary_operator(UnaryOp::Plus, 1, no_comma).map(Some),
            },
            d if is_dash(d) => {
                let len = d.len_utf8();
                match n {
                    Some(x) if is_dash(x) => {
                        Err(ParseError::operator_not_supported("--", Span::new(start, start + len + x.len_utf8())))
                    }
                    Some('=') => Ok(None),
                    Some(l) if l.is_ascii_alphabetic() => {
                        let name = ascii_letters(self.src, start + len);
                        let span = Span::new(start, start + len + name.len());
                        match dash_operator(name) {
                            Some(DashOperator::Not) => self.unary_operator(UnaryOp::Not, span.end - start, no_comma).map(Some),
                            Some(DashOperator::UnsupportedUnary) => Err(ParseError::operator_not_supported(
                                &format!("-{}", name.to_ascii_lowercase()),
                                span,
                            )),
                            _ if is_unary_operator_name(name) => Err(ParseError::not_supported(
                                format!("The unary '-{}' operator is not supported by mapish.", name.to_ascii_lowercase()),
                                span,
                            )),
                            _ => Ok(None),
                        }
                    }
                    Some(x) if x.is_ascii_digit() || x == '.' => match scan_number(self.src, start, true) {
                        Some((number, end)) => {
                            self.pos = end;
                            self.postfix(Expr { kind: ExprKind::Number(number), span: Span::new(start, end) }, false).map(Some)
                        }
                        None => self.unary_operator(UnaryOp::Negate, len, no_comma).map(Some),
                    },
                    _ => self.unary_operator(UnaryOp::Negate, len, no_comma).map(Some),
                }
            }
            '[' => self.parse_type_prefixed(no_comma).map(Some),
            _ => self.parse_primary(true, false),
        }
    }

    fn unary_operator(&mut self, op: UnaryOp, len: usize, no_comma: bool) -> PResult<Expr> {
        let start = self.pos;
        let op_end = start + len;
        let op_text = self.src[start..op_end].to_string();
        self.pos = op_end;
        self.skip_newlines()?;
        let Some(operand) = self.parse_unary(no_comma)? else {
            return Err(self.missing(
                "MissingExpressionAfterOperator",
                format!("Missing expression after unary operator '{op_text}'."),
                op_end,
            ));
        };
        let span = Span::new(start, operand.span.end);
        Ok(Expr { kind: ExprKind::Unary { op, operand: Box::new(operand) }, span })
    }

    /// `[type]` alone (a type literal), `[type]operand` (a cast) or `[type].Member`.
    fn parse_type_prefixed(&mut self, no_comma: bool) -> PResult<Expr> {
        let start = self.pos;
        let (type_name, end) = self.scan_type_literal(start)?;
        self.pos = end;
        let literal = Expr { kind: ExprKind::TypeLiteral(type_name.clone()), span: Span::new(start, end) };
        match (self.peek(), self.peek2()) {
            (Some(':'), Some(':')) => {
                return Err(ParseError::operator_not_supported("::", Span::new(end, end + 2)));
            }
            (Some('.'), n) if n != Some('.') => return self.postfix(literal, false),
            _ => {}
        }
        let save = self.pos;
        self.skip_inline()?;
        if matches!(self.peek(), None | Some('\n' | '\r' | ',')) {
            self.pos = save;
            return Ok(literal);
        }
        match self.parse_unary(no_comma)? {
            Some(operand) => {
                let span = Span::new(start, operand.span.end);
                Ok(Expr { kind: ExprKind::Cast { type_name, operand: Box::new(operand) }, span })
            }
            None => {
                self.pos = save;
                Ok(literal)
            }
        }
    }

    /// `[Name.Space.Type]`, `[string[]]`, `[System.Collections.Generic.List[string]]` at `start`:
    /// the name as typed and the offset after the closing bracket.
    fn scan_type_literal(&self, start: usize) -> PResult<(String, usize)> {
        let mut i = start + 1;
        while let Some(c) = self.at(i) {
            if !(is_blank(c) || is_newline(c)) {
                break;
            }
            i += c.len_utf8();
        }
        if !self.at(i).is_some_and(is_ident_start) {
            return Err(self.missing("MissingTypename", "Missing type name after '['.", start + 1));
        }
        let name_start = i;
        while let Some(c) = self.at(i) {
            if !(c.is_alphanumeric() || matches!(c, '.' | '`' | '_' | '+' | '#' | '\\')) {
                break;
            }
            i += c.len_utf8();
        }
        let missing_bracket = |at: usize| {
            ParseError::new(
                "EndSquareBracketExpectedAtEndOfAttribute",
                "Missing ] at end of attribute or type literal.",
                Span::new(at, at),
                false,
            )
        };
        // Generic arguments and array ranks: `[string]`, `[]`, `[,]`.
        while self.at(i) == Some('[') {
            let mut depth = 0usize;
            loop {
                match self.at(i) {
                    None => return Err(missing_bracket(i)),
                    Some(c) if is_newline(c) => return Err(missing_bracket(i)),
                    Some('[') => depth += 1,
                    Some(']') => depth -= 1,
                    _ => {}
                }
                i = self.after(i);
                if depth == 0 {
                    break;
                }
            }
        }
        let name_end = i;
        while self.at(i).is_some_and(is_blank) {
            i = self.after(i);
        }
        match self.at(i) {
            Some(']') => Ok((self.src[name_start..name_end].to_string(), i + 1)),
            Some('(') => Err(ParseError::not_supported(
                "Attributes ('[Name(…)]') are not supported by mapish.",
                Span::new(start, i + 1),
            )),
            _ => Err(missing_bracket(i)),
        }
    }

    /// PrimaryExpressionRule: variables, strings, numbers, `( )`, `$( )`, `@( )`, `@{ }`, `{ }`,
    /// then member access, method calls and indexing when `with_member_access`.
    fn parse_primary(&mut self, with_member_access: bool, command_mode: bool) -> PResult<Option<Expr>> {
        let start = self.pos;
        let Some(c) = self.peek() else { return Ok(None) };
        let n = self.peek2();
        let e = match c {
            '$' => match n {
                Some('(') => self.parse_sub_expression()?,
                Some(v) if v == '{' || is_var_start(v) => {
                    let (name, end) = scan_variable(self.src, start)?;
                    self.pos = end;
                    Expr { kind: ExprKind::Variable(name), span: Span::new(start, end) }
                }
                _ => return Ok(None),
            },
            '@' => match n {
                Some('(') => self.parse_array_expression()?,
                Some('{') => self.parse_hashtable()?,
                Some(q) if is_quote(q) => self.parse_here_string()?,
                Some(v) if is_var_start(v) => {
                    let (name, end) = scan_variable(self.src, start)?;
                    return Err(ParseError::new(
                        "SplattingNotPermitted",
                        format!("The splatting operator '@' cannot be used to reference variables in an expression. '@{name}' can be used only as an argument to a command. To reference variables in an expression use '${name}'."),
                        Span::new(start, end),
                        false,
                    ));
                }
                _ => return Err(unrecognized_token(start)),
            },
            q if is_quote(q) => self.parse_string()?,
            '(' => self.parse_paren()?,
            '{' => self.parse_script_block()?,
            d if d.is_ascii_digit() || (d == '.' && n.is_some_and(|x| x.is_ascii_digit())) => {
                match scan_number(self.src, start, !command_mode) {
                    Some((number, end)) => {
                        self.pos = end;
                        Expr { kind: ExprKind::Number(number), span: Span::new(start, end) }
                    }
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        if with_member_access { self.postfix(e, command_mode).map(Some) } else { Ok(Some(e)) }
    }

    /// Member access `.Name`, method calls `.Name(…)` and indexing `[i]` directly attached to `e`.
    fn postfix(&mut self, mut e: Expr, command_mode: bool) -> PResult<Expr> {
        let mut chain = 0;
        loop {
            if matches!(self.peek(), Some('.' | '[' | ':')) {
                self.deepen(1)?;
                chain += 1;
            }
            match self.peek() {
                Some('.') => {
                    let n = self.peek2();
                    if n == Some('.') {
                        break;
                    }
                    if command_mode && (n.is_none() || n.is_some_and(|c| is_blank(c) || is_newline(c))) {
                        break;
                    }
                    let dot_end = self.pos + 1;
                    self.pos = dot_end;
                    if !command_mode {
                        self.skip_inline()?;
                    }
                    let Some(member) = self.parse_member_name()? else {
                        return Err(self.missing(
                            "MissingPropertyName",
                            "Missing property name after reference operator.",
                            dot_end,
                        ));
                    };
                    if self.peek() == Some('(') {
                        e = self.parse_method_call(e, member)?;
                    } else {
                        let span = Span::new(e.span.start, member.span.end);
                        e = Expr { kind: ExprKind::Member { target: Box::new(e), member: Box::new(member) }, span };
                    }
                }
                Some(':') if self.peek2() == Some(':') => {
                    let after = self.at(self.pos + 2);
                    if command_mode && (after.is_none() || after.is_some_and(|c| is_blank(c) || is_newline(c))) {
                        break;
                    }
                    return Err(ParseError::operator_not_supported("::", Span::new(self.pos, self.pos + 2)));
                }
                Some('[') => e = self.parse_index(e)?,
                _ => break,
            }
        }
        self.tree_depth -= chain;
        Ok(e)
    }

    /// The name after `.`: a simple name, a quoted string, a variable or a parenthesised value.
    fn parse_member_name(&mut self) -> PResult<Option<Expr>> {
        let start = self.pos;
        match self.peek() {
            Some(c) if is_ident_start(c) => {
                let mut i = start;
                while let Some(c) = self.at(i) {
                    if !is_ident_follow(c) {
                        break;
                    }
                    i += c.len_utf8();
                }
                self.pos = i;
                Ok(Some(Expr { kind: ExprKind::BareWord(self.src[start..i].to_string()), span: Span::new(start, i) }))
            }
            Some(c) if is_quote(c) || c == '$' || c == '(' || c.is_ascii_digit() => self.parse_primary(false, false),
            _ => Ok(None),
        }
    }

    /// `target.Name(args)` with the current position at `(`.
    fn parse_method_call(&mut self, target: Expr, member: Expr) -> PResult<Expr> {
        let name = match &member.kind {
            ExprKind::BareWord(s) | ExprKind::SingleQuoted(s) => s.clone(),
            ExprKind::DoubleQuoted(parts) if parts.iter().all(|p| matches!(p, StringPart::Text(_))) => parts
                .iter()
                .map(|p| match p {
                    StringPart::Text(t) => t.as_str(),
                    _ => "",
                })
                .collect(),
            _ => {
                return Err(ParseError::not_supported(
                    "Calling a method whose name is computed at run time is not supported by mapish.",
                    member.span,
                ));
            }
        };
        let lparen_end = self.pos + 1;
        self.pos = lparen_end;
        let mut args = Vec::new();
        let mut last_end = lparen_end;
        let mut pending_comma: Option<usize> = None;
        loop {
            self.skip_newlines()?;
            match self.parse_expression(true)? {
                Some(arg) => {
                    last_end = arg.span.end;
                    args.push(arg);
                    self.skip_newlines()?;
                    if self.peek() == Some(',') {
                        let comma_end = self.pos + 1;
                        self.pos = comma_end;
                        pending_comma = Some(comma_end);
                        last_end = comma_end;
                        continue;
                    }
                    break;
                }
                None => {
                    if let Some(comma_end) = pending_comma {
                        return Err(self.missing("MissingExpressionAfterToken", "Missing expression after ','.", comma_end));
                    }
                    break;
                }
            }
        }
        self.skip_newlines()?;
        if self.peek() != Some(')') {
            return Err(self.missing("MissingEndParenthesisInMethodCall", "Missing ')' in method call.", last_end));
        }
        self.pos += 1;
        let span = Span::new(target.span.start, self.pos);
        Ok(Expr { kind: ExprKind::MethodCall { target: Box::new(target), name, args }, span })
    }

    /// `target[index]` with the current position at `[`.
    fn parse_index(&mut self, target: Expr) -> PResult<Expr> {
        let lbracket_end = self.pos + 1;
        self.pos = lbracket_end;
        self.skip_newlines()?;
        let Some(index) = self.parse_expression(false)? else {
            return Err(self.missing(
                "MissingArrayIndexExpression",
                "Array index expression is missing or not valid.",
                lbracket_end,
            ));
        };
        self.skip_newlines()?;
        if self.peek() != Some(']') {
            return Err(self.missing(
                "MissingEndSquareBracket",
                "Missing ']' after array index expression.",
                index.span.end,
            ));
        }
        self.pos += 1;
        let span = Span::new(target.span.start, self.pos);
        Ok(Expr { kind: ExprKind::Index { target: Box::new(target), index: Box::new(index) }, span })
    }

    // -----------------------------------------------------------------------------------------
    // Brackets
    // -----------------------------------------------------------------------------------------

    /// `( pipeline )`
    fn parse_paren(&mut self) -> PResult<Expr> {
        let start = self.pos;
        let lparen_end = start + 1;
        self.pos = lparen_end;
        self.skip_newlines()?;
        if matches!(self.peek(), None | Some(')' | '}' | ';')) {
            return Err(self.missing("ExpectedExpression", "An expression was expected after '('.", lparen_end));
        }
        let statement = self.parse_pipeline_statement()?;
        let pipeline = self.statement_as_pipeline(statement)?;
        self.skip_newlines()?;
        if self.peek() != Some(')') {
            return Err(self.missing(
                "MissingEndParenthesisInExpression",
                "Missing closing ')' in expression.",
                pipeline.span.end,
            ));
        }
        self.pos += 1;
        Ok(Expr { kind: ExprKind::Paren(Box::new(pipeline)), span: Span::new(start, self.pos) })
    }

    /// The statements of `$( … )` or `@( … )` (current position at the sigil), ending after `)`.
    fn parse_sub_expression_body(&mut self) -> PResult<Script> {
        self.enter()?;
        self.pos += 2;
        let body_start = self.pos;
        let statements = self.parse_statement_list()?;
        if self.peek() != Some(')') {
            return Err(ParseError::new(
                "MissingEndParenthesisInSubexpression",
                "Missing closing ')' in subexpression.",
                self.here_span(),
                self.peek().is_none(),
            ));
        }
        let body_end = self.pos;
        self.pos += 1;
        self.leave();
        Ok(Script { statements, span: Span::new(body_start, body_end) })
    }

    fn parse_sub_expression(&mut self) -> PResult<Expr> {
        let start = self.pos;
        let body = self.parse_sub_expression_body()?;
        Ok(Expr { kind: ExprKind::SubExpr(body), span: Span::new(start, self.pos) })
    }

    fn parse_array_expression(&mut self) -> PResult<Expr> {
        let start = self.pos;
        let body = self.parse_sub_expression_body()?;
        Ok(Expr { kind: ExprKind::ArrayExpr(body), span: Span::new(start, self.pos) })
    }

    /// `{ … }`: a script block with its text as typed.
    fn parse_script_block(&mut self) -> PResult<Expr> {
        let (body, span) = self.parse_brace_block()?;
        let text = self.src[body.span.start..body.span.end].to_string();
        Ok(Expr { kind: ExprKind::ScriptBlock(Arc::new(ScriptBlock { body, text })), span })
    }

    /// `@{ key = value; … }`
    fn parse_hashtable(&mut self) -> PResult<Expr> {
        self.enter()?;
        let start = self.pos;
        self.pos += 2;
        let mut last_end = self.pos;
        let mut entries = Vec::new();
        self.skip_newlines()?;
        while let Some(key) = self.parse_hash_key()? {
            self.skip_inline()?;
            if self.peek() != Some('=') {
                return Err(ParseError::new(
                    "MissingEqualsInHashLiteral",
                    "Missing '=' operator after key in hash literal.",
                    Span::new(key.span.end, key.span.end),
                    false,
                ));
            }
            let equals_end = self.pos + 1;
            self.pos = equals_end;
            self.skip_newlines()?;
            if matches!(self.peek(), None | Some(';' | ')' | '}')) {
                return Err(self.missing(
                    "MissingStatementInHashLiteral",
                    "Missing statement after '=' in hash literal.",
                    equals_end,
                ));
            }
            let value = self.parse_statement()?;
            let value = self.statement_as_pipeline(value)?;
            last_end = value.span.end;
            entries.push((key, value));
            self.skip_inline()?;
            match self.peek() {
                Some('\n' | '\r' | ';') => self.skip_newlines_and_semicolons()?,
                _ => break,
            }
        }
        if self.peek() != Some('}') {
            return Err(ParseError::new(
                "IncompleteHashLiteral",
                "The hash literal was incomplete.",
                Span::new(last_end, last_end),
                self.peek().is_none(),
            ));
        }
        self.pos += 1;
        self.leave();
        Ok(Expr { kind: ExprKind::Hashtable(entries), span: Span::new(start, self.pos) })
    }

    /// A hash key: a simple name (a bare word) or a unary expression (`'Name'`, `1`, `$k`).
    fn parse_hash_key(&mut self) -> PResult<Option<Expr>> {
        let start = self.pos;
        match self.peek() {
            None | Some('\n' | '\r' | ';') => Ok(None),
            Some(c) if is_ident_start(c) => {
                let mut i = start;
                while let Some(c) = self.at(i) {
                    if !is_ident_follow(c) {
                        break;
                    }
                    i += c.len_utf8();
                }
                self.pos = i;
                Ok(Some(Expr { kind: ExprKind::BareWord(self.src[start..i].to_string()), span: Span::new(start, i) }))
            }
            _ => self.parse_unary(true),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Strings
    // -----------------------------------------------------------------------------------------

    /// A single- or double-quoted string at the current position.
    fn parse_string(&mut self) -> PResult<Expr> {
        let start = self.pos;
        let c = self.peek().unwrap_or('"');
        if is_single_quote(c) {
            let (value, end) = scan_single_quoted(self.src, start)?;
            self.pos = end;
            return Ok(Expr { kind: ExprKind::SingleQuoted(value), span: Span::new(start, end) });
        }
        let (parts, _) = self.parse_double_quoted_body()?;
        Ok(Expr { kind: ExprKind::DoubleQuoted(parts), span: Span::new(start, self.pos) })
    }

    /// The inside of `"…"` at the current opening quote: the parts, and the literal value with
    /// expansions kept as typed. Leaves the position after the closing quote.
    fn parse_double_quoted_body(&mut self) -> PResult<(Vec<StringPart>, String)> {
        let start = self.pos;
        let open = self.peek().map_or(1, char::len_utf8);
        self.pos += open;
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut literal = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(ParseError::new(
                    "TerminatorExpectedAtEndOfString",
                    "The string is missing the terminator: \".",
                    Span::new(start, self.src.len()),
                    true,
                ));
            };
            if is_double_quote(c) {
                self.pos += c.len_utf8();
                match self.peek() {
                    Some(d) if is_double_quote(d) => {
                        buf.push(d);
                        literal.push(d);
                        self.pos += d.len_utf8();
                        continue;
                    }
                    _ => break,
                }
            }
            match c {
                '`' => match self.peek2() {
                    None => {
                        buf.push('`');
                        literal.push('`');
                        self.pos += 1;
                    }
                    Some(n) => {
                        let e = backtick_escape(n);
                        buf.push(e);
                        literal.push(e);
                        self.pos += 1 + n.len_utf8();
                    }
                },
                '$' => {
                    let dollar = self.pos;
                    match self.try_dollar()? {
                        Some(part) => {
                            literal.push_str(&self.src[dollar..self.pos]);
                            push_text(&mut parts, &std::mem::take(&mut buf));
                            parts.push(part);
                        }
                        None => {
                            buf.push('$');
                            literal.push('$');
                            self.pos += 1;
                        }
                    }
                }
                _ => {
                    buf.push(c);
                    literal.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        push_text(&mut parts, &buf);
        Ok((parts, literal))
    }

    /// An expansion at a `$` inside an expandable string: `$name`, `${name}` or `$( … )`.
    /// `None` (nothing consumed) when the `$` is literal.
    fn try_dollar(&mut self) -> PResult<Option<StringPart>> {
        let start = self.pos;
        match self.peek2() {
            Some('(') => {
                let body = self.parse_sub_expression_body()?;
                Ok(Some(StringPart::SubExpr(body)))
            }
            Some(v) if v == '{' || is_var_start(v) => {
                let (name, end) = scan_variable(self.src, start)?;
                self.pos = end;
                Ok(Some(StringPart::Variable { name, span: Span::new(start, end) }))
            }
            _ => Ok(None),
        }
    }

    /// `@" … "@` or `@' … '@` at the current `@`.
    fn parse_here_string(&mut self) -> PResult<Expr> {
        let start = self.pos;
        let quote = self.peek2().unwrap_or('"');
        let expandable = is_double_quote(quote);
        let terminator = if expandable { "\"@" } else { "'@" };
        let missing_terminator = |src: &str| {
            ParseError::new(
                "TerminatorExpectedAtEndOfString",
                format!("The string is missing the terminator: {terminator}."),
                Span::new(start, src.len()),
                true,
            )
        };
        let mut i = start + 1 + quote.len_utf8();
        while self.at(i).is_some_and(is_blank) {
            i = self.after(i);
        }
        match self.at(i) {
            None => return Err(missing_terminator(self.src)),
            Some('\r') => {
                i += 1;
                if self.at(i) == Some('\n') {
                    i += 1;
                }
            }
            Some('\n') => i += 1,
            Some(_) => {
                return Err(ParseError::new(
                    "UnexpectedCharactersAfterHereStringHeader",
                    "No characters are allowed after a here-string header but before the end of the line.",
                    Span::new(i, i),
                    false,
                ));
            }
        }
        self.pos = i;
        let closes = |c: char| if expandable { is_double_quote(c) } else { is_single_quote(c) };
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut false_footer: Option<usize> = None;
        if !self.here_string_footer(&closes, &mut false_footer) {
            loop {
                let Some(c) = self.peek() else {
                    return Err(match false_footer {
                        Some(at) => ParseError::new(
                            "WhitespaceBeforeHereStringFooter",
                            "White space is not allowed before the string terminator.",
                            Span::new(at, at),
                            true,
                        ),
                        None => missing_terminator(self.src),
                    });
                };
                match c {
                    '\r' | '\n' => {
                        let keep = buf.len();
                        buf.push(c);
                        self.pos += 1;
                        if c == '\r' && self.peek() == Some('\n') {
                            buf.push('\n');
                            self.pos += 1;
                        }
                        if self.here_string_footer(&closes, &mut false_footer) {
                            buf.truncate(keep);
                            break;
                        }
                    }
                    '$' if expandable => match self.try_dollar()? {
                        Some(part) => {
                            push_text(&mut parts, &std::mem::take(&mut buf));
                            parts.push(part);
                        }
                        None => {
                            buf.push('$');
                            self.pos += 1;
                        }
                    },
                    '`' if expandable => match self.peek2() {
                        None => {
                            buf.push('`');
                            self.pos += 1;
                        }
                        Some(n) => {
                            buf.push(backtick_escape(n));
                            self.pos += 1 + n.len_utf8();
                        }
                    },
                    _ => {
                        buf.push(c);
                        self.pos += c.len_utf8();
                    }
                }
            }
        }
        let span = Span::new(start, self.pos);
        if expandable {
            push_text(&mut parts, &buf);
            Ok(Expr { kind: ExprKind::DoubleQuoted(parts), span })
        } else {
            Ok(Expr { kind: ExprKind::SingleQuoted(buf), span })
        }
    }

    /// At the start of a here-string line: consumes the footer (`"@` / `'@`) if it is there.
    /// Remembers a footer preceded by whitespace, for a better error message.
    fn here_string_footer(&mut self, closes: &dyn Fn(char) -> bool, false_footer: &mut Option<usize>) -> bool {
        let p = self.pos;
        if let Some(c) = self.at(p)
            && closes(c) && self.at(p + c.len_utf8()) == Some('@') {
                self.pos = p + c.len_utf8() + 1;
                return true;
            }
        let mut i = p;
        while self.at(i).is_some_and(is_blank) {
            i = self.after(i);
        }
        if i > p && false_footer.is_none()
            && let Some(c) = self.at(i)
                && closes(c) && self.at(i + c.len_utf8()) == Some('@') {
                    *false_footer = Some(i);
                }
        false
    }
}

/// Pops two operands and pushes `lhs op rhs`.
fn reduce(operands: &mut Vec<Expr>, op: BinaryOp) {
    let (Some(rhs), Some(lhs)) = (operands.pop(), operands.pop()) else { return };
    let span = Span::new(lhs.span.start, rhs.span.end);
    operands.push(Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span });
}

fn unrecognized_token(at: usize) -> ParseError {
    ParseError::new("UnrecognizedToken", "Unrecognized token in source text.", Span::new(at, at + 1), false)
}

#[cfg(test)]
mod tests {
    //! Table-driven tests. Trees are compared through a compact, unambiguous rendering:
    //! `<word>` bare word, `'s'` single-quoted, `"…"` double-quoted (`${x}` / `$(…)` parts),
    //! `$x` variable, `[a, b]` list, `(op lhs rhs)` binary, `(not x)` unary, `-Name` / `-Name:v`
    //! parameters, `name args…` commands, ` | ` between pipeline elements.

    use super::super::ast::*;
    use super::parse;

    fn number(n: &Number) -> String {
        match n {
            Number::Int(i) => i.to_string(),
            Number::Float(f) => format!("{f:?}f"),
        }
    }

    fn binary(op: &BinaryOp) -> String {
        match op {
            BinaryOp::Add => "add".into(),
            BinaryOp::Subtract => "sub".into(),
            BinaryOp::Multiply => "mul".into(),
            BinaryOp::Divide => "div".into(),
            BinaryOp::Modulo => "mod".into(),
            BinaryOp::And => "and".into(),
            BinaryOp::Or => "or".into(),
            BinaryOp::Xor => "xor".into(),
            BinaryOp::Compare { op, case_sensitive } => {
                format!("{}{:?}", if *case_sensitive { "c" } else { "" }, op).to_lowercase()
            }
            BinaryOp::Range => "range".into(),
            BinaryOp::Format => "f".into(),
            BinaryOp::Join => "join".into(),
            BinaryOp::Split { case_sensitive } => if *case_sensitive { "csplit" } else { "split" }.into(),
            BinaryOp::Replace { case_sensitive } => if *case_sensitive { "creplace" } else { "replace" }.into(),
            BinaryOp::Is => "is".into(),
            BinaryOp::IsNot => "isnot".into(),
        }
    }

    pub(super) fn expr(e: &Expr) -> String {
        match &e.kind {
            ExprKind::BareWord(w) => format!("<{w}>"),
            ExprKind::SingleQuoted(s) => format!("'{s}'"),
            ExprKind::DoubleQuoted(parts) => {
                let mut out = String::from("\"");
                for p in parts {
                    match p {
                        StringPart::Text(t) => out.push_str(t),
                        StringPart::Variable { name, .. } => out.push_str(&format!("${{{name}}}")),
                        StringPart::SubExpr(s) => out.push_str(&format!("$({})", script(s))),
                    }
                }
                out.push('"');
                out
            }
            ExprKind::Number(n) => number(n),
            ExprKind::Variable(v) => format!("${v}"),
            ExprKind::List(items) => format!("[{}]", items.iter().map(expr).collect::<Vec<_>>().join(", ")),
            ExprKind::ArrayExpr(s) => format!("@({})", script(s)),
            ExprKind::SubExpr(s) => format!("$({})", script(s)),
            ExprKind::Paren(p) => format!("({})", pipeline(p)),
            ExprKind::Hashtable(entries) => format!(
                "@{{{}}}",
                entries.iter().map(|(k, v)| format!("{}={}", expr(k), pipeline(v))).collect::<Vec<_>>().join("; ")
            ),
            ExprKind::ScriptBlock(b) => format!("{{{}}}", script(&b.body)),
            ExprKind::Member { target, member } => format!("{}.{}", expr(target), expr(member)),
            ExprKind::Index { target, index } => format!("{}[{}]", expr(target), expr(index)),
            ExprKind::MethodCall { target, name, args } => {
                format!("{}.{}({})", expr(target), name, args.iter().map(expr).collect::<Vec<_>>().join(", "))
            }
            ExprKind::Cast { type_name, operand } => format!("[{type_name}]{}", expr(operand)),
            ExprKind::TypeLiteral(t) => format!("[{t}]"),
            ExprKind::Splat(s) => format!("@{s}"),
            ExprKind::Unary { op, operand } => {
                let op = match op {
                    UnaryOp::Not => "not",
                    UnaryOp::Negate => "neg",
                    UnaryOp::Plus => "plus",
                    UnaryOp::Comma => ",",
                };
                format!("({op} {})", expr(operand))
            }
            ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", binary(op), expr(lhs), expr(rhs)),
            ExprKind::Assign { target, op, value } => {
                let op = match op {
                    AssignOp::Assign => "=",
                    AssignOp::Add => "+=",
                    AssignOp::Subtract => "-=",
                };
                format!("({} {op} {})", expr(target), pipeline(value))
            }
        }
    }

    fn arg(a: &CommandArg) -> String {
        match a {
            CommandArg::Parameter { name, value: None, .. } => format!("-{name}"),
            CommandArg::Parameter { name, value: Some(v), .. } => format!("-{name}:{}", expr(v)),
            CommandArg::Value(v) => expr(v),
        }
    }

    fn pipeline(p: &Pipeline) -> String {
        let mut out = p
            .elements
            .iter()
            .map(|e| match e {
                PipelineElement::Command(c) => {
                    let mut s = c.name.clone();
                    for a in &c.args {
                        s.push(' ');
                        s.push_str(&arg(a));
                    }
                    s
                }
                PipelineElement::Expression(x) => expr(x),
            })
            .collect::<Vec<_>>()
            .join(" | ");
        if let Some(r) = &p.redirection {
            out.push_str(if r.append { " >> " } else { " > " });
            out.push_str(&expr(&r.target));
        }
        out
    }

    fn statement(s: &Statement) -> String {
        match s {
            Statement::Pipeline(p) => pipeline(p),
            Statement::Assignment { target, op, value, .. } => {
                let op = match op {
                    AssignOp::Assign => "=",
                    AssignOp::Add => "+=",
                    AssignOp::Subtract => "-=",
                };
                format!("{} {op} {}", expr(target), pipeline(value))
            }
            Statement::If { clauses, else_body, .. } => {
                let mut out = String::new();
                for (i, (c, b)) in clauses.iter().enumerate() {
                    out.push_str(if i == 0 { "if (" } else { " elseif (" });
                    out.push_str(&pipeline(c));
                    out.push_str(&format!(") {{{}}}", script(b)));
                }
                if let Some(b) = else_body {
                    out.push_str(&format!(" else {{{}}}", script(b)));
                }
                out
            }
            Statement::Foreach { variable, iterable, body, .. } => {
                format!("foreach (${variable} in {}) {{{}}}", pipeline(iterable), script(body))
            }
        }
    }

    pub(super) fn script(s: &Script) -> String {
        s.statements.iter().map(statement).collect::<Vec<_>>().join("; ")
    }

    fn render(src: &str) -> String {
        match parse(src) {
            Ok(s) => {
                check_spans(src, &s);
                script(&s)
            }
            Err(e) => panic!("{src:?} failed to parse: {e:?}"),
        }
    }

    // --- span sanity: every span is inside the source, on char boundaries, and nested ---------

    fn check_span(src: &str, span: Span, outer: Span) {
        assert!(span.start <= span.end && span.end <= src.len(), "span {span:?} out of range in {src:?}");
        assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end), "{span:?} not on a boundary in {src:?}");
        assert!(outer.start <= span.start && span.end <= outer.end, "{span:?} not inside {outer:?} in {src:?}");
    }

    fn check_expr(src: &str, e: &Expr, outer: Span) {
        check_span(src, e.span, outer);
        let o = e.span;
        match &e.kind {
            ExprKind::DoubleQuoted(parts) => {
                for p in parts {
                    match p {
                        StringPart::Variable { span, .. } => check_span(src, *span, o),
                        StringPart::SubExpr(s) => check_script(src, s, o),
                        StringPart::Text(_) => {}
                    }
                }
            }
            ExprKind::List(items) => items.iter().for_each(|i| check_expr(src, i, o)),
            ExprKind::ArrayExpr(s) | ExprKind::SubExpr(s) => check_script(src, s, o),
            ExprKind::Paren(p) => check_pipeline(src, p, o),
            ExprKind::Hashtable(entries) => {
                for (k, v) in entries {
                    check_expr(src, k, o);
                    check_pipeline(src, v, o);
                }
            }
            ExprKind::ScriptBlock(b) => {
                check_script(src, &b.body, o);
                assert_eq!(&src[b.body.span.start..b.body.span.end], b.text);
            }
            ExprKind::Member { target, member } => {
                check_expr(src, target, o);
                check_expr(src, member, o);
            }
            ExprKind::Index { target, index } => {
                check_expr(src, target, o);
                check_expr(src, index, o);
            }
            ExprKind::MethodCall { target, args, .. } => {
                check_expr(src, target, o);
                args.iter().for_each(|a| check_expr(src, a, o));
            }
            ExprKind::Cast { operand, .. } | ExprKind::Unary { operand, .. } => check_expr(src, operand, o),
            ExprKind::Binary { lhs, rhs, .. } => {
                check_expr(src, lhs, o);
                check_expr(src, rhs, o);
            }
            ExprKind::Assign { target, value, .. } => {
                check_expr(src, target, o);
                check_pipeline(src, value, o);
            }
            _ => {}
        }
    }

    fn check_pipeline(src: &str, p: &Pipeline, outer: Span) {
        check_span(src, p.span, outer);
        for e in &p.elements {
            match e {
                PipelineElement::Command(c) => {
                    check_span(src, c.span, p.span);
                    check_span(src, c.name_span, c.span);
                    for a in &c.args {
                        match a {
                            CommandArg::Parameter { span, value, .. } => {
                                check_span(src, *span, c.span);
                                if let Some(v) = value {
                                    check_expr(src, v, *span);
                                }
                            }
                            CommandArg::Value(v) => check_expr(src, v, c.span),
                        }
                    }
                }
                PipelineElement::Expression(x) => check_expr(src, x, p.span),
            }
        }
        if let Some(r) = &p.redirection {
            check_span(src, r.span, p.span);
            check_expr(src, &r.target, r.span);
        }
    }

    fn check_script(src: &str, s: &Script, outer: Span) {
        check_span(src, s.span, outer);
        for st in &s.statements {
            match st {
                Statement::Pipeline(p) => check_pipeline(src, p, s.span),
                Statement::Assignment { target, value, span, .. } => {
                    check_span(src, *span, s.span);
                    check_expr(src, target, *span);
                    check_pipeline(src, value, *span);
                }
                Statement::If { clauses, else_body, span } => {
                    check_span(src, *span, s.span);
                    for (c, b) in clauses {
                        check_pipeline(src, c, *span);
                        check_script(src, b, *span);
                    }
                    if let Some(b) = else_body {
                        check_script(src, b, *span);
                    }
                }
                Statement::Foreach { iterable, body, span, variable_span, .. } => {
                    check_span(src, *span, s.span);
                    check_span(src, *variable_span, *span);
                    check_pipeline(src, iterable, *span);
                    check_script(src, body, *span);
                }
            }
        }
    }

    pub(super) fn check_spans(src: &str, s: &Script) {
        check_script(src, s, Span::new(0, src.len()));
    }

    // --- the shapes --------------------------------------------------------------------------

    const CASES: &[(&str, &str)] = &[
        // The seed article, as printed.
        ("Get-CASMailbox | ft Name, MapiEnabled -AutoSize", "Get-CASMailbox | ft [<Name>, <MapiEnabled>] -AutoSize"),
        ("Set-CasMailbox User -MAPIEnabled $False", "Set-CasMailbox <User> -MAPIEnabled $False"),
        ("Set-CasMailbox User -MAPIEnabled $True", "Set-CasMailbox <User> -MAPIEnabled $True"),
        ("Get-MapiVirtualDirectory -servername", "Get-MapiVirtualDirectory -servername"),
        (
            "Set-MapiVirtualDirectory -Identity \"mapi (Default Web Site)\" -InternalUrl -ExternalUrl -IISAuthenticationMethods Negotiate",
            "Set-MapiVirtualDirectory -Identity \"mapi (Default Web Site)\" -InternalUrl -ExternalUrl -IISAuthenticationMethods <Negotiate>",
        ),
        ("Set-OrganizationConfig -MapiHttpEnabled $true", "Set-OrganizationConfig -MapiHttpEnabled $true"),
        ("Get-OrganizationConfig | fl Name, MapiHttpEnabled", "Get-OrganizationConfig | fl [<Name>, <MapiHttpEnabled>]"),
        (
            "Test-OutlookConnectivity -RunFromServerId Server -ProbeIdentity OutlookMapiHttpSelfTestProbe",
            "Test-OutlookConnectivity -RunFromServerId <Server> -ProbeIdentity <OutlookMapiHttpSelfTestProbe>",
        ),
        // The brief's lines.
        (
            "Set-MapiVirtualDirectory -Identity \"mapi (Default Web Site)\" -InternalUrl https://mail.contoso.com/mapi -ExternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Negotiate",
            "Set-MapiVirtualDirectory -Identity \"mapi (Default Web Site)\" -InternalUrl <https://mail.contoso.com/mapi> -ExternalUrl <https://mail.contoso.com/mapi> -IISAuthenticationMethods <Negotiate>",
        ),
        ("Get-MapiVirtualDirectory | fl server,*url*,*auth*", "Get-MapiVirtualDirectory | fl [<server>, <*url*>, <*auth*>]"),
        ("Get-MapiVirtualDirectory ContosoMai\\mapi* | Format-List", "Get-MapiVirtualDirectory <ContosoMai\\mapi*> | Format-List"),
        (
            "Remove-MapiVirtualDirectory \"EX01\\mapi (Default Web Site)\" -Confirm:$false",
            "Remove-MapiVirtualDirectory \"EX01\\mapi (Default Web Site)\" -Confirm:$false",
        ),
        (
            "Set-MapiVirtualDirectory -Identity \"ContosoMail\\mapi (Default Web Site)\" -InternalUrl https://contoso.com/mapi -IISAuthenticationMethods NTLM,Negotiate,OAuth",
            "Set-MapiVirtualDirectory -Identity \"ContosoMail\\mapi (Default Web Site)\" -InternalUrl <https://contoso.com/mapi> -IISAuthenticationMethods [<NTLM>, <Negotiate>, <OAuth>]",
        ),
        (
            "Get-CasMailbox -ResultSize unlimited -Filter \"MAPIEnabled -eq `$false\"",
            "Get-CasMailbox -ResultSize <unlimited> -Filter \"MAPIEnabled -eq $false\"",
        ),
        (
            "Get-CASMailbox | Where-Object {$_.MapiEnabled -eq $false} | Set-CASMailbox -MAPIEnabled $true",
            "Get-CASMailbox | Where-Object {(eq $_.<MapiEnabled> $false)} | Set-CASMailbox -MAPIEnabled $true",
        ),
        ("Get-CASMailbox | ? MapiEnabled -eq $false", "Get-CASMailbox | ? <MapiEnabled> -eq $false"),
        (
            "Get-CASMailbox | % { Set-CASMailbox $_.Identity -MAPIEnabled $true }",
            "Get-CASMailbox | % {Set-CASMailbox $_.<Identity> -MAPIEnabled $true}",
        ),
        (
            "Get-CASMailbox | Select-Object Name, @{n='Http';e={$_.MapiHttpEnabled}}",
            "Get-CASMailbox | Select-Object [<Name>, @{<n>='Http'; <e>={$_.<MapiHttpEnabled>}}]",
        ),
        (
            "Set-CASMailbox alice -EmailAddresses @{Add=\"smtp:a@x.com\",\"smtp:b@x.com\"; Remove=\"smtp:c@x.com\"}",
            "Set-CASMailbox <alice> -EmailAddresses @{<Add>=[\"smtp:a@x.com\", \"smtp:b@x.com\"]; <Remove>=\"smtp:c@x.com\"}",
        ),
        ("$m = Get-CASMailbox alice; $m.MapiEnabled", "$m = Get-CASMailbox <alice>; $m.<MapiEnabled>"),
        ("\"Name: $($m.Name) and $env:USER\"", "\"Name: $($m.<Name>) and ${env:USER}\""),
        (
            "if ($a -eq 1) { 'one' } elseif ($a -gt 1) { 'many' } else { 'none' }",
            "if ((eq $a 1)) {'one'} elseif ((gt $a 1)) {'many'} else {'none'}",
        ),
        ("foreach ($m in Get-CASMailbox) { $m.Name }", "foreach ($m in Get-CASMailbox) {$m.<Name>}"),
        ("1,2 + 3", "(add [1, 2] 3)"),
        ("-not $true -eq $false", "(eq (not $true) $false)"),
        ("Get-CASMailbox > out.txt", "Get-CASMailbox > <out.txt>"),
        ("Get-CASMailbox >> out.txt", "Get-CASMailbox >> <out.txt>"),
        ("$x > 'a b.txt'", "$x > 'a b.txt'"),
        (
            "New-Object System.Management.Automation.PSCredential('user@contoso.com', (ConvertTo-SecureString 'pw' -AsPlainText -Force))",
            "New-Object <System.Management.Automation.PSCredential> (['user@contoso.com', (ConvertTo-SecureString 'pw' -AsPlainText -Force)])",
        ),
        ("Set-CASMailbox -?", "Set-CASMailbox -?"),
        ("[int]'5' + 1", "(add [int]'5' 1)"),
        // Argument mode.
        ("Get-X -Identity:\"x y\"", "Get-X -Identity:\"x y\""),
        ("Get-X -Name: value", "Get-X -Name:<value>"),
        ("Get-X -A:NTLM,Negotiate", "Get-X -A:[<NTLM>, <Negotiate>]"),
        ("Get-X 42 1.5 0x1F 10kb -5 .5 15.0.4569 '-11.8010.8036'", "Get-X 42 1.5f 31 10240 -5 0.5f <15.0.4569> '-11.8010.8036'"),
        ("Get-X -11.8010.8036 1..5 5abc", "Get-X <-11.8010.8036> <1..5> <5abc>"),
        ("Get-X user@contoso.com EX01\\mapi* a=b x:y [abc] ]", "Get-X <user@contoso.com> <EX01\\mapi*> <a=b> <x:y> <[abc]> <]>"),
        ("Get-X \"a\",\"b\" 'c', 'd'", "Get-X [\"a\", \"b\"] ['c', 'd']"),
        ("Get-X a,\n  b", "Get-X [<a>, <b>]"),
        ("Get-X $x.Prop $x[0] (Get-Y).Name $x.Method(1, 'a') @splat", "Get-X $x.<Prop> $x[0] (Get-Y).<Name> $x.Method(1, 'a') @splat"),
        ("Get-X $x-y abc$x \"a\"b a\"b c\" `$x a` b", "Get-X \"${x}-y\" \"abc${x}\" \"a\" <b> <ab c> <$x> <a b>"),
        ("Get-X $(1) @(2) @{} {3}", "Get-X $(1) @(2) @{} {3}"),
        ("Get-X $x. foo", "Get-X $x <.> <foo>"),
        ("Get-X -a-b -_x --y -", "Get-X -a-b -_x <--y> <->"),
        ("Get-X –Confirm:$false —Force", "Get-X -Confirm:$false -Force"),
        ("Get-X ‘smart’ “quotes $x”", "Get-X 'smart' \"quotes ${x}\""),
        ("Get-X -Name\"x\"", "Get-X <-Namex>"),
        ("Get-X a#b # comment", "Get-X <a#b>"),
        ("Get-X -Name:$a,$b $c,$d -1 - 1 (1)(2) ((Get-Y))", "Get-X -Name:[$a, $b] [$c, $d] -1 <-> 1 (1) (2) ((Get-Y))"),
        ("Get-X @{a=1}.Count \"a\".Length $x.y.z", "Get-X @{<a>=1}.<Count> \"a\".<Length> $x.<y>.<z>"),
        ("Get-X -Credential (Get-Credential) -Name(Get-Y)", "Get-X -Credential (Get-Credential) -Name (Get-Y)"),
        ("Get-CASMailbox | ft Name,@{l='Size';e={$_.Size}} -AutoSize", "Get-CASMailbox | ft [<Name>, @{<l>='Size'; <e>={$_.<Size>}}] -AutoSize"),
        ("Get-X | Export-Csv c:\\temp\\x.csv -NoTypeInformation", "Get-X | Export-Csv <c:\\temp\\x.csv> -NoTypeInformation"),
        ("Get-X | Where-Object MapiHttpEnabled -eq $null | select -First 5", "Get-X | Where-Object <MapiHttpEnabled> -eq $null | select -First 5"),
        (
            "Get-User -Filter \"RecipientType -eq 'UserMailbox' -and Department -like 'Engineering*'\" | Set-CasMailbox -MAPIEnabled $false",
            "Get-User -Filter \"RecipientType -eq 'UserMailbox' -and Department -like 'Engineering*'\" | Set-CasMailbox -MAPIEnabled $false",
        ),
        ("Set-CASMailbox -Identity \"Tony Smith\" -MapiHttpEnabled $null", "Set-CASMailbox -Identity \"Tony Smith\" -MapiHttpEnabled $null"),
        // Command names.
        ("where Name -like 'a*'", "where <Name> -like 'a*'"),
        ("exit", "exit"),
        ("%{ $_ }", "% {$_}"),
        ("Get-X|Sort Name|Select -First 1", "Get-X | Sort <Name> | Select -First 1"),
        ("1 | foreach { $_ }", "1 | foreach {$_}"),
        ("1 | if", "1 | if"),
        ("else { 1 }", "else {1}"),
        ("(if ($a) { 1 })", "(if ($a) {1})"),
        (".\\script.ps1 -x", ".\\script.ps1 -x"),
        // Expressions.
        ("$x", "$x"),
        ("${a b}", "$a b"),
        ("$_ ; $$ ; $? ; $^ ; $global:x ; $env:PATH", "$_; $$; $?; $^; $global:x; $env:PATH"),
        ("1 + 2 * 3 - 4 / 2 % 3", "(sub (add 1 (mul 2 3)) (mod (div 4 2) 3))"),
        ("1 - 2 - 3", "(sub (sub 1 2) 3)"),
        ("$a -and $b -or $c", "(or (and $a $b) $c)"),
        ("$a -eq 1 -and $b -ne 2", "(and (eq $a 1) (ne $b 2))"),
        ("'{0}' -f 1 + 2", "(add (f '{0}' 1) 2)"),
        ("1..3 + 1", "(add (range 1 3) 1)"),
        ("-1..3", "(range -1 3)"),
        ("- $x", "(neg $x)"),
        ("-$x * 2", "(mul (neg $x) 2)"),
        ("+5", "5"),
        ("!$a -and $b", "(and (not $a) $b)"),
        (", 1", "(, 1)"),
        ("1, 2, 3", "[1, 2, 3]"),
        ("1,\n2", "[1, 2]"),
        ("-not $a, $b", "[(not $a), $b]"),
        ("$a -CEQ 'x' -ilike 'y*' -notmatch 'z'", "(notmatch (like (ceq $a 'x') 'y*') 'z')"),
        ("$a -in 1,2 -xor $b -notin 3", "(xor (in $a [1, 2]) (notin $b 3))"),
        ("$a -contains 1 -or $a -cnotcontains 2", "(or (contains $a 1) (cnotcontains $a 2))"),
        ("$s -replace 'a','b' -split ',' -join ';'", "(join (split (replace $s ['a', 'b']) ',') ';')"),
        ("$s -creplace 'a' -csplit 'b' -isplit 'c'", "(split (csplit (creplace $s 'a') 'b') 'c')"),
        ("$x -is [int] -and $y -isnot [string]", "(and (is $x [int]) (isnot $y [string]))"),
        ("$x -eq\n  1", "(eq $x 1)"),
        ("[int]$x", "[int]$x"),
        ("[int] $x", "[int]$x"),
        ("[string[]]$a", "[string[]]$a"),
        ("[System.Collections.Generic.List[string]]", "[System.Collections.Generic.List[string]]"),
        ("[System.Management.Automation.PSCredential]", "[System.Management.Automation.PSCredential]"),
        ("[int].Name", "[int].<Name>"),
        ("[int]", "[int]"),
        ("([int])", "([int])"),
        ("[string][int]'5'", "[string][int]'5'"),
        ("$a.b.c[0].d", "$a.<b>.<c>[0].<d>"),
        ("$a.'b c'.$n.(\"x\")", "$a.'b c'.$n.(\"x\")"),
        ("$a.ToUpper().Trim()", "$a.ToUpper().Trim()"),
        ("$a.Replace('a', 'b')", "$a.Replace('a', 'b')"),
        ("$a.Split(\n ',' ,\n 2)", "$a.Split(',', 2)"),
        ("$a[0, 1]", "$a[[0, 1]]"),
        ("$a[-1]", "$a[-1]"),
        ("$a[$i + 1]", "$a[(add $i 1)]"),
        ("'a'.Length", "'a'.<Length>"),
        ("(1).GetType()", "(1).GetType()"),
        ("@(1, 2).Count", "@([1, 2]).<Count>"),
        ("@()", "@()"),
        ("$( )", "$()"),
        ("$(Get-X; 1)", "$(Get-X; 1)"),
        ("@{}", "@{}"),
        ("@{ a = 1\n b = 2 }", "@{<a>=1; <b>=2}"),
        ("@{\n  'x y' = 1;\n  2 = Get-X a\n  $k = $v\n}", "@{'x y'=1; 2=Get-X <a>; $k=$v}"),
        ("@{a=1;;b=2;}", "@{<a>=1; <b>=2}"),
        ("{ }", "{}"),
        ("{ Get-X param }", "{Get-X <param>}"),
        ("0x10 + 0xFFFFFFFF + 1kb + 1.5mb + 2GB + 1TB + 1PB", "(add (add (add (add (add (add 16 -1) 1024) 1572864.0f) 2147483648) 1099511627776) 1125899906842624)"),
        ("1e3 + 1.5e-2 + 10l + 2d", "(add (add (add 1000.0f 0.015f) 10) 2.0f)"),
        ("9223372036854775807 + 99999999999999999999", "(add 9223372036854775807 1e20f)"),
        ("$FormatEnumerationLimit = -1", "$FormatEnumerationLimit = -1"),
        ("1..5 | % { $_ * 2 }", "(range 1 5) | % {(mul $_ 2)}"),
        ("@('a','b') | % { $_ }", "@(['a', 'b']) | % {$_}"),
        ("$h = @{Name='x'}; $h['Name']", "$h = @{<Name>='x'}; $h['Name']"),
        ("-not($a) -and -not $b -or !($c)", "(or (and (not ($a)) (not $b)) (not ($c)))"),
        ("$a -eq -1 -or $a -ne $null", "(or (eq $a -1) (ne $a $null))"),
        ("$a-eq$b", "(eq $a $b)"),
        ("$x-1", "(sub $x 1)"),
        ("5 -3", "(sub 5 3)"),
        ("@(1,2,3) -contains 2", "(contains @([1, 2, 3]) 2)"),
        ("$null = Get-X", "$null = Get-X"),
        ("$x = (Get-X).Count", "$x = (Get-X).<Count>"),
        ("$a = \"x\" + $b", "$a = (add \"x\" $b)"),
        ("\"$x's ${x}s $_.Name C:\\Users\\$env:USERNAME\\Desktop 100% $count.\"", "\"${x}'s ${x}s ${_}.Name C:\\Users\\${env:USERNAME}\\Desktop 100% ${count}.\""),
        // Strings.
        ("'it''s'", "'it's'"),
        ("'multi\nline'", "'multi\nline'"),
        ("\"a `\"b`\" \"\"c\"\" `$d `` `t`n`0\"", "\"a \"b\" \"c\" $d ` \t\n\0\""),
        ("\"$a.b $a[0] ${a}b $(1+1) $ x $ 5$\"", "\"${a}.b ${a}[0] ${a}b $((add 1 1)) $ x $ 5$\""),
        ("\"cost: `$5 and 5$\"", "\"cost: $5 and 5$\""),
        ("\"$env:USER@$env:COMPUTERNAME\"", "\"${env:USER}@${env:COMPUTERNAME}\""),
        ("\"\"", "\"\""),
        ("\"a $(\"b $(\"c\")\") d\"", "\"a $(\"b $(\"c\")\") d\""),
        ("\"x $(')') y\"", "\"x $(')') y\""),
        ("@'\nline 1\n  '@ not end\nline 3\n'@", "'line 1\n  '@ not end\nline 3'"),
        ("@\"\nhi $name`t!\n\"@", "\"hi ${name}\t!\""),
        ("@\"\n\"@", "\"\""),
        ("@'  \r\nwin\r\n'@", "'win'"),
        ("Get-X @'\na\n'@ -B", "Get-X 'a' -B"),
        // Assignments.
        ("$x = 1", "$x = 1"),
        ("$x += 'a'", "$x += 'a'"),
        ("$x -= 1", "$x -= 1"),
        ("$a.b = Get-X | Sort", "$a.<b> = Get-X | Sort"),
        ("$a[0] = 1, 2", "$a[0] = [1, 2]"),
        ("$a.b.c = 1", "$a.<b>.<c> = 1"),
        ("$x =\n  5", "$x = 5"),
        ("$x=5;$y=$x", "$x = 5; $y = $x"),
        // Statements, comments, continuation.
        ("", ""),
        ("  ;; \n ; ", ""),
        ("# only a comment", ""),
        ("Get-X; Get-Y\nGet-Z", "Get-X; Get-Y; Get-Z"),
        ("Get-X <# inline #> -A 1", "Get-X -A 1"),
        ("Get-X `\n  -A 1 `\n  -B", "Get-X -A 1 -B"),
        ("Get-X `\r\n  -A", "Get-X -A"),
        ("Get-X -A foo`\n  -B", "Get-X -A <foo> -B"),
        ("\u{feff}Get-X", "Get-X"),
        ("Get-X |\n  Sort |\n\n  Select", "Get-X | Sort | Select"),
        ("Get-X | # why\n Sort", "Get-X | Sort"),
        ("if ($a) { 1 }\nelse { 2 }", "if ($a) {1} else {2}"),
        ("IF ($a) {1} ElseIf ($b) {2} ELSE {3}", "if ($a) {1} elseif ($b) {2} else {3}"),
        ("if($a){1}else{2}", "if ($a) {1} else {2}"),
        ("if (\n $a\n) \n{\n 1\n}\n\nelseif ($b) { 2 }", "if ($a) {1} elseif ($b) {2}"),
        ("if ($a) { } Get-X", "if ($a) {}; Get-X"),
        ("if (Get-X | ? { $_ }) { 'y' }", "if (Get-X | ? {$_}) {'y'}"),
        ("foreach($m in 1..3){$m}", "foreach ($m in (range 1 3)) {$m}"),
        ("ForEach ($m in $list | Sort) { $m }", "foreach ($m in $list | Sort) {$m}"),
        ("foreach (${my var} in @(1)) {}", "foreach ($my var in @(1)) {}"),
        ("Get-X | ForEach { 1 } | foreach-object { 2 }", "Get-X | ForEach {1} | foreach-object {2}"),
    ];

    #[test]
    fn shapes() {
        let mut failures = Vec::new();
        for (src, want) in CASES {
            let got = std::panic::catch_unwind(|| render(src)).unwrap_or_else(|_| "<panic>".into());
            if got != *want {
                failures.push(format!("{src:?}\n   got: {got}\n  want: {want}"));
            }
        }
        assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), CASES.len(), failures.join("\n"));
    }

    // --- errors ------------------------------------------------------------------------------

    /// (source, error id, message, span start, span end, incomplete)
    const ERRORS: &[(&str, &str, &str, usize, usize, bool)] = &[
        // Input that simply ends too early: the REPL asks for a continuation line.
        ("{", "MissingEndCurlyBrace", "Missing closing '}' in statement block or type definition.", 0, 1, true),
        ("Get-X | % { $_", "MissingEndCurlyBrace", "Missing closing '}' in statement block or type definition.", 10, 11, true),
        ("if ($a) { 1 ", "MissingEndCurlyBrace", "Missing closing '}' in statement block or type definition.", 8, 9, true),
        ("{ 1 )", "MissingEndCurlyBrace", "Missing closing '}' in statement block or type definition.", 0, 1, false),
        ("(Get-X", "MissingEndParenthesisInExpression", "Missing closing ')' in expression.", 6, 6, true),
        ("(Get-X  # comment", "MissingEndParenthesisInExpression", "Missing closing ')' in expression.", 6, 6, true),
        ("(1 }", "MissingEndParenthesisInExpression", "Missing closing ')' in expression.", 2, 2, false),
        ("(", "ExpectedExpression", "An expression was expected after '('.", 1, 1, true),
        ("()", "ExpectedExpression", "An expression was expected after '('.", 1, 1, false),
        ("$(Get-X", "MissingEndParenthesisInSubexpression", "Missing closing ')' in subexpression.", 7, 7, true),
        ("@(1", "MissingEndParenthesisInSubexpression", "Missing closing ')' in subexpression.", 3, 3, true),
        ("'abc", "TerminatorExpectedAtEndOfString", "The string is missing the terminator: '.", 0, 4, true),
        ("Get-X \"a b", "TerminatorExpectedAtEndOfString", "The string is missing the terminator: \".", 6, 10, true),
        ("\"x $(1", "MissingEndParenthesisInSubexpression", "Missing closing ')' in subexpression.", 6, 6, true),
        ("@\"\nabc", "TerminatorExpectedAtEndOfString", "The string is missing the terminator: \"@.", 0, 6, true),
        ("@'\nabc\n '@", "WhitespaceBeforeHereStringFooter", "White space is not allowed before the string terminator.", 8, 8, true),
        ("@\"abc\"@", "UnexpectedCharactersAfterHereStringHeader", "No characters are allowed after a here-string header but before the end of the line.", 2, 2, false),
        ("Get-X |", "EmptyPipeElement", "An empty pipe element is not allowed.", 7, 7, true),
        ("Get-X |  \n  ", "EmptyPipeElement", "An empty pipe element is not allowed.", 7, 7, true),
        ("Get-X -A `", "IncompleteString", "Incomplete string token.", 9, 10, true),
        ("if ($a)", "MissingStatementBlock", "Missing statement block after if ( condition ).", 6, 7, true),
        ("if ($a) Get-X", "MissingStatementBlock", "Missing statement block after if ( condition ).", 6, 7, false),
        ("if", "MissingOpenParenthesisInIfStatement", "Missing '(' after 'if' in if statement.", 2, 2, true),
        ("if (", "IfStatementMissingCondition", "Missing condition in if statement after 'if ('.", 4, 4, true),
        ("if ($a", "MissingEndParenthesisAfterStatement", "Missing closing ')' after expression in 'if' statement.", 6, 6, true),
        ("if ($a) {} elseif", "MissingOpenParenthesisInIfStatement", "Missing '(' after 'elseif' in if statement.", 17, 17, true),
        ("if ($a) {} else", "MissingStatementBlockAfterElse", "Missing statement block after 'else' keyword.", 15, 15, true),
        ("foreach", "MissingOpenParenthesisAfterKeyword", "Missing opening '(' after keyword 'foreach'.", 7, 7, true),
        ("foreach (", "MissingVariableNameAfterForeach", "Missing variable name after foreach.\nThe correct form is: foreach ($a in $b) {...}", 9, 9, true),
        ("foreach ($m", "MissingInInForeach", "Missing 'in' after variable in foreach loop.\nThe correct form is: foreach ($a in $b) {...}", 11, 11, true),
        ("foreach ($m in", "MissingForeachExpression", "Missing expression in foreach loop.\nThe correct form is: foreach ($a in $b) {...}", 14, 14, true),
        ("foreach ($m in $x", "MissingEndParenthesisAfterForeach", "Missing closing ')' after expression part of foreach loop.\nThe correct form is: foreach ($a in $b) {...}", 17, 17, true),
        ("foreach ($m in $x)", "MissingForeachStatement", "Missing statement body in foreach loop.\nThe correct form is: foreach ($a in $b) {...}", 18, 18, true),
        ("$x = ", "ExpectedValueExpression", "You must provide a value expression following the '=' operator.", 4, 4, true),
        ("1 -eq", "ExpectedValueExpression", "You must provide a value expression following the '-eq' operator.", 5, 5, true),
        ("1 -EQ )", "ExpectedValueExpression", "You must provide a value expression following the '-EQ' operator.", 5, 5, false),
        ("1 +", "ExpectedValueExpression", "You must provide a value expression following the '+' operator.", 3, 3, true),
        ("-not", "MissingExpressionAfterOperator", "Missing expression after unary operator '-not'.", 4, 4, true),
        ("!", "MissingExpressionAfterOperator", "Missing expression after unary operator '!'.", 1, 1, true),
        ("1,", "MissingExpressionAfterToken", "Missing expression after ','.", 2, 2, true),
        ("$a.Method(1,", "MissingExpressionAfterToken", "Missing expression after ','.", 12, 12, true),
        ("$a.Method(1", "MissingEndParenthesisInMethodCall", "Missing ')' in method call.", 11, 11, true),
        ("Get-X a,", "MissingExpression", "Missing expression after ',' in pipeline element.", 8, 8, true),
        ("Get-X a, | Sort", "MissingExpression", "Missing expression after ',' in pipeline element.", 8, 8, false),
        ("$a[", "MissingArrayIndexExpression", "Array index expression is missing or not valid.", 3, 3, true),
        ("$a[]", "MissingArrayIndexExpression", "Array index expression is missing or not valid.", 3, 3, false),
        ("$a[0", "MissingEndSquareBracket", "Missing ']' after array index expression.", 4, 4, true),
        ("$a.", "MissingPropertyName", "Missing property name after reference operator.", 3, 3, true),
        ("@{", "IncompleteHashLiteral", "The hash literal was incomplete.", 2, 2, true),
        ("@{ a = 1", "IncompleteHashLiteral", "The hash literal was incomplete.", 8, 8, true),
        ("@{ a = 1 )", "IncompleteHashLiteral", "The hash literal was incomplete.", 8, 8, false),
        ("@{ a 1 }", "MissingEqualsInHashLiteral", "Missing '=' operator after key in hash literal.", 4, 4, false),
        ("@{ a = }", "MissingStatementInHashLiteral", "Missing statement after '=' in hash literal.", 6, 6, false),
        ("@{ a =", "MissingStatementInHashLiteral", "Missing statement after '=' in hash literal.", 6, 6, true),
        ("[", "MissingTypename", "Missing type name after '['.", 1, 1, true),
        ("[int", "EndSquareBracketExpectedAtEndOfAttribute", "Missing ] at end of attribute or type literal.", 4, 4, false),
        ("${abc", "IncompleteDollarVariableReference", "${variable} reference starting is missing the closing '}'.", 0, 5, true),
        ("<# abc", "MissingTerminatorMultiLineComment", "The terminator '#>' is missing from the multiline comment.", 0, 6, true),
        // Plain syntax errors.
        ("1 2", "UnexpectedToken", "Unexpected token '2' in expression or statement.", 2, 3, false),
        ("$x Get-Foo", "UnexpectedToken", "Unexpected token 'Get-Foo' in expression or statement.", 3, 10, false),
        ("'a' \"b c\"", "UnexpectedToken", "Unexpected token '\"b c\"' in expression or statement.", 4, 9, false),
        ("$x -foo", "UnexpectedToken", "Unexpected token '-foo' in expression or statement.", 3, 7, false),
        ("Get-X }", "UnexpectedToken", "Unexpected token '}' in expression or statement.", 6, 7, false),
        (")", "UnexpectedToken", "Unexpected token ')' in expression or statement.", 0, 1, false),
        ("Get-X | $x", "ExpressionsMustBeFirstInPipeline", "Expressions are only allowed as the first element of a pipeline.", 8, 10, false),
        ("Get-X | { $_ }", "ExpressionsMustBeFirstInPipeline", "Expressions are only allowed as the first element of a pipeline.", 8, 14, false),
        ("Get-X | 'a'.Length", "ExpressionsMustBeFirstInPipeline", "Expressions are only allowed as the first element of a pipeline.", 8, 18, false),
        ("Get-X | | Sort", "EmptyPipeElement", "An empty pipe element is not allowed.", 7, 7, false),
        ("| Sort", "EmptyPipeElement", "An empty pipe element is not allowed.", 0, 1, false),
        ("Get-X ,a", "MissingArgument", "Missing argument in parameter list.", 6, 7, false),
        ("Get-X -Name:", "ParameterRequiresArgument", "Parameter -Name: requires an argument.", 12, 12, false),
        ("Get-X >", "MissingFileSpecification", "Missing file specification after redirection operator.", 7, 7, false),
        ("Get-X > a > b", "StreamAlreadyRedirected", "The output stream for this command is already redirected.", 10, 13, false),
        ("Get-X < a", "RedirectionNotSupported", "The '<' operator is reserved for future use.", 6, 7, false),
        ("1 = 2", "InvalidLeftHandSide", "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.", 0, 1, false),
        ("$a + 1 = 2", "InvalidLeftHandSide", "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.", 0, 6, false),
        ("$a.M() = 2", "InvalidLeftHandSide", "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.", 0, 6, false),
        ("@x", "SplattingNotPermitted", "The splatting operator '@' cannot be used to reference variables in an expression. '@x' can be used only as an argument to a command. To reference variables in an expression use '$x'.", 0, 2, false),
        ("Get-X a,@x", "SplattingNotPermittedInArgumentList", "Splatted variables like '@x' cannot be part of a comma-separated list of arguments.", 8, 10, false),
        ("\"$name: done\"", "InvalidVariableReferenceWithDrive", "Variable reference is not valid. ':' was not followed by a valid variable name character. Consider using ${} to delimit the name.", 1, 7, false),
        ("${}", "EmptyVariableReference", "An empty ${} variable reference was found. A name is required inside the braces.", 0, 3, false),
        ("from x", "ReservedKeywordNotAllowed", "The 'from' keyword is not supported in this version of the language.", 0, 4, false),
        // Refused by mapish.
        ("function f { 1 }", "NotSupportedByMapish", "The 'function' keyword is not supported by mapish.", 0, 8, false),
        ("  While ($true) {}", "NotSupportedByMapish", "The 'while' keyword is not supported by mapish.", 2, 7, false),
        ("try { 1 } catch { 2 }", "NotSupportedByMapish", "The 'try' keyword is not supported by mapish.", 0, 3, false),
        ("{ param($x) $x }", "NotSupportedByMapish", "The 'param' keyword is not supported by mapish.", 2, 7, false),
        ("Get-X | % { return 1 }", "NotSupportedByMapish", "The 'return' keyword is not supported by mapish.", 12, 18, false),
        ("& Get-X", "NotSupportedByMapish", "The '&' operator is not supported by mapish.", 0, 1, false),
        (". .\\profile.ps1", "NotSupportedByMapish", "The '.' operator is not supported by mapish.", 0, 1, false),
        ("Get-X && Get-Y", "NotSupportedByMapish", "The '&&' operator is not supported by mapish.", 6, 8, false),
        ("Get-X || Get-Y", "NotSupportedByMapish", "The '||' operator is not supported by mapish.", 6, 8, false),
        ("Get-X 2> err.txt", "NotSupportedByMapish", "The '2>' operator is not supported by mapish.", 6, 8, false),
        ("Get-X 2>&1", "NotSupportedByMapish", "The '2>&1' operator is not supported by mapish.", 6, 10, false),
        ("Get-X *> all.txt", "NotSupportedByMapish", "The '*>' operator is not supported by mapish.", 6, 8, false),
        ("[DateTime]::Now", "NotSupportedByMapish", "The '::' operator is not supported by mapish.", 10, 12, false),
        ("Get-X $x::y", "NotSupportedByMapish", "The '::' operator is not supported by mapish.", 8, 10, false),
        ("$i++", "NotSupportedByMapish", "The '++' operator is not supported by mapish.", 2, 4, false),
        ("--$i", "NotSupportedByMapish", "The '--' operator is not supported by mapish.", 0, 2, false),
        ("$a -band 1", "NotSupportedByMapish", "The '-band' operator is not supported by mapish.", 3, 8, false),
        ("$a -BOR 1", "NotSupportedByMapish", "The '-bor' operator is not supported by mapish.", 3, 7, false),
        ("$a -shl 1", "NotSupportedByMapish", "The '-shl' operator is not supported by mapish.", 3, 7, false),
        ("$a -as [int]", "NotSupportedByMapish", "The '-as' operator is not supported by mapish.", 3, 6, false),
        ("-bnot 1", "NotSupportedByMapish", "The '-bnot' operator is not supported by mapish.", 0, 5, false),
        ("-split 'a b'", "NotSupportedByMapish", "The unary '-split' operator is not supported by mapish.", 0, 6, false),
        ("-join $a", "NotSupportedByMapish", "The unary '-join' operator is not supported by mapish.", 0, 5, false),
        ("$x *= 2", "NotSupportedByMapish", "The '*=' operator is not supported by mapish.", 3, 5, false),
        ("Get-X -- -y", "NotSupportedByMapish", "The '--' operator is not supported by mapish.", 6, 8, false),
        ("Get-X --% a b", "NotSupportedByMapish", "The stop-parsing token '--%' is not supported by mapish.", 6, 9, false),
        ("[Parameter()]$x", "NotSupportedByMapish", "Attributes ('[Name(…)]') are not supported by mapish.", 0, 11, false),
        ("[int]$x = 5", "NotSupportedByMapish", "Assigning through a type constraint ('[type]$x = …') is not supported by mapish.", 0, 7, false),
        ("$a, $b = 1, 2", "NotSupportedByMapish", "Assigning to several variables at once is not supported by mapish.", 0, 6, false),
        ("$a,$b += 1,2", "InvalidLeftHandSide", "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.", 0, 5, false),
        ("Get-X -A foo`", "IncompleteString", "Incomplete string token.", 12, 13, true),
        ("Get-X`", "IncompleteString", "Incomplete string token.", 5, 6, true),
        ("(Get-X).Name = 1", "NotSupportedByMapish", "Assigning to a property or element of a value that is not held in a variable is not supported by mapish.", 0, 12, false),
        ("$x = if ($a) { 1 }", "NotSupportedByMapish", "An 'if' statement used as a value is not supported by mapish.", 5, 7, false),
        ("Get-X > a | Sort", "NotSupportedByMapish", "mapish supports output redirection only at the end of a pipeline.", 6, 9, false),
        ("$a.($n)()", "NotSupportedByMapish", "Calling a method whose name is computed at run time is not supported by mapish.", 3, 7, false),
    ];

    #[test]
    fn assignments_used_as_values() {
        let cases = [
            (
                "$mapidir | Set-MapiVirtualDirectory -IISAuthenticationMethods ($mapidir.IISAuthenticationMethods +='Negotiate')",
                "($mapidir.<IISAuthenticationMethods> += 'Negotiate')",
                Span::new(63, 110),
            ),
            ("if ($x = 1) {}", "($x = 1)", Span::new(4, 10)),
            ("$a = $b = 1", "($b = 1)", Span::new(5, 11)),
            ("$a.b.c = ($d[0] -= 2)", "($d[0] -= 2)", Span::new(10, 20)),
        ];
        for (src, want, span) in cases {
            let parsed = parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
            check_spans(src, &parsed);
            let mut found = None;
            fn find(p: &Pipeline, found: &mut Option<Expr>) {
                for e in &p.elements {
                    match e {
                        PipelineElement::Expression(x) if matches!(x.kind, ExprKind::Assign { .. }) => *found = Some(x.clone()),
                        PipelineElement::Expression(Expr { kind: ExprKind::Paren(inner), .. }) => find(inner, found),
                        PipelineElement::Command(c) => {
                            for a in &c.args {
                                if let CommandArg::Value(Expr { kind: ExprKind::Paren(inner), .. }) = a {
                                    find(inner, found);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            for st in &parsed.statements {
                match st {
                    Statement::Pipeline(p) => find(p, &mut found),
                    Statement::Assignment { value, .. } => find(value, &mut found),
                    Statement::If { clauses, .. } => clauses.iter().for_each(|(c, _)| find(c, &mut found)),
                    Statement::Foreach { .. } => {}
                }
            }
            let e = found.unwrap_or_else(|| panic!("{src}: no assignment expression in {}", script(&parsed)));
            assert_eq!(expr(&e), want, "{src}");
            assert_eq!(e.span, span, "{src}");
        }
    }

    #[test]
    fn errors() {
        let mut failures = Vec::new();
        for &(src, id, message, start, end, incomplete) in ERRORS {
            let want = (id.to_string(), message.to_string(), Span::new(start, end), incomplete);
            let got = match std::panic::catch_unwind(|| parse(src)) {
                Ok(Ok(s)) => format!("parsed as {}", script(&s)),
                Ok(Err(e)) => {
                    let got = (e.error_id.to_string(), e.message.clone(), e.span, e.incomplete);
                    if got == want {
                        continue;
                    }
                    format!("{got:?}")
                }
                Err(_) => "<panic>".to_string(),
            };
            failures.push(format!("{src:?}\n   got: {got}\n  want: {want:?}"));
        }
        assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), ERRORS.len(), failures.join("\n"));
    }

    // --- exact spans -------------------------------------------------------------------------

    fn sp(src: &str, needle: &str) -> Span {
        let start = src.find(needle).unwrap_or_else(|| panic!("{needle:?} not in {src:?}"));
        Span::new(start, start + needle.len())
    }

    fn only_pipeline(s: &Script) -> &Pipeline {
        match &s.statements[..] {
            [Statement::Pipeline(p)] => p,
            other => panic!("expected one pipeline, got {other:?}"),
        }
    }

    fn command(p: &Pipeline, i: usize) -> &CommandCall {
        match &p.elements[i] {
            PipelineElement::Command(c) => c,
            other => panic!("expected a command, got {other:?}"),
        }
    }

    #[test]
    fn command_spans() {
        let src = "Set-MapiVirtualDirectory -Identity \"mapi (Default Web Site)\" -IISAuthenticationMethods NTLM,Negotiate,OAuth -Confirm:$false  ";
        let s = parse(src).unwrap();
        assert_eq!(s.span, Span::new(0, src.len()));
        let p = only_pipeline(&s);
        let c = command(p, 0);
        assert_eq!(c.name, "Set-MapiVirtualDirectory");
        assert_eq!(c.name_span, sp(src, "Set-MapiVirtualDirectory"));
        assert_eq!(c.span, Span::new(0, src.trim_end().len()));
        assert_eq!(p.span, c.span);
        let CommandArg::Parameter { name, value: None, span } = &c.args[0] else { panic!("{:?}", c.args[0]) };
        assert_eq!((name.as_str(), *span), ("Identity", sp(src, "-Identity")));
        let CommandArg::Value(v) = &c.args[1] else { panic!() };
        assert_eq!(v.span, sp(src, "\"mapi (Default Web Site)\""));
        let CommandArg::Value(list) = &c.args[3] else { panic!() };
        assert_eq!(list.span, sp(src, "NTLM,Negotiate,OAuth"));
        let ExprKind::List(items) = &list.kind else { panic!() };
        assert_eq!(items[1].span, sp(src, "Negotiate"));
        let CommandArg::Parameter { name, value: Some(v), span } = &c.args[4] else { panic!() };
        assert_eq!(name, "Confirm");
        assert_eq!(*span, sp(src, "-Confirm:$false"));
        assert_eq!(v.span, sp(src, "$false"));
        assert_eq!(v.kind, ExprKind::Variable("false".into()));
    }

    #[test]
    fn list_spans_with_spaces() {
        let src = "Get-CASMailbox | ft Name, MapiEnabled -AutoSize";
        let s = parse(src).unwrap();
        let p = only_pipeline(&s);
        assert_eq!(p.span, Span::new(0, src.len()));
        let ft = command(p, 1);
        assert_eq!(ft.span, sp(src, "ft Name, MapiEnabled -AutoSize"));
        let CommandArg::Value(list) = &ft.args[0] else { panic!() };
        assert_eq!(list.span, sp(src, "Name, MapiEnabled"));
        assert_eq!(arg_span_of(&ft.args[1]), sp(src, "-AutoSize"));
    }

    fn arg_span_of(a: &CommandArg) -> Span {
        super::arg_span(a)
    }

    #[test]
    fn expression_and_string_spans() {
        let src = "\"Name: $($m.Name) and $env:USER\"";
        let s = parse(src).unwrap();
        let p = only_pipeline(&s);
        let PipelineElement::Expression(e) = &p.elements[0] else { panic!() };
        assert_eq!(e.span, Span::new(0, src.len()));
        let ExprKind::DoubleQuoted(parts) = &e.kind else { panic!() };
        assert_eq!(parts.len(), 4);
        let StringPart::SubExpr(inner) = &parts[1] else { panic!() };
        assert_eq!(inner.span, sp(src, "$m.Name"));
        let StringPart::Variable { name, span } = &parts[3] else { panic!() };
        assert_eq!((name.as_str(), *span), ("env:USER", sp(src, "$env:USER")));

        let src = "1,2 + 3";
        let s = parse(src).unwrap();
        let PipelineElement::Expression(e) = &only_pipeline(&s).elements[0] else { panic!() };
        let ExprKind::Binary { lhs, rhs, .. } = &e.kind else { panic!() };
        assert_eq!((e.span, lhs.span, rhs.span), (Span::new(0, 7), Span::new(0, 3), Span::new(6, 7)));

        let src = "$x.Replace('a', $y)[0]";
        let s = parse(src).unwrap();
        let PipelineElement::Expression(e) = &only_pipeline(&s).elements[0] else { panic!() };
        let ExprKind::Index { target, index } = &e.kind else { panic!() };
        assert_eq!((e.span, target.span, index.span), (Span::new(0, 22), Span::new(0, 19), Span::new(20, 21)));

        let src = "-5 + [int] '7'";
        let s = parse(src).unwrap();
        let PipelineElement::Expression(e) = &only_pipeline(&s).elements[0] else { panic!() };
        let ExprKind::Binary { lhs, rhs, .. } = &e.kind else { panic!() };
        assert_eq!((lhs.span, rhs.span), (Span::new(0, 2), Span::new(5, 14)));
        assert_eq!(lhs.kind, ExprKind::Number(Number::Int(-5)));
    }

    #[test]
    fn statement_spans() {
        let src = "  $m = Get-CASMailbox alice ;  if ($a) { 'x' }\nelse { 'y' }  # done\nforeach ($i in 1..2) { $i }";
        let s = parse(src).unwrap();
        assert_eq!(s.statements.len(), 3);
        let Statement::Assignment { target, op, value, span } = &s.statements[0] else { panic!() };
        assert_eq!(*op, AssignOp::Assign);
        assert_eq!(*span, sp(src, "$m = Get-CASMailbox alice"));
        assert_eq!(target.span, sp(src, "$m"));
        assert_eq!(value.span, sp(src, "Get-CASMailbox alice"));
        let Statement::If { clauses, else_body, span } = &s.statements[1] else { panic!() };
        assert_eq!(*span, sp(src, "if ($a) { 'x' }\nelse { 'y' }"));
        assert_eq!(clauses[0].0.span, sp(src, "$a"));
        assert_eq!(clauses[0].1.span, sp(src, " 'x' "));
        assert_eq!(else_body.as_ref().unwrap().span, sp(src, " 'y' "));
        let Statement::Foreach { variable, variable_span, iterable, body, span } = &s.statements[2] else { panic!() };
        assert_eq!(variable, "i");
        assert_eq!(*variable_span, sp(src, "$i in").start_len(2));
        assert_eq!(iterable.span, sp(src, "1..2"));
        assert_eq!(body.span, sp(src, " $i }").start_len(4));
        assert_eq!(*span, sp(src, "foreach ($i in 1..2) { $i }"));
    }

    trait StartLen {
        fn start_len(self, len: usize) -> Span;
    }

    impl StartLen for Span {
        fn start_len(self, len: usize) -> Span {
            Span::new(self.start, self.start + len)
        }
    }

    #[test]
    fn script_block_text_and_redirection_spans() {
        let src = "Get-CASMailbox | Where-Object {$_.MapiEnabled -eq $false} > out.txt";
        let s = parse(src).unwrap();
        let p = only_pipeline(&s);
        assert_eq!(p.span, Span::new(0, src.len()));
        let r = p.redirection.as_ref().unwrap();
        assert_eq!((r.append, r.span, r.target.span), (false, sp(src, "> out.txt"), sp(src, "out.txt")));
        let w = command(p, 1);
        assert_eq!(w.span, sp(src, "Where-Object {$_.MapiEnabled -eq $false}"));
        let CommandArg::Value(Expr { kind: ExprKind::ScriptBlock(b), span }) = &w.args[0] else { panic!() };
        assert_eq!(*span, sp(src, "{$_.MapiEnabled -eq $false}"));
        assert_eq!(b.text, "$_.MapiEnabled -eq $false");
        assert_eq!(b.body.span, sp(src, "$_.MapiEnabled -eq $false"));
    }

    #[test]
    fn multi_line_script() {
        let src = "# Disable MAPI for the whole organisation\r
<# a block\r
   comment #>\r
Get-CASMailbox -ResultSize Unlimited |\r
  Where-Object { $_.MapiEnabled } |   # only those still enabled\r
  Set-CASMailbox -MAPIEnabled $false `\r
    -Confirm:$false\r
\r
$n = 0; foreach ($m in Get-CASMailbox) {\r
  if ($m.MapiEnabled) { $n += 1 }\r
}\r
\"Enabled: $n\"\r
";
        assert_eq!(
            render(src),
            "Get-CASMailbox -ResultSize <Unlimited> | Where-Object {$_.<MapiEnabled>} | Set-CASMailbox -MAPIEnabled $false -Confirm:$false; \
             $n = 0; foreach ($m in Get-CASMailbox) {if ($m.<MapiEnabled>) {$n += 1}}; \"Enabled: ${n}\""
        );
    }

    #[test]
    fn names_keep_their_case_and_values() {
        let s = parse("Set-CasMailbox User -MAPIEnabled $False").unwrap();
        let c = command(only_pipeline(&s), 0);
        assert_eq!(c.name, "Set-CasMailbox");
        assert_eq!(c.args[0], CommandArg::Value(Expr { kind: ExprKind::BareWord("User".into()), span: Span::new(15, 19) }));
        let CommandArg::Parameter { name, .. } = &c.args[1] else { panic!() };
        assert_eq!(name, "MAPIEnabled");
        assert_eq!(c.args[2], CommandArg::Value(Expr { kind: ExprKind::Variable("False".into()), span: Span::new(33, 39) }));
    }

    #[test]
    fn parse_error_display() {
        let e = parse("Get-X |").unwrap_err();
        assert_eq!(e.to_string(), "An empty pipe element is not allowed.");
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert_eq!(boxed.to_string(), "An empty pipe element is not allowed.");
    }

    // --- robustness --------------------------------------------------------------------------

    /// xorshift64*: deterministic, dependency-free.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const FRAGMENTS: &[&str] = &[
        "Get-CASMailbox", "Set-CASMailbox", "ft", "%", "?", "where", " ", "  ", "\t", "\n", "\r\n", "\r", "|", "||", ";",
        "'", "\"", "''", "\"\"", "`", "`\n", "` ", "`$", "$", "$x", "$_", "${", "${a b}", "$env:", "$a:b", "@x", "@", "{", "}",
        "(", ")", "$(", "@(", "@{", "@'", "@\"", "'@", "\"@", "@'\n", "\n'@", "@\"\n", "\n\"@", "[", "]", "[int]",
        "[string[]]", "::", ".", "..", ",", "-", "--", "-Name", "-Name:", "-?", "-eq", "-EQ", "-not", "-band", "-f", "-split",
        "!", "+", "++", "+=", "=", "-=", "*=", "*", "/", "%", "&", "&&", ">", ">>", "2>", "2>&1", "*>", "<", "<#", "#>", "#",
        "if", "else", "elseif", "foreach", "in", "function", "param", "1", "42", "-5", "0x", "0xFF", "1.5", "10kb", "1e",
        "1..3", ".5", "é", "日本", "\u{2018}", "\u{2019}", "\u{201c}", "\u{201d}", "\u{2013}", "\u{a0}", "\u{2028}",
        "\u{0}", "Name", "a:b", "x", "https://x/y", "EX01\\mapi*", "= ", "{$_.A -eq 1}", "(Get-X)", "$x.Name", "$x[0]",
        "$x.M(1,2)", "\"a $x b\"", "'q'", "\"$(1)\"", "-Confirm:$false", "NTLM,Negotiate", "--%",
    ];

    fn random_input(rng: &mut Rng) -> String {
        let n = 1 + rng.below(40);
        (0..n).map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())]).collect()
    }

    fn check_error(src: &str, e: &super::ParseError) {
        assert!(e.span.start <= e.span.end && e.span.end <= src.len(), "{src:?}: {e:?}");
        assert!(src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end), "{src:?}: {e:?}");
        assert!(!e.message.is_empty() && !e.error_id.is_empty());
    }

    fn check_tokens(src: &str) {
        let tokens = super::super::tokenize_lenient(src);
        let mut last = 0;
        for t in &tokens {
            assert!(t.span.start >= last && t.span.start < t.span.end && t.span.end <= src.len(), "{src:?}: {t:?}");
            assert!(src.is_char_boundary(t.span.start) && src.is_char_boundary(t.span.end), "{src:?}: {t:?}");
            assert_eq!(t.text, &src[t.span.start..t.span.end]);
            last = t.span.end;
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut ok, mut incomplete) = (0, 0);
        for _ in 0..20_000 {
            let src = random_input(&mut rng);
            match parse(&src) {
                Ok(script) => {
                    check_spans(&src, &script);
                    ok += 1;
                }
                Err(e) => {
                    check_error(&src, &e);
                    incomplete += usize::from(e.incomplete);
                }
            }
            check_tokens(&src);
        }
        // The generator must exercise both paths.
        assert!(ok > 100 && incomplete > 100, "ok={ok} incomplete={incomplete}");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let openers = [
            "(", "{", "$(", "@(", "\"$(", "-not ", "!", ", ", "- ", "[int]", "@{a=", "if ($a) {", "$x = ", "Get-X (",
            "Get-X @{a=", "$a[", "$a.b(", "foreach ($i in ", "Get-X {", "\"$(\"$(", "@{ $k = ", "(1) + (",
        ];
        for opener in openers {
            for depth in [40, 60, 5000] {
                let src = opener.repeat(depth);
                match parse(&src) {
                    Ok(s) => check_spans(&src, &s),
                    Err(e) => check_error(&src, &e),
                }
                check_tokens(&src);
            }
        }
        for opener in ["(", "{", "$(", "@(", "\"$(", "-not ", "!", ", ", "[int]", "@{a=", "if ($a) {", "$a["] {
            let e = parse(&opener.repeat(5000)).unwrap_err();
            assert_eq!(e.error_id, "ScriptTooComplicated", "{opener:?}");
        }
        // Long but flat input is fine.
        let flat = format!("Get-X {}", "a,".repeat(20_000) + "b");
        assert!(parse(&flat).is_ok());
        let list = vec!["1"; 20_000].join(", ");
        assert!(parse(&list).is_ok());
        let statements = "Get-X; ".repeat(20_000);
        assert_eq!(parse(&statements).unwrap().statements.len(), 20_000);
        let pipeline = format!("Get-X{}", " | Sort".repeat(20_000));
        assert!(parse(&pipeline).is_ok());
        // Long chains make deep (left-nested) trees: a moderate length is fine, an absurd one
        // is refused rather than built.
        assert!(parse(&format!("$x{}", ".a".repeat(200))).is_ok());
        assert!(parse(&vec!["1"; 200].join(" + ")).is_ok());
        for src in [format!("$x{}", ".a".repeat(20_000)), vec!["1"; 20_000].join(" + "), format!("$x{}", "[0]".repeat(20_000))] {
            assert_eq!(parse(&src).unwrap_err().error_id, "ScriptTooComplicated");
        }
    }

    #[test]
    fn reasonable_nesting_is_accepted() {
        let src = format!("{}1{}", "(".repeat(30), ")".repeat(30));
        assert!(parse(&src).is_ok());
        let src = format!("{}1{}", "{".repeat(12), "}".repeat(12));
        assert!(parse(&src).is_ok());
        let src = format!("{}1{}", "\"$(".repeat(10), ")\"".repeat(10));
        assert!(parse(&src).is_ok(), "{:?}", parse(&src));
    }
}
