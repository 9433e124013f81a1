#!/usr/bin/env python3
# Hostile inputs for the attack of session 13's changes (docs/robustness.md, "2026-12-07,
# session 13"): the rules made cheaper (duplicate-link's read-more texts, link-text-vague's
# blanks and punctuation, link-malformed's web addresses, empty-span inside paragraphs and
# headings, unrendered-shortcode's brackets) mixed at random, posts of odd ids, paths and
# titles for the JSON report's posts, and a post that fails to parse.
# Usage: gen_session13.py [OUT] [POSTS] [SEED] (default /tmp/attack/s13/in 4000 13).
import json, os, random, sys

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/attack/s13/in'
count = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
os.makedirs(out, exist_ok=True)
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 13)

BLANKS = [' ', '\u00a0', '\u200b', '\u200c', '\u200d', '\ufeff', '\u3000', '\u2003', '\t',
          '\n', '\u2028', '\u180e', '\u2060', '&nbsp;', '&#8203;', '&#xFEFF;', '&#32;', '']
PUNCT = ['«', '»', '“', '”', '‘', '’', '„', '→', '←', '›', '‹', '…', '–', '—', '。', '、',
         '！', '？', '：', '「', '」', '【', '】', '!', '.', '>', '&gt;', '&raquo;', '&hellip;',
         '⟩', '‐', '¡', '¿', '·', '|', '']
VAGUE = ['click here', 'Click Here', 'CLICK HERE', 'here', 'HERE', 'Here', 'read more',
         'Read More', 'more', 'MORE', 'link', 'this link', 'learn more', 'hier klicken',
         'cliquez ici', 'haga clic aquí', 'HAGA CLIC AQUÍ', 'ここをクリック', '点击这里',
         'click\u00a0here', 'click\u200bhere', 'click  here', 'clíck here', 'ＨＥＲＥ',
         'here' * 3, 'click here' + 'x' * 300, 'İ here', 'K here', 'klick hier']
READ_MORE = ['read more', 'Read More', 'READ MORE', 'more', 'More', 'MORE', 'continue reading',
             'Continue Reading', 'read the rest', 'leer más', 'Leer Más', 'LEER MÁS',
             'seguir leyendo', 'weiterlesen', 'Weiterlesen', 'lire la suite', 'LIRE LA SUITE',
             'leggi tutto', '続きを読む', '阅读更多', 'selengkapnya', 'xem thêm', 'XEM THÊM',
             'read\u00a0more', 'read  more', 'reAd mOre', 'mORE', 'moré', 'more\u0301',
             'ＲＥＡＤ ＭＯＲＥ', 'read more read more', 'read', 'rest', 'readmore',
             'LEER MA\u0301S', 'continue readİng', 'mor\u212a', 'ΜΟΡΕ']
HREFS = ['https://a.example/x', 'HTTPS://A.EXAMPLE/X', 'Http://a.example', 'https://a.example',
         'http://', 'https://', 'http:///x', 'HTTPS:///x', 'https:////x', 'http:// a.example',
         'http://a example.com/', 'http://a.example/ b', 'https://[::1', 'https://[::1]/',
         'http://a:99999/', 'https://a.example:/', 'https://#frag', 'https://?q=1', 'https:/x',
         'http:/\\x', 'http:\\\\x', 'https://user@', 'http://a%zz.example/', 'http://é.example/',
         'https://xn--/', 'htps://a.example', 'HTPS://a.example', 'http//a.example',
         'https//a', 'http:a.example', 'javascript:void(0)', 'JavaScript:void(0)',
         'JAVASCRIPT:alert(1)', 'javascript:', 'mailto:', 'MAILTO: ', 'mailto:a@b.example',
         'tel:+1', 'ftp://a.example', 'hxxp://a.example', 'httpss://a.example', 'HTTPSS://x',
         '/relative', 'relative', '#top', '{{url}}', '', ' https://a.example/', 'https://a.example/\t',
         'https://a.exa"mple/', "https://a.exa'mple/", 'https://a.example/<b>', 'https://ä.example',
         'https://a..example', 'https://-a.example', 'https://a.example:8080/p?q#f',
         'https://' + 'a' * 300 + '.example/', 'https:', 'HTTP:', 'http:x', 'https://\u00a0a.example',
         'https://a.example/%', 'https://%41.example/', 'http://0x7f.1/', 'http://256.256.256.256/']
SHORTCODES = ['[', ']', '[[', '[]', '[ ]', '[gallery]', '[gallery ids="1,2"]', '[/gallery]',
              '[caption id="x"]t[/caption]', '[embed]https://a.example[/embed]', '[[gallery]]',
              '[ gallery ]', '[Gallery]', '[1]', '[a]', '[et_pb_section]', '&#91;gallery&#93;',
              '[vc_row][vc_column]', '[contact-form-7 id="1"]', '\\[gallery]', '[gallery', 'gallery]',
              '[' * 50, ']' * 50, '[x' * 20]


def pick(xs):
    return rng.choice(xs)


def decorated(text):
    return pick(BLANKS) + pick(PUNCT) + pick(BLANKS) + text + pick(BLANKS) + pick(PUNCT) + pick(BLANKS)


def split_runs(text):
    """The text as one run, or cut into runs by markup or a comment."""
    if len(text) < 2 or rng.random() < 0.5:
        return text
    cut = rng.randrange(1, len(text))
    mid = pick(['<b>', '</b>', '<!-- c -->', '<span></span>', '<br>', '<wbr>', '<i>x</i>', ''])
    return text[:cut] + mid + text[cut:]


def link(href, text, cls=None):
    c = ' class="%s"' % cls if cls else ''
    return '<a href="%s"%s>%s</a>' % (href.replace('"', '&quot;'), c, text)


def duplicate_links():
    target = pick(HREFS[:4] + ['https://a.example/p', '/p', 'https://a.example/p#x'])
    parts = []
    for _ in range(rng.randrange(2, 5)):
        text = split_runs(decorated(pick(READ_MORE + VAGUE + ['the report', 'Report'])))
        cls = pick([None, None, None, 'more-link', 'Read-More', 'button', 'btn'])
        parts.append('<p>%s %s</p>' % (pick(['See', '', 'x']), link(target, text, cls)))
    return ''.join(parts)


def vague_links():
    return ''.join('<p>%s</p>' % link('https://a.example/%d' % rng.randrange(9),
                                      split_runs(decorated(pick(VAGUE)))) for _ in range(3))


def malformed_links():
    parts = []
    for _ in range(4):
        a = link(pick(HREFS), 'x')
        if rng.random() < 0.3:
            a = pick(['<code>%s</code>', '<pre>%s</pre>', '<kbd>%s</kbd>', '<pre><code>%s', '%s']) % a
        if rng.random() < 0.2:
            a = '<img src="%s">' % pick(HREFS).replace('"', '&quot;')
        parts.append(a)
    return ' '.join(parts)


SPAN_SHAPES = ['<p><span></span></p>', '<p> <span> </span> </p>', '<p>a<span></span>b</p>',
               '<h2><span></span></h2>', '<h2>t<span> </span></h2>', '<h3><span><span></span></span></h3>',
               '<p><span><p><span></span></p></span></p>', '<h2><p><span></span></p></h2>',
               '<p><h2><span></span></h2></p>', '<span><p><span></span></p></span>',
               '<p><span><b></span></b></p>', '<p><span>', '<h4><span>', '<p><span></p></span>',
               '<table><p><span></span></table>', '<svg><p><span></span></p></svg>',
               '<p><span>&nbsp;</span></p>', '<p><span>\u200b</span>x</p>', '<ul><li><span></span></li></ul>',
               '<h1><a href="/x"><span></span></a></h1>', '<p><span style="x"></span></p>',
               '<p>a</p><span></span>', '<h2></h2><span></span>', '<p><div><span></span></div></p>',
               '<h5><span></span><p>', '<p><span></span><h6><span></span></h6>', '<p>x<span> </span>y</p>',
               '<template><p><span></span></p></template>', '<p><!-- c --><span></span></p>']


def spans():
    return ''.join(pick(SPAN_SHAPES) for _ in range(rng.randrange(1, 5)))


def shortcodes():
    return ''.join(pick(SHORTCODES) + pick(['', ' ', 'text ', '<p>', '</p>', '<code>', '</code>'])
                   for _ in range(rng.randrange(1, 8)))


MAKERS = [duplicate_links, vague_links, malformed_links, spans, shortcodes]
TITLES = ['T', '', ' ', '"quoted"', 'back\\slash', 'line\nbreak', 'tab\there', '\u2028sep\u2029',
          '<b>bold</b>', '&amp;', '\u0000nul', '😀' * 3, 'x' * 2000, None]
IDS = [1, 0, -1, 2**53, 2**63 - 1, -2**63, None, '7', 3.5]


def post(i):
    html = ''.join(pick(MAKERS)() for _ in range(rng.randrange(1, 4)))
    if rng.random() < 0.05:
        html = ''
    if rng.random() < 0.05:
        html += pick(['[', '[' * 3000, 'x [', '<p>[</p>', ']['])
    title = pick(TITLES)
    p = {"id": pick(IDS) if rng.random() < 0.1 else i, "date": "2024-01-02T03:04:05",
         "date_gmt": "2024-01-02T01:04:05", "status": "publish", "type": "post",
         "slug": "p%d" % i, "link": "https://a.example/p%d/" % i,
         "content": {"rendered": html}}
    if title is not None:
        p["title"] = {"rendered": title}
    if rng.random() < 0.3:
        p["excerpt"] = {"rendered": pick(MAKERS)()}
    return p


files = max(1, count // 200)
for f in range(files):
    name = ['posts-%d.json' % f, 'odd name %d.json' % f, 'ünï-%d.json' % f, 'q"uote%d.json' % f][f % 4]
    with open(os.path.join(out, name), 'w', encoding='utf-8') as fh:
        for i in range(f * 200, min(count, (f + 1) * 200)):
            fh.write(json.dumps(post(i), ensure_ascii=False) + '\n')
# A post that fails to parse, an empty file, a file of one post, one of no post but a comma.
with open(os.path.join(out, 'broken.json'), 'w') as fh:
    fh.write('{"id": 1, "content": {"rendered": "<p>x</p>"\n')
open(os.path.join(out, 'empty.json'), 'w').close()
with open(os.path.join(out, 'one.json'), 'w') as fh:
    json.dump({"id": 5, "content": {"rendered": "<p>fine</p>"}}, fh)
with open(os.path.join(out, 'array.json'), 'w') as fh:
    fh.write('[]')
