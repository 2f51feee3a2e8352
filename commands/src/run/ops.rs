//! Operators with PowerShell semantics: comparisons convert the right side to the left side's
//! type, are case-insensitive unless `c`-prefixed, and filter when the left side is a collection.

use std::cmp::Ordering;

use crate::lang::ast::{BinaryOp, CompareOp, Span};
use crate::record::ErrorRecord;
use crate::value::Value;

pub fn binary(op: BinaryOp, l: Value, r: Value, span: Span) -> Result<Value, ErrorRecord> {
    match op {
        BinaryOp::Compare { op, case_sensitive } => compare_op(op, case_sensitive, l, r, span),
        BinaryOp::Add | BinaryOp::Subtract | BinaryOp::Multiply | BinaryOp::Divide | BinaryOp::Modulo => binary_arith(op, l, r, span),
        BinaryOp::And => Ok(Value::Bool(l.is_truthy() && r.is_truthy())),
        BinaryOp::Or => Ok(Value::Bool(l.is_truthy() || r.is_truthy())),
        BinaryOp::Xor => Ok(Value::Bool(l.is_truthy() != r.is_truthy())),
        BinaryOp::Range => {
            let (a, b) = (as_int(&l, span)?, as_int(&r, span)?);
            if (a - b).abs() > 10_000_000 {
                return Err(ErrorRecord::runtime("The range is too large.", "RangeTooLarge", span));
            }
            let items: Vec<Value> = if a <= b { (a..=b).map(Value::Int).collect() } else { (b..=a).rev().map(Value::Int).collect() };
            Ok(Value::List(items))
        }
        BinaryOp::Format => Ok(Value::String(format_operator(&l.to_text(), &r.into_items()))),
        BinaryOp::Join => Ok(Value::String(l.into_items().iter().map(Value::to_text).collect::<Vec<_>>().join(&r.to_text()))),
        BinaryOp::Split { case_sensitive } => {
            let re = regex_for(&r.to_text(), case_sensitive, span)?;
            Ok(Value::List(l.into_items().iter().flat_map(|s| re.split(&s.to_text()).map(|p| Value::String(p.to_string())).collect::<Vec<_>>()).collect()))
        }
        BinaryOp::Replace { case_sensitive } => {
            let parts = r.into_items();
            let pattern = parts.first().map(Value::to_text).unwrap_or_default();
            let replacement = parts.get(1).map(Value::to_text).unwrap_or_default();
            let re = regex_for(&pattern, case_sensitive, span)?;
            let replace_one = |v: &Value| Value::String(re.replace_all(&v.to_text(), dotnet_replacement(&replacement).as_str()).into_owned());
            Ok(match l {
                Value::List(items) => Value::List(items.iter().map(replace_one).collect()),
                other => replace_one(&other),
            })
        }
        BinaryOp::Is | BinaryOp::IsNot => {
            let wanted = r.to_text().trim_matches(|c| c == '[' || c == ']').to_ascii_lowercase();
            let actual = l.type_name().to_ascii_lowercase();
            let short = actual.rsplit('.').next().unwrap_or(&actual).to_string();
            let is = actual == wanted || short == wanted || (wanted == "string" && short == "string");
            Ok(Value::Bool(if matches!(op, BinaryOp::Is) { is } else { !is }))
        }
    }
}

fn dotnet_replacement(r: &str) -> String {
    // .NET writes group references as $1 like the regex crate, but ${name} is the same too; only
    // a literal "$" needs no change. Nothing to translate for the common cases.
    r.to_string()
}

fn as_int(v: &Value, span: Span) -> Result<i64, ErrorRecord> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) => Ok(f.round() as i64),
        Value::String(s) => s.trim().parse().map_err(|_| cannot_convert(v, "System.Int32", span)),
        Value::Bool(b) => Ok(*b as i64),
        Value::Null => Ok(0),
        _ => Err(cannot_convert(v, "System.Int32", span)),
    }
}

fn as_float(v: &Value, span: Span) -> Result<f64, ErrorRecord> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        Value::String(s) => s.trim().parse().map_err(|_| cannot_convert(v, "System.Double", span)),
        Value::Bool(b) => Ok(*b as i64 as f64),
        Value::Null => Ok(0.0),
        _ => Err(cannot_convert(v, "System.Double", span)),
    }
}

fn cannot_convert(v: &Value, to: &str, span: Span) -> ErrorRecord {
    ErrorRecord::runtime(
        format!("Cannot convert value \"{}\" to type \"{to}\". Error: \"Input string was not in a correct format.\"", v.to_text()),
        "InvalidCastFromStringToInteger",
        span,
    )
}

pub(crate) fn binary_arith(op: BinaryOp, l: Value, r: Value, span: Span) -> Result<Value, ErrorRecord> {
    match (op, l) {
        (BinaryOp::Add, Value::List(mut items)) => {
            items.extend(r.into_items_keep_null());
            Ok(Value::List(items))
        }
        (BinaryOp::Add, Value::String(s)) => Ok(Value::String(s + &r.to_text())),
        (BinaryOp::Add, Value::Hashtable(mut a)) => match r {
            Value::Hashtable(b) => {
                for (k, v) in b {
                    if a.iter().any(|(ak, _)| ak.eq_ignore_ascii_case(&k)) {
                        return Err(ErrorRecord::runtime(format!("Item has already been added. Key in dictionary: '{k}'"), "DuplicateKey", span));
                    }
                    a.push((k, v));
                }
                Ok(Value::Hashtable(a))
            }
            _ => Err(ErrorRecord::runtime("A hash table can only be added to another hash table.", "AddHashTableToNonHashTable", span)),
        },
        (BinaryOp::Add, Value::Null) => Ok(match r {
            Value::List(items) => Value::List(items),
            other => other,
        }),
        (BinaryOp::Multiply, Value::String(s)) => {
            let n = as_int(&r, span)?.max(0) as usize;
            Ok(Value::String(s.repeat(n.min(1_000_000))))
        }
        (op, l) => {
            let both_int = matches!((&l, &r), (Value::Int(_) | Value::Bool(_) | Value::Null, Value::Int(_) | Value::Bool(_) | Value::Null));
            if both_int && !matches!(op, BinaryOp::Divide) {
                let (a, b) = (as_int(&l, span)?, as_int(&r, span)?);
                let v = match op {
                    BinaryOp::Add => a.checked_add(b),
                    BinaryOp::Subtract => a.checked_sub(b),
                    BinaryOp::Multiply => a.checked_mul(b),
                    BinaryOp::Modulo if b == 0 => return Err(divide_by_zero(span)),
                    BinaryOp::Modulo => a.checked_rem(b),
                    _ => None,
                };
                return Ok(v.map(Value::Int).unwrap_or(Value::Float(arith_f(op, a as f64, b as f64))));
            }
            let (a, b) = (as_float(&l, span)?, as_float(&r, span)?);
            if matches!(op, BinaryOp::Divide | BinaryOp::Modulo) && b == 0.0 {
                return Err(divide_by_zero(span));
            }
            let f = arith_f(op, a, b);
            Ok(if f.fract() == 0.0 && f.abs() < 9e15 && matches!(op, BinaryOp::Divide) && both_int { Value::Int(f as i64) } else { Value::Float(f) })
        }
    }
}

fn divide_by_zero(span: Span) -> ErrorRecord {
    ErrorRecord::runtime("Attempted to divide by zero.", "RuntimeException", span)
}

fn arith_f(op: BinaryOp, a: f64, b: f64) -> f64 {
    match op {
        BinaryOp::Add => a + b,
        BinaryOp::Subtract => a - b,
        BinaryOp::Multiply => a * b,
        BinaryOp::Divide => a / b,
        BinaryOp::Modulo => a % b,
        _ => f64::NAN,
    }
}

impl Value {
    fn into_items_keep_null(self) -> Vec<Value> {
        match self {
            Value::List(items) => items,
            other => vec![other],
        }
    }
}

fn compare_op(op: CompareOp, cs: bool, l: Value, r: Value, span: Span) -> Result<Value, ErrorRecord> {
    use CompareOp::*;
    match op {
        Contains | NotContains => {
            let found = l.into_items_keep_null().iter().any(|item| equals(item, &r, cs));
            Ok(Value::Bool(found == matches!(op, Contains)))
        }
        In | NotIn => {
            let found = r.into_items_keep_null().iter().any(|item| equals(item, &l, cs));
            Ok(Value::Bool(found == matches!(op, In)))
        }
        _ => {
            if let Value::List(items) = l {
                let mut kept = Vec::new();
                for item in items {
                    if scalar_compare(op, cs, &item, &r, span)? {
                        kept.push(item);
                    }
                }
                return Ok(Value::List(kept));
            }
            Ok(Value::Bool(scalar_compare(op, cs, &l, &r, span)?))
        }
    }
}

fn scalar_compare(op: CompareOp, cs: bool, l: &Value, r: &Value, span: Span) -> Result<bool, ErrorRecord> {
    use CompareOp::*;
    Ok(match op {
        Eq => equals(l, r, cs),
        Ne => !equals(l, r, cs),
        Gt => compare_values(l, r, cs) == Ordering::Greater,
        Ge => compare_values(l, r, cs) != Ordering::Less,
        Lt => compare_values(l, r, cs) == Ordering::Less,
        Le => compare_values(l, r, cs) != Ordering::Greater,
        Like => wildcard_match(&r.to_text(), &l.to_text(), cs),
        NotLike => !wildcard_match(&r.to_text(), &l.to_text(), cs),
        Match => regex_for(&r.to_text(), cs, span)?.is_match(&l.to_text()),
        NotMatch => !regex_for(&r.to_text(), cs, span)?.is_match(&l.to_text()),
        Contains | NotContains | In | NotIn => false,
    })
}

fn regex_for(pattern: &str, case_sensitive: bool, span: Span) -> Result<regex::Regex, ErrorRecord> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(!case_sensitive)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| ErrorRecord::runtime(format!("The regular expression pattern {pattern} is not valid: {e}"), "InvalidRegularExpression", span))
}

/// `-eq`: the right side is converted to the left side's type.
fn equals(l: &Value, r: &Value, cs: bool) -> bool {
    match (l, r) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Bool(a), other) => *a == other.is_truthy(),
        (Value::Int(_) | Value::Float(_), _) => match (num(l), num(r)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        _ => {
            let (a, b) = (l.to_text(), r.to_text());
            if cs { a == b } else { a.to_lowercase() == b.to_lowercase() }
        }
    }
}

fn num(v: &Value) -> Option<f64> {
    v.as_number()
}

/// Ordering for sorting and `-gt`/`-lt`: numbers numerically, dates by time, text case-insensitively.
pub fn compare_values(l: &Value, r: &Value, cs: bool) -> Ordering {
    match (l, r) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::DateTime(a), Value::DateTime(b)) => a.cmp(b),
        (Value::Bool(a), other) => a.cmp(&other.is_truthy()),
        (Value::Int(_) | Value::Float(_), _) => match (num(l), num(r)) {
            (Some(a), Some(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            _ => l.to_text().cmp(&r.to_text()),
        },
        _ => {
            let (a, b) = (l.to_text(), r.to_text());
            if cs { a.cmp(&b) } else { a.to_lowercase().cmp(&b.to_lowercase()).then_with(|| b.cmp(&a)) }
        }
    }
}

/// PowerShell wildcards: `*`, `?`, `[abc]`, `[a-z]`, backtick escapes.
pub fn wildcard_match(pattern: &str, text: &str, case_sensitive: bool) -> bool {
    let fold = |s: &str| if case_sensitive { s.chars().collect::<Vec<_>>() } else { s.to_lowercase().chars().collect() };
    let (p, t) = (fold(pattern), fold(text));
    // Iterative matcher with one backtrack point for the last `*` (linear in practice).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = class_match(&p, pi, t[ti]) {
                        if matched {
                            pi = next;
                            ti += 1;
                            continue;
                        }
                    } else if t[ti] == '[' {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                '`' if pi + 1 < p.len() => {
                    if p[pi + 1] == t[ti] {
                        pi += 2;
                        ti += 1;
                        continue;
                    }
                }
                c if c == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

fn class_match(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let end = p[start + 1..].iter().position(|&x| x == ']')? + start + 1;
    let class = &p[start + 1..end];
    let mut i = 0;
    let mut matched = false;
    while i < class.len() {
        if i + 2 < class.len() && class[i + 1] == '-' {
            if class[i] <= c && c <= class[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if class[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    Some((matched, end + 1))
}

pub(crate) fn index(holder: &Value, index: &Value) -> Value {
    match (holder, index) {
        (Value::List(items), Value::List(indexes)) => Value::List(indexes.iter().map(|i| self::index(&Value::List(items.clone()), i)).collect()),
        (Value::List(items), i) => match num(i) {
            Some(f) => {
                let i = f as i64;
                let len = items.len() as i64;
                let at = if i < 0 { len + i } else { i };
                if at >= 0 && at < len { items[at as usize].clone() } else { Value::Null }
            }
            None => Value::Null,
        },
        // One object indexes like a one-element array: `(Get-CASMailbox bob)[0]` is bob.
        (Value::Object(_), i) if num(i).is_some() => match num(i) {
            Some(f) if f == 0.0 || f == -1.0 => holder.clone(),
            _ => Value::Null,
        },
        (Value::Hashtable(_), key) | (Value::Object(_), key) => holder.property(&key.to_text()).unwrap_or(Value::Null),
        (Value::String(s), i) => match num(i) {
            Some(f) => {
                let chars: Vec<char> = s.chars().collect();
                let i = f as i64;
                let at = if i < 0 { chars.len() as i64 + i } else { i };
                if at >= 0 && (at as usize) < chars.len() { Value::String(chars[at as usize].to_string()) } else { Value::Null }
            }
            None => Value::Null,
        },
        (Value::Null, _) => Value::Null,
        (other, i) if num(i) == Some(0.0) => other.clone(),
        _ => Value::Null,
    }
}

/// The few .NET methods scripts use on strings and collections.
pub fn method(holder: &Value, name: &str, args: &[Value], span: Span) -> Result<Value, ErrorRecord> {
    let text = || holder.to_text();
    let arg = |i: usize| args.get(i).map(Value::to_text).unwrap_or_default();
    let lname = name.to_ascii_lowercase();
    Ok(match (lname.as_str(), holder) {
        ("tostring", _) => Value::String(text()),
        ("toupper", _) => Value::String(text().to_uppercase()),
        ("tolower", _) => Value::String(text().to_lowercase()),
        ("trim", _) => Value::String(text().trim().to_string()),
        ("trimstart", _) => Value::String(text().trim_start().to_string()),
        ("trimend", _) => Value::String(text().trim_end().to_string()),
        ("startswith", _) => Value::Bool(text().to_lowercase().starts_with(&arg(0).to_lowercase())),
        ("endswith", _) => Value::Bool(text().to_lowercase().ends_with(&arg(0).to_lowercase())),
        ("contains", Value::List(items)) => Value::Bool(items.iter().any(|i| equals(i, args.first().unwrap_or(&Value::Null), true))),
        ("contains", _) => Value::Bool(text().contains(&arg(0))),
        ("replace", _) => Value::String(text().replace(&arg(0), &arg(1))),
        ("split", _) => {
            let seps: Vec<char> = arg(0).chars().collect();
            Value::List(text().split(|c| seps.contains(&c)).map(|s| Value::String(s.to_string())).collect())
        }
        ("substring", _) => {
            let chars: Vec<char> = text().chars().collect();
            let start = args.first().and_then(num).unwrap_or(0.0).max(0.0) as usize;
            let len = args.get(1).and_then(num).map(|l| l.max(0.0) as usize).unwrap_or(chars.len().saturating_sub(start));
            if start > chars.len() || start + len > chars.len() {
                return Err(ErrorRecord::runtime(
                    "Exception calling \"Substring\": \"Index and length must refer to a location within the string.\"",
                    "ArgumentOutOfRangeException",
                    span,
                ));
            }
            Value::String(chars[start..start + len].iter().collect())
        }
        _ => {
            return Err(ErrorRecord::runtime(
                format!("Method invocation failed because [{}] does not contain a method named '{name}'.", holder.type_name()),
                "MethodNotFound",
                span,
            ));
        }
    })
}

pub(crate) fn cast(type_name: &str, v: Value, span: Span) -> Result<Value, ErrorRecord> {
    let t = type_name.to_ascii_lowercase();
    let t = t.strip_prefix("system.").unwrap_or(&t);
    Ok(match t {
        "int" | "int32" | "int64" | "long" => Value::Int(as_int(&v, span)?),
        "double" | "float" | "decimal" => Value::Float(as_float(&v, span)?),
        "string" => Value::String(v.to_text()),
        "bool" | "boolean" => Value::Bool(v.is_truthy()),
        "array" | "object[]" | "string[]" => Value::List(v.into_items()),
        "guid" => match uuid::Uuid::parse_str(v.to_text().trim()) {
            Ok(g) => Value::Guid(g),
            Err(_) => return Err(cannot_convert(&v, "System.Guid", span)),
        },
        "pscustomobject" => match v {
            Value::Hashtable(entries) => super::eval::object_from_hashtable(entries),
            other => other,
        },
        "hashtable" | "ordered" => v,
        _ => {
            return Err(ErrorRecord::runtime(
                format!("Unable to find type [{type_name}]. mapish knows int, long, double, string, bool, array, guid, pscustomobject and hashtable."),
                "TypeNotFound",
                span,
            ));
        }
    })
}

fn format_operator(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    spec.push(c);
                }
                let index: usize = spec.split([',', ':']).next().and_then(|s| s.trim().parse().ok()).unwrap_or(usize::MAX);
                out.push_str(&args.get(index).map(Value::to_text).unwrap_or_default());
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*url*", "InternalUrl", false));
        assert!(wildcard_match("mapi*", "mapi (Default Web Site)", false));
        assert!(!wildcard_match("mapi*", "EX01\\mapi (Default Web Site)", false));
        assert!(wildcard_match("EX0?\\mapi*", "ex01\\mapi (x)", false));
        assert!(!wildcard_match("EX0?", "ex01", true));
        assert!(wildcard_match("[a-c]*", "bob", false));
        assert!(wildcard_match("*", "", false));
    }

    #[test]
    fn equality_converts_the_right_side() {
        assert!(equals(&Value::Bool(false), &Value::Bool(false), false));
        assert!(equals(&Value::Int(1), &Value::str("1"), false));
        assert!(equals(&Value::str("ABC"), &Value::str("abc"), false));
        assert!(!equals(&Value::str("ABC"), &Value::str("abc"), true));
    }

    #[test]
    fn comparison_on_a_list_filters() {
        let l = Value::List(vec![Value::Int(1), Value::Int(2), Value::Int(1)]);
        let r = compare_op(CompareOp::Eq, false, l, Value::Int(1), Span::default()).unwrap();
        assert!(matches!(r, Value::List(ref v) if v.len() == 2));
    }

    #[test]
    fn format_operator_fills_placeholders() {
        assert_eq!(format_operator("{0}-{1} {{x}}", &[Value::str("a"), Value::Int(2)]), "a-2 {x}");
    }
}
