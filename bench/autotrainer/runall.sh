#!/bin/bash
# usage: runall.sh CLI OUTDIR SEED LISTFILE ; runs every file 2 at a time, saves JSON + exit + wall
CLI=$1; OUT=$2; SEED=${3:-1}; LIST=$4
mkdir -p $OUT
cat "$LIST" | xargs -d '\n' -P 2 -I{} bash -c 'f="{}"; b=$(echo "$f" | sed "s#^/work/eval/##; s#[/ ]#_#g; s#\.py\$##"); s=$(date +%s.%N); (cd "$(dirname "$f")" && node '$CLI' analyze "$(basename "$f")" --json --time-budget 30 --seed '$SEED') > '$OUT'/$b.json 2> '$OUT'/$b.err; echo $? > '$OUT'/$b.exit; echo "$(date +%s.%N) - $s" | bc > '$OUT'/$b.wall'
