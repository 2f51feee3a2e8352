//! A stand-in for `mapish --store DIR serve …` with the same flags, for trying the server before (or
//! without) the CLI: `cargo run -p mapish-server --example serve -- --store DIR --listen 127.0.0.1:8080`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use mapish_server::{ServeConfig, TlsMode};
use mapish_store::{OpenOptions, Store};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut store = None;
    let mut config = ServeConfig::default();
    let mut listen = Vec::new();
    let (mut cert, mut key) = (None, None);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match a.as_str() {
            "--store" => store = Some(PathBuf::from(value())),
            "serve" => {}
            "--listen" => match value().parse() {
                Ok(addr) => listen.push(addr),
                Err(e) => return fail(&format!("--listen: {e}")),
            },
            "--server" => config.server_name = Some(value()),
            "--tls-cert" => cert = Some(PathBuf::from(value())),
            "--tls-key" => key = Some(PathBuf::from(value())),
            "--self-signed" => config.tls = TlsMode::SelfSigned,
            "--insecure-http" => config.insecure_http = true,
            "--log-dir" => config.log_dir = Some(PathBuf::from(value())),
            "--session-idle-timeout-ms" => match value().parse() {
                Ok(ms) => config.session_idle_timeout = Duration::from_millis(ms),
                Err(e) => return fail(&format!("--session-idle-timeout-ms: {e}")),
            },
            other => return fail(&format!("unknown argument {other}")),
        }
    }
    if !listen.is_empty() {
        config.listen = listen;
    }
    if let (Some(cert), Some(key)) = (cert, key) {
        config.tls = TlsMode::Files { cert, key };
    }
    let Some(dir) = store else {
        return fail("--store DIR is required");
    };
    let store = match Store::open(&dir, &OpenOptions::default()) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    match mapish_server::run(store, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("mapish serve: {message}");
    ExitCode::from(1)
}
