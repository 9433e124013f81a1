#!/bin/bash
# TMPDIR a small tmpfs that fills while the site facts and the groupings spill
# (--memory-budget 1MiB): the report must be the one of a roomy TMPDIR, with a notice, exit 0,
# nothing left. Needs mount (root). Usage: tmpfs_full.sh BINARY SITE_DIR THREADS
set -u
BIN=${1:?binary}; SITE=${2:?gen-site folder}; THREADS=${3:-2}; T=/tmp/attack/tmpfs
mkdir -p $T/roomy $T/small; rm -rf $T/roomy/*
args=(check --no-config --select all --now 2026-12-01T00:00:00Z --color never --fail-on never --format json --memory-budget 1MiB --threads $THREADS)
TMPDIR=$T/roomy $BIN "${args[@]}" $SITE > $T/ref 2> $T/ref.err
bad=0
for size in ${SIZES:-64k 512k 2m 6m 20m 40m 44m 52m 60m}; do
  mount -t tmpfs -o size=$size tmpfs $T/small || exit 2
  TMPDIR=$T/small $BIN "${args[@]}" $SITE > $T/out 2> $T/err; rc=$?
  left=$(ls $T/small | wc -l)
  umount $T/small
  cmp -s $T/ref $T/out && same=same || { same=DIFF; bad=1; }
  grep -q panicked $T/err && { bad=1; echo PANIC; }
  [ $left -ne 0 ] && bad=1
  echo "tmpfs $size: rc $rc, report $same, left $left, notice: $(head -c 200 $T/err | tr '\n' ' ')"
done
exit $bad
