#!/usr/bin/env bats
# hull-runtime killed with SIGKILL at random moments of create, run, start, exec and delete: whatever is
# left, list shows it and delete --force removes it, so that no state directory, cgroup, mount or process
# outlives the recovery and every id can be used again.  The seed is printed (HULL_FAULT_SEED repeats a
# run; HULL_FAULT_ITERATIONS changes its length).

load helpers

setup() { hull_common_setup; }
teardown() { hull_common_teardown; }

# kill_at MS CMD...: starts CMD, SIGKILLs it after MS milliseconds (if it still runs) and waits for it.
kill_at() {
	local ms=$1 pid
	shift
	"$@" </dev/null >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

@test "create, run, start, exec and delete killed at random moments leave nothing delete --force cannot remove" {
	local seed=${HULL_FAULT_SEED:-$RANDOM} n=${HULL_FAULT_ITERATIONS:-200} i id ms rt
	echo "# fault seed $seed, $n iterations (HULL_FAULT_SEED=$seed repeats them)" >&3
	RANDOM=$seed
	rt=("$HULL_RUNTIME" --root "$STATE")
	cp /proc/self/mountinfo "$BATS_TEST_TMPDIR/mounts"
	args sleep 100
	for i in $(seq "$n"); do
		id=f$i
		ms=$((RANDOM % 60))
		# A cgroup of its own, under the test's parent, which teardown checks.
		cfg --arg c "$CGPARENT/$id" '.linux.cgroupsPath = $c'

		case $((RANDOM % 5)) in
		0) kill_at "$ms" "${rt[@]}" create --bundle "$BUNDLE" "$id" ;;
		1) kill_at "$ms" "${rt[@]}" run -d --bundle "$BUNDLE" "$id" ;;
		2) "${rt[@]}" create --bundle "$BUNDLE" "$id" && kill_at "$ms" "${rt[@]}" start "$id" ;;
		3) "${rt[@]}" run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &&
			kill_at "$ms" "${rt[@]}" exec "$id" sh -c 'sleep 50' ;;
		4) "${rt[@]}" run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &&
			kill_at "$ms" "${rt[@]}" delete --force "$id" ;;
		esac
	done
	# What list shows, then every id tried (a create killed before it published its id left only a
	# directory no id can name, which delete --force of that id removes).
	for id in $("${rt[@]}" list -q); do "${rt[@]}" delete --force "$id"; done
	for i in $(seq "$n"); do "${rt[@]}" delete --force "f$i" >/dev/null 2>&1 || true; done
	[ -z "$(state_entries)" ] || { echo "state left: $(state_entries)" >&2; return 1; }
	# Every id can be used again.
	args true
	cfg --arg c "$CGPARENT/again" '.linux.cgroupsPath = $c'
	for i in 1 2 3; do "${rt[@]}" run --bundle "$BUNDLE" "f$i"; done
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ] || { diff "$BATS_TEST_TMPDIR/mounts" /proc/self/mountinfo >&2; return 1; }
	# hull_common_teardown then fails the test for any cgroup (and so any process) left under its parent.
}
