#!/usr/bin/env bash
# The write path at size (issue 13): import N generated incidents in one
# commit (time and peak memory from /usr/bin/time -v), then `arende new`
# against git's own `git add` + `git commit` of one file in that repository
# (arende writes an index of this size in version 4).
# Figures are printed, never asserted.
#
# Run: cargo build --release && benches/scripts/write_path.sh [N] (default 100000)
set -euo pipefail
N=${1:-100000}
BIN=$(realpath "${ARENDE_BIN:-target/release/arende}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export ARENDE_NOW=2026-11-02T09:00:00+01:00 ARENDE_AUTHOR="Bench <bench@example.se>"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.se
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.se
mkdir -p "$HOME"

python3 - "$N" > "$WORK/plain.csv" <<'PY'
import sys
n = int(sys.argv[1])
levels = ["high", "medium", "low"]
statuses = ["new", "in_progress", "awaiting_customer", "resolved", "closed"]
print("kind,source.system,source.id,title,description,opened_at,impact,urgency,reporter.party,reporter.organisation,reported_via,status,major_incident_manager")
for i in range(n):
    print(f'incident,bench,B-{i},Generated incident {i},"Line one.\nLine two, with a comma.",'
          f'2026-{1 + i % 12:02}-{1 + i % 28:02} {8 + i % 10:02}:{i % 60:02},{levels[i % 3]},'
          f'{levels[(i // 3) % 3]},aktor,Region {i % 21},phone,{statuses[i % 5]},Eva Ek')
PY

"$BIN" init --policy ehm "$WORK/repo" > /dev/null
cd "$WORK/repo"

# Prints the elapsed seconds and peak RSS of a command, from /usr/bin/time -v.
measure() {
    /usr/bin/time -v "$@" > /dev/null 2> "$WORK/time.txt"
    awk -F': ' '/Elapsed \(wall clock\)/ {t=$2} /Maximum resident set size/ {m=$2}
        END {split(t, p, ":"); s = (length(p) == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2];
             printf "%.2f s, %.0f MiB peak", s, m / 1024}' "$WORK/time.txt"
}

echo "import of $N CSV rows, one commit: $(measure "$BIN" import "$WORK/plain.csv" --input csv)"
echo "import again (no-op):              $(measure "$BIN" import "$WORK/plain.csv" --input csv)"
echo "loose objects: $(find .git/objects -path '*/pack' -prune -o -type f -print | wc -l), packs: $(ls .git/objects/pack/*.pack | wc -l)"

now_ms() { date +%s%3N; }
NEW='"$BIN" new incident --title "Bench $i" impact=low urgency=low reported_via=phone reporter.party=aktor > /dev/null 2>&1'
GIT='echo "bench: $i $RANDOM" > "bench-$i.txt"; git add "bench-$i.txt"; git commit -q -m "bench $i"'

# Interleaved, so a busy machine slows both alike; the best of 7 of each.
best_new=999999; best_git=999999
for i in 1 2 3 4 5 6 7; do
    t0=$(now_ms); eval "$NEW"; t=$(( $(now_ms) - t0 )); (( t < best_new )) && best_new=$t
    t0=$(now_ms); eval "$GIT"; t=$(( $(now_ms) - t0 )); (( t < best_git )) && best_git=$t
done
version=$(od -A n -t u1 -j 7 -N 1 .git/index | tr -d ' ')
echo "index v$version ($(stat -c %s .git/index) bytes): new ${best_new} ms, git add+commit ${best_git} ms, ratio $(awk "BEGIN {printf \"%.2f\", $best_new / $best_git}")"
echo "git status --porcelain lines: $(git status --porcelain | wc -l)"
git fsck --strict > /dev/null 2>&1 && echo "git fsck: clean" || echo "git fsck: FAILED"
