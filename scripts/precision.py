#!/usr/bin/env python3
"""Precision of postlint's rules, measured on the shared corpus of real posts.

    scripts/precision.py sample   # lint the corpus, count findings, print a sample to judge
    scripts/precision.py table    # the README's precision table, from the counts and verdicts

`sample` runs the release binary over ../shared/corpus/posts with the JSON report (built-in
rules, no config, a fixed `--now`), writes the counts per rule and severity to
fixtures/precision/counts.json, and prints, for each rule and severity, up to 20 findings
spread over as many sites as possible, picked with a fixed seed: the file, the rule, line:col,
the byte offset, the message and the HTML around the span as the editor wrote it (JSON escapes
decoded, the span between ⟦ and ⟧). `--toml` prints them as verdict entries to fill in.

`table` reads fixtures/precision/counts.json, fixtures/precision/verdicts.toml and
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
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
PRECISION = ROOT / "fixtures" / "precision"
COUNTS = PRECISION / "counts.json"
VERDICTS = PRECISION / "verdicts.toml"
# Fixed so that future-published and missed-schedule give the same findings on every run; the
# precision test uses the same instant (it is in verdicts.toml).
NOW = "2026-12-01T00:00:00Z"
# An SEO spam site (every post starts with an ad script): counted, never sampled, as the corpus
# README says it is no ground for judging false positives.
SPAM = "ss-trevormlilly-spam"
SEVERITIES = ("error", "warning", "info")
TARGET = {"error": 0.9, "warning": 0.9, "info": 0.7}


def binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "postlint"


def run_postlint(exe: Path, now: str) -> dict:
    """The JSON report of the whole corpus; files are named `posts/<site>/<id>.json`."""
    command = [
        str(exe), "check", "--no-config", "--now", now,
        "--format", "json", "--fail-on", "never", "posts",
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


def sample(args: argparse.Namespace) -> None:
    if args.report:
        report = json.loads(Path(args.report).read_text())
    else:
        report = run_postlint(Path(args.binary), args.now)
    diagnostics = [d for d in report["diagnostics"] if d.get("span")]
    counts = counts_of(diagnostics)
    sampled_from = counts_of([d for d in diagnostics if site_of(d["file"]) not in args.exclude_site])
    if not args.keep_counts:
        meta = {
            "commit": git_commit(), "now": args.now, "posts": report["summary"].get("posts"),
            "not_sampled": args.exclude_site,
        }
        outside = {rule: sum(by.values()) for rule, by in sampled_from.items()}
        document = {"measured": meta, "rules": counts, "sampled_from": outside}
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
    verdicts = tomllib.loads(VERDICTS.read_text()).get("verdict", [])
    defaults = default_severities()
    judged: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for v in verdicts:
        # A false finding no longer reported (no `open` mark) only guards against its return:
        # it is no finding of the rule any more. An `info` verdict at info is a finding judged
        # right at the severity it has.
        if judged_true(v["verdict"], v["severity"]) or v.get("open"):
            judged[(v["rule"], v["severity"])].append(judged_true(v["verdict"], v["severity"]))
    measured = counts["measured"]
    skipped = ", ".join(measured.get("not_sampled", []))
    print(f"Measured on the code of commit `{measured['commit']}`: {measured['posts']:,} posts, "
          f"`--now {measured['now']}`; samples leave out {skipped or 'no site'}.\n")
    outside = counts.get("sampled_from", {})
    print("| rule | default | findings: error / warning / info | sampled from | judged true / sampled | precision |")
    print("| --- | --- | --- | --- | --- | --- |")
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
        print(f"| `{rule}` | {defaults.get(rule, '?')} | {found} | {outside.get(rule, 0)} "
              f"| {sampled} | {precision} |")
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
    s.add_argument("--seed", default="23")
    s.add_argument("--size", type=int, default=20, help="findings per rule and severity")
    s.add_argument("--context", type=int, default=160, help="bytes of the file each side")
    s.add_argument("--rule", action="append", help="only this rule (repeatable)")
    s.add_argument("--exclude-site", action="append", default=[SPAM],
                   help="a corpus source not to sample (counted all the same)")
    s.add_argument("--toml", action="store_true", help="print verdict entries to fill in")
    s.set_defaults(run=sample)
    t = sub.add_parser("table", help="print the README table")
    t.set_defaults(run=table)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
