//! Where-Object (`?`, `where`): keeps the objects a script block or a property comparison
//! accepts. The simplified form `Where-Object MapiEnabled -eq $false` has, as in PowerShell 5.1,
//! one parameter set per operator switch; `Where-Object MapiEnabled` alone tests truthiness.

use crate::bind::Bound;
use crate::lang::ast::{BinaryOp, CompareOp};
use crate::record::ErrorRecord;
use crate::run::{apply_operator, Invocation};
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::Value;

use super::{collapse, input_of, INPUT_OBJECT};

/// One operator of the simplified syntax: its switch, aliases, set, and what it computes.
struct Operator {
    switch: &'static str,
    set: &'static str,
    op: Op,
}

#[derive(Clone, Copy)]
enum Op {
    Compare(CompareOp, bool),
    Is(bool),
}

macro_rules! operators {
    ($( $switch:literal [$($alias:literal),*] $set:literal $mandatory:literal => $op:expr ),* $(,)?) => {
        const OPERATORS: &[Operator] = &[ $( Operator { switch: $switch, set: $set, op: $op } ),* ];
        const OPERATOR_SETS: &[&str] = &[ $( $set ),* ];
        const SWITCHES: &[ParamSpec] = &[ $(
            ParamSpec {
                aliases: &[$($alias),*],
                sets: &[$set],
                mandatory: $mandatory,
                ..ParamSpec::new($switch, ParamType::Switch, concat!("Uses the ", $switch, " operator: the -Property value ", $switch, " -Value."))
            }
        ),* ];
    };
}

// -EQ alone is optional in its set: EqualSet is the default, where `Where-Object Name` tests truthiness.
operators! {
    "EQ" ["IEQ"] "EqualSet" false => Op::Compare(CompareOp::Eq, false),
    "CEQ" [] "CaseSensitiveEqualSet" true => Op::Compare(CompareOp::Eq, true),
    "NE" ["INE"] "NotEqualSet" true => Op::Compare(CompareOp::Ne, false),
    "CNE" [] "CaseSensitiveNotEqualSet" true => Op::Compare(CompareOp::Ne, true),
    "GT" ["IGT"] "GreaterThanSet" true => Op::Compare(CompareOp::Gt, false),
    "CGT" [] "CaseSensitiveGreaterThanSet" true => Op::Compare(CompareOp::Gt, true),
    "LT" ["ILT"] "LessThanSet" true => Op::Compare(CompareOp::Lt, false),
    "CLT" [] "CaseSensitiveLessThanSet" true => Op::Compare(CompareOp::Lt, true),
    "GE" ["IGE"] "GreaterOrEqualSet" true => Op::Compare(CompareOp::Ge, false),
    "CGE" [] "CaseSensitiveGreaterOrEqualSet" true => Op::Compare(CompareOp::Ge, true),
    "LE" ["ILE"] "LessOrEqualSet" true => Op::Compare(CompareOp::Le, false),
    "CLE" [] "CaseSensitiveLessOrEqualSet" true => Op::Compare(CompareOp::Le, true),
    "Like" ["ILike"] "LikeSet" true => Op::Compare(CompareOp::Like, false),
    "CLike" [] "CaseSensitiveLikeSet" true => Op::Compare(CompareOp::Like, true),
    "NotLike" ["INotLike"] "NotLikeSet" true => Op::Compare(CompareOp::NotLike, false),
    "CNotLike" [] "CaseSensitiveNotLikeSet" true => Op::Compare(CompareOp::NotLike, true),
    "Match" ["IMatch"] "MatchSet" true => Op::Compare(CompareOp::Match, false),
    "CMatch" [] "CaseSensitiveMatchSet" true => Op::Compare(CompareOp::Match, true),
    "NotMatch" ["INotMatch"] "NotMatchSet" true => Op::Compare(CompareOp::NotMatch, false),
    "CNotMatch" [] "CaseSensitiveNotMatchSet" true => Op::Compare(CompareOp::NotMatch, true),
    "Contains" ["IContains"] "ContainsSet" true => Op::Compare(CompareOp::Contains, false),
    "CContains" [] "CaseSensitiveContainsSet" true => Op::Compare(CompareOp::Contains, true),
    "NotContains" ["INotContains"] "NotContainsSet" true => Op::Compare(CompareOp::NotContains, false),
    "CNotContains" [] "CaseSensitiveNotContainsSet" true => Op::Compare(CompareOp::NotContains, true),
    "In" ["IIn"] "InSet" true => Op::Compare(CompareOp::In, false),
    "CIn" [] "CaseSensitiveInSet" true => Op::Compare(CompareOp::In, true),
    "NotIn" ["INotIn"] "NotInSet" true => Op::Compare(CompareOp::NotIn, false),
    "CNotIn" [] "CaseSensitiveNotInSet" true => Op::Compare(CompareOp::NotIn, true),
    "Is" [] "IsSet" true => Op::Is(true),
    "IsNot" [] "IsNotSet" true => Op::Is(false),
}

const PARAMS: &[ParamSpec] = &[
    INPUT_OBJECT,
    ParamSpec {
        sets: &["ScriptBlockSet"],
        mandatory: true,
        position: Some(0),
        ..ParamSpec::new("FilterScript", ParamType::ScriptBlock, "A script block run for each object with the object in $_; objects for which it returns a true value are passed on.")
    },
    ParamSpec {
        sets: OPERATOR_SETS,
        mandatory: true,
        position: Some(0),
        ..ParamSpec::new("Property", ParamType::String, "The property to compare (simplified syntax), as in Where-Object MAPIEnabled -eq $false. Alone, keeps the objects whose property is true or non-empty.")
    },
    ParamSpec {
        sets: OPERATOR_SETS,
        position: Some(1),
        ..ParamSpec::new("Value", ParamType::Object, "The value the property is compared with (simplified syntax).")
    },
];

/// The parameters: the common ones above, then one switch per operator.
static ALL_PARAMS: [ParamSpec; PARAMS.len() + SWITCHES.len()] = {
    let mut all = [INPUT_OBJECT; PARAMS.len() + SWITCHES.len()];
    let mut i = 0;
    while i < PARAMS.len() {
        all[i] = PARAMS[i];
        i += 1;
    }
    let mut j = 0;
    while j < SWITCHES.len() {
        all[PARAMS.len() + j] = SWITCHES[j];
        j += 1;
    }
    all
};

static SET_NAMES: [&str; OPERATOR_SETS.len() + 1] = {
    let mut names = ["ScriptBlockSet"; OPERATOR_SETS.len() + 1];
    let mut i = 0;
    while i < OPERATOR_SETS.len() {
        names[i] = OPERATOR_SETS[i];
        i += 1;
    }
    names
};

pub static WHERE_OBJECT: CmdletSpec = CmdletSpec {
    name: "Where-Object",
    aliases: &["?", "where"],
    synopsis: "Selects objects from a collection based on their property values.",
    description: "Passes on only the input objects that match: either a script block that returns true for the object in $_ (Where-Object {$_.MAPIEnabled -eq $false}), or the simplified syntax with a property, an operator switch and a value (Where-Object MAPIEnabled -eq $false). Comparisons are case-insensitive unless the operator starts with C (-CEQ, -CLike). Where-Object PropertyName alone keeps the objects whose property is true or non-empty.",
    params: &ALL_PARAMS,
    parameter_sets: &SET_NAMES,
    default_set: Some("EqualSet"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: "Object",
    class: "Microsoft.PowerShell.Commands.WhereObjectCommand",
    examples: &[
        Example { code: "Get-CASMailbox | Where-Object {$_.MAPIEnabled -eq $false}", remarks: "Lists the mailboxes for which MAPI is blocked." },
        Example { code: "Get-CASMailbox | ? MapiHttpEnabled -eq $null", remarks: "Lists the mailboxes that follow the organization's MAPI over HTTP setting (simplified syntax)." },
        Example { code: "Get-CASMailbox | where Name -like 'a*'", remarks: "Lists the mailboxes whose name starts with a." },
    ],
    body: Body::PerRecord(where_object),
};

fn where_object(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let Some(item) = input_of(inv, b) else { return Ok(()) };
    if matches!(item, Value::Null) {
        return Ok(());
    }
    let keep = match b.get("FilterScript") {
        Some(Value::ScriptBlock(block)) => {
            let block = block.clone();
            collapse(inv.invoke(&block, Some(item.clone()))?).is_truthy()
        }
        _ => matches_property(inv, b, &item)?,
    };
    if keep {
        inv.emit(item);
    }
    Ok(())
}

fn matches_property(inv: &Invocation<'_>, b: &Bound, item: &Value) -> Result<bool, ErrorRecord> {
    let name = b.string("Property").unwrap_or_default();
    let actual = item.property(&name).unwrap_or(Value::Null);
    let operator = OPERATORS.iter().find(|o| o.set.eq_ignore_ascii_case(b.set));
    let value = b.get("Value").cloned();
    let span = b.span("Property").unwrap_or(inv.call_span);
    let result = match (operator, value) {
        // `Where-Object Name` (EqualSet without a value): truthiness, as PowerShell does.
        (None, None) => return Ok(actual.is_truthy()),
        (Some(o), None) if o.switch == "EQ" => return Ok(actual.is_truthy()),
        (None, Some(v)) => apply_operator(BinaryOp::Compare { op: CompareOp::Eq, case_sensitive: false }, actual, v, span)?,
        (Some(o), v) => {
            let v = v.unwrap_or(Value::Null);
            match o.op {
                Op::Compare(op, case_sensitive) => apply_operator(BinaryOp::Compare { op, case_sensitive }, actual, v, span)?,
                Op::Is(true) => apply_operator(BinaryOp::Is, actual, v, span)?,
                Op::Is(false) => apply_operator(BinaryOp::IsNot, actual, v, span)?,
            }
        }
    };
    Ok(result.is_truthy())
}
