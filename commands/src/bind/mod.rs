//! Binding a command's arguments to its declared parameters, with PowerShell's rules and messages:
//! case-insensitive names, unique-prefix abbreviation, aliases, positional arguments, parameter
//! sets, switches, and pipeline input by value then by property name.

mod convert;
mod resolve;

pub use convert::{convert, parse_url};
pub use resolve::{resolve_parameter, ParamMatch};

use crate::lang::ast::Span;
use crate::record::ErrorRecord;
use crate::spec::{CmdletSpec, ParamSpec, ParamType, IMPLICIT_SET};
use crate::value::Value;

/// One argument after evaluation, before binding.
#[derive(Debug, Clone)]
pub enum RawArg {
    /// `-Name` (value None) or `-Name:value`.
    Named { name: String, value: Option<(Value, Span)>, span: Span },
    Positional { value: Value, span: Span },
}

/// The arguments bound to one invocation, converted to their parameter types.
#[derive(Debug, Clone, Default)]
pub struct Bound {
    entries: Vec<BoundEntry>,
    /// The resolved parameter set.
    pub set: &'static str,
}

#[derive(Debug, Clone)]
struct BoundEntry {
    param: &'static ParamSpec,
    value: Value,
    span: Span,
}

impl Bound {
    pub fn has(&self, name: &str) -> bool {
        self.entry(name).is_some()
    }

    fn entry(&self, name: &str) -> Option<&BoundEntry> {
        self.entries.iter().find(|e| e.param.name.eq_ignore_ascii_case(name))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entry(name).map(|e| &e.value)
    }

    pub fn span(&self, name: &str) -> Option<Span> {
        self.entry(name).map(|e| e.span)
    }

    pub fn switch(&self, name: &str) -> bool {
        matches!(self.get(name), Some(Value::Bool(true)))
    }

    /// A switch given explicitly (`-Confirm` → Some(true), `-Confirm:$false` → Some(false)).
    pub fn explicit_switch(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| matches!(v, Value::Bool(true)))
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// For nullable Booleans: None = not given, Some(None) = `$null`.
    pub fn nullable_bool(&self, name: &str) -> Option<Option<bool>> {
        match self.get(name)? {
            Value::Bool(b) => Some(Some(*b)),
            _ => Some(None),
        }
    }

    pub fn string(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Value::Null => None,
            v => Some(v.to_text()),
        }
    }

    /// For parameters where `$null` is meaningful (clearing a URL): None = not given.
    pub fn optional_string(&self, name: &str) -> Option<Option<String>> {
        match self.get(name)? {
            Value::Null => Some(None),
            v => Some(Some(v.to_text())),
        }
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn params(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.entries.iter().map(|e| (e.param.name, &e.value))
    }

    fn insert(&mut self, param: &'static ParamSpec, value: Value, span: Span) {
        self.entries.push(BoundEntry { param, value, span });
    }
}

/// Static binding of one command call: named and positional arguments, set resolution.
/// Pipeline parameters are bound per input object by [`bind_pipeline_input`].
pub struct StaticBinding {
    pub bound: Bound,
    /// Sets still possible after named and positional binding.
    pub candidate_sets: Vec<&'static str>,
}

pub fn bind_arguments(spec: &'static CmdletSpec, args: Vec<RawArg>, call_span: Span) -> Result<StaticBinding, ErrorRecord> {
    let mut bound = Bound::default();
    let mut positional: Vec<(Value, Span)> = Vec::new();
    let mut args = args.into_iter().peekable();
    while let Some(arg) = args.next() {
        match arg {
            RawArg::Positional { value, span } => positional.push((value, span)),
            RawArg::Named { name, value, span } => {
                let param = match resolve_parameter(spec, &name) {
                    ParamMatch::Found(p) => p,
                    ParamMatch::NotFound => {
                        return Err(ErrorRecord::binding(
                            format!("A parameter cannot be found that matches parameter name '{name}'."),
                            "NamedParameterNotFound",
                            spec.name,
                            span,
                        ));
                    }
                    ParamMatch::Ambiguous(matches) => {
                        let list: Vec<String> = matches.iter().map(|p| format!("-{}", p.name)).collect();
                        return Err(ErrorRecord::binding(
                            format!(
                                "Parameter cannot be processed because the parameter name '{name}' is ambiguous. Possible matches include: {}.",
                                list.join(" ")
                            ),
                            "AmbiguousParameter",
                            spec.name,
                            span,
                        ));
                    }
                };
                if bound.has(param.name) {
                    return Err(ErrorRecord::binding(
                        format!(
                            "Cannot bind parameter because parameter '{}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".",
                            param.name
                        ),
                        "ParameterAlreadyBound",
                        spec.name,
                        span,
                    ));
                }
                let (value, value_span) = match value {
                    Some(v) => v,
                    None if matches!(param.ty, ParamType::Switch) => (Value::Bool(true), span),
                    None => match args.peek() {
                        Some(RawArg::Positional { .. }) => match args.next() {
                            Some(RawArg::Positional { value, span: vspan }) => (value, vspan),
                            _ => unreachable_missing(param, spec, span)?,
                        },
                        _ => unreachable_missing(param, spec, span)?,
                    },
                };
                let converted = convert(value, &param.ty, param.name, spec.name, value_span)?;
                bound.insert(param, converted, span.to(value_span));
            }
        }
    }

    let mut candidates: Vec<&'static str> = spec
        .set_names()
        .into_iter()
        .filter(|set| bound.entries.iter().all(|e| e.param.in_set(set) || is_common(spec, e.param)))
        .collect();
    if candidates.is_empty() {
        return Err(ambiguous_set(spec, call_span));
    }

    // Positional arguments go, in order, to the unbound positional parameters of the remaining
    // sets. Parameters of different sets may share a position (Where-Object's -FilterScript and
    // -Property): the one whose type fits the argument wins, and its sets become the candidates.
    let mut floor: u8 = 0;
    let mut leftover: Vec<(Value, Span)> = Vec::new();
    for (value, span) in positional {
        let open = |p: &&'static ParamSpec| {
            p.position.is_some_and(|pos| pos >= floor) && !bound.has(p.name) && candidates.iter().any(|s| p.in_set(s))
        };
        let Some(position) = spec.params.iter().filter(open).filter_map(|p| p.position).min() else {
            leftover.push((value, span));
            continue;
        };
        let group: Vec<&'static ParamSpec> = spec.params.iter().filter(open).filter(|p| p.position == Some(position)).collect();
        let param = group.iter().copied().find(|p| fits_positionally(&p.ty, &value)).unwrap_or(group[0]);
        let converted = convert(value, &param.ty, param.name, spec.name, span)?;
        bound.insert(param, converted, span);
        floor = position.saturating_add(1);
        candidates.retain(|set| param.in_set(set));
    }
    if !leftover.is_empty() {
        // ValueFromRemainingArguments: what no positional parameter took, as one list.
        let remaining = spec.params.iter().find(|p| p.remaining && candidates.iter().any(|s| p.in_set(s)));
        match remaining {
            Some(param) if !bound.has(param.name) => {
                let span = leftover[0].1.to(leftover[leftover.len() - 1].1);
                let values = Value::List(leftover.into_iter().map(|(v, _)| v).collect());
                let converted = convert(values, &param.ty, param.name, spec.name, span)?;
                bound.insert(param, converted, span);
            }
            Some(param) => {
                // The parameter was already given (by position): append the rest to its list.
                let extra: Vec<Value> = leftover.into_iter().map(|(v, _)| v).collect();
                if let Some(entry) = bound.entries.iter_mut().find(|e| std::ptr::eq(e.param, param)) {
                    let mut items = match std::mem::replace(&mut entry.value, Value::Null) {
                        Value::List(items) => items,
                        one => vec![one],
                    };
                    items.extend(extra);
                    entry.value = Value::List(items);
                }
            }
            None => {
                let (value, span) = leftover.remove(0);
                return Err(ErrorRecord::binding(
                    format!("A positional parameter cannot be found that accepts argument '{}'.", positional_text(&value)),
                    "PositionalParameterNotFound",
                    spec.name,
                    span,
                ));
            }
        }
    }
    candidates.retain(|set| bound.entries.iter().all(|e| e.param.in_set(set) || is_common(spec, e.param)));
    if candidates.is_empty() {
        return Err(ambiguous_set(spec, call_span));
    }
    Ok(StaticBinding { bound, candidate_sets: candidates })
}

/// Whether an argument fits a positional parameter without conversion: script blocks go to
/// script-block parameters, everything else to the others.
fn fits_positionally(ty: &ParamType, value: &Value) -> bool {
    matches!(ty, ParamType::ScriptBlock) == matches!(value, Value::ScriptBlock(_))
}

impl StaticBinding {
    /// The mandatory parameters still unbound in the set the binding is heading for, leaving out
    /// those pipeline input may still supply (`expects_input`). Used to prompt for them in an
    /// interactive host, as PowerShell does ("Supply values for the following parameters:").
    pub fn missing_mandatory(&self, spec: &'static CmdletSpec, expects_input: bool) -> Vec<&'static ParamSpec> {
        let Some(set) = choose_set(spec, &self.bound, &self.candidate_sets) else { return Vec::new() };
        spec.params
            .iter()
            .filter(|p| p.mandatory && p.in_set(set) && !self.bound.has(p.name))
            .filter(|p| !(expects_input && p.pipeline.accepts()))
            .collect()
    }

    /// Binds a value the user typed at a prompt, converted like an argument.
    pub fn bind_prompted(&mut self, spec: &'static CmdletSpec, param: &'static ParamSpec, value: Value, span: Span) -> Result<(), ErrorRecord> {
        let converted = convert(value, &param.ty, param.name, spec.name, span)?;
        self.bound.insert(param, converted, span);
        self.candidate_sets.retain(|set| param.in_set(set));
        Ok(())
    }
}

fn unreachable_missing(param: &ParamSpec, spec: &CmdletSpec, span: Span) -> Result<(Value, Span), ErrorRecord> {
    Err(ErrorRecord::binding(
        format!(
            "Missing an argument for parameter '{}'. Specify a parameter of type '{}' and try again.",
            param.name,
            param.ty.dotnet_name()
        ),
        "MissingArgument",
        spec.name,
        span,
    ))
}

fn ambiguous_set(spec: &CmdletSpec, span: Span) -> ErrorRecord {
    ErrorRecord::binding(
        "Parameter set cannot be resolved using the specified named parameters.",
        "AmbiguousParameterSet",
        spec.name,
        span,
    )
}

fn is_common(spec: &CmdletSpec, p: &ParamSpec) -> bool {
    !spec.params.iter().any(|own| std::ptr::eq(own, p))
}

/// What the bare value looked like, for "positional parameter cannot be found that accepts argument 'x'".
fn positional_text(v: &Value) -> String {
    match v {
        Value::List(_) => "System.Object[]".into(),
        Value::Bool(b) => if *b { "True".into() } else { "False".into() },
        other => other.to_text(),
    }
}

/// Binds one pipeline input object (by value, then by property name) on top of the static
/// binding, then resolves the parameter set and checks mandatory parameters.
pub fn finish_binding(
    spec: &'static CmdletSpec,
    stat: &StaticBinding,
    input: Option<&Value>,
    call_span: Span,
) -> Result<Bound, ErrorRecord> {
    let mut bound = stat.bound.clone();
    let mut candidates = stat.candidate_sets.clone();
    if let Some(input) = input {
        let bound_any = bind_pipeline_input(spec, &mut bound, &candidates, input, call_span)?;
        if !bound_any {
            return Err(ErrorRecord::binding(
                "The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.",
                "InputObjectNotBound",
                spec.name,
                call_span,
            )
            .target(input.to_text(), input.type_name())
            .non_terminating());
        }
        candidates.retain(|set| bound.entries.iter().all(|e| e.param.in_set(set) || is_common(spec, e.param)));
    }
    let set = choose_set(spec, &bound, &candidates).ok_or_else(|| ambiguous_set(spec, call_span))?;
    let missing: Vec<&str> = spec
        .params
        .iter()
        .filter(|p| p.mandatory && p.in_set(set) && !bound.has(p.name))
        .map(|p| p.name)
        .collect();
    if !missing.is_empty() {
        return Err(ErrorRecord::binding(
            format!("Cannot process command because of one or more missing mandatory parameters: {}.", missing.join(" ")),
            "MissingMandatoryParameter",
            spec.name,
            call_span,
        ));
    }
    bound.set = set;
    Ok(bound)
}

fn choose_set(spec: &CmdletSpec, bound: &Bound, candidates: &[&'static str]) -> Option<&'static str> {
    match candidates {
        [] => None,
        [only] => Some(only),
        many => {
            if let Some(default) = spec.default_set.filter(|d| many.contains(d)) {
                return Some(default);
            }
            let satisfied: Vec<&'static str> = many
                .iter()
                .copied()
                .filter(|set| spec.params.iter().filter(|p| p.mandatory && p.in_set(set)).all(|p| bound.has(p.name)))
                .collect();
            match satisfied.as_slice() {
                [one] => Some(one),
                _ if many.contains(&IMPLICIT_SET) => Some(IMPLICIT_SET),
                _ => None,
            }
        }
    }
}

/// Returns whether anything was bound from the input.
fn bind_pipeline_input(
    spec: &'static CmdletSpec,
    bound: &mut Bound,
    candidates: &[&'static str],
    input: &Value,
    call_span: Span,
) -> Result<bool, ErrorRecord> {
    let open: Vec<&'static ParamSpec> = spec
        .params
        .iter()
        .filter(|p| p.pipeline.accepts() && !bound.has(p.name))
        .filter(|p| candidates.iter().any(|s| p.in_set(s)))
        .collect();
    // By value first: the whole object converts to the parameter's type.
    for p in open.iter().filter(|p| p.pipeline.by_value) {
        if accepts_by_value(&p.ty, input) {
            if let Ok(v) = convert(input.clone(), &p.ty, p.name, spec.name, call_span) {
                bound.insert(p, v, call_span);
                return Ok(true);
            }
        }
    }
    // Then by property name: properties named like a parameter (or one of its aliases).
    let mut any = false;
    for p in open.iter().filter(|p| p.pipeline.by_property_name) {
        let prop = std::iter::once(p.name).chain(p.aliases.iter().copied()).find_map(|n| input.property(n));
        if let Some(value) = prop {
            let v = convert(value, &p.ty, p.name, spec.name, call_span)?;
            bound.insert(p, v, call_span);
            any = true;
        }
    }
    Ok(any)
}

/// By-value binding only takes input of a fitting type: an identity parameter takes objects and
/// strings; PSObject parameters take anything; scalars take scalars.
fn accepts_by_value(ty: &ParamType, input: &Value) -> bool {
    match ty {
        ParamType::Object => true,
        ParamType::Identity(_) => matches!(input, Value::Object(_) | Value::String(_) | Value::Guid(_)),
        ParamType::String | ParamType::StringArray => matches!(input, Value::String(_)),
        ParamType::Credential => matches!(input, Value::Credential(_)),
        _ => false,
    }
}

/// All declared parameters of a cmdlet including the common ones, in help order.
pub fn all_params(spec: &'static CmdletSpec) -> impl Iterator<Item = &'static ParamSpec> {
    let should_process: &'static [ParamSpec] =
        if spec.should_process { crate::spec::SHOULD_PROCESS_PARAMS } else { &[] };
    spec.params.iter().chain(should_process.iter()).chain(crate::spec::COMMON_PARAMS.iter())
}

#[cfg(test)]
mod tests;
