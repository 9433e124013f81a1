//! The guard for private addresses: content from many authors, and the answers of servers
//! nobody vouches for, must not turn CI into a way into its own network. The address is judged
//! first (`refusal_by_address`), then what its name resolves to: at connection time by the
//! guarded DNS resolver, or before an address is written into a post (`refusal`).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Why an address may not be reached or linked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("`{0}:` is neither http nor https")]
    Scheme(String),
    #[error("the address has no host")]
    NoHost,
    #[error("{0} is a private or loopback address (--allow-private allows it)")]
    PrivateAddress(IpAddr),
    #[error("`{0}` names this machine (--allow-private allows it)")]
    ThisMachine(String),
    #[error(
        "`{name}` resolves to {address}, a private or loopback address (--allow-private allows it)"
    )]
    ResolvesPrivate { name: String, address: IpAddr },
    #[error("`{name}` could not be resolved: {reason}")]
    Unresolved { name: String, reason: String },
}

/// What the address alone forbids: a scheme other than http and https, an IP literal of this
/// machine or a private network (in any spelling the URL parser accepts: `2130706433`,
/// `0x7f.1`, `[::ffff:127.0.0.1]`), or a name of this machine (`localhost`, `localhost.`,
/// `*.localhost`, which resolvers answer locally). A name may still resolve to a private
/// address: `refusal` asks, and so does the guarded resolver when a client connects.
pub fn refusal_by_address(url: &Url, allow_private: bool) -> Option<Refusal> {
    if !matches!(url.scheme(), "http" | "https") {
        return Some(Refusal::Scheme(url.scheme().to_owned()));
    }
    let host = match url.host() {
        Some(host) => host,
        None => return Some(Refusal::NoHost),
    };
    if allow_private {
        return None;
    }
    let ip = match host {
        Host::Ipv4(v4) => IpAddr::V4(v4),
        Host::Ipv6(v6) => IpAddr::V6(v6),
        Host::Domain(name) => {
            let bare = name.trim_end_matches('.').to_ascii_lowercase();
            let local = bare == "localhost" || bare.ends_with(".localhost");
            return local.then(|| Refusal::ThisMachine(name.to_owned()));
        }
    };
    (!is_public(ip)).then_some(Refusal::PrivateAddress(ip))
}

/// `refusal_by_address`, then every address the name resolves to must be public (one private
/// answer is enough to refuse), within `bound`. For an address written rather than requested
/// (an archived copy offered as a fix): no connection will check it.
pub async fn refusal(url: &Url, allow_private: bool, bound: Duration) -> Option<Refusal> {
    if let Some(refusal) = refusal_by_address(url, allow_private) {
        return Some(refusal);
    }
    match url.host() {
        Some(Host::Domain(name)) if !allow_private => resolved_refusal(name, bound).await,
        _ => None,
    }
}

async fn resolved_refusal(name: &str, bound: Duration) -> Option<Refusal> {
    let unresolved = |reason: String| Refusal::Unresolved {
        name: name.to_owned(),
        reason,
    };
    let lookup = tokio::net::lookup_host((name, 0));
    let addresses: Vec<IpAddr> = match tokio::time::timeout(bound, lookup).await {
        Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
        Ok(Err(error)) => return Some(unresolved(error.to_string())),
        Err(_) => return Some(unresolved(format!("no answer within {bound:?}"))),
    };
    refusal_of_resolved(name, &addresses)
}

/// A name is safe when it resolves, and only to public addresses.
fn refusal_of_resolved(name: &str, addresses: &[IpAddr]) -> Option<Refusal> {
    if addresses.is_empty() {
        return Some(Refusal::Unresolved {
            name: name.to_owned(),
            reason: "no address".to_owned(),
        });
    }
    let private = addresses.iter().find(|ip| !is_public(**ip))?;
    Some(Refusal::ResolvesPrivate {
        name: name.to_owned(),
        address: *private,
    })
}

/// Resolves names and drops loopback, private, link-local and multicast addresses unless
/// allowed: the connection can only go where this says, so DNS cannot get around the rule.
pub struct GuardedResolver {
    allow_private: bool,
}

impl GuardedResolver {
    pub fn new(allow_private: bool) -> Self {
        Self { allow_private }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!(
                    "refused: {host} resolves only to private or loopback addresses"
                )
                .into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// Not loopback, private, link-local, multicast or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 0
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_multicast()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
                // `::ffff:a.b.c.d` and the older `::a.b.c.d` carry an IPv4 address, and so
                // does NAT64's well-known prefix `64:ff9b::a.b.c.d`, which a translator on
                // the network turns into that IPv4 address.
                && v6.to_ipv4().is_none_or(|v4| is_public(IpAddr::V4(v4)))
                && nat64_ipv4(v6).is_none_or(|v4| is_public(IpAddr::V4(v4)))
        }
    }
}

/// The IPv4 address in NAT64's well-known prefix (`64:ff9b::/96`, RFC 6052).
fn nat64_ipv4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = v6.segments();
    (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]).then(|| {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        std::net::Ipv4Addr::new(a, b, c, d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        let public = |text: &str| is_public(text.parse().expect("an address"));
        assert!(public("93.184.216.34"));
        assert!(public("2606:2800:220:1:248:1893:25c8:1946"));
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::10.0.0.1",
        ] {
            assert!(!public(private), "{private}");
        }
    }

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a url")
    }

    #[test]
    fn this_machine_and_private_networks_are_refused_in_every_spelling() {
        for address in [
            "http://127.0.0.1:8080/x",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://127.1/",
            "http://[::1]/",
            "http://[::ffff:7f00:1]/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://copy.localhost/",
            "http://a.b.localhost./",
        ] {
            let refusal = refusal_by_address(&url(address), false);
            assert!(
                matches!(
                    refusal,
                    Some(Refusal::PrivateAddress(_) | Refusal::ThisMachine(_))
                ),
                "{address}: {refusal:?}"
            );
            assert_eq!(refusal_by_address(&url(address), true), None, "{address}");
        }
        for address in ["javascript:alert(1)", "file:///etc/passwd", "data:,x"] {
            let refusal = refusal_by_address(&url(address), true);
            assert!(matches!(refusal, Some(Refusal::Scheme(_))), "{address}");
        }
        for address in [
            "https://web.archive.org/web/2019/x",
            "http://93.184.216.34/",
        ] {
            assert_eq!(refusal_by_address(&url(address), false), None, "{address}");
        }
        assert_eq!(
            refusal_by_address(&url("http://localhost.example.com/"), false),
            None,
            "a public name that merely starts with localhost"
        );
    }

    #[test]
    fn a_name_is_safe_only_when_every_address_it_resolves_to_is_public() {
        let ip = |text: &str| -> IpAddr { text.parse().expect("an address") };
        let nip = "127.0.0.1.nip.io";
        assert_eq!(
            refusal_of_resolved(nip, &[ip("127.0.0.1")]),
            Some(Refusal::ResolvesPrivate {
                name: nip.to_owned(),
                address: ip("127.0.0.1")
            })
        );
        let mixed = refusal_of_resolved("rebind.example", &[ip("93.184.216.34"), ip("10.0.0.7")]);
        assert!(
            matches!(mixed, Some(Refusal::ResolvesPrivate { .. })),
            "{mixed:?}"
        );
        assert_eq!(
            refusal_of_resolved("example.com", &[ip("93.184.216.34")]),
            None
        );
        assert!(matches!(
            refusal_of_resolved("nothing.example", &[]),
            Some(Refusal::Unresolved { .. })
        ));
    }

    #[tokio::test]
    async fn names_are_resolved_before_they_are_judged() {
        // `localhost` is in every hosts file: the resolver's answer, not its spelling, refuses.
        let local = resolved_refusal("localhost", Duration::from_secs(5)).await;
        assert!(
            matches!(local, Some(Refusal::ResolvesPrivate { .. })),
            "{local:?}"
        );
        let unknown = resolved_refusal("no-such-host.invalid", Duration::from_secs(5)).await;
        assert!(
            matches!(unknown, Some(Refusal::Unresolved { .. })),
            "{unknown:?}"
        );
        let message = refusal(&url("http://[::1]:9/"), false, Duration::from_secs(1))
            .await
            .map(|r| r.to_string());
        assert_eq!(
            message.as_deref(),
            Some("::1 is a private or loopback address (--allow-private allows it)")
        );
    }
}
