//! One post of a site rather than all of them: `--post ID_OR_SLUG`, or a post's address given
//! as a file argument (a pretty permalink, `?p=5`, `?page_id=7`, a preview link, the wp-admin
//! edit screen or a REST address). Only the
//! requests needed are made: the REST index (for the zone), the sign-in check when there are
//! credentials, and the post itself; no collection is paged through.

use url::Url;

use super::fetch::{Api, SiteClient, join};
use super::{Page, PostType, SiteRequest};
use crate::site_root::rest_site_root;

/// A file argument that is a post's address (`https://…`) rather than a file.
pub fn post_address(path: &std::path::Path) -> Option<Url> {
    let text = path.to_str()?;
    let lower = text.get(..8)?.to_ascii_lowercase();
    let is_web = lower.starts_with("http://") || lower.starts_with("https://");
    (is_web && !path.exists()).then(|| Url::parse(text).ok())?
}

/// A post named with `--post`: its id, or its slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostRef {
    Id(u64),
    Slug(String),
}

impl PostRef {
    /// `5` is an id, anything else a slug.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("a post is named by its id or its slug, not an empty string".to_owned());
        }
        Ok(match text.parse::<u64>() {
            Ok(id) => PostRef::Id(id),
            Err(_) => PostRef::Slug(text.to_owned()),
        })
    }
}

/// Which posts to read from a site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Selection {
    /// Every post, page by page.
    #[default]
    All,
    /// These posts only (`--post`).
    Posts(Vec<PostRef>),
    /// The post at this address (a file argument).
    Address(Url),
}

/// What to fetch once the REST API is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Every,
    Refs(Vec<PostRef>),
    /// One post by id, looked for among these types in turn (`?p=5` may be a page, a REST
    /// address or a page's `alternate` link names one type).
    Id(Vec<PostType>, u64),
    /// The post whose slug is the address's last segment and whose `link` is the address.
    Permalink {
        slug: String,
        address: Url,
    },
}

/// The site's REST API, its index, and what to fetch there.
pub struct ApiFound {
    /// The site's root, which the posts belong to.
    pub site: Url,
    pub api: Api,
    pub index: serde_json::Value,
    pub wanted: Wanted,
}

/// Finds the REST API for a request and what to read from it.
pub async fn locate(client: &SiteClient, request: &SiteRequest) -> Result<ApiFound, String> {
    let address = match &request.selection {
        Selection::Address(address) => address,
        selection => {
            let (api, index) = client.index(&request.url).await?;
            let wanted = match selection {
                Selection::Posts(refs) => Wanted::Refs(refs.clone()),
                _ => Wanted::Every,
            };
            return Ok(ApiFound {
                site: request.url.clone(),
                api,
                index,
                wanted,
            });
        }
    };
    let located = match classify(address)? {
        AddressForm::Rest { api, kind, id } => {
            let index = rest_index(client, &api).await?;
            let site = api_site_root(&api);
            located(site, api, index, Wanted::Id(vec![kind], id))
        }
        AddressForm::Id { site, kinds, id } => {
            let (api, index) = client.index(&site).await.map_err(|reason| {
                format!("{address} is not the address of a WordPress post: {reason}")
            })?;
            located(site, api, index, Wanted::Id(kinds, id))
        }
        AddressForm::Permalink => locate_permalink(client, address).await?,
    };
    // Credentials went nowhere but the origin named while the API was found; before the
    // sign-in and the posts, the API must be there too.
    match client.refusal_to_sign(&located.api) {
        Some(refusal) => Err(format!("{address}: {refusal}")),
        None => Ok(located),
    }
}

fn located(site: Url, api: Api, index: serde_json::Value, wanted: Wanted) -> ApiFound {
    ApiFound {
        site,
        api,
        index,
        wanted,
    }
}

/// The forms of a post's address that name the post without asking the site.
#[derive(Debug, Clone)]
enum AddressForm {
    /// `https://host/wp-json/wp/v2/posts/5`, `https://host/?rest_route=/wp/v2/pages/7`.
    Rest { api: Api, kind: PostType, id: u64 },
    /// `https://host/?p=5`, `https://host/?page_id=7`, a preview link, the edit screen
    /// `https://host/wp-admin/post.php?post=5&action=edit`: an id, of one of these types.
    Id {
        site: Url,
        kinds: Vec<PostType>,
        id: u64,
    },
    /// Anything else: a pretty permalink, resolved by asking the page.
    Permalink,
}

fn classify(address: &Url) -> Result<AddressForm, String> {
    if !matches!(address.scheme(), "http" | "https") {
        return Err(format!("{address}: a post's address is http or https"));
    }
    if let Some(root) = rest_site_root(address.as_str()) {
        return rest_form(address, root);
    }
    let query = |key: &str| {
        address
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    let site = admin_site(address).unwrap_or_else(|| site_of_query_address(address));
    // `?p=` is any type's id (WordPress answers it for pages too), `?page_id=` a page's, and
    // the edit screen's `post.php?post=` any type's.
    let keys: &[(&str, &[PostType])] = if is_edit_screen(address) {
        &[("post", &[PostType::Posts, PostType::Pages])]
    } else {
        &[
            ("p", &[PostType::Posts, PostType::Pages]),
            ("page_id", &[PostType::Pages]),
        ]
    };
    for (key, kinds) in keys {
        if let Some(value) = query(key) {
            let id = value.parse::<u64>().map_err(|_| {
                format!("{address}: `{key}={value}` is not a post id (a whole number)")
            })?;
            return Ok(AddressForm::Id {
                site,
                kinds: kinds.to_vec(),
                id,
            });
        }
    }
    preview_id(address)?;
    if admin_site(address).is_some() {
        return Err(format!(
            "{address} is a wp-admin screen, but not the edit screen of one post              (`wp-admin/post.php?post=ID&action=edit`)"
        ));
    }
    Ok(AddressForm::Permalink)
}

/// A REST address of one post or page: the route after `/wp-json/` or in `rest_route=`.
fn rest_form(address: &Url, root: Url) -> Result<AddressForm, String> {
    let (api, route) = match address.path().split_once("/wp-json/") {
        Some((_, route)) => (Api::Pretty(join(&root, "wp-json/")), route.to_owned()),
        None => {
            let route = address
                .query_pairs()
                .find(|(k, _)| k == "rest_route")
                .map(|(_, v)| v.trim_start_matches('/').to_owned())
                .unwrap_or_default();
            (Api::Query(root), route)
        }
    };
    match rest_route_post(&route) {
        Some((kind, id)) => Ok(AddressForm::Rest { api, kind, id }),
        None => Err(format!(
            "{address} is a REST address, but not of one post or page (`wp/v2/posts/ID` or \
             `wp/v2/pages/ID`)"
        )),
    }
}

/// `wp/v2/posts/5` → (posts, 5).
fn rest_route_post(route: &str) -> Option<(PostType, u64)> {
    let route = route.trim_end_matches('/');
    let (collection, id) = route.rsplit_once('/')?;
    let kind = [PostType::Posts, PostType::Pages]
        .into_iter()
        .find(|kind| kind.route() == collection)?;
    Some((kind, id.parse().ok()?))
}

/// The edit screen of one post: `…/wp-admin/post.php?post=5&action=edit`.
fn is_edit_screen(address: &Url) -> bool {
    address.path().ends_with("/wp-admin/post.php")
}

/// The site of a wp-admin address: `https://host/blog/wp-admin/post.php` → `https://host/blog/`.
fn admin_site(address: &Url) -> Option<Url> {
    let path = address.path();
    let at = path.find("/wp-admin/").or_else(|| {
        path.ends_with("/wp-admin")
            .then(|| path.len() - "/wp-admin".len())
    })?;
    let mut site = address.clone();
    site.set_path(&path[..=at]);
    site.set_query(None);
    site.set_fragment(None);
    Some(site)
}

/// `https://host/blog/index.php?p=5` → `https://host/blog/`.
fn site_of_query_address(address: &Url) -> Url {
    let mut site = address.clone();
    let folder = site
        .path()
        .rsplit_once('/')
        .map_or("", |(folder, _)| folder)
        .to_owned();
    site.set_path(&format!("{folder}/"));
    site.set_query(None);
    site.set_fragment(None);
    site
}

/// The site root of a REST API: before `/wp-json/`, or the `?rest_route=` base.
fn api_site_root(api: &Api) -> Url {
    match api {
        Api::Pretty(root) => rest_site_root(root.as_str()).unwrap_or_else(|| root.clone()),
        Api::Query(base) => base.clone(),
    }
}

/// Reads the REST index at a known API root.
async fn rest_index(client: &SiteClient, api: &Api) -> Result<serde_json::Value, String> {
    let url = api.url("", "");
    let answer = client
        .get_to_locate(&url)
        .await
        .map_err(|r| format!("{url}: {r}"))?;
    let index = (answer.status.is_success() && answer.is_json())
        .then(|| serde_json::from_slice::<serde_json::Value>(&answer.body).ok())
        .flatten()
        .filter(serde_json::Value::is_object);
    index.ok_or_else(|| {
        format!(
            "{url} answered {}, not a WordPress REST index",
            answer.describe()
        )
    })
}

/// A pretty permalink: the page's `Link` headers name the REST API and, since WordPress 5.5,
/// the post itself (`rel="alternate"; type="application/json"`). Without them, the API is
/// looked for at the address's origin and the post by the slug of the last path segment.
async fn locate_permalink(client: &SiteClient, address: &Url) -> Result<ApiFound, String> {
    let not_a_post =
        |why: String| format!("{address} is not the address of a WordPress post: {why}");
    let answer = client
        .get_to_locate(address.as_str())
        .await
        .map_err(|reason| not_a_post(format!("it could not be read: {reason}")))?;
    if !answer.status.is_success() {
        return Err(not_a_post(format!("it answered {}", answer.describe())));
    }
    let links = parse_links(&answer.links);
    let api_link = links
        .iter()
        .find(|link| link.rel == "https://api.w.org/")
        .and_then(|link| Url::parse(&link.target).ok());
    let (api, index) = match api_link {
        Some(root) => {
            let api = api_at(&root);
            let index = rest_index(client, &api).await.map_err(&not_a_post)?;
            (api, index)
        }
        None => {
            let origin = join(address, "/");
            let (api, index) = client.index(&origin).await.map_err(|reason| {
                not_a_post(format!(
                    "its page has no `Link: <…>; rel=\"https://api.w.org/\"` header, and {reason}"
                ))
            })?;
            (api, index)
        }
    };
    let site = api_site_root(&api);
    let alternate = links
        .iter()
        .find(|link| link.rel == "alternate" && link.kind.contains("json"))
        .and_then(|link| Url::parse(&link.target).ok());
    let wanted = match (preview_id(address)?, alternate) {
        (Some(id), _) => Wanted::Id(vec![PostType::Posts, PostType::Pages], id),
        (None, Some(rest)) => match classify(&rest) {
            Ok(AddressForm::Rest { kind, id, .. }) => Wanted::Id(vec![kind], id),
            _ => return Err(not_a_post(format!("the site says it is {rest}"))),
        },
        (None, None) => Wanted::Permalink {
            slug: last_segment(address)
                .ok_or_else(|| not_a_post("its path names no post".to_owned()))?,
            address: address.clone(),
        },
    };
    Ok(located(site, api, index, wanted))
}

/// The id of a published post's preview link (`/my-post/?preview_id=5&preview=true`), whose
/// path is the post's permalink: the site is found from its page like any permalink's.
fn preview_id(address: &Url) -> Result<Option<u64>, String> {
    let Some((_, value)) = address.query_pairs().find(|(k, _)| k == "preview_id") else {
        return Ok(None);
    };
    value
        .parse::<u64>()
        .map(Some)
        .map_err(|_| format!("{address}: `preview_id={value}` is not a post id (a whole number)"))
}

/// The API of a `rel="https://api.w.org/"` root: `https://host/wp-json/`, or
/// `https://host/?rest_route=/` when pretty permalinks are off.
fn api_at(root: &Url) -> Api {
    if root.query_pairs().any(|(k, _)| k == "rest_route") {
        let mut base = root.clone();
        base.set_query(None);
        Api::Query(base)
    } else {
        Api::Pretty(join(root, ""))
    }
}

/// The last non-empty segment of the path, percent-decoded: the post's slug.
fn last_segment(address: &Url) -> Option<String> {
    let segment = address.path_segments()?.rfind(|s| !s.is_empty())?;
    let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
    Some(decoded.into_owned())
}

/// One entry of a `Link` header: `<target>; rel="…"; type="…"`.
#[derive(Debug, PartialEq, Eq)]
struct Link {
    target: String,
    rel: String,
    kind: String,
}

/// The entries of `Link` header values (RFC 8288), enough for WordPress's: a target in angle
/// brackets, then `;`-separated parameters, entries separated by commas.
fn parse_links(values: &[String]) -> Vec<Link> {
    let mut links = Vec::new();
    for value in values {
        let mut rest = value.as_str();
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else {
                break;
            };
            let target = rest[start + 1..start + end].trim().to_owned();
            let after = &rest[start + end + 1..];
            let params_end = after.find(",").unwrap_or(after.len());
            let params = &after[..params_end];
            links.push(Link {
                target,
                rel: link_param(params, "rel"),
                kind: link_param(params, "type"),
            });
            rest = &after[params_end..];
        }
    }
    links
}

fn link_param(params: &str, name: &str) -> String {
    params
        .split(';')
        .filter_map(|param| param.split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .unwrap_or_default()
}

/// What fetching the wanted posts gave: the posts, and what went wrong.
#[derive(Default)]
pub struct Fetched {
    pub pages: Vec<Page>,
    pub errors: Vec<String>,
}

/// Fetches the wanted posts (not `Wanted::Every`, which is paged by the caller).
pub async fn fetch_wanted(
    client: &SiteClient,
    api: &Api,
    request: &SiteRequest,
    wanted: &Wanted,
) -> Fetched {
    let asker = Asker {
        client,
        api,
        request,
    };
    let mut fetched = Fetched::default();
    let mut keep = |result: Result<Page, String>| match result {
        Ok(page) => fetched.pages.push(page),
        Err(reason) => fetched.errors.push(reason),
    };
    match wanted {
        Wanted::Every => {}
        Wanted::Refs(refs) => {
            for post in refs {
                keep(asker.by_ref(post).await);
            }
        }
        Wanted::Id(kinds, id) => keep(asker.by_id(kinds, *id).await),
        Wanted::Permalink { slug, address } => keep(asker.by_permalink(slug, address).await),
    }
    fetched
}

/// Asks one site for single posts.
struct Asker<'a> {
    client: &'a SiteClient,
    api: &'a Api,
    request: &'a SiteRequest,
}

/// `GET route/ID` found nothing of that type: try the next.
pub(super) const NOT_FOUND_CODES: [&str; 2] = ["rest_post_invalid_id", "rest_no_route"];

impl Asker<'_> {
    async fn by_ref(&self, post: &PostRef) -> Result<Page, String> {
        match post {
            PostRef::Id(id) => self.by_id(&self.kinds(), *id).await,
            PostRef::Slug(slug) => {
                let mut tried = Vec::new();
                for kind in self.kinds() {
                    match self.by_slug(kind, slug).await? {
                        Some((page, _)) => return Ok(page),
                        None => tried.push(self.slug_name(kind, slug)),
                    }
                }
                Err(format!(
                    "no post has the slug `{slug}`{}: {} answered none",
                    self.status_note(),
                    tried.join(" and ")
                ))
            }
        }
    }

    /// The types a named post is looked for among: `--type`, then pages (an editor names a
    /// page as readily as a post).
    fn kinds(&self) -> Vec<PostType> {
        let mut kinds = self.request.types.clone();
        if !kinds.contains(&PostType::Pages) {
            kinds.push(PostType::Pages);
        }
        kinds
    }

    /// ` (published)` when drafts cannot be seen, for messages.
    fn status_note(&self) -> &'static str {
        if self.status().is_none() {
            " among published posts (drafts need --user)"
        } else {
            ""
        }
    }

    /// `context=edit` with credentials: the content as the editor wrote it, as well.
    fn context(&self) -> &'static str {
        if self.request.credentials.is_some() {
            "context=edit"
        } else {
            ""
        }
    }

    /// The statuses a slug is looked up among: `--status`, else any when signed in (the post
    /// was named, so a draft is meant too), else published ones.
    fn status(&self) -> Option<String> {
        let signed_in = self.request.credentials.is_some();
        self.request
            .status
            .clone()
            .or_else(|| signed_in.then(|| "any".to_owned()))
    }

    async fn by_id(&self, kinds: &[PostType], id: u64) -> Result<Page, String> {
        let mut tried = Vec::new();
        for &kind in kinds {
            let route = format!("{}/{id}", kind.route());
            let name = self.api.url(&route, "");
            let answer = self
                .client
                .get(&self.api.url(&route, self.context()))
                .await
                .map_err(|reason| format!("{name}: {reason}"))?;
            let code = answer.rest_error_code().unwrap_or_default();
            if answer.status.as_u16() == 404 && NOT_FOUND_CODES.contains(&code.as_str()) {
                tried.push(format!("{name} answered 404 ({code})"));
                continue;
            }
            if matches!(answer.status.as_u16(), 401 | 403) {
                return Err(format!(
                    "{name} answered {} ({code}): a draft, scheduled or private post needs --user \
                     and an application password in {}",
                    answer.describe(),
                    super::PASSWORD_VARIABLE
                ));
            }
            if !answer.status.is_success() || !answer.is_json() {
                return Err(format!(
                    "{name}: the site answered {}, not a post",
                    answer.describe()
                ));
            }
            return Ok(single_page(
                kind,
                name,
                format!("{}-{id}", kind.name()),
                answer.body,
            ));
        }
        Err(format!("there is no post {id}: {}", tried.join("; ")))
    }

    fn slug_name(&self, kind: PostType, slug: &str) -> String {
        let encoded: String = url::form_urlencoded::byte_serialize(slug.as_bytes()).collect();
        self.api.url(&kind.route(), &format!("slug={encoded}"))
    }

    /// `GET route?slug=…`: the answer (an array) and the posts in it, or `None` when empty.
    async fn by_slug(
        &self,
        kind: PostType,
        slug: &str,
    ) -> Result<Option<(Page, Vec<SlugMatch>)>, String> {
        let name = self.slug_name(kind, slug);
        let mut url = name.clone();
        if let Some(status) = self.status() {
            url.push_str(&format!("&status={status}"));
        }
        if !self.context().is_empty() {
            url.push_str(&format!("&{}", self.context()));
        }
        let answer = self
            .client
            .get(&url)
            .await
            .map_err(|reason| format!("{name}: {reason}"))?;
        if !answer.status.is_success() || !answer.is_json() {
            return Err(format!(
                "{name}: the site answered {}, not a list of posts",
                answer.describe()
            ));
        }
        let posts: Vec<SlugMatch> = serde_json::from_slice(&answer.body)
            .map_err(|e| format!("{name}: the answer is not a list of posts: {e}"))?;
        let Some(first) = posts.first() else {
            return Ok(None);
        };
        let stem = match posts.len() {
            1 => format!("{}-{}", kind.name(), first.id),
            _ => format!("{}-slug-{slug}", kind.name()),
        };
        Ok(Some((single_page(kind, name, stem, answer.body), posts)))
    }

    /// The post whose slug is the address's last segment and whose `link` is the address;
    /// when several share the slug (pages under different parents), that one is fetched by id.
    async fn by_permalink(&self, slug: &str, address: &Url) -> Result<Page, String> {
        let mut seen = Vec::new();
        for kind in [PostType::Posts, PostType::Pages] {
            let Some((page, posts)) = self.by_slug(kind, slug).await? else {
                seen.push(format!("{} answered none", self.slug_name(kind, slug)));
                continue;
            };
            let matching = posts.iter().find(|p| same_address(&p.link, address));
            match matching {
                Some(_) if posts.len() == 1 => return Ok(page),
                Some(post) => return self.by_id(&[kind], post.id).await,
                None => seen.extend(
                    posts
                        .iter()
                        .map(|p| format!("post {} is at {}", p.id, p.link)),
                ),
            }
        }
        Err(format!(
            "{address} is not the address of a WordPress post: no post's link is that address \
             (the slug `{slug}`: {})",
            seen.join("; ")
        ))
    }
}

/// The fields of a slug lookup's answer that tell which post is meant.
#[derive(serde::Deserialize)]
struct SlugMatch {
    id: u64,
    #[serde(default)]
    link: String,
}

fn single_page(kind: PostType, name: String, file_stem: String, body: Vec<u8>) -> Page {
    Page {
        kind,
        number: 0,
        file_stem,
        name,
        bytes: body.into(),
    }
}

/// Whether a post's `link` is the address given, whatever the scheme (a site moved to https),
/// a trailing slash or the percent-encoding of the path (`%ED%95%9C` or `한`).
fn same_address(link: &str, address: &Url) -> bool {
    let Ok(link) = Url::parse(link) else {
        return false;
    };
    let key = |url: &Url| {
        let path = percent_encoding::percent_decode_str(url.path())
            .decode_utf8_lossy()
            .trim_end_matches('/')
            .to_lowercase();
        (
            url.host_str().map(str::to_ascii_lowercase),
            url.port_or_known_default().filter(|_| url.port().is_some()),
            path,
            url.query().map(str::to_owned),
        )
    };
    key(&link) == key(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a url")
    }

    #[test]
    fn ids_and_slugs_are_told_apart() {
        assert_eq!(PostRef::parse("5"), Ok(PostRef::Id(5)));
        assert_eq!(
            PostRef::parse("my-post"),
            Ok(PostRef::Slug("my-post".into()))
        );
        assert!(PostRef::parse(" ").is_err());
    }

    #[test]
    fn addresses_that_name_the_post_need_no_page() {
        let form = |text: &str| match classify(&url(text)) {
            Ok(AddressForm::Rest { api, kind, id }) => {
                format!("rest {} {kind:?} {id}", api.url("", ""))
            }
            Ok(AddressForm::Id { site, kinds, id }) => format!("id {site} {kinds:?} {id}"),
            Ok(AddressForm::Permalink) => "permalink".to_owned(),
            Err(e) => format!("error {e}"),
        };
        assert_eq!(
            form("https://news.example.com/wp-json/wp/v2/posts/5"),
            "rest https://news.example.com/wp-json/ Posts 5"
        );
        assert_eq!(
            form("https://news.example.com/es/?rest_route=/wp/v2/pages/7"),
            "rest https://news.example.com/es/?rest_route=/ Pages 7"
        );
        assert_eq!(
            form("https://news.example.com/blog/?p=5"),
            "id https://news.example.com/blog/ [Posts, Pages] 5"
        );
        assert_eq!(
            form("https://news.example.com/index.php?page_id=7"),
            "id https://news.example.com/ [Pages] 7"
        );
        assert_eq!(
            form("https://news.example.com/blog/wp-admin/post.php?post=10&action=edit"),
            "id https://news.example.com/blog/ [Posts, Pages] 10"
        );
        assert_eq!(
            form("https://news.example.com/?p=10&preview=true"),
            "id https://news.example.com/ [Posts, Pages] 10"
        );
        assert_eq!(
            form("https://news.example.com/my-post/?preview_id=10&preview=true"),
            "permalink"
        );
        assert!(
            form("https://news.example.com/wp-admin/edit.php?post_type=page")
                .contains("not the edit screen")
        );
        assert_eq!(
            form("https://news.example.com/2024/07/15/my-post/"),
            "permalink"
        );
        assert!(form("https://news.example.com/wp-json/wp/v2/posts?slug=a").starts_with("error"));
        assert!(form("https://news.example.com/?p=five").contains("not a post id"));
    }

    #[test]
    fn wordpress_link_headers_are_read() {
        let links = parse_links(&[
            "<http://127.0.0.1:8081/wp-json/>; rel=\"https://api.w.org/\"".to_owned(),
            "<http://127.0.0.1:8081/wp-json/wp/v2/posts/6>; rel=\"alternate\"; type=\"application/json\", <http://127.0.0.1:8081/?p=6>; rel=shortlink".to_owned(),
        ]);
        let seen: Vec<(&str, &str, &str)> = links
            .iter()
            .map(|l| (l.target.as_str(), l.rel.as_str(), l.kind.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("http://127.0.0.1:8081/wp-json/", "https://api.w.org/", ""),
                (
                    "http://127.0.0.1:8081/wp-json/wp/v2/posts/6",
                    "alternate",
                    "application/json"
                ),
                ("http://127.0.0.1:8081/?p=6", "shortlink", ""),
            ]
        );
    }

    #[test]
    fn a_link_is_the_address_whatever_its_scheme_slash_or_encoding() {
        let address = url("https://news.example.com/2024/07/%ED%95%9C");
        assert!(same_address(
            "http://news.example.com/2024/07/%ed%95%9c/",
            &address
        ));
        assert!(same_address(
            "https://news.example.com/2024/07/한/",
            &address
        ));
        assert!(!same_address(
            "https://news.example.com/2023/07/%ed%95%9c/",
            &address
        ));
        assert!(!same_address(
            "https://other.example.com/2024/07/%ed%95%9c/",
            &address
        ));
    }

    #[test]
    fn the_slug_is_the_last_segment() {
        assert_eq!(
            last_segment(&url("https://news.example.com/2024/07/15/my-post/")),
            Some("my-post".to_owned())
        );
        assert_eq!(last_segment(&url("https://news.example.com/")), None);
    }
}
