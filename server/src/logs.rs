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
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

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

/// How many records the writer takes from the queue before it writes them out, at most.
const BATCH: usize = 1024;

struct DailyFile {
    dir: PathBuf,
    prefix: &'static str,
    header: &'static str,
    /// The UTC day of the open file.
    day: Option<NaiveDate>,
    file: Option<BufWriter<File>>,
}

impl DailyFile {
    /// Appends `line` to the file of `time`'s day; buffered until `flush`.
    fn write(&mut self, time: DateTime<Utc>, line: &str) {
        let day = time.date_naive();
        if self.file.is_none() || self.day != Some(day) {
            self.flush();
            let path = self
                .dir
                .join(format!("{}_{}.csv", self.prefix, day.format("%Y%m%d")));
            let fresh = !path.exists();
            match OpenOptions::new().create(true).append(true).open(&path) {
                Ok(f) => {
                    let mut f = BufWriter::with_capacity(64 * 1024, f);
                    if fresh {
                        let _ = writeln!(f, "{}", self.header);
                    }
                    self.file = Some(f);
                    self.day = Some(day);
                }
                Err(e) => {
                    tracing::error!(path = %path.display(), "cannot open the log file: {e}");
                    self.file = None;
                    return;
                }
            }
        }
        if let Some(f) = &mut self.file
            && let Err(e) = f
                .write_all(line.as_bytes())
                .and_then(|()| f.write_all(b"\n"))
        {
            tracing::error!("cannot write the log: {e}");
            self.file = None;
        }
    }

    /// Hands everything buffered to the OS (one `write` per file instead of one per record).
    fn flush(&mut self) {
        if let Some(f) = &mut self.file
            && let Err(e) = f.flush()
        {
            tracing::error!("cannot write the log: {e}");
            self.file = None;
        }
    }
}

/// How long the writer lets records pile up after writing a batch while requests keep coming.
const PAUSE: Duration = Duration::from_millis(10);

/// Writes records in batches, one system call per file per batch. When a batch was written the writer sleeps
/// `PAUSE` and then takes what has queued meanwhile, without blocking: a request handler's `try_send` wakes
/// the writer only when it waits in `recv`, which it does only once the queue is found empty. Under load that
/// saves a futex wake-up and a context switch per record; when idle, a record is written at once.
fn writer(root: PathBuf, rx: Receiver<Record>) {
    let daily = |dir: &str, prefix, header| DailyFile {
        dir: root.join(dir),
        prefix,
        header,
        day: None,
        file: None,
    };
    let mut access = daily("Access", "Access", ACCESS_FIELDS);
    let mut mailbox = daily("MapiHttp/Mailbox", "MapiHttp", PROTOCOL_FIELDS);
    let mut address_book = daily("MapiHttp/AddressBook", "MapiHttp", PROTOCOL_FIELDS);
    let mut line = String::with_capacity(256);
    let mut busy = false;
    loop {
        let first = if busy {
            match rx.try_recv() {
                Ok(r) => r,
                Err(TryRecvError::Empty) => {
                    busy = false;
                    continue;
                }
                Err(TryRecvError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(r) => r,
                Err(_) => break,
            }
        };
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(record) = next {
            line.clear();
            match record {
                Record::Access(r) => {
                    write_access_line(&mut line, &r);
                    access.write(r.time, &line);
                }
                Record::Protocol(p, r) => {
                    write_protocol_line(&mut line, &r);
                    let file = match p {
                        Protocol::Mailbox => &mut mailbox,
                        Protocol::AddressBook => &mut address_book,
                    };
                    file.write(r.time, &line);
                }
            }
            taken += 1;
            next = if taken < BATCH {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        access.flush();
        mailbox.flush();
        address_book.flush();
        busy = taken > 1;
        if busy {
            std::thread::sleep(PAUSE);
        }
    }
    access.flush();
    mailbox.flush();
    address_book.flush();
}

/// `2025-01-06T10:00:00.000Z`, written without a format string to parse.
fn push_time(out: &mut String, t: DateTime<Utc>) {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.timestamp_subsec_millis().min(999)
    );
}

/// Appends the CSV line of an access record to `out`.
fn write_access_line(out: &mut String, r: &AccessRecord) {
    use std::fmt::Write as _;
    push_time(out, r.time);
    for f in [
        &r.client,
        &r.user,
        &r.method,
        &r.path,
        &r.request_type,
        &r.request_id,
    ] {
        out.push(',');
        push_field(out, f);
    }
    let _ = write!(out, ",{},", r.status);
    if let Some(c) = r.response_code {
        let _ = write!(out, "{c}");
    }
    let _ = write!(out, ",{}", r.elapsed_ms);
}

/// Appends the CSV line of a protocol record to `out`.
fn write_protocol_line(out: &mut String, r: &ProtocolRecord) {
    use std::fmt::Write as _;
    push_time(out, r.time);
    for f in [
        &r.client,
        &r.user,
        &r.session,
        &r.request_type,
        &r.request_id,
        &r.client_info,
        &r.client_application,
    ] {
        out.push(',');
        push_field(out, f);
    }
    let _ = write!(
        out,
        ",{},0x{:x},0x{:x},{},",
        r.response_code, r.status_code, r.error_code, r.elapsed_ms
    );
    push_field(out, &r.detail);
}

/// One RFC 4180 field; control characters (which a client could put in echoed headers) become spaces so a
/// record is always one line, and a leading character a spreadsheet would run as a formula is quoted.
fn push_field(out: &mut String, f: &str) {
    let plain = !f.contains([',', '"'])
        && !f.starts_with([' ', '=', '+', '-', '@'])
        && !f.chars().any(char::is_control);
    if plain {
        out.push_str(f);
        return;
    }
    let clean: String = f
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.contains([',', '"']) || clean.starts_with([' ', '=', '+', '-', '@']) {
        out.push('"');
        out.push_str(&clean.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&clean);
    }
}

/// RFC 4180 fields joined with commas (see `push_field`).
#[cfg(test)]
fn csv(fields: &[&str]) -> String {
    let mut s = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        push_field(&mut s, f);
    }
    s
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
