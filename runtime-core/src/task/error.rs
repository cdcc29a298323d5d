//! `JoinError`: why a task produced no output (it was cancelled or it
//! panicked).

use super::Id;
use crate::util::fmt::TaskLabel;
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// The task failed to run to completion: it was cancelled (aborted, or the
/// runtime shut down) or it panicked.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let task = runtime_core::spawn(async { panic!("boom") });
///     let err: runtime_core::task::JoinError = task.await.unwrap_err();
///     assert!(err.is_panic());
///     assert!(err.to_string().ends_with("panicked with message \"boom\""));
/// });
/// ```
pub struct JoinError {
    id: Id,
    /// `None`: an unnamed task that was cancelled (the common failure,
    /// with no allocation). Boxed so that `JoinError` is two words: it
    /// sits in every task's stage, and panics and names are rare.
    detail: Option<Box<Detail>>,
}

struct Detail {
    /// `None`: the task was cancelled.
    panic: Option<PanicPayload>,
    /// The task's name (`task::Builder::name`), for the messages.
    name: Option<Arc<str>>,
}

/// A panic payload that can only be reached by value or through `&mut`,
/// which makes sharing `&JoinError` between threads sound although the
/// payload itself is not `Sync`.
struct PanicPayload(Box<dyn Any + Send + 'static>);

// SAFETY: no `&self` method of `PanicPayload` exposes the payload; it is
// only moved out (`into_panic`) or read through `&mut` on one thread.
unsafe impl Sync for PanicPayload {}

impl JoinError {
    pub(crate) fn cancelled(id: Id) -> JoinError {
        JoinError { id, detail: None }
    }

    pub(crate) fn panic(id: Id, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            id,
            detail: Some(Box::new(Detail {
                panic: Some(PanicPayload(payload)),
                name: None,
            })),
        }
    }

    /// The same error, naming the task `name` (when `Some`) in its messages.
    pub(crate) fn named(mut self, name: Option<Arc<str>>) -> JoinError {
        if name.is_some() {
            match &mut self.detail {
                Some(detail) => detail.name = name,
                None => self.detail = Some(Box::new(Detail { panic: None, name })),
            }
        }
        self
    }

    fn name(&self) -> Option<&str> {
        self.detail.as_ref().and_then(|d| d.name.as_deref())
    }

    fn payload(&self) -> Option<&PanicPayload> {
        self.detail.as_ref().and_then(|d| d.panic.as_ref())
    }

    /// The task was cancelled (aborted, or its runtime shut down).
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let task = runtime_core::spawn(std::future::pending::<()>());
    ///     task.abort();
    ///     let err = task.await.unwrap_err();
    ///     assert!(err.is_cancelled() && !err.is_panic());
    /// });
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.payload().is_none()
    }

    /// The task panicked.
    pub fn is_panic(&self) -> bool {
        self.payload().is_some()
    }

    /// The panic payload, to re-raise with `std::panic::resume_unwind`.
    ///
    /// # Panics
    /// When the task was cancelled rather than panicking.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let err = rt.block_on(rt.spawn(async { panic!("boom") })).unwrap_err();
    /// let payload = err.into_panic();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// // Or carry the panic on in this thread:
    /// // std::panic::resume_unwind(payload);
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic().expect(
            "JoinError::into_panic called on a cancelled task's error; check is_panic() first",
        )
    }

    /// The panic payload, or the error back when the task was cancelled.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let task = rt.spawn(std::future::pending::<()>());
    /// task.abort();
    /// let err = rt.block_on(task).unwrap_err();
    /// // Not a panic: the error comes back.
    /// let err = err.try_into_panic().unwrap_err();
    /// assert!(err.is_cancelled());
    /// ```
    pub fn try_into_panic(mut self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.detail.as_mut().and_then(|d| d.panic.take()) {
            Some(p) => Ok(p.0),
            None => Err(self),
        }
    }

    /// The id of the task that failed.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let task = rt.spawn(std::future::pending::<()>());
    /// let id = task.id();
    /// task.abort();
    /// assert_eq!(rt.block_on(task).unwrap_err().id(), id);
    /// ```
    pub fn id(&self) -> Id {
        self.id
    }

    #[cfg(all(test, not(loom)))]
    fn panic_message(&mut self) -> Option<String> {
        let p = self.detail.as_mut()?.panic.as_mut()?;
        let payload: &mut (dyn Any + Send) = &mut *p.0;
        if let Some(s) = payload.downcast_mut::<&'static str>() {
            Some((*s).to_string())
        } else {
            payload.downcast_mut::<String>().map(|s| s.clone())
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let task = TaskLabel(self.id.as_u64(), self.name());
        match self.payload() {
            None => write!(f, "{task} was cancelled"),
            Some(p) => {
                let payload: &(dyn Any + Send) = &*p.0;
                // Reading `&str`/`String` through a shared reference: these
                // payload types are `Sync`, so this is fine across threads.
                if let Some(s) = payload.downcast_ref::<&'static str>() {
                    write!(f, "{task} panicked with message {s:?}")
                } else if let Some(s) = payload.downcast_ref::<String>() {
                    write!(f, "{task} panicked with message {s:?}")
                } else {
                    write!(f, "{task} panicked")
                }
            }
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_panic() {
            "Panic"
        } else {
            "Cancelled"
        };
        write!(f, "JoinError::{kind}({:?}", self.id)?;
        if let Some(name) = self.name() {
            write!(f, ", {name:?}")?;
        }
        if self.is_panic() {
            write!(f, ", {self}")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(err: JoinError) -> std::io::Error {
        std::io::Error::other(err.to_string())
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<JoinError>();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_task_and_the_message() {
        let id = Id::next();
        let err = JoinError::panic(id, Box::new("boom"));
        assert_eq!(
            err.to_string(),
            format!("task {id} panicked with message \"boom\"")
        );
        let mut err = JoinError::panic(id, Box::new(String::from("bang")));
        assert_eq!(err.panic_message().as_deref(), Some("bang"));
        assert_eq!(
            JoinError::cancelled(id).to_string(),
            format!("task {id} was cancelled")
        );
    }

    #[test]
    fn a_named_task_is_named_in_the_messages() {
        let id = Id::next();
        let name = Some(Arc::<str>::from("worker"));
        let err = JoinError::cancelled(id).named(name.clone());
        assert!(err.is_cancelled() && !err.is_panic());
        assert_eq!(
            err.to_string(),
            format!("task {id} \"worker\" was cancelled")
        );
        assert_eq!(
            format!("{err:?}"),
            format!("JoinError::Cancelled({id:?}, \"worker\")")
        );
        let err = JoinError::panic(id, Box::new("boom")).named(name);
        assert!(err.is_panic());
        assert_eq!(
            err.to_string(),
            format!("task {id} \"worker\" panicked with message \"boom\"")
        );
        let payload = err.into_panic();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
        // No name: no allocation, and the same two words.
        assert_eq!(std::mem::size_of::<JoinError>(), 16);
        assert!(JoinError::cancelled(id).named(None).detail.is_none());
    }
}
