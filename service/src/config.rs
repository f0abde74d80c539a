//! The server's settings, and the command line that sets them.

use std::fmt;
use std::time::Duration;

use crate::duration::parse_duration;
use crate::log::Log;

/// The command line's help text.
pub const USAGE: &str = "\
Usage: request-service [OPTIONS]

Serves GET /profile on 127.0.0.1: each request fans out to a slow database
and an RPC backend under one context, with the request's deadline, user,
token and trace id.

Options:
  --port N          port to listen on; 0 picks a free one (default 8080)
  --timeout D       deadline of a request without X-Timeout (default 2s)
  --max-timeout D   longest deadline a client may ask for (default 30s)
  --grace D         how long shutdown waits before canceling requests (default 5s)
  --quiet           no log lines on standard error
  -h, --help        this text

Durations are written like 250ms, 2s or 1.5s.";

/// How the server runs: its port, the deadlines it gives requests, how long
/// shutdown waits, and where it logs.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use request_service::{Config, Log};
///
/// let config = Config {
///     port: 0, // any free port
///     default_timeout: Duration::from_millis(500),
///     log: Log::off(),
///     ..Config::default()
/// };
/// assert_eq!(config.grace, Duration::from_secs(5));
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// The port on 127.0.0.1; 0 lets the system pick a free one
    /// ([`Server::addr`](crate::Server::addr) tells which).
    pub port: u16,
    /// The deadline of a request that sends no `X-Timeout` header.
    pub default_timeout: Duration,
    /// The longest deadline a client may ask for; longer ones are cut to it.
    pub max_timeout: Duration,
    /// How long a shutdown lets running requests finish before it cancels
    /// them.
    pub grace: Duration,
    /// How long a client has to send a request's head once it has connected.
    pub header_timeout: Duration,
    /// Where the log lines go.
    pub log: Log,
}

impl Default for Config {
    /// Port 8080, 2 s deadlines (at most 30 s), a 5 s grace period, 5 s to
    /// send a head, and the log on standard error.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(request_service::Config::default().port, 8080);
    /// ```
    fn default() -> Config {
        Config {
            port: 8080,
            default_timeout: Duration::from_secs(2),
            max_timeout: Duration::from_secs(30),
            grace: Duration::from_secs(5),
            header_timeout: Duration::from_secs(5),
            log: Log::stderr(),
        }
    }
}

/// Why the command line gave no configuration.
///
/// # Examples
///
/// ```
/// use request_service::{ArgsError, Config};
///
/// let help = Config::from_args(["--help".to_owned()]).unwrap_err();
/// assert_eq!(help, ArgsError::Help);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    /// `-h` or `--help`: print [`USAGE`] and exit successfully.
    Help,
    /// The command line is wrong; the message says how.
    Invalid(String),
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgsError::Help => f.write_str("help requested"),
            ArgsError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ArgsError {}

impl Config {
    /// Reads the options described in [`USAGE`] (without the program name);
    /// what is not given keeps its [default](Config::default).
    ///
    /// # Errors
    ///
    /// [`ArgsError::Help`] for `-h` or `--help`; [`ArgsError::Invalid`] for an
    /// unknown option, a missing value or a value that does not parse.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use request_service::Config;
    ///
    /// let args = ["--port", "0", "--timeout", "250ms"].map(String::from);
    /// let config = Config::from_args(args).unwrap();
    /// assert_eq!(config.port, 0);
    /// assert_eq!(config.default_timeout, Duration::from_millis(250));
    /// assert!(Config::from_args(["--port".to_owned()]).is_err());
    /// ```
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Config, ArgsError> {
        let mut config = Config::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .ok_or_else(|| ArgsError::Invalid(format!("{arg} needs a value")))
            };
            match arg.as_str() {
                "-h" | "--help" => return Err(ArgsError::Help),
                "--quiet" => config.log = Log::off(),
                "--port" => {
                    let port = value()?;
                    config.port = port
                        .parse()
                        .map_err(|_| ArgsError::Invalid(format!("--port {port:?}: not a port")))?;
                }
                "--timeout" => config.default_timeout = duration(&arg, value()?)?,
                "--max-timeout" => config.max_timeout = duration(&arg, value()?)?,
                "--grace" => config.grace = duration(&arg, value()?)?,
                _ => return Err(ArgsError::Invalid(format!("unknown option {arg:?}"))),
            }
        }
        Ok(config)
    }
}

fn duration(option: &str, text: String) -> Result<Duration, ArgsError> {
    parse_duration(&text).ok_or_else(|| {
        ArgsError::Invalid(format!(
            "{option} {text:?}: not a duration like 250ms or 2s"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, ArgsError> {
        Config::from_args(args.iter().map(|arg| arg.to_string()))
    }

    #[test]
    fn every_option_sets_its_field() {
        let config = parse(&[
            "--port",
            "9000",
            "--timeout",
            "1s",
            "--max-timeout",
            "10s",
            "--grace",
            "0ms",
            "--quiet",
        ])
        .unwrap();
        assert_eq!(config.port, 9000);
        assert_eq!(config.default_timeout, Duration::from_secs(1));
        assert_eq!(config.max_timeout, Duration::from_secs(10));
        assert_eq!(config.grace, Duration::ZERO);
        assert_eq!(format!("{:?}", config.log), "Log(off)");
    }

    #[test]
    fn no_options_means_the_defaults() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.port, 8080);
        assert_eq!(config.default_timeout, Duration::from_secs(2));
    }

    #[test]
    fn mistakes_are_named() {
        let invalid = |args: &[&str]| match parse(args) {
            Err(ArgsError::Invalid(message)) => message,
            other => panic!("{args:?} gave {other:?}"),
        };
        assert_eq!(invalid(&["--port"]), "--port needs a value");
        assert_eq!(invalid(&["--port", "http"]), "--port \"http\": not a port");
        assert_eq!(
            invalid(&["--port", "70000"]),
            "--port \"70000\": not a port"
        );
        assert_eq!(
            invalid(&["--grace", "5"]),
            "--grace \"5\": not a duration like 250ms or 2s"
        );
        assert_eq!(invalid(&["--verbose"]), "unknown option \"--verbose\"");
        assert_eq!(parse(&["--port", "1", "-h"]).unwrap_err(), ArgsError::Help);
    }
}
