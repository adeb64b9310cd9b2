//! Long work (training, later auto-label) runs on its own thread behind a `Job`. The caller
//! polls events and may cancel; nothing ever calls back into the caller's thread, so the JVM
//! never has to be attached to our threads.
use crate::error::{Error, Result};
use crate::train::Event;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

type Listener = Box<dyn Fn(&Event) + Send + Sync>;

/// What the work sees: its cancel flag and where its events go.
#[derive(Clone)]
pub struct JobContext {
    cancel: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    queue: Arc<Mutex<Vec<Event>>>,
    listener: Option<Arc<Listener>>,
}

impl Default for JobContext {
    fn default() -> Self {
        JobContext {
            cancel: Arc::new(AtomicBool::new(false)),
            done: Arc::new(AtomicBool::new(false)),
            queue: Arc::new(Mutex::new(Vec::new())),
            listener: None,
        }
    }
}

/// Marks the job done when the work returns or unwinds.
struct DoneOnDrop(Arc<AtomicBool>);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

impl JobContext {
    /// A context that also hands every event to `listener` as it happens (the CLI prints them).
    pub fn with_listener(listener: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        JobContext { listener: Some(Arc::new(Box::new(listener))), ..Default::default() }
    }

    /// The same job (cancel flag, event queue) with `listener` added: lets a listener cancel
    /// the job through a clone of the context it was made from.
    pub fn listening(self, listener: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        JobContext { listener: Some(Arc::new(Box::new(listener))), ..self }
    }

    pub fn emit(&self, event: Event) {
        if let Some(listener) = &self.listener {
            listener(&event);
        }
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Err(Cancelled) once a cancel was asked for: call at safe points.
    pub fn check_cancelled(&self) -> Result<()> {
        if self.is_cancelled() { Err(Error::Cancelled) } else { Ok(()) }
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// True once the work has returned (or panicked).
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// The events since the last call.
    pub fn drain(&self) -> Vec<Event> {
        std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Work running on a thread; its result is a JSON value (what the caller shows or returns).
pub struct Job {
    context: JobContext,
    thread: Option<JoinHandle<Result<serde_json::Value>>>,
    outcome: Option<Result<serde_json::Value>>,
}

impl Job {
    pub fn spawn(name: &str, work: impl FnOnce(&JobContext) -> Result<serde_json::Value> + Send + 'static) -> Result<Job> {
        let context = JobContext::default();
        let ctx = context.clone();
        let thread = std::thread::Builder::new()
            .name(format!("segtrain-{name}"))
            .spawn(move || {
                let _done = DoneOnDrop(ctx.done.clone());
                work(&ctx)
            })
            .map_err(|e| Error::Torch(format!("could not start a thread: {e}")))?;
        Ok(Job { context, thread: Some(thread), outcome: None })
    }

    /// Polling, cancelling and asking whether it is done go through the context, so they
    /// never wait for a caller blocked in `finish`.
    pub fn context(&self) -> JobContext {
        self.context.clone()
    }

    pub fn poll(&self) -> Vec<Event> {
        self.context.drain()
    }

    pub fn cancel(&self) {
        self.context.cancel();
    }

    pub fn is_done(&self) -> bool {
        self.context.is_done()
    }

    /// Waits for the work and returns its outcome (a panic in the work becomes an error).
    /// Later calls return the same outcome again.
    pub fn finish(&mut self) -> Result<serde_json::Value> {
        if let Some(thread) = self.thread.take() {
            let outcome = thread.join().unwrap_or_else(|payload| Err(Error::Torch(format!("internal error: {}", panic_message(&*payload)))));
            self.outcome = Some(outcome);
        }
        match self.outcome.as_ref().expect("outcome is set once the thread is joined") {
            Ok(value) => Ok(value.clone()),
            Err(Error::Cancelled) => Err(Error::Cancelled),
            Err(e) => Err(clone_error(e)),
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        self.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The text of a panic payload (`panic!("{x}")` carries a String, `panic!("x")` a &str).
/// tch's panicking operations put libtorch's C++ backtrace in the message: it is cut off.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    };
    crate::error::short_torch_message(&text)
}

/// Errors are not Clone (they may hold io errors); a finished job keeps its own copy.
fn clone_error(e: &Error) -> Error {
    match e {
        Error::InvalidSettings(p) => Error::InvalidSettings(p.clone()),
        Error::InvalidInput(m) => Error::InvalidInput(m.clone()),
        Error::Io { path, message } => Error::Io { path: path.clone(), message: message.clone() },
        Error::Cancelled => Error::Cancelled,
        Error::Torch(m) => Error::Torch(m.clone()),
        Error::Volume(e) => Error::InvalidInput(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_job_reports_events_and_its_result() {
        let mut job = Job::spawn("t", |ctx| {
            ctx.emit(Event::Message { text: "hello".into() });
            Ok(serde_json::json!({"answer": 42}))
        })
        .unwrap();
        assert_eq!(job.finish().unwrap()["answer"], 42);
        assert_eq!(job.poll(), vec![Event::Message { text: "hello".into() }]);
        assert!(job.poll().is_empty());
        assert!(job.is_done());
    }

    #[test]
    fn cancel_reaches_the_work_and_a_panic_becomes_an_error() {
        let mut job = Job::spawn("t", |ctx| loop {
            ctx.check_cancelled()?;
            std::thread::sleep(Duration::from_millis(5));
        })
        .unwrap();
        job.cancel();
        assert!(matches!(job.finish(), Err(Error::Cancelled)));
        let mut job = Job::spawn("t", |_| panic!("exploded {}", 7)).unwrap();
        assert!(job.finish().unwrap_err().to_string().contains("exploded 7"));
    }
}
