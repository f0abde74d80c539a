//! `cargo run -p request-service -- --port 8080`: serves until Ctrl-C or
//! `POST /shutdown`, then drains and exits.

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
    // The first Ctrl-C shuts down gracefully; a second cancels what is left.
    let on_ctrl_c = server.clone();
    let mut pressed = false;
    let handler = ctrlc::set_handler(move || {
        if pressed {
            eprintln!("Ctrl-C again: canceling the requests in flight");
            on_ctrl_c.shutdown_now();
        } else {
            eprintln!("Ctrl-C: shutting down (press again to cancel the requests in flight)");
            on_ctrl_c.shutdown();
            pressed = true;
        }
    });
    if let Err(err) = handler {
        eprintln!("request-service: Ctrl-C will not shut down gracefully: {err}");
    }
    // On standard output, for scripts that start it with --port 0; printed
    // once Ctrl-C is handled, so that whoever reads it may press it.
    println!("listening on http://{}", server.addr());
    server.wait();
    ExitCode::SUCCESS
}
