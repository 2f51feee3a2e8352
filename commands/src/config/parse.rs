//! Reading a configuration file: TOML with positions (toml's `DeTable`), then every key checked
//! against the schema and converted by the binder, exactly as the same cmdlet parameter would be.
//!
//! Nothing here panics on any input (see the fuzz target `config_import`); every problem becomes a
//! diagnostic, and all of them are returned together.

use std::ops::Range;

use mapish_store::{Mailbox, MapiVirtualDirectory, Organization, Server};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::ConfigError;
use super::schema::{FORMAT_VERSION, Field, Kind, Setting, TOP_LEVEL};
use super::secrets::{Secret, Secrets};
use super::source::{Problems, Source};
use crate::bind::convert;
use crate::lang::ast::Span;
use crate::spec::ParamType;
use crate::value::Value;

/// One object as the file declares it, with the positions of its keys.
#[derive(Debug, Clone)]
pub struct Declared<T> {
    pub value: T,
    /// The table (its header, or the inline table).
    pub span: Range<usize>,
    keys: Vec<(&'static str, Range<usize>)>,
    /// A password given in clear through PasswordFile or PasswordEnv (mailboxes only).
    pub secret: Option<Secret>,
}

impl<T: Kind> Declared<T> {
    /// Where `key` is written; for a value derived from another key (Alias from Name), where that key
    /// is written; else where the table starts.
    pub fn key_span(&self, key: &str) -> Range<usize> {
        let find = |key: &str| self.keys.iter().find(|(k, _)| *k == key).map(|(_, s)| s.clone());
        find(key).or_else(|| T::derived_from(key).and_then(find)).unwrap_or_else(|| self.span.clone())
    }

    pub fn has_key(&self, key: &str) -> bool {
        self.keys.iter().any(|(k, _)| *k == key)
    }
}

/// The whole desired state a file declares. A kind the file never mentions is `None`: it is left
/// alone, and `--prune` does not touch it (`Mailbox = []` declares "no mailboxes").
#[derive(Debug, Clone, Default)]
pub struct Desired {
    pub organization: Option<Declared<Organization>>,
    pub servers: Option<Vec<Declared<Server>>>,
    pub vdirs: Option<Vec<Declared<MapiVirtualDirectory>>>,
    pub mailboxes: Option<Vec<Declared<Mailbox>>>,
}

impl Desired {
    /// How many objects the file declares.
    pub fn object_count(&self) -> usize {
        usize::from(self.organization.is_some())
            + self.servers.as_ref().map_or(0, Vec::len)
            + self.vdirs.as_ref().map_or(0, Vec::len)
            + self.mailboxes.as_ref().map_or(0, Vec::len)
    }
}

/// Parses and checks `source`; `Err(ConfigError::Invalid)` lists every problem found.
pub fn parse(source: &Source<'_>, secrets: &dyn Secrets) -> Result<Desired, ConfigError> {
    let mut problems = Problems::default();
    let (root, errors) = DeTable::parse_recoverable(source.text);
    if !errors.is_empty() {
        // The tree after a syntax error is a guess; checking it would report phantom problems.
        for e in errors {
            problems.add(e.span().unwrap_or(0..0), "", format!("TOML syntax: {}", e.message().trim()));
        }
        return Err(problems.finish(source).err().unwrap_or_else(|| ConfigError::Invalid { file: source.name.clone(), diagnostics: Vec::new() }));
    }
    let desired = read_root(root.get_ref(), secrets, &mut problems);
    problems.finish(source)?;
    Ok(desired)
}

fn read_root(root: &DeTable<'_>, secrets: &dyn Secrets, problems: &mut Problems) -> Desired {
    let mut desired = Desired::default();
    let mut version_seen = false;
    for (key, value) in root.iter() {
        let span = key.span();
        match key.get_ref().as_ref() {
            "Version" => {
                version_seen = true;
                match value.get_ref() {
                    DeValue::Integer(i) if i.as_str() == FORMAT_VERSION.to_string() => {}
                    DeValue::Integer(i) => problems.add(
                        value.span(),
                        "Version",
                        format!("this mapish reads format version {FORMAT_VERSION}, not {}; use a mapish that knows it", i.as_str()),
                    ),
                    other => problems.add(value.span(), "Version", format!("expected the integer {FORMAT_VERSION}, found {}", describe(other))),
                }
            }
            "Organization" => desired.organization = read_single(value, secrets, problems),
            "Server" => desired.servers = Some(read_array(value, span, secrets, problems)),
            "MapiVirtualDirectory" => desired.vdirs = Some(read_array(value, span, secrets, problems)),
            "Mailbox" => desired.mailboxes = Some(read_array(value, span, secrets, problems)),
            other => problems.add(span, other, unknown_key(other, &TOP_LEVEL, "at the top level")),
        }
    }
    if !version_seen {
        problems.add(0..0, "Version", format!("missing: the file must start with Version = {FORMAT_VERSION}"));
    }
    desired
}

fn read_single<T: Kind>(value: &Spanned<DeValue<'_>>, secrets: &dyn Secrets, problems: &mut Problems) -> Option<Declared<T>> {
    match value.get_ref() {
        DeValue::Table(table) => read_object(table, value.span(), secrets, problems),
        other => {
            problems.add(value.span(), T::TABLE, format!("expected a table ([{}]), found {}", T::TABLE, describe(other)));
            None
        }
    }
}

fn read_array<T: Kind>(value: &Spanned<DeValue<'_>>, key_span: Range<usize>, secrets: &dyn Secrets, problems: &mut Problems) -> Vec<Declared<T>> {
    let DeValue::Array(items) = value.get_ref() else {
        problems.add(
            key_span,
            T::TABLE,
            format!("expected an array of tables ([[{0}]], one per object), found {1}; write [[{0}]]", T::TABLE, describe(value.get_ref())),
        );
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item.get_ref() {
            DeValue::Table(table) => {
                if let Some(d) = read_object(table, item.span(), secrets, problems) {
                    out.push(d);
                }
            }
            other => problems.add(item.span(), T::TABLE, format!("expected a table, found {}", describe(other))),
        }
    }
    out
}

/// Reads one object; `None` when it has problems (already recorded), so that checks across objects
/// do not pile on consequences of a problem already reported.
fn read_object<T: Kind>(table: &DeTable<'_>, span: Range<usize>, secrets: &dyn Secrets, problems: &mut Problems) -> Option<Declared<T>> {
    let before = problems.len();
    let mut value = T::template();
    let mut keys = Vec::new();
    let mut secret = None;
    let mut password_keys: Vec<(&'static str, Range<usize>)> = Vec::new();
    for (key, v) in table.iter() {
        let name = key.get_ref().as_ref();
        let path = format!("{}.{name}", T::TABLE);
        let Some(field) = T::fields().iter().find(|f| f.key == name) else {
            let known: Vec<&str> = T::fields().iter().map(|f| f.key).collect();
            problems.add(key.span(), path, unknown_key(name, &known, &format!("in {}", header::<T>())));
            continue;
        };
        keys.push((field.key, key.span()));
        let Some(setting) = read_value(field, v, &path, problems) else { continue };
        if field.key.starts_with("Password") {
            password_keys.push((field.key, key.span()));
            match field.key {
                "PasswordFile" => secret = resolve_secret(secrets.file(&into_text(&setting)), v.span(), &path, problems),
                "PasswordEnv" => secret = resolve_secret(secrets.env(&into_text(&setting)), v.span(), &path, problems),
                _ => {}
            }
        }
        (field.set)(&mut value, setting);
    }
    if let [(first, _), rest @ ..] = password_keys.as_slice() {
        for (other, s) in rest {
            problems.add(
                s.clone(),
                format!("{}.{other}", T::TABLE),
                format!("give the password one way only: {first} is already set for this mailbox (PasswordHash, PasswordFile and PasswordEnv are alternatives)"),
            );
        }
    }
    for field in T::fields().iter().filter(|f| f.required) {
        if !keys.iter().any(|(k, _)| *k == field.key) {
            problems.add(
                span.clone(),
                format!("{}.{}", T::TABLE, field.key),
                format!("missing: every {} needs {} (it is required by {})", header::<T>(), field.key, field.cmdlet()),
            );
        }
    }
    value.complete();
    (problems.len() == before).then_some(Declared { value, span, keys, secret })
}

/// `[[Mailbox]]` or `[Organization]`, as the table is written.
fn header<T: Kind>() -> String {
    if T::ARRAY { format!("[[{}]]", T::TABLE) } else { format!("[{}]", T::TABLE) }
}

fn into_text(s: &Setting) -> String {
    match s {
        Setting::Text(t) => t.clone(),
        _ => String::new(),
    }
}

fn resolve_secret(found: Result<Secret, String>, span: Range<usize>, path: &str, problems: &mut Problems) -> Option<Secret> {
    match found {
        Ok(s) => Some(s),
        Err(why) => {
            problems.add(span, path, why);
            None
        }
    }
}

/// Checks the TOML type against the declared parameter type, converts with the binder (so the same
/// values are accepted, with the same messages), then runs the cmdlet's own check.
fn read_value<T>(field: &Field<T>, v: &Spanned<DeValue<'_>>, path: &str, problems: &mut Problems) -> Option<Setting> {
    let ty = match field.param_type() {
        Ok(ty) => ty,
        Err(why) => {
            // Only a build whose declarations drifted from the schema gets here (a unit test guards it).
            problems.add(v.span(), path, format!("mapish cannot read this key: {why}"));
            return None;
        }
    };
    let raw = match to_value(v.get_ref(), &ty) {
        Ok(raw) => raw,
        Err(expected) => {
            problems.add(v.span(), path, format!("expected {expected}, found {}", describe(v.get_ref())));
            return None;
        }
    };
    if let Value::String(s) = &raw
        && s.trim().is_empty()
    {
        problems.add(v.span(), path, format!("{} can't be empty; leave the key out for its default", field.key));
        return None;
    }
    let span = Span::new(v.span().start, v.span().end);
    let converted = match convert(raw, &ty, field.key, field.cmdlet(), span) {
        Ok(c) => c,
        Err(record) => {
            problems.add(v.span(), path, record.message);
            return None;
        }
    };
    let setting = match converted {
        Value::Null => Setting::Absent,
        Value::Bool(b) => Setting::Bool(b),
        Value::List(items) => Setting::List(items.iter().map(Value::to_text).collect()),
        other => Setting::Text(other.to_text()),
    };
    match field.check {
        None => Some(setting),
        Some(check) => match check(field.key, setting) {
            Ok(s) => Some(s),
            Err(message) => {
                problems.add(v.span(), path, message);
                None
            }
        },
    }
}

/// The TOML value as the binder's input, if its TOML type fits the parameter; `Err` says what fits.
fn to_value(v: &DeValue<'_>, ty: &ParamType) -> Result<Value, &'static str> {
    match ty {
        ParamType::Bool | ParamType::NullableBool | ParamType::Switch => match v {
            DeValue::Boolean(b) => Ok(Value::Bool(*b)),
            _ => Err("true or false"),
        },
        ParamType::MultiValued(_) | ParamType::StringArray => match v {
            DeValue::Array(items) => items
                .iter()
                .map(|i| match i.get_ref() {
                    DeValue::String(s) => Ok(Value::String(s.to_string())),
                    _ => Err("an array of strings"),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List),
            _ => Err("an array of strings"),
        },
        _ => match v {
            DeValue::String(s) => Ok(Value::String(s.to_string())),
            _ => Err("a string"),
        },
    }
}

fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("the string \"{}\"", s.chars().take(60).collect::<String>()),
        DeValue::Integer(i) => format!("the integer {}", i.as_str()),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        DeValue::Datetime(d) => format!("the date-time {d}"),
        DeValue::Array(_) => "an array".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// "unknown key" with the likely intended key: TOML keys are case-sensitive, PowerShell's are not,
/// so `MapiEnabled` for `MAPIEnabled` is the usual slip.
fn unknown_key(key: &str, known: &[&str], place: &str) -> String {
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        return format!("unknown key '{key}' {place}; keys are case-sensitive: did you mean '{k}'?");
    }
    format!("unknown key '{key}' {place}; expected one of {}", known.join(", "))
}
