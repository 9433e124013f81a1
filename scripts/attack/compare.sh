#!/bin/bash
# Reports of two binaries, byte for byte: every format in one run, on 1, 2, 3 and 8 threads,
# without a budget and at --memory-budget 1MiB, with every rule on (the off ones too); then the
# same folder as 3 shards merged. Usage: compare.sh OLD NEW PATH... (writes under /tmp/attack/cmp)
set -u
OLD=${1:?old binary}; NEW=${2:?new binary}; shift 2
R=/tmp/attack/cmp; rm -rf $R; mkdir -p $R
FORMATS=(json human sarif junit github html rdjson gitlab markdown)
common=(--no-config --select all --now 2026-12-01T00:00:00Z --color never --fail-on never)
run() { # binary tag args...
  local bin=$1 tag=$2; shift 2; rm -rf $R/$tag; mkdir -p $R/cur
  local f=(); for fmt in "${FORMATS[@]}"; do f+=(--format $fmt=$R/cur/out.$fmt); done
  /usr/bin/time -f "%e s %M KB" -o $R/time.$tag timeout 600 $bin check "${common[@]}" "${f[@]}" "$@" > $R/cur/stdout 2> $R/cur/stderr
  echo $? > $R/cur/rc; mv $R/cur $R/$tag
}
bad=0
for t in 1 2 3 8; do
  for budget in none 1MiB; do
    extra=(--threads $t); [ $budget != none ] && extra+=(--memory-budget $budget)
    run $OLD old "${extra[@]}" "$@"; run $NEW new "${extra[@]}" "$@"
    if ! diff -rq $R/old $R/new > $R/diff.$t.$budget; then
      echo "DIFF threads $t budget $budget: $(cat $R/diff.$t.$budget | tr '\n' ' ')"; bad=1
      cp -r $R/new $R/new.$t.$budget; cp -r $R/old $R/old.$t.$budget
    fi
    grep -l panicked $R/new/stderr && bad=1
    echo "threads $t budget $budget: old $(cat $R/time.old), new $(cat $R/time.new)"
  done
done
echo "formats x threads x budgets: rc $(cat $R/new/rc), findings $(grep -o '"rule":' $R/new/out.json | wc -l)"
# Shards, merged.
for bin in old new; do
  b=$OLD; [ $bin = new ] && b=$NEW
  for k in 1 2 3; do
    $b check "${common[@]}" --format json --threads 2 --shard $k/3 "$@" > $R/$bin.shard$k 2>/dev/null
  done
  for fmt in json human sarif; do
    $b merge --no-config --select all --fail-on never --format $fmt $R/$bin.shard1 $R/$bin.shard2 $R/$bin.shard3 > $R/$bin.merged.$fmt 2> $R/$bin.merged.err
  done
  # A merge of the other binary's shards.
  $b merge --no-config --select all --fail-on never --format json $R/old.shard1 $R/old.shard2 $R/old.shard3 > $R/$bin.merged-old 2>/dev/null
done
for f in shard1 shard2 shard3 merged.json merged.human merged.sarif merged-old; do
  cmp -s $R/old.$f $R/new.$f || { echo "DIFF $f"; bad=1; }
done
echo "merge: $(grep -o '"rule":' $R/new.merged.json | wc -l) findings merged"
exit $bad
