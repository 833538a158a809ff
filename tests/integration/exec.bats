#!/usr/bin/env bats
# exec: the new process joins the container's namespaces, cgroups, capabilities, seccomp filter and user,
# or the ones given; returns its exit status; is refused where it cannot run.  And the two runtime CVEs
# that came through exec: a host descriptor reachable as the working directory (CVE-2024-21626) and the
# runtime binary overwritten from inside (CVE-2019-5736).

load helpers

setup() {
	hull_common_setup
	args sleep 1000
}
teardown() { hull_common_teardown; }

@test "exec joins every namespace and the cgroup of the container" {
	hr run -d --bundle "$BUNDLE" c1
	run hr exec c1 sh -c 'for n in ipc mnt net pid uts cgroup; do
		[ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] && echo "$n same"; done
		[ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] && echo cgroup-same; hostname; echo pid $$'
	[ "$status" -eq 0 ]
	for n in ipc mnt net pid uts cgroup; do [[ "$output" == *"$n same"* ]]; done
	[[ "$output" == *cgroup-same* ]]
	[[ "$output" == *hull* ]]
	# In the container's pid namespace: not pid 1, a small number.
	[[ "$output" =~ pid\ [0-9]+ ]]
	[[ "$output" != *"pid 1"$'\n'* ]]
	pids=$(hr ps --format json c1)
	[ "$(echo "$pids" | jq length)" -eq 1 ]
}

@test "exec returns the exit status; takes env, cwd, user and capabilities from the container or the flags" {
	cfg '.process.env += ["FROM_CONFIG=yes"] | .process.cwd = "/tmp"'
	hr run -d --bundle "$BUNDLE" c1
	run hr exec c1 sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run hr exec c1 sh -c 'echo "$FROM_CONFIG $(pwd) $(id -u)"; grep CapEff /proc/self/status'
	[ "${lines[0]}" = "yes /tmp 0" ]
	init_caps=$(grep CapEff "/proc/$(state_field c1 pid)/status")
	[ "${lines[1]}" = "$init_caps" ]
	run hr exec --env FROM_CONFIG=changed --env NEW=1 --cwd /etc --user 1000:1001 --additional-gids 7 c1 \
		sh -c 'echo "$FROM_CONFIG $NEW $(pwd) $(id -u) $(id -g) $(id -G)"'
	[ "$output" = "changed 1 /etc 1000 1001 1001 7" ]
	run hr exec --cap CAP_SYS_ADMIN c1 grep CapEff /proc/self/status
	[ "$output" != "$init_caps" ]
	run hr exec --no-new-privs c1 grep NoNewPrivs /proc/self/status
	[[ "$output" == *"1" ]]
}

@test "exec --process runs a process object; exec -d with --pid-file; --preserve-fds" {
	hr run -d --bundle "$BUNDLE" c1
	cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"args": ["sh", "-c", "echo from-process-file $A $(id -u)"], "env": ["A=b", "PATH=/bin"], "cwd": "/", "user": {"uid": 5, "gid": 5}}
JSON
	run hr exec --process "$BATS_TEST_TMPDIR/process.json" c1
	[ "$output" = "from-process-file b 5" ]
	hr exec -d --pid-file "$BATS_TEST_TMPDIR/pid" c1 sleep 100
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" = "sleep 100 " ]
	[ "$(readlink /proc/"$pid"/ns/pid)" = "$(readlink /proc/"$(state_field c1 pid)"/ns/pid)" ]
	run hr exec --preserve-fds 1 c1 sh -c 'cat <&3' 3<<<"through fd 3"
	[ "$output" = "through fd 3" ]
}

@test "exec -t with --console-socket sends the pty; without -d the terminal is relayed" {
	hr run -d --bundle "$BUNDLE" c1
	sock=$BATS_TEST_TMPDIR/console.sock
	"$HULL_TEST_HELPERS/recv-console" "$sock" >"$BATS_TEST_TMPDIR/console.out" 2>&1 &
	helper=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.02; done
	hr exec -d -t --console-socket "$sock" c1 sh -c 'tty; echo on-the-pty'
	wait "$helper"
	grep -q '/dev/pts/' "$BATS_TEST_TMPDIR/console.out"
	grep -q on-the-pty "$BATS_TEST_TMPDIR/console.out"
	run hr exec -t c1 sh -c 'tty; exit 3'
	[ "$status" -eq 3 ]
	[[ "$output" == */dev/pts/* ]]
}

@test "exec is under the container's seccomp filter" {
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	hr run -d --bundle "$BUNDLE" c1
	run hr exec c1 mkdir /tmp/x
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	run hr exec c1 grep Seccomp: /proc/self/status
	[[ "$output" == *2 ]]
}

@test "exec into a user-namespaced container runs as the mapped user" {
	cfg '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		del(.mounts[] | select(.type == "cgroup"))'
	userns_bundle
	hr run -d --bundle "$BUNDLE" c1
	run hr exec c1 sh -c 'id -u; cat /proc/self/uid_map'
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" =~ ^\ *0\ +100000\ +65536 ]]
	hr exec -d --pid-file "$BATS_TEST_TMPDIR/pid" c1 sleep 100
	[ "$(awk '/^Uid:/ { print $2 }' /proc/"$(cat "$BATS_TEST_TMPDIR/pid")"/status)" = 100000 ]
}

@test "exec is refused clearly into a paused, a stopped and a missing container, and for bad flags" {
	hr run -d --bundle "$BUNDLE" c1
	hr pause c1
	run_expect_fail hr exec c1 true
	assert_one_line_error exec c1 paused
	hr resume c1
	run_expect_fail hr exec --user bob c1 true
	assert_one_line_error exec --user bob
	hr kill c1 KILL
	wait_status c1 stopped
	run_expect_fail hr exec c1 true
	assert_one_line_error exec c1 stopped
	run_expect_fail hr exec nosuch true
	assert_one_line_error exec nosuch
	run_expect_fail hr exec c1
	assert_one_line_error exec command
	hr delete c1
}

@test "CVE-2024-21626: no host descriptor is reachable from an exec'd process or through its cwd" {
	hr run -d --bundle "$BUNDLE" c1
	# Only stdio (and the descriptor ls opens) are open in the new process.
	run hr exec c1 ls /proc/self/fd
	[ "$(echo "$output" | tr '\n' ' ')" = "0 1 2 3 " ]
	for fd in 3 4 5 6 7 8 9; do
		run_expect_fail hr exec --cwd "/proc/self/fd/$fd" c1 sh -c 'ls ..'
		[ "$status" -ne 0 ]
		[[ "$output" != *bin*etc* ]] || { echo "fd $fd: $output"; false; }
	done
	# The container's own first process holds nothing of the host either.
	[ "$(ls /proc/"$(state_field c1 pid)"/fd | tr '\n' ' ')" = "0 1 2 " ]
}

@test "CVE-2019-5736: the runtime binary cannot be overwritten from inside the container" {
	# A private copy of the runtime, so that a failure here cannot damage the one the other tests use.
	rt=$BATS_TEST_TMPDIR/hull-runtime-copy
	cp "$HULL_RUNTIME" "$rt"
	before=$(sha256sum <"$rt")
	"$rt" --root "$STATE" run -d --bundle "$BUNDLE" c1
	# The commands that start processes in the container run from a sealed in-memory copy: that is the
	# file /proc/<pid>/exe leads to, and it cannot be written, not even by root.
	"$rt" --root "$STATE" exec c1 sleep 2 &
	waiter=$!
	# Found before its first steps the process still runs the file; the re-execution follows at once.
	for _ in $(seq 100); do
		p=$(pgrep -f -- "$rt --root $STATE exec c1 sleep 2") &&
			[[ "$(readlink "/proc/$p/exe")" == /memfd:hull-runtime* ]] && break
		sleep 0.02
	done
	[[ "$(readlink "/proc/$p/exe")" == /memfd:hull-runtime* ]]
	run sh -c "echo pwned >>/proc/$p/exe"
	[ "$status" -ne 0 ]
	wait "$waiter"
	# The attack itself: a program whose interpreter is /proc/self/exe makes the kernel run the runtime
	# inside the container, and a process there tries to write to it through /proc/<pid>/exe.
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/bin/evil"
	chmod 755 "$BUNDLE/rootfs/bin/evil"
	"$rt" --root "$STATE" exec -d c1 sh -c '
		for _ in $(seq 60); do
			for p in $(ls /proc | grep "^[0-9]"); do
				[ "$(readlink /proc/$p/exe)" = /bin/evil ] && continue
				case "$(readlink /proc/$p/exe)" in *hull*|*memfd*) echo pwned >>/proc/$p/exe && echo WROTE;; esac
			done 2>/dev/null
			sleep 0.05
		done >/tmp/attack'
	for _ in 1 2 3 4 5; do "$rt" --root "$STATE" exec c1 /bin/evil >/dev/null 2>&1 || true; done
	sleep 3.2
	! grep -q WROTE "$BUNDLE/rootfs/tmp/attack"
	[ "$(sha256sum <"$rt")" = "$before" ]
	"$rt" --root "$STATE" delete --force c1
}
