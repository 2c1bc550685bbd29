//! The `perfgate` binary's commands.

pub mod route;

use clap::Parser as _;

/// The command line.
#[derive(Debug, clap::Parser)]
#[command(name = "perfgate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Run the routing workload on a generated DAG and print its statistics.
    Route(route::RouteArgs),
}

/// Runs the CLI and returns the process exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { 2 } else { 0 };
        }
    };
    let outcome = match &cli.command {
        Command::Route(args) => route::run(args),
    };
    outcome.unwrap_or_else(|err| {
        eprintln!("error: {err:#}");
        2
    })
}
