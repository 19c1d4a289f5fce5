//! A TCP stream a handler can break on purpose: close it without an answer,
//! write garbage, send a malformed chunk, or reset it (RST). Used for fault
//! injection; a healthy connection pays one atomic load per write. The stream
//! also counts its reads and writes for the connection's watchdog
//! ([`crate::watchdog`]), one relaxed atomic add each.

use rand::RngCore;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A connection-level fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnFault {
    /// Close without writing a byte.
    EmptyResponse,
    /// A valid status line and chunked headers, then a broken chunk, then close.
    MalformedChunk,
    /// Random bytes, then close.
    RandomDataThenClose,
    /// Abort with a TCP reset.
    Reset,
}

impl ConnFault {
    fn code(self) -> u8 {
        match self {
            ConnFault::EmptyResponse => 1,
            ConnFault::MalformedChunk => 2,
            ConnFault::RandomDataThenClose => 3,
            ConnFault::Reset => 4,
        }
    }

    fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            1 => ConnFault::EmptyResponse,
            2 => ConnFault::MalformedChunk,
            3 => ConnFault::RandomDataThenClose,
            4 => ConnFault::Reset,
            _ => return None,
        })
    }
}

/// What a handler knows of its connection.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    pub remote: SocketAddr,
    pub(crate) fault: Arc<AtomicU8>,
}

impl ConnInfo {
    /// Breaks the connection instead of writing the response the handler returns.
    pub fn inject(&self, fault: ConnFault) {
        self.fault.store(fault.code(), Ordering::SeqCst);
    }
}

pub(crate) struct FaultableStream {
    inner: TcpStream,
    fault: Arc<AtomicU8>,
    activity: Arc<crate::watchdog::Activity>,
    /// Bytes of the fault still to write.
    pending: Option<(Vec<u8>, usize)>,
}

impl FaultableStream {
    pub(crate) fn new(
        inner: TcpStream,
        activity: Arc<crate::watchdog::Activity>,
    ) -> (Self, Arc<AtomicU8>) {
        let fault = Arc::new(AtomicU8::new(0));
        (
            FaultableStream {
                inner,
                fault: fault.clone(),
                activity,
                pending: None,
            },
            fault,
        )
    }
}

fn broken() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "fault injected")
}

impl AsyncRead for FaultableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read();
        }
        polled
    }
}

impl AsyncWrite for FaultableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        this.activity.wrote();
        let Some(fault) = ConnFault::from_code(this.fault.load(Ordering::Relaxed)) else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        if this.pending.is_none() {
            let bytes = match fault {
                ConnFault::EmptyResponse => Vec::new(),
                ConnFault::Reset => {
                    let _ = socket2::SockRef::from(&this.inner).set_linger(Some(std::time::Duration::ZERO));
                    Vec::new()
                }
                ConnFault::RandomDataThenClose => {
                    let mut garbage = vec![0u8; 64];
                    rand::thread_rng().fill_bytes(&mut garbage);
                    garbage
                }
                ConnFault::MalformedChunk => {
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nlorem ipsum dolor sit amet\r\n".to_vec()
                }
            };
            this.pending = Some((bytes, 0));
        }
        let (bytes, written) = this.pending.as_mut().expect("set above");
        while *written < bytes.len() {
            match Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]) {
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Err(broken()))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.fault.load(Ordering::Relaxed) == 0 {
            self.activity.wrote();
            return Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        }
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        self.poll_write(cx, first)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
