//! Parameter-name resolution: exact names and aliases first, then unique prefixes; the cmdlet's own
//! parameters win over the common parameters when both match a prefix.

use crate::spec::{CmdletSpec, ParamSpec, COMMON_PARAMS, SHOULD_PROCESS_PARAMS};

pub enum ParamMatch {
    Found(&'static ParamSpec),
    NotFound,
    Ambiguous(Vec<&'static ParamSpec>),
}

pub fn resolve_parameter(spec: &'static CmdletSpec, typed: &str) -> ParamMatch {
    let should_process: &'static [ParamSpec] = if spec.should_process { SHOULD_PROCESS_PARAMS } else { &[] };
    let groups: [&'static [ParamSpec]; 2] = [spec.params, should_process];
    let own = groups.iter().flat_map(|g| g.iter());
    let common = COMMON_PARAMS.iter();

    let exact = |p: &&'static ParamSpec| {
        p.name.eq_ignore_ascii_case(typed) || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(typed))
    };
    if let Some(p) = own.clone().find(exact).or_else(|| common.clone().find(exact)) {
        return ParamMatch::Found(p);
    }
    let prefix = |p: &&'static ParamSpec| {
        starts_with_ci(p.name, typed) || p.aliases.iter().any(|a| starts_with_ci(a, typed))
    };
    for candidates in [own.filter(prefix).collect::<Vec<_>>(), common.filter(prefix).collect::<Vec<_>>()] {
        match candidates.len() {
            0 => continue,
            1 => return ParamMatch::Found(candidates[0]),
            _ => return ParamMatch::Ambiguous(candidates),
        }
    }
    ParamMatch::NotFound
}

fn starts_with_ci(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len() && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}
