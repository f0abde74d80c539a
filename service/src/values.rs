//! The request-scoped values every thread of a request reads from its
//! context: who the user is, the token that proves it, and the trace id.
//!
//! Each value has its own type and its own `static` key, so a lookup can only
//! find a value of the key's type, and no other module can collide with these
//! keys (Go's advice to define your own key type, enforced by the compiler).

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use go_context::Key;

/// The key of the end user's identity, from the `X-User` header.
///
/// # Examples
///
/// ```
/// use request_service::{USER, User};
///
/// let ctx = go_context::with_value(&go_context::background(), &USER, User::new("alice"));
/// assert_eq!(ctx.value(&USER).unwrap().as_str(), "alice");
/// ```
pub static USER: Key<User> = Key::new("user");

/// The key of the caller's bearer token, from `Authorization: Bearer <token>`.
///
/// # Examples
///
/// ```
/// use request_service::{TOKEN, Token};
///
/// let ctx = go_context::with_value(&go_context::background(), &TOKEN, Token::new("s3cret"));
/// assert_eq!(ctx.value(&TOKEN).unwrap().secret(), "s3cret");
/// assert_eq!(ctx.to_string(), "context.Background.WithValue(token, Token(***))");
/// ```
pub static TOKEN: Key<Token> = Key::new("token");

/// The key of the request's trace id, from `X-Trace-Id` or generated.
///
/// # Examples
///
/// ```
/// use request_service::{TRACE_ID, TraceId};
///
/// let trace = TraceId::parse("req-42").unwrap();
/// let ctx = go_context::with_value(&go_context::background(), &TRACE_ID, trace);
/// assert_eq!(ctx.value(&TRACE_ID).unwrap().as_str(), "req-42");
/// ```
pub static TRACE_ID: Key<TraceId> = Key::new("trace_id");

/// Who the request is for.
///
/// # Examples
///
/// ```
/// let user = request_service::User::new("alice");
/// assert_eq!(user.to_string(), "alice");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User(String);

impl User {
    /// A user with this name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(request_service::User::new("bob").as_str(), "bob");
    /// ```
    pub fn new(name: impl Into<String>) -> User {
        User(name.into())
    }

    /// The user's name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(request_service::User::new("bob").as_str(), "bob");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A bearer token: a secret, so its `Debug` form (which a context's
/// `Display` and the log use) never shows it.
///
/// # Examples
///
/// ```
/// let token = request_service::Token::new("s3cret");
/// assert_eq!(format!("{token:?}"), "Token(***)");
/// assert_eq!(token.secret(), "s3cret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token with this secret.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = request_service::Token::new("s3cret");
    /// # let _ = token;
    /// ```
    pub fn new(secret: impl Into<String>) -> Token {
        Token(secret.into())
    }

    /// The secret itself, for the backend that checks it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(request_service::Token::new("s3cret").secret(), "s3cret");
    /// ```
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// The id that ties together every log line and response of one request.
///
/// # Examples
///
/// ```
/// use request_service::TraceId;
///
/// assert_eq!(TraceId::parse("checkout-7").unwrap().to_string(), "checkout-7");
/// assert!(TraceId::parse("no spaces").is_none());
/// assert_eq!(TraceId::generate().as_str().len(), 16);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceId(String);

impl TraceId {
    /// The longest trace id a client may send.
    pub const MAX_LEN: usize = 64;

    /// Accepts a client's trace id: 1 to [`MAX_LEN`](TraceId::MAX_LEN) ASCII
    /// letters, digits, `-` or `_` (so it is safe in a header and a log
    /// line); `None` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::TraceId;
    ///
    /// assert!(TraceId::parse("abc-123_x").is_some());
    /// assert!(TraceId::parse("").is_none());
    /// assert!(TraceId::parse("a\r\nSet-Cookie: x").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<TraceId> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let ok = (1..=Self::MAX_LEN).contains(&text.len()) && text.chars().all(allowed);
        ok.then(|| TraceId(text.to_owned()))
    }

    /// A fresh trace id: 16 random-looking hex digits, which repeat only as
    /// often as a 64-bit hash collides.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::TraceId;
    ///
    /// assert_ne!(TraceId::generate(), TraceId::generate());
    /// ```
    pub fn generate() -> TraceId {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        // std's randomly keyed hasher over a counter: no two inputs are the
        // same, and the keys differ between processes.
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(NEXT.fetch_add(1, Ordering::Relaxed));
        TraceId(format!("{:016x}", hasher.finish()))
    }

    /// The id as text.
    ///
    /// # Examples
    ///
    /// ```
    /// let trace = request_service::TraceId::parse("t1").unwrap();
    /// assert_eq!(trace.as_str(), "t1");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
