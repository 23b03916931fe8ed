//! The accept loop, plain or TLS, with a way for a handler to break its connection: a
//! [`Dropper`] in every request's extensions. The answer then breaks on its way: the first
//! bytes of its status line go out and the connection closes, so the client sees a
//! network error — what a client meets when the service acted and the connection then
//! broke (`actThenDropRate`).
//!
//! Why not close before any byte: Chromium (and other HTTP stacks) send a request again on
//! their own when a reused keep-alive connection closes without a byte of answer (they
//! take it for a stale idle connection), POSTs included. A fault modelled that way makes
//! the *browser* act twice, whatever the app does; a truncated status line is a broken
//! answer no client resends.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// Breaks the connection that carries the request.
#[derive(Clone, Debug)]
pub struct Dropper(Arc<AtomicBool>);

impl Dropper {
    /// The answer about to be written is cut after the first bytes of its status line, and
    /// the connection closes.
    pub fn break_answer(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Bytes of an answer that go out before a broken connection closes: `HTTP/1.1 2`.
const BROKEN_PREFIX: usize = 10;

/// A connection whose answer can be broken (see [`Dropper`]).
struct Breakable<IO> {
    io: IO,
    broken: Arc<AtomicBool>,
    written: usize,
}

impl<IO: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Breakable<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<IO: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Breakable<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if !self.broken.load(Ordering::SeqCst) {
            return Pin::new(&mut self.io).poll_write(cx, buf);
        }
        let left = BROKEN_PREFIX.saturating_sub(self.written);
        if left == 0 {
            return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
        }
        let n = left.min(buf.len());
        match Pin::new(&mut self.io).poll_write(cx, &buf[..n]) {
            Poll::Ready(Ok(w)) => {
                self.written += w;
                Poll::Ready(Ok(w))
            }
            other => other,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Accepts connections and serves `app` on each until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tokio::pin!(shutdown);
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = &mut shutdown => return Ok(()),
        };
        let (tls, app) = (tls.clone(), app.clone());
        tokio::spawn(async move {
            match tls {
                None => connection(tcp, app).await,
                Some(acceptor) => {
                    // A client that does not trust the CA fails its handshake.
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        connection(stream, app).await;
                    }
                }
            }
        });
    }
}

async fn connection<IO>(io: IO, app: Router)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let broken = Arc::new(AtomicBool::new(false));
    let dropper = Dropper(broken.clone());
    let service = app.map_request(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(dropper.clone());
        req
    });
    let io = Breakable {
        io,
        broken,
        written: 0,
    };
    let builder = Builder::new(TokioExecutor::new());
    // A broken answer ends the connection with an error: the socket closes.
    let _ = builder
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
        .await;
}
