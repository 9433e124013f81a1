#!/bin/bash
# Rules switched off and on by every means: the two narrowed rules report nothing when off and
# what they found with every rule on when selected alone. Usage: rules.sh BINARY
set -u
BIN=${1:?binary}; mkdir -p /tmp/attack/rules; cd /tmp/attack/rules
python3 - <<'PY'
import json
html = ('<p><b><i>x</b></i> <your name> <my-card>c</my-card> <o:p></o:p></p>'
        '<pre><code>List<Height> a</code></pre><svg><foo/></svg><math><bar></bar></math>'
        '<p><A href=x>y</P></a><table><tr><td><B>c</table></b><p><Your Name>x</your>'
        '<template><zz>t</zz></template><div><em><strong>q</em></strong></div>')
posts = [{"id": i, "title": {"rendered": "T%d" % i}, "content": {"rendered": html}} for i in range(1, 4)]
for name in ('mixed.json', 'archive.json'):
    open(name, 'w').write(json.dumps(posts))
PY
count() { python3 -c "
import json,sys,collections
r=json.load(sys.stdin); c=r['summary']['by_rule']
print(c.get('misnested-tags',0), c.get('text-hidden-as-tag',0), sum(c.values()))"; }
run() { "$BIN" check --color never --fail-on never --format json "$@" 2>/dev/null | count; }
echo "all rules:            $(run --no-config mixed.json)"
echo "--ignore misnested:   $(run --no-config --ignore misnested-tags mixed.json)"
echo "--ignore hidden:      $(run --no-config --ignore text-hidden-as-tag mixed.json)"
echo "--select both:        $(run --no-config --select misnested-tags,text-hidden-as-tag mixed.json)"
echo "--select misnested:   $(run --no-config --select misnested-tags mixed.json)"
echo "--severity off:       $(run --no-config --severity misnested-tags=off --severity text-hidden-as-tag=off mixed.json)"
printf 'ignore = ["misnested-tags"]\n[rules.text-hidden-as-tag]\nseverity = "off"\n' > off.toml
echo "config off:           $(run --config off.toml mixed.json)"
printf '[[overrides]]\nfiles = ["archive.json"]\nignore = ["misnested-tags", "text-hidden-as-tag"]\n' > over.toml
echo "override (2 files):   $(run --config over.toml mixed.json archive.json)"
