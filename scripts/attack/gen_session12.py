#!/usr/bin/env python3
# Hostile inputs for the attack of session 12's changes (docs/robustness.md, "2026-12-07,
# session 12"): owned finding texts (alike, one byte apart, repeating 63-65 apart, elided),
# odd guid hosts, odd WordPress dates, and JSON containers of one place but very different
# sizes. Usage: gen_session12.py [OUT] (default /tmp/attack/s12/in).
import json, os, sys

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/attack/s12/in'
os.makedirs(out, exist_ok=True)


def post(i, html, **extra):
    p = {"id": i, "date": "2024-01-02T03:04:05", "date_gmt": "2024-01-02T01:04:05",
         "modified": "2024-01-03T03:04:05", "modified_gmt": "2024-01-03T01:04:05",
         "status": "publish", "type": "post", "slug": "p%d" % i,
         "link": "https://a.example/p%d/" % i, "guid": {"rendered": "https://a.example/?p=%d" % i},
         "title": {"rendered": "T%d" % i}, "content": {"rendered": html}}
    p.update(extra)
    return p


def write(name, posts, ndjson=True):
    with open(os.path.join(out, name), 'w', encoding='utf-8') as f:
        if ndjson:
            for p in posts:
                f.write(json.dumps(p, ensure_ascii=False) + '\n')
        else:
            json.dump(posts, f, ensure_ascii=False)


def owned(names):
    """Markup whose findings quote each name: a missing fragment and an unknown tag."""
    return ''.join('<a href="#%s">x</a> <%s> ' % (n, n) for n in names)


# Names that cycle with every period around the 64 remembered places, that differ in one byte
# (first, middle, last; ASCII and UTF-8), and long ones past the shown length.
base = 'frag-abcdefgh'
one_byte = [base[:k] + c + base[k + 1:] for k in (0, 6, len(base) - 1) for c in 'xyz']
one_byte += ['frag-\u00e9t\u00e9', 'frag-\u00e9t\u00e8', 'frag-\U0001F600a', 'frag-\U0001F601a']
longs = ['L' * n + s for n in (150, 190, 199, 200, 201, 250, 400) for s in ('a', 'b')]
cycles = {}
for period in (1, 2, 3, 31, 32, 63, 64, 65, 66, 127, 128, 129, 200):
    cycles[period] = ['c%d-%d' % (period, i % period) for i in range(period * 7 + 3)]
posts = []
for i, (period, names) in enumerate(sorted(cycles.items())):
    posts.append(post(i + 1, '<p>' + owned(names) + '</p>'))
posts.append(post(100, '<p>' + owned(one_byte * 9) + '</p>'))
posts.append(post(101, '<p>' + owned(longs * 5) + '</p>'))
# The same names across posts: a text met again in the next post.
for i in range(40):
    posts.append(post(200 + i, '<p>' + owned(cycles[65][i:i + 70]) + '</p>'))
write('texts.ndjson', posts)
write('texts-array.json', posts, ndjson=False)

# One post of many findings, texts cycling 65 apart (never within the 64 places by slot luck),
# and one whose texts alternate between two one byte apart.
write('many-cycle.json', [post(1, '<p>' + owned('n%d' % (i % 65) for i in range(60000)) + '</p>')], False)
write('many-alt.json', [post(1, '<p>' + owned(('ab%dz' % (i % 2)) for i in range(60000)) + '</p>')], False)

# Guid hosts: what the url crate reads, and what it refuses.
hosts = [
    'HTTP://EXAMPLE.COM', 'http://EXAMPLE.com/x', 'http://exa%6Dple.com/', 'http://xn--bcher-kva.de/',
    'http://xn--nxasmq6b.com/', 'http://xn--invalid-.com/', 'http://XN--bcher-kva.de/', 'http://b\u00fccher.de/',
    'http://B\u00dcCHER.de/', 'http://user:pw@host:99/', 'http://user@a.example/', 'http://[::1]/', 'http://[::1]:80/',
    'http://1.2.3.4./', 'http://1.2.3.4/', 'http://0x7f.1/', 'http://1.2.3/', 'http://999.1.1.1/', 'http://a.1/',
    'http://a.0x1/', 'http://a.1e5/', 'http://a.b1/', 'http://example.com./', 'http://example.com../', 'http://.example.com/',
    'http://a..b/', 'http:///', 'http://', 'http:example.com', 'http:/example.com', 'http:\\\\example.com\\x',
    'http://example.com\\x', 'http://exa\tmple.com/', 'http://exa\nmple.com/', 'http://exa\rmple.com/',
    ' http://example.com/', 'http://example.com/ ', 'http://example.com/\t', '\thttp://example.com/',
    'https://example.com:443/', 'https://example.com:80/', 'http://example.com:80/', 'http://example.com:/',
    'https://a.example:443', 'http://' + 'a' * 300 + '.com/', 'http://' + '.'.join(['b' * 63] * 6) + '/',
    'http://' + 'c' * 64 + '.com/', 'http://-a-.com/', 'http://a-.b-/', 'http://ab--c.com/', 'http://a.example?x',
    'http://a.example#y', 'HtTpS://A.Example', 'ftp://a.example/', 'file:///etc/passwd', 'mailto:a@b.example',
    '/?p=12', '', '?p=1', 'http://a.example\u00ad/', 'http://\uff41.example/', 'http://a\uff0eexample/',
    'http://\u212a.example/', 'http://\u0130.example/', 'http://a.example\x00/', 'http://a.example\x7f/',
    'http://a%2eexample/', 'http://a.example%/', 'http://a_b.example/', 'http://a*b.example/', 'http://a b.example/',
    'http://\u0661.example/', 'http://a.\u0661/', 'http://x.y.z.123/', 'http://x.123./', 'http://0/', 'http://a.00/',
    'http://localhost', 'http://LOCALHOST:8080/x', 'https://a.example/' + 'p' * 5000,
]
write('hosts.ndjson', [post(i + 1, '<p>x</p>', guid={"rendered": h}) for i, h in enumerate(hosts)])

# Dates as WordPress writes them, and as it should not.
dates = ['0000-00-00 00:00:00', '0000-00-00T00:00:00', '0000-01-01T00:00:00', '0001-01-01T00:00:00',
         '0999-12-31T23:59:59', '1000-01-01T00:00:00', '9999-12-31T23:59:59', '10000-01-01T00:00:00',
         '-0001-01-01T00:00:00', '-9999-01-01T00:00:00', '2016-12-31T23:59:60', '2016-12-31 23:59:60',
         '2024-02-29T12:00:00', '2023-02-29T12:00:00', '2024-01-02T03:04:05.5', '2024-01-02T03:04:05.123456789',
         '2024-01-02T03:04:05.000001', '2024-01-02T03:04:05Z', '2024-01-02T03:04:05+09:00', '2024-01-02',
         '1970-01-01T00:00:00', '1969-12-31T23:59:59', '2038-01-19T03:14:08', '0099-01-01T00:00:00',
         '+2024-01-02T03:04:05', '2024-13-01T00:00:00', '2024-01-02T24:00:00', '99999-01-01T00:00:00']
dated = []
n = 0
for d in dates:
    for g in (d, '2024-01-02T01:04:05', '0000-00-00T00:00:00', d):
        n += 1
        dated.append(post(n, '<p>x</p>', date=d, date_gmt=g, modified=d, modified_gmt=g))
write('dates.ndjson', dated)
# Many posts of one site with odd dates: enough facts to spill at 1 MiB.
write('dates-many.ndjson', [dict(dated[i % len(dated)], id=i + 1, slug='s%d' % i,
                                link='https://a.example/s%d/' % i, guid={"rendered": hosts[i % len(hosts)]})
                           for i in range(30000)])
