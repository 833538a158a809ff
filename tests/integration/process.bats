#!/usr/bin/env bats
# The container process as config.json describes it, each read back from inside the container.

load helpers

setup() { hull_common_setup; }
teardown() { hull_common_teardown; }

@test "process.env and process.cwd" {
	cfg '.process.env = ["PATH=/bin:/usr/bin", "GREETING=hello world", "EMPTY="] | .process.cwd = "/tmp"'
	run_in 'echo "$GREETING|${EMPTY-unset}|$(pwd)"; env | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello world||/tmp" ]
}

@test "a cwd that does not exist yet is created" {
	cfg '.process.cwd = "/srv/app/work"'
	run_in 'pwd'
	[ "$status" -eq 0 ]
	[ "$output" = /srv/app/work ]
}

@test "process.user: uid, gid, additionalGids and umask" {
	cfg '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [5, 65534], "umask": 63}'
	run_in 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; umask; touch /tmp/f; stat -c %a /tmp/f'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^Uid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
	[[ "${lines[1]}" =~ ^Gid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
	[[ "${lines[2]}" =~ ^Groups:[[:space:]]+5[[:space:]]+65534[[:space:]]*$ ]]
	[ "${lines[3]}" = 0077 ]
	[ "${lines[4]}" = 600 ]
}

@test "the default umask is 0022" {
	run_in 'umask'
	[ "$status" -eq 0 ]
	[ "$output" = 0022 ]
}

@test "process.rlimits are set, soft and hard" {
	cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 768}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	run_in 'grep -E "^Max (open files|core file size)" /proc/self/limits'
	[ "$status" -eq 0 ]
	[[ "$output" =~ "Max core file size"[[:space:]]+0[[:space:]]+0[[:space:]]+bytes ]]
	[[ "$output" =~ "Max open files"[[:space:]]+512[[:space:]]+768[[:space:]]+files ]]
}

@test "an unknown rlimit is refused" {
	cfg '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error RLIMIT_BOGUS
	assert_nothing_left
}

# The kernel reads (uid_t)-1 as "leave unchanged": such a container would run as root.
@test "uid, gid or an additional gid of 4294967295 is refused, for create and exec" {
	local field
	for field in '.process.user.uid = 4294967295' '.process.user.gid = 4294967295' \
		'.process.user.additionalGids = [4294967295]'; do
		cfg "$field"
		run_expect_fail hr create --bundle "$BUNDLE" c1
		assert_one_line_error create 4294967295
		assert_nothing_left
		cfg '.process.user = {"uid": 0, "gid": 0}'
	done
	args sleep 100
	hr run -d --bundle "$BUNDLE" c1
	run hr exec --user 4294967295 c1 id -u
	[ "$status" -ne 0 ]
	[[ "$output" == *4294967295* ]]
	[[ "$output" != 0 ]]
	hr delete --force c1
}

@test "noNewPrivileges sets NoNewPrivs" {
	cfg '.process.noNewPrivileges = true'
	run_in 'grep ^NoNewPrivs: /proc/self/status'
	[[ "$output" =~ NoNewPrivs:[[:space:]]+1 ]]
	cfg '.process.noNewPrivileges = false'
	run_in 'grep ^NoNewPrivs: /proc/self/status'
	[[ "$output" =~ NoNewPrivs:[[:space:]]+0 ]]
}

@test "oomScoreAdj is applied" {
	cfg '.process.oomScoreAdj = 345'
	run_in 'cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "$output" = 345 ]
}

@test "capabilities: only the configured sets, by bit" {
	# CAP_CHOWN (0) and CAP_NET_BIND_SERVICE (10) => 0x401; nothing ambient.
	cfg '.process.capabilities = {"bounding": ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"], "effective": ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"], "permitted": ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"], "inheritable": []}'
	run_in 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" =~ CapInh:[[:space:]]+0000000000000000 ]]
	[[ "$output" =~ CapPrm:[[:space:]]+0000000000000401 ]]
	[[ "$output" =~ CapEff:[[:space:]]+0000000000000401 ]]
	[[ "$output" =~ CapBnd:[[:space:]]+0000000000000401 ]]
	[[ "$output" =~ CapAmb:[[:space:]]+0000000000000000 ]]
}

@test "capabilities really limit: chown fails without CAP_CHOWN" {
	cfg '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	run_in 'touch /tmp/f && chown 1000 /tmp/f'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "ambient capabilities reach a non-root user" {
	cfg '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities = {"bounding": ["CAP_NET_RAW"], "effective": ["CAP_NET_RAW"], "permitted": ["CAP_NET_RAW"], "inheritable": ["CAP_NET_RAW"], "ambient": ["CAP_NET_RAW"]}'
	run_in 'grep -E "^Cap(Eff|Amb):" /proc/self/status'
	[ "$status" -eq 0 ]
	# CAP_NET_RAW is bit 13.
	[[ "$output" =~ CapEff:[[:space:]]+0000000000002000 ]]
	[[ "$output" =~ CapAmb:[[:space:]]+0000000000002000 ]]
}

@test "an unknown capability is refused" {
	cfg '.process.capabilities.bounding += ["CAP_BOGUS"]'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error CAP_BOGUS
	assert_nothing_left
}

@test "terminal with --console-socket: the pty master reaches the socket" {
	cfg '.process.terminal = true'
	args sh -c 'test -t 0 && test -t 1 && echo "tty=$(tty)"; read line; echo "got:$line"'
	local sock=$BATS_TEST_TMPDIR/console.sock
	"$HULL_TEST_HELPERS/recv-console" "$sock" $'hello\n' >"$BATS_TEST_TMPDIR/console.out" 2>&1 &
	local receiver=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	hr create --bundle "$BUNDLE" --console-socket "$sock" c1
	hr start c1
	wait "$receiver"
	wait_status c1 stopped
	cat "$BATS_TEST_TMPDIR/console.out"
	grep -q 'tty=/dev/pts/0' "$BATS_TEST_TMPDIR/console.out"
	grep -q 'got:hello' "$BATS_TEST_TMPDIR/console.out"
	hr delete c1
}

@test "terminal without --console-socket is refused by create" {
	cfg '.process.terminal = true'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error console-socket
	assert_nothing_left
}

@test "run with a terminal connects the container to the caller's tty" {
	cfg '.process.terminal = true'
	args sh -c 'test -t 0 && echo "in-tty:$(tty)"; stty size'
	run script -qec "$HULL_RUNTIME --root $STATE run --bundle $BUNDLE c1" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"in-tty:/dev/pts/0"* ]]
	assert_nothing_left
}

@test "--preserve-fds passes descriptors 3.. and no others" {
	args sh -c 'cat <&3; cat <&4; ls /proc/self/fd | sort -n | tr "\n" " "'
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	run hr run --bundle "$BUNDLE" --preserve-fds 2 c1 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5</dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = three ]
	[ "${lines[1]}" = four ]
	# 0-2, 3, 4 and the descriptor ls opens for the listing: nothing of the runtime and not 5.
	[ "${lines[2]}" = "0 1 2 3 4 5 " ] || [ "${lines[2]}" = "0 1 2 3 4 " ]
	[[ "${lines[2]}" != *" 6 "* ]]
}

@test "no runtime descriptor leaks into the container" {
	run_in 'ls -l /proc/self/fd'
	[ "$status" -eq 0 ]
	# stdio plus the directory ls itself opened.
	[ "$(printf '%s\n' "$output" | grep -c -- '->')" -le 4 ]
	[[ "$output" != *state* ]]
	[[ "$output" != *socket* ]]
}

@test "LISTEN_FDS: socket activation descriptors pass through with LISTEN_PID=1" {
	args sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3'
	echo activated >"$BATS_TEST_TMPDIR/f3"
	run env LISTEN_FDS=1 LISTEN_PID=$$ "$HULL_RUNTIME" --root "$STATE" run --bundle "$BUNDLE" c1 3<"$BATS_TEST_TMPDIR/f3"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1 1" ]
	[ "${lines[1]}" = activated ]
}

@test "AppArmor profile or SELinux label on a host without that module is refused (fail closed)" {
	[ ! -e /sys/module/apparmor/parameters/enabled ] || [ "$(cat /sys/module/apparmor/parameters/enabled)" != Y ] ||
		skip "AppArmor is enabled here: the profile would have to exist"
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled here: the label would have to be valid"
	cfg '.process.apparmorProfile = "hull-test-profile"'
	args echo ran
	run_expect_fail hr run --bundle "$BUNDLE" c1
	assert_one_line_error create c1 apparmorProfile hull-test-profile "not enabled"
	assert_nothing_left
	cfg 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run_expect_fail hr run --bundle "$BUNDLE" c1
	assert_one_line_error create c1 selinuxLabel "not enabled"
	assert_nothing_left
	cfg 'del(.process.selinuxLabel) | .process.args = ["sleep", "100"]'
	run_detached c1
	run_expect_fail hr exec --apparmor hull-test-profile c1 true
	[ "$status" -eq 255 ]
	assert_one_line_error exec c1 apparmorProfile "not enabled"
	hr kill c1 KILL
}
