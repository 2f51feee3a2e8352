//! Tab completion, derived from the cmdlet declarations and the store (shell-ux.md row 51).
//!
//! [`complete`] is a pure function of the line, the cursor, the catalogue and a [`Context`] (the
//! store and the session's variable names), so it can be tested without a terminal. It uses
//! [`tokenize_lenient`], which never fails on a half-typed line, and offers:
//!
//! * cmdlet names and aliases where a command starts (prefix, case-insensitive);
//! * parameter names after `-`, common parameters included;
//! * values of typed parameters after `-Param ` or `-Param:` (enumeration members, `$true`,
//!   `$false`, `$null`), also after a comma in a list;
//! * identities from the store for identity parameters, named or positional (mailbox names by
//!   an index prefix scan, never a full scan; server names; virtual directory identities);
//! * property names after `ft`/`fl`/`select`/`sort`/`where`/`group`, and after `$_.` in a script
//!   block, taken from the output type of the cmdlets earlier in the pipeline;
//! * variable names after `$`.

use std::sync::OnceLock;

use mapish_store::{Mailbox, MapiVirtualDirectory, Organization, Server, Store};

use crate::bind::all_params;
use crate::cmdlets::{self, objects, CATALOG};
use crate::format::{default_view, property_names, DefaultView};
use crate::lang::{tokenize_lenient, Token, TokenKind};
use crate::spec::{CmdletSpec, IdKind, ParamSpec, ParamType};

/// How many identities one Tab offers: enough to cycle through, and a bounded prefix scan.
pub const IDENTITY_LIMIT: usize = 50;

/// One candidate: the text that replaces the word being completed, and what a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub replacement: String,
    pub display: String,
}

/// Candidates for the word that starts at byte `start` and ends at the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    pub start: usize,
    pub suggestions: Vec<Suggestion>,
}

/// What completion may look up besides the declarations.
#[derive(Default, Clone, Copy)]
pub struct Context<'a> {
    /// None when no store is open (completion of names and parameters still works).
    pub store: Option<&'a Store>,
    /// The session's variable names (without `$`).
    pub variables: &'a [String],
}

/// Completes the word ending at byte `pos` of `line`.
pub fn complete(line: &str, pos: usize, ctx: &Context<'_>) -> Completion {
    let mut pos = pos.min(line.len());
    while !line.is_char_boundary(pos) {
        pos -= 1;
    }
    let text = &line[..pos];
    let tokens = significant_tokens(text);
    let word = current_word(&tokens, pos);
    let (start, candidates) = match word {
        Word::Command { index } => {
            let t = &tokens[index];
            (t.span.start, command_names(&t.text))
        }
        Word::EmptyCommand => (pos, command_names("")),
        Word::Parameter { index } => {
            let t = &tokens[index];
            let prefix = t.text.trim_start_matches('-');
            let names = match stage_of(&tokens, index).and_then(|s| s.spec) {
                Some(spec) => parameter_names(spec, prefix),
                None => Vec::new(),
            };
            (t.span.start, names)
        }
        Word::Member { start, prefix, brace } => {
            let props = match brace {
                Some(b) => stage_of(&tokens, b).map(|s| input_properties(&s)).unwrap_or_default(),
                None => Vec::new(),
            };
            (start, to_suggestions(filter_prefix(props, &prefix)))
        }
        Word::Value { index } => value_candidates(&tokens, index, pos, ctx),
    };
    Completion { start, suggestions: dedupe(candidates) }
}

/// The tokens that matter for completion: no comments, and no line breaks that only continue a
/// statement (after a backtick or a trailing `|`), so a pipeline typed over several lines is
/// one pipeline.
fn significant_tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut continued = false;
    for t in tokenize_lenient(text) {
        match t.kind {
            TokenKind::Comment => {}
            TokenKind::LineContinuation => continued = true,
            TokenKind::Newline if continued || out.last().is_some_and(|l| l.kind == TokenKind::Pipe) => {}
            _ => {
                continued = false;
                out.push(t);
            }
        }
    }
    out
}

/// What kind of word the cursor is on.
enum Word {
    /// A command name being typed (token index).
    Command { index: usize },
    /// Nothing typed yet where a command starts.
    EmptyCommand,
    /// `-Name` being typed.
    Parameter { index: usize },
    /// `$_.Prop` being typed: `brace` is the `{` of the enclosing script block.
    Member { start: usize, prefix: String, brace: Option<usize> },
    /// Any other word; `index` is its token, or `tokens.len()` for an empty word at the cursor.
    Value { index: usize },
}

fn current_word(tokens: &[Token], pos: usize) -> Word {
    let last = match tokens.last() {
        Some(t) => t,
        None => return Word::EmptyCommand,
    };
    let at_cursor = last.span.end == pos;
    if at_cursor {
        let index = tokens.len() - 1;
        match last.kind {
            TokenKind::CommandName => return Word::Command { index },
            TokenKind::Parameter if !last.text.ends_with(':') => return Word::Parameter { index },
            TokenKind::BareWord if last.text == "-" => return Word::Parameter { index },
            TokenKind::BareWord | TokenKind::Dot if is_member_of_item(tokens, index) => {
                let (start, prefix) =
                    if last.kind == TokenKind::Dot { (pos, String::new()) } else { (last.span.start, last.text.clone()) };
                return Word::Member { start, prefix, brace: enclosing_open(tokens, index) };
            }
            TokenKind::BareWord | TokenKind::Variable | TokenKind::String | TokenKind::Number => {
                return Word::Value { index };
            }
            _ => {}
        }
    }
    // An empty word at the cursor: a command starts after a separator or opening bracket.
    let starts_command = match last.kind {
        TokenKind::Pipe | TokenKind::Semicolon | TokenKind::Newline | TokenKind::LBrace | TokenKind::LParen => true,
        TokenKind::DollarParen | TokenKind::AtParen => true,
        TokenKind::Operator => last.text == "=",
        _ => false,
    };
    if starts_command {
        return Word::EmptyCommand;
    }
    Word::Value { index: tokens.len() }
}

/// `$_.Prop` / `$PSItem.Prop`: the token at `index` is the member name (or the dot).
fn is_member_of_item(tokens: &[Token], index: usize) -> bool {
    let dot = if tokens[index].kind == TokenKind::Dot { Some(index) } else { index.checked_sub(1) };
    let Some(dot) = dot.filter(|&d| tokens[d].kind == TokenKind::Dot) else { return false };
    if tokens[index].kind == TokenKind::BareWord && tokens[dot].span.end != tokens[index].span.start {
        return false;
    }
    match dot.checked_sub(1).map(|v| &tokens[v]) {
        Some(v) if v.kind == TokenKind::Variable && v.span.end == tokens[dot].span.start => {
            matches!(v.text.to_ascii_lowercase().as_str(), "$_" | "$psitem")
        }
        _ => false,
    }
}

fn is_open(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::LParen | TokenKind::LBrace | TokenKind::LBracket | TokenKind::AtParen | TokenKind::AtBrace | TokenKind::DollarParen)
}

fn is_close(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::RParen | TokenKind::RBrace | TokenKind::RBracket)
}

/// The unclosed bracket that contains token `index`, if any.
fn enclosing_open(tokens: &[Token], index: usize) -> Option<usize> {
    let mut depth = 0usize;
    for i in (0..index).rev() {
        let k = tokens[i].kind;
        if is_close(k) {
            depth += 1;
        } else if is_open(k) {
            if depth == 0 {
                return Some(i);
            }
            depth -= 1;
        }
    }
    None
}

/// One element of a pipeline: its first token and, when it is a known command, the declaration.
struct Stage {
    /// Index of the element's first token.
    first: usize,
    spec: Option<&'static CmdletSpec>,
    /// Earlier elements of the same pipeline, nearest first.
    earlier: Vec<Option<&'static CmdletSpec>>,
}

/// The pipeline element that token `index` belongs to (at the same bracket depth).
fn stage_of(tokens: &[Token], index: usize) -> Option<Stage> {
    // Walk back at the depth of `index` to the start of its statement (a `;`, a line break or an
    // unclosed bracket), noting the pipes of its pipeline on the way; bracketed groups are skipped.
    let mut pipes = Vec::new();
    let mut depth = 0usize;
    let mut statement_start = 0;
    for i in (0..index.min(tokens.len())).rev() {
        let k = tokens[i].kind;
        if is_close(k) {
            depth += 1;
        } else if is_open(k) {
            if depth == 0 {
                statement_start = i + 1;
                break;
            }
            depth -= 1;
        } else if depth == 0 {
            match k {
                TokenKind::Semicolon | TokenKind::Newline => {
                    statement_start = i + 1;
                    break;
                }
                TokenKind::Pipe => pipes.push(i),
                _ => {}
            }
        }
    }
    // Elements start after each pipe (nearest first), and the first at the statement's start.
    let mut starts: Vec<usize> = pipes.into_iter().map(|p| p + 1).collect();
    starts.push(statement_start);
    let first = starts[0];
    if first > index || first >= tokens.len() {
        return None;
    }
    let spec_at = |i: usize| tokens.get(i).filter(|t| t.kind == TokenKind::CommandName).and_then(|t| cmdlets::find(&t.text));
    Some(Stage { first, spec: spec_at(first), earlier: starts[1..].iter().map(|&i| spec_at(i)).collect() })
}

fn command_names(prefix: &str) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    let mut names: Vec<&'static str> = CATALOG.iter().map(|c| c.name).filter(|n| starts_with_ci(n, prefix)).collect();
    names.sort_by_key(|n| n.to_ascii_lowercase());
    out.extend(names.into_iter().map(plain));
    let mut aliases: Vec<(&'static str, &'static str)> = CATALOG
        .iter()
        .flat_map(|c| c.aliases.iter().map(move |a| (*a, c.name)))
        .filter(|(a, _)| starts_with_ci(a, prefix))
        .collect();
    aliases.sort_by_key(|(a, _)| a.to_ascii_lowercase());
    out.extend(aliases.into_iter().map(|(a, name)| Suggestion { replacement: a.to_string(), display: format!("{a} -> {name}") }));
    out
}

fn parameter_names(spec: &'static CmdletSpec, prefix: &str) -> Vec<Suggestion> {
    all_params(spec)
        .filter(|p| starts_with_ci(p.name, prefix))
        .map(|p| Suggestion { replacement: format!("-{}", p.name), display: format!("-{}", p.name) })
        .collect()
}

/// Candidates for a value word (token `index`, or an empty word at `pos`).
fn value_candidates(tokens: &[Token], index: usize, pos: usize, ctx: &Context<'_>) -> (usize, Vec<Suggestion>) {
    let word = tokens.get(index);
    let start = word.map_or(pos, |t| t.span.start);
    let (quote, prefix) = match word {
        Some(t) if t.kind == TokenKind::String => {
            let q = t.text.chars().next().unwrap_or('\'');
            let inner = t.text[q.len_utf8()..].trim_end_matches(q);
            (Some(q), inner.to_string())
        }
        Some(t) => (None, t.text.clone()),
        None => (None, String::new()),
    };
    let variable = word.is_some_and(|t| t.kind == TokenKind::Variable);
    let target = stage_of(tokens, index).and_then(|stage| stage.spec.map(|spec| (stage, spec))).and_then(|(stage, spec)| {
        let p = parameter_for_value(tokens, &stage, spec, index)?;
        Some((stage, p))
    });
    let Some((stage, param)) = target else {
        return (start, if variable { variable_names(&prefix, ctx) } else { Vec::new() });
    };
    let typed = param.ty.completions();
    if !typed.is_empty() {
        let mut c = to_suggestions(filter_prefix(typed.into_iter().map(String::from).collect(), &prefix));
        if variable && c.is_empty() {
            c = variable_names(&prefix, ctx);
        }
        return (start, c);
    }
    if variable {
        return (start, variable_names(&prefix, ctx));
    }
    let candidates = match param.ty {
        ParamType::Identity(kind) => identities(kind, &prefix, ctx),
        _ if is_property_parameter(param) => input_properties(&stage),
        ParamType::String if param.name.eq_ignore_ascii_case("Name") && is_discovery(stage.spec) => {
            command_names(&prefix).into_iter().map(|s| s.replacement).collect()
        }
        _ => Vec::new(),
    };
    let candidates = filter_prefix(candidates, &prefix);
    (start, candidates.into_iter().map(|s| quoted(s, quote)).collect())
}

fn is_discovery(spec: Option<&'static CmdletSpec>) -> bool {
    spec.is_some_and(|s| s.name.eq_ignore_ascii_case("Get-Help") || s.name.eq_ignore_ascii_case("Get-Command"))
}

/// Parameters that take property names (Format-Table, Select-Object, Sort-Object, Where-Object,
/// Group-Object, Measure-Object).
fn is_property_parameter(p: &ParamSpec) -> bool {
    matches!(p.ty, ParamType::PropertyList)
        || ["Property", "ExpandProperty", "GroupBy"].iter().any(|n| p.name.eq_ignore_ascii_case(n))
}

/// The parameter the value word at `index` binds to: the named parameter before it (across a
/// comma list), or the positional parameter for its position.
fn parameter_for_value(tokens: &[Token], stage: &Stage, spec: &'static CmdletSpec, index: usize) -> Option<&'static ParamSpec> {
    // Walk back over `a,b,` list elements to the token before the list.
    let mut i = index;
    loop {
        let prev = i.checked_sub(1)?;
        if prev < stage.first {
            return None;
        }
        match tokens[prev].kind {
            TokenKind::Comma => {
                let before = prev.checked_sub(1)?;
                if before <= stage.first {
                    return None;
                }
                i = before;
                // `i` is now a list element; continue to what precedes it.
                continue;
            }
            TokenKind::Parameter => {
                let t = &tokens[prev];
                let name = t.text.trim_start_matches('-').trim_end_matches(':');
                let p = resolve_param(spec, name)?;
                let colon = t.text.ends_with(':');
                if colon || !matches!(p.ty, ParamType::Switch) {
                    return Some(p);
                }
                break;
            }
            _ => break,
        }
    }
    let position = positional_index(tokens, stage, spec, i);
    let mut at: Vec<&'static ParamSpec> = spec.params.iter().filter(|p| p.position == Some(position as u8)).collect();
    // A parameter already given by name does not take a positional argument.
    at.retain(|p| !named_params(tokens, stage, index).iter().any(|n| n.name == p.name));
    // Where sets disagree, prefer what completion can offer something for.
    at.sort_by_key(|p| (!matches!(p.ty, ParamType::Identity(_)), !is_property_parameter(p)));
    at.first().copied()
}

/// Exact name, else a unique prefix (PowerShell's abbreviation), else an alias.
fn resolve_param(spec: &'static CmdletSpec, name: &str) -> Option<&'static ParamSpec> {
    if let Some(p) = all_params(spec).find(|p| p.name.eq_ignore_ascii_case(name)) {
        return Some(p);
    }
    if let Some(p) = all_params(spec).find(|p| p.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))) {
        return Some(p);
    }
    let mut prefixed = all_params(spec).filter(|p| starts_with_ci(p.name, name));
    match (prefixed.next(), prefixed.next()) {
        (Some(p), None) => Some(p),
        _ => None,
    }
}

/// The token indexes of the stage's arguments before `index`, at the stage's own depth (a
/// bracketed group counts as its opening bracket).
fn stage_args(tokens: &[Token], stage: &Stage, index: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let end = index.min(tokens.len());
    for (i, t) in tokens.iter().enumerate().take(end).skip(stage.first + 1) {
        let k = t.kind;
        if is_open(k) {
            if depth == 0 {
                out.push(i);
            }
            depth += 1;
        } else if is_close(k) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 {
            out.push(i);
        }
    }
    out
}

fn named_params(tokens: &[Token], stage: &Stage, index: usize) -> Vec<&'static ParamSpec> {
    let Some(spec) = stage.spec else { return Vec::new() };
    stage_args(tokens, stage, index)
        .into_iter()
        .filter(|&i| tokens[i].kind == TokenKind::Parameter)
        .filter_map(|i| resolve_param(spec, tokens[i].text.trim_start_matches('-').trim_end_matches(':')))
        .collect()
}

/// How many positional arguments come before the word at `index`.
fn positional_index(tokens: &[Token], stage: &Stage, spec: &'static CmdletSpec, index: usize) -> usize {
    let args = stage_args(tokens, stage, index);
    let mut count = 0;
    let mut k = 0;
    while k < args.len() {
        let t = &tokens[args[k]];
        match t.kind {
            TokenKind::Parameter => {
                let name = t.text.trim_start_matches('-').trim_end_matches(':');
                let takes_value = t.text.ends_with(':')
                    || resolve_param(spec, name).is_some_and(|p| !matches!(p.ty, ParamType::Switch));
                k += 1;
                if takes_value {
                    k = skip_list(tokens, &args, k);
                }
            }
            TokenKind::Comma => k += 1,
            _ => {
                count += 1;
                k = skip_list(tokens, &args, k);
            }
        }
    }
    count
}

/// Skips one value and any `,value` continuations; returns the index after them.
fn skip_list(tokens: &[Token], args: &[usize], mut k: usize) -> usize {
    if k >= args.len() {
        return k;
    }
    k += 1;
    while k + 1 < args.len() && tokens[args[k]].kind == TokenKind::Comma {
        k += 2;
    }
    k
}

/// Property names of what flows into `stage`: the output type of the nearest earlier cmdlet
/// whose output type is known (pass-through cmdlets such as Where-Object are looked through).
fn input_properties(stage: &Stage) -> Vec<String> {
    for spec in stage.earlier.iter().flatten() {
        let names = output_property_names(spec.outputs);
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

/// The property names of the objects of output type `type_name`, in the objects' own order;
/// empty for a type mapish does not build (strings, format data, pass-through objects).
pub fn output_property_names(type_name: &str) -> Vec<String> {
    static SAMPLES: OnceLock<Vec<(&'static str, Vec<String>)>> = OnceLock::new();
    let samples = SAMPLES.get_or_init(|| {
        let server = Server::new("EX01", "ex01.contoso.com");
        let mailbox = Mailbox::new("Sample", "sample", "sample@contoso.com", "sample@contoso.com", "Contoso", "EX01");
        let vdir = MapiVirtualDirectory::with_defaults(&server);
        vec![
            (objects::VDIR_TYPE, property_names(&objects::vdir_object(&vdir, &server.fqdn))),
            (objects::ORG_TYPE, property_names(&objects::org_object(&Organization::new("Contoso")))),
            (objects::CAS_MAILBOX_TYPE, property_names(&objects::cas_mailbox_object(&mailbox))),
            (objects::MAILBOX_TYPE, property_names(&objects::mailbox_object(&mailbox))),
            (objects::SERVER_TYPE, property_names(&objects::server_object(&server))),
            (cmdlets::history::HISTORY_INFO_TYPE, vec!["Id".to_string(), "CommandLine".to_string()]),
        ]
    });
    if let Some((_, names)) = samples.iter().find(|(t, _)| t.eq_ignore_ascii_case(type_name)) {
        return names.clone();
    }
    // PowerShell's own types, whose properties are fixed by PowerShell.
    const POWERSHELL_TYPES: &[(&str, &[&str])] = &[
        ("System.Management.Automation.PSCredential", &["UserName", "Password"]),
        ("Microsoft.PowerShell.Commands.GroupInfo", &["Count", "Name", "Group", "Values"]),
        ("Microsoft.PowerShell.Commands.GenericMeasureInfo", &["Count", "Average", "Sum", "Maximum", "Minimum", "Property"]),
        ("Microsoft.PowerShell.Commands.MemberDefinition", &["TypeName", "Name", "MemberType", "Definition"]),
    ];
    if let Some((_, names)) = POWERSHELL_TYPES.iter().find(|(t, _)| t.eq_ignore_ascii_case(type_name)) {
        return names.iter().map(|n| n.to_string()).collect();
    }
    // Any other type with a declared table view: at least its columns.
    match default_view(type_name) {
        Some(DefaultView::Table(columns)) => columns.iter().map(|(name, _, _)| name.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn identities(kind: IdKind, prefix: &str, ctx: &Context<'_>) -> Vec<String> {
    let Some(store) = ctx.store else { return Vec::new() };
    match kind {
        // An index range scan over names: bounded work however many mailboxes exist.
        // Names first, then aliases that differ from every offered name.
        IdKind::Mailbox => {
            let mut offered: Vec<String> =
                store.mailboxes_with_name_prefix(prefix, IDENTITY_LIMIT).map(|found| found.into_iter().map(|m| m.name).collect()).unwrap_or_default();
            let aliases = store.mailboxes_with_alias_prefix(prefix, IDENTITY_LIMIT).unwrap_or_default();
            for alias in aliases.into_iter().map(|m| m.alias) {
                if offered.len() >= IDENTITY_LIMIT {
                    break;
                }
                if !offered.iter().any(|o| o.eq_ignore_ascii_case(&alias)) {
                    offered.push(alias);
                }
            }
            offered
        }
        IdKind::Server => store.servers().map(|s| s.into_iter().map(|s| s.name).collect()).unwrap_or_default(),
        IdKind::VirtualDirectory => {
            let vdirs = store.mapi_virtual_directories().unwrap_or_default();
            // `EX01\mapi (Default Web Site)`, or the bare name when the user started typing it.
            vdirs
                .iter()
                .map(|v| if !prefix.contains('\\') && starts_with_ci(&v.name(), prefix) && !prefix.is_empty() { v.name() } else { v.identity() })
                .collect()
        }
    }
}

fn variable_names(prefix: &str, ctx: &Context<'_>) -> Vec<Suggestion> {
    let wanted = prefix.trim_start_matches('$');
    // The session keeps names lower-cased; show the automatic ones in PowerShell's spelling.
    const SPELLED: &[&str] = &["true", "false", "null", "_", "PSItem", "FormatEnumerationLimit", "ErrorActionPreference", "WarningPreference", "ConfirmPreference"];
    let mut names: Vec<String> = SPELLED.iter().map(|s| s.to_string()).collect();
    for v in ctx.variables {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(v)) {
            names.push(v.clone());
        }
    }
    names
        .into_iter()
        .filter(|n| starts_with_ci(n, wanted))
        .map(|n| plain(&format!("${n}")))
        .collect()
}

fn filter_prefix(candidates: Vec<String>, prefix: &str) -> Vec<String> {
    candidates.into_iter().filter(|c| starts_with_ci(c, prefix)).collect()
}

/// Quotes a candidate that would not survive as a bare word, in the quote style already typed.
fn quoted(candidate: String, quote: Option<char>) -> Suggestion {
    let needs = candidate.is_empty() || candidate.chars().any(|c| c.is_whitespace() || "(){}[];,|'\"`&<>#$@".contains(c));
    let replacement = match quote {
        Some('"') => format!("\"{}\"", candidate.replace('"', "`\"").replace('$', "`$")),
        Some(_) => format!("'{}'", candidate.replace('\'', "''")),
        None if needs => format!("'{}'", candidate.replace('\'', "''")),
        None => candidate.clone(),
    };
    Suggestion { replacement, display: candidate }
}

fn plain(s: &str) -> Suggestion {
    Suggestion { replacement: s.to_string(), display: s.to_string() }
}

impl From<String> for Suggestion {
    fn from(s: String) -> Self {
        Suggestion { display: s.clone(), replacement: s }
    }
}

fn to_suggestions(candidates: Vec<String>) -> Vec<Suggestion> {
    candidates.into_iter().map(Suggestion::from).collect()
}

fn dedupe(candidates: Vec<Suggestion>) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    for c in candidates {
        if !out.iter().any(|o| o.replacement == c.replacement) {
            out.push(c);
        }
    }
    out
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.is_char_boundary(prefix.len()) && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replacements(line: &str, ctx: &Context<'_>) -> (usize, Vec<String>) {
        let c = complete(line, line.len(), ctx);
        (c.start, c.suggestions.into_iter().map(|s| s.replacement).collect())
    }

    fn words(line: &str) -> Vec<String> {
        replacements(line, &Context::default()).1
    }

    /// A store with mailboxes albert, alice, bob on server EX01 and its MAPI virtual directory.
    fn lab() -> Store {
        let store = Store::open_temporary().expect("temporary store");
        store
            .initialize(&mapish_store::InitParams { organization: "Contoso".into(), server: "EX01".into(), fqdn: "ex01.contoso.com".into() })
            .expect("initialize");
        for name in ["alice", "albert", "bob", "Alice Smith"] {
            let alias = name.replace(' ', ".");
            let m = Mailbox::new(name, alias.clone(), format!("{alias}@contoso.com"), format!("{alias}@contoso.com"), "Contoso", "EX01");
            store.update(|tx| tx.put_mailbox(&m)).expect("put mailbox");
        }
        store
    }

    #[test]
    fn cmdlet_names_complete_by_prefix_case_insensitively() {
        assert_eq!(replacements("Get-CAS", &Context::default()), (0, vec!["Get-CASMailbox".to_string()]));
        let got = words("get-c");
        assert!(got.contains(&"Get-CASMailbox".to_string()) && got.contains(&"Get-Command".to_string()), "{got:?}");
        assert!(got.iter().all(|w| w.to_lowercase().starts_with("get-c")), "{got:?}");
    }

    #[test]
    fn aliases_complete_after_the_names() {
        let got = words("f");
        let (ft, format_table) = (got.iter().position(|w| w == "ft"), got.iter().position(|w| w == "Format-Table"));
        assert!(matches!((ft, format_table), (Some(a), Some(b)) if b < a), "{got:?}");
    }

    #[test]
    fn a_command_after_a_pipe_or_assignment_completes_as_a_command() {
        assert_eq!(replacements("Get-Mailbox | Get-CA", &Context::default()), (14, vec!["Get-CASMailbox".to_string()]));
        assert_eq!(replacements("$m = Get-CA", &Context::default()), (5, vec!["Get-CASMailbox".to_string()]));
        assert!(words("Get-Mailbox | ").contains(&"Set-CASMailbox".to_string()));
    }

    #[test]
    fn parameter_names_complete_after_a_dash_including_common_ones() {
        assert_eq!(replacements("Set-CASMailbox alice -MAPIEn", &Context::default()), (21, vec!["-MAPIEnabled".to_string()]));
        let all = words("Set-CASMailbox -");
        for p in ["-Identity", "-MAPIEnabled", "-WhatIf", "-Confirm", "-ErrorAction", "-Verbose"] {
            assert!(all.contains(&p.to_string()), "{p} missing from {all:?}");
        }
        // Get- cmdlets have no ShouldProcess pair.
        assert!(!words("Get-CASMailbox -").contains(&"-WhatIf".to_string()));
        assert_eq!(words("Get-CASMailbox -erroraction"), vec!["-ErrorAction".to_string()]);
        assert!(words("Nope-Nothing -").is_empty());
    }

    #[test]
    fn typed_parameter_values_complete_after_a_space_or_a_colon() {
        assert_eq!(words("Set-CASMailbox alice -MAPIEnabled "), vec!["$true", "$false"]);
        assert_eq!(words("Set-CASMailbox alice -MAPIEnabled $f"), vec!["$false"]);
        let (start, got) = replacements("Set-CASMailbox alice -MAPIEnabled:$f", &Context::default());
        assert_eq!((start, got), (34, vec!["$false".to_string()]));
        assert_eq!(words("Set-CASMailbox alice -MapiHttpEnabled:"), vec!["$true", "$false", "$null"]);
        assert_eq!(words("Get-CASMailbox -ErrorAction s"), vec!["SilentlyContinue", "Stop", "Suspend"]);
        // A switch takes no value: the next word is positional.
        assert!(words("Set-CASMailbox -WhatIf $t").contains(&"$true".to_string()));
    }

    #[test]
    fn a_multi_valued_enum_completes_after_a_comma() {
        let line = "Set-MapiVirtualDirectory -IISAuthenticationMethods Ntlm,Neg";
        assert_eq!(replacements(line, &Context::default()), (line.len() - 3, vec!["Negotiate".to_string()]));
        assert_eq!(words("Set-MapiVirtualDirectory -IISAuthenticationMethods Ntlm,").len(), 4);
    }

    #[test]
    fn identities_come_from_the_store_named_or_positional() {
        let store = lab();
        let ctx = Context { store: Some(&store), variables: &[] };
        assert_eq!(
            replacements("Get-CASMailbox al", &ctx),
            (15, vec!["albert".to_string(), "alice".to_string(), "'Alice Smith'".to_string(), "Alice.Smith".to_string()])
        );
        // Aliases that are not names are offered too, from the alias index.
        assert_eq!(replacements("Set-CASMailbox -Identity alice.", &ctx).1, vec!["Alice.Smith"]);
        assert_eq!(replacements("Set-CASMailbox -Identity b", &ctx).1, vec!["bob"]);
        assert_eq!(replacements("Set-CASMailbox -MAPIEnabled $false B", &ctx).1, vec!["bob"]);
        assert_eq!(replacements("Get-CASMailbox 'Alice S", &ctx).1, vec!["'Alice Smith'"]);
        assert_eq!(replacements("Get-ExchangeServer ", &ctx).1, vec!["EX01"]);
        assert_eq!(replacements("Get-MapiVirtualDirectory ", &ctx).1, vec!["'EX01\\mapi (Default Web Site)'"]);
        assert_eq!(replacements("Get-MapiVirtualDirectory -Server e", &ctx).1, vec!["EX01"]);
        // The second positional of Get-CASMailbox is not an identity: nothing to offer.
        assert!(replacements("Get-CASMailbox alice ", &ctx).1.is_empty());
    }

    #[test]
    fn property_names_follow_the_output_type_of_the_pipeline() {
        assert_eq!(words("Get-CASMailbox | ft Na"), vec!["Name"]);
        assert_eq!(words("Get-CASMailbox |\n  ft Na"), vec!["Name"]);
        assert_eq!(words("Get-CASMailbox `\n  | ft Na"), vec!["Name"]);
        assert!(words("Get-CASMailbox\nft Na").is_empty(), "a new statement has no input");
        let got = words("Get-CASMailbox | Format-Table Name, MAPI");
        assert!(got.contains(&"MAPIEnabled".to_string()) && got.contains(&"MAPIBlockOutlookRpcHttp".to_string()), "{got:?}");
        assert_eq!(words("Get-MapiVirtualDirectory | fl -Property Int"), vec!["InternalUrl", "InternalAuthenticationMethods"]);
        assert_eq!(words("Get-CASMailbox | ? { $_.MapiH"), vec!["MapiHttpEnabled"]);
        assert_eq!(words("Get-OrganizationConfig | % { $PSItem.MapiH"), vec!["MapiHttpEnabled"]);
        // Pass-through cmdlets are looked through; the simplified Where-Object takes a property.
        assert_eq!(words("Get-CASMailbox | ? MAPIEnabled -eq $false | sort Na"), vec!["Name"]);
        assert_eq!(words("Get-CASMailbox | Where-Object MapiH"), vec!["MapiHttpEnabled"]);
        assert_eq!(words("Get-Mailbox | select -ExpandProperty Ali"), vec!["Alias"]);
        assert_eq!(words("Get-ExchangeServer | group Fq"), vec!["Fqdn"]);
        assert_eq!(words("Get-Mailbox | Group-Object ServerName | ft Cou"), vec!["Count"]);
    }

    #[test]
    fn output_property_names_cover_the_exchange_types() {
        let names = output_property_names(objects::CAS_MAILBOX_TYPE);
        assert_eq!(names.first().map(String::as_str), Some("LegacyExchangeDN"));
        assert!(names.contains(&"MapiHttpEnabled".to_string()));
        assert!(output_property_names("System.String").is_empty());
        assert!(output_property_names(crate::cmdlets::meta_types::COMMAND_INFO).contains(&"Name".to_string()));
        assert_eq!(output_property_names("System.Management.Automation.PSCredential"), vec!["UserName", "Password"]);
    }

    #[test]
    fn variables_complete_after_a_dollar() {
        let vars = vec!["mailboxes".to_string(), "formatenumerationlimit".to_string()];
        let ctx = Context { store: None, variables: &vars };
        assert_eq!(replacements("$ma", &ctx), (0, vec!["$mailboxes".to_string()]));
        assert_eq!(replacements("$fo", &ctx).1, vec!["$FormatEnumerationLimit"]);
        assert_eq!(replacements("$fa", &ctx).1, vec!["$false"]);
    }

    #[test]
    fn get_help_completes_cmdlet_names() {
        assert_eq!(words("Get-Help Set-CAS"), vec!["Set-CASMailbox"]);
    }

    #[test]
    fn odd_input_never_panics() {
        let store = lab();
        let ctx = Context { store: Some(&store), variables: &[] };
        for line in ["", " ", "|", "{", "}", "((", "'", "\"", "-", "$", "@{", "ft -", "Get-CASMailbox -Identity:", "é -", "Get-CASMailbox | ? { $_.", "a,b,", ";;", "`"] {
            for pos in 0..=line.len() {
                let _ = complete(line, pos, &ctx);
            }
        }
    }
}
