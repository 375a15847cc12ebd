//! The worker's HTTP endpoint: `/healthz` (alive), `/readyz` (model server reachable and model present) and
//! `/metrics` (Prometheus text format).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::Worker;

/// Binds `addr` and serves in the background until `shutdown` is cancelled. Returns once bound, so a busy port is
/// reported at start-up.
pub async fn serve(
    addr: SocketAddr,
    worker: Arc<Worker>,
    shutdown: tokio_util::sync::CancellationToken,
) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tracing::info!(%bound, "serving /healthz, /readyz and /metrics");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router(worker))
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "HTTP endpoint stopped");
        }
    });
    Ok(bound)
}

/// The routes, for embedding in another server.
pub fn router(worker: Arc<Worker>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(worker)
}

async fn readyz(State(w): State<Arc<Worker>>) -> impl IntoResponse {
    match w.ready().await {
        Ok(model) => (
            StatusCode::OK,
            format!("ready: {model} on {}\n", w.config().host),
        ),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {e}\n")),
    }
}

async fn metrics(State(w): State<Arc<Worker>>) -> impl IntoResponse {
    w.metrics().set_queue_depth(w.queue());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        w.metrics().render(),
    )
}
