//! `--format html`: one self-contained page for editors (no external assets, works offline):
//! totals, posts sorted by how much needs fixing, each finding with its snippet (the field's
//! HTML as written, decoded from the JSON), the post as a reader sees it with every finding
//! marked (a sandboxed frame: no script, no network), and filters by rule and severity.
//! Everything from the posts is escaped: their content is untrusted.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::diagnostic::Finding;
use crate::outcome::{CheckOutcome, SiteVisit};

use super::posts::{Counts, Keep, PostFindings, by_post, display_name, edit_link, status_badge};
use super::rendered::{Place, View};
use super::snippets::Snippets;
use super::{Summary, plural};

/// Findings shown per post; the rest is counted.
const FINDINGS_PER_POST: usize = 100;

/// One column on a phone, the view below its findings; two side by side on a wide screen.
const STYLE: &str = "
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2327;background:#f6f7f7;overflow-wrap:anywhere}
header,main,section{max-width:1400px;margin:0 auto;padding:0 16px}
h1{font-size:22px;margin:16px 0 4px}h2{font-size:17px;margin:0 0 4px}h3{font-size:15px;margin:8px 0 4px}
.run{margin:0 0 4px;color:#3c434a}
.totals span{display:inline-block;margin-right:16px;font-weight:600}
.error{color:#b32d2e}.warning{color:#996800}.info{color:#2271b1}
#filters{position:sticky;top:0;z-index:1;background:#f6f7f7;padding:8px 16px;border-bottom:1px solid #dcdcde}
#filters label{margin-right:16px;display:inline-block}#filters select{max-width:100%}
article{background:#fff;border:1px solid #dcdcde;border-radius:4px;margin:12px 0;padding:12px 16px}
.meta{color:#646970;font-size:13px;margin:0 0 8px}
.badge{display:inline-block;font-size:12px;font-weight:600;text-transform:uppercase;color:#fff;background:#646970;border-radius:3px;padding:0 6px;margin-left:8px;vertical-align:middle}
ul{list-style:none;padding:0;margin:0}li.finding{border-top:1px solid #f0f0f1;padding:6px 0;color:#1d2327}
.sev{font-weight:600;text-transform:uppercase;font-size:12px;margin-right:6px}
code.rule{background:#f0f0f1;padding:0 4px;border-radius:3px}
.loc{color:#646970;font-size:12px;margin-left:6px}
pre{background:#f6f7f7;padding:6px;overflow-x:auto;margin:4px 0;white-space:pre-wrap;word-break:break-all}
mark{background:#ffd8a8}mark:empty{padding:0 1px;border-left:2px solid #d63638}.help{margin:2px 0;color:#3c434a}
pre.raw{border-left:3px solid #dcdcde}pre.html{word-break:normal;overflow-wrap:anywhere}li.finding[data-mark]{cursor:pointer}li.finding.current{background:#f0f6fc}
.unseen-note{margin:2px 0;color:#646970;font-style:italic}
.num{font-size:12px;color:#fff;background:#d63638;border-radius:3px;padding:0 4px;margin-right:6px}
details.view summary{cursor:pointer;color:#2271b1;margin:6px 0}
details.view iframe{display:block;width:100%;height:70vh;border:1px solid #dcdcde;border-radius:4px;background:#fff}
.unseen{padding:0;margin:8px 0 0}.unseen li{padding:2px 0}.unseen a{text-decoration:none}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #dcdcde;padding:2px 8px;text-align:left}
@media (min-width:901px){.post-body.with-view{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px;align-items:start}.side{position:sticky;top:48px}}
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
  function show(li){
    var article=li.closest('article'), frame=article&&article.querySelector('iframe.view');
    if(!frame) return;
    frame.closest('details').open=true;
    var doc=frame.contentDocument, mark=doc&&doc.getElementById(li.dataset.mark);
    if(!mark) return;
    doc.querySelectorAll('.pl-current').forEach(function(m){m.classList.remove('pl-current');});
    document.querySelectorAll('li.finding.current').forEach(function(m){m.classList.remove('current');});
    mark.classList.add('pl-current'); li.classList.add('current');
    var view=frame.contentWindow, top=mark.getBoundingClientRect().top+view.scrollY;
    view.scrollTo(0,Math.max(0,top-frame.clientHeight/2));
    frame.scrollIntoView({block:'nearest'});
    document.body.dataset.viewScroll=String(Math.round(frame.contentWindow.scrollY));
    document.body.dataset.viewMark=mark.id+' '+mark.className+' '+JSON.stringify(mark.textContent);
  }
  function showFromHash(){
    var id=new URLSearchParams(location.hash.slice(1)).get('finding');
    var li=id&&document.querySelector('li.finding[data-mark=\"'+CSS.escape(id)+'\"]');
    if(li) show(li);
  }
  function counted(){
    var found=0;
    document.querySelectorAll('iframe.view').forEach(function(f){
      var doc=f.contentDocument; if(doc) found+=doc.querySelectorAll('mark.pl-hit,mark.pl-at').length;
    });
    document.body.dataset.marks=String(found);
  }
  document.querySelectorAll('li.finding[data-mark]').forEach(function(li){
    li.addEventListener('click',function(){show(li);});
  });
  rule.addEventListener('change',apply); sev.addEventListener('change',apply);
  window.addEventListener('hashchange',function(){readHash();apply();showFromHash();});
  readHash(); apply();
  window.addEventListener('load',function(){counted();showFromHash();});
})();";

pub fn render(outcome: &CheckOutcome) -> String {
    let summary = Summary::of(outcome);
    let posts = by_post(outcome, Keep::Findings);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&page_title(outcome)));
    let _ = write!(out, "<style>{STYLE}</style>\n</head>\n<body>\n");
    out.push_str(&header(outcome, &summary, &posts));
    out.push_str(&filters(&summary.by_rule));
    out.push_str(&by_rule_table(&summary.by_rule));
    out.push_str("<main id=\"posts\">\n");
    let snippets = Snippets::new(outcome);
    for (n, post) in posts.iter().filter(|p| !p.findings.is_empty()).enumerate() {
        out.push_str(&article(post, &snippets, n + 1));
    }
    out.push_str("</main>\n");
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

/// `postlint: News (2 posts)`: the sites read, else the files.
fn page_title(outcome: &CheckOutcome) -> String {
    let names: Vec<String> = outcome.sites.iter().map(site_name).collect();
    match names.is_empty() {
        true => "postlint report".to_owned(),
        false => format!("postlint report: {}", names.join(", ")),
    }
}

fn site_name(site: &SiteVisit) -> String {
    site.name.clone().unwrap_or_else(|| site.url.clone())
}

/// What was read, from where, signed in or not, and when; then the totals.
fn header(outcome: &CheckOutcome, summary: &Summary, posts: &[PostFindings<'_>]) -> String {
    let mut read = Vec::new();
    for site in &outcome.sites {
        let url = escape(&site.url);
        let name = match &site.name {
            Some(name) => format!("{} (<a href=\"{url}\">{url}</a>)", escape(name)),
            None => format!("<a href=\"{url}\">{url}</a>"),
        };
        let who = match &site.signed_in_as {
            Some(user) => format!("signed in as {}", escape(user)),
            None => "not signed in: published posts only".to_owned(),
        };
        read.push(format!("{name}, {who}"));
    }
    let files = outcome
        .reports
        .iter()
        .filter(|r| !super::posts::is_fetched(&r.file))
        .count();
    match files {
        0 => {}
        1 if outcome.sites.is_empty() => {
            let name = outcome.reports.iter().map(|r| r.file.name.as_str()).next();
            read.push(format!("<code>{}</code>", escape(name.unwrap_or_default())));
        }
        n => read.push(plural(n, "file", "files")),
    }
    if files > 0 {
        read.extend(files_read(posts));
    }
    let when = outcome
        .checked_at
        .map(|at| format!(" · checked {}", at.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    // A site's answers are not files to the reader: the site is named above.
    let posts = match files {
        0 => plural(summary.posts, "post", "posts"),
        _ => format!(
            "{} in {}",
            plural(summary.posts, "post", "posts"),
            plural(summary.files, "file", "files")
        ),
    };
    format!(
        "<header><h1>postlint report</h1><p class=\"run\">{}{when}</p><p class=\"totals\"><span class=\"error\">{}</span><span class=\"warning\">{}</span><span class=\"info\">{}</span><span>{posts}</span></p></header>\n",
        read.join("; "),
        plural(summary.errors, "error", "errors"),
        plural(summary.warnings, "warning", "warnings"),
        plural(summary.infos, "info", "infos"),
    )
}

/// What the saved files hold: the sites of their posts, and whether they were read signed in
/// (`content.raw` beside `content.rendered`).
fn files_read(posts: &[PostFindings<'_>]) -> Vec<String> {
    let saved = || {
        posts
            .iter()
            .filter(|p| !p.fetched)
            .filter_map(|p| p.post.as_deref())
    };
    let mut sites: Vec<String> = Vec::new();
    for site in saved().filter_map(site_of) {
        if !sites.contains(&site) {
            sites.push(site);
        }
        if sites.len() > MAX_SITES_NAMED {
            break;
        }
    }
    let mut read = Vec::new();
    if !sites.is_empty() {
        let more = sites.len() > MAX_SITES_NAMED;
        sites.truncate(MAX_SITES_NAMED);
        let named: Vec<String> = sites.iter().map(|s| escape(s)).collect();
        read.push(format!(
            "posts of {}{}",
            named.join(", "),
            if more { " and more" } else { "" }
        ));
    }
    let signed_in = saved().any(|p| p.body.as_ref().is_some_and(|b| b.signed_in));
    if signed_in {
        read.push("read signed in (the text as written beside what readers get)".to_owned());
    }
    read
}

/// Sites named in the header at most.
const MAX_SITES_NAMED: usize = 3;

/// The host a post is from: its site root, else its link's.
fn site_of(post: &crate::diagnostic::PostRef) -> Option<String> {
    let address = post.site.as_deref().or(post.link.as_deref())?;
    let url = url::Url::parse(address).ok()?;
    matches!(url.scheme(), "http" | "https")
        .then(|| url.host_str().map(str::to_owned))
        .flatten()
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

fn article(post: &PostFindings<'_>, snippets: &Snippets<'_>, number: usize) -> String {
    let key = format!("p{number}");
    let listed = &post.findings[..post.findings.len().min(FINDINGS_PER_POST)];
    let view = (number <= MAX_VIEWS)
        .then(|| snippets.view(post.file, post.post.as_deref(), listed, &key))
        .flatten();
    let mut out = format!(
        "<article class=\"post\" id=\"{key}\">{}<div class=\"post-body{}\"><ul>\n",
        heading(post),
        if view.is_some() { " with-view" } else { "" }
    );
    let mut fields = snippets.fields(post.file).filter(|_| post.fetched);
    for (n, finding) in listed.iter().enumerate() {
        let place = view.as_ref().and_then(|v| v.places.get(n));
        let at = match fields.as_mut() {
            Some(fields) => fields
                .place(finding)
                .map_or_else(|| json_position(post.file, finding), |p| p.to_string()),
            None => json_position(post.file, finding),
        };
        let shown = Shown {
            snippets,
            key: &key,
            number: n + 1,
            place,
            at,
        };
        out.push_str(&item(post.file, finding, &shown));
    }
    if post.findings.len() > FINDINGS_PER_POST {
        let _ = write!(
            out,
            "<li>… and {} more findings</li>",
            post.findings.len() - FINDINGS_PER_POST
        );
    }
    out.push_str("</ul>");
    if let Some(view) = &view {
        out.push_str(&side(view, listed, &key));
    }
    out.push_str("</div></article>\n");
    out
}

/// The post's title (a link to it), its status when readers cannot see it yet, its edit link,
/// and what it has to fix.
fn heading(post: &PostFindings<'_>) -> String {
    let name = escape(&display_name(post.post.as_deref()));
    let link = post
        .post
        .as_ref()
        .and_then(|p| p.link.as_deref())
        .filter(|l| is_web_link(l) && l.len() <= crate::diagnostic::MAX_LINK_CHARS);
    let title = match link {
        Some(link) => format!("<a href=\"{}\">{name}</a>", escape(link)),
        None => name,
    };
    let badge = post
        .post
        .as_ref()
        .and_then(|p| p.status.as_deref())
        .and_then(status_badge)
        .map(|s| format!(" <span class=\"badge\">{}</span>", escape(s)))
        .unwrap_or_default();
    let mut meta = Vec::new();
    if let Some(edit) = post.post.as_deref().and_then(edit_link) {
        meta.push(format!(
            "<a class=\"edit\" href=\"{}\">edit in WordPress</a>",
            escape(&edit)
        ));
    }
    if !post.fetched {
        meta.push(format!("<code>{}</code>", escape(post.file)));
    }
    meta.push(counts(&post.counts));
    format!(
        "<h2>{title}{badge}</h2><p class=\"meta\">{}</p>",
        meta.join(" · ")
    )
}

/// `1 error, 2 warnings`, each coloured by its severity.
fn counts(counts: &Counts) -> String {
    let parts = [
        (counts.errors, "error", "errors"),
        (counts.warnings, "warning", "warnings"),
        (counts.infos, "info", "infos"),
    ];
    parts
        .into_iter()
        .filter(|(count, _, _)| *count > 0)
        .map(|(count, one, many)| {
            format!("<span class=\"{one}\">{}</span>", plural(count, one, many))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The post as a reader sees it, and the findings that have no place there.
fn side(view: &View, listed: &[Finding], key: &str) -> String {
    let summary = match view.rendered {
        true => "As a reader sees it (click a finding to find it here)",
        false => "As written: the file has no rendered content (click a finding to find it here)",
    };
    let mut out = format!(
        "<div class=\"side\"><details class=\"view\" open><summary>{summary}</summary><iframe class=\"view\" sandbox=\"allow-same-origin\" title=\"the post as a reader sees it\" srcdoc=\"{}\"></iframe></details>",
        escape(&view.document)
    );
    let unseen: Vec<String> = view
        .places
        .iter()
        .zip(listed)
        .enumerate()
        .filter_map(|(n, (place, finding))| match place {
            Place::Unseen(reason) => Some(format!(
                "<li><a href=\"#{key}-f{}\"><span class=\"num\">{}</span><code class=\"rule\">{}</code></a> {}</li>",
                n + 1,
                n + 1,
                escape(finding.diagnostic.rule),
                escape(reason)
            )),
            _ => None,
        })
        .collect();
    if !unseen.is_empty() {
        let _ = write!(
            out,
            "<section class=\"unseen\"><h3>Not visible to readers</h3><ul>{}</ul></section>",
            unseen.concat()
        );
    }
    out.push_str("</div>");
    out
}

/// What an item shows beside the finding itself.
struct Shown<'a> {
    snippets: &'a Snippets<'a>,
    key: &'a str,
    number: usize,
    place: Option<&'a Place>,
    /// Where it is, in words: `content.raw:2:15`, or the file's `post.json:16:50`.
    at: String,
}

/// `post.json:16:50`: the finding's place in the file as written.
fn json_position(file: &str, finding: &Finding) -> String {
    format!("{file}:{}:{}", finding.span.line, finding.span.column)
}

fn item(file: &str, finding: &Finding, shown: &Shown<'_>) -> String {
    let d = &finding.diagnostic;
    let severity = d.severity.as_str();
    let snippet = shown
        .snippets
        .around(file, finding)
        .map(|(before, hit, after, decoded)| {
            let kind = if decoded { "html" } else { "raw" };
            format!(
                "<pre class=\"{kind}\"><code>{}<mark>{}</mark>{}</code></pre>",
                escape(&before),
                escape(&hit),
                escape(&after)
            )
        })
        .unwrap_or_default();
    let (mark, unseen) = match shown.place {
        Some(Place::Marked(id)) => (format!(" data-mark=\"{}\"", escape(id)), String::new()),
        Some(Place::Unseen(reason)) => (
            String::new(),
            format!(
                "<p class=\"unseen-note\">Not visible to readers: {}</p>",
                escape(reason)
            ),
        ),
        _ => (String::new(), String::new()),
    };
    let help = d
        .help
        .as_ref()
        .map(|h| format!("<p class=\"help\">{}</p>", with_code(h)))
        .unwrap_or_default();
    let field = d
        .field
        .filter(|_| !shown.at.starts_with(d.field.unwrap_or_default()))
        .map(|f| format!("{} · ", escape(f)))
        .unwrap_or_default();
    format!(
        "<li class=\"finding {severity}\" id=\"{}-f{}\" data-rule=\"{}\" data-severity=\"{severity}\"{mark}><span class=\"num\">{}</span><span class=\"sev {severity}\">{severity}</span><code class=\"rule\">{}</code> {}<span class=\"loc\">{field}{}</span>{unseen}{snippet}{help}</li>\n",
        shown.key,
        shown.number,
        escape(d.rule),
        shown.number,
        escape(d.rule),
        with_code(&d.message),
        escape(&shown.at),
    )
}

/// Posts shown as a reader sees them, at most: the rest keep their snippets only.
const MAX_VIEWS: usize = 500;

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
