#!/usr/bin/env python3
# JSON containers of one place in very different sizes, against the reader's room of the last
# container of its place (src/input/json/room.rs). Usage: gen_room.py [OUT] (default
# /tmp/attack/s12/room). Writes:
# - deep-wide.ndjson: posts whose key `a` first holds 255 members, then 500 objects nested
#   under `a` with one member each (each starts with the room of 255);
# - huge-then-small.json: an array of one object of 1,000,000 members, then 100,000 small ones;
# - big-array-then-small.json: a 50 MB array of numbers, then 100,000 arrays of one item;
# - alternating.json: an array whose items alternate 255 members and none.
import json, os, sys

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/attack/s12/room'
os.makedirs(out, exist_ok=True)
wide = '{' + ','.join('"m%d":0' % i for i in range(255)) + '}'
deep = '{"a":' * 500 + '0' + '}' * 500


def post(i, extra):
    return ('{"id":%d,"title":{"rendered":"T%d"},"link":"https://a.example/p%d/",'
            '"content":{"rendered":"<p>x</p>"},%s}' % (i, i, i, extra))


with open(os.path.join(out, 'deep-wide.ndjson'), 'w') as f:
    for i in range(2000):
        f.write(post(i + 1, '"x":{"a":%s,"b":%s}' % (wide, deep)) + '\n')
with open(os.path.join(out, 'deep-only.ndjson'), 'w') as f:
    for i in range(2000):
        f.write(post(i + 1, '"x":{"a":{},"b":%s}' % deep) + '\n')
with open(os.path.join(out, 'huge-then-small.json'), 'w') as f:
    f.write('[' + post(1, '"x":{' + ','.join('"k%d":%d' % (i, i) for i in range(1000000)) + '}'))
    for i in range(100000):
        f.write(',' + post(i + 2, '"x":{"k":1}'))
    f.write(']')
with open(os.path.join(out, 'big-array-then-small.json'), 'w') as f:
    f.write('[' + post(1, '"x":[' + ','.join(str(i % 10) for i in range(25000000)) + ']'))
    for i in range(100000):
        f.write(',' + post(i + 2, '"x":[1]'))
    f.write(']')
with open(os.path.join(out, 'alternating.json'), 'w') as f:
    items = [wide if i % 2 == 0 else '{}' for i in range(20000)]
    f.write('[' + post(1, '"x":[' + ','.join(items) + ']') + ']')
