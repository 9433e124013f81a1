//! The one table of report formats: each one's `--format` name, what it is for, and how it is
//! written. A new format is its file in `report/` and its line in `FORMATS`.

use std::fmt;
use std::io::{self, Write};

use crate::outcome::CheckOutcome;

use super::human::Style;
use super::{github, gitlab, html, human, json, junit, markdown, rdjson, sarif, statistics};

/// How a report of the table is written.
#[derive(Clone, Copy)]
pub enum Writer {
    /// Streamed as it is made, so that a run with a million findings never holds its text.
    Streamed(fn(&CheckOutcome, &Look, &mut dyn Write) -> io::Result<()>),
    /// Made whole, then written: reports small enough to build first.
    Whole(fn(&CheckOutcome) -> String),
}

/// What a run asks of its reports beyond the findings.
pub struct Look {
    /// Colour and width of the human report.
    pub style: Style,
    /// `--statistics`: the human report is the table of counts per rule.
    pub statistics: bool,
}

/// One report format.
#[derive(Clone, Copy)]
pub struct Emitter {
    /// Its `--format` name.
    pub name: &'static str,
    /// What it is for, one line.
    pub about: &'static str,
    /// It names every post, findings or not, so the run keeps the list of posts.
    pub lists_posts: bool,
    /// Its text is one JSON document.
    pub is_json: bool,
    pub writer: Writer,
}

/// Every format, in the order `--help` names them; the first is the default of `check`.
pub static FORMATS: [Emitter; 9] = [
    Emitter {
        name: "human",
        about: "miette's graphical report, with a summary line",
        lists_posts: false,
        is_json: false,
        writer: Writer::Streamed(write_human),
    },
    Emitter {
        name: "json",
        about: "one JSON document (schema: `schema/report.schema.json`)",
        lists_posts: false,
        is_json: true,
        writer: Writer::Streamed(|outcome, _, out| json::write(outcome, out)),
    },
    Emitter {
        name: "github",
        about: "GitHub Actions workflow commands (annotations on the pull request)",
        lists_posts: false,
        is_json: false,
        writer: Writer::Whole(github::render),
    },
    Emitter {
        name: "sarif",
        about: "SARIF 2.1.0, for code scanning",
        lists_posts: false,
        is_json: true,
        writer: Writer::Whole(sarif::render),
    },
    Emitter {
        name: "junit",
        about: "JUnit XML: one test case per post",
        lists_posts: true,
        is_json: false,
        writer: Writer::Whole(junit::render),
    },
    Emitter {
        name: "rdjson",
        about: "reviewdog's rdjson",
        lists_posts: false,
        is_json: true,
        writer: Writer::Whole(rdjson::render),
    },
    Emitter {
        name: "gitlab",
        about: "GitLab Code Quality",
        lists_posts: false,
        is_json: true,
        writer: Writer::Whole(gitlab::render),
    },
    Emitter {
        name: "markdown",
        about: "a Markdown summary for a pull-request comment or the job summary",
        lists_posts: true,
        is_json: false,
        writer: Writer::Whole(markdown::render),
    },
    Emitter {
        name: "html",
        about: "one self-contained HTML page for editors",
        lists_posts: true,
        is_json: false,
        writer: Writer::Whole(html::render),
    },
];

/// The human report, the default of `check`.
pub static HUMAN: &Emitter = &FORMATS[0];
/// The JSON report, the default of `merge`.
pub static JSON: &Emitter = &FORMATS[1];

/// The format of that name, in any case.
pub fn named(name: &str) -> Option<&'static Emitter> {
    FORMATS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// `human, json, …`: the names, for help and error messages.
pub fn names() -> String {
    let names: Vec<&str> = FORMATS.iter().map(|f| f.name).collect();
    names.join(", ")
}

impl Emitter {
    /// Writes this report of `outcome` to `out`.
    pub fn write(
        &self,
        outcome: &CheckOutcome,
        look: &Look,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        match self.writer {
            Writer::Streamed(write) => write(outcome, look, out),
            Writer::Whole(render) => out.write_all(render(outcome).as_bytes()),
        }
    }

    /// This report of `outcome` as text.
    pub fn render(&self, outcome: &CheckOutcome, look: &Look) -> String {
        let mut bytes = Vec::new();
        self.write(outcome, look, &mut bytes)
            .expect("writing to memory cannot fail");
        String::from_utf8(bytes).expect("every report is UTF-8")
    }
}

/// The human report, or with `--statistics` the counts per rule in its place.
fn write_human(outcome: &CheckOutcome, look: &Look, out: &mut dyn Write) -> io::Result<()> {
    if look.statistics {
        return out.write_all(statistics::render(outcome).as_bytes());
    }
    human::write(outcome, &look.style, out)
}

impl fmt::Debug for Emitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Formats are told apart by name: the table holds each once.
impl PartialEq for Emitter {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Emitter {}
