//! `--format html`: one self-contained page for editors (no external assets, works offline):
//! totals, posts sorted by how much needs fixing, each finding with its snippet, and filters by
//! rule and severity. Everything from the posts is escaped: their content is untrusted.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::diagnostic::Finding;
use crate::outcome::CheckOutcome;

use super::Summary;
use super::excerpt::{line_around, read_regions};
use super::posts::{Keep, PostFindings, by_post, display_name, edit_link};

/// Findings shown per post; the rest is counted.
const FINDINGS_PER_POST: usize = 100;

const STYLE: &str = "
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2327;background:#f6f7f7}
header,main,section{max-width:1100px;margin:0 auto;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin:0 0 4px}
.totals span{display:inline-block;margin-right:16px;font-weight:600}
.error{color:#b32d2e}.warning{color:#996800}.info{color:#2271b1}
#filters{position:sticky;top:0;background:#f6f7f7;padding:8px 16px;border-bottom:1px solid #dcdcde}
#filters label{margin-right:16px}
article{background:#fff;border:1px solid #dcdcde;border-radius:4px;margin:12px 0;padding:12px 16px}
.meta{color:#646970;font-size:13px;margin:0 0 8px}
ul{list-style:none;padding:0;margin:0}li.finding{border-top:1px solid #f0f0f1;padding:6px 0;color:#1d2327}
.sev{font-weight:600;text-transform:uppercase;font-size:12px;margin-right:6px}
code.rule{background:#f0f0f1;padding:0 4px;border-radius:3px}
.loc{color:#646970;font-size:12px;margin-left:6px}
pre{background:#f6f7f7;padding:6px;overflow-x:auto;margin:4px 0;white-space:pre-wrap;word-break:break-all}
mark{background:#ffd8a8}.help{margin:2px 0;color:#3c434a}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #dcdcde;padding:2px 8px;text-align:left}
.hidden{display:none}";

const SCRIPT: &str = "
(function(){
  var rule=document.getElementById('rule'), sev=document.getElementById('severity'), shown=document.getElementById('shown');
  function readHash(){
    var params=new URLSearchParams(location.hash.slice(1));
    if(params.has('rule')) rule.value=params.get('rule');
    if(params.has('severity')) sev.value=params.get('severity');
  }
  function apply(){
    var r=rule.value, s=sev.value, count=0;
    document.querySelectorAll('li.finding').forEach(function(li){
      var ok=(!r||li.dataset.rule===r)&&(!s||li.dataset.severity===s);
      li.classList.toggle('hidden',!ok); if(ok) count++;
    });
    document.querySelectorAll('article.post').forEach(function(a){
      var any=a.querySelector('li.finding:not(.hidden)')!==null;
      a.classList.toggle('hidden',!any&&(r||s)!=='');
    });
    shown.textContent=count+' findings shown';
    document.body.dataset.shown=String(count);
  }
  rule.addEventListener('change',apply); sev.addEventListener('change',apply);
  window.addEventListener('hashchange',function(){readHash();apply();});
  readHash(); apply();
})();";

pub fn render(outcome: &CheckOutcome) -> String {
    let summary = Summary::of(outcome);
    let posts = by_post(outcome, Keep::Findings);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n");
    out.push_str("<title>postlint report</title>\n");
    let _ = write!(out, "<style>{STYLE}</style>\n</head>\n<body>\n");
    let _ = writeln!(
        out,
        "<header><h1>postlint report</h1><p class=\"totals\"><span class=\"error\">{} errors</span><span class=\"warning\">{} warnings</span><span class=\"info\">{} infos</span><span>{} posts in {} files</span></p></header>",
        summary.errors, summary.warnings, summary.infos, summary.posts, summary.files
    );
    out.push_str(&filters(&summary.by_rule));
    out.push_str(&by_rule_table(&summary.by_rule));
    out.push_str("<main id=\"posts\">\n");
    let snippets = Snippets::new(outcome);
    for post in posts.iter().filter(|p| !p.findings.is_empty()) {
        out.push_str(&article(post, &snippets));
    }
    out.push_str("</main>\n");
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

fn filters(by_rule: &BTreeMap<&'static str, usize>) -> String {
    let mut out = String::from(
        "<section id=\"filters\"><label>Rule <select id=\"rule\"><option value=\"\">all rules</option>",
    );
    for (rule, count) in by_rule {
        let _ = write!(
            out,
            "<option value=\"{}\">{} ({count})</option>",
            escape(rule),
            escape(rule)
        );
    }
    out.push_str("</select></label><label>Severity <select id=\"severity\"><option value=\"\">all</option><option value=\"error\">error</option><option value=\"warning\">warning</option><option value=\"info\">info</option></select></label><span id=\"shown\"></span></section>\n");
    out
}

fn by_rule_table(by_rule: &BTreeMap<&'static str, usize>) -> String {
    let mut out =
        String::from("<section><h2>By rule</h2><table><tr><th>rule</th><th>findings</th></tr>");
    for (rule, count) in by_rule {
        let _ = write!(
            out,
            "<tr><td><code class=\"rule\">{}</code></td><td>{count}</td></tr>",
            escape(rule)
        );
    }
    out.push_str("</table></section>\n");
    out
}

fn article(post: &PostFindings<'_>, snippets: &Snippets<'_>) -> String {
    let name = escape(&display_name(post.post.as_deref()));
    let link = post
        .post
        .as_ref()
        .and_then(|p| p.link.as_deref())
        .filter(|l| is_web_link(l));
    let title = match link {
        Some(link) => format!("<a href=\"{}\">{name}</a>", escape(link)),
        None => name,
    };
    let edit = post
        .post
        .as_deref()
        .and_then(edit_link)
        .map(|e| {
            format!(
                " <a class=\"edit\" href=\"{}\">edit in WordPress</a>",
                escape(&e)
            )
        })
        .unwrap_or_default();
    let place = match &post.post {
        Some(p) => {
            let id = p.id.map(|id| format!(" · id {id}")).unwrap_or_default();
            format!(" · post {}{id}", p.index)
        }
        None => String::new(),
    };
    let mut out = format!(
        "<article class=\"post\"><h2>{title}{edit}</h2><p class=\"meta\">{}{place} · <span class=\"error\">{} errors</span>, <span class=\"warning\">{} warnings</span>, <span class=\"info\">{} infos</span></p><ul>\n",
        escape(post.file),
        post.counts.errors,
        post.counts.warnings,
        post.counts.infos
    );
    for finding in post.findings.iter().take(FINDINGS_PER_POST) {
        out.push_str(&item(post.file, finding, snippets));
    }
    if post.findings.len() > FINDINGS_PER_POST {
        let _ = write!(
            out,
            "<li>… and {} more findings</li>",
            post.findings.len() - FINDINGS_PER_POST
        );
    }
    out.push_str("</ul></article>\n");
    out
}

fn item(file: &str, finding: &Finding, snippets: &Snippets<'_>) -> String {
    let d = &finding.diagnostic;
    let severity = d.severity.as_str();
    let snippet = snippets
        .around(file, finding)
        .map(|(before, hit, after)| {
            format!(
                "<pre><code>{}<mark>{}</mark>{}</code></pre>",
                escape(&before),
                escape(&hit),
                escape(&after)
            )
        })
        .unwrap_or_default();
    let help = d
        .help
        .as_ref()
        .map(|h| format!("<p class=\"help\">{}</p>", with_code(h)))
        .unwrap_or_default();
    format!(
        "<li class=\"finding {severity}\" data-rule=\"{}\" data-severity=\"{severity}\"><span class=\"sev {severity}\">{severity}</span><code class=\"rule\">{}</code> {}<span class=\"loc\">{}:{}:{}</span>{snippet}{help}</li>\n",
        escape(d.rule),
        escape(d.rule),
        with_code(&d.message),
        escape(file),
        finding.span.line,
        finding.span.column
    )
}

/// The offending text of each finding, read back from its file once per file.
struct Snippets<'a> {
    regions: BTreeMap<&'a str, Vec<super::excerpt::Region>>,
}

impl<'a> Snippets<'a> {
    fn new(outcome: &'a CheckOutcome) -> Self {
        let regions = outcome
            .reports
            .iter()
            .filter(|r| !r.findings.is_empty())
            .map(|r| {
                let regions = read_regions(&r.file, &r.findings.to_vec());
                (r.file.name.as_str(), regions)
            })
            .collect();
        Self { regions }
    }

    fn around(&self, file: &str, finding: &Finding) -> Option<(String, String, String)> {
        let regions = self.regions.get(file)?;
        line_around(regions, finding.span.offset, finding.span.length)
    }
}

/// Escaped text whose `code` parts become `<code>` elements.
fn with_code(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", escape(part))
            } else {
                escape(part)
            }
        })
        .collect()
}

fn is_web_link(link: &str) -> bool {
    link.starts_with("https://") || link.starts_with("http://")
}

/// Text safe in HTML content and in quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
