#!/bin/bash
# Files that vanish, appear, grow and shrink while the walk finds them and another thread
# stats them (discover_sized): no panic, no hang, each run exits 0 or 2 with each vanished
# file named. Also: 100,000 empty files on 1 and 2 threads (same report). Usage: vanish.sh BINARY
set -u
BIN=${1:?binary}
T=/tmp/attack/vanish
rm -rf $T; mkdir -p $T/churn $T/empty
cd $T
POST='{"id":1,"title":{"rendered":"T"},"content":{"rendered":"<p>x</p>"}}'
for i in $(seq 1 3000); do echo "$POST" > churn/f$i.json; done
( end=$((SECONDS+40)); while [ $SECONDS -lt $end ]; do
    for i in $(seq 1 7 3000); do rm -f churn/f$i.json; done; for i in $(seq 5 40 3000); do mkdir -p churn/f$i.json.d; rmdir churn/f$i.json.d; done
    for i in $(seq 2 40 3000); do head -c $((RANDOM*8)) /dev/urandom > churn/f$i.json; done
    for i in $(seq 1 7 3000); do echo "$POST" > churn/f$i.json; done
    for i in $(seq 3 40 3000); do : > churn/f$i.json; done
  done ) &
churner=$!
bad=0; twos=0; : > errs.all
for round in $(seq 1 12); do
  for t in 1 2 8; do
    timeout 60 "$BIN" check --no-config --color never --fail-on never --format json --threads $t churn > out.$t 2> err.$t
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then echo "round $round threads $t: rc $rc"; bad=1; fi
    [ $rc -eq 2 ] && { twos=$((twos+1)); cat err.$t >> errs.all; }
    grep -q panicked err.$t && { echo "panic"; cat err.$t; bad=1; }
    python3 -c "import json,sys; json.load(open('out.$t'))" || { echo "bad json"; bad=1; }
  done
done
kill $churner 2>/dev/null; wait $churner 2>/dev/null
echo "churn: 36 runs, bad=$bad, $twos exited 2; their messages: $(sed 's/f[0-9]*\.json/fN.json/' errs.all | sort | uniq -c | head -5)"
cd empty; python3 -c "
import os
for i in range(100000):
    d='d%03d'%(i//1000); os.makedirs(d,exist_ok=True); open('%s/e%06d.json'%(d,i),'w').close()"
cd ..
for t in 1 2 8; do
  /usr/bin/time -f "%e s %M KB" timeout 300 "$BIN" check --no-config --color never --fail-on never --format json --threads $t empty > eout.$t 2> eerr.$t; echo "empty tree threads $t rc $? $(tail -1 eerr.$t)"
done
cmp eout.1 eout.2 && cmp eout.1 eout.8 && echo "100k empty files: same report on 1, 2, 8 threads" || bad=1
exit $bad
