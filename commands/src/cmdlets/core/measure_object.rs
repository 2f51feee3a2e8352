//! Measure-Object (`measure`): counts objects and sums, averages, maximums and minimums of
//! properties. Keeps running totals only, so `Get-CASMailbox -ResultSize Unlimited | measure` needs
//! no more memory for 100k mailboxes than for one.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::bind::Bound;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::{compare_values, wildcard_match, Invocation};
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType, StreamBody};
use crate::value::{PsObject, Value};

use super::{input_of, INPUT_OBJECT};

pub const GENERIC_MEASURE_INFO_TYPE: &str = "Microsoft.PowerShell.Commands.GenericMeasureInfo";
pub const TEXT_MEASURE_INFO_TYPE: &str = "Microsoft.PowerShell.Commands.TextMeasureInfo";

const GENERIC: &[&str] = &["GenericMeasure"];
const TEXT: &[&str] = &["TextMeasure"];

pub static MEASURE_OBJECT: CmdletSpec = CmdletSpec {
    name: "Measure-Object",
    aliases: &["measure"],
    synopsis: "Calculates the numeric properties of objects, and the characters, words, and lines in string objects.",
    description: "Counts the input objects. With -Property and -Sum, -Average, -Maximum or -Minimum it also computes those over the property's values, one result per property. -Line, -Word and -Character count text instead. Only running totals are kept, so memory does not grow with the input.",
    params: &[
        INPUT_OBJECT,
        ParamSpec { position: Some(0), wildcards: true, ..ParamSpec::new("Property", ParamType::StringArray, "The properties to measure (wildcards allowed).") },
        ParamSpec { sets: GENERIC, ..ParamSpec::new("Sum", ParamType::Switch, "Adds up the property's values.") },
        ParamSpec { sets: GENERIC, ..ParamSpec::new("Average", ParamType::Switch, "Averages the property's values.") },
        ParamSpec { sets: GENERIC, ..ParamSpec::new("Maximum", ParamType::Switch, "Finds the largest value.") },
        ParamSpec { sets: GENERIC, ..ParamSpec::new("Minimum", ParamType::Switch, "Finds the smallest value.") },
        ParamSpec { sets: TEXT, ..ParamSpec::new("Line", ParamType::Switch, "Counts the lines of text input.") },
        ParamSpec { sets: TEXT, ..ParamSpec::new("Word", ParamType::Switch, "Counts the words of text input.") },
        ParamSpec { sets: TEXT, ..ParamSpec::new("Character", ParamType::Switch, "Counts the characters of text input.") },
        ParamSpec { sets: TEXT, ..ParamSpec::new("IgnoreWhiteSpace", ParamType::Switch, "Leaves white space out of the character count.") },
    ],
    parameter_sets: &["GenericMeasure", "TextMeasure"],
    default_set: Some("GenericMeasure"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: GENERIC_MEASURE_INFO_TYPE,
    class: "Microsoft.PowerShell.Commands.MeasureObjectCommand",
    examples: &[
        Example { code: "Get-CASMailbox | measure", remarks: "Counts the mailboxes." },
        Example { code: "(Get-CASMailbox | ? {$_.MAPIEnabled -eq $false} | measure).Count", remarks: "Counts the mailboxes for which MAPI is blocked." },
        Example { code: "1..10 | measure -Sum -Average -Maximum -Minimum", remarks: "Computes all four statistics of the numbers 1 to 10." },
    ],
    body: Body::Stream(begin),
};

#[derive(Default)]
struct Stats {
    name: String,
    count: i64,
    sum: f64,
    numbers: i64,
    max: Option<Value>,
    min: Option<Value>,
    lines: i64,
    words: i64,
    characters: i64,
}

struct Measure {
    patterns: Option<Vec<String>>,
    /// One entry per measured property (or one unnamed entry without -Property), in first-seen order.
    stats: Vec<Stats>,
    sum: bool,
    average: bool,
    maximum: bool,
    minimum: bool,
    text: bool,
    lines: bool,
    words: bool,
    characters: bool,
    ignore_white_space: bool,
}

fn begin(_inv: &mut Invocation<'_>, b: &Bound) -> Result<Box<dyn StreamBody>, ErrorRecord> {
    let patterns = b.get("Property").map(|v| v.clone().into_items().iter().map(Value::to_text).collect::<Vec<_>>());
    let stats = match &patterns {
        None => vec![Stats::default()],
        // Exact names keep their order even if some object lacks them; wildcards add entries as found.
        Some(p) => p.iter().filter(|n| !n.contains(['*', '?'])).map(|n| Stats { name: n.clone(), ..Stats::default() }).collect(),
    };
    Ok(Box::new(Measure {
        patterns,
        stats,
        sum: b.switch("Sum"),
        average: b.switch("Average"),
        maximum: b.switch("Maximum"),
        minimum: b.switch("Minimum"),
        text: b.set == "TextMeasure",
        lines: b.switch("Line"),
        words: b.switch("Word"),
        characters: b.switch("Character"),
        ignore_white_space: b.switch("IgnoreWhiteSpace"),
    }))
}


impl Measure {
    fn entry(&mut self, name: &str) -> &mut Stats {
        let at = match self.stats.iter().position(|s| s.name.eq_ignore_ascii_case(name)) {
            Some(i) => i,
            None => {
                self.stats.push(Stats { name: name.to_string(), ..Stats::default() });
                self.stats.len() - 1
            }
        };
        &mut self.stats[at]
    }

    fn add(&mut self, inv: &mut Invocation<'_>, name: &str, value: Value) -> Result<(), ErrorRecord> {
        let (sum_or_average, text, ignore_ws) = (self.sum || self.average, self.text, self.ignore_white_space);
        let stats = self.entry(name);
        stats.count += 1;
        if text {
            let s = value.to_text();
            stats.lines += s.lines().filter(|l| !l.trim().is_empty()).count() as i64;
            stats.words += s.split_whitespace().count() as i64;
            stats.characters += if ignore_ws { s.chars().filter(|c| !c.is_whitespace()).count() } else { s.chars().count() } as i64;
            return Ok(());
        }
        if value.is_null() {
            return Ok(());
        }
        match value.as_number() {
            Some(n) => {
                stats.sum += n;
                stats.numbers += 1;
                let n = Value::Float(n);
                if stats.max.as_ref().is_none_or(|m| compare_values(&n, m, false) == Ordering::Greater) {
                    stats.max = Some(n.clone());
                }
                if stats.min.as_ref().is_none_or(|m| compare_values(&n, m, false) == Ordering::Less) {
                    stats.min = Some(n);
                }
            }
            None if sum_or_average => {
                let e = ErrorRecord::new(
                    format!("Input object \"{}\" is not numeric.", value.to_text()),
                    ErrorCategory::InvalidType,
                    "PSInvalidOperationException",
                    "NonNumericInputObject,Microsoft.PowerShell.Commands.MeasureObjectCommand",
                )
                .target(value.to_text(), value.type_name());
                inv.write_error(e)?;
            }
            None => {
                // Maximum and Minimum of text or dates compare them as PowerShell's operators do.
                if stats.max.as_ref().is_none_or(|m| compare_values(&value, m, false) == Ordering::Greater) {
                    stats.max = Some(value.clone());
                }
                if stats.min.as_ref().is_none_or(|m| compare_values(&value, m, false) == Ordering::Less) {
                    stats.min = Some(value);
                }
            }
        }
        Ok(())
    }
}

impl StreamBody for Measure {
    fn process(&mut self, inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
        let Some(item) = input_of(inv, b) else { return Ok(()) };
        let Some(patterns) = self.patterns.clone() else {
            return self.add(inv, "", item);
        };
        for pattern in &patterns {
            if pattern.contains(['*', '?']) {
                let names: Vec<String> = match &item {
                    Value::Object(o) => o.properties.iter().map(|(k, _)| k.clone()).filter(|k| wildcard_match(pattern, k, false)).collect(),
                    _ => Vec::new(),
                };
                for name in names {
                    let v = item.property(&name).unwrap_or(Value::Null);
                    self.add(inv, &name, v)?;
                }
            } else if let Some(v) = item.property(pattern) {
                let canonical = match &item {
                    Value::Object(o) => o.canonical_name(pattern).unwrap_or(pattern).to_string(),
                    _ => pattern.clone(),
                };
                self.add(inv, pattern, v)?;
                // Report the property under the object's own spelling, as PowerShell does.
                self.entry(pattern).name = canonical;
            }
        }
        Ok(())
    }

    fn end(&mut self, inv: &mut Invocation<'_>, _b: &Bound) -> Result<(), ErrorRecord> {
        for stats in std::mem::take(&mut self.stats) {
            if self.patterns.is_some() && stats.count == 0 {
                let e = ErrorRecord::new(
                    format!("The property \"{}\" cannot be found in the input for any objects.", stats.name),
                    ErrorCategory::InvalidArgument,
                    "PSArgumentException",
                    "GenericMeasurePropertyNotFound,Microsoft.PowerShell.Commands.MeasureObjectCommand",
                )
                .target(stats.name.clone(), "String");
                inv.write_error(e)?;
                continue;
            }
            let property = if self.patterns.is_some() { Value::str(&stats.name) } else { Value::Null };
            let obj = if self.text {
                PsObject::new(TEXT_MEASURE_INFO_TYPE)
                    .with("Lines", if self.lines { Value::Int(stats.lines) } else { Value::Null })
                    .with("Words", if self.words { Value::Int(stats.words) } else { Value::Null })
                    .with("Characters", if self.characters { Value::Int(stats.characters) } else { Value::Null })
                    .with("Property", property)
            } else {
                let average = (stats.numbers > 0).then(|| stats.sum / stats.numbers as f64);
                PsObject::new(GENERIC_MEASURE_INFO_TYPE)
                    .with("Count", Value::Int(stats.count))
                    .with("Average", if self.average { average.map(Value::Float).unwrap_or(Value::Null) } else { Value::Null })
                    .with("Sum", if self.sum { Value::Float(stats.sum) } else { Value::Null })
                    .with("Maximum", if self.maximum { stats.max.unwrap_or(Value::Null) } else { Value::Null })
                    .with("Minimum", if self.minimum { stats.min.unwrap_or(Value::Null) } else { Value::Null })
                    .with("Property", property)
            };
            inv.emit(Value::Object(Arc::new(obj)));
        }
        Ok(())
    }
}
