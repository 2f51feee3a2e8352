//! The outer command line (clap): which mode to run in, where the store is, how to print.
//! Everything after that is the PowerShell-subset language, parsed by mapish-commands.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::output::{ConsoleHost, OutputMode};
use crate::store_location;

/// Exit statuses: 0 success, 1 an error record was written, 2 usage error.
pub const EXIT_OK: i32 = 0;
pub const EXIT_ERRORS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "mapish",
    version,
    about = "An Exchange Management Shell for MAPI over HTTP, with an embedded MAPI over HTTP server.",
    long_about = "Runs Exchange Management Shell command lines against mapish's store.\n\n\
  mapish -c 'Get-CASMailbox | ft Name, MapiEnabled -AutoSize'\n\
  mapish Set-OrganizationConfig -MapiHttpEnabled '$true'\n\
  mapish script.ps1\n\
  echo 'Get-OrganizationConfig' | mapish\n\n\
Use single quotes in bash so that $true, $false and $null reach mapish.",
    subcommand_precedence_over_arg = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    /// The store directory (default: $MAPISH_STORE, else the platform data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// Print result objects as text (PowerShell's layout) or as JSON.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub output: Format,

    /// Run this command line (or script text) and exit.
    #[arg(short = 'c', long = "command", value_name = "COMMAND", conflicts_with = "words")]
    pub command: Option<String>,

    #[command(subcommand)]
    pub subcommand: Option<Sub>,

    /// A script file (FILE.ps1), or a command and its arguments (Verb-Noun -Param value …).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "SCRIPT | COMMAND")]
    pub words: Vec<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Sub {
    /// Create the store with an organization, a server and its MAPI virtual directory.
    Init {
        /// The organization's name.
        #[arg(long, default_value = "First Organization")]
        organization: String,
        /// The server's short name (default: this host's name in capitals).
        #[arg(long)]
        server: Option<String>,
        /// The server's FQDN (default: this host's name); the MAPI InternalUrl is https://FQDN/mapi.
        #[arg(long)]
        fqdn: Option<String>,
    },
    /// Serve MAPI over HTTP and Autodiscover from this store until SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Apply a configuration file (TOML, docs/config-format.md): print the plan, then apply all of it or nothing.
    Import(crate::import_cmd::ImportArgs),
    /// Tell whether a `mapish serve` runs on this store: its listeners, uptime and session counts.
    Status,
    /// Write the cmdlet reference (Markdown) generated from the cmdlet declarations.
    Docs {
        /// The directory to write into.
        #[arg(long, default_value = "docs/cmdlets")]
        out: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on (repeatable); port 0 picks a free one. Default 127.0.0.1:8080.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Vec<std::net::SocketAddr>,
    /// Which server of the organization this process is (default: the only one, or this host's).
    #[arg(long, value_name = "NAME")]
    pub server: Option<String>,
    /// TLS certificate chain (PEM), with --tls-key.
    #[arg(long, value_name = "PEM", requires = "tls_key", conflicts_with = "self_signed")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM), with --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Create (and keep in the store directory) a certificate for the MAPI directory's host names.
    #[arg(long)]
    pub self_signed: bool,
    /// Allow plain HTTP on addresses other than loopback (TLS terminated in front of mapish).
    #[arg(long)]
    pub insecure_http: bool,
    /// Directory for the access and protocol logs (default: <store>/logs).
    #[arg(long, value_name = "DIR")]
    pub log_dir: Option<PathBuf>,
    /// Idle expiry of MAPI sessions in milliseconds (tests only; default 15 minutes).
    #[arg(long, hide = true, value_name = "MS")]
    pub session_idle_timeout_ms: Option<u64>,
}

fn serve(dir: &std::path::Path, args: ServeArgs) -> i32 {
    let store = match store_location::open_initialised(dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln_usage(&format!("{e}"));
            return EXIT_ERRORS;
        }
    };
    let tls = match (args.tls_cert, args.tls_key, args.self_signed) {
        (Some(cert), Some(key), _) => mapish_server::TlsMode::Files { cert, key },
        (_, _, true) => mapish_server::TlsMode::SelfSigned,
        _ => mapish_server::TlsMode::None,
    };
    let mut config = mapish_server::ServeConfig {
        server_name: args.server,
        tls,
        insecure_http: args.insecure_http,
        log_dir: args.log_dir,
        ..Default::default()
    };
    if !args.listen.is_empty() {
        config.listen = args.listen;
    }
    if let Some(ms) = args.session_idle_timeout_ms {
        config.session_idle_timeout = std::time::Duration::from_millis(ms);
    }
    let admin_store = store.clone();
    // The admin endpoint is bound before `Listening on` is printed, so a script that waits for
    // that line can use the shell at once; dropping it at shutdown removes the socket.
    let result = mapish_server::run_with(store, config, |server| {
        match crate::admin::AdminEndpoint::start(admin_store, dir, server.urls(), server.stats()) {
            Ok(endpoint) => Some(endpoint),
            Err(e) => {
                // The HTTP side still works; shells then cannot reach the store until restart.
                tracing::error!(error = %e, "the admin endpoint could not start; shells cannot reach this store");
                eprintln_usage(&format!("warning: {e}"));
                None
            }
        }
    });
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln_usage(&format!("serve: {e}"));
            EXIT_ERRORS
        }
    }
}

pub fn main() -> i32 {
    crate::logging::init();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    run(cli)
}

fn usage_error(message: &str) -> i32 {
    eprintln_usage(message);
    EXIT_USAGE
}

fn eprintln_usage(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "mapish: {message}");
}

pub fn run(cli: Cli) -> i32 {
    let mode = if cli.output == Format::Json { OutputMode::Json } else { OutputMode::Text };
    let store_dir = store_location::resolve(cli.store.as_deref());
    match cli.subcommand {
        Some(Sub::Init { organization, server, fqdn }) => return init(&store_dir, organization, server, fqdn),
        Some(Sub::Docs { out }) => return crate::docs::write_reference(&out),
        Some(Sub::Serve(args)) => return serve(&store_dir, args),
        Some(Sub::Import(args)) => {
            // With a server running on this store the import must happen in its process, so the
            // change is live at once: send the equivalent Import-MapishConfig line there.
            if let Some(line) = crate::import_cmd::as_cmdlet_line(&args) {
                let mut host = ConsoleHost::new(mode, line.clone());
                if let Some(code) = run_remote(&store_dir, &line, &mut host) {
                    return code;
                }
            }
            return crate::import_cmd::run(&store_dir, args);
        }
        Some(Sub::Status) => return crate::admin::status::run(&store_dir),
        None => {}
    }
    let source = if let Some(c) = cli.command {
        c
    } else if let Some(first) = cli.words.first().filter(|w| w.starts_with('-')) {
        return usage_error(&format!("unknown option '{first}' (see --help); a command line starts with a cmdlet name, e.g. mapish Get-OrganizationConfig"));
    } else if let Some(first) = cli.words.first() {
        let path = PathBuf::from(first);
        if cli.words.len() == 1 && (first.to_ascii_lowercase().ends_with(".ps1") || path.is_file()) {
            match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) => return usage_error(&format!("cannot read the script file {}: {e}", path.display())),
            }
        } else {
            words_to_command_line(&cli.words)
        }
    } else if !std::io::stdin().is_terminal() {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            return usage_error(&format!("cannot read commands from standard input: {e}"));
        }
        text
    } else {
        // No command, no script, and a terminal on stdin: the interactive shell.
        return crate::shell::run(&store_dir, mode);
    };
    run_source(&store_dir, mode, source)
}

fn run_source(store_dir: &std::path::Path, mode: OutputMode, source: String) -> i32 {
    let mut host = ConsoleHost::new(mode, source.clone());
    // A running server owns the store: ask it first, so the shell never waits for its lock.
    if let Some(code) = run_remote(store_dir, &source, &mut host) {
        return code;
    }
    let store = match store_location::open_initialised_short_lived(store_dir) {
        Ok(s) => s,
        Err(e) => {
            // A server may have started between the two attempts.
            if matches!(e, mapish_store::StoreError::Locked { .. })
                && let Some(code) = run_remote(store_dir, &source, &mut host)
            {
                return code;
            }
            use mapish_commands::run::Host;
            host.error(&mapish_commands::record::ErrorRecord::from(e));
            return EXIT_ERRORS;
        }
    };
    let local = store_location::local_server(&store);
    let mut session = crate::session::new_session(store, local);
    host.set_enumeration_limit(session.enumeration_limit());
    let outcome = session.run_script(&source, &mut host);
    host.finish();
    // The process exits next. Every acknowledged change is already on disk (each update flushes), so
    // closing the database would only flush and fsync once more: skip it; the kernel drops the lock.
    if session.store.is_flushed() {
        std::mem::forget(session);
    }
    if outcome.had_error { EXIT_ERRORS } else { EXIT_OK }
}

/// Runs `source` through the admin endpoint of a server on this store. None: no server runs there.
fn run_remote(store_dir: &std::path::Path, source: &str, host: &mut ConsoleHost) -> Option<i32> {
    let result = crate::admin::AdminClient::connect(store_dir)
        .and_then(|client| client.map(|mut c| c.run(source, host, crate::output::console_width())).transpose());
    match result {
        Ok(None) => None,
        Ok(Some(had_error)) => {
            host.finish();
            Some(if had_error { EXIT_ERRORS } else { EXIT_OK })
        }
        Err(e) => {
            eprintln_usage(&format!("{e}"));
            Some(EXIT_ERRORS)
        }
    }
}

fn init(dir: &std::path::Path, organization: String, server: Option<String>, fqdn: Option<String>) -> i32 {
    let defaults = store_location::default_init_params();
    let fqdn = fqdn.unwrap_or_else(|| match &server {
        Some(s) => s.to_lowercase(),
        None => defaults.fqdn.clone(),
    });
    let server = server.unwrap_or(defaults.server);
    let params = mapish_store::InitParams { organization, server, fqdn };
    let result = store_location::open(dir).and_then(|store| {
        if store.is_initialized()? {
            return Ok(Some(store.organization()?.name));
        }
        store.initialize(&params)?;
        Ok(None)
    });
    match result {
        Ok(None) => {
            crate::output::print_line(&format!(
                "Initialized the store at {} with organization '{}', server {} ({}) and its MAPI virtual directory at https://{}/mapi.",
                dir.display(),
                params.organization,
                params.server,
                params.fqdn,
                params.fqdn
            ));
            EXIT_OK
        }
        Ok(Some(org)) => {
            eprintln_usage(&format!("the store at {} is already initialized (organization '{org}'); nothing was changed", dir.display()));
            EXIT_ERRORS
        }
        Err(e) => {
            eprintln_usage(&format!("{e}"));
            EXIT_ERRORS
        }
    }
}

/// Rebuilds a command line from words the shell already split (`mapish Set-CASMailbox alice …`):
/// words that would not survive re-parsing (spaces, parentheses, quotes) are single-quoted.
pub fn words_to_command_line(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let needs_quotes = w.is_empty() || w.chars().any(|c| c.is_whitespace() || "(){};|'\"`&<>#".contains(c));
            if needs_quotes && !w.starts_with('$') {
                format!("'{}'", w.replace('\'', "''"))
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_with_spaces_are_quoted_again() {
        let words: Vec<String> = ["Set-MapiVirtualDirectory", "-Identity", "mapi (Default Web Site)", "-IISAuthenticationMethods", "Ntlm,Negotiate", "$true", "it's"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            words_to_command_line(&words),
            "Set-MapiVirtualDirectory -Identity 'mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,Negotiate $true 'it''s'"
        );
    }
}
