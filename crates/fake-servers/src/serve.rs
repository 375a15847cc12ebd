//! One way to run a fake: an axum app on its own thread and current-thread runtime, stopped and joined when the
//! handle is dropped. Dropping the runtime cancels open connections, including streams still pausing, so a test
//! never waits on a fake it is done with.

use std::thread::JoinHandle;

/// A fake serving in the background; stops when dropped.
#[derive(Debug)]
pub(crate) struct Background {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    /// Serves `app` on `listener` (non-blocking, already bound) on a thread named `name`.
    pub(crate) fn spawn(
        name: String,
        listener: std::net::TcpListener,
        app: axum::Router,
    ) -> std::io::Result<Background> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            eprintln!("{name}: {e}");
                            return;
                        }
                    };
                    tokio::select! {
                        r = axum::serve(listener, app) => {
                            if let Err(e) = r {
                                eprintln!("{name}: {e}");
                            }
                        }
                        _ = stop => {}
                    }
                });
            })?;
        Ok(Background {
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
