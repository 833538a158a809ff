#!/usr/bin/env bats
# The six OCI hooks: when they run, with which state on stdin, in which namespace, and what a failure does.

load helpers

setup() {
	hull_common_setup
	LOG=$BATS_TEST_TMPDIR/hooks.log
	# A host-side hook: records its name, the status it was given on stdin and its mount namespace.
	HOOK=$BATS_TEST_TMPDIR/hook
	cat >"$HOOK" <<-EOF
		#!/bin/sh
		state=\$(cat)
		echo "\$1 \$(printf '%s' "\$state" | jq -r '.status + " " + .id + " " + (.pid|tostring)') \$(readlink /proc/self/ns/mnt) \${HOOK_ENV:-noenv}" >>"$LOG"
		exit \${2:-0}
	EOF
	chmod +x "$HOOK"
}
teardown() { hull_common_teardown; }

hook_json() { # NAME [EXIT] [TIMEOUT]: a hook entry calling $HOOK
	jq -nc --arg p "$HOOK" --arg n "$1" --arg e "${2:-0}" --argjson t "${3:-null}" \
		'{path: $p, args: ["hook", $n, $e], env: ["HOOK_ENV=set", "PATH=/usr/bin:/bin"]} + (if $t then {timeout: $t} else {} end)'
}

@test "all hooks run in order, with the state on stdin" {
	# startContainer runs inside the container, so its program must be in the container's root.
	cat >"$BUNDLE/rootfs/start-hook" <<-'EOF'
		#!/bin/sh
		echo "startContainer $(readlink /proc/self/ns/mnt) $(hostname)" >/tmp/start-hook.log
	EOF
	chmod +x "$BUNDLE/rootfs/start-hook"
	cfg --argjson pre "$(hook_json prestart)" --argjson cr "$(hook_json createRuntime)" \
		--argjson cc "$(hook_json createContainer)" --argjson ps "$(hook_json poststart)" \
		--argjson pst "$(hook_json poststop)" \
		'.hooks = {prestart: [$pre], createRuntime: [$cr], createContainer: [$cc], startContainer: [{path: "/start-hook"}], poststart: [$ps], poststop: [$pst]}'
	args sleep 100
	cfg '.hostname = "hooked"'
	hr create --bundle "$BUNDLE" c1
	local pid host_mnt container_mnt
	pid=$(state_field c1 pid)
	host_mnt=$(readlink /proc/self/ns/mnt)
	container_mnt=$(readlink "/proc/$pid/ns/mnt")
	[ "$(wc -l <"$LOG")" -eq 3 ]
	[ ! -e "$BUNDLE/rootfs/tmp/start-hook.log" ]
	hr start c1
	hr delete --force c1
	mapfile -t got <"$LOG"
	[ "${#got[@]}" -eq 5 ]
	# As runc: the hooks of create see status `created`.
	[ "${got[0]}" = "prestart created c1 $pid $host_mnt set" ]
	[ "${got[1]}" = "createRuntime created c1 $pid $host_mnt set" ]
	# createContainer runs in the container's mount namespace, before pivot_root.
	[ "${got[2]}" = "createContainer created c1 $pid $container_mnt set" ]
	[ "${got[3]}" = "poststart running c1 $pid $host_mnt set" ]
	# As runc: a stopped container's state has pid 0.
	[ "${got[4]}" = "poststop stopped c1 0 $host_mnt set" ]
	# startContainer runs inside the container: its mount and uts namespaces, after pivot_root.
	[ "$(cat "$BUNDLE/rootfs/tmp/start-hook.log")" = "startContainer $container_mnt hooked" ]
}

@test "a failing prestart hook fails create and leaves nothing" {
	cfg --argjson h "$(hook_json prestart 3)" '.hooks = {prestart: [$h]}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error prestart "$HOOK" 3
	assert_nothing_left
}

@test "a failing createContainer hook fails create and leaves nothing" {
	cfg --argjson h "$(hook_json createContainer 4)" '.hooks = {createContainer: [$h]}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error createContainer 4
	assert_nothing_left
}

@test "a hook that outlives its timeout is killed and fails create" {
	cat >"$BATS_TEST_TMPDIR/slow" <<-'EOF'
		#!/bin/sh
		sleep 30
	EOF
	chmod +x "$BATS_TEST_TMPDIR/slow"
	cfg --arg p "$BATS_TEST_TMPDIR/slow" '.hooks = {createRuntime: [{path: $p, timeout: 1}]}'
	local t0=$SECONDS
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error createRuntime timeout
	[ $((SECONDS - t0)) -lt 10 ]
	assert_nothing_left
}

@test "failing poststart and poststop hooks only warn" {
	cfg --argjson ps "$(hook_json poststart 5)" --argjson pst "$(hook_json poststop 6)" '.hooks = {poststart: [$ps], poststop: [$pst]}'
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "$output" == *poststart* ]]
	[[ "$output" == *poststop* ]]
	grep -q '^poststart running c1' "$LOG"
	grep -q '^poststop stopped c1' "$LOG"
	assert_nothing_left
}

@test "after a failing poststart or poststop hook the remaining ones still run" {
	cfg --argjson ps1 "$(hook_json poststart-1 5)" --argjson ps2 "$(hook_json poststart-2)" \
		--argjson pst1 "$(hook_json poststop-1 6)" --argjson pst2 "$(hook_json poststop-2)" \
		'.hooks = {poststart: [$ps1, $ps2], poststop: [$pst1, $pst2]}'
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"poststart hook"*"status 5"* ]]
	[[ "$output" == *"poststop hook"*"status 6"* ]]
	grep -q '^poststart-2 running c1' "$LOG"
	grep -q '^poststop-2 stopped c1' "$LOG"
}

@test "a hook without env inherits the runtime's environment" {
	cfg --arg p "$HOOK" '.hooks = {createRuntime: [{path: $p, args: ["hook", "inherit"]}]}'
	HOOK_ENV=from-runtime hr run --bundle "$BUNDLE" c1
	grep -q '^inherit created c1 [0-9]* .* from-runtime$' "$LOG"
}
