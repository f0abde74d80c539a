//! The server's settings, and the command line that sets them.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::duration::parse_duration;
use crate::log::Log;

/// The command line's help text.
pub const USAGE: &str = "\
Usage: request-service [OPTIONS]

Serves on 127.0.0.1 in one of two roles, each a process of its own:

  profile          GET /profile: each request fans out to a slow database (in
                   this process) and the recommendation service (another
                   process, over HTTP) under one context, with the request's
                   deadline, user, token and trace
  recommendations  GET /recommendations: the RPC backend the profile service
                   calls; with --rpc, it passes each request on to the next
                   hop instead of answering it itself

Options:
  --role R          profile (default) or recommendations
  --port N          port to listen on; 0 picks a free one (default 8080, or 8081
                    for recommendations)
  --rpc ADDR        the recommendation service to call, a port or a loopback
                    address (default 127.0.0.1:8081 for profile, none for
                    recommendations)
  --timeout D       deadline of a request without X-Timeout (default 2s)
  --max-timeout D   longest deadline a client may ask for with X-Timeout (default 30s)
  --grace D         how long shutdown waits before canceling requests (default 5s)
  --quiet           no log lines on standard error
  -h, --help        this text

Durations are written like 250ms, 2s or 1.5s. Ctrl-C (SIGINT) or SIGTERM
shuts down gracefully; a second one cancels the requests still running.";

/// How the server runs: its role, its port, the recommendation service it
/// calls, the deadlines it gives requests, how long shutdown waits, and where
/// it logs.
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
    /// Which service this server is.
    pub role: Role,
    /// The port on 127.0.0.1; 0 lets the system pick a free one
    /// ([`Server::addr`](crate::Server::addr) tells which).
    pub port: u16,
    /// The recommendation service this server calls: for the profile
    /// service, the RPC backend of every profile request; for the
    /// recommendation service, the next hop it passes requests on to, or
    /// `None` to answer them itself. A profile service without one answers
    /// every profile request `502 Bad Gateway`.
    pub rpc: Option<SocketAddr>,
    /// The deadline of a request that sends no `X-Timeout` header: this
    /// server's own limit, which a caller's `grpc-timeout` can only shorten.
    pub default_timeout: Duration,
    /// The longest deadline a client may ask for with `X-Timeout`; longer
    /// ones are cut to it.
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
    /// The profile service on port 8080, calling the recommendation service
    /// on 127.0.0.1:8081, with 2 s deadlines (at most 30 s), a 5 s grace
    /// period, 5 s to send a head, and the log on standard error.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(request_service::Config::default().port, 8080);
    /// ```
    fn default() -> Config {
        Config {
            role: Role::Profile,
            port: 8080,
            rpc: Some(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 8081)),
            default_timeout: Duration::from_secs(2),
            max_timeout: Duration::from_secs(30),
            grace: Duration::from_secs(5),
            header_timeout: Duration::from_secs(5),
            log: Log::stderr(),
        }
    }
}

/// Which of the two services a server is.
///
/// # Examples
///
/// ```
/// use request_service::{Config, Role};
///
/// let args = ["--role", "recommendations"].map(String::from);
/// let config = Config::from_args(args).unwrap();
/// assert_eq!(config.role, Role::Recommendations);
/// assert_eq!(config.port, 8081);
/// assert_eq!(config.rpc, None);
/// assert_eq!(Role::Profile.to_string(), "profile");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The request service of the articles' scene: `GET /profile` asks the
    /// database and the recommendation service at once.
    Profile,
    /// The RPC backend: `GET /recommendations`.
    Recommendations,
}

impl fmt::Display for Role {
    /// `profile` or `recommendations`, as `--role` takes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Profile => "profile",
            Role::Recommendations => "recommendations",
        })
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
        let (mut port, mut rpc) = (None, None);
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .ok_or_else(|| ArgsError::Invalid(format!("{arg} needs a value")))
            };
            match arg.as_str() {
                "-h" | "--help" => return Err(ArgsError::Help),
                "--quiet" => config.log = Log::off(),
                "--role" => {
                    config.role = match value()?.as_str() {
                        "profile" => Role::Profile,
                        "recommendations" => Role::Recommendations,
                        other => {
                            return Err(ArgsError::Invalid(format!(
                                "--role {other:?}: expected profile or recommendations"
                            )));
                        }
                    }
                }
                "--port" => {
                    let text = value()?;
                    port =
                        Some(text.parse().map_err(|_| {
                            ArgsError::Invalid(format!("--port {text:?}: not a port"))
                        })?);
                }
                "--rpc" => rpc = Some(loopback(&value()?)?),
                "--timeout" => config.default_timeout = duration(&arg, value()?)?,
                "--max-timeout" => config.max_timeout = duration(&arg, value()?)?,
                "--grace" => config.grace = duration(&arg, value()?)?,
                _ => return Err(ArgsError::Invalid(format!("unknown option {arg:?}"))),
            }
        }
        // The role decides the defaults of the two options it changes.
        let (default_port, default_rpc) = match config.role {
            Role::Profile => (config.port, config.rpc),
            Role::Recommendations => (8081, None),
        };
        config.port = port.unwrap_or(default_port);
        config.rpc = rpc.or(default_rpc);
        Ok(config)
    }
}

/// A loopback address from `8081`, `127.0.0.1:8081`, `[::1]:8081` or
/// `localhost:8081`: this service talks to nothing but its own machine.
fn loopback(text: &str) -> Result<SocketAddr, ArgsError> {
    let invalid = |why: &str| ArgsError::Invalid(format!("--rpc {text:?}: {why}"));
    let addr = if let Ok(port) = text.parse::<u16>() {
        SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port)
    } else if let Some(port) = text.strip_prefix("localhost:") {
        let port = port.parse().map_err(|_| invalid("not a port"))?;
        SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port)
    } else {
        text.parse()
            .map_err(|_| invalid("not a port or an address like 127.0.0.1:8081"))?
    };
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => Ok(addr),
        IpAddr::V6(ip) if ip.is_loopback() => Ok(addr),
        _ => Err(invalid("only loopback addresses (127.0.0.0/8, ::1)")),
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
        assert_eq!(config.role, Role::Profile);
        assert_eq!(config.port, 8080);
        assert_eq!(config.rpc, Some("127.0.0.1:8081".parse().unwrap()));
        assert_eq!(config.default_timeout, Duration::from_secs(2));
    }

    #[test]
    fn the_role_sets_the_defaults_the_options_override() {
        let backend = parse(&["--role", "recommendations"]).unwrap();
        assert_eq!((backend.port, backend.rpc), (8081, None));
        let middle = parse(&[
            "--rpc",
            "9002",
            "--role",
            "recommendations",
            "--port",
            "9001",
        ])
        .unwrap();
        assert_eq!(middle.port, 9001);
        assert_eq!(middle.rpc, Some("127.0.0.1:9002".parse().unwrap()));
    }

    #[test]
    fn the_rpc_address_is_loopback_only() {
        for (text, expected) in [
            ("8081", "127.0.0.1:8081"),
            ("localhost:8082", "127.0.0.1:8082"),
            ("127.0.0.2:80", "127.0.0.2:80"),
            ("[::1]:8081", "[::1]:8081"),
        ] {
            let config = parse(&["--rpc", text]).unwrap();
            assert_eq!(config.rpc, Some(expected.parse().unwrap()), "{text}");
        }
        for text in [
            "10.0.0.1:80",
            "[2001:db8::1]:80",
            "example.com:80",
            "localhost:http",
            "",
        ] {
            assert!(parse(&["--rpc", text]).is_err(), "{text}");
        }
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
        assert_eq!(
            invalid(&["--role", "db"]),
            "--role \"db\": expected profile or recommendations"
        );
        assert_eq!(
            invalid(&["--rpc", "10.1.2.3:80"]),
            "--rpc \"10.1.2.3:80\": only loopback addresses (127.0.0.0/8, ::1)"
        );
        assert_eq!(parse(&["--port", "1", "-h"]).unwrap_err(), ArgsError::Help);
    }
}
