//! -ProbeIdentity: `HealthSet\ProbeName[\Target]`, or the probe name alone (cmdlets.md §9).

/// The probes mapish knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownProbe {
    MapiSelfTest,
    MapiDeepTest,
    MapiCtp,
    RpcSelfTest,
    RpcDeepTest,
    RpcCtp,
}

impl KnownProbe {
    /// The probe's name and its health set, as MonitorIdentity shows them.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            KnownProbe::MapiSelfTest => ("OutlookMapiHttpSelfTestProbe", "OutlookMapiHttp.Protocol"),
            KnownProbe::MapiDeepTest => ("OutlookMapiHttpDeepTestProbe", "OutlookMapiHttp.Protocol"),
            KnownProbe::MapiCtp => ("OutlookMapiHttpCtpProbe", "OutlookMapiHttp"),
            KnownProbe::RpcSelfTest => ("OutlookRpcSelfTestProbe", "Outlook.Protocol"),
            KnownProbe::RpcDeepTest => ("OutlookRpcDeepTestProbe", "Outlook.Protocol"),
            KnownProbe::RpcCtp => ("OutlookRpcCtpProbe", "Outlook"),
        }
    }

    /// Health sets that may name this probe. The client access probes are also listed under the
    /// `.Proxy` health sets (`Get-MonitoringItemIdentity -Identity OutlookMapiHttp.Proxy`).
    fn health_sets(self) -> &'static [&'static str] {
        match self {
            KnownProbe::MapiSelfTest | KnownProbe::MapiDeepTest => &["OutlookMapiHttp.Protocol"],
            KnownProbe::MapiCtp => &["OutlookMapiHttp", "OutlookMapiHttp.Proxy"],
            KnownProbe::RpcSelfTest | KnownProbe::RpcDeepTest => &["Outlook.Protocol"],
            KnownProbe::RpcCtp => &["Outlook", "Outlook.Proxy"],
        }
    }

    fn takes_target(self) -> bool {
        !matches!(self, KnownProbe::MapiSelfTest | KnownProbe::RpcSelfTest)
    }
}

/// A parsed -ProbeIdentity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeIdentity {
    pub probe: KnownProbe,
    /// The mailbox database named after the probe; mapish keeps one store per server, so it only
    /// appears in MonitorIdentity.
    pub target: Option<String>,
    /// `HealthSet\Probe[\Target]`, with the health set filled in when it was left out.
    pub monitor_identity: String,
}

const ALL: [KnownProbe; 6] = [
    KnownProbe::MapiSelfTest,
    KnownProbe::MapiDeepTest,
    KnownProbe::MapiCtp,
    KnownProbe::RpcSelfTest,
    KnownProbe::RpcDeepTest,
    KnownProbe::RpcCtp,
];

/// Parses the forms the documentation uses; Err is the message for the administrator.
pub fn parse(text: &str) -> Result<ProbeIdentity, String> {
    let trimmed = text.trim();
    let mut parts: Vec<&str> = trimmed.split('\\').collect();
    // `Probe\Target` and `HealthSet\Probe` both have two parts: a probe name first decides.
    let first_is_probe = parts.first().and_then(|p| p.split('/').next()).is_some_and(|first| ALL.iter().any(|p| p.names().0.eq_ignore_ascii_case(first)));
    let health_set = if parts.len() > 1 && !first_is_probe { Some(parts.remove(0)) } else { None };
    let (name, mut target) = match parts.as_slice() {
        [name] => (*name, None),
        [name, rest @ ..] => (*name, Some(rest.join("\\"))),
        [] => ("", None),
    };
    // The older documentation writes `OutlookMapiHttpDeepTestProbe/<Database name>`.
    let name = match name.split_once('/') {
        Some((n, t)) if target.is_none() => {
            target = Some(t.to_string());
            n
        }
        _ => name,
    };
    let target = target.filter(|t| !t.trim().is_empty());
    let mut probe = ALL
        .iter()
        .copied()
        .find(|p| p.names().0.eq_ignore_ascii_case(name))
        .ok_or_else(|| unknown(trimmed))?;
    if let Some(set) = health_set {
        // The current documentation names the MAPI over HTTP deep test against a database
        // `OutlookMapiHttp.Protocol\OutlookRpcDeepTestProbe\<DB>`; the older one the MAPI name.
        // Both mean the MAPI over HTTP deep test.
        if probe == KnownProbe::RpcDeepTest && set.eq_ignore_ascii_case("OutlookMapiHttp.Protocol") {
            probe = KnownProbe::MapiDeepTest;
        }
        if !probe.health_sets().iter().any(|s| s.eq_ignore_ascii_case(set)) {
            return Err(format!(
                "The probe '{}' isn't in the health set '{set}'; it is in '{}'. Use -ProbeIdentity {}\\{} or just {}.",
                probe.names().0,
                probe.names().1,
                probe.names().1,
                probe.names().0,
                probe.names().0
            ));
        }
    }
    if target.is_some() && !probe.takes_target() {
        return Err(format!("The probe '{}' tests the endpoint, not a mailbox database, so it takes no target: use -ProbeIdentity {}.", probe.names().0, probe.names().0));
    }
    let (probe_name, set) = probe.names();
    let monitor_identity = match &target {
        Some(t) => format!("{set}\\{probe_name}\\{t}"),
        None => format!("{set}\\{probe_name}"),
    };
    Ok(ProbeIdentity { probe, target, monitor_identity })
}

fn unknown(text: &str) -> String {
    let names: Vec<String> = ALL.iter().map(|p| format!("{}\\{}", p.names().1, p.names().0)).collect();
    format!("The probe '{text}' doesn't exist. Test-OutlookConnectivity in mapish runs these probes: {}.", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_full_forms_give_the_same_probe() {
        for text in ["OutlookMapiHttpSelfTestProbe", "OutlookMapiHttp.Protocol\\OutlookMapiHttpSelfTestProbe", "outlookmapihttp.protocol\\outlookmapihttpselftestprobe"] {
            let id = parse(text).unwrap();
            assert_eq!(id.probe, KnownProbe::MapiSelfTest, "{text}");
            assert_eq!(id.monitor_identity, "OutlookMapiHttp.Protocol\\OutlookMapiHttpSelfTestProbe");
        }
        assert_eq!(parse("OutlookMapiHttpCtpProbe").unwrap().monitor_identity, "OutlookMapiHttp\\OutlookMapiHttpCtpProbe");
        assert_eq!(parse("OutlookRpcSelfTestProbe").unwrap().monitor_identity, "Outlook.Protocol\\OutlookRpcSelfTestProbe");
    }

    #[test]
    fn targets_in_every_documented_spelling() {
        let id = parse("OutlookMapiHttp.Protocol\\OutlookMapiHttpDeepTestProbe\\Mailbox Database 1234512345").unwrap();
        assert_eq!(id.probe, KnownProbe::MapiDeepTest);
        assert_eq!(id.target.as_deref(), Some("Mailbox Database 1234512345"));
        assert_eq!(id.monitor_identity, "OutlookMapiHttp.Protocol\\OutlookMapiHttpDeepTestProbe\\Mailbox Database 1234512345");
        // The current doc's name for the MAPI deep test against a database.
        let id = parse("OutlookMapiHttp.Protocol\\OutlookRpcDeepTestProbe\\DB1").unwrap();
        assert_eq!(id.probe, KnownProbe::MapiDeepTest);
        // The old doc's slash form.
        let id = parse("OutlookMapiHttpDeepTestProbe/DB2").unwrap();
        assert_eq!((id.probe, id.target.as_deref()), (KnownProbe::MapiDeepTest, Some("DB2")));
        let id = parse("Outlook.Protocol\\OutlookRpcDeepTestProbe\\DB3").unwrap();
        assert_eq!(id.probe, KnownProbe::RpcDeepTest);
    }

    #[test]
    fn wrong_names_sets_and_targets_are_explained() {
        assert!(parse("OutlookFooProbe").unwrap_err().contains("OutlookMapiHttp.Protocol\\OutlookMapiHttpSelfTestProbe"));
        assert!(parse("").is_err());
        assert!(parse("Outlook.Protocol\\OutlookMapiHttpSelfTestProbe").unwrap_err().contains("isn't in the health set 'Outlook.Protocol'"));
        assert!(parse("OutlookMapiHttpSelfTestProbe\\DB1").unwrap_err().contains("takes no target"));
        assert!(parse("OutlookMapiHttp.Proxy\\OutlookMapiHttpCtpProbe").is_ok());
    }
}
