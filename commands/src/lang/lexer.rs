//! Character classes, literal scanners and the lenient tokenizer.
//!
//! PowerShell tokenizes differently in command (argument) mode and in expression mode (see
//! about_Parsing), so the parser scans on demand with the helpers below rather than consuming a
//! token list. [`tokenize_lenient`] is a separate, forgiving pass for tab completion: it never
//! fails and always makes progress.

use super::ast::{Number, Span};
use super::error::ParseError;
use super::token::{Token, TokenKind};

// ---------------------------------------------------------------------------------------------
// Character classes (PowerShell's CharTraits)
// ---------------------------------------------------------------------------------------------

/// The character at byte offset `i`, if `i` is inside `s` and on a character boundary.
pub(crate) fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..)?.chars().next()
}

/// `-` and the typographic dashes PowerShell accepts in its place (en dash, em dash, bar).
pub(crate) fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2015}')
}

/// `'` and the typographic single quotes PowerShell accepts in its place.
pub(crate) fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}')
}

/// `"` and the typographic double quotes PowerShell accepts in its place.
pub(crate) fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{201e}')
}

pub(crate) fn is_quote(c: char) -> bool {
    is_single_quote(c) || is_double_quote(c)
}

pub(crate) fn is_newline(c: char) -> bool {
    c == '\n' || c == '\r'
}

/// Whitespace that does not end a line.
pub(crate) fn is_blank(c: char) -> bool {
    match c {
        ' ' | '\t' | '\x0b' | '\x0c' | '\u{a0}' | '\u{85}' => true,
        c if c.is_ascii() => false,
        c => c.is_whitespace(),
    }
}

/// PowerShell's ForceStartNewToken: the characters that end a bare word in any mode.
/// `None` stands for the end of the input.
pub(crate) fn force_start(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(c, '&' | '(' | ')' | ',' | ';' | '{' | '}' | '|' | '\n' | '\r') || is_blank(c),
    }
}

/// Characters that end a number in expression mode even though they are not whitespace.
pub(crate) fn ends_number_in_expression(c: char) -> bool {
    matches!(c, '!' | '#' | '%' | '*' | '+' | '.' | '/' | '<' | '=' | '>' | ']') || is_dash(c)
}

pub(crate) fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

pub(crate) fn is_ident_follow(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// A character that may follow `$` to start an unbraced variable name.
pub(crate) fn is_var_start(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '?' | ':' | '$' | '^')
    } else {
        c.is_alphanumeric()
    }
}

/// A character that continues an unbraced variable name (`:` is handled by the scanner).
fn is_var_follow(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphanumeric() || matches!(c, '_' | '?') } else { c.is_alphanumeric() }
}

/// The character a backtick escape stands for (Windows PowerShell 5.1's set).
pub(crate) fn backtick_escape(c: char) -> char {
    match c {
        '0' => '\0',
        'a' => '\x07',
        'b' => '\x08',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        c => c,
    }
}

/// True when nothing but whitespace, newlines, comments and line continuations follows `from`.
/// PowerShell marks an error as "incomplete input" only in that case.
pub(crate) fn rest_is_blank(src: &str, from: usize) -> bool {
    let mut i = from;
    while let Some(c) = char_at(src, i) {
        if is_blank(c) || is_newline(c) {
            i += c.len_utf8();
        } else if c == '#' {
            match src[i..].find(['\n', '\r']) {
                Some(k) => i += k,
                None => return true,
            }
        } else if c == '<' && char_at(src, i + 1) == Some('#') {
            match src[i + 2..].find("#>") {
                Some(k) => i += 2 + k + 2,
                None => return true,
            }
        } else if c == '`' {
            match char_at(src, i + 1) {
                None => return true,
                Some(n) if is_blank(n) || is_newline(n) => i += 1 + n.len_utf8(),
                Some(_) => return false,
            }
        } else {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Literal scanners shared by the parser and the lenient tokenizer
// ---------------------------------------------------------------------------------------------

fn take_digits(src: &str, i: &mut usize, text: &mut String) -> usize {
    let mut n = 0;
    while let Some(c) = char_at(src, *i) {
        if !c.is_ascii_digit() {
            break;
        }
        text.push(c);
        *i += 1;
        n += 1;
    }
    n
}

/// An optional `e[+-]digits`; false if the exponent has no digits.
fn take_exponent(src: &str, i: &mut usize, text: &mut String) -> bool {
    if !matches!(char_at(src, *i), Some('e' | 'E')) {
        return true;
    }
    *i += 1;
    text.push('e');
    match char_at(src, *i) {
        Some('+') => *i += 1,
        Some(c) if is_dash(c) => {
            *i += c.len_utf8();
            text.push('-');
        }
        _ => {}
    }
    take_digits(src, i, text) > 0
}

/// Scans a PowerShell numeric literal at `pos`: an optional sign, decimal digits with an optional
/// fraction and exponent, or `0x` hex digits; then an optional `l`/`d` type suffix and an optional
/// `kb`/`mb`/`gb`/`tb`/`pb` multiplier. The literal must be followed by a character that ends a
/// token (in expression mode an operator character also ends it, so `1+2` and `1..5` work).
/// Returns the value and the end offset, or `None` when the text is not a number token.
pub(crate) fn scan_number(src: &str, pos: usize, expr_mode: bool) -> Option<(Number, usize)> {
    let mut i = pos;
    let mut negative = false;
    let first = char_at(src, i)?;
    if is_dash(first) {
        negative = true;
        i += first.len_utf8();
    } else if first == '+' {
        i += 1;
    }
    let mut text = String::new();
    let mut real = false;
    let mut hex = false;
    match char_at(src, i)? {
        '.' => {
            i += 1;
            text.push_str("0.");
            if take_digits(src, &mut i, &mut text) == 0 {
                return None;
            }
            real = true;
            if !take_exponent(src, &mut i, &mut text) {
                return None;
            }
        }
        '0' if matches!(char_at(src, i + 1), Some('x' | 'X')) => {
            i += 2;
            while let Some(h) = char_at(src, i) {
                if !h.is_ascii_hexdigit() {
                    break;
                }
                text.push(h);
                i += 1;
            }
            if text.is_empty() {
                return None;
            }
            hex = true;
        }
        c if c.is_ascii_digit() => {
            take_digits(src, &mut i, &mut text);
            match char_at(src, i) {
                Some('.') if char_at(src, i + 1) != Some('.') => {
                    i += 1;
                    text.push('.');
                    real = true;
                    take_digits(src, &mut i, &mut text);
                    if !take_exponent(src, &mut i, &mut text) {
                        return None;
                    }
                }
                Some('e' | 'E') => {
                    real = true;
                    if !take_exponent(src, &mut i, &mut text) {
                        return None;
                    }
                }
                _ => {}
            }
        }
        _ => return None,
    }
    let mut decimal = false;
    match char_at(src, i) {
        Some('l' | 'L') => i += 1,
        Some('d' | 'D') => {
            decimal = true;
            i += 1;
        }
        _ => {}
    }
    let mut multiplier: i64 = 1;
    if let Some(m) = char_at(src, i) {
        let factor = match m.to_ascii_lowercase() {
            'k' => Some(1i64 << 10),
            'm' => Some(1i64 << 20),
            'g' => Some(1i64 << 30),
            't' => Some(1i64 << 40),
            'p' => Some(1i64 << 50),
            _ => None,
        };
        if let Some(factor) = factor {
            if !matches!(char_at(src, i + 1), Some('b' | 'B')) {
                return None;
            }
            multiplier = factor;
            i += 2;
        }
    }
    let next = char_at(src, i);
    if !(force_start(next) || (expr_mode && next.is_some_and(ends_number_in_expression))) {
        return None;
    }
    let scale = |v: i64| match v.checked_mul(multiplier) {
        Some(x) => Number::Int(x),
        None => Number::Float(v as f64 * multiplier as f64),
    };
    let value = if hex {
        let v = u64::from_str_radix(&text, 16).ok()?;
        // Like PowerShell, up to eight hex digits are an Int32 bit pattern (0xFFFFFFFF is -1).
        let v = if text.len() <= 8 { (v as u32) as i32 as i64 } else { v as i64 };
        scale(v)
    } else if real || decimal {
        Number::Float(text.parse::<f64>().ok()? * multiplier as f64)
    } else {
        match text.parse::<i64>() {
            Ok(v) => scale(v),
            Err(_) => Number::Float(text.parse::<f64>().ok()? * multiplier as f64),
        }
    };
    let value = match (negative, value) {
        (false, v) => v,
        (true, Number::Int(v)) => v.checked_neg().map_or(Number::Float(-(v as f64)), Number::Int),
        (true, Number::Float(f)) => Number::Float(-f),
    };
    Some((value, i))
}

/// Scans a single-quoted string starting at the quote at `pos`: `''` stands for one quote and
/// nothing else is special. Returns the value and the end offset (after the closing quote).
pub(crate) fn scan_single_quoted(src: &str, pos: usize) -> Result<(String, usize), ParseError> {
    let open = char_at(src, pos).map_or(1, char::len_utf8);
    let mut i = pos + open;
    let mut value = String::new();
    loop {
        match char_at(src, i) {
            None => {
                return Err(ParseError::new(
                    "TerminatorExpectedAtEndOfString",
                    "The string is missing the terminator: '.",
                    Span::new(pos, src.len()),
                    true,
                ));
            }
            Some(c) if is_single_quote(c) => {
                let j = i + c.len_utf8();
                match char_at(src, j) {
                    Some(d) if is_single_quote(d) => {
                        value.push(d);
                        i = j + d.len_utf8();
                    }
                    _ => return Ok((value, j)),
                }
            }
            Some(c) => {
                value.push(c);
                i += c.len_utf8();
            }
        }
    }
}

/// Scans `$name`, `${any name}`, `$_`, `$$`, `$?`, `$^`, `$env:PATH` (or `@name`) at `pos`.
/// Returns the name as typed (without `$`) and the end offset. The caller has checked that the
/// character after the sigil is `{` or a variable-name character.
pub(crate) fn scan_variable(src: &str, pos: usize) -> Result<(String, usize), ParseError> {
    if char_at(src, pos + 1) == Some('{') {
        scan_braced_variable(src, pos)
    } else {
        scan_unbraced_variable(src, pos)
    }
}

fn scan_unbraced_variable(src: &str, pos: usize) -> Result<(String, usize), ParseError> {
    let first = pos + 1;
    let Some(c) = char_at(src, first) else {
        return Err(invalid_variable_reference(pos, first));
    };
    if !is_var_start(c) {
        return Err(invalid_variable_reference(pos, first));
    }
    if matches!(c, '$' | '?' | '^') {
        return Ok((c.to_string(), first + 1));
    }
    let mut i = first;
    while let Some(c) = char_at(src, i) {
        if c == ':' {
            if char_at(src, i + 1) == Some(':') {
                break;
            }
            i += 1;
        } else if is_var_follow(c) {
            i += c.len_utf8();
        } else {
            break;
        }
    }
    let name = &src[first..i];
    if name.ends_with(':') {
        return Err(ParseError::new(
            "InvalidVariableReferenceWithDrive",
            "Variable reference is not valid. ':' was not followed by a valid variable name character. Consider using ${} to delimit the name.",
            Span::new(pos, i),
            false,
        ));
    }
    Ok((name.to_string(), i))
}

fn invalid_variable_reference(pos: usize, end: usize) -> ParseError {
    ParseError::new(
        "InvalidVariableReference",
        "Variable reference is not valid. '$' was not followed by a valid variable name character. Consider using ${} to delimit the name.",
        Span::new(pos, end),
        false,
    )
}

fn scan_braced_variable(src: &str, pos: usize) -> Result<(String, usize), ParseError> {
    let incomplete = || {
        ParseError::new(
            "IncompleteDollarVariableReference",
            "${variable} reference starting is missing the closing '}'.",
            Span::new(pos, src.len()),
            true,
        )
    };
    let mut i = pos + 2;
    let mut name = String::new();
    loop {
        match char_at(src, i) {
            None => return Err(incomplete()),
            Some('}') => {
                i += 1;
                break;
            }
            Some('`') => match char_at(src, i + 1) {
                None => return Err(incomplete()),
                Some(n) => {
                    name.push(backtick_escape(n));
                    i += 1 + n.len_utf8();
                }
            },
            Some('{') => {
                return Err(ParseError::new(
                    "OpenBraceNeedsToBeBackTickedInVariableName",
                    "Use `{ instead of { in variable names.",
                    Span::new(i, i + 1),
                    false,
                ));
            }
            Some(c) => {
                name.push(c);
                i += c.len_utf8();
            }
        }
    }
    if name.is_empty() {
        return Err(ParseError::new(
            "EmptyVariableReference",
            "An empty ${} variable reference was found. A name is required inside the braces.",
            Span::new(pos, i),
            false,
        ));
    }
    Ok((name, i))
}

/// PowerShell operators written `-name`, in expression mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DashOperator {
    /// A binary operator mapish evaluates.
    Binary(super::ast::BinaryOp, u8),
    /// A binary operator mapish refuses (`-band`, `-as`, …).
    UnsupportedBinary,
    /// `-not`
    Not,
    /// `-bnot`, unary `-split` / `-join`: refused by mapish.
    UnsupportedUnary,
}

/// Precedence levels (higher binds tighter), as in PowerShell's TokenFlags.
pub(crate) const PREC_LOGICAL: u8 = 1;
// 2 is PowerShell's bitwise level (-band, -bor, -bxor), which mapish refuses.
pub(crate) const PREC_COMPARISON: u8 = 3;
pub(crate) const PREC_ADD: u8 = 4;
pub(crate) const PREC_MULTIPLY: u8 = 5;
pub(crate) const PREC_FORMAT: u8 = 6;
pub(crate) const PREC_RANGE: u8 = 7;

/// Looks up `-name` (without the dash, any case). `None` for a word that is not an operator
/// (in expression mode that is a stray parameter: "Unexpected token").
pub(crate) fn dash_operator(name: &str) -> Option<DashOperator> {
    use super::ast::{BinaryOp as B, CompareOp as C};
    let lower = name.to_ascii_lowercase();
    let cmp = |op: C, cs: bool| Some(DashOperator::Binary(B::Compare { op, case_sensitive: cs }, PREC_COMPARISON));
    let (base, cs) = match lower.as_bytes().first() {
        Some(b'c') if compare_base(&lower[1..]).is_some() || matches!(&lower[1..], "replace" | "split") => {
            (&lower[1..], true)
        }
        Some(b'i') if compare_base(&lower[1..]).is_some() || matches!(&lower[1..], "replace" | "split") => {
            (&lower[1..], false)
        }
        _ => (lower.as_str(), false),
    };
    if let Some(op) = compare_base(base) {
        return cmp(op, cs);
    }
    match base {
        "replace" => Some(DashOperator::Binary(B::Replace { case_sensitive: cs }, PREC_COMPARISON)),
        "split" if lower == base => Some(DashOperator::Binary(B::Split { case_sensitive: false }, PREC_COMPARISON)),
        "split" => Some(DashOperator::Binary(B::Split { case_sensitive: cs }, PREC_COMPARISON)),
        "join" => Some(DashOperator::Binary(B::Join, PREC_COMPARISON)),
        "is" => Some(DashOperator::Binary(B::Is, PREC_COMPARISON)),
        "isnot" => Some(DashOperator::Binary(B::IsNot, PREC_COMPARISON)),
        "and" => Some(DashOperator::Binary(B::And, PREC_LOGICAL)),
        "or" => Some(DashOperator::Binary(B::Or, PREC_LOGICAL)),
        "xor" => Some(DashOperator::Binary(B::Xor, PREC_LOGICAL)),
        "f" => Some(DashOperator::Binary(B::Format, PREC_FORMAT)),
        "band" | "bor" | "bxor" | "shl" | "shr" | "as" => Some(DashOperator::UnsupportedBinary),
        "not" => Some(DashOperator::Not),
        "bnot" => Some(DashOperator::UnsupportedUnary),
        _ => None,
    }
}

fn compare_base(s: &str) -> Option<super::ast::CompareOp> {
    use super::ast::CompareOp as C;
    Some(match s {
        "eq" => C::Eq,
        "ne" => C::Ne,
        "gt" => C::Gt,
        "ge" => C::Ge,
        "lt" => C::Lt,
        "le" => C::Le,
        "like" => C::Like,
        "notlike" => C::NotLike,
        "match" => C::Match,
        "notmatch" => C::NotMatch,
        "contains" => C::Contains,
        "notcontains" => C::NotContains,
        "in" => C::In,
        "notin" => C::NotIn,
        _ => return None,
    })
}

/// `-not`, `-bnot`, and the unary forms of `-split` / `-join` can start an expression.
pub(crate) fn is_unary_operator_name(name: &str) -> bool {
    matches!(name.to_ascii_lowercase().as_str(), "not" | "bnot" | "split" | "isplit" | "csplit" | "join")
}

/// The ASCII letters starting at `i` (an operator or parameter name in expression mode).
pub(crate) fn ascii_letters(src: &str, i: usize) -> &str {
    let rest = src.get(i..).unwrap_or("");
    let n = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
    &rest[..n]
}

// ---------------------------------------------------------------------------------------------
// Lenient tokenizer
// ---------------------------------------------------------------------------------------------

/// Splits a (possibly partial) command line into tokens for tab completion and colouring.
///
/// Never fails and never panics: an unterminated string becomes a string token running to the
/// end, an unknown character becomes a one-character bare word. It tracks command versus
/// argument versus expression position the way the parser does, so the first word of each
/// pipeline element is a [`TokenKind::CommandName`] and `-Name` after it a
/// [`TokenKind::Parameter`], while `-eq` inside `( … )` or after `$x` is an
/// [`TokenKind::Operator`].
pub fn tokenize_lenient(source: &str) -> Vec<Token> {
    let mut lx =
        Lenient { src: source, pos: 0, out: Vec::new(), state: State::CommandStart, stack: Vec::new(), last_kind: None };
    while lx.pos < source.len() {
        let before = lx.pos;
        lx.step();
        if lx.pos <= before {
            // Safety net: always make progress.
            lx.pos = before + char_at(source, before).map_or(1, char::len_utf8);
            lx.emit(TokenKind::BareWord, before);
        }
    }
    lx.out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting a command name or the start of an expression.
    CommandStart,
    /// After a command name: parameters and argument values.
    Argument,
    /// Inside an expression: operators, member names.
    Expression,
    /// At a key of a hash literal.
    HashKey,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    hash: bool,
    resume: State,
}

struct Lenient<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
    state: State,
    stack: Vec<Frame>,
    /// The last token other than a comment, newline or line continuation.
    last_kind: Option<TokenKind>,
}

const LENIENT_MAX_NESTING: usize = 200;

impl Lenient<'_> {
    fn at(&self, i: usize) -> Option<char> {
        char_at(self.src, i)
    }

    fn emit(&mut self, kind: TokenKind, start: usize) {
        if !matches!(kind, TokenKind::Comment | TokenKind::Newline | TokenKind::LineContinuation) {
            self.last_kind = Some(kind);
        }
        let end = self.pos.min(self.src.len()).max(start);
        self.out.push(Token { kind, span: Span::new(start, end), text: self.src[start..end].to_string() });
    }

    fn statement_start(&self) -> State {
        if self.stack.last().is_some_and(|f| f.hash) { State::HashKey } else { State::CommandStart }
    }

    /// The state after a complete value (string, variable, closing bracket).
    fn after_value(&self) -> State {
        match self.state {
            State::CommandStart | State::HashKey => State::Expression,
            s => s,
        }
    }

    fn open(&mut self, kind: TokenKind, start: usize, len: usize, hash: bool) {
        self.pos = start + len;
        self.emit(kind, start);
        let resume = self.after_value();
        self.stack.push(Frame { hash, resume });
        self.state = if hash { State::HashKey } else { State::CommandStart };
    }

    fn step(&mut self) {
        let start = self.pos;
        let Some(c) = self.at(start) else { return };
        let n = self.at(start + c.len_utf8());
        if is_blank(c) {
            self.pos += c.len_utf8();
            return;
        }
        match c {
            '\r' | '\n' => {
                self.pos += 1;
                if c == '\r' && n == Some('\n') {
                    self.pos += 1;
                }
                self.emit(TokenKind::Newline, start);
                self.state = self.statement_start();
            }
            '#' => {
                self.pos = self.src[start..].find(['\n', '\r']).map_or(self.src.len(), |k| start + k);
                self.emit(TokenKind::Comment, start);
            }
            '<' if n == Some('#') => {
                self.pos = self.src[start + 2..].find("#>").map_or(self.src.len(), |k| start + 2 + k + 2);
                self.emit(TokenKind::Comment, start);
            }
            '`' if n.is_some_and(is_newline) => {
                self.pos = start + 2;
                if n == Some('\r') && self.at(self.pos) == Some('\n') {
                    self.pos += 1;
                }
                self.emit(TokenKind::LineContinuation, start);
            }
            '(' => self.open(TokenKind::LParen, start, 1, false),
            '{' => self.open(TokenKind::LBrace, start, 1, false),
            '$' if n == Some('(') => self.open(TokenKind::DollarParen, start, 2, false),
            '@' if n == Some('(') => self.open(TokenKind::AtParen, start, 2, false),
            '@' if n == Some('{') => self.open(TokenKind::AtBrace, start, 2, true),
            ')' | '}' => {
                self.pos = start + 1;
                self.emit(if c == ')' { TokenKind::RParen } else { TokenKind::RBrace }, start);
                self.state = match self.stack.pop() {
                    Some(f) => f.resume,
                    None => State::Argument,
                };
            }
            ';' => {
                self.pos = start + 1;
                self.emit(TokenKind::Semicolon, start);
                self.state = self.statement_start();
            }
            '|' => {
                self.pos = start + if n == Some('|') { 2 } else { 1 };
                self.emit(if n == Some('|') { TokenKind::Operator } else { TokenKind::Pipe }, start);
                self.state = State::CommandStart;
            }
            '&' => {
                self.pos = start + if n == Some('&') { 2 } else { 1 };
                self.emit(if n == Some('&') { TokenKind::Operator } else { TokenKind::Ampersand }, start);
                self.state = State::CommandStart;
            }
            ',' => {
                self.pos = start + 1;
                self.emit(TokenKind::Comma, start);
                if self.state == State::CommandStart {
                    self.state = State::Expression;
                }
            }
            q if is_quote(q) => {
                self.pos = lenient_string_end(self.src, start, 0);
                self.emit(TokenKind::String, start);
                self.state = self.after_value();
            }
            '@' if n.is_some_and(is_quote) => {
                self.pos = lenient_here_string_end(self.src, start);
                self.emit(TokenKind::String, start);
                self.state = self.after_value();
            }
            _ if lenient_redirection_len(self.src, start) > 0 => {
                self.pos = start + lenient_redirection_len(self.src, start);
                self.emit(TokenKind::Redirection, start);
            }
            '$' if n.is_some_and(|n| n == '{' || is_var_start(n)) => self.variable(start, false),
            '@' if n.is_some_and(is_var_start) => self.variable(start, true),
            _ => match self.state {
                State::Argument => self.argument(start),
                State::Expression => self.expression(start),
                State::HashKey => {
                    if is_ident_start(c) {
                        self.identifier(start);
                        self.state = State::Expression;
                    } else {
                        self.expression(start);
                    }
                }
                State::CommandStart => self.command_start(start),
            },
        }
    }

    fn variable(&mut self, start: usize, splat: bool) {
        let end = if self.at(start + 1) == Some('{') {
            self.src[start..].find('}').map_or(self.src.len(), |k| start + k + 1)
        } else {
            scan_unbraced_variable(self.src, start).map_or_else(|e| e.span.end.max(start + 2), |(_, end)| end)
        };
        let end = end.min(self.src.len()).max(start + 1);
        let after = self.at(end);
        if self.state == State::Argument && !force_start(after) && !matches!(after, Some('.' | '[' | '=' | ':')) {
            // `$x-y` in argument mode is one expandable bare word.
            self.pos = lenient_word_end(self.src, start);
            self.emit(TokenKind::BareWord, start);
            return;
        }
        self.pos = end;
        self.emit(if splat { TokenKind::Splat } else { TokenKind::Variable }, start);
        self.state = self.after_value();
    }

    fn command_start(&mut self, start: usize) {
        let c = self.at(start).unwrap_or(' ');
        let n = self.at(start + c.len_utf8());
        if c.is_ascii_alphabetic() {
            let word = ascii_letters(self.src, start);
            let end = start + word.len();
            let boundary = force_start(self.at(end)) && !self.at(end).is_some_and(is_ident_follow);
            // After `|` or `(` PowerShell reads no statement, so `foreach`, `if` are command names.
            let statement = !matches!(self.last_kind, Some(TokenKind::Pipe | TokenKind::LParen));
            if boundary && statement && is_statement_keyword(word) {
                self.pos = end;
                self.emit(TokenKind::Keyword, start);
                self.state = State::Expression;
                return;
            }
        }
        let expression_start = match c {
            '[' | '!' | '+' => true,
            '.' => n.is_some_and(|d| d.is_ascii_digit()),
            d if d.is_ascii_digit() => scan_number(self.src, start, true).is_some(),
            d if is_dash(d) => match n {
                Some(l) if l.is_ascii_alphabetic() => is_unary_operator_name(ascii_letters(self.src, start + d.len_utf8())),
                Some('=') => false,
                _ => true,
            },
            _ => false,
        };
        if expression_start {
            self.state = State::Expression;
            self.expression(start);
        } else {
            self.pos = lenient_word_end(self.src, start);
            self.emit(TokenKind::CommandName, start);
            self.state = State::Argument;
        }
    }

    fn argument(&mut self, start: usize) {
        let c = self.at(start).unwrap_or(' ');
        let n = self.at(start + c.len_utf8());
        if is_dash(c) && n.is_some_and(|n| n.is_alphabetic() || n == '_' || n == '?') {
            let mut i = start + c.len_utf8();
            while let Some(ch) = self.at(i) {
                if is_blank(ch) || matches!(ch, '{' | '}' | '(' | ')' | ';' | ',' | '|' | '&' | '.' | '[' | '\n' | '\r') {
                    break;
                }
                if ch == ':' {
                    i += 1;
                    break;
                }
                if is_quote(ch) {
                    self.pos = lenient_word_end(self.src, start);
                    self.emit(TokenKind::BareWord, start);
                    return;
                }
                i += ch.len_utf8();
            }
            self.pos = i;
            self.emit(TokenKind::Parameter, start);
            return;
        }
        if c == '[' && force_start(n) {
            self.pos = start + 1;
            self.emit(TokenKind::LBracket, start);
            return;
        }
        self.pos = lenient_word_end(self.src, start);
        let kind = match scan_number(self.src, start, false) {
            Some((_, end)) if end == self.pos => TokenKind::Number,
            _ => TokenKind::BareWord,
        };
        self.emit(kind, start);
    }

    fn identifier(&mut self, start: usize) {
        let mut i = start;
        while let Some(c) = self.at(i) {
            if !is_ident_follow(c) {
                break;
            }
            i += c.len_utf8();
        }
        self.pos = i.max(start + self.at(start).map_or(1, char::len_utf8));
        let word = &self.src[start..self.pos];
        let else_clause = self.last_kind == Some(TokenKind::RBrace)
            && (word.eq_ignore_ascii_case("else") || word.eq_ignore_ascii_case("elseif"));
        self.emit(if else_clause { TokenKind::Keyword } else { TokenKind::BareWord }, start);
    }

    fn expression(&mut self, start: usize) {
        let c = self.at(start).unwrap_or(' ');
        let n = self.at(start + c.len_utf8());
        let two = |a: char, b: char| c == a && n == Some(b);
        match c {
            d if d.is_ascii_digit() || (d == '.' && n.is_some_and(|x| x.is_ascii_digit())) => {
                match scan_number(self.src, start, true) {
                    Some((_, end)) => {
                        self.pos = end;
                        self.emit(TokenKind::Number, start);
                    }
                    None => self.identifier(start),
                }
            }
            c if is_ident_start(c) => self.identifier(start),
            '[' => {
                self.pos = start + 1;
                self.emit(TokenKind::LBracket, start);
            }
            ']' => {
                self.pos = start + 1;
                self.emit(TokenKind::RBracket, start);
            }
            '.' if n == Some('.') => {
                self.pos = start + 2;
                self.emit(TokenKind::Operator, start);
            }
            '.' => {
                self.pos = start + 1;
                self.emit(TokenKind::Dot, start);
            }
            ':' if n == Some(':') => {
                self.pos = start + 2;
                self.emit(TokenKind::ColonColon, start);
            }
            d if is_dash(d) && n.is_some_and(|l| l.is_ascii_alphabetic()) => {
                self.pos = start + d.len_utf8() + ascii_letters(self.src, start + d.len_utf8()).len();
                self.emit(TokenKind::Operator, start);
            }
            _ => {
                let assignment = n == Some('=') && (c == '+' || c == '*' || c == '/' || c == '%' || is_dash(c));
                let len = if assignment || two('+', '+') || (is_dash(c) && n.is_some_and(is_dash)) {
                    c.len_utf8() + n.map_or(0, char::len_utf8)
                } else {
                    c.len_utf8()
                };
                self.pos = start + len;
                if matches!(c, '=' | '+' | '-' | '*' | '/' | '%' | '!') || is_dash(c) {
                    self.emit(TokenKind::Operator, start);
                    if c == '=' || assignment {
                        self.state = State::CommandStart;
                    }
                } else {
                    self.emit(TokenKind::BareWord, start);
                }
            }
        }
    }
}

fn is_statement_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "if", "elseif", "else", "foreach", "function", "filter", "workflow", "class", "enum", "try", "catch",
        "finally", "trap", "throw", "switch", "while", "do", "until", "for", "break", "continue", "return", "param",
        "begin", "process", "end", "dynamicparam", "using", "data", "configuration", "in",
    ];
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn lenient_redirection_len(src: &str, i: usize) -> usize {
    let c = char_at(src, i);
    let n = char_at(src, i + 1);
    let n2 = char_at(src, i + 2);
    match (c, n) {
        (Some('>'), Some('>')) => 2,
        (Some('>'), _) => 1,
        (Some('<'), Some('#')) => 0,
        (Some('<'), _) => 1,
        (Some('1'..='6' | '*'), Some('>')) => match n2 {
            Some('>') => 3,
            Some('&') if matches!(char_at(src, i + 3), Some('1' | '2')) => 4,
            _ => 2,
        },
        _ => 0,
    }
}

/// The end of a bare word: up to a character that forces a new token, stepping over quoted
/// parts, `$( … )` and backtick escapes.
fn lenient_word_end(src: &str, start: usize) -> usize {
    let mut i = start;
    while let Some(c) = char_at(src, i) {
        if force_start(Some(c)) && i > start {
            break;
        }
        if i == start && force_start(Some(c)) {
            return i + c.len_utf8();
        }
        i = match c {
            '`' => match char_at(src, i + 1) {
                Some(n) if is_newline(n) => break,
                Some(n) => i + 1 + n.len_utf8(),
                None => i + 1,
            },
            q if is_quote(q) => lenient_string_end(src, i, 0),
            '$' if char_at(src, i + 1) == Some('(') => lenient_subexpression_end(src, i + 2, 0),
            _ => i + c.len_utf8(),
        };
    }
    i.max(start + char_at(src, start).map_or(1, char::len_utf8)).min(src.len())
}

/// The end of a quoted string starting at `start` (the end of input if unterminated).
fn lenient_string_end(src: &str, start: usize, depth: usize) -> usize {
    let Some(q) = char_at(src, start) else { return src.len() };
    let single = is_single_quote(q);
    let mut i = start + q.len_utf8();
    while let Some(c) = char_at(src, i) {
        let same_kind = if single { is_single_quote(c) } else { is_double_quote(c) };
        if same_kind {
            let j = i + c.len_utf8();
            match char_at(src, j) {
                Some(d) if (single && is_single_quote(d)) || (!single && is_double_quote(d)) => i = j + d.len_utf8(),
                _ => return j,
            }
        } else if !single && c == '`' {
            i += 1 + char_at(src, i + 1).map_or(0, char::len_utf8);
        } else if !single && c == '$' && char_at(src, i + 1) == Some('(') && depth < LENIENT_MAX_NESTING {
            i = lenient_subexpression_end(src, i + 2, depth + 1);
        } else {
            i += c.len_utf8();
        }
    }
    src.len()
}

/// The end of `$( … )` whose body starts at `i` (the end of input if unclosed).
fn lenient_subexpression_end(src: &str, mut i: usize, depth: usize) -> usize {
    let mut parens = 1usize;
    while let Some(c) = char_at(src, i) {
        match c {
            '(' => {
                parens += 1;
                i += 1;
            }
            ')' => {
                parens -= 1;
                i += 1;
                if parens == 0 {
                    return i;
                }
            }
            '`' => i += 1 + char_at(src, i + 1).map_or(0, char::len_utf8),
            q if is_quote(q) && depth < LENIENT_MAX_NESTING => i = lenient_string_end(src, i, depth + 1),
            _ => i += c.len_utf8(),
        }
    }
    src.len()
}

/// The end of a here-string starting at `@` (the end of input if unterminated).
fn lenient_here_string_end(src: &str, start: usize) -> usize {
    let q = char_at(src, start + 1).unwrap_or('"');
    let single = is_single_quote(q);
    let mut i = start + 1 + q.len_utf8();
    while let Some(c) = char_at(src, i) {
        i += c.len_utf8();
        if is_newline(c)
            && let Some(f) = char_at(src, i) {
                let closes = if single { is_single_quote(f) } else { is_double_quote(f) };
                if closes && char_at(src, i + f.len_utf8()) == Some('@') {
                    return i + f.len_utf8() + 1;
                }
            }
    }
    src.len()
}

#[cfg(test)]
mod tests {
    use super::super::ast::Number;
    use super::super::token::TokenKind::{self, *};
    use super::{scan_number, tokenize_lenient};

    fn kinds(src: &str) -> Vec<(TokenKind, std::string::String)> {
        tokenize_lenient(src).into_iter().map(|t| (t.kind, t.text)).collect()
    }

    fn k(list: &[(TokenKind, &str)]) -> Vec<(TokenKind, std::string::String)> {
        list.iter().map(|(k, t)| (*k, t.to_string())).collect()
    }

    #[test]
    fn lenient_tokens() {
        let cases: &[(&str, &[(TokenKind, &str)])] = &[
            ("", &[]),
            (
                "Get-CASMailbox | ft Name, Mapi",
                &[(CommandName, "Get-CASMailbox"), (Pipe, "|"), (CommandName, "ft"), (BareWord, "Name"), (Comma, ","), (BareWord, "Mapi")],
            ),
            ("Set-CASMailbox alice -MAPIE", &[(CommandName, "Set-CASMailbox"), (BareWord, "alice"), (Parameter, "-MAPIE")]),
            ("Set-CASMailbox -", &[(CommandName, "Set-CASMailbox"), (BareWord, "-")]),
            ("Get-X -Confirm:$fa", &[(CommandName, "Get-X"), (Parameter, "-Confirm:"), (Variable, "$fa")]),
            ("Get-X 'unterminated str", &[(CommandName, "Get-X"), (String, "'unterminated str")]),
            ("Get-X \"a $(\"b\") c", &[(CommandName, "Get-X"), (String, "\"a $(\"b\") c")]),
            ("$x.Na", &[(Variable, "$x"), (Dot, "."), (BareWord, "Na")]),
            (
                "if ($a -eq 1) { Get-",
                &[
                    (Keyword, "if"),
                    (LParen, "("),
                    (Variable, "$a"),
                    (Operator, "-eq"),
                    (Number, "1"),
                    (RParen, ")"),
                    (LBrace, "{"),
                    (CommandName, "Get-"),
                ],
            ),
            (
                "Get-X (Get-Y -Na",
                &[(CommandName, "Get-X"), (LParen, "("), (CommandName, "Get-Y"), (Parameter, "-Na")],
            ),
            (
                "Get-X | ? { $_.MapiEnabled -eq $false } | Set-X -MAPIEnabled $true",
                &[
                    (CommandName, "Get-X"),
                    (Pipe, "|"),
                    (CommandName, "?"),
                    (LBrace, "{"),
                    (Variable, "$_"),
                    (Dot, "."),
                    (BareWord, "MapiEnabled"),
                    (Operator, "-eq"),
                    (Variable, "$false"),
                    (RBrace, "}"),
                    (Pipe, "|"),
                    (CommandName, "Set-X"),
                    (Parameter, "-MAPIEnabled"),
                    (Variable, "$true"),
                ],
            ),
            (
                "$m = Get-CASMailbox alice; $m.",
                &[
                    (Variable, "$m"),
                    (Operator, "="),
                    (CommandName, "Get-CASMailbox"),
                    (BareWord, "alice"),
                    (Semicolon, ";"),
                    (Variable, "$m"),
                    (Dot, "."),
                ],
            ),
            (
                "Get-X 42 10kb 1.2.3 https://x/y EX01\\mapi*",
                &[(CommandName, "Get-X"), (Number, "42"), (Number, "10kb"), (BareWord, "1.2.3"), (BareWord, "https://x/y"), (BareWord, "EX01\\mapi*")],
            ),
            (
                "Get-X @{n='a';e={$_.B}} > out.txt # c",
                &[
                    (CommandName, "Get-X"),
                    (AtBrace, "@{"),
                    (BareWord, "n"),
                    (Operator, "="),
                    (String, "'a'"),
                    (Semicolon, ";"),
                    (BareWord, "e"),
                    (Operator, "="),
                    (LBrace, "{"),
                    (Variable, "$_"),
                    (Dot, "."),
                    (BareWord, "B"),
                    (RBrace, "}"),
                    (RBrace, "}"),
                    (Redirection, ">"),
                    (BareWord, "out.txt"),
                    (Comment, "# c"),
                ],
            ),
            ("Get-X `\n -A", &[(CommandName, "Get-X"), (LineContinuation, "`\n"), (Parameter, "-A")]),
            ("-not $a", &[(Operator, "-not"), (Variable, "$a")]),
            ("[int]'5'", &[(LBracket, "["), (BareWord, "int"), (RBracket, "]"), (String, "'5'")]),
            ("@'\nabc", &[(String, "@'\nabc")]),
            ("Get-X @splat <# c", &[(CommandName, "Get-X"), (Splat, "@splat"), (Comment, "<# c")]),
            ("foreach ($m in $x) {", &[(Keyword, "foreach"), (LParen, "("), (Variable, "$m"), (BareWord, "in"), (Variable, "$x"), (RParen, ")"), (LBrace, "{")]),
            ("Get-X | foreach { $_ }", &[(CommandName, "Get-X"), (Pipe, "|"), (CommandName, "foreach"), (LBrace, "{"), (Variable, "$_"), (RBrace, "}")]),
            ("Get-X |\n  where Name", &[(CommandName, "Get-X"), (Pipe, "|"), (Newline, "\n"), (CommandName, "where"), (BareWord, "Name")]),
            (
                "if ($a) { 1 } else { Get-",
                &[
                    (Keyword, "if"),
                    (LParen, "("),
                    (Variable, "$a"),
                    (RParen, ")"),
                    (LBrace, "{"),
                    (Number, "1"),
                    (RBrace, "}"),
                    (Keyword, "else"),
                    (LBrace, "{"),
                    (CommandName, "Get-"),
                ],
            ),
            ("Get-X; if", &[(CommandName, "Get-X"), (Semicolon, ";"), (Keyword, "if")]),
        ];
        for (src, want) in cases {
            assert_eq!(kinds(src), k(want), "{src:?}");
        }
    }

    #[test]
    fn numbers() {
        let n = |s: &str, expr: bool| scan_number(s, 0, expr).map(|(n, end)| (n, end == s.len()));
        assert_eq!(n("42", false), Some((Number::Int(42), true)));
        assert_eq!(n("-42", false), Some((Number::Int(-42), true)));
        assert_eq!(n("\u{2013}42", false), Some((Number::Int(-42), true)));
        assert_eq!(n("+7", false), Some((Number::Int(7), true)));
        assert_eq!(n("1.5", false), Some((Number::Float(1.5), true)));
        assert_eq!(n(".5", false), Some((Number::Float(0.5), true)));
        assert_eq!(n("5.", false), Some((Number::Float(5.0), true)));
        assert_eq!(n("1e3", false), Some((Number::Float(1000.0), true)));
        assert_eq!(n("0x1F", false), Some((Number::Int(31), true)));
        assert_eq!(n("0xFFFFFFFF", false), Some((Number::Int(-1), true)));
        assert_eq!(n("0x100000000", false), Some((Number::Int(1 << 32), true)));
        assert_eq!(n("10kb", false), Some((Number::Int(10240), true)));
        assert_eq!(n("10KB", false), Some((Number::Int(10240), true)));
        assert_eq!(n("1.5mb", false), Some((Number::Float(1572864.0), true)));
        assert_eq!(n("1gb", false), Some((Number::Int(1 << 30), true)));
        assert_eq!(n("5l", false), Some((Number::Int(5), true)));
        assert_eq!(n("5d", false), Some((Number::Float(5.0), true)));
        assert_eq!(n("99999999999999999999", false), Some((Number::Float(1e20), true)));
        assert_eq!(n("-9223372036854775807", false), Some((Number::Int(-i64::MAX), true)));
        assert_eq!(n("-9223372036854775808", false), Some((Number::Float(-9223372036854775808.0), true)));
        for not_a_number in ["", "-", ".", "0x", "1e", "10k", "10kx", "5abc", "15.0.4569", "1..5", "1+1", "x1", "0xG"] {
            assert_eq!(n(not_a_number, false), None, "{not_a_number:?}");
        }
        // In expression mode an operator character ends the number.
        assert_eq!(scan_number("1+1", 0, true), Some((Number::Int(1), 1)));
        assert_eq!(scan_number("1..5", 0, true), Some((Number::Int(1), 1)));
        assert_eq!(scan_number("2]", 0, true), Some((Number::Int(2), 1)));
        assert_eq!(scan_number("5abc", 0, true), None);
    }
}
