#!/usr/bin/env bash
# Grades every lab's reference solution N times in a row (default 20), as a learner's
# `lab check` would, and prints how many runs passed every task: a hidden test that fails a
# correct solution now and then shows up here. Usage: scripts/solution-repeat.sh [N] [lab...]
# Needs what the labs need (Docker or local Redis/PostgreSQL: source the ci-services env).
# LAB_CHECK_FLAGS adds flags to every check, e.g. LAB_CHECK_FLAGS=--sandbox=bwrap.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
shift || true
labs=("$@")
if [ ${#labs[@]} -eq 0 ]; then
	mapfile -t labs < <(ls labs)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/lab" ./cmd/lab
export LAB_WORKSPACE="$tmp/ws" LAB_COURSE="$PWD"
fails=0
for l in "${labs[@]}"; do
	"$tmp/lab" start "$l" --no-tui >/dev/null
	dir=$(ls -d "$tmp/ws/$l"*)
	cp -r "labs/$l/solution/." "$dir/"
	pass=0
	start=$(date +%s)
	for _ in $(seq "$n"); do
		if (cd "$dir" && "$tmp/lab" check "$l" --json ${LAB_CHECK_FLAGS:-} >"$tmp/last.json" 2>&1); then
			pass=$((pass + 1))
		else
			cp "$tmp/last.json" "$tmp/fail-$l.json"
		fi
	done
	printf '%-20s %2d/%d passed every task (%ss)\n' "$l" "$pass" "$n" "$(($(date +%s) - start))"
	if [ "$pass" -ne "$n" ]; then
		fails=$((fails + 1))
		head -c 2000 "$tmp/fail-$l.json"; echo
	fi
done
exit $((fails > 0))
