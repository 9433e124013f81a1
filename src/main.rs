use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use postlint::cli::{CheckArgs, Cli, ColorChoice, Command, Format};
use postlint::engine::LintOptions;
use postlint::report;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(args),
        Command::Rules => print(&report::rules::list()),
        Command::Explain { code } => explain(&code),
    };
    ExitCode::from(code)
}

fn check(args: CheckArgs) -> u8 {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build();
    let pool = match pool {
        Ok(pool) => pool,
        Err(error) => {
            eprintln!("postlint: cannot start worker threads: {error}");
            return 2;
        }
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let options = LintOptions {
        max_depth: args.max_depth,
        ..LintOptions::default()
    };
    let outcome = pool.install(|| postlint::check(&paths, options));
    for error in &outcome.input_errors {
        eprintln!("postlint: {error}");
    }
    let text = match args.format {
        Format::Json => report::json::render(&outcome.reports),
        Format::Human => report::human::render(&outcome.reports, &human_style(args.color)),
    };
    match print(&text) {
        0 => outcome.exit_code() as u8,
        failed => failed,
    }
}

fn human_style(choice: ColorChoice) -> report::human::Style {
    let terminal = std::io::stdout().is_terminal();
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let width = terminal
        .then(|| terminal_width().filter(|&w| w >= 40))
        .flatten()
        .unwrap_or(100);
    report::human::Style { color, width }
}

fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS").ok()?.parse().ok()
}

fn explain(code: &str) -> u8 {
    match report::rules::explain(code) {
        Ok(text) => print(&text),
        Err(message) => {
            eprintln!("postlint: {message}");
            2
        }
    }
}

/// Writes to stdout; a closed pipe (`postlint … | head`) is not an error worth a panic.
fn print(text: &str) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => 0,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(error) => {
            eprintln!("postlint: cannot write the report: {error}");
            2
        }
    }
}
