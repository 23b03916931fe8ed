//! How the overview reads its queries, pure (the browser sends what it says:
//! `components::overview`).
//!
//! A query is a chain of pages, each page's `@odata.nextLink` the next one. Read one
//! after the other, the tenant's longest query (its delivered requests, most of a tenant)
//! is hundreds of round trips in a row. So the first pages of every query are read
//! together, and a tenant-wide query whose first page says there is more is read again
//! per access package (`accessPackage/id eq`, documented): its chains then advance side by
//! side, [`BATCH`] pages to a `$batch` call. Its first page's rows are not lost, and are
//! not counted twice ([`super::Tally`] skips a request it has seen).
//!
//! ```
//! use access_desk::graph::resources::Clause;
//! use access_desk::ids::Guid;
//! use access_desk::overview::reading::{Job, Reading};
//! let url = |q: &[Clause]| format!("q{}", q.len());
//! let mut r = Reading::new(vec![(0, vec![Clause::state("delivered")])], Some("pkgs".into()), url);
//! // The package list first, with the first pages.
//! let jobs = r.take();
//! assert!(matches!(&jobs[0], Job::Packages(u) if u == "pkgs"));
//! r.packages_read(Some(vec![Guid::parse("8b0a3f1e-0000-4000-8000-000000000001").unwrap()]));
//! // The delivered requests have more: read again for the one package.
//! r.page_read(&jobs[1], Some("q1?next".into()));
//! let next = r.take();
//! assert!(matches!(&next[..], [Job::Page { url, split: None, .. }] if url == "q2"));
//! ```

use std::collections::VecDeque;

use crate::graph::resources::Clause;
use crate::ids::Guid;

/// Pages in one `$batch` call: Graph's limit.
pub const BATCH: usize = crate::bulk::BATCH_SIZE;

/// `$batch` calls in flight at once, as a bulk run keeps.
pub const CONCURRENCY: usize = crate::bulk::CONCURRENCY;

/// The most access packages a long query is read across. Past it, a first page per
/// package would cost more calls than the side-by-side chains save, and the query is read
/// as one chain.
pub const SPLIT_MAX: usize = 50;

/// Times a page is asked for again after Graph failed it (503, 504, no answer), before the
/// overview gives up on it. A throttled page (429) is not counted: Graph said when to
/// come back, and with many chains side by side a page may wait its turn several times.
pub const MAX_TRIES: u32 = 6;

/// One Graph call of the overview.
#[derive(Clone, Debug, PartialEq)]
pub enum Job {
    /// The tenant's access packages, for the split (`$select=id`).
    Packages(String),
    /// A page of requests, counted for `scope`. `split`: the clauses of a tenant-wide
    /// query whose first page this is (None: not to be split).
    Page {
        scope: usize,
        url: String,
        split: Option<Vec<Clause>>,
        tries: u32,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Packages {
    /// Not read yet: a long query waits for them before it goes on.
    Unknown,
    Known(Vec<Guid>),
    /// Too many, unreadable, or not asked for: long queries are read as one chain.
    NotSplit,
}

/// Builds the URL of a query's first page from its clauses.
type UrlOf = Box<dyn Fn(&[Clause]) -> String>;

/// What is left to read.
pub struct Reading {
    queue: VecDeque<Job>,
    /// The URL of a page of requests that match clauses (a query's first page).
    url_of: UrlOf,
    packages: Packages,
    /// Long tenant-wide queries waiting for the package list: (their first page, its next
    /// link).
    held: Vec<(Job, String)>,
}

impl Reading {
    /// The first pages of `queries` (`(scope, clauses)`, their URL by `url_of`), with the
    /// package list at `packages` first when the long ones may be split (None: they are
    /// not, as for a manager who counts package by package already).
    pub fn new(
        queries: Vec<(usize, Vec<Clause>)>,
        packages: Option<String>,
        url_of: impl Fn(&[Clause]) -> String + 'static,
    ) -> Reading {
        let splits = packages.is_some();
        let mut queue: VecDeque<Job> = packages.map(Job::Packages).into_iter().collect();
        queue.extend(queries.into_iter().map(|(scope, q)| Job::Page {
            scope,
            url: url_of(&q),
            split: splits.then_some(q),
            tries: 0,
        }));
        Reading {
            queue,
            url_of: Box::new(url_of),
            packages: if splits {
                Packages::Unknown
            } else {
                Packages::NotSplit
            },
            held: Vec::new(),
        }
    }

    /// The next `$batch` call's jobs, at most [`BATCH`]; empty when nothing is queued
    /// (calls in flight may still queue more).
    pub fn take(&mut self) -> Vec<Job> {
        let n = self.queue.len().min(BATCH);
        self.queue.drain(..n).collect()
    }

    /// Whether nothing is queued or held.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.held.is_empty()
    }

    /// The package list read: their ids, or None when it could not be read or has more
    /// than one page. Releases the long queries held for it.
    pub fn packages_read(&mut self, ids: Option<Vec<Guid>>) {
        self.packages = match ids {
            Some(ids) if ids.len() <= SPLIT_MAX => Packages::Known(ids),
            _ => Packages::NotSplit,
        };
        // Now known or not to be split: each goes on as `page_read` says.
        for (job, next) in std::mem::take(&mut self.held) {
            self.page_read(&job, Some(next));
        }
    }

    /// Page `job` read, with its `@odata.nextLink` `next`: queues what follows it.
    pub fn page_read(&mut self, job: &Job, next: Option<String>) {
        let Some(next) = next else { return };
        if let Job::Page {
            scope,
            split: Some(q),
            ..
        } = job
            && let Packages::Known(ids) = &self.packages
        {
            for id in ids {
                let mut narrowed = q.clone();
                narrowed.push(Clause::package(id));
                self.queue.push_back(Job::Page {
                    scope: *scope,
                    url: (self.url_of)(&narrowed),
                    split: None,
                    tries: 0,
                });
            }
            return;
        }
        if matches!(job, Job::Page { split: Some(_), .. }) && self.packages == Packages::Unknown {
            self.held.push((job.clone(), next));
            return;
        }
        if let Job::Page { scope, .. } = job {
            self.queue.push_back(Job::Page {
                scope: *scope,
                url: next,
                split: None,
                tries: 0,
            });
        }
    }

    /// Graph did not answer `job` (`throttled`: 429; else 503, 504 or no answer): asked
    /// for again in a later call, or false when it failed [`MAX_TRIES`] times.
    pub fn again(&mut self, job: Job, throttled: bool) -> bool {
        let job = match job {
            Job::Page {
                scope,
                url,
                split,
                tries,
            } => {
                let tries = tries + u32::from(!throttled);
                if tries >= MAX_TRIES {
                    return false;
                }
                Job::Page {
                    scope,
                    url,
                    split,
                    tries,
                }
            }
            packages => packages,
        };
        self.queue.push_front(job);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guid(n: u8) -> Guid {
        Guid::parse(&format!("8b0a3f1e-0000-4000-8000-0000000000{n:02x}")).unwrap()
    }

    fn url_of(q: &[Clause]) -> String {
        crate::graph::resources::filter_text(
            q,
            crate::graph::resources::Collection::Requests,
            crate::config::GraphVersion::V1,
        )
        .unwrap_or_default()
    }

    fn urls(jobs: &[Job]) -> Vec<String> {
        jobs.iter()
            .map(|j| match j {
                Job::Packages(u) => format!("packages {u}"),
                Job::Page { url, .. } => url.clone(),
            })
            .collect()
    }

    fn queries() -> Vec<(usize, Vec<Clause>)> {
        vec![
            (0, vec![Clause::state("delivered")]),
            (0, vec![Clause::state("delivering")]),
        ]
    }

    #[test]
    fn a_long_query_is_read_again_per_package_and_a_short_one_is_not() {
        let mut r = Reading::new(queries(), Some("p".into()), url_of);
        let first = r.take();
        assert_eq!(
            urls(&first),
            [
                "packages p",
                "state eq 'delivered'",
                "state eq 'delivering'"
            ]
        );
        r.packages_read(Some(vec![guid(1), guid(2)]));
        r.page_read(&first[1], Some("next-delivered".into()));
        r.page_read(&first[2], None);
        assert_eq!(
            urls(&r.take()),
            [
                "state eq 'delivered' and accessPackage/id eq '8b0a3f1e-0000-4000-8000-000000000001'",
                "state eq 'delivered' and accessPackage/id eq '8b0a3f1e-0000-4000-8000-000000000002'",
            ]
        );
        // A per-package page follows its own next link; the last page ends the chain.
        let split = Job::Page {
            scope: 0,
            url: "x".into(),
            split: None,
            tries: 0,
        };
        r.page_read(&split, Some("x-next".into()));
        r.page_read(&split, None);
        assert_eq!(urls(&r.take()), ["x-next"]);
        assert!(r.is_empty());
    }

    #[test]
    fn a_long_query_waits_for_the_package_list_and_goes_on_alone_without_it() {
        let mut r = Reading::new(queries(), Some("p".into()), url_of);
        let first = r.take();
        // Its first page came back before the list: held, not read on or split yet.
        r.page_read(&first[1], Some("next-delivered".into()));
        assert!(r.take().is_empty());
        assert!(!r.is_empty());
        // Too many packages to read one by one (or the list failed): one chain.
        r.packages_read(Some((0..=SPLIT_MAX as u8).map(guid).collect()));
        assert_eq!(urls(&r.take()), ["next-delivered"]);
        let mut r = Reading::new(queries(), Some("p".into()), url_of);
        let first = r.take();
        r.page_read(&first[1], Some("n".into()));
        r.packages_read(Some(vec![guid(7)]));
        assert_eq!(
            r.take().len(),
            1,
            "split for the one package once the list came"
        );
    }

    #[test]
    fn without_a_package_list_every_query_is_one_chain() {
        let mut r = Reading::new(queries(), None, url_of);
        let first = r.take();
        assert_eq!(
            urls(&first),
            ["state eq 'delivered'", "state eq 'delivering'"]
        );
        r.page_read(&first[0], Some("n".into()));
        assert_eq!(urls(&r.take()), ["n"]);
    }

    #[test]
    fn a_batch_holds_at_most_twenty_pages_and_a_failed_page_is_asked_again_a_few_times() {
        let many = (0..45).map(|i| (0, vec![Clause::state(&format!("s{i}"))]));
        let mut r = Reading::new(many.collect(), None, url_of);
        assert_eq!(
            [r.take().len(), r.take().len(), r.take().len()],
            [20, 20, 5]
        );
        let mut job = Job::Page {
            scope: 0,
            url: "u".into(),
            split: None,
            tries: 0,
        };
        // Throttled: asked again as often as Graph says to wait.
        for _ in 0..3 * MAX_TRIES {
            assert!(r.again(job, true));
            job = r.take().remove(0);
        }
        for _ in 1..MAX_TRIES {
            assert!(r.again(job, false));
            job = r.take().remove(0);
        }
        assert!(!r.again(job, false), "the sixth failure gives up");
    }
}
