//! Evaluating statements and expressions.

use std::sync::Arc;

use crate::lang::ast::{AssignOp, Expr, ExprKind, Number, Statement, StringPart, UnaryOp};
use crate::record::ErrorRecord;
use crate::value::{PsObject, Value};

use super::host::Host;
use super::ops;
use super::pipeline::run_pipeline;
use super::Session;

pub(crate) fn statement(session: &mut Session, st: &Statement, host: &mut dyn Host, out: &mut Vec<Value>) -> Result<(), ErrorRecord> {
    match st {
        Statement::Pipeline(p) => run_pipeline(session, p, host, out),
        Statement::Assignment { target, op, value, span } => {
            let mut produced = Vec::new();
            run_pipeline(session, value, host, &mut produced)?;
            let new_value = collapse(produced);
            assign(session, target, *op, new_value, host).map(|_| ()).map_err(|e| e.at(*span))
        }
        Statement::If { clauses, else_body, .. } => {
            for (cond, body) in clauses {
                let mut produced = Vec::new();
                run_pipeline(session, cond, host, &mut produced)?;
                if collapse(produced).is_truthy() {
                    return block(session, &body.statements, host, out);
                }
            }
            match else_body {
                Some(body) => block(session, &body.statements, host, out),
                None => Ok(()),
            }
        }
        Statement::Foreach { variable, iterable, body, .. } => {
            let mut items = Vec::new();
            run_pipeline(session, iterable, host, &mut items)?;
            for item in items.into_iter().flat_map(Value::into_items) {
                session.set_variable(variable, item).map_err(|m| ErrorRecord::runtime(m, "VariableNotWritable", st_span(st)))?;
                block(session, &body.statements, host, out)?;
            }
            Ok(())
        }
    }
}

fn st_span(st: &Statement) -> crate::lang::ast::Span {
    match st {
        Statement::Pipeline(p) => p.span,
        Statement::Assignment { span, .. } | Statement::If { span, .. } | Statement::Foreach { span, .. } => *span,
    }
}

fn block(session: &mut Session, statements: &[Statement], host: &mut dyn Host, out: &mut Vec<Value>) -> Result<(), ErrorRecord> {
    for s in statements {
        statement(session, s, host, out)?;
    }
    Ok(())
}

/// Pipeline output as one value: nothing → $null, one object → itself, several → a list.
pub(crate) fn collapse(mut values: Vec<Value>) -> Value {
    match values.len() {
        0 => Value::Null,
        1 => values.remove(0),
        _ => Value::List(values),
    }
}

/// One step of an assignment target after the root variable: `.Name` or `[index]`.
enum Step {
    Member(String),
    Index(Value),
}

/// Assigns (`=`, `+=`, `-=`) to a variable or to a member/element chain below one
/// (`$a.b[0].c += 1`), and returns the value now stored, which is the value of `($x += 1)`.
fn assign(session: &mut Session, target: &Expr, op: AssignOp, value: Value, host: &mut dyn Host) -> Result<Value, ErrorRecord> {
    let mut steps = Vec::new();
    let mut root = target;
    loop {
        match &root.kind {
            ExprKind::Variable(_) => break,
            ExprKind::Member { target: inner, member } => {
                steps.push(Step::Member(self::expr(session, member, host)?.to_text()));
                root = inner;
            }
            ExprKind::Index { target: inner, index } => {
                steps.push(Step::Index(self::expr(session, index, host)?));
                root = inner;
            }
            _ => return Err(invalid_assignment(target)),
        }
    }
    let ExprKind::Variable(var) = &root.kind else { return Err(invalid_assignment(target)) };
    // Member and index expressions were read right to left; they apply left to right.
    steps.reverse();
    let combine = |old: Value, new: Value| -> Result<Value, ErrorRecord> {
        match op {
            AssignOp::Assign => Ok(new),
            AssignOp::Add => ops::binary_arith(crate::lang::ast::BinaryOp::Add, old, new, target.span),
            AssignOp::Subtract => ops::binary_arith(crate::lang::ast::BinaryOp::Subtract, old, new, target.span),
        }
    };
    let mut holder = session.variable(var).unwrap_or(Value::Null);
    let stored = if steps.is_empty() {
        holder = combine(holder, value)?;
        holder.clone()
    } else {
        set_path(&mut holder, &steps, &combine, value, target.span)?
    };
    session.set_variable(var, holder).map_err(|m| ErrorRecord::runtime(m, "VariableNotWritable", target.span))?;
    Ok(stored)
}

fn property_missing(member: &str, span: crate::lang::ast::Span) -> ErrorRecord {
    ErrorRecord::runtime(
        format!("The property '{member}' cannot be found on this object. Verify that the property exists and can be set."),
        "PropertyAssignmentException",
        span,
    )
}

/// The slot one step names inside `holder`, created for hashtable keys that do not exist yet.
fn slot<'v>(holder: &'v mut Value, step: &Step, span: crate::lang::ast::Span) -> Result<&'v mut Value, ErrorRecord> {
    match (holder, step) {
        (Value::Object(obj), Step::Member(member)) => {
            let obj = Arc::make_mut(obj);
            match obj.properties.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(member)) {
                Some(slot) => Ok(&mut slot.1),
                None => Err(property_missing(member, span)),
            }
        }
        (Value::Hashtable(entries), Step::Member(key)) => Ok(hashtable_slot(entries, key.clone())),
        (Value::Hashtable(entries), Step::Index(key)) => Ok(hashtable_slot(entries, key.to_text())),
        (Value::List(items), Step::Index(i)) => {
            let len = items.len() as i64;
            let i = match i {
                Value::Int(i) => *i,
                other => other.to_text().trim().parse::<i64>().map_err(|_| ErrorRecord::runtime("Array assignment failed because the index is not a number.", "ArrayAssignmentFailed", span))?,
            };
            let at = if i < 0 { len + i } else { i };
            if at < 0 || at >= len {
                return Err(ErrorRecord::runtime("Index was outside the bounds of the array.", "IndexOutOfRange", span));
            }
            Ok(&mut items[at as usize])
        }
        (Value::Null, Step::Index(_)) => Err(ErrorRecord::runtime("Cannot index into a null array.", "NullArray", span)),
        (_, Step::Member(member)) => Err(property_missing(member, span)),
        (_, Step::Index(_)) => Err(ErrorRecord::runtime("Unable to index into an object of this type.", "CannotIndex", span)),
    }
}

fn hashtable_slot(entries: &mut Vec<(String, Value)>, key: String) -> &mut Value {
    let at = match entries.iter().position(|(k, _)| k.eq_ignore_ascii_case(&key)) {
        Some(i) => i,
        None => {
            entries.push((key, Value::Null));
            entries.len() - 1
        }
    };
    &mut entries[at].1
}

fn set_path(
    holder: &mut Value,
    steps: &[Step],
    combine: &dyn Fn(Value, Value) -> Result<Value, ErrorRecord>,
    value: Value,
    span: crate::lang::ast::Span,
) -> Result<Value, ErrorRecord> {
    let Some((first, rest)) = steps.split_first() else { return Ok(Value::Null) };
    let target = slot(holder, first, span)?;
    if rest.is_empty() {
        let old = std::mem::replace(target, Value::Null);
        *target = combine(old, value)?;
        Ok(target.clone())
    } else {
        set_path(target, rest, combine, value, span)
    }
}

fn invalid_assignment(target: &Expr) -> ErrorRecord {
    ErrorRecord::runtime(
        "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.",
        "InvalidLeftHandSide",
        target.span,
    )
}

/// An argument in command mode: the same as an expression.
pub(crate) fn arg_expr(session: &mut Session, e: &Expr, host: &mut dyn Host) -> Result<Value, ErrorRecord> {
    expr(session, e, host)
}

pub(crate) fn expr(session: &mut Session, e: &Expr, host: &mut dyn Host) -> Result<Value, ErrorRecord> {
    Ok(match &e.kind {
        ExprKind::BareWord(w) => Value::String(w.clone()),
        ExprKind::SingleQuoted(s) => Value::String(s.clone()),
        ExprKind::DoubleQuoted(parts) => {
            let mut text = String::new();
            for part in parts {
                match part {
                    StringPart::Text(t) => text.push_str(t),
                    StringPart::Variable { name, .. } => text.push_str(&session.variable(name).unwrap_or(Value::Null).to_text()),
                    StringPart::SubExpr(script) => {
                        let mut produced = Vec::new();
                        for s in &script.statements {
                            statement(session, s, host, &mut produced)?;
                        }
                        text.push_str(&collapse(produced).to_text());
                    }
                }
            }
            Value::String(text)
        }
        ExprKind::Number(Number::Int(i)) => Value::Int(*i),
        ExprKind::Number(Number::Float(f)) => Value::Float(*f),
        ExprKind::Variable(name) => session.variable(name).unwrap_or(Value::Null),
        ExprKind::List(items) => {
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                values.push(expr(session, item, host)?);
            }
            Value::List(values)
        }
        ExprKind::ArrayExpr(script) => {
            let mut produced = Vec::new();
            for s in &script.statements {
                statement(session, s, host, &mut produced)?;
            }
            Value::List(produced.into_iter().flat_map(Value::into_items).collect())
        }
        ExprKind::SubExpr(script) => {
            let mut produced = Vec::new();
            for s in &script.statements {
                statement(session, s, host, &mut produced)?;
            }
            collapse(produced)
        }
        ExprKind::Paren(pipeline) => {
            let mut produced = Vec::new();
            run_pipeline(session, pipeline, host, &mut produced)?;
            collapse(produced)
        }
        ExprKind::Hashtable(entries) => {
            let mut table: Vec<(String, Value)> = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                let key = expr(session, key, host)?.to_text();
                let mut produced = Vec::new();
                run_pipeline(session, value, host, &mut produced)?;
                let value = collapse(produced);
                match table.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&key)) {
                    Some(_) => {
                        return Err(ErrorRecord::runtime(
                            format!("Duplicate keys '{key}' are not allowed in hash literals."),
                            "DuplicateKeyInHashLiteral",
                            e.span,
                        ));
                    }
                    None => table.push((key, value)),
                }
            }
            Value::Hashtable(table)
        }
        ExprKind::ScriptBlock(block) => Value::ScriptBlock(block.clone()),
        ExprKind::Member { target, member } => {
            let holder = expr(session, target, host)?;
            let name = expr(session, member, host)?.to_text();
            holder.property(&name).unwrap_or(Value::Null)
        }
        ExprKind::Index { target, index } => {
            let holder = expr(session, target, host)?;
            let index = expr(session, index, host)?;
            ops::index(&holder, &index)
        }
        ExprKind::MethodCall { target, name, args } => {
            let holder = expr(session, target, host)?;
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(expr(session, a, host)?);
            }
            ops::method(&holder, name, &values, e.span)?
        }
        ExprKind::Cast { type_name, operand } => {
            let v = expr(session, operand, host)?;
            ops::cast(type_name, v, e.span)?
        }
        ExprKind::TypeLiteral(name) => Value::String(name.clone()),
        ExprKind::Splat(name) => {
            return Err(ErrorRecord::runtime(
                format!("Splatting (@{name}) is not supported by mapish; pass the parameters by name."),
                "NotSupportedByMapish",
                e.span,
            ));
        }
        ExprKind::Unary { op, operand } => {
            let v = expr(session, operand, host)?;
            match op {
                UnaryOp::Not => Value::Bool(!v.is_truthy()),
                UnaryOp::Comma => Value::List(vec![v]),
                UnaryOp::Plus => v,
                UnaryOp::Negate => ops::binary_arith(crate::lang::ast::BinaryOp::Subtract, Value::Int(0), v, e.span)?,
            }
        }
        ExprKind::Assign { target, op, value } => {
            let mut produced = Vec::new();
            run_pipeline(session, value, host, &mut produced)?;
            assign(session, target, *op, collapse(produced), host).map_err(|err| err.at(e.span))?
        }
        ExprKind::Binary { op, lhs, rhs } => {
            use crate::lang::ast::BinaryOp;
            match op {
                BinaryOp::And => {
                    let l = expr(session, lhs, host)?;
                    if !l.is_truthy() {
                        return Ok(Value::Bool(false));
                    }
                    Value::Bool(expr(session, rhs, host)?.is_truthy())
                }
                BinaryOp::Or => {
                    let l = expr(session, lhs, host)?;
                    if l.is_truthy() {
                        return Ok(Value::Bool(true));
                    }
                    Value::Bool(expr(session, rhs, host)?.is_truthy())
                }
                _ => {
                    let l = expr(session, lhs, host)?;
                    let r = expr(session, rhs, host)?;
                    ops::binary(*op, l, r, e.span)?
                }
            }
        }
    })
}

/// Builds an object from a hashtable (`[pscustomobject]@{…}`).
pub(crate) fn object_from_hashtable(entries: Vec<(String, Value)>) -> Value {
    let mut obj = PsObject::new("System.Management.Automation.PSCustomObject");
    obj.properties = entries;
    Value::Object(Arc::new(obj))
}
