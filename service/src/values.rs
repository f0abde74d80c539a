//! The request-scoped values every thread of a request reads from its
//! context: who the user is, and the token that proves it. (The third, the
//! trace, comes with its header, in [`propagation`](crate::propagation).)
//!
//! Each value has its own type and its own `static` key, so a lookup can only
//! find a value of the key's type, and no other module can collide with these
//! keys (Go's advice to define your own key type, enforced by the compiler).

use std::fmt;

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
