//! Handles for jobs running on Rust threads. Java holds a number; this table owns the job.
//! `finish` waits on the job without holding the table lock, and poll / cancel / done go through
//! the job's context, so none of them waits for a `finish` in another Java thread.
use crate::boundary::{BridgeError, BridgeResult};
use once_cell::sync::Lazy;
use segtrain::job::{Job, JobContext};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

struct Entry {
    context: JobContext,
    job: Mutex<Job>,
    /// What the work left for Java to fetch after it finished (an auto-label result).
    payload: Payload,
}

/// A typed result a job's work stores for later calls (the label image of an auto-label job).
pub type Payload = Arc<Mutex<Option<Box<dyn std::any::Any + Send>>>>;

pub fn new_payload() -> Payload {
    Arc::new(Mutex::new(None))
}

static JOBS: Lazy<Mutex<HashMap<i64, Arc<Entry>>>> = Lazy::new(|| Mutex::new(HashMap::new()));
static NEXT_HANDLE: AtomicI64 = AtomicI64::new(1);

fn table() -> std::sync::MutexGuard<'static, HashMap<i64, Arc<Entry>>> {
    JOBS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn register(job: Job, payload: Payload) -> i64 {
    let handle = NEXT_HANDLE.fetch_add(1, Ordering::Relaxed);
    let entry = Entry { context: job.context(), job: Mutex::new(job), payload };
    table().insert(handle, Arc::new(entry));
    handle
}

fn entry(handle: i64) -> BridgeResult<Arc<Entry>> {
    table().get(&handle).cloned().ok_or_else(|| BridgeError::Handle(format!("no SegTrain job with handle {handle} (never started, or already closed)")))
}

pub fn poll(handle: i64) -> BridgeResult<String> {
    let events: Vec<serde_json::Value> = entry(handle)?.context.drain().iter().map(|e| e.to_json()).collect();
    Ok(serde_json::to_string(&events).expect("events serialise"))
}

pub fn is_done(handle: i64) -> BridgeResult<bool> {
    Ok(entry(handle)?.context.is_done())
}

pub fn cancel(handle: i64) -> BridgeResult<()> {
    entry(handle)?.context.cancel();
    Ok(())
}

pub fn finish(handle: i64) -> BridgeResult<String> {
    let entry = entry(handle)?;
    let mut job = entry.job.lock().unwrap_or_else(|p| p.into_inner());
    Ok(job.finish()?.to_string())
}

/// Starts `work` on a job thread and registers it; its result, serialised, is what `finish`
/// returns to Java (a training outcome, a tuning report).
pub fn spawn_reporting<T: serde::Serialize>(name: &str, work: impl FnOnce(&JobContext) -> segtrain::Result<T> + Send + 'static) -> BridgeResult<i64> {
    let job = Job::spawn(name, move |ctx| Ok(serde_json::to_value(work(ctx)?).expect("results serialise")))?;
    Ok(register(job, new_payload()))
}

/// Runs `f` on the job's payload of type T (after the job finished).
pub fn with_payload<T: 'static, R>(handle: i64, f: impl FnOnce(&T) -> BridgeResult<R>) -> BridgeResult<R> {
    let entry = entry(handle)?;
    let slot = entry.payload.lock().unwrap_or_else(|p| p.into_inner());
    match slot.as_ref().and_then(|p| p.downcast_ref::<T>()) {
        Some(value) => f(value),
        None => Err(BridgeError::Handle(format!("job {handle} has no result of that kind (not finished, failed, or another kind of job)"))),
    }
}

/// Idempotent: closing an unknown handle does nothing. A running job is cancelled and joined.
pub fn close(handle: i64) {
    let removed = table().remove(&handle);
    drop(removed);
}
