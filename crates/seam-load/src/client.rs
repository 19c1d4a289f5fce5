//! One HTTP/1.1 connection (plain or TLS, see [`crate::transport`]) as a
//! load run uses it: the target's request is
//! serialized once (see [`crate::plan::Target::wire`]) and written as is;
//! each answer's head is parsed with `httparse` and its body skipped by its
//! framing (`Content-Length`, chunked, or up to the close), counting bytes.
//! Nothing of the answer is kept but its status and size, which is what lets
//! one core drive a server as hard as wrk does (hyper's client moves every
//! request and answer through channels to its connection task; see
//! docs/benchmarks.md). Failures are sorted into [`ErrorKind`]s.

use crate::plan::Target;
use crate::stats::ErrorKind;
use crate::transport::{ConnectError, Connector, Endpoint, Stream};
use bytes::{Buf, BytesMut};
use std::io;
use std::pin::Pin;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{Instant, Sleep};

/// Headers an answer may have before it is refused as not HTTP.
const MAX_HEADERS: usize = 100;
/// Head bytes an answer may have.
const MAX_HEAD: usize = 64 * 1024;

/// An open connection, its read buffer, and the timer its requests'
/// timeouts reuse.
pub struct Connection {
    stream: Stream,
    buf: BytesMut,
    deadline: Pin<Box<Sleep>>,
}

/// What one request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Body bytes (after chunked framing is taken off).
    pub bytes: u64,
    /// The server closes the connection after this answer.
    pub closed: bool,
}

fn io_kind(e: &io::Error) -> ErrorKind {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => ErrorKind::Refused,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof => ErrorKind::Reset,
        io::ErrorKind::TimedOut => ErrorKind::Timeout,
        _ => ErrorKind::Connect,
    }
}

impl Connection {
    /// Connects to `endpoint` within `timeout`.
    pub async fn open(
        connector: &Connector,
        endpoint: &Endpoint,
        timeout: Duration,
    ) -> Result<Connection, ConnectError> {
        let stream = connector.connect(endpoint, timeout).await?;
        Ok(Connection {
            stream,
            buf: BytesMut::with_capacity(8 * 1024),
            deadline: Box::pin(tokio::time::sleep_until(Instant::now() + timeout)),
        })
    }

    /// Sends `target`'s request and reads the whole answer within `timeout`;
    /// without `keep_alive` the request asks the server to close.
    pub async fn send(
        &mut self,
        target: &Target,
        timeout: Duration,
        keep_alive: bool,
    ) -> Result<Answer, ErrorKind> {
        // one timer per connection, moved for each request: cheaper than a
        // new timeout registered and dropped every time
        self.deadline.as_mut().reset(Instant::now() + timeout);
        let wire = target.wire(keep_alive);
        let head_only = target.method == hyper::Method::HEAD;
        let exchange = async {
            self.stream.write_all(wire).await.map_err(|e| io_kind(&e))?;
            read_answer(&mut self.stream, &mut self.buf, head_only).await
        };
        tokio::select! {
            biased;
            result = exchange => result,
            _ = self.deadline.as_mut() => Err(ErrorKind::Timeout),
        }
    }
}

/// Reads more into `buf`; `Ok(false)` at the end of the stream.
async fn fill(stream: &mut Stream, buf: &mut BytesMut) -> Result<bool, ErrorKind> {
    if buf.capacity() - buf.len() < 1024 {
        buf.reserve(8 * 1024);
    }
    match stream.read_buf(buf).await {
        Ok(0) => Ok(false),
        Ok(_) => Ok(true),
        Err(e) => Err(io_kind(&e)),
    }
}

/// How an answer's body ends.
#[derive(Clone, Copy)]
enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// One answer: its head, then its body skipped (1xx answers are skipped
/// whole).
async fn read_answer(
    stream: &mut Stream,
    buf: &mut BytesMut,
    head_only: bool,
) -> Result<Answer, ErrorKind> {
    loop {
        let (status, framing, closed) = loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(buf) {
                Ok(httparse::Status::Complete(len)) => {
                    let head = read_head(&response, head_only)?;
                    buf.advance(len);
                    break head;
                }
                Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => {
                    if !fill(stream, buf).await? {
                        return Err(ErrorKind::Reset);
                    }
                }
                _ => return Err(ErrorKind::Protocol),
            }
        };
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let bytes = skip_body(stream, buf, framing).await?;
        let closed = closed || matches!(framing, Framing::UntilClose);
        return Ok(Answer {
            status,
            bytes,
            closed,
        });
    }
}

fn read_head(
    response: &httparse::Response<'_, '_>,
    head_only: bool,
) -> Result<(u16, Framing, bool), ErrorKind> {
    let status = response.code.ok_or(ErrorKind::Protocol)?;
    let mut length = None;
    let (mut chunked, mut close) = (false, response.version == Some(0));
    for h in response.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(h.value).map_err(|_| ErrorKind::Protocol)?;
            length = Some(
                text.trim()
                    .parse::<u64>()
                    .map_err(|_| ErrorKind::Protocol)?,
            );
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = h
                .value
                .rsplit(|&b| b == b',')
                .next()
                .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
        } else if h.name.eq_ignore_ascii_case("connection") {
            let v = h.value.trim_ascii();
            if v.eq_ignore_ascii_case(b"close") {
                close = true;
            } else if v.eq_ignore_ascii_case(b"keep-alive") {
                close = false;
            }
        }
    }
    let framing = if head_only || status == 204 || status == 304 || (100..200).contains(&status) {
        Framing::None
    } else if chunked {
        Framing::Chunked
    } else {
        match length {
            Some(0) => Framing::None,
            Some(n) => Framing::Length(n),
            None => Framing::UntilClose,
        }
    };
    Ok((status, framing, close))
}

/// Skips `n` body bytes; the bytes skipped.
async fn skip(stream: &mut Stream, buf: &mut BytesMut, mut n: u64) -> Result<(), ErrorKind> {
    loop {
        let here = n.min(buf.len() as u64);
        buf.advance(here as usize);
        n -= here;
        if n == 0 {
            return Ok(());
        }
        if !fill(stream, buf).await? {
            return Err(ErrorKind::Reset);
        }
    }
}

/// The index just past the next CRLF in `buf`, reading more as needed.
async fn line_end(stream: &mut Stream, buf: &mut BytesMut) -> Result<usize, ErrorKind> {
    loop {
        if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
            return Ok(i + 2);
        }
        if buf.len() > MAX_HEAD {
            return Err(ErrorKind::Protocol);
        }
        if !fill(stream, buf).await? {
            return Err(ErrorKind::Reset);
        }
    }
}

async fn skip_body(
    stream: &mut Stream,
    buf: &mut BytesMut,
    framing: Framing,
) -> Result<u64, ErrorKind> {
    match framing {
        Framing::None => Ok(0),
        Framing::Length(n) => skip(stream, buf, n).await.map(|()| n),
        Framing::UntilClose => {
            let mut total = buf.len() as u64;
            buf.clear();
            while fill(stream, buf).await? {
                total += buf.len() as u64;
                buf.clear();
            }
            Ok(total)
        }
        Framing::Chunked => {
            let mut total = 0;
            loop {
                let size = loop {
                    match httparse::parse_chunk_size(buf) {
                        Ok(httparse::Status::Complete((len, size))) => {
                            buf.advance(len);
                            break size;
                        }
                        Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => {
                            if !fill(stream, buf).await? {
                                return Err(ErrorKind::Reset);
                            }
                        }
                        _ => return Err(ErrorKind::Protocol),
                    }
                };
                if size == 0 {
                    // trailers, if any, up to an empty line
                    loop {
                        let end = line_end(stream, buf).await?;
                        buf.advance(end);
                        if end == 2 {
                            return Ok(total);
                        }
                    }
                }
                skip(stream, buf, size).await?;
                total += size;
                let end = line_end(stream, buf).await?;
                if end != 2 {
                    return Err(ErrorKind::Protocol);
                }
                buf.advance(2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use tokio::net::TcpListener;

    /// A server that answers each request with the next of `answers`, raw.
    async fn raw_server(answers: Vec<&'static [u8]>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            for a in answers {
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = s.read(&mut buf).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                // dribbled in pieces, to exercise partial reads
                for piece in a.chunks(7) {
                    s.write_all(piece).await.unwrap();
                    s.flush().await.unwrap();
                    tokio::task::yield_now().await;
                }
            }
        });
        url
    }

    async fn open(target: &Target) -> Connection {
        let endpoint = Endpoint {
            addr: target.authority().parse().unwrap(),
            tls: None,
        };
        let connector = Connector::new(&Default::default(), false).unwrap();
        match Connection::open(&connector, &endpoint, Duration::from_secs(5)).await {
            Ok(c) => c,
            Err(e) => panic!("{}", e.detail),
        }
    }

    #[tokio::test]
    async fn every_framing_is_read_to_its_end_and_the_connection_reused() {
        let url = raw_server(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nRust\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
        ])
        .await;
        let target = Target::parse(&url, "GET", &[], Bytes::new()).unwrap();
        let mut c = open(&target).await;
        let t = Duration::from_secs(5);
        let a = c.send(&target, t, true).await.unwrap();
        assert_eq!(
            a,
            Answer {
                status: 200,
                bytes: 5,
                closed: false
            }
        );
        let a = c.send(&target, t, true).await.unwrap();
        assert_eq!(
            a,
            Answer {
                status: 503,
                bytes: 7,
                closed: false
            }
        );
        let a = c.send(&target, t, true).await.unwrap();
        assert_eq!(
            a,
            Answer {
                status: 204,
                bytes: 0,
                closed: false
            }
        );
        let a = c.send(&target, t, true).await.unwrap();
        assert_eq!(
            a,
            Answer {
                status: 200,
                bytes: 13,
                closed: true
            }
        );
    }

    #[tokio::test]
    async fn broken_answers_are_sorted_by_kind() {
        for (answer, kind) in [
            (&b"not http at all\r\n\r\n"[..], ErrorKind::Protocol),
            (
                &b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort"[..],
                ErrorKind::Reset,
            ),
            (
                &b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"[..],
                ErrorKind::Protocol,
            ),
            (
                &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"[..],
                ErrorKind::Protocol,
            ),
        ] {
            let url = raw_server(vec![answer]).await;
            let target = Target::parse(&url, "GET", &[], Bytes::new()).unwrap();
            let mut c = open(&target).await;
            let got = c.send(&target, Duration::from_secs(5), true).await;
            assert_eq!(got, Err(kind), "{}", String::from_utf8_lossy(answer));
        }
    }
}
