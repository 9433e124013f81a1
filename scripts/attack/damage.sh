#!/bin/bash
# Run files damaged while the site phase reads them back (--memory-budget 1MiB over gen-site's
# posts): after DELAY seconds every run file in TMPDIR is truncated to half, or has 4 KiB of
# 0xFF written into its middle, or is emptied. Expected: no panic, a clear notice naming the
# damage, the run's exit code, nothing left in TMPDIR.
# Usage: damage.sh BINARY SITE_DIR THREADS (writes under /tmp/attack/damage)
set -u
BIN=${1:?binary}; SITE=${2:?gen-site folder}; THREADS=${3:-1}; T=${OUT:-/tmp/attack/damage}
rm -rf $T; mkdir -p $T/tmp
args=(check --no-config --select all --now 2026-12-01T00:00:00Z --color never --fail-on never --format json --memory-budget 1MiB --threads $THREADS)
TMPDIR=$T/tmp $BIN "${args[@]}" $SITE > $T/ref 2> $T/ref.err
bad=0
damage() { # how file (a file may vanish meanwhile: its size then reads as 0)
  local size; size=$(stat -c %s "$2" 2>/dev/null) || size=0
  case $1 in
    half) truncate -c -s $(( size / 2 )) "$2" ;;
    ff) head -c 4096 /dev/zero | tr '\0' '\377' | dd of="$2" bs=1 seek=$(( size / 2 )) conv=notrunc,nocreat status=none ;;
    empty) truncate -c -s 0 "$2" ;;
  esac
}
for how in half ff empty; do
  for delay in 0.5 1 1.5 2 2.5 3 3.5; do
    TMPDIR=$T/tmp $BIN "${args[@]}" $SITE > $T/out 2> $T/err & pid=$!
    sleep $delay
    # GROUPINGS=1: the groupings' runs only (every folder but the oldest, the posts' facts).
    dirs=$(ls -dtr $T/tmp/postlint-facts-* 2>/dev/null); [ "${GROUPINGS:-}" = 1 ] && dirs=$(echo "$dirs" | tail -n +2)
    n=0; for f in $(for d in $dirs; do ls $d/run-*.bin 2>/dev/null; done); do [ -f "$f" ] && damage $how "$f" 2>/dev/null && n=$((n+1)); done
    wait $pid; rc=$?
    left=$(ls $T/tmp | wc -l); [ $left -ne 0 ] && bad=1
    grep -q panicked $T/err && { bad=1; echo PANIC; }
    cmp -s $T/ref $T/out && same=same || same=differs
    echo "$how after ${delay}s: $n files damaged, rc $rc, report $same, left $left, notice: $(grep -v 'sorted on disk' $T/err | head -c 200 | tr '\n' ' ')"
  done
done
exit $bad
