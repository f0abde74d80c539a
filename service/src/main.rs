//! `cargo run -p request-service -- --role recommendations` and
//! `cargo run -p request-service`: the recommendation service on port 8081
//! and the profile service on port 8080, each serving until Ctrl-C, SIGTERM
//! or `POST /shutdown`, then draining and exiting.

use std::process::ExitCode;

use request_service::{ArgsError, Config, Server, USAGE};

fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(ArgsError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("request-service: {err}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let server = match Server::start(config) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("request-service: cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    // ANCHOR: signals
    // Ctrl-C (SIGINT) and SIGTERM, what systemd, Docker and Kubernetes send,
    // both shut down gracefully; a second one cancels what is left. (SIGHUP,
    // which the same handler receives, is a terminal that went away: the
    // same.)
    let on_signal = server.clone();
    let mut signaled = false;
    let handler = ctrlc::set_handler(move || {
        if signaled {
            eprintln!("SIGINT or SIGTERM again: canceling the requests in flight");
            on_signal.shutdown_now();
        } else {
            eprintln!(
                "SIGINT or SIGTERM: shutting down (a second one cancels the requests in flight)"
            );
            on_signal.shutdown();
            signaled = true;
        }
    });
    // ANCHOR_END: signals
    if let Err(err) = handler {
        eprintln!("request-service: Ctrl-C and SIGTERM will not shut down gracefully: {err}");
    }
    // On standard output, for scripts that start it with --port 0; printed
    // once the signals are handled, so that whoever reads it may send one.
    println!("listening on http://{}", server.addr());
    server.wait();
    ExitCode::SUCCESS
}
