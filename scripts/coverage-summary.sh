#!/usr/bin/env bash
# Prints one line of JaCoCo coverage per module, from the jacoco.csv reports the build wrote (`verify`: unit tests and
# ITs merged, target/site/jacoco-all; `test` alone: unit tests, target/site/jacoco), then the total. Prints nothing
# when no module has a report (e.g. -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
total=""
for pom in */pom.xml; do
  module=${pom%/pom.xml}
  csv=""
  for kind in jacoco-all:unit+IT jacoco:unit; do
    if [ -f "$module/target/site/${kind%%:*}/jacoco.csv" ]; then
      csv="$module/target/site/${kind%%:*}/jacoco.csv" label=${kind#*:}
      break
    fi
  done
  [ -n "$csv" ] || continue
  # columns: GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,BRANCH_MISSED,BRANCH_COVERED,LINE_MISSED,LINE_COVERED,...
  sums=$(awk -F, 'NR > 1 { bm += $6; bc += $7; lm += $8; lc += $9 } END { printf "%d %d %d %d", lm, lc, bm, bc }' "$csv")
  total="$total $sums"
  # shellcheck disable=SC2086
  set -- $sums
  awk -v m="$module" -v k="$label" -v lm="$1" -v lc="$2" -v bm="$3" -v bc="$4" 'function pct(c, t) { return t ? sprintf("%d%%", 100 * c / t) : "n/a" }
    BEGIN { printf "coverage %s: lines %s (%d/%d), branches %s (%d/%d) [%s]\n", m, pct(lc, lc + lm), lc, lc + lm, pct(bc, bc + bm), bc, bc + bm, k }'
done
if [ -n "$total" ]; then
  # shellcheck disable=SC2086
  echo $total | awk 'function pct(c, t) { return t ? sprintf("%d%%", 100 * c / t) : "n/a" }
    { for (i = 1; i <= NF; i += 4) { lm += $i; lc += $(i + 1); bm += $(i + 2); bc += $(i + 3) } }
    END { printf "coverage total: lines %s (%d/%d), branches %s (%d/%d)\n", pct(lc, lc + lm), lc, lc + lm, pct(bc, bc + bm), bc, bc + bm }'
fi
