//! What the rules about `http://` addresses share: a host that HTTPS would not help.

use url::Host;

use crate::site_root::development_host;

/// Whether https would leave a host as unreachable as it is: a development host, or a name
/// without a dot. Dotless names are not reported here: in real posts they are typos such as
/// `http://http://…`, not an editor's environment. `link-insecure` leaves all of them alone.
pub(crate) fn https_would_not_help(host: &Host<&str>) -> bool {
    let dotless = matches!(host, Host::Domain(name) if !name.trim_end_matches('.').contains('.'));
    dotless || development_host(host).is_some()
}
