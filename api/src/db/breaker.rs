//! Fail fast while the database is known to be down.
//!
//! The pool's manager reports every connect attempt here. After a failed connect the breaker is
//! open: a checkout that finds no idle connection answers 503 at once instead of waiting for the
//! pool timeout. r2d2 keeps retrying the connect in the background (backoff capped at half the
//! pool's connection timeout); the first success closes the breaker, so the service recovers on
//! its own without a request having to probe.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

use crate::error::{AppError, AppResult};

/// Longest a request waits for a pooled connection (a busy pool, or a connect still in flight).
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_millis(1500);
/// How often a waiting checkout looks at the breaker.
const CHECKOUT_SLICE: Duration = Duration::from_millis(50);

#[derive(Debug, Default)]
pub struct Breaker {
    open: AtomicBool,
    last_error: Mutex<Option<String>>,
}

impl Breaker {
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// A connect failed: the database is down (or refuses us) until a connect succeeds.
    pub fn connect_failed(&self, error: &str) {
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(error.to_string());
        }
        if !self.open.swap(true, Ordering::AcqRel) {
            tracing::error!(error, "database unreachable; failing fast until a connect succeeds");
        }
    }

    pub fn connect_succeeded(&self) {
        if self.open.swap(false, Ordering::AcqRel) {
            tracing::info!("database reachable again");
        }
    }

    pub fn unavailable(&self) -> AppError {
        let last = self.last_error.lock().ok().and_then(|l| l.clone()).unwrap_or_default();
        AppError::unavailable(format!("database unavailable: {last}"))
    }

    /// A connection from `pool` within [`CHECKOUT_TIMEOUT`], or 503 as soon as the breaker
    /// opens. While open, only an idle connection (validated on checkout) is handed out.
    pub fn checkout<M: r2d2::ManageConnection>(
        &self,
        pool: &r2d2::Pool<M>,
    ) -> AppResult<r2d2::PooledConnection<M>> {
        if self.is_open() {
            return pool.try_get().ok_or_else(|| self.unavailable());
        }
        let deadline = Instant::now() + CHECKOUT_TIMEOUT;
        loop {
            let slice = CHECKOUT_SLICE.min(deadline.saturating_duration_since(Instant::now()));
            match pool.get_timeout(slice) {
                Ok(conn) => return Ok(conn),
                Err(_) if self.is_open() => return Err(self.unavailable()),
                Err(e) if Instant::now() >= deadline => return Err(AppError::from(e)),
                Err(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manager whose connects fail while `up` is false.
    #[derive(Debug)]
    struct Flaky {
        up: std::sync::Arc<AtomicBool>,
        breaker: std::sync::Arc<Breaker>,
    }

    #[derive(Debug)]
    struct Down;
    impl std::fmt::Display for Down {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("down")
        }
    }
    impl std::error::Error for Down {}

    impl r2d2::ManageConnection for Flaky {
        type Connection = ();
        type Error = Down;
        fn connect(&self) -> Result<(), Down> {
            if self.up.load(Ordering::Acquire) {
                self.breaker.connect_succeeded();
                Ok(())
            } else {
                self.breaker.connect_failed("down");
                Err(Down)
            }
        }
        fn is_valid(&self, _: &mut ()) -> Result<(), Down> {
            if self.up.load(Ordering::Acquire) {
                Ok(())
            } else {
                Err(Down)
            }
        }
        fn has_broken(&self, _: &mut ()) -> bool {
            false
        }
    }

    #[test]
    fn checkout_fails_fast_while_down_and_recovers_without_a_probe() {
        let up = std::sync::Arc::new(AtomicBool::new(true));
        let breaker = std::sync::Arc::new(Breaker::default());
        let pool = r2d2::Pool::builder()
            .max_size(2)
            .connection_timeout(Duration::from_millis(400))
            .build(Flaky { up: up.clone(), breaker: breaker.clone() })
            .expect("pool");
        drop(breaker.checkout(&pool).expect("up"));

        up.store(false, Ordering::Release);
        let started = Instant::now();
        let err = breaker.checkout(&pool).expect_err("down");
        assert_eq!(err.code, crate::error::ErrorCode::Unavailable);
        assert!(started.elapsed() < CHECKOUT_TIMEOUT, "first failure took {:?}", started.elapsed());
        assert!(breaker.is_open());
        let started = Instant::now();
        assert!(breaker.checkout(&pool).is_err());
        assert!(started.elapsed() < Duration::from_millis(20), "open breaker waited {:?}", started.elapsed());

        up.store(true, Ordering::Release);
        let deadline = Instant::now() + Duration::from_secs(2);
        while breaker.is_open() {
            assert!(Instant::now() < deadline, "background reconnect never closed the breaker");
            std::thread::sleep(Duration::from_millis(10));
        }
        breaker.checkout(&pool).expect("recovered");
    }
}
