//! What `check`'s flags and config ask of a run: its options (the engine's knobs and the
//! run's), the sites to read, and the HTTP client settings of the link check and the site read.

use std::sync::Arc;

use postlint::baseline::Baseline;
use postlint::cli::CheckArgs;
use postlint::config::Config;
use postlint::engine::LintOptions;
use postlint::links::LinkCheck;
use postlint::links::archive::ArchiveOptions;
use postlint::links::remote::CheckOptions;
use postlint::run::RunOptions;
use postlint::wordpress::marks::Marks;
use postlint::wordpress::single::{Selection, post_address};
use postlint::wordpress::{Credentials, PASSWORD_VARIABLE, PostType, SiteRequest};

/// What `check`'s flags and config ask of the run: the engine's knobs and the run's.
pub fn run_options(
    args: &CheckArgs,
    config: &Config,
    baseline: Option<Baseline>,
    lists_posts: bool,
) -> RunOptions {
    let links = link_check(args, config);
    RunOptions {
        lint: LintOptions {
            max_depth: args.max_depth,
            max_post_bytes: usize::try_from(args.max_post_size.as_u64()).unwrap_or(usize::MAX),
            now: args.now,
            list_posts: lists_posts,
            hash_content: args.fix || args.diff,
            item_types: if args.post_types.is_empty() {
                postlint::input::wxr::POST_TYPES.to_vec()
            } else {
                args.post_types.iter().map(|t| t.item_type()).collect()
            },
            ..LintOptions::default()
        },
        links,
        max_file_bytes: args.max_file_size.as_u64(),
        changed_since: args.changed_since.clone(),
        shard: args.shard,
        baseline: baseline.map(Arc::new),
        memory_budget: Some(args.memory_budget.as_u64()).filter(|&b| b > 0),
    }
}

/// The sites to read, with what to read from each: `--site`, else `[site] url` when the
/// command line names no files either (the config's sites are its default target).
pub fn site_requests(
    args: &CheckArgs,
    config: &Config,
    marks: Option<&Marks>,
) -> Result<Vec<SiteRequest>, String> {
    let mut urls = args.sites.clone();
    if urls.is_empty() && args.paths.is_empty() {
        // The config checked the addresses when it was read.
        urls = config
            .site
            .urls
            .iter()
            .filter_map(|url| url::Url::parse(&url.value).ok())
            .collect();
    }
    let addresses: Vec<url::Url> = args.paths.iter().filter_map(|p| post_address(p)).collect();
    if !args.posts.is_empty() && urls.is_empty() {
        return Err(
            "--post names posts of a site: give it with --site URL or [site] url in postlint.toml"
                .to_owned(),
        );
    }
    if urls.is_empty() && addresses.is_empty() {
        return Ok(Vec::new());
    }
    if args.fix || args.diff {
        return Err(
            "--fix and --diff change files, not a live site: fetch it with --save DIR, then run \
             `postlint check --fix DIR`"
                .to_owned(),
        );
    }
    let credentials = credentials(args)?;
    let publish_only = args.status.as_deref().is_none_or(|s| s == "publish");
    if !publish_only && credentials.is_none() {
        return Err(format!(
            "--status {} needs credentials: --user NAME, and an application password in {PASSWORD_VARIABLE}",
            args.status.as_deref().unwrap_or_default()
        ));
    }
    let client = site_client_options(args, config);
    let selection = match args.posts.is_empty() {
        true => Selection::All,
        false => Selection::Posts(args.posts.clone()),
    };
    let addressed = addresses
        .into_iter()
        .map(|address| (address.clone(), Selection::Address(address)));
    let sites = urls.into_iter().map(|url| (url, selection.clone()));
    let mut requests = Vec::new();
    for (url, selection) in sites.chain(addressed) {
        let mut request = SiteRequest {
            url,
            selection,
            types: if args.post_types.is_empty() {
                vec![PostType::Posts]
            } else {
                args.post_types.clone()
            },
            status: args.status.clone(),
            modified_after: args.modified_after,
            credentials: credentials.clone(),
            client: client.clone(),
            max_bytes: max_response_size(config),
        };
        if let Some(marks) = marks.filter(|_| request.selection == Selection::All) {
            request.modified_after = marks.get(&request.mark_key());
        }
        request.validate()?;
        requests.push(request);
    }
    Ok(requests)
}

/// The largest answer of a site read: `--max-response-size`, the config's, or the default.
fn max_response_size(config: &Config) -> u64 {
    let size = config.site.max_response_size.as_ref().map(|v| v.value);
    size.unwrap_or(postlint::limits::MAX_RESPONSE_SIZE.default)
        .as_u64()
}

/// `--user`, with the password from the environment only.
fn credentials(args: &CheckArgs) -> Result<Option<Credentials>, String> {
    let Some(user) = &args.user else {
        return Ok(None);
    };
    match std::env::var(PASSWORD_VARIABLE) {
        Ok(password) if !password.trim().is_empty() => {
            Ok(Some(Credentials::new(user.clone(), password)))
        }
        _ => Err(format!(
            "--user {user} needs the user's application password in {PASSWORD_VARIABLE} \
             (it is never read from the command line)"
        )),
    }
}

/// What `[links] remote = true` (or `--links`) asks of the remote checker. The config holds
/// the `[links]` flags too (`--no-archive`, `--archive-api`, `--user-agent`), over the files'.
fn link_check(args: &CheckArgs, config: &Config) -> Option<LinkCheck> {
    let settings = &config.site.links;
    if !settings.remote {
        return None;
    }
    Some(LinkCheck {
        check: client_options(args, config),
        cache_dir: (!args.no_cache).then(|| args.cache_dir.clone()),
        exclude: settings.exclude.clone(),
        archive: settings.archive.then(|| {
            let bound = settings.archive_timeout.as_ref().map(|v| v.value);
            ArchiveOptions {
                api: (settings.archive_api.clone())
                    .unwrap_or_else(|| ArchiveOptions::default().api),
                bound: bound.unwrap_or(postlint::limits::ARCHIVE_TIMEOUT.default),
                ..Default::default()
            }
        }),
        ..LinkCheck::default()
    })
}

/// The HTTP client settings of the link checker: `--link-timeout` bounds one link's check.
fn client_options(args: &CheckArgs, config: &Config) -> CheckOptions {
    // The command line's value is in the config already, checked like the file's.
    let timeout = config.site.links.timeout.as_ref().map(|v| v.value);
    let timeout = timeout.unwrap_or(postlint::limits::LINK_TIMEOUT.default);
    client_with_timeout(args, config, timeout)
}

/// The HTTP client settings of the site reader: `--site-timeout` bounds one page.
fn site_client_options(args: &CheckArgs, config: &Config) -> CheckOptions {
    let timeout = config.site.timeout.as_ref().map(|v| v.value);
    let timeout = timeout.unwrap_or(postlint::limits::SITE_TIMEOUT.default);
    client_with_timeout(args, config, timeout)
}

/// The HTTP client settings the link checker and the site reader share, with `timeout`.
fn client_with_timeout(
    args: &CheckArgs,
    config: &Config,
    timeout: std::time::Duration,
) -> CheckOptions {
    let settings = &config.site.links;
    let mut check = CheckOptions {
        concurrency: args.link_concurrency,
        per_host: args.per_host,
        timeout,
        connect_timeout: timeout / 3,
        allow_private: args.allow_private,
        accept: settings.accept.clone(),
        ..CheckOptions::default()
    };
    if let Some(agent) = settings.user_agent.clone() {
        check.user_agent = agent;
    }
    check
}
