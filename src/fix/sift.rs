//! Finding which of many fixes fail a check (a relint, a reader's page) when they fail it
//! together, by halves and within a bounded number of checks: trying them one at a time would
//! check the whole file once per fix, quadratic in a file with thousands of them.

use crate::diagnostic::Fix;

/// How many bytes the checks of one search may cover in all (each reads the whole file): about
/// a second and a half of relinting.
const SEARCH_BYTES: usize = 16 << 20;
/// Enough to find a bad fix among a hundred thousand (it costs about twice log2 n checks).
const MIN_CHECKS: usize = 36;
const MAX_CHECKS: usize = 1024;

/// How many checks a search over a file of `len` bytes may make.
pub(super) fn checks_for(len: usize) -> usize {
    (SEARCH_BYTES / len.max(1)).clamp(MIN_CHECKS, MAX_CHECKS)
}

/// What a search made of its candidates.
pub(super) struct Sifted<'f> {
    /// The fixes it started from, then the candidates that passed, in the order they did.
    pub kept: Vec<&'f Fix>,
    /// The candidates that failed on their own, with why.
    pub dropped: Vec<(&'f Fix, String)>,
    /// How many candidates were left out untried when the checks ran out.
    pub untried: usize,
}

impl Sifted<'_> {
    /// The note on the fixes left out untried, when there were some.
    pub fn untried_note(&self, checks: usize) -> Option<String> {
        (self.untried > 0).then(|| {
            format!(
                "{} fixes left out untried: some of this file's fixes fail together, and \
                 telling which would take more than {checks} checks of the whole file",
                self.untried
            )
        })
    }
}

/// Adds to `kept` the candidates that `fails` finds nothing against (it tells why a set of
/// fixes fails, or `None`), by halves: a group that passes joins at once, one that fails is
/// split, so a few bad fixes among n cost a few times log2 n checks. At most `checks` checks
/// are made; what is left then is left out, counted in `untried`.
pub(super) fn sift<'f>(
    kept: Vec<&'f Fix>,
    candidates: &[&'f Fix],
    checks: usize,
    mut fails: impl FnMut(&[&'f Fix]) -> Option<String>,
) -> Sifted<'f> {
    let mut sifted = Sifted {
        kept,
        dropped: Vec::new(),
        untried: 0,
    };
    let mut left = checks;
    // Left halves are popped first, so fixes are tried in their order.
    let mut groups = vec![candidates];
    while let Some(group) = groups.pop() {
        if group.is_empty() {
            continue;
        }
        if left == 0 {
            sifted.untried += group.len();
            continue;
        }
        left -= 1;
        let mut trial = sifted.kept.clone();
        trial.extend_from_slice(group);
        match (fails(&trial), group) {
            (None, _) => sifted.kept = trial,
            (Some(why), [fix]) => sifted.dropped.push((fix, why)),
            (Some(_), _) => {
                let (first, second) = group.split_at(group.len() / 2);
                groups.push(second);
                groups.push(first);
            }
        }
    }
    sifted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Applicability, Edit};

    fn fixes(n: usize) -> Vec<Fix> {
        (0..n)
            .map(|i| Fix {
                applicability: Applicability::Safe,
                message: format!("fix {i}").into(),
                edits: vec![Edit::delete(i..i + 1)],
            })
            .collect()
    }

    fn is_bad(fix: &Fix) -> bool {
        [3, 700, 701, 65_000].contains(&fix.edits[0].range.start)
    }

    #[test]
    fn a_few_bad_fixes_among_many_cost_a_few_checks_each() {
        let all = fixes(100_000);
        let candidates: Vec<&Fix> = all.iter().collect();
        let mut made = 0;
        let sifted = sift(Vec::new(), &candidates, 200, |trial| {
            made += 1;
            trial.iter().any(|f| is_bad(f)).then(|| "bad".to_owned())
        });
        let dropped: Vec<usize> = sifted
            .dropped
            .iter()
            .map(|(f, _)| f.edits[0].range.start)
            .collect();
        assert_eq!(dropped, [3, 700, 701, 65_000]);
        assert_eq!(sifted.kept.len(), 100_000 - 4);
        assert_eq!(sifted.untried, 0);
        assert!(made < 4 * 2 * 17, "{made} checks");
    }

    #[test]
    fn when_the_checks_run_out_the_rest_is_left_out_and_counted() {
        let all = fixes(1_000);
        let candidates: Vec<&Fix> = all.iter().collect();
        let mut made = 0;
        let sifted = sift(Vec::new(), &candidates, 10, |_| {
            made += 1;
            Some("every fix is bad".to_owned())
        });
        assert_eq!(made, 10);
        assert!(sifted.kept.is_empty());
        assert_eq!(sifted.dropped.len() + sifted.untried, 1_000);
        assert!(
            sifted
                .untried_note(10)
                .is_some_and(|n| n.contains("more than 10 checks"))
        );
    }
}
