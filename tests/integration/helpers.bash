# Shared by the bats integration tests.  Each test gets its own bundle (a private copy of the busybox root),
# its own state root and a cgroup parent it owns; teardown removes all of them, and fails the test if the
# runtime left a process, mount, cgroup or state directory behind.

: "${HULL_RUNTIME:?run the tests through tests/run-all}"
: "${HULL_TEST_ROOTFS:?run the tests through tests/run-all}"

# The cgroup parent of this test: every container's cgroupsPath lives under it, relative to the cgroup of
# the test itself (so that containers stay inside whatever limits the test runs under).
hull_cgroup_parent() {
	echo "hull-test-${BATS_ROOT_PID:-$$}-${BATS_SUITE_TEST_NUMBER:-0}"
}

# The test's cgroup parent in every hierarchy where it exists.
hull_cgroup_dirs() {
	local hier ctrl path mnt
	while IFS=: read -r hier ctrl path; do
		mnt=$(awk -v c="$ctrl" '{
			for (i = 7; $i != "-"; i++) ;
			if (c == "" ? $(i + 1) == "cgroup2" : $(i + 1) == "cgroup" && index("," $(i + 3) ",", "," c ","))
				{ print $5; exit }
		}' /proc/self/mountinfo)
		[ -n "$mnt" ] && [ -d "$mnt$path/$CGPARENT" ] && echo "$mnt$path/$CGPARENT"
	done </proc/self/cgroup
	return 0
}

hull_common_setup() {
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	STATE=$BATS_TEST_TMPDIR/state
	CGPARENT=$(hull_cgroup_parent)
	mkdir -p "$BUNDLE"
	cp -a "$HULL_TEST_ROOTFS" "$BUNDLE/rootfs"
	(cd "$BUNDLE" && "$HULL_RUNTIME" spec)
	cfg '.root.readonly = false | .process.terminal = false | .process.args = ["true"] | .linux.cgroupsPath = "'"$CGPARENT"'/c"'
	MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
}

# What the state root holds besides the runtime's cache of compiled seccomp programs.
state_entries() {
	ls -A "$STATE" 2>/dev/null | grep -v '^@seccomp-cache$' || true
}

hull_common_teardown() {
	local id leftovers=""
	if [ -d "$STATE" ]; then
		for id in $("$HULL_RUNTIME" --root "$STATE" list -q 2>/dev/null); do
			"$HULL_RUNTIME" --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
		done
		[ -z "$(state_entries)" ] || leftovers="state directory entries: $(state_entries)"
	fi
	local d
	for d in $(hull_cgroup_dirs); do
		# The parent is the test's own; anything still under it was left by the runtime.
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
		[ -z "$(find "$d" -mindepth 1 -type d)" ] || leftovers="$leftovers cgroup $d;"
		rmdir "$d" 2>/dev/null || true
	done
	if [ -n "$leftovers" ]; then
		echo "left behind: $leftovers" >&2
		return 1
	fi
}

# cfg FILTER: edits the bundle's config.json with jq.
cfg() {
	local tmp=$BUNDLE/config.json.tmp
	jq "$@" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# args CMD...: sets process.args.
args() {
	# "--" keeps jq from taking "-c" as one of its own options.
	local json
	json=$(jq -nc '$ARGS.positional' --args -- "$@")
	cfg --argjson a "$json" '.process.args = $a'
}

# Whether a process is gone (or a zombie waiting for its reaper, which is no longer running code).
process_gone() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$st" = Z ] || [ "$st" = X ]
}

hr() {
	"$HULL_RUNTIME" --root "$STATE" "$@"
}

# Runs the container in the foreground with `run` and the given shell script as its process.
run_in() {
	args sh -c "$1"
	run hr run --bundle "$BUNDLE" "${2:-c1}"
}

# run_in_with_submount SRC DIR SCRIPT: run_in, with SRC bind-mounted on DIR in a private mount namespace
# of the runtime's (the host never sees the mount, and no test that runs beside it does).
run_in_with_submount() {
	args sh -c "$3"
	run unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$1" "$2" \
		"$HULL_RUNTIME" --root "$STATE" run --bundle "$BUNDLE" c1
}

# Starts a detached container whose stdio goes to $BATS_TEST_TMPDIR/ID.log (a detached container keeps the
# runtime's stdio, as with runc, and bats waits for every holder of its output pipe).
run_detached() {
	hr run -d --bundle "$BUNDLE" "$1" </dev/null >"$BATS_TEST_TMPDIR/$1.log" 2>&1
}

# Waits up to 5 s until container $1 has status $2.
wait_status() {
	local _
	for _ in $(seq 100); do
		[ "$(state_field "$1" status)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1 is $(state_field "$1" status), not $2" >&2
	return 1
}

state_field() {
	hr state "$1" | jq -r ".$2"
}

# Like bats' `run`, for commands expected to fail: the output goes through a file, not a pipe, so that if
# the command wrongly succeeds and leaves a container process holding its stdio, the test goes on to
# fail (and its teardown removes the container) instead of waiting for that pipe forever.
run_expect_fail() {
	local out=$BATS_TEST_TMPDIR/run_expect_fail.out
	status=0
	"$@" </dev/null >"$out" 2>&1 || status=$?
	output=$(cat "$out")
	mapfile -t lines <<<"$output"
}

# Asserts that output is exactly one line mentioning each of the given words.
assert_one_line_error() {
	[ "$status" -ne 0 ] || { echo "expected failure, got status 0: $output" >&2; return 1; }
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ] || { echo "expected one line: $output" >&2; return 1; }
	local w
	for w in "$@"; do
		[[ "$output" == *"$w"* ]] || { echo "error does not mention '$w': $output" >&2; return 1; }
	done
}

# Asserts that a failed operation left nothing: no state entry, no cgroup, no new mount.
assert_nothing_left() {
	[ -z "$(state_entries)" ] || { echo "state left: $(state_entries)" >&2; return 1; }
	local d
	for d in $(hull_cgroup_dirs); do
		[ -z "$(find "$d" -mindepth 1 -type d)" ] || { echo "cgroup left under $d" >&2; return 1; }
	done
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ] || { echo "mounts changed" >&2; return 1; }
	# No process of the runtime for this bundle (its init carries --bundle on its command line) still runs.
	local pid
	for pid in $(pgrep -f -- "--bundle $BUNDLE( |\$)"); do
		process_gone "$pid" || { echo "process $pid left: $(tr '\0' ' ' <"/proc/$pid/cmdline")" >&2; return 1; }
	done
}

# add_mount JSON: appends one entry to the bundle's mounts.
add_mount() {
	cfg --argjson m "$1" '.mounts += [$m]'
}

# The container's root user is host uid 100000: the root must belong to it, and the directories above
# the bundle (bats makes its temporary directories 0700) must let it pass.
userns_bundle() {
	chown -R 100000:100000 "$BUNDLE/rootfs"
	local d=$BUNDLE
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		chmod o+x "$d"
	done
}

# remove_cgroup_parent /PATH: removes an absolute cgroup parent a test gave an engine, in every hierarchy.
remove_cgroup_parent() {
	local d
	for d in /sys/fs/cgroup/*"$1" /sys/fs/cgroup/*/"$1"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	return 0
}

# run_memory_hog: runs a container limited to 16 MiB (swap included) that builds a 100 MB string; the
# OOM killer should end it with status 137 before it prints "survived".
run_memory_hog() {
	cfg '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}'
	args sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	run hr run --bundle "$BUNDLE" c1
	echo "status $status: $output"
}

# engine_image_setup_file: the busybox root imported as localhost/bb:1 into a store of the test file's
# own (FILE_STORE), which each test copies; HULL is hull.
engine_image_setup_file() {
	export HULL=$HULL_BUILD/src/hull
	export FILE_STORE=$BATS_FILE_TMPDIR/store
	tar -C "$HULL_TEST_ROOTFS" -c . | "$HULL" --store "$FILE_STORE" import - localhost/bb:1 >/dev/null
}

# tmux on a server of the test's own: T CMD...
T() {
	tmux -L "hull-$BATS_ROOT_PID-$BATS_SUITE_TEST_NUMBER" "$@"
}

# screen_has TEXT: until the pane shows TEXT (up to 10 s).
screen_has() {
	local i pane=${2:-s}
	for i in $(seq 100); do
		T capture-pane -p -t "$pane" 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "the pane never showed '$1':" >&2
	T capture-pane -p -t "$pane" >&2 || true
	return 1
}
