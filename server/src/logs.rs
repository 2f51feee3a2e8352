//! The access log and the MAPI protocol logs: CSV, one file per UTC day, written by one thread so request
//! handling never waits for the disk.
//!
//! Layout under the log directory, after Exchange's `Logging\MapiHttp\{Mailbox,AddressBook}`:
//!
//! ```text
//! Access/Access_YYYYMMDD.csv
//! MapiHttp/Mailbox/MapiHttp_YYYYMMDD.csv
//! MapiHttp/AddressBook/MapiHttp_YYYYMMDD.csv
//! ```
//!
//! Records travel over a bounded channel; when the disk cannot keep up, records are dropped and counted
//! rather than queued without bound. No record has a field for credentials: the user column holds the
//! logon name only.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};

use crate::error::ServeError;

/// Header row of the access log.
pub const ACCESS_FIELDS: &str = "date-time,client-ip,user,method,path,request-type,request-id,http-status,response-code,elapsed-ms";
/// Header row of the protocol logs.
pub const PROTOCOL_FIELDS: &str = "date-time,client-ip,user,session,request-type,request-id,client-info,client-application,response-code,status-code,error-code,elapsed-ms,detail";

/// One line of the access log.
#[derive(Debug, Clone, Default)]
pub struct AccessRecord {
    /// When the request arrived.
    pub time: DateTime<Utc>,
    /// Client address.
    pub client: String,
    /// Authenticated logon name, or the name tried; empty if none.
    pub user: String,
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// `X-RequestType` as sent.
    pub request_type: String,
    /// `X-RequestId` as sent.
    pub request_id: String,
    /// HTTP status code.
    pub status: u16,
    /// `X-ResponseCode`, if the response had one.
    pub response_code: Option<u32>,
    /// Milliseconds until the response was complete.
    pub elapsed_ms: u64,
}

/// Which protocol log a record goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `/mapi/emsmdb`.
    Mailbox,
    /// `/mapi/nspi`.
    AddressBook,
}

/// One line of a protocol log.
#[derive(Debug, Clone, Default)]
pub struct ProtocolRecord {
    /// When the request arrived.
    pub time: DateTime<Utc>,
    /// Client address.
    pub client: String,
    /// Logon name.
    pub user: String,
    /// Short session id.
    pub session: String,
    /// `X-RequestType`.
    pub request_type: String,
    /// `X-RequestId`.
    pub request_id: String,
    /// `X-ClientInfo`.
    pub client_info: String,
    /// `X-ClientApplication`.
    pub client_application: String,
    /// `X-ResponseCode`.
    pub response_code: u32,
    /// Body StatusCode.
    pub status_code: u32,
    /// Body ErrorCode.
    pub error_code: u32,
    /// Milliseconds.
    pub elapsed_ms: u64,
    /// What happened, in words.
    pub detail: String,
}

enum Record {
    Access(AccessRecord),
    Protocol(Protocol, ProtocolRecord),
}

/// The log writer. Cloning shares it.
#[derive(Clone)]
pub struct Logs {
    tx: Option<SyncSender<Record>>,
    dropped: Arc<AtomicU64>,
}

/// Records waiting for the writer at most.
const QUEUE: usize = 8192;

impl Logs {
    /// Logs into `dir` (created if needed); `None` logs nothing.
    pub fn start(dir: Option<&Path>) -> Result<(Logs, Option<JoinHandle<()>>), ServeError> {
        let dropped = Arc::new(AtomicU64::new(0));
        let Some(dir) = dir else {
            return Ok((Logs { tx: None, dropped }, None));
        };
        for sub in ["Access", "MapiHttp/Mailbox", "MapiHttp/AddressBook"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|source| ServeError::LogDir {
                dir: dir.to_path_buf(),
                source,
            })?;
        }
        let (tx, rx) = sync_channel(QUEUE);
        let root = dir.to_path_buf();
        let handle = std::thread::Builder::new()
            .name("mapish-serve-logs".into())
            .spawn(move || writer(root, rx))
            .map_err(ServeError::Runtime)?;
        Ok((
            Logs {
                tx: Some(tx),
                dropped,
            },
            Some(handle),
        ))
    }

    /// Queues an access log line.
    pub fn access(&self, r: AccessRecord) {
        self.send(Record::Access(r));
    }

    /// Queues a protocol log line.
    pub fn protocol(&self, p: Protocol, r: ProtocolRecord) {
        self.send(Record::Protocol(p, r));
    }

    fn send(&self, r: Record) {
        let Some(tx) = &self.tx else { return };
        match tx.try_send(r) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                let n = self.dropped.fetch_add(1, Ordering::Relaxed);
                if n.is_power_of_two() {
                    tracing::warn!(
                        dropped = n + 1,
                        "the log writer cannot keep up; log records are being dropped"
                    );
                }
            }
        }
    }
}

struct DailyFile {
    dir: PathBuf,
    prefix: &'static str,
    header: &'static str,
    day: String,
    file: Option<File>,
}

impl DailyFile {
    fn write(&mut self, time: DateTime<Utc>, line: &str) {
        let day = time.format("%Y%m%d").to_string();
        if self.file.is_none() || day != self.day {
            let path = self.dir.join(format!("{}_{day}.csv", self.prefix));
            let fresh = !path.exists();
            match OpenOptions::new().create(true).append(true).open(&path) {
                Ok(mut f) => {
                    if fresh {
                        let _ = writeln!(f, "{}", self.header);
                    }
                    self.file = Some(f);
                    self.day = day;
                }
                Err(e) => {
                    tracing::error!(path = %path.display(), "cannot open the log file: {e}");
                    self.file = None;
                    return;
                }
            }
        }
        if let Some(f) = &mut self.file
            && let Err(e) = writeln!(f, "{line}")
        {
            tracing::error!("cannot write the log: {e}");
            self.file = None;
        }
    }
}

fn writer(root: PathBuf, rx: Receiver<Record>) {
    let daily = |dir: &str, prefix, header| DailyFile {
        dir: root.join(dir),
        prefix,
        header,
        day: String::new(),
        file: None,
    };
    let mut access = daily("Access", "Access", ACCESS_FIELDS);
    let mut mailbox = daily("MapiHttp/Mailbox", "MapiHttp", PROTOCOL_FIELDS);
    let mut address_book = daily("MapiHttp/AddressBook", "MapiHttp", PROTOCOL_FIELDS);
    for record in rx {
        match record {
            Record::Access(r) => access.write(r.time, &access_line(&r)),
            Record::Protocol(p, r) => {
                let file = match p {
                    Protocol::Mailbox => &mut mailbox,
                    Protocol::AddressBook => &mut address_book,
                };
                file.write(r.time, &protocol_line(&r));
            }
        }
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A CSV line for an access record.
pub fn access_line(r: &AccessRecord) -> String {
    csv(&[
        &time(r.time),
        &r.client,
        &r.user,
        &r.method,
        &r.path,
        &r.request_type,
        &r.request_id,
        &r.status.to_string(),
        &r.response_code.map(|c| c.to_string()).unwrap_or_default(),
        &r.elapsed_ms.to_string(),
    ])
}

/// A CSV line for a protocol record.
pub fn protocol_line(r: &ProtocolRecord) -> String {
    csv(&[
        &time(r.time),
        &r.client,
        &r.user,
        &r.session,
        &r.request_type,
        &r.request_id,
        &r.client_info,
        &r.client_application,
        &r.response_code.to_string(),
        &format!("0x{:x}", r.status_code),
        &format!("0x{:x}", r.error_code),
        &r.elapsed_ms.to_string(),
        &r.detail,
    ])
}

/// RFC 4180 fields; control characters (which a client could put in echoed headers) become spaces so a
/// record is always one line.
fn csv(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| {
            let clean: String = f
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            if clean.contains([',', '"']) || clean.starts_with([' ', '=', '+', '-', '@']) {
                format!("\"{}\"", clean.replace('"', "\"\""))
            } else {
                clean
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting_and_control_characters() {
        assert_eq!(
            csv(&["a", "b,c", "d\"e", "x\r\ny"]),
            "a,\"b,c\",\"d\"\"e\",x  y"
        );
        // Spreadsheet formula injection through echoed headers.
        assert_eq!(csv(&["=cmd()"]), "\"=cmd()\"");
    }

    #[test]
    fn writes_daily_files_with_a_header_row() {
        let dir = tempfile::tempdir().unwrap();
        let (logs, handle) = Logs::start(Some(dir.path())).unwrap();
        let t = chrono::DateTime::parse_from_rfc3339("2025-01-06T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        logs.access(AccessRecord {
            time: t,
            client: "127.0.0.1:5000".into(),
            user: "alice@contoso.com".into(),
            method: "POST".into(),
            path: "/mapi/emsmdb/?MailboxId=x@y".into(),
            request_type: "Connect".into(),
            request_id: "{A}:1".into(),
            status: 200,
            response_code: Some(0),
            elapsed_ms: 3,
        });
        logs.protocol(
            Protocol::AddressBook,
            ProtocolRecord {
                time: t,
                request_type: "Bind".into(),
                detail: "bound".into(),
                ..ProtocolRecord::default()
            },
        );
        drop(logs);
        handle.unwrap().join().unwrap();
        let access =
            std::fs::read_to_string(dir.path().join("Access/Access_20250106.csv")).unwrap();
        assert_eq!(
            access,
            format!(
                "{ACCESS_FIELDS}\n2025-01-06T10:00:00.000Z,127.0.0.1:5000,alice@contoso.com,POST,/mapi/emsmdb/?MailboxId=x@y,Connect,{{A}}:1,200,0,3\n"
            )
        );
        let nspi = std::fs::read_to_string(
            dir.path()
                .join("MapiHttp/AddressBook/MapiHttp_20250106.csv"),
        )
        .unwrap();
        assert!(nspi.starts_with(PROTOCOL_FIELDS));
        assert!(nspi.contains(",Bind,"));
    }
}
