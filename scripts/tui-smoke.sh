#!/usr/bin/env bash
# tui-smoke.sh drives the real `lab` binary in tmux, as a learner would: open the workbench,
# go to a lesson, check the lab, read the result, ask for help, quit. It exits non-zero on any
# failure and prints the screen it was waiting on.
#
#   scripts/tui-smoke.sh              # the built-in course
#   SMOKE_COURSE=DIR scripts/tui-smoke.sh
#
# Needs tmux and Go. Uses a temporary LAB_WORKSPACE; leaves nothing behind.
set -euo pipefail

cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "tui-smoke: tmux is not installed" >&2; exit 2; }

tmp=$(mktemp -d)
# A fresh tmux server per session: a new-session sent right after kill-server can reach the
# dying server and fail with "server exited unexpectedly".
n=0
sock="labsmoke-$$-$n"
cleanup() {
	for ((i = 0; i <= n; i++)); do tmux -L "labsmoke-$$-$i" kill-server 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "tui-smoke: building lab"
go build -o "$tmp/lab" ./cmd/lab
export LAB_WORKSPACE="$tmp/ws"

course_flag=()
if [[ -n "${SMOKE_COURSE:-}" ]]; then
	course_flag=(--course "$SMOKE_COURSE")
elif ! "$tmp/lab" list >/dev/null 2>&1; then
	echo "tui-smoke: the built-in course does not load yet; using internal/tui/testdata/course"
	course_flag=(--course internal/tui/testdata/course)
fi
lab() { "$tmp/lab" "${course_flag[@]}" "$@"; }

lab start 1 --no-tui >/dev/null
first_lab=$(ls "$LAB_WORKSPACE" | grep -v '^\.' | head -1)
echo "tui-smoke: started $first_lab in $LAB_WORKSPACE"

fail() {
	echo "tui-smoke: FAIL: $*" >&2
	echo "---- screen ----" >&2
	tmux -L "$sock" capture-pane -p -t smoke >&2 2>/dev/null || true
	echo "----------------" >&2
	exit 1
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT.
# wait_for TEXT [SECS]: until the screen shows TEXT (wait_re: an extended regexp on one line).
wait_for() { wait_match -F "$@"; }
wait_re() { wait_match -E "$@"; }
wait_match() {
	local mode=$1 want=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 10; i++)); do
		if tmux -L "$sock" capture-pane -p -t smoke 2>/dev/null | grep -q "$mode" -- "$want"; then
			return 0
		fi
		if ! tmux -L "$sock" has-session -t smoke 2>/dev/null; then
			fail "the app exited while waiting for '$want' ($(cat "$tmp/exit" 2>/dev/null))"
		fi
		sleep 0.1
	done
	fail "waited ${secs}s for '$want'"
}

keys() { tmux -L "$sock" send-keys -t smoke "$@"; }

# open W H: run `lab` in a fresh tmux session of that size.
open() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	n=$((n + 1))
	sock="labsmoke-$$-$n"
	local cmd
	cmd="LAB_WORKSPACE='$LAB_WORKSPACE' LAB_TUI_TRACE='$tmp/trace' '$tmp/lab' ${course_flag[*]:-}; echo \$? > '$tmp/exit'"
	tmux -L "$sock" new-session -d -s smoke -x "$1" -y "$2" "bash -c \"$cmd\""
	tmux -L "$sock" set-option -t smoke remain-on-exit off >/dev/null
}

quit() {
	keys q
	for ((i = 0; i < 100; i++)); do
		tmux -L "$sock" has-session -t smoke 2>/dev/null || break
		sleep 0.1
	done
	tmux -L "$sock" has-session -t smoke 2>/dev/null && fail "q did not quit"
	[[ "$(cat "$tmp/exit")" == 0 ]] || fail "lab exited with $(cat "$tmp/exit")"
	[[ -f "$tmp/trace" ]] && echo "tui-smoke: $(cat "$tmp/trace")"
	return 0
}

# 1. 80x24: home, lesson, check, result, hint, help, quit.
echo "tui-smoke: 80x24"
open 80 24
wait_for "Continue:"
wait_for "q quit"
keys Enter
wait_for "Tasks"
wait_for "c check"
keys c
wait_for "tasks pass" 240 # a cold build cache compiles the lab's dependencies
tmux -L "$sock" capture-pane -p -t smoke | grep -qE "Results ·|All [0-9]+ tasks pass" || fail "no results shown"
keys h
wait_for "Hints ·"
keys Escape
sleep 0.7 # tmux holds a lone Escape
keys e
wait_for "$LAB_WORKSPACE/$first_lab"
keys Escape
sleep 0.7
keys '?'
wait_for "Everywhere"
keys '?'
quit
grep -q "\"$first_lab\"" "$LAB_WORKSPACE/.lab/state.json" || fail "the check was not recorded in progress"

# 2. 200x60: home and lesson side by side, then quit.
echo "tui-smoke: 200x60"
open 200 60
wait_for "Continue:"
keys Enter
wait_for "Tasks"
keys n
wait_for "Task:"
quit

# 3. Launched directly by tmux (no shell in the pane) from inside the lab's folder, as a learner
# might: the workbench opens that lab; q quits cleanly.
echo "tui-smoke: direct launch in $first_lab/"
tmux -L "$sock" kill-server 2>/dev/null || true
n=$((n + 1))
sock="labsmoke-$$-$n"
rm -f "$tmp/trace"
(cd "$LAB_WORKSPACE/$first_lab" && LAB_TUI_TRACE="$tmp/trace" tmux -L "$sock" new-session -d -s smoke -x 100 -y 30 "'$tmp/lab' ${course_flag[*]:-}")
wait_for "read"
tmux -L "$sock" capture-pane -p -t smoke | head -1 | grep -qE "^lab 0?1 · " || fail "the folder's lab was not opened"
keys q
for ((i = 0; i < 100; i++)); do
	grep -q "^exit" "$tmp/trace" 2>/dev/null && break
	sleep 0.1
done
grep -q "^exit quit" "$tmp/trace" || fail "direct launch: $(cat "$tmp/trace" 2>/dev/null || echo 'no trace: the app did not end normally')"

# 4. A new learner in a light terminal at 80x24: `lab start N-slug` as a course page prints it,
# the workbench says where the code is, the first check shows its phases with seconds, `/`
# searches the lesson (the keys typed run no command), and quitting prints where the code is.
start_arg=5-caching
[[ ${#course_flag[@]} -gt 0 ]] && start_arg=2-shout
echo "tui-smoke: lab start $start_arg, light theme, 80x24"
tmux -L "$sock" kill-server 2>/dev/null || true
n=$((n + 1))
sock="labsmoke-$$-$n"
cmd="cd '$tmp' && LAB_WORKSPACE='$LAB_WORKSPACE' LAB_THEME=light '$tmp/lab' ${course_flag[*]:-} start $start_arg; echo \$? > '$tmp/exit'; sleep 30"
tmux -L "$sock" new-session -d -s smoke -x 80 -y 24 "bash -c \"$cmd\""
wait_for "Your code: ./ws/"
wait_for "t all tasks"
# Light theme: the lesson text is dark on light (glamour's light text colour 234), never the
# dark style's light grey (252).
for ((i = 0; i < 100; i++)); do # the lesson renders in the background
	screen=$(tmux -L "$sock" capture-pane -e -p -t smoke)
	grep -q '38;5;234' <<<"$screen" && break
	sleep 0.1
done
grep -q '38;5;234' <<<"$screen" || fail "light theme: the lesson is not in the light style"
grep -q '38;5;252' <<<"$screen" && fail "light theme: light-grey lesson text"
# / search: "single" would run s, n, g, e outside a search.
keys / s i n g l e
wait_for "/single"
keys Enter
keys Escape
sleep 0.7
keys / c a c h e
wait_for "/cache"
keys Enter
wait_re '/cache +[0-9]+/[0-9]+' # the match count, once Enter has left the input
keys Escape
sleep 0.7
# The first check: its phase and seconds while it runs, then the result.
keys c
wait_for "Checking " 20
wait_re 'Checking [0-9a-z-]+ · .+ · [0-9]+s' 5 # the phase and the seconds, even when the phase is long
wait_for "tasks pass" 300
keys q
wait_for "Check it:    lab check" 10
[[ "$(cat "$tmp/exit")" == 0 ]] || fail "lab start exited with $(cat "$tmp/exit")"

echo "tui-smoke: ok"
