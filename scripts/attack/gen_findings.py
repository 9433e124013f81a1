#!/usr/bin/env python3
# One REST-API post with very many findings, for the memory a post's findings take while held
# (docs/robustness.md, "A post's findings in bounded memory"). Usage: gen_findings.py KIND N
# [OUT]: N repetitions of KIND's markup in `content.rendered`; KIND is `misnest` (the 14.7 MB
# post of the window attack: `<b><i>x</b></i>`, one finding each), `span` (empty spans, a fix
# each), `links` (one link repeated: duplicate links, a second label each) or `mixed` (all
# three in turn). Writes OUT (default /tmp/attack/findings/KIND-N.json).
import json, os, sys

PARTS = {
    'misnest': 'word <b><i>x</b></i> ',
    'span': 'word <span></span> ',
    'links': 'see <a href="https://dup.example/a">this</a> ',
}
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.argv[3] if len(sys.argv) > 3 else '/tmp/attack/findings/%s-%d.json' % (kind, n)
order = list(PARTS.values()) if kind == 'mixed' else [PARTS[kind]]
html = '<p>' + ''.join(order[i % len(order)] for i in range(n)) + '</p>'
post = {"id": 1, "date": "2024-01-02T03:04:05", "title": {"rendered": "Many findings"},
        "link": "https://noisy.example/many/", "content": {"rendered": html}}
os.makedirs(os.path.dirname(out) or '.', exist_ok=True)
with open(out, 'w', encoding='utf-8') as f:
    json.dump(post, f)
print(out, os.path.getsize(out), 'bytes')
