#!/usr/bin/env bash
# Writes what the read-only commands print on one record repository, one
# file per command and format, so two builds can be compared byte for byte:
#   benches/scripts/outputs.sh OLD_BIN REPO out/old
#   benches/scripts/outputs.sh NEW_BIN REPO out/new
#   diff -r out/old out/new
# The clock and the author are pinned; exit codes go in the file's last line.
set -uo pipefail
bin=${1:?usage: outputs.sh BIN REPO OUTDIR}
repo=${2:?usage: outputs.sh BIN REPO OUTDIR}
out=${3:?usage: outputs.sh BIN REPO OUTDIR}
mkdir -p "$out"
export ARENDE_NOW=2026-11-20T10:00:00+01:00
export ARENDE_AUTHOR="Output Check <check@example.se>"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1

run() {
  local name=$1
  shift
  "$bin" -C "$repo" "$@" >"$out/$name" 2>"$out/$name.err"
  echo "exit $?" >>"$out/$name"
}

for f in table human json csv; do run "list.$f" list --format "$f"; done
run list.where.json list incident --format json --where priority=1
for f in json jsonl csv ics; do run "export.$f" export --format "$f"; done
for f in table human json; do run "sla.$f" sla --format "$f"; done
run sla.breached.json sla --format json --breached
run sla.at.json sla --format json --at 2026-03-01T12:00:00+01:00
for f in table human json markdown html; do
  run "report.$f" report --quarter 2026Q3 --format "$f"
done
for f in human json github junit sarif gitlab; do
  # validate prints its run time in some formats: the figure is masked.
  run "validate.$f" validate --format "$f"
  sed -E -i 's/[0-9]+(\.[0-9]+)? ?(ms|s)\b/<time>/g; s/"(time|duration|elapsed)[a-z_]*": ?[0-9.]+/"\1": <time>/g; s/time="[0-9.]+"/time="<time>"/g' "$out/validate.$f"
done
# The first records of each kind, shown in every format.
ids=$("$bin" -C "$repo" list --format json 2>/dev/null |
  python3 -c 'import json,sys
seen={}
for r in json.load(sys.stdin):
    seen.setdefault(r.get("kind"), []).append(r["id"])
print(" ".join(i for v in seen.values() for i in v[:2]))')
for id in $ids; do
  for f in yaml json table human; do run "show.$id.$f" show "$id" --format "$f"; done
done
