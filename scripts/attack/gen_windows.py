#!/usr/bin/env python3
# Inputs for the window take-in attack (a659099c): files of corpus posts past several 8 MiB
# seams, with damage, huge posts and posts of thousands of findings at and around the seams.
import json, os, glob, random
random.seed(7)
SEAM = 8 << 20
posts = []
for path in sorted(glob.glob(os.environ.get('CORPUS', '../shared/corpus') + '/posts/*/*.json')):
    try:
        posts.append(json.dumps(json.load(open(path, encoding='utf-8')), ensure_ascii=False))
    except Exception:
        pass
out = '/tmp/attack/windows'
os.makedirs(out, exist_ok=True)

def noisy(i, n):
    # a post with n findings or so: empty spans, misnesting, hidden text, stray end tags
    html = ''.join(('<p><span></span><b><i>x</b></i> <your name> </a>' for _ in range(n)))
    return json.dumps({"id": 900000 + i, "title": {"rendered": "Noisy %d" % i},
                       "link": "https://noisy.example/%d/" % i,
                       "content": {"rendered": html}})

def fill(lines, size):
    body, total, k = [], 0, 0
    while total < size:
        line = lines[k % len(lines)]
        body.append(line); total += len(line.encode()) + 1; k += 1
    return body

def write(name, lines, sep='\n', head='', tail='\n'):
    data = (head + sep.join(lines) + tail).encode()
    open(os.path.join(out, name), 'wb').write(data)
    return data

base = fill(posts, 5 * SEAM)
data = write('plain.ndjson', base)
write('array.json', base, sep=',\n', head='[', tail=']\n')
# a noisy post straddling each seam: lines placed so that one starts ~200 KB before the seam
lines, total = [], 0
noisy_at = [s * SEAM - 200_000 for s in range(1, 5)]
k = 0
for line in base:
    if noisy_at and total >= noisy_at[0]:
        n = noisy(k, 3000); lines.append(n); total += len(n) + 1; noisy_at.pop(0); k += 1
    lines.append(line); total += len(line.encode()) + 1
write('noisy-seams.ndjson', lines)
# one post of 12 MB (longer than a piece) in the second window, another of 20 MB
big = json.dumps({"id": 1, "title": {"rendered": "Big"},
                  "content": {"rendered": "<p>" + "word <b><i>x</b></i> " * 700_000 + "</p>"}})
huge = json.dumps({"id": 2, "content": {"rendered": "<p>" + "y" * (20 << 20) + "</p>"}})
write('long-posts.ndjson', base[:3000] + [big] + base[3000:6000] + [huge] + base[6000:])
# damage just before each seam: a raw newline in a string, a cut line, garbage
def damaged(kind):
    d = bytearray(data)
    for s in range(1, 5):
        at = s * SEAM - 37
        if kind == 'garbage': d[at:at] = b'\n}}{{garbage]]\n'
        elif kind == 'newline': d[at:at] = b'\n'
        elif kind == 'quote': d[at:at] = b'"'
        elif kind == 'nul': d[at] = 0
        elif kind == 'ff': d[at:at+3] = b'\xff\xfe\xff'
    open(os.path.join(out, 'damaged-%s.ndjson' % kind), 'wb').write(bytes(d))
for kind in ['garbage', 'newline', 'quote', 'nul', 'ff']:
    damaged(kind)
# truncated in the middle of a post, past two seams
open(os.path.join(out, 'truncated.ndjson'), 'wb').write(data[:2 * SEAM + 1_000_003])
arr = open(os.path.join(out, 'array.json'), 'rb').read()
open(os.path.join(out, 'truncated-array.json'), 'wb').write(arr[:3 * SEAM + 777])
print('ok', len(posts), 'posts;', len(data), 'bytes')
