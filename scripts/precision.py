#!/usr/bin/env python3
"""Precision of postlint's rules, measured on the shared corpus of real posts.

    scripts/precision.py sample   # lint the corpus, count findings, print a sample to judge
    scripts/precision.py packets  # blind packets of the test half, for judges who never read the code
    scripts/precision.py import   # the judges' verdicts into fixtures/precision/blind.toml
    scripts/precision.py table    # the precision table of the test half, from counts and blind verdicts

The corpus is split by site (fixtures/precision/split.toml): rules are tuned on the `tuning`
half; precision is measured on the `test` half, judged blind.

`sample` runs the release binary over ../shared/corpus/posts with the JSON report (built-in
rules, no config, a fixed `--now`), writes the counts per rule and severity to
fixtures/precision/counts.json, and prints, for each rule and severity, up to 20 findings
spread over as many sites as possible, picked with a fixed seed: the file, the rule, line:col,
the byte offset, the message and the HTML around the span as the editor wrote it (JSON escapes
decoded, the span between ⟦ and ⟧). `--toml` prints them as verdict entries to fill in.

`packets` writes, per rule and severity, the sampled findings of the test half as a judge sees
them: the reader's view around the span, the HTML as written, the message, the help and
`postlint explain`. No rule code, no tests, no earlier verdict. `import` turns the judges'
answers into entries of fixtures/precision/blind.toml.

`table` reads fixtures/precision/counts.json (the test half), fixtures/precision/blind.toml and
rules/default.toml and prints the Markdown table. Standard library only (Python 3.11+).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import datetime
import tomllib
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
PRECISION = ROOT / "fixtures" / "precision"
COUNTS = PRECISION / "counts.json"
VERDICTS = PRECISION / "verdicts.toml"
BLIND = PRECISION / "blind.toml"
SPLIT = PRECISION / "split.toml"
# Fixed so that future-published and missed-schedule give the same findings on every run; the
# precision test uses the same instant (it is in verdicts.toml).
NOW = "2026-12-01T00:00:00Z"
# An SEO spam site (every post starts with an ad script): counted, never sampled, as the corpus
# README says it is no ground for judging false positives.
SPAM = "ss-trevormlilly-spam"
SEVERITIES = ("error", "warning", "info")
TARGET = {"error": 0.9, "warning": 0.9, "info": 0.75}
# A blind verdict: right at its severity, real but not worth its severity, or wrong.
BLIND_VERDICTS = ("true", "loud", "false")


def binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "postlint"


def run_postlint(exe: Path, now: str, folders: list[str]) -> dict:
    """The JSON report of these corpus folders; files are named `posts/<site>/<id>.json`."""
    command = [
        str(exe), "check", "--no-config", "--now", now,
        "--format", "json", "--fail-on", "never", *folders,
    ]
    done = subprocess.run(command, cwd=CORPUS, capture_output=True, check=False)
    if done.returncode != 0:
        sys.exit(f"postlint exited {done.returncode}: {done.stderr.decode(errors='replace')}")
    return json.loads(done.stdout)


def git_commit() -> str:
    """The last commit that changed what postlint finds (its code, rules, dependencies)."""
    done = subprocess.run(
        ["git", "log", "-1", "--format=%h", "--abbrev=12", "--", "src", "rules", "Cargo.toml", "Cargo.lock"],
        cwd=ROOT, capture_output=True, text=True,
    )
    return done.stdout.strip() or "unknown"


def load_split() -> dict[str, list[str]]:
    """`test` and `tuning`: the site patterns of each half (a trailing `*` matches a prefix)."""
    split = tomllib.loads(SPLIT.read_text())
    return {"test": split["test"], "tuning": split["tuning"]}


def matches(site: str, pattern: str) -> bool:
    return site.startswith(pattern[:-1]) if pattern.endswith("*") else site == pattern


def half_of(site: str, split: dict[str, list[str]]) -> str:
    for half, patterns in split.items():
        if any(matches(site, p) for p in patterns):
            return half
    sys.exit(f"{SPLIT}: the site {site} is in neither half; add it to one")


def folders_of(half: str) -> list[str]:
    """`posts/<site>` of every site of the half (`all`: the whole corpus)."""
    if half == "all":
        return ["posts"]
    split = load_split()
    sites = sorted(d.name for d in (CORPUS / "posts").iterdir() if d.is_dir())
    return [f"posts/{s}" for s in sites if half_of(s, split) == half]


def counts_of(diagnostics: list[dict]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEVERITIES, 0))
    for d in diagnostics:
        counts[d["rule"]][d["severity"]] += 1
    return {rule: counts[rule] for rule in sorted(counts)}


def site_of(path: str) -> str:
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else path


def spread_sample(findings: list[dict], size: int, seed: str) -> list[dict]:
    """Up to `size` findings, one site after another (sites in a seeded order), each site's
    findings in a seeded order: as many sites as possible, the same pick on every run."""
    rng = random.Random(seed)
    by_site: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        by_site[site_of(f["file"])].append(f)
    sites = sorted(by_site)
    rng.shuffle(sites)
    for site in sites:
        rng.shuffle(by_site[site])
    picked: list[dict] = []
    while len(picked) < size and any(by_site[s] for s in sites):
        for site in sites:
            if by_site[site] and len(picked) < size:
                picked.append(by_site[site].pop())
    return sorted(picked, key=lambda f: (f["file"], f["span"]["offset"]))


ESCAPE = re.compile(rb'\\(u[0-9a-fA-F]{4}|.)', re.S)
SIMPLE = {b"n": "\n", b"t": "\t", b"r": "\r", b'"': '"', b"\\": "\\", b"/": "/", b"b": "\b", b"f": "\f"}


def decode_json_text(raw: bytes) -> str:
    """JSON string escapes decoded (surrogate pairs joined); bytes that are not escapes kept."""
    out: list[str] = []
    last = 0
    for m in ESCAPE.finditer(raw):
        out.append(raw[last:m.start()].decode("utf-8", errors="replace"))
        code = m.group(1)
        if len(code) == 5:
            out.append(chr(int(code[1:], 16)))
        else:
            out.append(SIMPLE.get(code, code.decode("utf-8", errors="replace")))
        last = m.end()
    out.append(raw[last:].decode("utf-8", errors="replace"))
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16", errors="replace")


def excerpt(path: Path, offset: int, length: int, context: int) -> str:
    data = path.read_bytes()
    start = max(0, offset - context)
    end = min(len(data), offset + length + context)
    before = decode_json_text(data[start:offset])
    span = decode_json_text(data[offset:offset + length])
    after = decode_json_text(data[offset + length:end])
    return f"{before}⟦{span}⟧{after}"


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def print_finding(f: dict, context: int, as_toml: bool) -> None:
    span = f["span"]
    if as_toml:
        print("[[verdict]]")
        print(f"file = {toml_string(f['file'])}")
        print(f"rule = {toml_string(f['rule'])}")
        print(f"offset = {span['offset']}")
        print(f"at = \"{span['line']}:{span['column']}\"")
        print(f"severity = {toml_string(f['severity'])}")
        print('verdict = "?"')
        print('why = ""')
        print(f"# {f['message']}")
        text = excerpt(CORPUS / f["file"], span["offset"], span["length"], context)
        for line in text.splitlines() or [""]:
            print(f"#   {line}")
        print()
        return
    print(f"--- {f['file']}:{span['line']}:{span['column']} (offset {span['offset']}) "
          f"{f['rule']} [{f['severity']}]")
    print(f"    {f['message']}")
    print(excerpt(CORPUS / f["file"], span["offset"], span["length"], context))
    print()


def judged_still_found(diagnostics: list[dict]) -> list[str]:
    """The blind verdicts whose finding this run still reports at the judged severity: the
    table counts only those, so a finding a rule no longer reports leaves its precision."""
    if not BLIND.exists():
        return []
    found = {(d["file"], d["rule"], d["span"]["offset"], d["severity"]) for d in diagnostics}
    return sorted(f"{v['file']}#{v['rule']}@{v['offset']}"
                  for v in tomllib.loads(BLIND.read_text()).get("verdict", [])
                  if (v["file"], v["rule"], v["offset"], v["severity"]) in found)


def sample(args: argparse.Namespace) -> None:
    if args.report:
        report = json.loads(Path(args.report).read_text())
    else:
        report = run_postlint(Path(args.binary), args.now, folders_of(args.half))
    diagnostics = [d for d in report["diagnostics"] if d.get("span")]
    counts = counts_of(diagnostics)
    sampled_from = counts_of([d for d in diagnostics if site_of(d["file"]) not in args.exclude_site])
    if args.half != "test" and not args.keep_counts:
        print(f"# counts.json holds the test half: not rewritten for the {args.half} half",
              file=sys.stderr)
    elif not args.keep_counts:
        meta = {
            "commit": git_commit(), "now": args.now, "posts": report["summary"].get("posts"),
            "half": args.half, "not_sampled": args.exclude_site,
        }
        outside = {rule: sum(by.values()) for rule, by in sampled_from.items()}
        document = {"measured": meta, "rules": counts, "sampled_from": outside,
                    "judged_still_found": judged_still_found(diagnostics)}
        COUNTS.write_text(json.dumps(document, indent=2) + "\n")
    print("# findings on the corpus by rule: error / warning / info")
    for rule, by in counts.items():
        print(f"#   {rule}: {by['error']} / {by['warning']} / {by['info']}")
    print()
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for d in diagnostics:
        if site_of(d["file"]) in args.exclude_site:
            continue
        if not args.rule or d["rule"] in args.rule:
            grouped[(d["rule"], d["severity"])].append(d)
    for (rule, severity), found in sorted(grouped.items()):
        picked = spread_sample(found, args.size, f"{args.seed}:{rule}:{severity}")
        sites = len({site_of(f["file"]) for f in picked})
        print(f"## {rule} [{severity}]: {len(picked)} of {len(found)} findings, {sites} sites\n")
        for f in picked:
            print_finding(f, args.context, args.toml)


BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
          "figure", "figcaption", "table", "tr", "pre", "section", "article", "dl", "dt", "dd",
          "header", "footer", "aside", "nav", "hr", "br"}


class ReaderText(HTMLParser):
    """A rough text view of HTML as a reader's page shows it: text, blocks on their own
    lines, images and frames as bracketed notes, each link's text followed by its target.
    Not a browser: enough for a judge to see what the reader sees around a span."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in BLOCKS:
            self.out.append("\n")
        if tag == "img":
            src = a.get("src")
            alt = a.get("alt")
            alt_note = "no alt" if alt is None else f'alt="{alt}"'
            self.out.append(f"[image {alt_note}{'' if src else ', no src'}]")
        elif tag in ("iframe", "video", "audio", "embed", "object"):
            self.out.append(f"[{tag} {a.get('src') or a.get('data') or ''}]")
        elif tag == "a":
            self.links.append(a.get("href"))
            self.out.append("[link: ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "a" and self.links:
            href = self.links.pop()
            self.out.append(f" → {href if href is not None else '(no href)'}]")
        elif tag in BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(re.sub(r"[ \t\r\n]+", " ", data))

    def text(self) -> str:
        joined = "".join(self.out)
        lines = [line.strip() for line in joined.split("\n")]
        return "\n".join(line for line in lines if line)


def reader_view(html: str) -> str:
    parser = ReaderText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - a rough view; the HTML as written is shown as well
        return "(not renderable)"
    return parser.text()


def explain(exe: Path, rule: str, cache: dict[str, str]) -> str:
    if rule not in cache:
        done = subprocess.run([str(exe), "explain", rule], capture_output=True, text=True)
        cache[rule] = done.stdout.strip()
    return cache[rule]


def packets(args: argparse.Namespace) -> None:
    """Blind packets of the test half: per rule and severity a Markdown file a judge reads
    (no code, no tests, no verdicts), and `index.json` to map their answers back."""
    exe = Path(args.binary)
    if args.report:
        report = json.loads(Path(args.report).read_text())
    else:
        report = run_postlint(exe, args.now, folders_of("test"))
    split = load_split()
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for d in report["diagnostics"]:
        if d.get("span") and half_of(site_of(d["file"]), split) == "test":
            if not args.rule or d["rule"] in args.rule:
                grouped[(d["rule"], d["severity"])].append(d)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    verdicts = tomllib.loads(BLIND.read_text()).get("verdict", []) if BLIND.exists() else []
    rejudge = set(args.rejudge or [])
    # Judged at this severity: these count towards the sample; a rule whose findings changed
    # (`--rejudge`) is judged afresh, and `import` replaces its earlier verdicts.
    judged = {(v["file"], v["rule"], v["offset"], v["severity"]) for v in verdicts
              if v["rule"] not in rejudge}
    seen = {(v["file"], v["rule"], v["offset"]) for v in verdicts if v["rule"] not in rejudge}
    # A rule judged afresh is judged again first where it was found wanting.
    wanting = {(v["file"], v["rule"], v["offset"]) for v in verdicts
               if v["rule"] in rejudge and v.get("open")}
    index: dict[str, dict] = {}
    cache: dict[str, str] = {}
    for (rule, severity), found in sorted(grouped.items()):
        key_of = lambda f: (f["file"], f["rule"], f["span"]["offset"])
        already = sum((*key_of(f), severity) in judged for f in found)
        fresh = [f for f in found if key_of(f) not in seen]
        # Topped up to the sample size with findings never judged.
        first = [f for f in fresh if key_of(f) in wanting][:args.size]
        rest = [f for f in fresh if key_of(f) not in wanting]
        picked = first + spread_sample(rest, max(0, args.size - already - len(first)),
                                       f"{args.seed}:{rule}:{severity}")
        if not picked:
            continue
        lines = [f"# `{rule}` at {severity}: {len(picked)} findings to judge\n",
                 "## What the rule's documentation says (`postlint explain`)\n",
                 explain(exe, rule, cache), ""]
        for k, f in enumerate(picked, 1):
            key = f"{rule}.{severity}.{k}"
            span = f["span"]
            index[key] = {"file": f["file"], "rule": rule, "offset": span["offset"],
                          "at": f"{span['line']}:{span['column']}", "severity": severity}
            written = excerpt(CORPUS / f["file"], span["offset"], span["length"], args.context)
            post = f.get("post") or {}
            lines += [f"---\n\n## {key}\n",
                      f"- post: {post.get('title') or '(untitled)'} ({post.get('link') or 'no link'})",
                      f"- field: `{f.get('field', '?')}`",
                      f"- message: {f['message']}",
                      f"- help: {f.get('help') or '(none)'}", "",
                      "What a reader sees around it (the span between ⟦ and ⟧; a rough text view):",
                      "```text", reader_view(written), "```", "",
                      "The HTML as the editor wrote it:", "```html", written, "```", ""]
        (out / f"{rule}.{severity}.md").write_text("\n".join(lines) + "\n")
    (out / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    print(f"{len(index)} findings in {len({k.rsplit('.', 1)[0] for k in index})} packets under {out}")


def import_verdicts(args: argparse.Namespace) -> None:
    """The judges' answers (TOML: `[answers."<key>"]` with `verdict` and `why`) appended to
    blind.toml as entries, with the commit and date they were judged on."""
    index = json.loads((Path(args.packets) / "index.json").read_text())
    entries = []
    for path in args.answers:
        answers = tomllib.loads(Path(path).read_text()).get("answers", {})
        for key, answer in answers.items():
            if key not in index:
                sys.exit(f"{path}: {key} is no finding of the packets")
            verdict = answer["verdict"].lower()
            if verdict not in BLIND_VERDICTS:
                sys.exit(f"{path}: {key}: verdict {verdict!r} is not one of {BLIND_VERDICTS}")
            entries.append({**index[key], "verdict": verdict, "why": answer["why"].strip()})
    if not BLIND.exists():
        BLIND.write_text(
            "# Findings on the test half of the corpus (split.toml), judged blind: the judge saw the\n"
            "# reader's view, the HTML, the message, the help and `postlint explain`, never the code.\n"
            "# verdict: true (worth the editor's time at this severity), loud (real, not worth its\n"
            "# severity), false. tests/it/precision.rs keeps them; README.md beside this file.\n\n"
            f'now = "{NOW}"\n')
    judged_on = f"{git_commit()} {datetime.date.today().isoformat()}"
    drop_earlier_verdicts({(e["file"], e["rule"], e["offset"]) for e in entries})
    with BLIND.open("a") as f:
        for e in entries:
            f.write("\n[[verdict]]\n")
            for field in ("file", "rule", "offset", "at", "severity", "verdict", "why"):
                value = e[field]
                f.write(f"{field} = {value if isinstance(value, int) else toml_string(value)}\n")
            if e["verdict"] != "true":
                # Judged on a finding postlint reports: open until a rule change removes it.
                f.write("open = true\n")
            f.write(f"judged = {toml_string(judged_on)}\n")
    print(f"{len(entries)} verdicts added to {BLIND}")
    earlier = {(v["file"], v["rule"], v["offset"]): v
               for v in tomllib.loads(VERDICTS.read_text()).get("verdict", [])}
    for e in entries:
        old = earlier.get((e["file"], e["rule"], e["offset"]))
        if old and (old["verdict"] == "true") != (e["verdict"] == "true"):
            print(f"judged {old['verdict']} in {VERDICTS.name}, {e['verdict']} blind: "
                  f"{e['file']} {e['rule']} @{e['offset']} (the blind verdict stands; drop the "
                  f"old entry)")


def drop_earlier_verdicts(keys: set[tuple[str, str, int]]) -> None:
    """Removes from blind.toml the entries of findings judged again: the fresh verdict stands."""
    text = BLIND.read_text()
    head, *entries = text.split("\n[[verdict]]\n")
    kept = []
    for entry in entries:
        v = tomllib.loads(entry)
        if (v["file"], v["rule"], v["offset"]) not in keys:
            kept.append(entry)
    if len(kept) != len(entries):
        print(f"{len(entries) - len(kept)} earlier verdicts replaced")
        BLIND.write_text("\n[[verdict]]\n".join([head, *kept]))


def judged_true(verdict: str, severity: str) -> bool:
    """`info`: right only as an info, a false alarm at warning or error."""
    return verdict == "true" or (verdict == "info" and severity == "info")


def default_severities() -> dict[str, str]:
    """The registry's default severities, as `postlint rules` prints them (code, severity, …)."""
    binary = os.environ.get("POSTLINT", str(ROOT / "target" / "release" / "postlint"))
    listing = subprocess.run([binary, "rules"], capture_output=True, text=True, check=True)
    return {
        words[0]: words[1]
        for words in (line.split() for line in listing.stdout.splitlines())
        if len(words) >= 2
    }


def table(_args: argparse.Namespace) -> None:
    counts = json.loads(COUNTS.read_text())
    verdicts = tomllib.loads(BLIND.read_text()).get("verdict", [])
    still_found = set(counts.get("judged_still_found", []))
    defaults = default_severities()
    judged: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for v in verdicts:
        # Only findings this code still reports at the judged severity count; a verdict on a
        # finding that is gone (or moved to another severity) only guards against its return.
        if f"{v['file']}#{v['rule']}@{v['offset']}" in still_found:
            judged[(v["rule"], v["severity"])].append(v["verdict"] == "true")
    measured = counts["measured"]
    skipped = ", ".join(measured.get("not_sampled", []))
    print(f"Measured on the test half (`{measured.get('half', 'all')}`) at commit "
          f"`{measured['commit']}`: {measured['posts']:,} posts, `--now {measured['now']}`"
          f"{'; samples leave out ' + skipped if skipped else ''}.\n")
    print("| rule | default | findings: error / warning / info | judged true / sampled | precision |")
    print("| --- | --- | --- | --- | --- |")
    for rule, by in counts["rules"].items():
        found = " / ".join(str(by[s]) for s in SEVERITIES)
        cells = []
        for severity in SEVERITIES:
            marks = judged.get((rule, severity))
            if not marks:
                continue
            share = sum(marks) / len(marks)
            flag = "" if share >= TARGET[severity] else " **below target**"
            cells.append((f"{sum(marks)}/{len(marks)} {severity}",
                          f"{share:.0%} {severity}{flag}"))
        sampled = "; ".join(c[0] for c in cells) or "not judged"
        precision = "; ".join(c[1] for c in cells) or "-"
        print(f"| `{rule}` | {defaults.get(rule, '?')} | {found} | {sampled} | {precision} |")
    loud = [m for (_, sev), marks in judged.items() if sev != "info" for m in marks]
    quiet = [m for (_, sev), marks in judged.items() if sev == "info" for m in marks]
    for name, marks, severity in (("warning and error", loud, "warning"), ("info", quiet, "info")):
        if marks:
            print(f"\nAt {name}: {sum(marks)} of {len(marks)} judged true "
                  f"({sum(marks) / len(marks):.0%}; target {TARGET[severity]:.0%}).", end="")
    print()
    silent = [rule for rule, severity in defaults.items()
              if rule not in counts["rules"] and severity != "off"]
    if silent:
        print("\nNo finding on the corpus (default rules): " + ", ".join(f"`{r}`" for r in silent)
              + ". The sampler runs offline, without `--links`, and without a site's zone or required "
              "sections, which some of these need.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="lint the corpus, write the counts, print a sample")
    s.add_argument("--binary", default=str(binary()), help="postlint release binary")
    s.add_argument("--report", help="a saved JSON report (of this commit) instead of running postlint")
    s.add_argument("--keep-counts", action="store_true", help="do not rewrite counts.json")
    s.add_argument("--now", default=NOW)
    s.add_argument("--half", choices=("test", "tuning", "all"), default="tuning",
                   help="which half of fixtures/precision/split.toml to lint (counts.json "
                        "should hold the test half: `--half test` when measuring)")
    s.add_argument("--seed", default="23")
    s.add_argument("--size", type=int, default=20, help="findings per rule and severity")
    s.add_argument("--context", type=int, default=160, help="bytes of the file each side")
    s.add_argument("--rule", action="append", help="only this rule (repeatable)")
    s.add_argument("--exclude-site", action="append", default=[SPAM],
                   help="a corpus source not to sample (counted all the same)")
    s.add_argument("--toml", action="store_true", help="print verdict entries to fill in")
    s.set_defaults(run=sample)
    k = sub.add_parser("packets", help="blind packets of the test half for judges")
    k.add_argument("--binary", default=str(binary()), help="postlint release binary")
    k.add_argument("--report", help="a saved JSON report of the test half")
    k.add_argument("--out", required=True, help="folder for the packets")
    k.add_argument("--now", default=NOW)
    k.add_argument("--seed", default="31")
    k.add_argument("--size", type=int, default=20, help="findings per rule and severity")
    k.add_argument("--context", type=int, default=400, help="bytes of the file each side")
    k.add_argument("--rule", action="append", help="only this rule (repeatable)")
    k.add_argument("--rejudge", action="append",
                   help="judge this rule's findings afresh, earlier verdicts aside (repeatable)")
    k.set_defaults(run=packets)
    i = sub.add_parser("import", help="the judges' answers into blind.toml")
    i.add_argument("--packets", required=True, help="the folder `packets` wrote")
    i.add_argument("answers", nargs="+", help="TOML files of answers")
    i.set_defaults(run=import_verdicts)
    t = sub.add_parser("table", help="print the precision table of the test half")
    t.set_defaults(run=table)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
