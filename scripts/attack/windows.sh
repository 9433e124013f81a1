#!/bin/bash
# Attack of the window take-in beside the next read (a659099c): the files of gen_windows.py
# on 1, 2, 3 and 8 threads, with no budget and --memory-budget 1MiB (the take-in spills):
# byte-identical JSON reports, stderr and exit codes; peak memory. Usage: windows.sh BINARY [FILES...]
set -u
BIN=${1:?binary}; shift
W=/tmp/attack/windows; R=/tmp/attack/wout; mkdir -p $R
files=("$@"); [ ${#files[@]} -eq 0 ] && files=($(cd $W && ls))
bad=0
for f in "${files[@]}"; do
  for budget in none 1MiB; do
    extra=(); [ $budget != none ] && extra=(--memory-budget $budget)
    for t in 1 2 3 8; do
      /usr/bin/time -f "%e %M" -o $R/time.$t timeout 600 "$BIN" check --no-config --now 2026-12-01T00:00:00Z \
        --color never --fail-on never --format json --threads $t "${extra[@]}" $W/$f > $R/out.$t 2> $R/err.$t
      echo $? > $R/rc.$t
    done
    line="$f budget=$budget rc=$(cat $R/rc.1) posts=$(grep -o '"posts":[0-9]*' $R/out.1 | head -1 | cut -d: -f2) findings=$(grep -o '"rule":' $R/out.1 | wc -l)"
    for t in 2 3 8; do
      if cmp -s $R/out.1 $R/out.$t && cmp -s $R/err.1 $R/err.$t && cmp -s $R/rc.1 $R/rc.$t; then :; else
        line="$line DIFF@$t"; bad=1; fi
    done
    grep -q panicked $R/err.* && { line="$line PANIC"; bad=1; }
    echo "$line time/peakKB: 1:$(cat $R/time.1) 2:$(cat $R/time.2) 3:$(cat $R/time.3) 8:$(cat $R/time.8)"
  done
done
exit $bad
