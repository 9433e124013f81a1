#!/bin/bash
# A large file that grows, or is cut short, while its windows are read (a659099c), on 2 and
# 8 threads: no panic, no hang, exit 0 or 2, a JSON report. Usage: grow.sh BINARY
set -u
BIN=${1:?binary}; W=/tmp/attack/windows; G=/tmp/attack/grow; mkdir -p $G
for t in 2 8; do
  for what in grow cut; do
    cp $W/plain.ndjson $G/f.ndjson
    ( if [ $what = grow ]; then for i in $(seq 1 40); do head -c 1000000 $W/plain.ndjson >> $G/f.ndjson; sleep 0.01; done
      else sleep 0.05; truncate -s 10000001 $G/f.ndjson; fi ) &
    bg=$!
    /usr/bin/time -f "%e s %M KB" timeout 120 "$BIN" check --no-config --format json --fail-on never --threads $t $G/f.ndjson > $G/out 2> $G/err
    rc=$?; wait $bg
    python3 -c "import json; r=json.load(open('$G/out')); print('$what threads $t rc $rc posts', r['summary']['posts'], 'findings', len(r['diagnostics']), [d['rule'] for d in r['diagnostics'] if d['rule'] in ('json-syntax','invalid-utf8')][:3])" 2>&1
    grep -v "^[0-9.]* s" $G/err | head -3; tail -1 $G/err
  done
done
