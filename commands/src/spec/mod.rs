//! Cmdlet declarations: one static `CmdletSpec` per cmdlet drives parsing, binding, validation,
//! help, completion and the generated reference docs.

mod types;

pub use types::{EnumSpec, IdKind, ParamType, ACTION_PREFERENCE, AUTHENTICATION_METHOD};

use crate::run::{Bound, Invocation};
use crate::record::ErrorRecord;
use crate::value::Value;

/// What a cmdlet does with its input.
#[derive(Clone, Copy)]
pub enum Body {
    /// Called once per pipeline input object (or once with no input when first in the pipeline);
    /// pipeline-bound parameters are re-bound for every object.
    PerRecord(fn(&mut Invocation<'_>, &Bound) -> Result<(), ErrorRecord>),
    /// Called once at the end with every input object (sorting, grouping, formatting).
    Collect(fn(&mut Invocation<'_>, &Bound, Vec<Value>) -> Result<(), ErrorRecord>),
    /// PowerShell's begin/process/end: called once before any input (the `fn`, with the
    /// command-line arguments bound), then [`StreamBody::process`] per input object, then
    /// [`StreamBody::end`]. For cmdlets that keep a little state across objects (Measure-Object's
    /// sums, ForEach-Object's -Begin/-End, Select-Object -First) without collecting the input, so
    /// memory stays flat on 100k objects. Such cmdlets must not declare mandatory pipeline
    /// parameters: the begin call has no input object to bind them from.
    Stream(StreamBegin),
}

/// The begin step of a [`Body::Stream`] cmdlet: sets up the state its objects go through.
pub type StreamBegin = fn(&mut Invocation<'_>, &Bound) -> Result<Box<dyn StreamBody>, ErrorRecord>;

/// The per-object and final steps of a [`Body::Stream`] cmdlet.
pub trait StreamBody {
    /// Once per input object (`inv.input`), or once with no input when the cmdlet is first in
    /// the pipeline. Pipeline-bound parameters are re-bound for every object, as for `PerRecord`.
    fn process(&mut self, inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord>;
    /// After the last input object, with the command-line arguments bound.
    fn end(&mut self, _inv: &mut Invocation<'_>, _b: &Bound) -> Result<(), ErrorRecord> {
        Ok(())
    }
}

/// How dangerous a cmdlet is; `High` prompts unless `-Confirm:$false` (PowerShell's ConfirmImpact
/// compared against `$ConfirmPreference` = High).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConfirmImpact {
    None,
    Low,
    Medium,
    High,
}

pub struct Example {
    pub code: &'static str,
    pub remarks: &'static str,
}

/// Pipeline binding of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PipelineInput {
    pub by_value: bool,
    pub by_property_name: bool,
}

impl PipelineInput {
    pub const NONE: PipelineInput = PipelineInput { by_value: false, by_property_name: false };
    pub const BY_VALUE: PipelineInput = PipelineInput { by_value: true, by_property_name: false };
    pub const BY_PROPERTY_NAME: PipelineInput = PipelineInput { by_value: false, by_property_name: true };
    pub const BOTH: PipelineInput = PipelineInput { by_value: true, by_property_name: true };

    pub fn accepts(&self) -> bool {
        self.by_value || self.by_property_name
    }
}

#[derive(Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub ty: ParamType,
    /// Parameter sets this parameter belongs to; empty means all sets of the cmdlet.
    pub sets: &'static [&'static str],
    /// Mandatory in its sets.
    pub mandatory: bool,
    /// 0-based position (PowerShell's Position=0 is documented as "1" in Exchange docs).
    pub position: Option<u8>,
    pub pipeline: PipelineInput,
    pub help: &'static str,
    /// Default value shown in help (documentation only).
    pub default: Option<&'static str>,
    pub wildcards: bool,
    /// PowerShell's ValueFromRemainingArguments: positional arguments left over after every
    /// positional parameter is bound are collected into this parameter as a list
    /// (`Write-Host a b c`, `Write-Output 1 2`).
    pub remaining: bool,
}

impl std::fmt::Debug for ParamSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParamSpec({})", self.name)
    }
}

impl ParamSpec {
    /// A named, optional parameter in every set; the other fields are set with struct update syntax.
    pub const fn new(name: &'static str, ty: ParamType, help: &'static str) -> ParamSpec {
        ParamSpec {
            name,
            aliases: &[],
            ty,
            sets: &[],
            mandatory: false,
            position: None,
            pipeline: PipelineInput::NONE,
            help,
            default: None,
            wildcards: false,
            remaining: false,
        }
    }

    pub fn in_set(&self, set: &str) -> bool {
        self.sets.is_empty() || self.sets.iter().any(|s| s.eq_ignore_ascii_case(set))
    }
}

pub struct CmdletSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub synopsis: &'static str,
    pub description: &'static str,
    pub params: &'static [ParamSpec],
    /// Named parameter sets; empty means one implicit set.
    pub parameter_sets: &'static [&'static str],
    pub default_set: Option<&'static str>,
    /// Supports `-WhatIf` and `-Confirm`.
    pub should_process: bool,
    pub confirm_impact: ConfirmImpact,
    pub inputs: &'static str,
    pub outputs: &'static str,
    /// The .NET class named in FullyQualifiedErrorId (`Microsoft.Exchange.Management....SetCasMailbox`).
    pub class: &'static str,
    pub examples: &'static [Example],
    pub body: Body,
}

impl CmdletSpec {
    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The set names to resolve against: the declared ones, or one implicit set.
    pub fn set_names(&self) -> Vec<&'static str> {
        if self.parameter_sets.is_empty() { vec![IMPLICIT_SET] } else { self.parameter_sets.to_vec() }
    }

    pub fn verb(&self) -> &'static str {
        self.name.split_once('-').map(|(v, _)| v).unwrap_or(self.name)
    }

    pub fn noun(&self) -> &'static str {
        self.name.split_once('-').map(|(_, n)| n).unwrap_or("")
    }
}

pub const IMPLICIT_SET: &str = "__AllParameterSets";

/// The common parameters every cmdlet accepts (PowerShell's CommonParameters), plus the
/// ShouldProcess pair for cmdlets that declare `should_process`.
pub static COMMON_PARAMS: &[ParamSpec] = &[
    ParamSpec { aliases: &["vb"], ..ParamSpec::new("Verbose", ParamType::Switch, "Writes verbose messages about what the command does.") },
    ParamSpec { aliases: &["db"], ..ParamSpec::new("Debug", ParamType::Switch, "Accepted for compatibility; mapish has no debug stream.") },
    ParamSpec { aliases: &["ea"], ..ParamSpec::new("ErrorAction", ParamType::Enum(&types::ACTION_PREFERENCE), "What to do on a non-terminating error: Continue, SilentlyContinue, Stop, Ignore, Inquire.") },
    ParamSpec { aliases: &["wa"], ..ParamSpec::new("WarningAction", ParamType::Enum(&types::ACTION_PREFERENCE), "What to do with warnings: Continue, SilentlyContinue, Stop, Ignore, Inquire.") },
    ParamSpec { aliases: &["infa"], ..ParamSpec::new("InformationAction", ParamType::Enum(&types::ACTION_PREFERENCE), "Accepted for compatibility.") },
    ParamSpec { aliases: &["ev"], ..ParamSpec::new("ErrorVariable", ParamType::String, "Stores the command's errors in the named variable.") },
    ParamSpec { aliases: &["wv"], ..ParamSpec::new("WarningVariable", ParamType::String, "Stores the command's warnings in the named variable.") },
    ParamSpec { aliases: &["iv"], ..ParamSpec::new("InformationVariable", ParamType::String, "Accepted for compatibility.") },
    ParamSpec { aliases: &["ov"], ..ParamSpec::new("OutVariable", ParamType::String, "Also stores the command's output in the named variable.") },
    ParamSpec { aliases: &["ob"], ..ParamSpec::new("OutBuffer", ParamType::Int, "Accepted for compatibility.") },
    ParamSpec { aliases: &["pv"], ..ParamSpec::new("PipelineVariable", ParamType::String, "Accepted for compatibility.") },
];

pub static SHOULD_PROCESS_PARAMS: &[ParamSpec] = &[
    ParamSpec { aliases: &["wi"], ..ParamSpec::new("WhatIf", ParamType::Switch, "Shows what the command would do without changing anything.") },
    ParamSpec { aliases: &["cf"], ..ParamSpec::new("Confirm", ParamType::Switch, "Asks for confirmation before the change; -Confirm:$false skips a prompt the command would otherwise show.") },
];
