//! Which target the remote checker starts next. A check is a task whose future holds a whole
//! request (a few KB): spawning one per target up front held 100,000 of them for a run of
//! 100,000 URLs. Targets wait here instead, one queue per server, and a task is started only for
//! a server with room, taking the servers in turn, so that targets written grouped by server
//! (a site's own pages, a photo host) do not hold the room the other servers could use.

use std::collections::{HashMap, VecDeque};

use url::Url;

/// A server: name and port (test servers share 127.0.0.1).
pub(super) fn server_of(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

struct Server<T> {
    waiting: VecDeque<T>,
    started: usize,
}

/// Targets by server, handed out in turn to at most `per_server` live checks each.
pub(super) struct ServerQueues<T> {
    servers: Vec<Server<T>>,
    /// Servers with targets waiting and room for another check, in the order they get a turn.
    turns: VecDeque<usize>,
    per_server: usize,
}

impl<T> ServerQueues<T> {
    /// Queues `items` by the server `server` names, keeping their order within a server.
    pub(super) fn new(
        items: impl IntoIterator<Item = T>,
        server: impl Fn(&T) -> String,
        per_server: usize,
    ) -> Self {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut servers: Vec<Server<T>> = Vec::new();
        for item in items {
            let next = servers.len();
            let at = *index.entry(server(&item)).or_insert(next);
            if at == next {
                servers.push(Server {
                    waiting: VecDeque::new(),
                    started: 0,
                });
            }
            servers[at].waiting.push_back(item);
        }
        Self {
            turns: (0..servers.len()).collect(),
            servers,
            per_server: per_server.max(1),
        }
    }

    /// The next target to start and its server's number, from the next server with room.
    pub(super) fn start_next(&mut self) -> Option<(usize, T)> {
        let at = self.turns.pop_front()?;
        let server = &mut self.servers[at];
        let item = server.waiting.pop_front()?;
        server.started += 1;
        if !server.waiting.is_empty() && server.started < self.per_server {
            self.turns.push_back(at);
        }
        Some((at, item))
    }

    /// A check of server `at` ended: the server has room again.
    pub(super) fn finished(&mut self, at: usize) {
        let Some(server) = self.servers.get_mut(at) else {
            return;
        };
        let was_full = server.started == self.per_server;
        server.started = server.started.saturating_sub(1);
        if was_full && !server.waiting.is_empty() {
            self.turns.push_back(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queues(
        items: &[(&'static str, u32)],
        per_server: usize,
    ) -> ServerQueues<(&'static str, u32)> {
        ServerQueues::new(items.iter().copied(), |(s, _)| (*s).to_owned(), per_server)
    }

    #[test]
    fn servers_take_turns_whatever_the_order_of_the_targets() {
        let mut q = queues(&[("a", 1), ("a", 2), ("a", 3), ("b", 4), ("b", 5)], 5);
        let order: Vec<u32> = std::iter::from_fn(|| q.start_next())
            .map(|(_, (_, n))| n)
            .collect();
        assert_eq!(order, [1, 4, 2, 5, 3]);
    }

    #[test]
    fn a_full_server_waits_until_one_of_its_checks_ends() {
        let mut q = queues(&[("a", 1), ("a", 2), ("a", 3), ("b", 4)], 2);
        let started: Vec<u32> = std::iter::from_fn(|| q.start_next())
            .map(|(_, (_, n))| n)
            .collect();
        assert_eq!(started, [1, 4, 2]);
        q.finished(1); // b's check: a is still full
        assert!(q.start_next().is_none());
        q.finished(0);
        assert_eq!(q.start_next().map(|(at, (_, n))| (at, n)), Some((0, 3)));
        assert!(q.start_next().is_none());
    }

    #[test]
    fn a_server_is_its_host_and_port() {
        let url = |s| Url::parse(s).expect("a URL");
        assert_eq!(server_of(&url("https://a.example/x")), "a.example:443");
        assert_eq!(server_of(&url("http://127.0.0.1:8080/")), "127.0.0.1:8080");
    }
}
