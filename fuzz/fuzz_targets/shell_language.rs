//! The shell's language front end: lexer, parser and binder. Any text must give a tree or a
//! positioned ParseError, the lenient tokenizer must never fail, and binding the literal arguments
//! of every command call against its declaration must give a binding or an error record — never a
//! panic. Nothing is evaluated, so no input can touch the store or the file system.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapish_commands::bind::{bind_arguments, finish_binding, RawArg};
use mapish_commands::cmdlets;
use mapish_commands::lang::ast::{CommandArg, Expr, ExprKind, Number, PipelineElement, Script, Statement};
use mapish_commands::lang::{parse, tokenize_lenient};
use mapish_commands::value::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for t in tokenize_lenient(text) {
        assert!(t.span.start <= t.span.end && t.span.end <= text.len());
    }
    match parse(text) {
        Ok(script) => bind_all(&script),
        Err(e) => assert!(e.span.start <= e.span.end && e.span.end <= text.len()),
    }
});

/// The value a literal argument stands for; anything needing evaluation becomes a string.
fn literal(e: &Expr) -> Value {
    match &e.kind {
        ExprKind::BareWord(s) | ExprKind::SingleQuoted(s) => Value::String(s.clone()),
        ExprKind::Number(Number::Int(i)) => Value::Int(*i),
        ExprKind::Number(Number::Float(f)) => Value::Float(*f),
        ExprKind::Variable(v) if v.eq_ignore_ascii_case("true") => Value::Bool(true),
        ExprKind::Variable(v) if v.eq_ignore_ascii_case("false") => Value::Bool(false),
        ExprKind::Variable(v) if v.eq_ignore_ascii_case("null") => Value::Null,
        ExprKind::List(items) => Value::List(items.iter().map(literal).collect()),
        _ => Value::String("x".into()),
    }
}

fn bind_all(script: &Script) {
    for st in &script.statements {
        let Statement::Pipeline(p) = st else { continue };
        for el in &p.elements {
            let PipelineElement::Command(call) = el else { continue };
            let Some(spec) = cmdlets::find(&call.name) else { continue };
            let args = call
                .args
                .iter()
                .map(|a| match a {
                    CommandArg::Parameter { name, value, span } => {
                        RawArg::Named { name: name.clone(), value: value.as_ref().map(|v| (literal(v), v.span)), span: *span }
                    }
                    CommandArg::Value(v) => RawArg::Positional { value: literal(v), span: v.span },
                })
                .collect();
            if let Ok(stat) = bind_arguments(spec, args, call.span) {
                let _ = finish_binding(spec, &stat, None, call.span);
                let _ = finish_binding(spec, &stat, Some(&Value::String("alice".into())), call.span);
            }
        }
    }
}
