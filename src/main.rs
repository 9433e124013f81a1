use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use std::sync::Arc;

use postlint::baseline::Baseline;
use postlint::cli::{CheckArgs, Cli, ColorChoice, Command, ConfigArgs, Format};
use postlint::config::{CliRules, Config, ConfigRequest};
use postlint::engine::LintOptions;
use postlint::report;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(*args),
        Command::Rules(args) => rules(&args),
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
    let config = match load_config(&args.config, cli_rules(&args), args.site_index.clone()) {
        Ok(config) => Arc::new(config),
        Err(code) => return code,
    };
    if args.show_config {
        return print(&config.show());
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let options = LintOptions {
        max_depth: args.max_depth,
        now: args.now,
        ..LintOptions::default()
    };
    let baseline = match args.baseline.as_deref().map(Baseline::read).transpose() {
        Ok(baseline) => baseline,
        Err(message) => {
            eprintln!("postlint: {message}");
            return 2;
        }
    };
    let mut outcome = pool.install(|| postlint::check_with(&paths, config, options));
    for error in &outcome.input_errors {
        eprintln!("postlint: {error}");
    }
    if let Some(path) = &args.write_baseline {
        return write_baseline(path, &outcome);
    }
    if let Some(baseline) = baseline {
        let known = baseline.filter(&mut outcome.reports);
        if known > 0 {
            eprintln!("postlint: {known} findings are in the baseline and not reported");
        }
    }
    let text = match args.format {
        Format::Json => report::json::render(&outcome),
        Format::Human => report::human::render(&outcome, &human_style(args.color)),
    };
    match print(&text) {
        0 => outcome.exit_code() as u8,
        failed => failed,
    }
}

fn write_baseline(path: &std::path::Path, outcome: &postlint::CheckOutcome) -> u8 {
    let baseline = Baseline::of(&outcome.reports);
    if let Err(error) = baseline.write(path) {
        eprintln!("postlint: cannot write {}: {error}", path.display());
        return 2;
    }
    let count: usize = baseline.entries.iter().map(|e| e.count).sum();
    eprintln!("postlint: wrote {count} findings to {}", path.display());
    if outcome.input_errors.is_empty() {
        0
    } else {
        2
    }
}

fn cli_rules(args: &CheckArgs) -> CliRules {
    CliRules {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        severity: args.severity.clone(),
        timezone: args.timezone.clone(),
    }
}

/// Loads the config; a mistake in it is shown with its place in the file, and exits 2.
fn load_config(
    args: &ConfigArgs,
    cli: CliRules,
    site_index: Option<PathBuf>,
) -> Result<Config, u8> {
    let request = ConfigRequest {
        file: args.config.clone(),
        none: args.no_config,
        start_dir: std::env::current_dir().unwrap_or_default(),
        cli,
        site_index,
    };
    Config::load(&request).map_err(|error| {
        let report = miette::Report::new(error);
        eprintln!("{report:?}");
        2
    })
}

fn rules(args: &ConfigArgs) -> u8 {
    match load_config(args, CliRules::default(), None) {
        Ok(config) => print(&report::rules::list(&config)),
        Err(code) => code,
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
