use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use postlint::baseline::Baseline;
use postlint::cli::{
    CheckArgs, Cli, ColorChoice, Command, ConfigArgs, MergeArgs, ReportTarget, RuleArgs,
};
use postlint::config::{CliRules, Config, ConfigRequest};
use postlint::engine::Linter;
use postlint::fix::{self, FixOptions};
use postlint::input::Input;
use postlint::report;
use postlint::report::formats::{self, Emitter, Look};
use postlint::run::check::Sources;
use postlint::server::watch::{self, Watch};
use postlint::wordpress::marks::Marks;
use postlint::wordpress::single::post_address;

/// A line to standard error. `eprintln!` panics when standard error is a closed pipe
/// (`postlint check … 2>&1 | head`), which would turn exit code 2 into a panic's 101; a
/// message that cannot be written is dropped instead.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod app;

use app::options::{run_options, site_requests};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) if args.watch => check_and_watch(*args),
        Command::Check(args) => {
            // A one-off run's large blocks go back at once; the server and `--watch` lint the
            // same files again and again, and keep theirs for the next lint.
            postlint::memory::give_large_blocks_back();
            check(*args, None, After::Exit)
        }
        Command::Server(args) => server(args),
        Command::Rules(args) => rules(&args),
        Command::Explain { code } => explain(&code),
        Command::Merge(args) => merge(&args),
    };
    ExitCode::from(code)
}

/// A run of `postlint check`: over the paths given or, for a batch of `--watch`, over
/// `watched`, the files that changed. `after`: the process's end (its only run) or the next
/// run of a watch.
fn check(args: CheckArgs, watched: Option<Vec<Input>>, after: After) -> u8 {
    let targets = match targets(&args) {
        Ok(targets) => targets,
        Err(message) => {
            say!("postlint: {message}");
            return 2;
        }
    };
    let site_index = args.rules.site_index.clone();
    let config = match load_config(&args.config, cli_rules(&args), site_index.clone()) {
        Ok(config) => Arc::new(config),
        Err(code) => return code,
    };
    if args.show_config {
        return print(&app::show::show_config(&config));
    }
    let baseline = match args.baseline.as_deref().map(Baseline::read).transpose() {
        Ok(baseline) => baseline,
        Err(message) => {
            say!("postlint: {message}");
            return 2;
        }
    };
    // `--since-last-run`: the marks are read once, moved per site, and written at the end.
    let mut marks = args.since_last_run.then(|| {
        let (marks, notice) = Marks::load(&args.cache_dir);
        if let Some(notice) = notice {
            say!("postlint: {notice}");
        }
        marks
    });
    let sites = match site_requests(&args, &config, marks.as_ref()) {
        Ok(sites) => sites,
        Err(message) => {
            say!("postlint: {message}");
            return 2;
        }
    };
    let paths = if args.paths.is_empty() && sites.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        // A post's address is a site request (`site_requests`), not a file.
        let files = args.paths.iter().filter(|p| post_address(p).is_none());
        files.cloned().collect()
    };
    let single = after == After::Exit;
    let pool = match worker_pool(&args, single && sites.is_empty(), &paths) {
        Ok(pool) => pool,
        Err(error) => {
            say!("postlint: cannot start worker threads: {error}");
            return 2;
        }
    };
    // The lint, the phases after it and the reports run in one task of the pool: each
    // `install` of its own woke a worker and left this thread to wake up in between, a few
    // milliseconds in which neither worker had work.
    pool.install(|| {
        let lists_posts = targets.iter().any(|t| t.format.lists_posts);
        let options = run_options(&args, &config, baseline, lists_posts);
        let sources = Sources {
            paths,
            watched,
            sites,
            save: args.save.clone(),
        };
        let fresh_config = || load_config(&args.config, cli_rules(&args), site_index.clone());
        let check_files = || sources.check_files(config.clone(), &fresh_config, &options);
        let mut outcome = match check_files() {
            Ok(outcome) => outcome,
            Err(code) => return code,
        };
        let moved = match sources.check_sites(&fresh_config, &options, &mut outcome) {
            Ok(moved) => moved,
            Err(code) => return code,
        };
        let marks_moved = !moved.is_empty();
        if let Some(marks) = &mut marks {
            for (key, mark) in &moved {
                marks.advance(key, mark);
            }
        }
        if let Some(marks) = &mut marks
            && marks_moved
            && let Err(message) = marks.save()
        {
            outcome.notices.push(message);
        }
        // A file `--fix` could not write fails the run (exit 2), after the rest of it is reported.
        let mut fix_failed = false;
        if args.fix || args.diff {
            let fixing = FixOptions {
                unsafe_fixes: args.unsafe_fixes,
                damaged: args.fix_damaged,
            };
            let linter = Linter::new(config.clone(), options.lint.clone());
            let plans = fix::plan(&linter, &outcome.reports, fixing);
            if args.diff {
                return print_diffs(&plans);
            }
            let written = write_fixes(&plans);
            fix_failed = written.failed;
            if written.files > 0 {
                outcome = match check_files() {
                    Ok(outcome) => outcome,
                    Err(code) => return code,
                };
            }
        }
        for error in &outcome.input_errors {
            say!("postlint: {error}");
        }
        for notice in &outcome.notices {
            say!("postlint: {notice}");
        }
        if let Some(path) = &args.write_baseline {
            let code = write_baseline(path, &outcome);
            return if fix_failed { 2 } else { code };
        }
        if outcome.baselined > 0 {
            let known = outcome.baselined;
            say!("postlint: {known} findings are in the baseline and not reported");
        }
        let look = Look {
            style: human_style(args.color),
            statistics: args.statistics,
        };
        // In the run's pool: the JSON report is serialized on its threads (`--threads`).
        let written = write_reports(&targets, &outcome, &look);
        if written != 0 {
            return written;
        }
        if args.statistics && !targets.iter().any(|t| t.format == formats::HUMAN) {
            let _ = write!(
                std::io::stderr(),
                "{}",
                report::statistics::render(&outcome)
            );
        }
        if fix_failed {
            return 2;
        }
        let code = outcome.exit_code_failing_on(args.fail_on.threshold()) as u8;
        if after == After::Exit {
            // The operating system takes it all back at once; freeing the findings of thousands
            // of files one by one took this thread a few milliseconds more (ripgrep leaks its
            // matchers at exit alike).
            std::mem::forget(outcome);
        }
        code
    })
}

/// What follows a run of `check`: the process's end, or the next run of `--watch`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    Exit,
    Watch,
}

/// Files at most this size, given alone, are linted on this thread: they hold a few posts, and
/// starting worker threads and handing them the work costs more than it saves.
const SMALL_FILE_BYTES: u64 = 64 << 10;

/// The run's worker threads. A run on one thread (`--threads 1`, or one small file and no site)
/// runs on this thread itself: no thread to start, hand the work to and wait for, which is most
/// of a small post's wall time on a busy machine. Only for a run that is the process's only
/// one (`single`): rayon keeps this thread as that pool's for good.
fn worker_pool(
    args: &CheckArgs,
    single: bool,
    paths: &[PathBuf],
) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    let threads = args.threads.unwrap_or(0);
    let one_thread = threads == 1 || (threads == 0 && one_small_file(paths));
    if single && one_thread {
        let here = rayon::ThreadPoolBuilder::new().num_threads(1);
        if let Ok(pool) = here.use_current_thread().build() {
            return Ok(pool);
        }
    }
    rayon::ThreadPoolBuilder::new().num_threads(threads).build()
}

/// Whether the run reads one regular file of at most [`SMALL_FILE_BYTES`].
fn one_small_file(paths: &[PathBuf]) -> bool {
    let [path] = paths else { return false };
    let small = |meta: std::fs::Metadata| meta.is_file() && meta.len() <= SMALL_FILE_BYTES;
    path.as_os_str() != "-" && std::fs::metadata(path).is_ok_and(small)
}

/// `--watch`: a first run over every path, then a run over each batch of files whose content
/// changed; a change of the config lints everything again.
fn check_and_watch(mut args: CheckArgs) -> u8 {
    args.watch = false;
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        say!("postlint: --watch watches files, and standard input is not one");
        return 2;
    }
    if args.paths.is_empty() {
        args.paths.push(PathBuf::from("."));
    }
    let (config, config_files) = watched_config(&args);
    let max_bytes = args.max_file_size.as_u64();
    let own = written_by_postlint(&args);
    let mut watch = match Watch::start(&args.paths, config, &config_files, &own, max_bytes) {
        Ok(watch) => watch,
        Err(error) => {
            say!("postlint: {error}");
            return 2;
        }
    };
    let everything: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    say!("{}", watch::separator(&everything.join(" ")));
    check(args.clone(), None, After::Watch);
    say!("postlint: watching for changes (Ctrl-C to stop)");
    while let Some(batch) = watch.next_batch() {
        for notice in &batch.notices {
            say!("postlint: watching: {notice}");
        }
        if batch.is_empty() {
            continue;
        }
        // The findings of the last run reach the screen before the next run's separator.
        let _ = std::io::stdout().flush();
        if batch.config_changed {
            let about = "the config changed: linting everything again";
            say!("{}", watch::separator(about));
            let (config, files) = watched_config(&args);
            if let Err(error) = watch.set_config(config, &files) {
                say!("postlint: {error}");
            }
            check(args.clone(), None, After::Watch);
            continue;
        }
        say!("{}", watch::separator(&batch.summary()));
        for line in batch.removed_lines() {
            say!("postlint: {line}");
        }
        // The whole workspace again, not only what changed: the site rules compare posts with
        // each other (a copy's duplicate slug, a link to a removed post), and the summary is
        // the workspace's, as in a single run. The content hash already keeps reads and
        // same-text saves from starting a run.
        check(args.clone(), None, After::Watch);
    }
    0
}

/// The config a watch decides with (the built-in one while the file has a mistake: the run
/// reports it), and the files to watch for it: those it was read from, and `postlint.toml`
/// here, where a new one would be found.
fn watched_config(args: &CheckArgs) -> (Config, Vec<PathBuf>) {
    let request = ConfigRequest {
        file: args.config.config.clone(),
        none: args.config.no_config,
        start_dir: std::env::current_dir().unwrap_or_default(),
        cli: cli_rules(args),
        site_index: None,
    };
    let config = Config::load(&request, postlint::rules::REGISTRY)
        .unwrap_or_else(|_| Config::builtin(postlint::rules::REGISTRY));
    if args.config.no_config {
        return (config, Vec::new());
    }
    let mut files: Vec<PathBuf> = (config.sources.iter())
        .map(|source| PathBuf::from(&source.name))
        .filter(|path| path.is_file())
        .collect();
    let named = args.config.config.clone();
    files.extend(named.or_else(|| Some(PathBuf::from(postlint::config::CONFIG_FILE_NAME))));
    files.sort();
    files.dedup();
    (config, files)
}

/// What a run writes itself, whose changes a watch must not take for the user's: the reports
/// written to files, the cache, a baseline, saved pages.
fn written_by_postlint(args: &CheckArgs) -> Vec<PathBuf> {
    let reports = targets(args).unwrap_or_default().into_iter();
    let reports = reports.filter_map(|target| target.file);
    let others = [
        Some(args.cache_dir.clone()),
        args.write_baseline.clone(),
        args.save.clone(),
    ];
    reports.chain(others.into_iter().flatten()).collect()
}

/// `postlint server`: the language server, on standard input and output.
fn server(args: postlint::cli::ServerArgs) -> u8 {
    let settings = postlint::server::Settings {
        // Relative to here, not to the workspace the editor names later.
        config: args
            .config
            .config
            .map(|p| std::path::absolute(&p).unwrap_or(p)),
        no_config: args.config.no_config,
        site_rules: args.site_rules,
    };
    // 1 for any end but `shutdown` then `exit`, as the protocol asks.
    match postlint::server::run(settings) {
        Ok(()) => 0,
        Err(error) => {
            say!("postlint server: {error}");
            1
        }
    }
}

/// Prints the diff of every file `--fix` would change; exit 1 when there is one.
fn print_diffs(plans: &[Result<fix::FileFix, fix::FixError>]) -> u8 {
    let mut changed = false;
    let mut text = String::new();
    for plan in plans {
        match plan {
            Ok(fixed) if fixed.changed() => {
                changed = true;
                text.push_str(&fix::diff(fixed));
                for note in &fixed.dropped {
                    say!("postlint: {note}");
                }
            }
            Ok(_) => {}
            Err(error) => say!("postlint: {error}"),
        }
    }
    match print(&text) {
        0 => u8::from(changed),
        failed => failed,
    }
}

/// Writes the fixed files, and tells what was written and what was not.
fn write_fixes(plans: &[Result<fix::FileFix, fix::FixError>]) -> fix::Written {
    let written = fix::write_all(plans);
    for message in &written.messages {
        say!("postlint: {message}");
    }
    if written.files > 0 {
        let (applied, files) = (written.applied, written.files);
        say!("postlint: fixed {applied} findings in {files} files");
    }
    written
}

/// The reports to write: `--format` as given, `-o` for the one without a file, human by default.
fn targets(args: &CheckArgs) -> Result<Vec<ReportTarget>, String> {
    targets_of(&args.format, args.output.as_ref(), formats::HUMAN)
}

/// The reports to write: `formats` as given, `output` for the one without a file, `default`
/// when none is given.
fn targets_of(
    formats: &[ReportTarget],
    output: Option<&PathBuf>,
    default: &'static Emitter,
) -> Result<Vec<ReportTarget>, String> {
    let mut targets = formats.to_vec();
    if targets.is_empty() {
        targets.push(ReportTarget {
            format: default,
            file: None,
        });
    }
    if let Some(output) = output {
        let mut unnamed = targets.iter_mut().filter(|t| t.file.is_none());
        match (unnamed.next(), unnamed.next()) {
            (Some(target), None) => target.file = Some(output.clone()),
            (None, _) => {
                return Err("-o has no report to write: every --format names its file".to_owned());
            }
            (Some(_), Some(_)) => {
                return Err("-o is ambiguous with several --format without a file".to_owned());
            }
        }
    }
    let to_stdout = targets.iter().filter(|t| t.file.is_none()).count();
    if to_stdout > 1 {
        return Err("only one report can go to standard output: give the others a file (--format FORMAT=FILE)".to_owned());
    }
    Ok(targets)
}

/// `postlint merge`: the shard reports as the outcome of one run, written as `check` would.
fn merge(args: &MergeArgs) -> u8 {
    let rules = rule_settings(&args.rules);
    let config = match load_config(&args.config, rules, args.rules.site_index.clone()) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let targets = match targets_of(&args.format, args.output.as_ref(), formats::JSON) {
        Ok(targets) => targets,
        Err(message) => {
            say!("postlint: {message}");
            return 2;
        }
    };
    let baseline = match args.baseline.as_deref().map(Baseline::read).transpose() {
        Ok(baseline) => baseline,
        Err(message) => {
            say!("postlint: {message}");
            return 2;
        }
    };
    let outcome = match postlint::run::merge::merge(&args.reports, &config, baseline.as_ref()) {
        Ok(outcome) => outcome,
        Err(message) => {
            say!("postlint: {message}");
            return 2;
        }
    };
    for notice in &outcome.notices {
        say!("postlint: {notice}");
    }
    if outcome.baselined > 0 {
        let known = outcome.baselined;
        say!("postlint: {known} findings are in the baseline and not reported");
    }
    let look = Look {
        style: human_style(ColorChoice::Auto),
        statistics: false,
    };
    let written = write_reports(&targets, &outcome, &look);
    if written != 0 {
        return written;
    }
    outcome.exit_code_failing_on(args.fail_on.threshold()) as u8
}

/// Writes each report where its target says; the first failure's exit code, or 0.
fn write_reports(
    targets: &[ReportTarget],
    outcome: &postlint::outcome::CheckOutcome,
    look: &Look,
) -> u8 {
    for target in targets {
        let emit = |out: &mut dyn Write| target.format.write(outcome, look, out);
        let written = match &target.file {
            Some(file) => written_to(target.format, file, write_file_with(file, emit)),
            None => print_with(emit),
        };
        if written != 0 {
            return written;
        }
    }
    0
}

fn write_baseline(path: &Path, outcome: &postlint::outcome::CheckOutcome) -> u8 {
    let baseline = Baseline::of(&outcome.reports);
    if let Err(error) = baseline.write(path) {
        say!("postlint: cannot write {}: {error}", path.display());
        return 2;
    }
    let count: usize = baseline.entries.iter().map(|e| e.count).sum();
    say!("postlint: wrote {count} findings to {}", path.display());
    if outcome.input_errors.is_empty() {
        0
    } else {
        2
    }
}

/// What the command line sets of the config: the rules and, for `check`, the limits.
fn cli_rules(args: &CheckArgs) -> CliRules {
    CliRules {
        link_timeout: args.link_timeout,
        archive_timeout: args.archive_timeout,
        max_response_size: args.max_response_size,
        site_timeout: args.site_timeout,
        links: args.links,
        no_archive: args.no_archive,
        user_agent: args.user_agent.clone(),
        archive_api: args.archive_api.clone(),
        ..rule_settings(&args.rules)
    }
}

/// The rules the command line chooses, and their settings, as `check` and `merge` take them.
fn rule_settings(rules: &RuleArgs) -> CliRules {
    CliRules {
        select: rules.select.clone(),
        extend_select: rules.extend_select.clone(),
        ignore: rules.ignore.clone(),
        severity: rules.severity.clone(),
        timezone: rules.timezone.clone(),
        ..CliRules::default()
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
    Config::load(&request, postlint::rules::REGISTRY).map_err(|error| {
        let report = miette::Report::new(error);
        say!("{report:?}");
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
            say!("postlint: {message}");
            2
        }
    }
}

/// Says where a report went when it was written to a file (`-o`, `--format html=FILE`), so
/// that a run whose terminal shows nothing is not taken for one that did nothing.
fn written_to(format: &Emitter, path: &Path, code: u8) -> u8 {
    if code == 0 {
        let name = format.name;
        say!("postlint: wrote the {name} report to {}", path.display());
    }
    code
}

/// Writes a report file whole, through a temporary file so a reader never sees half of it.
fn write_file_with(path: &Path, emit: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> u8 {
    match postlint::atomic_write::write_named(path, emit) {
        Ok(()) => 0,
        Err(error) => {
            say!("postlint: cannot write {}: {error}", path.display());
            2
        }
    }
}

/// Writes to stdout; a closed pipe (`postlint … | head`) is not an error worth a panic.
fn print(text: &str) -> u8 {
    print_with(|out| out.write_all(text.as_bytes()))
}

fn print_with(emit: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> u8 {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match emit(&mut out).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(error) => {
            say!("postlint: cannot write the report: {error}");
            2
        }
    }
}
