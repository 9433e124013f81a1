//! The site facts that stayed packed in memory, read in shares of the sites: each share
//! decodes its own sites' facts on the thread that runs its rules, so that no one thread
//! decodes every post while the others wait for it.

use std::sync::Arc;

use super::{Buffer, Merge, NO_SITE, Record, Source, decode};
use crate::site::PostFacts;

/// The sites of the facts, numbered in the site phase's order, and the facts in shares of them.
pub struct Shares {
    /// The sites' names by their number: the order they first come in.
    pub sites: Vec<String>,
    pub shares: Vec<Share>,
}

/// The posts of one share of the sites (`site % shares == share`), in the site phase's order,
/// each with its site's number and decoded only as it is read.
pub struct Share {
    sorted: Arc<Sorted>,
    share: usize,
    shares: usize,
    next: usize,
    /// The first post whose facts could not be read back, if any (it is left out).
    pub error: Option<String>,
}

/// The packed facts every share reads, sorted; each record's site is its number in the site
/// phase's order (`NO_SITE`: left out) and its file its report.
struct Sorted {
    chunks: Vec<Vec<u8>>,
    records: Vec<Record>,
}

impl Merge {
    /// The facts in `shares` shares of the sites, when they stayed packed in memory; `None`
    /// when they are merged from sorted runs on disk, which one reader merges in order.
    pub fn shares(&mut self, shares: usize) -> Option<Shares> {
        let Source::Buffer(buffer) = &mut self.records else {
            return None;
        };
        let Buffer {
            chunks,
            records,
            names,
        } = std::mem::replace(buffer, Buffer::empty());
        // No copy: the iterator's vector, which nothing has read from yet.
        let mut records: Vec<Record> = records.collect();
        let sites = number_sites(&mut records, &names, &self.reports);
        let sorted = Arc::new(Sorted { chunks, records });
        let shares = shares.max(1);
        Some(Shares {
            sites,
            shares: (0..shares)
                .map(|share| Share {
                    sorted: sorted.clone(),
                    share,
                    shares,
                    next: 0,
                    error: None,
                })
                .collect(),
        })
    }
}

impl Buffer {
    fn empty() -> Self {
        Self {
            chunks: Vec::new(),
            records: Vec::new().into_iter(),
            names: Vec::new(),
        }
    }
}

/// Numbers the sites of the sorted `records` as the site phase meets them, in place: a record
/// of an input that gave no report, or of a post without a site, is left out (`NO_SITE`), as
/// the merge leaves it out; the others are given their report. Returns the sites' names.
fn number_sites(
    records: &mut [Record],
    names: &[String],
    reports: &[Option<usize>],
) -> Vec<String> {
    let mut sites = Vec::new();
    let mut last = None;
    for record in records {
        let report = reports.get(record.file).copied().flatten();
        let (Some(report), Some(name)) = (report, names.get(record.site as usize)) else {
            record.site = NO_SITE;
            continue;
        };
        if last != Some(record.site) {
            last = Some(record.site);
            sites.push(name.clone());
        }
        record.file = report;
        record.site = u32::try_from(sites.len() - 1).unwrap_or(NO_SITE);
    }
    sites
}

impl Iterator for Share {
    type Item = (usize, PostFacts);

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(record) = self.sorted.records.get(self.next) {
            self.next += 1;
            if record.site == NO_SITE || record.site as usize % self.shares != self.share {
                continue;
            }
            let facts = decode(&self.sorted.chunks, record)
                .and_then(|wire| wire.restore(record.file, |post| Arc::new(post.restore())));
            match facts {
                Ok(facts) => return Some((record.site as usize, facts)),
                Err(error) => {
                    self.error.get_or_insert(error);
                }
            }
        }
        None
    }
}
