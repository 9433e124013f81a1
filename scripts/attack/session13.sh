#!/bin/bash
# Session 13's attack in one go (docs/robustness.md, "2026-12-07, session 13"): OLD against
# NEW over gen_session13.py's posts, the edge folders, gen-site's sites (spilled at 1 MiB),
# then NEW alone: signals and TMPDIR (sort_stop.sh), run files damaged while read (damage.sh),
# a full tmpfs (tmpfs_full.sh), and peaks. Usage: session13.sh OLD NEW (logs in /tmp/attack/log)
set -u
OLD=${1:?old binary}; NEW=${2:?new binary}; HERE=$(dirname "$0"); L=/tmp/attack/log; mkdir -p $L
EX=${EXAMPLES:-target/release/examples}
[ -d /tmp/attack/s13/in ] || python3 $HERE/gen_session13.py /tmp/attack/s13/in
[ -d /tmp/attack/site100k ] || $EX/gen-site /tmp/attack/site100k 100000 --files 60 --sites 7
[ -d /tmp/attack/site20k ] || $EX/gen-site /tmp/attack/site20k 20000 --files 5 --sites 50 --seed 7
for input in /tmp/attack/s13/in /tmp/attack/edge /tmp/attack/site20k /tmp/attack/site100k; do
  name=$(basename $input)
  TMPDIR=/tmp/attack/cmptmp bash $HERE/compare.sh $OLD $NEW $input > $L/compare.$name 2>&1
  echo "compare $name: rc $? $(grep -c DIFF $L/compare.$name) diffs; $(tail -2 $L/compare.$name | tr '\n' ' ')"
done
bash $HERE/sort_stop.sh $NEW /tmp/attack/site100k > $L/sort_stop 2>&1; echo "sort_stop: rc $?"
GROUPINGS=1 bash $HERE/damage.sh $NEW /tmp/attack/site100k 2 > $L/damage 2>&1; echo "damage: rc $?"
bash $HERE/tmpfs_full.sh $NEW /tmp/attack/site100k 2 > $L/tmpfs 2>&1; echo "tmpfs: rc $?"
peak() { /usr/bin/time -f %M -o $L/t "$@" > /dev/null 2>&1; cat $L/t; }
for b in $OLD $NEW; do
  echo "peak KB $(basename $b): --version $(peak $b --version)"
  for budget in 1MiB 128MiB; do for t in 1 2 8; do
    echo "  site100k $budget $t threads: $(peak $b check --no-config --select all --fail-on never --format json --memory-budget $budget --threads $t /tmp/attack/site100k)"
  done; done
done
