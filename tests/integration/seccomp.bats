#!/usr/bin/env bats
# linux.seccomp: every action, argument filters, architectures, flags, defaultErrnoRet, the notify
# listener, the default profile from `spec`, and a filter that blocks what the runtime itself uses during
# setup (it is loaded last).

load helpers

setup() {
	hull_common_setup
	cfg 'del(.linux.seccomp)'
}
teardown() { hull_common_teardown; }

# seccomp_rule ACTION SYSCALLS-JSON [EXTRA-JSON]: an allow-all filter with one rule.
seccomp_rule() {
	cfg --arg a "$1" --argjson n "$2" --argjson x "${3:-{\}}" \
		'.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": $n, "action": $a} + $x]}'
}

@test "the filter is in place in the container process" {
	seccomp_rule SCMP_ACT_ERRNO '["mkdir", "mkdirat"]'
	args sh -c 'grep -E "^(Seccomp|NoNewPrivs)" /proc/self/status'
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"Seccomp:	2"* ]]
}

@test "SCMP_ACT_ERRNO returns EPERM, or errnoRet when given" {
	seccomp_rule SCMP_ACT_ERRNO '["mkdir", "mkdirat"]'
	args mkdir /tmp/x
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	seccomp_rule SCMP_ACT_ERRNO '["mkdir", "mkdirat"]' '{"errnoRet": 28}'
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *"No space left on device"* ]]
	[ ! -e "$BUNDLE/rootfs/tmp/x" ]
}

@test "defaultErrnoRet applies to the default action" {
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 122,
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	# Everything else is allowed explicitly by the default profile's list.
	prof=$("$HULL_RUNTIME" spec --bundle "$BATS_TEST_TMPDIR" >/dev/null && jq '.linux.seccomp.syscalls' "$BATS_TEST_TMPDIR/config.json")
	cfg --argjson r "$prof" '.linux.seccomp.syscalls += [$r[] | .names -= ["mkdir", "mkdirat", "rmdir"]]'
	args sh -c 'mkdir /tmp/x; rmdir /tmp'
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *"mkdir"*"Operation not permitted"* ]]
	[[ "$output" == *"rmdir"*"Disk quota exceeded"* ]]
}

@test "SCMP_ACT_KILL_PROCESS, KILL and TRAP end the process with SIGSYS" {
	for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
		seccomp_rule "$action" '["uname"]'
		args uname -a
		run hr run --bundle "$BUNDLE" c1
		[ "$status" -eq 159 ] # 128 + SIGSYS
	done
	seccomp_rule SCMP_ACT_KILL '["uname"]'
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 159 ]
}

@test "SCMP_ACT_TRACE without a tracer fails the syscall with ENOSYS; SCMP_ACT_LOG allows it" {
	seccomp_rule SCMP_ACT_TRACE '["mkdir", "mkdirat"]'
	args mkdir /tmp/x
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *"Function not implemented"* ]]
	seccomp_rule SCMP_ACT_LOG '["mkdir", "mkdirat"]'
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ -d "$BUNDLE/rootfs/tmp/x" ]
}

@test "argument filters: only the matching call is refused" {
	# kill(pid, SIGURG) is refused, kill(pid, 0) allowed: the signal is argument 1.  SIGURG and SIGWINCH
	# are ignored by default, so a signal that got through does no harm.
	seccomp_rule SCMP_ACT_ERRNO '["kill"]' '{"args": [{"index": 1, "value": 23, "op": "SCMP_CMP_EQ"}]}'
	args sh -c 'kill -0 $$ && echo zero-ok; kill -URG $$ || echo urg-denied'
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *zero-ok* ]]
	[[ "$output" == *urg-denied* ]]
	# MASKED_EQ: (signal & 0x10) == 0x10 catches 23 (URG) and 28 (WINCH), not 0.
	seccomp_rule SCMP_ACT_ERRNO '["kill"]' '{"args": [{"index": 1, "value": 16, "valueTwo": 16, "op": "SCMP_CMP_MASKED_EQ"}]}'
	args sh -c 'kill -0 $$ && echo zero-ok; kill -WINCH $$ || echo winch-denied'
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *zero-ok* ]]
	[[ "$output" == *winch-denied* ]]
	# Two comparisons of the same argument are alternatives: either value is refused.
	seccomp_rule SCMP_ACT_ERRNO '["kill"]' '{"args": [{"index": 1, "value": 23, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 28, "op": "SCMP_CMP_EQ"}]}'
	args sh -c 'kill -0 $$ && echo zero-ok; kill -URG $$ || echo urg-denied; kill -WINCH $$ || echo winch-denied'
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *zero-ok* ]]
	[[ "$output" == *urg-denied* ]]
	[[ "$output" == *winch-denied* ]]
	# Comparisons of different arguments must all hold: pid 99999 and signal 23, so this one passes.
	seccomp_rule SCMP_ACT_ERRNO '["kill"]' '{"args": [{"index": 0, "value": 99999, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 23, "op": "SCMP_CMP_EQ"}]}'
	args sh -c 'kill -URG $$ && echo urg-allowed'
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *urg-allowed* ]]
}

@test "architectures and flags are applied; unknown ones are refused before anything exists" {
	seccomp_rule SCMP_ACT_ERRNO '["mkdir", "mkdirat"]'
	cfg '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"] |
		.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"]'
	args mkdir /tmp/x
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *"Operation not permitted"* ]]
	cfg '.linux.seccomp.architectures = ["SCMP_ARCH_VAX"]'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create architectures SCMP_ARCH_VAX
	cfg '.linux.seccomp.architectures = [] | .linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_NOPE"]'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create flags SECCOMP_FILTER_FLAG_NOPE
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_PERHAPS"}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create defaultAction SCMP_ACT_PERHAPS
	seccomp_rule SCMP_ACT_ERRNO '["mkdir"]' '{"args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create args index
	assert_nothing_left
}

@test "the filter is loaded after setup: blocking mount, pivot_root and sethostname still starts" {
	seccomp_rule SCMP_ACT_ERRNO '["mount", "umount2", "pivot_root", "sethostname", "chdir", "setsid", "prctl", "capset"]'
	args sh -c 'hostname; hostname other 2>&1 || echo hostname-denied'
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "$output" == *hull* ]]
	[[ "$output" == *hostname-denied* ]]
}

@test "SCMP_ACT_NOTIFY hands the listener to listenerPath with the container process state" {
	sock=$BATS_TEST_TMPDIR/agent.sock
	"$HULL_TEST_HELPERS/seccomp-agent" "$sock" "$BATS_TEST_TMPDIR/agent.state" 123 2>"$BATS_TEST_TMPDIR/agent.log" &
	agent=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.02; done
	seccomp_rule SCMP_ACT_NOTIFY '["mkdir", "mkdirat"]'
	cfg --arg s "$sock" '.linux.seccomp.listenerPath = $s | .linux.seccomp.listenerMetadata = "from-the-test"'
	args sh -c 'mkdir /tmp/x; echo done'
	run hr run --bundle "$BUNDLE" c1
	wait "$agent"
	# The agent answered ENOMEDIUM (123) for the container's mkdir.
	[[ "$output" == *"No medium found"* ]]
	[ ! -e "$BUNDLE/rootfs/tmp/x" ]
	jq -e '.fds == ["seccompFd"] and .metadata == "from-the-test" and .state.id == "c1" and .pid > 0' "$BATS_TEST_TMPDIR/agent.state"
	grep -q "answered 1" "$BATS_TEST_TMPDIR/agent.log"
}

@test "SCMP_ACT_NOTIFY without listenerPath is refused" {
	seccomp_rule SCMP_ACT_NOTIFY '["mkdir"]'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create listenerPath
	assert_nothing_left
}

@test "spec's default profile: ordinary programs run, namespaces and mounts are refused" {
	"$HULL_RUNTIME" spec --bundle "$BATS_TEST_TMPDIR"
	cfg --slurpfile d "$BATS_TEST_TMPDIR/config.json" '.linux.seccomp = $d[0].linux.seccomp'
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$BUNDLE/config.json"
	# With CAP_SYS_ADMIN, so that only the filter stands in the way.
	cfg '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	args sh -c 'ls /bin >/dev/null && echo ls-ok; sleep 0.1 & wait && echo fork-ok;
		mount -t tmpfs none /mnt 2>&1 || echo mount-denied; unshare -n true 2>&1 || echo unshare-denied'
	run hr run --bundle "$BUNDLE" c1
	echo "$output"
	[[ "$output" == *ls-ok* ]]
	[[ "$output" == *fork-ok* ]]
	[[ "$output" == *mount-denied* ]]
	[[ "$output" == *unshare-denied* ]]
}

@test "compiled filters are cached per profile text and never reused for another profile" {
	seccomp_rule SCMP_ACT_ERRNO '["mkdir", "mkdirat"]'
	args sh -c 'mkdir /tmp/x 2>&1; true'
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *"Operation not permitted"* ]]
	[ "$(ls "$STATE/@seccomp-cache" | wc -l)" -eq 1 ]
	[ "$(stat -c %a "$STATE/@seccomp-cache")" = 700 ]
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *"Operation not permitted"* ]]
	[ "$(ls "$STATE/@seccomp-cache" | wc -l)" -eq 1 ]
	# Another errno is another profile: compiled anew, and the new errno is what the container gets.
	seccomp_rule SCMP_ACT_ERRNO '["mkdir", "mkdirat"]' '{"errnoRet": 28}'
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *"No space left on device"* ]]
	[ "$(ls "$STATE/@seccomp-cache" | wc -l)" -eq 2 ]
	# A cache file whose text does not match the profile exactly is not used.
	for f in "$STATE"/@seccomp-cache/*; do printf 'garbage' >"$f"; done
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *"No space left on device"* ]]
}

# probe_syscalls NR...: runs the static syscall prober inside the container under the bundle's filter.
probe_syscalls() {
	cc -static -O2 -o "$BUNDLE/rootfs/probe" "$BATS_TEST_DIRNAME/../helpers/syscall-probe.c"
	args /probe "$@"
	run hr run --bundle "$BUNDLE" c1
}

@test "a syscall the profile cannot know answers ENOSYS, a known one the profile's default" {
	# Profile names getpid (39) and openat2 (437); 500 is above every name, 400 is unassigned on
	# x86_64, 169 (reboot) is a syscall the profile left to its default.
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["getpid", "openat2", "write", "exit_group", "execve", "brk", "arch_prctl",
		 "set_tid_address", "set_robust_list", "rseq", "prlimit64", "mprotect", "readlinkat",
		 "newfstatat", "fstat", "getrandom", "mmap", "munmap", "ioctl", "uname", "exit"], "action": "SCMP_ACT_ALLOW"}]}'
	probe_syscalls 500 400 169 39
	[ "$status" -eq 0 ]
	[[ "$output" == *"500 ENOSYS"* ]]
	[[ "$output" == *"400 ENOSYS"* ]]
	[[ "$output" == *"169 EPERM"* ]]
	[[ "$output" == *"39 ok"* ]]
}

@test "an allowing or erring default with an explicit rule keeps the profile's word" {
	# Under an allowing default nothing changes: an unknown number reaches the kernel (ENOSYS from it).
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["reboot"], "action": "SCMP_ACT_ERRNO"}]}'
	probe_syscalls 169 500
	[ "$status" -eq 0 ]
	[[ "$output" == *"169 EPERM"* ]]
	[[ "$output" == *"500 ENOSYS"* ]]
	# The default profile from spec: clone3 is ENOSYS by its own rule, new numbers by the runtime.
	(cd "$BUNDLE" && rm config.json && "$HULL_RUNTIME" spec)
	cfg '.root.readonly = false | .process.terminal = false | .linux.cgroupsPath = "'"$CGPARENT"'/c"'
	probe_syscalls 435 500 39
	[ "$status" -eq 0 ]
	[[ "$output" == *"435 ENOSYS"* ]]
	[[ "$output" == *"500 ENOSYS"* ]]
	[[ "$output" == *"39 ok"* ]]
}

@test "a listenerPath without any notify rule is reported and the container runs" {
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexistent/agent.sock", "syscalls": [{"names": ["reboot"], "action": "SCMP_ACT_ERRNO"}]}'
	args echo ran
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"listenerPath"*"not used"* ]]
	[[ "$output" == *"ran"* ]]
}
