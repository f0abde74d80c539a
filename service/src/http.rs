//! The edge between hyper's types and the handler's: a request's method,
//! path, query and headers as plain strings; a plain-text response; the
//! limits on what a client may send.
//!
//! hyper parses the head (answering a malformed one with `400 Bad Request`
//! and one too large with `431 Request Header Fields Too Large` on its own);
//! this module turns what it parsed into a [`Request`] the handler can read,
//! reads and discards the body within [`MAX_BODY`], and turns a [`Response`]
//! back into hyper's.

use std::fmt;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::ext::ReasonPhrase;
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::http::request::Parts;

/// The most a request's head (request line and headers) may take; hyper
/// answers a larger one with `431`.
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// The most headers a request may have; hyper answers more with `431`.
pub(crate) const MAX_HEADERS: usize = 32;
/// The largest body read (and thrown away: no endpoint takes one).
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// A request's head: method, path, query parameters and headers.
#[derive(Debug)]
pub(crate) struct Request {
    method: String,
    target: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

/// Why a request's body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// `Content-Length` or the bytes sent exceed [`MAX_BODY`].
    TooLarge,
    /// The body broke off: the client went away, or sent bad chunks.
    Broken(String),
}

impl BodyError {
    /// The status to answer with.
    pub(crate) fn status(&self) -> u16 {
        match self {
            BodyError::TooLarge => 413,
            BodyError::Broken(_) => 400,
        }
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::TooLarge => write!(f, "request body larger than {MAX_BODY} bytes"),
            BodyError::Broken(why) => write!(f, "request body: {why}"),
        }
    }
}

impl Request {
    /// The handler's view of the head hyper parsed. A header value that is
    /// not UTF-8 is treated as absent.
    pub(crate) fn from_parts(parts: &Parts) -> Request {
        let target = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
        let headers = parts
            .headers
            .iter()
            .filter_map(|(name, value)| {
                let value = value.to_str().ok()?;
                Some((name.as_str().to_owned(), value.trim().to_owned()))
            })
            .collect();
        Request::new(parts.method.as_str(), &target, headers)
    }

    fn new(method: &str, target: &str, headers: Vec<(String, String)>) -> Request {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        // Values are taken as written, without percent-decoding: this
        // service's parameters are numbers and plain words.
        let query = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (name.to_owned(), value.to_owned())
            })
            .collect();
        Request {
            method: method.to_owned(),
            target: target.to_owned(),
            path: path.to_owned(),
            query,
            headers,
        }
    }

    /// `GET`, `POST`, ...
    pub(crate) fn method(&self) -> &str {
        &self.method
    }

    /// The path and query as sent: `/profile?db_ms=10`.
    pub(crate) fn target(&self) -> &str {
        &self.target
    }

    /// The path without the query: `/profile`.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// The query as sent, without the `?`: `db_ms=10&rpc=fail`.
    pub(crate) fn query_string(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, query)| query)
    }

    /// The first value of query parameter `name`.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The first header called `name`, whatever its case.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Reads and discards a request's body, refusing one larger than
/// [`MAX_BODY`] (before reading it, if `Content-Length` says so).
pub(crate) async fn discard_body(parts: &Parts, body: Incoming) -> Result<(), BodyError> {
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|len| len.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY as u64) {
        return Err(BodyError::TooLarge);
    }
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(_) => Ok(()),
        Err(err) if err.is::<LengthLimitError>() => Err(BodyError::TooLarge),
        Err(err) => Err(BodyError::Broken(err.to_string())),
    }
}

/// A plain-text response; the connection closes after it.
#[derive(Debug)]
pub(crate) struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Response {
    pub(crate) fn new(status: u16, body: String) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) fn status(&self) -> u16 {
        self.status
    }

    /// hyper's response: the status with this service's reason phrase
    /// (`499 Client Closed Request` is not in the standard), the headers,
    /// and the body as plain text. One request per connection, so
    /// `Connection: close`.
    pub(crate) fn into_hyper(self) -> hyper::Response<Full<Bytes>> {
        let mut response = hyper::Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = hyper::StatusCode::from_u16(self.status)
            .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
        response
            .extensions_mut()
            .insert(ReasonPhrase::from_static(reason(self.status).as_bytes()));
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.append(name, value);
            }
        }
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
        response
    }
}

/// The value of line `name: value` in a plain-text body, as this service
/// writes its replies.
pub(crate) fn field<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
}

/// The reason phrase of each status this service sends.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        // Not in the HTTP standard: nginx's code for a client that hung up.
        499 => "Client Closed Request",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(request: hyper::Request<()>) -> Parts {
        request.into_parts().0
    }

    #[test]
    fn reads_method_path_query_and_headers() {
        let head = parts(
            hyper::Request::get("/profile?db_ms=10&rpc=fail&flag")
                .header("X-User", " alice ")
                .body(())
                .unwrap(),
        );
        let request = Request::from_parts(&head);
        assert_eq!(request.method(), "GET");
        assert_eq!(request.target(), "/profile?db_ms=10&rpc=fail&flag");
        assert_eq!(request.path(), "/profile");
        assert_eq!(request.query("db_ms"), Some("10"));
        assert_eq!(request.query("rpc"), Some("fail"));
        assert_eq!(request.query("flag"), Some(""));
        assert_eq!(request.query("rpc_ms"), None);
        assert_eq!(request.query_string(), "db_ms=10&rpc=fail&flag");
        assert_eq!(request.header("x-user"), Some("alice"));
    }

    #[test]
    fn a_header_that_is_not_utf8_is_absent() {
        let head = parts(
            hyper::Request::get("/")
                .header("X-User", HeaderValue::from_bytes(b"caf\xe9").unwrap())
                .body(())
                .unwrap(),
        );
        assert_eq!(Request::from_parts(&head).header("x-user"), None);
    }

    #[test]
    fn responses_carry_the_reason_the_type_and_close() {
        let response = Response::new(499, "gone\n".to_owned())
            .with_header("X-Trace-Id", "t1")
            .into_hyper();
        assert_eq!(response.status().as_u16(), 499);
        assert_eq!(
            response
                .extensions()
                .get::<ReasonPhrase>()
                .map(ReasonPhrase::as_bytes),
            Some(&b"Client Closed Request"[..])
        );
        assert_eq!(response.headers()["x-trace-id"], "t1");
        assert_eq!(response.headers()["connection"], "close");
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; charset=utf-8"
        );
    }

    #[test]
    fn a_field_is_read_from_its_line() {
        let body = "status: 200 OK\ntrace: t1\nrecommendations: 3 for alice\n";
        assert_eq!(field(body, "recommendations"), Some("3 for alice"));
        assert_eq!(field(body, "error"), None);
        assert_eq!(field(body, "trace:"), None);
    }

    #[test]
    fn a_header_value_that_cannot_be_sent_is_left_out() {
        let response = Response::new(200, String::new())
            .with_header("X-Bad", "a\r\nSet-Cookie: x")
            .into_hyper();
        assert!(response.headers().get("x-bad").is_none());
    }
}
