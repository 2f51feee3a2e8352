//! OPATH `-Filter` for Get-CASMailbox and Get-Mailbox (cmdlets.md §1.5): `"Property -Operator
//! 'Value'"` clauses joined with -and, -or, -not and parentheses, evaluated against the stored
//! mailbox before any output object is built, so a filter over 100k mailboxes stays cheap.
//!
//! Only the properties Exchange documents as filterable for the cmdlet are accepted; the others
//! fail with Exchange's "is not a recognized filterable property" error, plus a pointer to
//! Where-Object (MapiHttpEnabled and MAPIBlockOutlookRpcHttp are the ones admins hit).

mod fields;

pub use fields::{Field, FieldSet, Kind, CAS_MAILBOX_FIELDS, MAILBOX_FIELDS};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use mapish_store::Mailbox;

use crate::run::wildcard_match;
use crate::value::Value;

use fields::FieldValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
    NotLike,
}

/// A value on the right of an operator, already converted to the property's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Null,
    Text(String),
    Bool(bool),
    Guid(uuid::Uuid),
    Date(DateTime<Utc>),
}

#[derive(Debug, Clone)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare { field: &'static Field, op: Op, value: Operand },
}

/// Why a filter was refused; the text goes after Exchange's `Exception setting "Filter":`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n\"{filter}\" at position {position}.")]
    Syntax { filter: String, position: usize },
    #[error("\"{name}\" is not a recognized filterable property. Valid property names are: {valid}. {hint}")]
    NotFilterable { name: String, valid: String, hint: String },
    #[error("\"{name}\" is filterable in Exchange, but mapish does not store it, so no mailbox could match. Filter on one of: {valid}.")]
    NotStored { name: String, valid: String },
    #[error("The value \"{value}\" could not be converted to type {type_name} for the property \"{name}\".")]
    BadValue { name: String, value: String, type_name: &'static str },
    #[error("The operator -{op} can't be used with the property \"{name}\" of type {type_name}: {why}")]
    BadOperator { name: String, op: String, type_name: &'static str, why: &'static str },
    #[error("The variable ${name} in the filter has no value in this session. Put the value in quotes or set the variable first.")]
    UnknownVariable { name: String },
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    LParen,
    RParen,
    /// `-eq`, `-and` … (lower-cased, without the dash).
    Operator(String),
    Word(String),
    Quoted(String),
    Variable(String),
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let syntax = |at: usize| FilterError::Syntax { filter: text.to_string(), position: at + 1 };
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                tokens.push((Token::LParen, start));
                i += 1;
            }
            ')' => {
                tokens.push((Token::RParen, start));
                i += 1;
            }
            '\'' | '"' | '\u{2018}' | '\u{2019}' | '\u{201c}' | '\u{201d}' => {
                let double = matches!(c, '"' | '\u{201c}' | '\u{201d}');
                let is_close = |x: char| if double { matches!(x, '"' | '\u{201c}' | '\u{201d}') } else { matches!(x, '\'' | '\u{2018}' | '\u{2019}') };
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(syntax(start)),
                        // A doubled quote inside the string stands for one.
                        Some(&x) if is_close(x) && chars.get(i + 1).is_some_and(|&y| is_close(y)) => {
                            s.push(x);
                            i += 2;
                        }
                        Some(&x) if is_close(x) => {
                            i += 1;
                            break;
                        }
                        Some(&x) => {
                            s.push(x);
                            i += 1;
                        }
                    }
                }
                tokens.push((Token::Quoted(s), start));
            }
            '-' | '\u{2013}' | '\u{2014}' if chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()) => {
                i += 1;
                let mut word = String::new();
                while let Some(&x) = chars.get(i).filter(|x| x.is_ascii_alphabetic()) {
                    word.push(x.to_ascii_lowercase());
                    i += 1;
                }
                tokens.push((Token::Operator(word), start));
            }
            '$' => {
                i += 1;
                let mut name = String::new();
                while let Some(&x) = chars.get(i).filter(|x| x.is_alphanumeric() || **x == '_' || **x == ':') {
                    name.push(x);
                    i += 1;
                }
                if name.is_empty() {
                    return Err(syntax(start));
                }
                tokens.push((Token::Variable(name), start));
            }
            _ => {
                let mut word = String::new();
                while let Some(&x) = chars.get(i).filter(|x| !x.is_whitespace() && !matches!(x, '(' | ')' | '\'' | '"')) {
                    word.push(x);
                    i += 1;
                }
                tokens.push((Token::Word(word), start));
            }
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<(Token, usize)>,
    pos: usize,
    fields: &'static FieldSet,
    variable: &'a dyn Fn(&str) -> Option<Value>,
}

impl Parser<'_> {
    fn syntax_here(&self) -> FilterError {
        let at = self.tokens.get(self.pos).map(|t| t.1).unwrap_or(self.text.chars().count());
        FilterError::Syntax { filter: self.text.to_string(), position: at + 1 }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|t| &t.0)
    }

    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while matches!(self.peek(), Some(Token::Operator(o)) if o == "or") {
            self.pos += 1;
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.unary()?;
        while matches!(self.peek(), Some(Token::Operator(o)) if o == "and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        match self.peek() {
            Some(Token::Operator(o)) if o == "not" => {
                self.pos += 1;
                Ok(Filter::Not(Box::new(self.unary()?)))
            }
            Some(Token::LParen) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::RParen) {
                    return Err(self.syntax_here());
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Token::Word(_)) => self.comparison(),
            _ => Err(self.syntax_here()),
        }
    }

    fn comparison(&mut self) -> Result<Filter, FilterError> {
        let Some(Token::Word(name)) = self.peek().cloned() else { return Err(self.syntax_here()) };
        self.pos += 1;
        let op = match self.peek() {
            Some(Token::Operator(o)) => match o.as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "lt" => Op::Lt,
                "gt" => Op::Gt,
                "le" => Op::Le,
                "ge" => Op::Ge,
                "like" => Op::Like,
                "notlike" => Op::NotLike,
                _ => return Err(self.syntax_here()),
            },
            _ => return Err(self.syntax_here()),
        };
        let op_text = match self.peek() {
            Some(Token::Operator(o)) => o.clone(),
            _ => String::new(),
        };
        self.pos += 1;
        let raw = match self.peek().cloned() {
            Some(Token::Quoted(s)) | Some(Token::Word(s)) => Value::String(s),
            Some(Token::Variable(v)) => match v.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => (self.variable)(&v).ok_or(FilterError::UnknownVariable { name: v.clone() })?,
            },
            _ => return Err(self.syntax_here()),
        };
        self.pos += 1;
        let field = self.fields.find(&name)?;
        check_operator(field, op, &op_text, raw.is_null())?;
        let value = convert(field, &raw)?;
        Ok(Filter::Compare { field, op, value })
    }
}

/// Parses a -Filter text for the given property set. `variable` resolves `$name` references
/// other than `$true`, `$false` and `$null` (a filter in single quotes keeps them unexpanded).
pub fn parse(text: &str, fields: &'static FieldSet, variable: &dyn Fn(&str) -> Option<Value>) -> Result<Filter, FilterError> {
    let tokens = tokenize(text)?;
    let mut p = Parser { text, tokens, pos: 0, fields, variable };
    if p.tokens.is_empty() {
        return Err(p.syntax_here());
    }
    let filter = p.or()?;
    if p.pos != p.tokens.len() {
        return Err(p.syntax_here());
    }
    Ok(filter)
}

fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    for f in ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    for f in ["%m/%d/%Y", "%Y-%m-%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return d.and_hms_opt(0, 0, 0).map(|d| Utc.from_utc_datetime(&d));
        }
    }
    None
}

fn convert(field: &Field, raw: &Value) -> Result<Operand, FilterError> {
    if raw.is_null() {
        return Ok(Operand::Null);
    }
    let text = raw.to_text();
    let bad = || FilterError::BadValue { name: field.name.to_string(), value: text.clone(), type_name: field.kind.type_name() };
    Ok(match field.kind {
        Kind::Text | Kind::TextList => Operand::Text(text.clone()),
        Kind::Bool => match raw {
            Value::Bool(b) => Operand::Bool(*b),
            _ => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "$true" | "1" => Operand::Bool(true),
                "false" | "$false" | "0" => Operand::Bool(false),
                _ => return Err(bad()),
            },
        },
        Kind::Guid => Operand::Guid(uuid::Uuid::parse_str(text.trim().trim_matches(|c| c == '{' || c == '}')).map_err(|_| bad())?),
        Kind::Date => match raw {
            Value::DateTime(d) => Operand::Date(*d),
            _ => Operand::Date(parse_date(&text).ok_or_else(bad)?),
        },
    })
}

fn check_operator(field: &Field, op: Op, op_text: &str, null: bool) -> Result<(), FilterError> {
    let refuse = |why: &'static str| {
        Err(FilterError::BadOperator { name: field.name.to_string(), op: op_text.to_string(), type_name: field.kind.type_name(), why })
    };
    match (op, field.kind) {
        (Op::Like | Op::NotLike, Kind::Bool | Kind::Guid | Kind::Date) => refuse("wildcards work only on text properties; use -eq or -ne."),
        (Op::Lt | Op::Gt | Op::Le | Op::Ge, Kind::Bool | Kind::Guid) => refuse("only -eq and -ne compare this type."),
        (Op::Lt | Op::Gt | Op::Le | Op::Ge | Op::Like | Op::NotLike, _) if null => refuse("$null works only with -eq and -ne."),
        _ => Ok(()),
    }
}

impl Filter {
    /// Whether a stored mailbox passes the filter.
    pub fn matches(&self, m: &Mailbox) -> bool {
        match self {
            Filter::And(a, b) => a.matches(m) && b.matches(m),
            Filter::Or(a, b) => a.matches(m) || b.matches(m),
            Filter::Not(a) => !a.matches(m),
            Filter::Compare { field, op, value } => compare(&(field.get)(m), *op, value),
        }
    }
}

fn compare(actual: &FieldValue, op: Op, value: &Operand) -> bool {
    use std::cmp::Ordering;
    let ordered = |o: Ordering| match op {
        Op::Lt => o == Ordering::Less,
        Op::Gt => o == Ordering::Greater,
        Op::Le => o != Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Like | Op::NotLike => false,
    };
    match (actual, value) {
        (FieldValue::Texts(items), Operand::Null) => (items.iter().all(String::is_empty)) == (op == Op::Eq),
        (FieldValue::Texts(items), Operand::Text(t)) => match op {
            Op::Like => items.iter().any(|i| wildcard_match(t, i, false)),
            Op::NotLike => !items.iter().any(|i| wildcard_match(t, i, false)),
            Op::Ne => !items.iter().any(|i| i.to_lowercase() == t.to_lowercase()),
            _ => items.iter().any(|i| ordered(i.to_lowercase().cmp(&t.to_lowercase()))),
        },
        (FieldValue::Text(s), Operand::Null) => s.as_ref().is_none_or(String::is_empty) == (op == Op::Eq),
        (FieldValue::Text(s), Operand::Text(t)) => {
            let s = s.clone().unwrap_or_default();
            match op {
                Op::Like => wildcard_match(t, &s, false),
                Op::NotLike => !wildcard_match(t, &s, false),
                _ => ordered(s.to_lowercase().cmp(&t.to_lowercase())),
            }
        }
        (FieldValue::Bool(b), Operand::Null) => b.is_none() == (op == Op::Eq),
        (FieldValue::Bool(b), Operand::Bool(v)) => match op {
            Op::Eq => *b == Some(*v),
            Op::Ne => *b != Some(*v),
            _ => false,
        },
        (FieldValue::Guid(g), Operand::Guid(v)) => (g == v) == (op == Op::Eq),
        (FieldValue::Guid(_), Operand::Null) => op == Op::Ne,
        (FieldValue::Date(d), Operand::Date(v)) => ordered(d.cmp(v)),
        (FieldValue::Date(_), Operand::Null) => op == Op::Ne,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
