//! The plan: what an import would create, change and delete, computed from the declared state and a
//! snapshot of the store, with every rule that spans objects checked on the state the import would
//! leave (references, one virtual directory per server, unique names and addresses).
//!
//! Planning is pure apart from hashing clear-text passwords: it reads nothing but its arguments, so
//! the same plan is shown by `--what-if` and applied by `apply`.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, Utc};
use mapish_store::{Mailbox, MapiVirtualDirectory, NtHash, Organization, Server, Uuid, hash_password, legacy_exchange_dn, verify_password};

use super::current::Current;
use super::error::ConfigError;
use super::parse::Desired;
use super::schema::{Export, Kind, Setting};
use super::source::{Problems, Source};
use super::toml_text::value_text;

/// How to plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Delete what the file does not declare, for each kind the file declares.
    pub prune: bool,
    /// WhenCreated/WhenChanged of what the import writes.
    pub now: DateTime<Utc>,
    /// The server new mailboxes live on, if it exists after the import (else the first server by name).
    pub default_server: Option<String>,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions { prune: false, now: Utc::now(), default_server: None }
    }
}

/// One object's fate.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    Create(T),
    Update { old: T, new: T, properties: Vec<PropertyChange> },
    Delete(T),
}

impl<T> Change<T> {
    /// The object as it will be (or, for a delete, as it was).
    pub fn object(&self) -> &T {
        match self {
            Change::Create(t) | Change::Delete(t) => t,
            Change::Update { new, .. } => new,
        }
    }
}

/// One property of a changed object: `property: old → new`, values as the file writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyChange {
    pub property: &'static str,
    pub old: String,
    pub new: String,
}

/// Everything an import would do, grouped by kind in the order it is shown and applied.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub organization: Option<Change<Organization>>,
    pub servers: Vec<Change<Server>>,
    pub vdirs: Vec<Change<MapiVirtualDirectory>>,
    pub mailboxes: Vec<Change<Mailbox>>,
    /// Objects of the kinds the file declares that it does not declare and that stay (no --prune).
    pub kept: usize,
}

/// How many objects a plan creates, changes and deletes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub create: usize,
    pub change: usize,
    pub delete: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.create + self.change + self.delete
    }
}

impl Plan {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        let mut count = |kind: u8| match kind {
            0 => c.create += 1,
            1 => c.change += 1,
            _ => c.delete += 1,
        };
        fn kind<T>(ch: &Change<T>) -> u8 {
            match ch {
                Change::Create(_) => 0,
                Change::Update { .. } => 1,
                Change::Delete(_) => 2,
            }
        }
        self.organization.iter().for_each(|ch| count(kind(ch)));
        self.servers.iter().for_each(|ch| count(kind(ch)));
        self.vdirs.iter().for_each(|ch| count(kind(ch)));
        self.mailboxes.iter().for_each(|ch| count(kind(ch)));
        c
    }

    pub fn is_empty(&self) -> bool {
        self.counts().total() == 0
    }
}

/// What planning needs of each kind beyond the file's vocabulary: its Guid and timestamps.
pub trait Record: Kind {
    fn guid(&self) -> Uuid;
    fn stamp(&mut self, guid: Uuid, created: Option<DateTime<Utc>>, changed: DateTime<Utc>);
}

macro_rules! record {
    ($t:ty) => {
        impl Record for $t {
            fn guid(&self) -> Uuid {
                self.guid
            }
            fn stamp(&mut self, guid: Uuid, created: Option<DateTime<Utc>>, changed: DateTime<Utc>) {
                self.guid = guid;
                if let Some(c) = created {
                    self.when_created = c;
                }
                self.when_changed = changed;
            }
        }
    };
}
record!(Organization);
record!(Server);
record!(MapiVirtualDirectory);
record!(Mailbox);

/// Identities compare as the store's indexes do: case-insensitively.
fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// Computes the plan; `Err(ConfigError::Invalid)` lists every rule the resulting state would break.
pub fn plan(desired: &Desired, current: &Current, source: &Source<'_>, opts: &PlanOptions) -> Result<Plan, ConfigError> {
    let mut p = Planner { source, opts, problems: Problems::default(), plan: Plan::default() };
    p.organization(desired, current);
    let servers = p.servers(desired, current);
    p.vdirs(desired, current, &servers);
    p.mailboxes(desired, current, &servers);
    let Planner { problems, mut plan, .. } = p;
    problems.finish(source)?;
    plan.servers.sort_by_cached_key(|c| fold(&c.object().name));
    plan.vdirs.sort_by_cached_key(|c| (fold(&c.object().server), fold(&c.object().website)));
    plan.mailboxes.sort_by_cached_key(|c| fold(&c.object().name));
    Ok(plan)
}

struct Planner<'a, 's> {
    source: &'a Source<'s>,
    opts: &'a PlanOptions,
    problems: Problems,
    plan: Plan,
}

/// Where an identity was first seen, for "already used by" messages.
#[derive(Clone)]
enum Holder {
    File { line: usize, identity: String },
    Store { identity: String },
}

impl Holder {
    fn describe(&self, kind: &str) -> String {
        match self {
            Holder::File { line, identity } => format!("{kind} '{identity}' (line {line})"),
            Holder::Store { identity } => format!(
                "{kind} '{identity}', which is in the store but not in this file (declare it, or remove it with --prune)"
            ),
        }
    }
}

impl Planner<'_, '_> {
    fn line(&self, span: &Range<usize>) -> usize {
        self.source.position(span.start).0
    }

    fn organization(&mut self, desired: &Desired, current: &Current) {
        let now = self.opts.now;
        match (&desired.organization, &current.organization) {
            (None, Some(_)) => {}
            (None, None) => self.problems.add(
                0..0,
                "Organization",
                "the store is empty, so the file must declare the [Organization] to create (with its Name)",
            ),
            (Some(d), None) => {
                let mut org = d.value.clone();
                org.stamp(Uuid::new_v4(), Some(now), now);
                self.plan.organization = Some(Change::Create(org));
            }
            (Some(d), Some(old)) => {
                if fold(&d.value.name) != fold(&old.name) {
                    self.problems.add(
                        d.key_span("Name"),
                        "Organization.Name",
                        format!(
                            "this store's organization is '{}'; an organization can't be renamed, so import into a new store or write Name = \"{}\"",
                            old.name, old.name
                        ),
                    );
                    return;
                }
                if let Some(change) = update(old, &d.value, None, now) {
                    self.plan.organization = Some(change);
                }
            }
        }
    }

    /// Plans the servers and returns the names of the servers the import leaves, folded → canonical.
    fn servers(&mut self, desired: &Desired, current: &Current) -> HashMap<String, String> {
        let now = self.opts.now;
        let mut final_names: HashMap<String, String> = HashMap::new();
        // Name and Fqdn share one namespace: a server is found by either.
        let mut taken: HashMap<String, Holder> = HashMap::new();
        let mut matched: Vec<bool> = vec![false; current.servers.len()];
        let declared = desired.servers.as_deref().unwrap_or_default();
        for d in declared {
            let key = fold(&d.value.name);
            let holder = Holder::File { line: self.line(&d.span), identity: d.value.name.clone() };
            for (k, value) in [("Name", &d.value.name), ("Fqdn", &d.value.fqdn)] {
                let folded = fold(value);
                if k == "Fqdn" && folded == key {
                    continue;
                }
                if let Some(h) = taken.get(&folded) {
                    let what = if k == "Name" && matches!(h, Holder::File { identity, .. } if fold(identity) == key) {
                        format!("the server '{value}' is declared twice; the first is {}", h.describe("server"))
                    } else {
                        format!("{k} '{value}' is already the name or FQDN of {}", h.describe("server"))
                    };
                    self.problems.add(d.key_span(k), format!("Server.{k}"), what);
                } else {
                    taken.insert(folded, holder.clone());
                }
            }
            final_names.insert(key.clone(), d.value.name.clone());
            match current.servers.iter().position(|s| fold(&s.name) == key) {
                Some(i) => {
                    matched[i] = true;
                    if let Some(ch) = update(&current.servers[i], &d.value, None, now) {
                        self.plan.servers.push(ch);
                    }
                }
                None => {
                    let mut s = d.value.clone();
                    s.stamp(Uuid::new_v4(), Some(now), now);
                    self.plan.servers.push(Change::Create(s));
                }
            }
        }
        let prune = self.opts.prune && desired.servers.is_some();
        for (_, s) in current.servers.iter().enumerate().filter(|(i, _)| !matched[*i]) {
            if prune {
                self.plan.servers.push(Change::Delete(s.clone()));
                continue;
            }
            self.plan.kept += usize::from(desired.servers.is_some());
            final_names.insert(fold(&s.name), s.name.clone());
            for value in [&s.name, &s.fqdn] {
                let folded = fold(value);
                match taken.get(&folded) {
                    Some(Holder::File { identity, .. }) => {
                        let identity = fold(identity);
                        if let Some(d) = declared.iter().find(|d| fold(&d.value.name) == identity) {
                            let k = if fold(&d.value.name) == folded { "Name" } else { "Fqdn" };
                            self.problems.add(
                                d.key_span(k),
                                format!("Server.{k}"),
                                format!("{k} '{value}' is already the name or FQDN of {}", Holder::Store { identity: s.name.clone() }.describe("server")),
                            );
                        }
                    }
                    Some(Holder::Store { .. }) => {}
                    None => {
                        taken.insert(folded, Holder::Store { identity: s.name.clone() });
                    }
                }
            }
        }
        final_names
    }

    fn vdirs(&mut self, desired: &Desired, current: &Current, servers: &HashMap<String, String>) {
        let now = self.opts.now;
        let declared = desired.vdirs.as_deref().unwrap_or_default();
        let mut per_server: HashMap<String, Holder> = HashMap::new();
        let mut matched: Vec<bool> = vec![false; current.vdirs.len()];
        for d in declared {
            let mut v = d.value.clone();
            let Some(canonical) = servers.get(&fold(&v.server)) else {
                self.problems.add(
                    d.key_span("Server"),
                    "MapiVirtualDirectory.Server",
                    format!("there is no server '{}' (declare it as a [[Server]], or name one the store has)", v.server),
                );
                continue;
            };
            v.server = canonical.clone();
            if let Err(message) = crate::cmdlets::rules::check_mapi_virtual_directory(&v) {
                self.problems.add(d.span.clone(), "MapiVirtualDirectory", message);
            }
            let holder = Holder::File { line: self.line(&d.span), identity: v.identity() };
            if let Some(h) = per_server.get(&fold(&v.server)) {
                self.problems.add(
                    d.key_span("Server"),
                    "MapiVirtualDirectory.Server",
                    format!("server {} can have only one MAPI virtual directory, and it already has {}", v.server, h.describe("the directory")),
                );
                continue;
            }
            per_server.insert(fold(&v.server), holder);
            let same = |o: &MapiVirtualDirectory| fold(&o.server) == fold(&v.server) && fold(&o.website) == fold(&v.website);
            match current.vdirs.iter().position(same) {
                Some(i) => {
                    matched[i] = true;
                    if let Some(ch) = update(&current.vdirs[i], &v, None, now) {
                        self.plan.vdirs.push(ch);
                    }
                }
                None => {
                    v.stamp(Uuid::new_v4(), Some(now), now);
                    self.plan.vdirs.push(Change::Create(v));
                }
            }
        }
        let prune = self.opts.prune && desired.vdirs.is_some();
        for (_, v) in current.vdirs.iter().enumerate().filter(|(i, _)| !matched[*i]) {
            // A directory whose server goes away would be served by nobody: it goes with its server.
            if prune || !servers.contains_key(&fold(&v.server)) {
                self.plan.vdirs.push(Change::Delete(v.clone()));
                continue;
            }
            self.plan.kept += usize::from(desired.vdirs.is_some());
            if let Some(d) = declared.iter().find(|d| fold(&d.value.server) == fold(&v.server)) {
                self.problems.add(
                    d.key_span("Server"),
                    "MapiVirtualDirectory.Server",
                    format!(
                        "server {} can have only one MAPI virtual directory, and it already has {}",
                        v.server,
                        Holder::Store { identity: v.identity() }.describe("the directory")
                    ),
                );
            }
        }
    }

    fn mailboxes(&mut self, desired: &Desired, current: &Current, servers: &HashMap<String, String>) {
        let now = self.opts.now;
        let default_server = self
            .opts
            .default_server
            .as_deref()
            .and_then(|s| servers.get(&fold(s)).cloned())
            .or_else(|| servers.iter().min_by_key(|(k, _)| k.as_str()).map(|(_, v)| v.clone()))
            .unwrap_or_default();
        let org_name = self
            .plan
            .organization
            .as_ref()
            .map(|c| c.object().name.clone())
            .or_else(|| current.organization.as_ref().map(|o| o.name.clone()))
            .unwrap_or_default();
        let declared = desired.mailboxes.as_deref().unwrap_or_default();
        // Health mailboxes belong to the probes, not to the configuration: never matched, exported or pruned.
        let by_name: HashMap<String, usize> =
            current.mailboxes.iter().enumerate().filter(|(_, m)| !m.is_health_mailbox).map(|(i, m)| (fold(&m.name), i)).collect();
        let mut matched: Vec<bool> = vec![false; current.mailboxes.len()];
        let mut unique = Unique::default();
        for d in declared {
            let key = fold(&d.value.name);
            let line = self.line(&d.span);
            for (property, value) in unique_values(&d.value) {
                if let Err(h) = unique.claim(property, value, Holder::File { line, identity: d.value.name.clone() }) {
                    let message = if property == "Name" {
                        format!("the mailbox '{value}' is declared twice; the first is {}", h.describe("mailbox"))
                    } else {
                        format!("{property} '{value}' is already used by {}", h.describe("mailbox"))
                    };
                    self.problems.add(d.key_span(property), format!("Mailbox.{property}"), message);
                }
            }
            let existing = by_name.get(&key).map(|&i| {
                matched[i] = true;
                &current.mailboxes[i]
            });
            let mut want = d.value.clone();
            if let Some(secret) = &d.secret {
                match existing.and_then(|m| m.password_hash.clone()).filter(|h| verify_password(h, secret.expose())) {
                    Some(same) => want.password_hash = Some(same),
                    None => match hash_password(secret.expose()) {
                        Ok(h) => want.password_hash = Some(h),
                        Err(e) => self.problems.add(d.span.clone(), "Mailbox", e.to_string()),
                    },
                }
                // The NT hash (NTLM) goes with the password; never in the file, so not a schema field.
                want.nt_hash = want.password_hash.as_deref().map(|phc| NtHash::new(secret.expose(), phc));
            }
            match existing {
                Some(old) => {
                    let server = if servers.contains_key(&fold(&old.server)) { None } else { Some(default_server.clone()) };
                    match update(old, &want, server, now) {
                        Some(Change::Update { old, mut new, properties }) => {
                            if want.nt_hash.is_some() {
                                new.nt_hash.clone_from(&want.nt_hash);
                            }
                            self.plan.mailboxes.push(Change::Update { old, new, properties });
                        }
                        Some(ch) => self.plan.mailboxes.push(ch),
                        // Same password, but stored before NT hashes were kept: add it, so NTLM works.
                        None if want.nt_hash.is_some() && old.current_nt_hash().is_none() => {
                            let mut new = old.clone();
                            new.nt_hash.clone_from(&want.nt_hash);
                            new.stamp(old.guid, None, now);
                            let property = PropertyChange { property: "NTHash", old: "(not set)".into(), new: "(set)".into() };
                            self.plan.mailboxes.push(Change::Update { old: old.clone(), new, properties: vec![property] });
                        }
                        None => {}
                    }
                }
                None => {
                    let guid = Uuid::new_v4();
                    want.stamp(guid, Some(now), now);
                    want.server = default_server.clone();
                    want.legacy_exchange_dn = legacy_exchange_dn(&org_name, guid, &want.alias);
                    self.plan.mailboxes.push(Change::Create(want));
                }
            }
        }
        let prune = self.opts.prune && desired.mailboxes.is_some();
        for (_, m) in current.mailboxes.iter().enumerate().filter(|(i, _)| !matched[*i]) {
            if prune && !m.is_health_mailbox {
                self.plan.mailboxes.push(Change::Delete(m.clone()));
                continue;
            }
            self.plan.kept += usize::from(!m.is_health_mailbox && desired.mailboxes.is_some());
            for (property, value) in unique_values(m) {
                if let Err(Holder::File { identity, .. }) = unique.claim(property, value, Holder::Store { identity: m.name.clone() })
                    && let Some(d) = declared.iter().find(|d| d.value.name == identity)
                {
                    let message = if property == "Name" {
                        format!("the mailbox '{value}' exists in the store as a health mailbox of the probes; choose another Name")
                    } else {
                        format!("{property} '{value}' is already used by {}", Holder::Store { identity: m.name.clone() }.describe("mailbox"))
                    };
                    self.problems.add(d.key_span(property), format!("Mailbox.{property}"), message);
                }
            }
            // A kept mailbox whose server goes away moves to the default server.
            if !servers.contains_key(&fold(&m.server)) && !m.server.is_empty() {
                let mut moved = m.clone();
                moved.server = default_server.clone();
                moved.when_changed = now;
                let properties = vec![PropertyChange { property: "ServerName", old: value_or_none(&m.server), new: value_or_none(&default_server) }];
                self.plan.mailboxes.push(Change::Update { old: m.clone(), new: moved, properties });
            }
        }
    }
}

/// The unique properties of a mailbox, each unique among mailboxes on its own (as the store's indexes are).
fn unique_values(m: &Mailbox) -> [(&'static str, &str); 4] {
    [("Name", &m.name), ("Alias", &m.alias), ("PrimarySmtpAddress", &m.primary_smtp_address), ("UserPrincipalName", &m.user_principal_name)]
}

#[derive(Default)]
struct Unique {
    seen: HashMap<(&'static str, String), Holder>,
}

impl Unique {
    /// Takes `value` of `property` for `holder`; `Err` is whoever had it.
    fn claim(&mut self, property: &'static str, value: &str, holder: Holder) -> Result<(), Holder> {
        if value.is_empty() {
            return Ok(());
        }
        match self.seen.entry((property, fold(value))) {
            std::collections::hash_map::Entry::Occupied(e) => Err(e.get().clone()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(holder);
                Ok(())
            }
        }
    }
}

fn value_or_none(s: &str) -> String {
    if s.is_empty() { "(not set)".into() } else { super::toml_text::quote(s) }
}

/// `old` with every key of the file taken from `want` (and the server moved when `server` says so);
/// `None` when nothing differs.
fn update<T: Record + Extra>(old: &T, want: &T, server: Option<String>, now: DateTime<Utc>) -> Option<Change<T>> {
    let mut new = old.clone();
    for f in T::fields().iter().filter(|f| f.export != Export::Never) {
        (f.set)(&mut new, (f.get)(want));
    }
    if let Some(s) = server {
        new.set_server(s);
    }
    let mut properties: Vec<PropertyChange> = T::fields()
        .iter()
        .filter(|f| f.export != Export::Never)
        .filter_map(|f| {
            let (a, b) = ((f.get)(old), (f.get)(&new));
            (a != b).then(|| PropertyChange { property: f.key, old: shown(&a, f.secret, None), new: shown(&b, f.secret, Some(&a)) })
        })
        .collect();
    properties.extend(T::extra_changes(old, &new));
    if properties.is_empty() && new == *old {
        return None;
    }
    let guid = old.guid();
    new.stamp(guid, None, now);
    Some(Change::Update { old: old.clone(), new, properties })
}

/// A value as the plan shows it; secrets only say whether they are set (and, as `new`, that they change).
pub(crate) fn shown(s: &Setting, secret: bool, old: Option<&Setting>) -> String {
    if secret {
        return match (s, old) {
            (Setting::Absent, _) => "(not set)".into(),
            (_, Some(Setting::Absent) | None) => "(set)".into(),
            _ => "(set, a different one)".into(),
        };
    }
    value_text(s).unwrap_or_else(|| "(not set)".into())
}

/// What a kind changes besides its keys.
pub trait Extra: Sized {
    fn extra_changes(_old: &Self, _new: &Self) -> Vec<PropertyChange> {
        Vec::new()
    }
    fn set_server(&mut self, _server: String) {}
}

impl Extra for Organization {}
impl Extra for Server {}

impl Extra for MapiVirtualDirectory {
    /// IISAuthenticationMethods also sets the internal and external lists, which the store keeps apart.
    fn extra_changes(old: &Self, new: &Self) -> Vec<PropertyChange> {
        let list = |m: &[mapish_store::AuthMethod]| value_text(&Setting::List(m.iter().map(|a| a.as_str().to_string()).collect())).unwrap_or_default();
        let mut out = Vec::new();
        if old.iis_authentication_methods == new.iis_authentication_methods {
            for (name, a, b) in [
                ("InternalAuthenticationMethods", &old.internal_authentication_methods, &new.internal_authentication_methods),
                ("ExternalAuthenticationMethods", &old.external_authentication_methods, &new.external_authentication_methods),
            ] {
                if a != b {
                    out.push(PropertyChange { property: name, old: list(a), new: list(b) });
                }
            }
        }
        out
    }
}

impl Extra for Mailbox {
    fn extra_changes(old: &Self, new: &Self) -> Vec<PropertyChange> {
        if old.server == new.server {
            return Vec::new();
        }
        vec![PropertyChange { property: "ServerName", old: value_or_none(&old.server), new: value_or_none(&new.server) }]
    }

    fn set_server(&mut self, server: String) {
        self.server = server;
    }
}
