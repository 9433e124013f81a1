#!/bin/bash
# The site groupings' sort, spilled (--memory-budget 1MiB over gen-site's posts): the same
# report over 20 runs on 2 threads; a read-only and a missing TMPDIR; SIGINT and SIGTERM at
# several moments (no folder left, the run ended by the signal). Usage: sort_stop.sh BINARY SITE_DIR
set -u
BIN=${1:?binary}; SITE=${2:?gen-site folder}; T=/tmp/attack/sortstop; rm -rf $T; mkdir -p $T/tmp
args=(check --no-config --select all --now 2026-12-01T00:00:00Z --color never --fail-on never --format json --memory-budget 1MiB)
bad=0
if [ "${ONLY_SIGNALS:-}" != 1 ]; then
TMPDIR=$T/tmp $BIN "${args[@]}" --threads 1 $SITE > $T/ref 2> $T/ref.err
for i in $(seq 1 20); do
  TMPDIR=$T/tmp $BIN "${args[@]}" --threads 2 $SITE > $T/out 2> /dev/null
  cmp -s $T/ref $T/out || { echo "run $i: DIFF"; bad=1; }
done
echo "20 runs on 2 threads against 1 thread: bad=$bad; left in TMPDIR: $(ls $T/tmp | wc -l)"
mkdir -p $T/ro; chmod 555 $T/ro
for dir in $T/ro $T/missing $T/ref; do
  setpriv --reuid 12345 --regid 23456 --clear-groups env TMPDIR=$dir $BIN "${args[@]}" --threads 2 $SITE > $T/out.ro 2> $T/err.ro; rc=$?
  cmp -s $T/ref $T/out.ro && same=same || { same=DIFF; bad=1; }
  echo "TMPDIR $dir: rc $rc, report $same, notice: $(head -c 160 $T/err.ro)"
done
fi
set -m  # background runs keep SIGINT (a shell without job control ignores it in them)
for sig in INT TERM; do
  for delay in 0.3 1 2 3 4; do
    TMPDIR=$T/tmp $BIN "${args[@]}" --threads 2 $SITE > $T/out.sig 2> $T/err.sig & pid=$!
    sleep $delay; kill -$sig $pid; wait $pid; rc=$?
    left=$(ls $T/tmp | wc -l)
    [ $left -ne 0 ] && bad=1
    grep -q panicked $T/err.sig && bad=1
    echo "SIG$sig after ${delay}s: rc $rc, left in TMPDIR $left $(ls $T/tmp | head -2)"
  done
done
exit $bad
