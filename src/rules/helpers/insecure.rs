//! What the rules about `http://` addresses share: a host that HTTPS would not help, and the
//! options of `link-insecure`, which `mixed-content` reads to leave it what it reports.

use serde::Deserialize;
use url::Host;

use crate::site_root::development_host;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Options {
    /// Report every `http:` link, not only those to the site's own and https-only hosts.
    pub any_http: bool,
}

/// Whether https would leave a host as unreachable as it is: a development host, or a name
/// without a dot. Dotless names are not reported here: in real posts they are typos such as
/// `http://http://…`, not an editor's environment. `link-insecure` leaves all of them alone.
pub(crate) fn https_would_not_help(host: &Host<&str>) -> bool {
    let dotless = matches!(host, Host::Domain(name) if !name.trim_end_matches('.').contains('.'));
    dotless || development_host(host).is_some()
}
