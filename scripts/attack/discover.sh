#!/bin/bash
# Attack of discover_sized (ee09ada4): the same report, errors and exit code on 1, 2 and 8
# threads over a hostile tree; shards cover it; --changed-since; files that vanish or change
# while the run walks and stats them. Usage: discover.sh BINARY
set -u
BIN=${1:?binary}
T=/tmp/attack/discover
rm -rf $T; mkdir -p $T/tree
cd $T/tree
POST='{"id":%d,"title":{"rendered":"T%d"},"link":"https://x.example/p%d/","content":{"rendered":"<p><b><i>x</b></i> <your name> %d</p>"}}\n'
mk() { mkdir -p "$(dirname "$1")"; printf "$POST" $2 $2 $2 $2 > "$1"; }
n=0
for d in a b a.b a-b c/d/e 'sp ace' é; do for f in 1 2 3; do n=$((n+1)); mk "$d/p$f.json" $n; done; done
mk big.json 99; for i in $(seq 1 2000); do printf "$POST" $i $i $i $i; done > big.ndjson
mk .hidden.json 98; mk ignored/x.json 97; echo 'ignored/' > .gitignore; git init -q . 2>/dev/null
mk a/skip.json 96; echo 'skip.json' > a/.ignore
ln -s b.json loop1.json 2>/dev/null; ln -s loop1.json b.json; ln -s self.json self.json
ln -s nothing/here.json dangling.json
ln -s /dev/zero zero.json; ln -s /dev/null null.json; mkfifo fifo.json
ln -s a linked; ln -s .. up
mkdir closed; mk closed/in.json 95; chmod 000 closed
: > empty.json; printf '{' > cut.json
run() { # threads, args...
  local t=$1; shift
  setpriv --reuid 12345 --regid 23456 --clear-groups timeout 120 "$BIN" check --no-config \
    --now 2026-12-01T00:00:00Z --color never --fail-on never --format json --threads $t "$@" \
    > $T/out.$t 2> $T/err.$t; echo $? > $T/rc.$t
}
chmod 755 $T; chown -R 12345:23456 $T/tree; chmod 000 closed
cases=(
  "."
  ". a/p1.json a"
  "a/p1.json . a/p1.json ./a/p1.json"
  "a a a/p2.json - nonexistent.json"
  "zero.json null.json fifo.json loop1.json self.json dangling.json closed closed/in.json ."
  "linked up/tree/a"
)
fail=0
for c in "${cases[@]}"; do
  for shard in "" "--shard 1/3" "--shard 2/3" "--shard 3/3"; do
    for t in 1 2 8; do run $t $c $shard < /dev/null; done
    for t in 2 8; do
      if ! cmp -s $T/out.1 $T/out.$t || ! cmp -s $T/err.1 $T/err.$t || ! cmp -s $T/rc.1 $T/rc.$t; then
        echo "DIFF: [$c] [$shard] 1 vs $t"; fail=1
      fi
    done
    grep -l panicked $T/err.* && fail=1
    echo "[$c] [$shard] rc=$(cat $T/rc.1) files=$(grep -o '"files":[0-9]*' $T/out.1 | head -1) errs=$(wc -l < $T/err.1)"
  done
done
# --changed-since in the git tree
git -c safe.directory=* -c user.email=a@b -c user.name=a add -A . 2>/dev/null; git -c safe.directory=* -c user.email=a@b -c user.name=a commit -qm one 2>/dev/null
mk a/p1.json 500; mk new/n.json 501; chown -R 12345:23456 $T/tree; chmod 000 closed
for t in 1 2 8; do run $t --changed-since HEAD < /dev/null; done
for t in 2 8; do cmp -s $T/out.1 $T/out.$t && cmp -s $T/err.1 $T/err.$t || { echo "DIFF changed-since 1 vs $t"; fail=1; }; done
echo "changed-since rc=$(cat $T/rc.1) $(grep -o '"files":[0-9]*' $T/out.1 | head -1)"
exit $fail
