//! The load generator (hyper's client, one keep-alive connection per client) and the baseline server (a bare
//! hyper server answering 200 with a fixed body).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::BenchError;

/// Who the client is and where it sends.
#[derive(Clone)]
pub struct Target {
    pub authority: String,
    pub path: String,
    pub authorization: String,
    pub legacy_dn: String,
}

/// One answer, reduced to what the bench checks.
pub struct Answer {
    pub status: u16,
    pub code: Option<u32>,
}

/// A client on one keep-alive connection, keeping the session cookies as Outlook does.
pub struct Client {
    sender: SendRequest<Full<Bytes>>,
    target: Arc<Target>,
    cookies: Vec<(String, String)>,
    request_guid: String,
    counter: u64,
}

static CLIENT_SEQ: AtomicU64 = AtomicU64::new(1);

impl Client {
    pub async fn connect(target: Arc<Target>) -> Result<Client, BenchError> {
        let stream = TcpStream::connect(target.authority.as_str())
            .await
            .map_err(|e| BenchError::Broken(format!("connect {}: {e}", target.authority)))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| BenchError::Broken(format!("HTTP handshake: {e}")))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let seq = CLIENT_SEQ.fetch_add(1, Ordering::Relaxed);
        Ok(Client {
            sender,
            target,
            cookies: Vec::new(),
            request_guid: format!("{{3B8C1C6E-1D2A-4F00-9A00-{seq:012X}}}"),
            counter: 0,
        })
    }

    /// Forgets the session cookies (the next Connect opens a new session context).
    pub fn forget(&mut self) {
        self.cookies.clear();
    }

    /// POSTs `body` as `request_type`; reads the whole answer.
    pub async fn send(&mut self, request_type: &str, body: &[u8]) -> Result<Answer, BenchError> {
        self.counter += 1;
        let mut b = Request::post(self.target.path.as_str())
            .header("Host", self.target.authority.as_str())
            .header("Authorization", self.target.authorization.as_str())
            .header("Content-Type", "application/mapi-http")
            .header("X-RequestType", request_type)
            .header(
                "X-RequestId",
                format!("{}:{}", self.request_guid, self.counter),
            )
            .header("X-ClientInfo", mapish_bench::CLIENT_INFO)
            .header("X-ClientApplication", "Outlook/15.00.0856.000");
        if !self.cookies.is_empty() {
            let c = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            b = b.header("Cookie", c);
        }
        let req = b
            .body(Full::new(Bytes::copy_from_slice(body)))
            .map_err(|e| BenchError::Broken(format!("building a request: {e}")))?;
        self.sender
            .ready()
            .await
            .map_err(|e| BenchError::Broken(format!("connection closed: {e}")))?;
        let resp = self
            .sender
            .send_request(req)
            .await
            .map_err(|e| BenchError::Broken(format!("{request_type}: {e}")))?;
        let status = resp.status().as_u16();
        let code = resp
            .headers()
            .get("x-responsecode")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        resp.into_body()
            .collect()
            .await
            .map_err(|e| BenchError::Broken(format!("{request_type} body: {e}")))?;
        for line in &set_cookies {
            let c = mapish_wire::cookie::SetCookie::parse(line)
                .map_err(|e| BenchError::Broken(format!("bad Set-Cookie {line:?}: {e}")))?;
            self.cookies.retain(|(n, _)| *n != c.name);
            if !c.is_removal() {
                self.cookies.push((c.name.clone(), c.value.clone()));
            }
        }
        Ok(Answer { status, code })
    }

    /// Sends and insists on HTTP 200 with X-ResponseCode 0.
    pub async fn expect_ok(&mut self, request_type: &str, body: &[u8]) -> Result<(), BenchError> {
        let a = self.send(request_type, body).await?;
        if a.status == 200 && a.code == Some(0) {
            Ok(())
        } else {
            Err(BenchError::Broken(format!(
                "{request_type}: HTTP {} X-ResponseCode {:?}",
                a.status, a.code
            )))
        }
    }
}

/// Latencies and counts of one load phase.
pub struct Load {
    pub requests: u64,
    pub elapsed: Duration,
    pub latencies_us: Vec<u32>,
}

impl Load {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn p99_ms(&mut self) -> f64 {
        percentile_us(&mut self.latencies_us, 0.99) as f64 / 1000.0
    }
}

pub fn percentile_us(v: &mut [u32], p: f64) -> u32 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    let idx = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[idx.min(v.len() - 1)]
}

/// What each client does in a phase.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    /// POST with a Connect body to the baseline server (any 200 counts).
    Baseline,
    /// Connect + Execute(RopLogon) + Disconnect, again and again.
    Cycles,
    /// One Connect, then PING on the open session.
    Ping,
}

/// Runs `clients` clients for `duration` (after each client's setup) and merges their measurements.
pub async fn drive(
    target: Arc<Target>,
    phase: Phase,
    clients: usize,
    duration: Duration,
) -> Result<Load, BenchError> {
    let connect = Arc::new(
        mapish_bench::connect_body(&target.legacy_dn)
            .map_err(|e| BenchError::Setup(e.to_string()))?,
    );
    let execute = Arc::new(
        mapish_bench::logon_execute_body(&target.legacy_dn)
            .map_err(|e| BenchError::Setup(e.to_string()))?,
    );
    let ready = Arc::new(tokio::sync::Barrier::new(clients + 1));
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let target = target.clone();
        let connect = connect.clone();
        let execute = execute.clone();
        let ready = ready.clone();
        tasks.push(tokio::spawn(async move {
            let setup = async {
                let mut c = Client::connect(target).await?;
                if phase == Phase::Ping {
                    c.expect_ok("Connect", &connect).await?;
                }
                Ok::<_, BenchError>(c)
            }
            .await;
            ready.wait().await;
            let mut c = setup?;
            let deadline = Instant::now() + duration;
            let mut lat = Vec::with_capacity(4096);
            let mut n = 0u64;
            // Bounded: by the deadline, and by a request cap far above any rate this machine reaches.
            while Instant::now() < deadline && n < 50_000_000 {
                match phase {
                    Phase::Baseline => {
                        let t = Instant::now();
                        let a = c.send("Connect", &connect).await?;
                        if a.status != 200 {
                            return Err(BenchError::Broken(format!("baseline: HTTP {}", a.status)));
                        }
                        lat.push(micros(t));
                        n += 1;
                    }
                    Phase::Cycles => {
                        for (rt, body) in [
                            ("Connect", &connect[..]),
                            ("Execute", &execute[..]),
                            ("Disconnect", &mapish_bench::DISCONNECT_BODY[..]),
                        ] {
                            let t = Instant::now();
                            c.expect_ok(rt, body).await?;
                            lat.push(micros(t));
                            n += 1;
                        }
                        c.forget();
                    }
                    Phase::Ping => {
                        let t = Instant::now();
                        c.expect_ok("PING", &[]).await?;
                        lat.push(micros(t));
                        n += 1;
                    }
                }
            }
            if phase == Phase::Ping {
                c.expect_ok("Disconnect", &mapish_bench::DISCONNECT_BODY)
                    .await?;
            }
            Ok::<_, BenchError>((n, lat))
        }));
    }
    ready.wait().await;
    let started = Instant::now();
    let mut requests = 0;
    let mut latencies_us = Vec::new();
    let mut first_error = None;
    for t in tasks {
        match t.await {
            Ok(Ok((n, lat))) => {
                requests += n;
                latencies_us.extend(lat);
            }
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(BenchError::Broken(format!("client task: {e}")));
            }
        }
    }
    let elapsed = started.elapsed();
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(Load {
        requests,
        elapsed,
        latencies_us,
    })
}

fn micros(t: Instant) -> u32 {
    u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX)
}

/// Opens `total` idle session contexts (Connect, cookies dropped) with `clients` clients.
pub async fn open_sessions(
    target: Arc<Target>,
    clients: usize,
    total: usize,
) -> Result<(), BenchError> {
    let connect = Arc::new(
        mapish_bench::connect_body(&target.legacy_dn)
            .map_err(|e| BenchError::Setup(e.to_string()))?,
    );
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (target, connect, next) = (target.clone(), connect.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(target).await?;
            while next.fetch_add(1, Ordering::Relaxed) < total {
                c.expect_ok("Connect", &connect).await?;
                c.forget();
            }
            Ok::<_, BenchError>(())
        }));
    }
    for t in tasks {
        t.await
            .map_err(|e| BenchError::Broken(format!("client task: {e}")))??;
    }
    Ok(())
}

/// The baseline: a bare hyper server answering every request with 200 and a fixed body. Prints the same
/// readiness line as `mapish serve`, then serves until killed.
pub fn baseline_serve() -> Result<(), BenchError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| BenchError::Setup(format!("tokio runtime: {e}")))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| BenchError::Setup(format!("bind: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| BenchError::Setup(format!("local_addr: {e}")))?;
        println!("Listening on http://{addr}/");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(|req: Request<hyper::body::Incoming>| async move {
                        // Read the body like the real server does, then answer.
                        let _ = req.into_body().collect().await;
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                            b"baseline: 200 with a fixed body\r\n",
                        ))))
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
