//! The accept loop, plain or TLS, with a way for a handler to drop its connection: a
//! [`Dropper`] in every request's extensions. Dropping the connection future closes the
//! socket before any byte of a response is written, so the client sees a network error —
//! what a client meets when the service acted and the connection then broke
//! (`actThenDropRate`).

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// Drops the connection that carries the request.
#[derive(Clone, Debug)]
pub struct Dropper(Arc<Notify>);

impl Dropper {
    /// Closes the connection without answering; the caller's future is dropped with it.
    pub async fn drop_connection(&self) -> ! {
        self.0.notify_one();
        std::future::pending().await
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
    let kill = Arc::new(Notify::new());
    let dropper = Dropper(kill.clone());
    let service = app.map_request(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(dropper.clone());
        req
    });
    let builder = Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
    tokio::select! {
        _ = conn => {}
        // Dropping `conn` drops the socket: no response, the client sees a network error.
        () = kill.notified() => {}
    }
}
