#!/usr/bin/env bats
# Rootless app containers: a user the test creates, with ranges in /etc/subuid and /etc/subgid, pulls
# from a registry, runs, logs, execs, publishes a port through slirp4netns, stops and removes, all in the
# user namespace that hull's pause process holds for that user.  Everything runs in a network namespace
# of the test's (the registry too), and in a mount namespace where /dev/net/tun is 0666 as on a stock
# Debian host (these machines have it 0600; the machine's /dev is not touched).

bats_require_minimum_version 1.5.0
load helpers
load registry

RL_USER=hull-engine-rl

setup_file() {
	command -v newuidmap >/dev/null || skip "newuidmap is not installed"
	command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
	export HULL=$HULL_BUILD/src/hull
	export RL_HOME=$BATS_FILE_TMPDIR/home RL_NS=hull-rl-$$
	userdel -r "$RL_USER" >/dev/null 2>&1 || true
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	useradd --no-create-home --home-dir "$RL_HOME" --shell /bin/sh "$RL_USER"
	mkdir -p "$RL_HOME"
	chown "$RL_USER:" "$RL_HOME"
	# One range of its own (useradd may already have given it one; the first listed is 1 on).
	echo "$RL_USER:500000:65536" >>/etc/subuid
	echo "$RL_USER:500000:65536" >>/etc/subgid
	local d
	for d in "$BATS_FILE_TMPDIR" "$HULL_BUILD/src"; do
		while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	done
	mknod -m 0666 "$BATS_FILE_TMPDIR/tun" c 10 200
	ip netns add "$RL_NS"
	nsenter --net="/run/netns/$RL_NS" ip link set lo up
	# The registry, in the test's namespace, with the layered test image (whiteouts, an opaque directory,
	# a device node, files owned by 1000).
	REG_DIR=$BATS_FILE_TMPDIR/registry
	mkdir -p "$REG_DIR"
	REG_PORT=5000
	registry_config "$REG_DIR" "$REG_PORT"
	nsenter --net="/run/netns/$RL_NS" docker-registry serve "$REG_DIR/config.yml" >"$REG_DIR/log" 2>&1 &
	echo $! >"$REG_DIR/pid"
	local i
	for i in $(seq 100); do
		nsenter --net="/run/netns/$RL_NS" curl -s -o /dev/null "http://127.0.0.1:$REG_PORT/v2/" && break
		sleep 0.1
	done
	local images
	images=$(tests/fixtures/test-images.sh "$HULL_TEST_ROOTFS")
	nsenter --net="/run/netns/$RL_NS" skopeo copy -q --dest-tls-verify=false "oci:$images:layers" \
		"docker://127.0.0.1:$REG_PORT/test/layers:1"
	export REG=127.0.0.1:$REG_PORT
}

teardown_file() {
	local pause
	[ -f "$REG_DIR/pid" ] && kill "$(cat "$REG_DIR/pid")" 2>/dev/null
	pause=$(cut -d' ' -f1 "/tmp/hull-run-$(id -u "$RL_USER" 2>/dev/null)/pause.pid" 2>/dev/null)
	[ -n "$pause" ] && kill "$pause" 2>/dev/null
	[ -n "${RL_NS:-}" ] && ip netns del "$RL_NS" 2>/dev/null
	if id "$RL_USER" >/dev/null 2>&1; then
		rm -rf "/tmp/hull-run-$(id -u "$RL_USER")" "/tmp/hull-$(id -u "$RL_USER")"
		userdel "$RL_USER" 2>/dev/null || true
		sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	fi
	return 0
}

teardown() {
	local id
	for id in $(u "$HULL" ps -aq --no-trunc 2>/dev/null); do
		u "$HULL" rm -f "$id" >/dev/null 2>&1 || true
	done
}

# u CMD...: CMD as the test's user, in the test's network namespace, with the user's own environment and
# no runtime directory (hull's state then lives in /tmp/hull-run-UID).
u() {
	nsenter --net="/run/netns/$RL_NS" unshare -m --propagation private \
		sh -c 'mount --bind "$0" /dev/net/tun && exec "$@"' "$BATS_FILE_TMPDIR/tun" \
		setpriv --reuid="$RL_USER" --regid="$RL_USER" --init-groups \
		env -i HOME="$RL_HOME" PATH=/usr/sbin:/usr/bin:/sbin:/bin ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" "$@"
}

pause_pid() {
	cut -d' ' -f1 "/tmp/hull-run-$(id -u "$RL_USER")/pause.pid"
}

@test "rootless: pull unpacks in the user's namespace; run, -d, logs, exec, chown, -p through slirp4netns, stop, rm" {
	run u "$HULL" pull -q "$REG/test/layers:1"
	echo "$output"
	[ "$status" -eq 0 ]
	# The store is the user's, in its home; its files belong to the user or its ranges on the host.
	local store=$RL_HOME/.local/share/hull
	[ -d "$store/layers" ]
	[ "$(stat -c %U "$store")" = "$RL_USER" ]
	# Whiteouts and the opaque directory as in a root store; the device node left out; owner 1000 as
	# the first range maps it.
	run u "$HULL" run --rm "$REG/test/layers:1" sh -c \
		'ls /data /opq | tr "\n" " "; echo; stat -c "%u:%g %a" /data/owned; [ ! -e /data/null ] && echo no-device; id -u'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *keep* && "${lines[0]}" == *three* && "${lines[0]}" == *new* ]]
	[[ "${lines[0]}" != *gone* && "${lines[0]}" != *old1* && "${lines[0]}" != *sub* ]]
	[ "${lines[1]}" = "1000:1000 640" ]
	[ "${lines[2]}" = no-device ]
	[ "${lines[3]}" = 0 ]
	local host_1000
	host_1000=$(awk '$1 <= 1000 && 1000 < $1 + $3 {print $2 + 1000 - $1}' "/proc/$(pause_pid)/uid_map")
	[ "$(find "$store/layers" -path '*/data/owned' -printf '%U\n' | head -1)" = "$host_1000" ]

	# Detached, published on the namespace's 127.0.0.1 by slirp4netns; apt-get-style ownership changes.
	u "$HULL" run -d --name web -p 8097:80 "$REG/test/layers:1" sh -c \
		'echo to-stdout; echo to-stderr >&2; mkdir -p /www && echo hi-rootless >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
	local out i
	for i in $(seq 50); do
		out=$(nsenter --net="/run/netns/$RL_NS" curl -s "http://127.0.0.1:8097/") && break
		sleep 0.1
	done
	[ "$out" = hi-rootless ]
	[ "$(u "$HULL" logs web 2>/dev/null)" = to-stdout ]
	[ "$(u "$HULL" logs web 2>&1 >/dev/null)" = to-stderr ]
	run u "$HULL" exec web sh -c 'echo app:x:1234:1234::/:/bin/sh >>/etc/passwd && echo app:x:1234: >>/etc/group &&
		touch /tmp/f && chown app:app /tmp/f && stat -c %u:%g /tmp/f'
	[ "$status" -eq 0 ]
	[ "$output" = 1234:1234 ]
	# The helper and the container's processes belong to the user on the host.
	local pid
	pid=$(u "$HULL" inspect web | jq -r '.[0].State.Pid')
	[ "$(stat -c %U "/proc/$pid")" = "$RL_USER" ]
	u "$HULL" ps | grep -q ' Up .* web$'
	u "$HULL" stop -t 1 web >/dev/null
	[ "$(u "$HULL" inspect web | jq -r '.[0].State.Status')" = exited ]
	u "$HULL" rm web >/dev/null
	[ -z "$(u "$HULL" ps -aq)" ]
	[ -z "$(ls "$store/containers" | grep -v '^lock$')" ]
	# slirp4netns went with the container.
	[ -z "$(ls -A "/tmp/hull-run-$(id -u "$RL_USER")/network/usermode" 2>/dev/null)" ]
}

@test "rootless: resource limits without a delegated cgroup are refused in one line, leaving nothing" {
	u "$HULL" pull -q "$REG/test/layers:1"
	local flag
	for flag in "--memory 64m" "--cpus 1" "--pids-limit 10"; do
		# shellcheck disable=SC2086
		run_expect_fail u "$HULL" run --rm $flag "$REG/test/layers:1" true
		[ "$status" -eq 125 ]
		assert_one_line_error run "${flag%% *}" cgroup "$(id -u "$RL_USER")"
	done
	[ -z "$(u "$HULL" ps -aq)" ]
	# Without them it runs, in the user's own cgroup.
	run u "$HULL" run --rm "$REG/test/layers:1" echo ran
	[ "$output" = ran ]
}

@test "rootless: every command joins one pause process; a new one comes when it is gone" {
	u "$HULL" images >/dev/null
	local first
	first=$(pause_pid)
	[ "$(stat -c %U "/proc/$first")" = "$RL_USER" ]
	[ "$(cat /proc/"$first"/comm)" = hull-pause ]
	u "$HULL" images >/dev/null
	[ "$(pause_pid)" = "$first" ]
	# Its user namespace maps the user as 0 and the ranges after it.
	run cat "/proc/$first/uid_map"
	[[ "${lines[0]}" =~ ^\ *0\ +$(id -u "$RL_USER")\ +1$ ]]
	[[ "$output" == *" 500000 "* ]]
	kill "$first"
	while kill -0 "$first" 2>/dev/null; do sleep 0.05; done
	u "$HULL" images >/dev/null
	[ "$(pause_pid)" != "$first" ]
	# A directory of hull's state that is not the user's alone is refused.
	chmod 0777 "/tmp/hull-run-$(id -u "$RL_USER")"
	kill "$(pause_pid)"
	run_expect_fail u "$HULL" images
	assert_one_line_error images "not a directory of yours alone"
	chmod 0700 "/tmp/hull-run-$(id -u "$RL_USER")"
}
