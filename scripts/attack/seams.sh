#!/bin/bash
# Two binaries' JSON reports on the large files of gen_windows.py (findings across the window
# seams), on 1, 2 and 8 threads, without a budget and at 1 MiB. Usage: seams.sh OLD NEW [FILES...]
set -u
OLD=${1:?old}; NEW=${2:?new}; shift 2; W=/tmp/attack/windows; R=/tmp/attack/seams; mkdir -p $R
files=("$@"); [ ${#files[@]} -eq 0 ] && files=($(cd $W && ls))
bad=0
for f in "${files[@]}"; do
  for budget in none 1MiB; do
    extra=(); [ $budget != none ] && extra=(--memory-budget $budget)
    $OLD check --no-config --now 2026-12-01T00:00:00Z --color never --fail-on never --format json --threads 1 "${extra[@]}" $W/$f > $R/old 2> $R/old.err
    line="$f $budget:"
    for t in 1 2 8; do
      $NEW check --no-config --now 2026-12-01T00:00:00Z --color never --fail-on never --format json --threads $t "${extra[@]}" $W/$f > $R/new 2> $R/new.err
      if cmp -s $R/old $R/new && cmp -s $R/old.err $R/new.err; then line="$line $t=same"; else line="$line $t=DIFF"; bad=1; fi
    done
    echo "$line ($(grep -o '"rule":' $R/old | wc -l) findings)"
  done
done
exit $bad
