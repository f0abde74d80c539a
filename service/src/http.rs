//! Just enough HTTP/1.1: read one request's head (parsed by `httparse`),
//! write one plain-text response, then close the connection.

use std::fmt;
use std::io::{self, Read, Write};

/// The most a request's head (request line and headers) may take.
const MAX_HEAD: usize = 16 * 1024;
/// The most headers a request may have.
const MAX_HEADERS: usize = 32;
/// The largest body read (and thrown away: no endpoint takes one).
const MAX_BODY: u64 = 64 * 1024;

/// A parsed request: method, path, query parameters and headers.
#[derive(Debug)]
pub(crate) struct Request {
    method: String,
    target: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The connection closed (or failed) before a whole head arrived: there
    /// is nobody to answer.
    Closed,
    /// The head did not arrive within the read timeout.
    TimedOut,
    /// The head is not HTTP/1.1.
    Malformed(String),
    /// The head or the body is larger than the server accepts.
    TooLarge,
}

impl ReadError {
    /// The status to answer with.
    pub(crate) fn status(&self) -> u16 {
        match self {
            ReadError::Closed | ReadError::Malformed(_) => 400,
            ReadError::TimedOut => 408,
            ReadError::TooLarge => 413,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Closed => f.write_str("connection closed before a whole request arrived"),
            ReadError::TimedOut => f.write_str("the request did not arrive in time"),
            ReadError::Malformed(why) => write!(f, "malformed request: {why}"),
            ReadError::TooLarge => f.write_str("request too large"),
        }
    }
}

/// Reads one request from `stream`: its head, then its body if it has one
/// (which is discarded). Bytes after that are left unread.
pub(crate) fn read_request(stream: &mut impl Read) -> Result<Request, ReadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(ReadError::Closed),
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) if is_timeout(&err) => return Err(ReadError::TimedOut),
            Err(_) => return Err(ReadError::Closed),
        };
        buf.extend_from_slice(&chunk[..n]);

        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut head = httparse::Request::new(&mut headers);
        match head.parse(&buf) {
            Ok(httparse::Status::Complete(head_len)) => {
                let request = Request::from_head(&head)?;
                let body_len = request.content_length()?;
                let body_read = (buf.len() - head_len) as u64;
                discard(stream, body_len.saturating_sub(body_read))?;
                return Ok(request);
            }
            Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD => {
                return Err(ReadError::TooLarge);
            }
            Ok(httparse::Status::Partial) => {}
            Err(err) => return Err(ReadError::Malformed(err.to_string())),
        }
    }
}

fn discard(stream: &mut impl Read, len: u64) -> Result<(), ReadError> {
    match io::copy(&mut stream.take(len), &mut io::sink()) {
        Ok(copied) if copied == len => Ok(()),
        Ok(_) => Err(ReadError::Closed),
        Err(err) if is_timeout(&err) => Err(ReadError::TimedOut),
        Err(_) => Err(ReadError::Closed),
    }
}

/// A read timeout shows up as either kind, depending on the platform.
fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl Request {
    fn from_head(head: &httparse::Request<'_, '_>) -> Result<Request, ReadError> {
        let malformed = |what: &str| ReadError::Malformed(what.to_owned());
        let method = head.method.ok_or_else(|| malformed("no method"))?;
        let target = head.path.ok_or_else(|| malformed("no path"))?;
        let mut headers = Vec::with_capacity(head.headers.len());
        for header in head.headers.iter() {
            let value = std::str::from_utf8(header.value)
                .map_err(|_| malformed("a header value is not UTF-8"))?;
            headers.push((header.name.to_owned(), value.trim().to_owned()));
        }
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
        Ok(Request {
            method: method.to_owned(),
            target: target.to_owned(),
            path: path.to_owned(),
            query,
            headers,
        })
    }

    fn content_length(&self) -> Result<u64, ReadError> {
        if self.header("transfer-encoding").is_some() {
            return Err(ReadError::Malformed(
                "Transfer-Encoding is not supported; send Content-Length".to_owned(),
            ));
        }
        let Some(value) = self.header("content-length") else {
            return Ok(0);
        };
        let len: u64 = value
            .parse()
            .map_err(|_| ReadError::Malformed(format!("Content-Length {value:?}")))?;
        if len > MAX_BODY {
            return Err(ReadError::TooLarge);
        }
        Ok(len)
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

    /// Writes the response in one piece.
    pub(crate) fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(256 + self.body.len());
        write!(
            bytes,
            "HTTP/1.1 {} {}\r\n",
            self.status,
            reason(self.status)
        )?;
        for (name, value) in &self.headers {
            write!(bytes, "{name}: {value}\r\n")?;
        }
        write!(
            bytes,
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        )?;
        bytes.extend_from_slice(self.body.as_bytes());
        out.write_all(&bytes)?;
        out.flush()
    }
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

    fn read(raw: &str) -> Result<Request, ReadError> {
        read_request(&mut raw.as_bytes())
    }

    #[test]
    fn reads_method_path_query_and_headers() {
        let request =
            read("GET /profile?db_ms=10&rpc=fail&flag HTTP/1.1\r\nX-User: alice\r\n\r\n").unwrap();
        assert_eq!(request.method(), "GET");
        assert_eq!(request.target(), "/profile?db_ms=10&rpc=fail&flag");
        assert_eq!(request.path(), "/profile");
        assert_eq!(request.query("db_ms"), Some("10"));
        assert_eq!(request.query("rpc"), Some("fail"));
        assert_eq!(request.query("flag"), Some(""));
        assert_eq!(request.query("rpc_ms"), None);
        assert_eq!(request.header("x-user"), Some("alice"));
    }

    #[test]
    fn reads_a_head_that_arrives_in_pieces() {
        // A reader that hands out one byte at a time.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        let mut trickle = Trickle(b"POST /shutdown HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        let request = read_request(&mut trickle).unwrap();
        assert_eq!(request.method(), "POST");
        assert!(trickle.0.is_empty(), "the body is consumed");
    }

    #[test]
    fn refuses_what_it_cannot_serve() {
        assert!(matches!(read("GET / HTTP/1.1\r\n"), Err(ReadError::Closed)));
        assert!(matches!(
            read("NOT HTTP\r\n\r\n"),
            Err(ReadError::Malformed(_))
        ));
        let chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(matches!(read(chunked), Err(ReadError::Malformed(_))));
        let huge = "POST / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n";
        assert!(matches!(read(huge), Err(ReadError::TooLarge)));
        let endless = format!("GET / HTTP/1.1\r\nX-Big: {}", "a".repeat(MAX_HEAD));
        assert!(matches!(read(&endless), Err(ReadError::TooLarge)));
    }

    #[test]
    fn writes_status_headers_and_body() {
        let mut out = Vec::new();
        Response::new(504, "late\n".to_owned())
            .with_header("X-Trace-Id", "t1")
            .write_to(&mut out)
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HTTP/1.1 504 Gateway Timeout\r\nX-Trace-Id: t1\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\
             Connection: close\r\n\r\nlate\n"
        );
    }
}
