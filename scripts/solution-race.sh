#!/usr/bin/env bash
# Runs every lab's hidden tests against its reference solution N times (default 20) with the
# race detector, as a bare `go test -race -count=N` inside the course module (so the course's
# go.mod pins every library), against the lab's services. Usage:
#   scripts/solution-race.sh [N] [lab...]
# Needs what the labs need (Docker or local Redis/PostgreSQL: source the ci-services env).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
shift || true
labs=("$@")
if [ ${#labs[@]} -eq 0 ]; then
	mapfile -t labs < <(ls labs)
fi
tmp=$(mktemp -d)
race=$(mktemp -d "$PWD/.race-XXXXXX") # inside the module: the course's go.mod applies
trap 'rm -rf "$tmp" "$race"' EXIT
go build -o "$tmp/lab" ./cmd/lab
fails=0
for l in "${labs[@]}"; do
	if grep -q '^mode *= *"mutation"' "labs/$l/lab.toml"; then
		printf '%-20s skipped: the mutation lab grades the learner'"'"'s tests, not its own\n' "$l"
		continue
	fi
	d="$race/l$l"
	mkdir -p "$d"
	cp -r "labs/$l/solution/." "$d/"
	for f in labs/"$l"/check/*.go; do cp "$f" "$d/zz_lab_$(basename "$f")"; done
	svc=$(LAB_COURSE="$PWD" "$tmp/lab" services env "$l" 2>/dev/null | sed -n 's/^export //p' | tr -d "'\"" || true)
	start=$(date +%s)
	if (cd "$d" && env $svc go test -race -tags labcheck -count="$n" -timeout 30m . >"$tmp/out" 2>&1); then
		printf '%-20s %d runs with -race: all passed (%ss)\n' "$l" "$n" "$(($(date +%s) - start))"
	else
		fails=$((fails + 1))
		printf '%-20s %d runs with -race: FAILED (%ss)\n' "$l" "$n" "$(($(date +%s) - start))"
		grep -E '^(--- FAIL|WARNING: DATA RACE|FAIL)' "$tmp/out" | sort | uniq -c | head -20
	fi
done
exit $((fails > 0))
