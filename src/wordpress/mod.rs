//! Reading a live WordPress site over its REST API (`--site URL`): the REST index (for the
//! site's zone), then every page of `/wp/v2/posts` (and `/wp/v2/pages`), kept byte for byte so
//! that diagnostics point into exactly what the site sent. It returns the pages as inputs and
//! what a run needs to know of the site; the run (`run::site`) lints them like files.

pub mod fetch;
pub mod marks;
mod paging;
mod read;
pub mod saved;
pub mod single;
mod targets;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use url::Url;

use crate::config::{Config, zone_from_index};
use crate::dates::{Zone, ZoneSource};
use crate::http::ClientOptions;
use crate::input::{Input, InputError};
use crate::outcome::CheckOutcome;

/// The environment variable the application password is read from; never a flag, so that it
/// stays out of shell history and process lists.
pub const PASSWORD_VARIABLE: &str = "POSTLINT_WP_APP_PASSWORD";

/// A type of post: what `--type` names. From a site, the REST collection read; from a WXR
/// export, the items of that `wp:post_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostType {
    Posts,
    Pages,
    /// Another type by its name (`attachment`, `product`): its REST collection is
    /// `wp/v2/NAME`. The name lives for the whole run, as the command line does.
    Other(&'static str),
}

impl PostType {
    pub fn route(self) -> String {
        format!("wp/v2/{}", self.name())
    }

    pub fn name(self) -> &'static str {
        match self {
            PostType::Posts => "posts",
            PostType::Pages => "pages",
            PostType::Other(name) => name,
        }
    }

    /// The `wp:post_type` of a WXR item of this type.
    pub fn item_type(self) -> &'static str {
        match self {
            PostType::Posts => "post",
            PostType::Pages => "page",
            PostType::Other(name) => name,
        }
    }
}

impl std::str::FromStr for PostType {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Ok(match name.trim() {
            "posts" | "post" => PostType::Posts,
            "pages" | "page" => PostType::Pages,
            other if is_type_name(other) => PostType::Other(Box::leak(other.into())),
            other => {
                return Err(format!(
                    "`{other}` is not a post type: `posts`, `pages`, or a type's name in \
                     lowercase letters, digits, `-` and `_` (`attachment`, `product`)"
                ));
            }
        })
    }
}

/// WordPress's post type names: at most 20 characters of `a-z`, `0-9`, `-` and `_`.
fn is_type_name(name: &str) -> bool {
    (1..=20).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A user name and an application password. The password is never printed: `Debug` hides it.
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    password: String,
}

impl Credentials {
    pub fn new(user: String, password: String) -> Self {
        Self { user, password }
    }

    pub fn password(&self) -> &str {
        &self.password
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"(hidden)")
            .finish()
    }
}

/// What to read from one site.
#[derive(Debug, Clone)]
pub struct SiteRequest {
    pub url: Url,
    /// Every post, some posts by id or slug (`--post`), or the post at an address.
    pub selection: single::Selection,
    pub types: Vec<PostType>,
    /// `status=` as WordPress takes it (`any`, `draft,publish`); published posts when unset.
    pub status: Option<String>,
    /// Only posts modified after this instant (UTC).
    pub modified_after: Option<NaiveDateTime>,
    pub credentials: Option<Credentials>,
    pub client: ClientOptions,
    /// Largest answer read (`--max-response-size`).
    pub max_bytes: u64,
}

impl SiteRequest {
    /// Checks what can be checked before any request: no password in the address (it would
    /// be printed with it, and sent to whatever site the address leads to), and credentials go
    /// over https only, except to this machine.
    pub fn validate(&self) -> Result<(), String> {
        if !self.url.username().is_empty() || self.url.password().is_some() {
            return Err(format!(
                "{}: an address with a user name or password in it is refused; give the user \
                 with --user and the application password in {PASSWORD_VARIABLE}",
                without_userinfo(&self.url)
            ));
        }
        if !matches!(self.url.scheme(), "http" | "https") {
            return Err(format!("{}: a site address is http or https", self.url));
        }
        if self.credentials.is_some() && !may_carry_password(self.url.as_str()) {
            return Err(format!(
                "{}: refusing to send a password over plain http; use https (only 127.0.0.1 and \
                 localhost are allowed over http)",
                self.url
            ));
        }
        Ok(())
    }

    /// The filter part of every page's query (`&context=edit&status=any&modified_after=…`).
    fn query(&self, index: &serde_json::Value) -> String {
        let mut query = String::new();
        // With credentials, the raw text too (`content.raw`): what the author wrote, where the
        // rules of the author's markup point.
        if self.credentials.is_some() {
            query.push_str("&context=edit");
        }
        if let Some(status) = &self.status {
            query.push_str(&format!("&status={status}"));
        }
        if let Some(after) = self.modified_after {
            let local = local_bound(after, zone_from_index(index).as_ref());
            query.push_str(&format!(
                "&modified_after={}",
                local.format("%Y-%m-%dT%H:%M:%S")
            ));
        }
        query
    }

    /// The key of this request's high-water mark: the same site read for other types or
    /// statuses keeps its own.
    pub fn mark_key(&self) -> String {
        let types: Vec<&str> = self.types.iter().map(|t| t.name()).collect();
        format!(
            "{} type={} status={}",
            self.url,
            types.join(","),
            self.status.as_deref().unwrap_or("publish")
        )
    }
}

/// WordPress compares `modified_after` with the local `post_modified` column, so the instant
/// is sent as the site's local time. When clocks go back within the hour after it, a post
/// modified then has an earlier local time than the bound, so the bound is an hour early: a
/// post is linted twice rather than missed. Without a zone, 14 hours early covers every offset.
fn local_bound(utc: NaiveDateTime, zone: Option<&Zone>) -> NaiveDateTime {
    let Some(zone) = zone else {
        return utc - Duration::hours(14);
    };
    let local = utc + Duration::seconds(i64::from(zone.offset_at(utc)));
    let switch_near = zone.offset_at(utc + Duration::hours(1)) != zone.offset_at(utc);
    if switch_near {
        local - Duration::hours(1)
    } else {
        local
    }
}

/// The address with its user name and password blanked out, fit to print.
fn without_userinfo(url: &Url) -> String {
    let mut shown = url.clone();
    // Only addresses without a host refuse these, and a site address has one.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// https, or http to this machine only.
fn may_carry_password(address: &str) -> bool {
    Url::parse(address).is_ok_and(|url| url.scheme() == "https" || is_loopback(&url))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// One page of a collection, exactly as the site sent it.
#[derive(Debug, Clone)]
pub struct Page {
    pub kind: PostType,
    /// The page number in the collection; 0 for a post fetched on its own.
    pub number: usize,
    /// The saved file's name without `.json`: `posts-page-2`, or `posts-5` for one post.
    pub file_stem: String,
    /// The page's address without the paging size: what diagnostics name when it is not saved.
    pub name: String,
    pub bytes: Arc<[u8]>,
}

/// Everything fetched from one site.
#[derive(Debug)]
pub struct FetchedSite {
    pub url: Url,
    /// The REST index, when it could be read.
    pub index: Option<serde_json::Value>,
    /// Where the site's REST API is, when it was found.
    pub api: Option<fetch::Api>,
    pub signed_in_as: Option<String>,
    pub pages: Vec<Page>,
    /// One line per thing that went wrong (a page that could not be read, a refused sign-in).
    pub errors: Vec<String>,
}

impl FetchedSite {
    /// A site of which nothing could be read.
    pub fn failed(url: &Url, reason: String) -> Self {
        Self {
            url: url.clone(),
            index: None,
            api: None,
            signed_in_as: None,
            pages: Vec::new(),
            errors: vec![reason],
        }
    }

    /// The largest `modified_gmt` seen, when every page could be read (else the run missed
    /// some and must not move the mark).
    pub fn high_water_mark(&self) -> Option<String> {
        let single_posts = self.pages.iter().any(|page| page.number == 0);
        if !self.errors.is_empty() || single_posts {
            return None;
        }
        match fetch::newest_modified(&self.pages) {
            (newest, true) => newest,
            (_, false) => None,
        }
    }

    /// The inputs to lint: the pages in memory, named by their address.
    pub fn inputs_in_memory(&self) -> Vec<Input> {
        self.pages
            .iter()
            .map(|page| Input::Memory {
                name: page.name.clone(),
                bytes: page.bytes.clone(),
            })
            .collect()
    }

    /// Writes the pages as `DIR/<host>/<type>-page-<n>.json`, byte for byte, replacing the
    /// pages of an earlier run, and returns them as inputs: diagnostics then point into these
    /// files, and `postlint check DIR` gives the same report offline. Each page is written as
    /// `--fix` writes (a temporary file renamed into place), so a symbolic link planted at a
    /// page's name is replaced rather than followed, and a host folder that is a link is
    /// refused: nothing is written outside `DIR`.
    pub fn save(&self, dir: &Path) -> Result<Vec<Input>, String> {
        let folder = host_folder(dir, &file_name(&folder_name(&self.url)))?;
        remove_old_pages(&folder)?;
        let mut inputs = Vec::new();
        for page in &self.pages {
            let path = folder.join(format!("{}.json", file_name(&page.file_stem)));
            crate::atomic_write::replace(&path, |out| out.write_all(&page.bytes))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            inputs.push(Input::File(path));
        }
        Ok(inputs)
    }
}

/// `DIR/<name>`, created if need be: a folder of its own, not a link to one (which would
/// take the pages elsewhere). `DIR` is the user's, links and all.
fn host_folder(dir: &Path, name: &str) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let folder = dir.join(name);
    match std::fs::create_dir(&folder) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("cannot create {}: {e}", folder.display())),
    }
    let kind = std::fs::symlink_metadata(&folder)
        .map_err(|e| format!("cannot read {}: {e}", folder.display()))?
        .file_type();
    if kind.is_symlink() {
        return Err(format!(
            "refusing to save pages in {}: it is a symbolic link (remove it, or save elsewhere)",
            folder.display()
        ));
    }
    if !kind.is_dir() {
        return Err(format!(
            "cannot save pages in {}: it is not a folder",
            folder.display()
        ));
    }
    Ok(folder)
}

/// A name the site chose (its host, a slug) as one file name: no separator, no `..`, nothing
/// hidden.
fn file_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    match kept.strip_prefix('.') {
        Some(rest) => format!("_{rest}"),
        None if kept.is_empty() => "_".to_owned(),
        None => kept,
    }
}

/// `news.example.com`, with the port when it is not the default (`127.0.0.1_8080`), so two
/// test servers on one machine do not share a folder.
fn folder_name(url: &Url) -> String {
    let host = url.host_str().unwrap_or("site");
    match url.port() {
        Some(port) => format!("{host}_{port}"),
        None => host.to_owned(),
    }
}

fn remove_old_pages(folder: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(folder).map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_page = ["posts-page-", "pages-page-"]
            .iter()
            .any(|prefix| name.starts_with(prefix))
            && name.ends_with(".json");
        if is_page {
            let path: PathBuf = entry.path();
            std::fs::remove_file(&path)
                .map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// A site read for a run: its pages as the run's inputs, and what the run needs of the site
/// before linting (its address, zone, whether it is held whole) and after (`conclude`).
pub struct SiteRead {
    pub inputs: Vec<Input>,
    site: FetchedSite,
    whole: bool,
    saved_to: Option<PathBuf>,
    save_error: Option<InputError>,
}

/// Fetches a site; its pages are saved under `save` when given. Pages that could not be saved
/// are still linted, from memory; the run fails all the same.
pub fn read_site(request: &SiteRequest, save: Option<&Path>) -> SiteRead {
    let site = fetch(request);
    let whole = holds_whole_site(request, &site);
    let mut saved_to = None;
    let mut save_error = None;
    let inputs = match save {
        Some(dir) => match site.save(dir) {
            Ok(inputs) => {
                saved_to = Some(dir.join(folder_name(&site.url)));
                inputs
            }
            Err(message) => {
                save_error = Some(InputError::Site(message));
                site.inputs_in_memory()
            }
        },
        None => site.inputs_in_memory(),
    };
    SiteRead {
        inputs,
        site,
        whole,
        saved_to,
        save_error,
    }
}

impl SiteRead {
    /// Gives `config` the site's address, its zone (from the REST index, unless the config
    /// names one) and, for a whole read, a complete export. Returns the summary's line on it.
    pub fn configure(&self, config: &mut Config) -> Vec<String> {
        let site = &self.site;
        let zone = saved::adopt(config, site.url.as_str(), site.index.as_ref(), self.whole);
        let index = site.index.as_ref();
        index
            .map(|index| describe_site(site, index, zone))
            .into_iter()
            .collect()
    }

    /// After the run: asks the site about the internal link targets a partial read does not
    /// hold, writes the saved copy's manifest, and adds the site, its notes and its read errors
    /// to the outcome. Returns the mark a `--since-last-run` may move to.
    pub fn conclude(
        self,
        request: &SiteRequest,
        outcome: &mut CheckOutcome,
        mut notes: Vec<String>,
    ) -> Option<String> {
        let site = self.site;
        let mut manifest = saved::SavedSite::new(&site.url, site.index.as_ref(), self.whole);
        if let Some(api) = site.api.as_ref().filter(|_| !whole_read(request)) {
            manifest.told = Some(targets::confirm_missing(outcome, request, api));
        }
        if let Some(Err(message)) = self.saved_to.map(|folder| manifest.write(&folder)) {
            notes.push(message);
        }
        outcome.site_notes.splice(0..0, notes);
        outcome.sites.push(visit(&site));
        outcome.input_errors.extend(self.save_error);
        outcome
            .input_errors
            .extend(site.errors.iter().cloned().map(InputError::Site));
        site.high_water_mark()
    }
}

/// Whether the run holds every post of the site, so that a link to a post not in it is a link
/// to no post: every page of posts and pages, of every status, read without a fault.
fn holds_whole_site(request: &SiteRequest, site: &FetchedSite) -> bool {
    let every_type = [PostType::Posts, PostType::Pages]
        .iter()
        .all(|kind| request.types.contains(kind));
    whole_read(request)
        && request.status.as_deref() == Some("any")
        && every_type
        && site.errors.is_empty()
        && site.index.is_some()
}

/// Every post of the types asked for, not some of them (`--post`, an address, only what
/// changed): a link to a post not in the run may still be one of the site's.
fn whole_read(request: &SiteRequest) -> bool {
    request.selection == single::Selection::All && request.modified_after.is_none()
}

/// The site as the reports' headers name it.
fn visit(site: &FetchedSite) -> crate::outcome::SiteVisit {
    use crate::diagnostic::{MAX_SHOWN_CHARS, elided};
    let name = site
        .index
        .as_ref()
        .and_then(|index| index.get("name")?.as_str());
    crate::outcome::SiteVisit {
        url: site.url.to_string(),
        name: (name.filter(|n| !n.trim().is_empty()))
            .map(|n| elided(n, MAX_SHOWN_CHARS).into_owned()),
        signed_in_as: (site.signed_in_as.as_deref())
            .map(|user| elided(user, MAX_SHOWN_CHARS).into_owned()),
    }
}

/// One line for the summary: what was read, from where, and the zone the dates were checked in.
fn describe_site(
    site: &FetchedSite,
    index: &serde_json::Value,
    zone: Option<(Zone, ZoneSource)>,
) -> String {
    let name = index
        .get("name")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .map_or_else(String::new, |n| format!(" ({n})"));
    let zone = match zone {
        Some((zone, ZoneSource::SiteIndex)) => {
            format!("zone {} from its REST index", zone.describe())
        }
        Some((zone, ZoneSource::Config)) => format!("zone {} from the config", zone.describe()),
        None => "no zone known".to_owned(),
    };
    let user = site
        .signed_in_as
        .as_ref()
        .map_or_else(String::new, |u| format!(", signed in as {u}"));
    let one_post_each = !site.pages.is_empty() && site.pages.iter().all(|page| page.number == 0);
    let pages = match (site.pages.len(), one_post_each) {
        (1, true) => "1 post".to_owned(),
        (n, true) => format!("{n} posts"),
        (1, false) => "1 page".to_owned(),
        (n, false) => format!("{n} pages"),
    };
    format!("{}{name}: {pages} fetched, {zone}{user}", site.url)
}

/// Fetches one site, with a progress bar on a terminal.
pub fn fetch(request: &SiteRequest) -> FetchedSite {
    let runtime = match crate::http::runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            let reason = format!("cannot start the HTTP client: {error}");
            return FetchedSite::failed(&request.url, reason);
        }
    };
    let bar = progress_bar(&request.url);
    let progress = |done: usize, total: usize| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let site = runtime.block_on(read::fetch_site(request, &progress));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    site
}

fn progress_bar(url: &Url) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(1);
    let style =
        indicatif::ProgressStyle::with_template("fetching {msg} {bar:30} {pos}/{len} pages")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(url.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").expect("a date")
    }

    #[test]
    fn the_bound_is_sent_in_local_time() {
        let utc = at("2026-07-01T12:00:00");
        assert_eq!(
            local_bound(utc, Some(&Zone::Fixed(-9000))),
            at("2026-07-01T09:30:00")
        );
        let madrid = Zone::parse_name("Europe/Madrid");
        assert_eq!(local_bound(utc, madrid.as_ref()), at("2026-07-01T14:00:00"));
        // Madrid goes back from +02:00 to +01:00 at 01:00 UTC on 25 October 2026.
        assert_eq!(
            local_bound(at("2026-10-25T00:30:00"), madrid.as_ref()),
            at("2026-10-25T01:30:00"),
            "02:30 local, an hour early: clocks go back within the hour"
        );
        assert_eq!(local_bound(utc, None), at("2026-06-30T22:00:00"));
    }

    #[test]
    fn passwords_go_over_https_or_to_this_machine_only() {
        let request = |url: &str| SiteRequest {
            url: Url::parse(url).expect("a url"),
            selection: single::Selection::All,
            types: vec![PostType::Posts],
            status: None,
            modified_after: None,
            credentials: Some(Credentials::new("editor".into(), "secret".into())),
            client: ClientOptions::default(),
            max_bytes: 1 << 20,
        };
        assert!(request("https://news.example.com").validate().is_ok());
        assert!(request("http://127.0.0.1:8080").validate().is_ok());
        assert!(request("http://localhost:8080").validate().is_ok());
        let refused = request("http://news.example.com").validate();
        assert!(refused.is_err_and(|m| m.contains("plain http") && !m.contains("secret")));
        let in_address = request("https://editor:hunter2@news.example.com").validate();
        assert!(in_address.is_err_and(|m| m.contains("--user") && !m.contains("hunter2")));
    }

    #[test]
    fn debug_output_hides_the_password() {
        let credentials = Credentials::new("editor".into(), "abcd efgh".into());
        assert!(!format!("{credentials:?}").contains("abcd"));
    }

    #[test]
    fn folders_are_named_by_host_and_port() {
        let url = |u: &str| Url::parse(u).expect("a url");
        assert_eq!(
            folder_name(&url("https://news.example.com/blog")),
            "news.example.com"
        );
        assert_eq!(folder_name(&url("http://127.0.0.1:8080")), "127.0.0.1_8080");
    }
}
