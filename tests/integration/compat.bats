#!/usr/bin/env bats
# Behaviours engines rely on because runc has them: signal 0, read-only /dev with its submounts, symlinks
# in the root where proc, sysfs, masked and read-only paths go, the pty's owner, HOME, repeated namespaces,
# hostnames in joined uts namespaces, sysctls that contradict hostname, device paths, tmpfs modes and
# mount points behind dangling symlinks.

load helpers

setup() { hull_common_setup; }
teardown() { hull_common_teardown; }

@test "kill with signal 0 checks that the container lives, also with --all" {
	args sleep 100
	run_detached c1
	hr kill c1 0
	hr kill --all c1 0
	[ "$(state_field c1 status)" = running ]
	hr kill c1 KILL
	wait_status c1 stopped
	run_expect_fail hr kill c1 0
	assert_one_line_error kill c1 "not running"
	hr delete c1
}

@test "a read-only /dev still gets /dev/pts, /dev/shm, /dev/mqueue and the device nodes" {
	cfg '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	run_in 'for d in /dev/pts /dev/shm /dev/mqueue; do grep -q " $d " /proc/mounts && echo "mounted $d"; done
		test -c /dev/null && test -c /dev/urandom && echo nodes; touch /dev/x 2>/dev/null || echo dev-readonly
		grep " /dev " /proc/mounts'
	[ "$status" -eq 0 ]
	[[ "$output" == *"mounted /dev/pts"* ]]
	[[ "$output" == *"mounted /dev/shm"* ]]
	[[ "$output" == *"mounted /dev/mqueue"* ]]
	[[ "$output" == *nodes* ]]
	[[ "$output" == *dev-readonly* ]]
}

@test "a root whose proc or sys is a symlink is refused and leaves nothing" {
	rmdir "$BUNDLE/rootfs/proc" 2>/dev/null || rm -rf "$BUNDLE/rootfs/proc"
	ln -s etc "$BUNDLE/rootfs/proc"
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create c1 /proc symlink
	assert_nothing_left
	rm "$BUNDLE/rootfs/proc" && mkdir "$BUNDLE/rootfs/proc"
	rm -rf "$BUNDLE/rootfs/sys" && ln -s tmp "$BUNDLE/rootfs/sys"
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create c1 /sys symlink
	assert_nothing_left
}

@test "masked and read-only paths never follow a symlink" {
	mkdir -p "$BUNDLE/rootfs/secret" "$BUNDLE/rootfs/data"
	ln -s /data "$BUNDLE/rootfs/masked"
	cfg '.linux.maskedPaths = ["/masked"]'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create maskedPaths /masked symlink
	assert_nothing_left
	cfg '.linux.maskedPaths = [] | .linux.readonlyPaths = ["/masked"]'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create readonlyPaths /masked symlink
	assert_nothing_left
	# A real directory is still masked.
	cfg '.linux.maskedPaths = ["/secret"] | .linux.readonlyPaths = ["/data"]'
	run_in 'grep -q " /secret " /proc/mounts && echo masked; touch /data/x 2>/dev/null || echo ro'
	[[ "$output" == *masked* ]]
	[[ "$output" == *ro* ]]
}

@test "the console's pty belongs to the process user, for run and exec" {
	cfg '.process.terminal = true | .process.user = {"uid": 1234, "gid": 2345}'
	args sh -c 'stat -c "owner=%u:%g" $(tty); sleep 2'
	local sock=$BATS_TEST_TMPDIR/console.sock
	"$HULL_TEST_HELPERS/recv-console" "$sock" >"$BATS_TEST_TMPDIR/console.out" 2>&1 &
	local receiver=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	hr create --bundle "$BUNDLE" --console-socket "$sock" c1
	hr start c1
	local sock2=$BATS_TEST_TMPDIR/console2.sock
	"$HULL_TEST_HELPERS/recv-console" "$sock2" >"$BATS_TEST_TMPDIR/console2.out" 2>&1 &
	local receiver2=$!
	for _ in $(seq 100); do [ -S "$sock2" ] && break; sleep 0.05; done
	hr exec -d -t --console-socket "$sock2" --user 4321:5432 c1 sh -c 'stat -c "owner=%u:%g" $(tty)'
	wait "$receiver2"
	wait "$receiver"
	wait_status c1 stopped
	cat "$BATS_TEST_TMPDIR/console.out" "$BATS_TEST_TMPDIR/console2.out"
	grep -q 'owner=1234:2345' "$BATS_TEST_TMPDIR/console.out"
	grep -q 'owner=4321:5432' "$BATS_TEST_TMPDIR/console2.out"
	hr delete c1
}

@test "HOME comes from the root's /etc/passwd when the config has none, for run and exec" {
	printf 'root:x:0:0:root:/root:/bin/sh\nweb:x:1000:1000::/srv/web:/bin/sh\n' >"$BUNDLE/rootfs/etc/passwd"
	cfg '.process.env = ["PATH=/bin:/usr/bin"] | .process.user = {"uid": 1000, "gid": 1000}'
	run_in 'echo "home=$HOME"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"home=/srv/web"* ]]
	cfg '.process.user = {"uid": 4242, "gid": 4242}'
	run_in 'echo "home=$HOME"'
	[[ "$output" == *"home=/"* ]]
	cfg '.process.env += ["HOME=/given"]'
	run_in 'echo "home=$HOME"'
	[[ "$output" == *"home=/given"* ]]
	# exec as root: HOME from root's entry.
	cfg '.process.env = ["PATH=/bin:/usr/bin"] | .process.user = {"uid": 0, "gid": 0}'
	args sleep 100
	run_detached c2
	run hr exec c2 sh -c 'echo "home=$HOME"'
	[[ "$output" == *"home=/root"* ]]
	# A FIFO planted as /etc/passwd does not hang the exec.
	rm "$BUNDLE/rootfs/etc/passwd" && mkfifo "$BUNDLE/rootfs/etc/passwd"
	run timeout 10 "$HULL_RUNTIME" --root "$STATE" exec c2 sh -c 'echo "home=$HOME"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"home=/"* ]]
	hr kill c2 KILL
}

@test "an exec'd process leads its own process group" {
	args sleep 100
	run_detached c1
	run hr exec c1 sh -c 'set -- $(cat /proc/$$/stat); echo "pid=$1 pgrp=$5"'
	[ "$status" -eq 0 ]
	local pid pgrp
	pid=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$output")
	pgrp=$(sed -n 's/.*pgrp=\([0-9]*\).*/\1/p' <<<"$output")
	[ -n "$pid" ] && [ "$pid" = "$pgrp" ]
	hr kill c1 KILL
}

@test "a namespace listed twice with the same path is accepted; with another path it is refused" {
	args sleep 100
	run_detached c1
	local pid
	pid=$(state_field c1 pid)
	cfg '.linux.cgroupsPath = "'"$CGPARENT"'/c2"'
	cfg '.linux.namespaces += [{"type": "ipc", "path": "/proc/'"$pid"'/ns/ipc"}, {"type": "ipc", "path": "/proc/'"$pid"'/ns/ipc"}]'
	cfg '.linux.namespaces |= map(select(.type != "ipc" or .path != null))'
	args sh -c 'readlink /proc/self/ns/ipc'
	run hr run --bundle "$BUNDLE" c2
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink "/proc/$pid/ns/ipc")" ]
	cfg '.linux.namespaces += [{"type": "ipc", "path": "/proc/self/ns/ipc"}]'
	run_expect_fail hr create --bundle "$BUNDLE" c3
	assert_one_line_error create ipc "listed twice"
	hr kill c1 KILL
}

@test "a hostname may be set in a uts namespace joined by path" {
	args sleep 100
	run_detached c1
	local pid
	pid=$(state_field c1 pid)
	cfg '.linux.cgroupsPath = "'"$CGPARENT"'/c2"'
	cfg '.linux.namespaces |= map(if .type == "uts" then .path = "/proc/'"$pid"'/ns/uts" else . end) | .hostname = "joined"'
	run_in 'hostname' c2
	[ "$status" -eq 0 ]
	[ "$output" = joined ]
	run hr exec c1 hostname
	[ "$output" = joined ]
	hr kill c1 KILL
}

@test "kernel.hostname or kernel.domainname contradicting hostname/domainname is refused" {
	cfg '.hostname = "web" | .linux.sysctl = {"kernel.hostname": "other"}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create kernel.hostname conflicts web
	assert_nothing_left
	cfg '.domainname = "example.org" | .linux.sysctl = {"kernel.domainname": "other.org"}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create kernel.domainname conflicts
	cfg '.linux.sysctl = {"kernel.hostname": "web"}'
	run_in hostname
	[ "$status" -eq 0 ]
	[ "$output" = web ]
}

@test "a device path with a trailing slash is refused with one line" {
	cfg '.linux.devices = [{"path": "/dev/fuse/", "type": "c", "major": 10, "minor": 229}]'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create "/dev/fuse/" "not end in"
	assert_nothing_left
}

@test "a tmpfs keeps the mode of its mount point unless mode= is given" {
	mkdir -p "$BUNDLE/rootfs/scratch" "$BUNDLE/rootfs/other"
	chmod 1777 "$BUNDLE/rootfs/scratch"
	chmod 0710 "$BUNDLE/rootfs/other"
	cfg '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/other", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755"]}]'
	run_in 'stat -c "%a %n" /scratch /other'
	[ "$status" -eq 0 ]
	[[ "$output" == *"1777 /scratch"* ]]
	[[ "$output" == *"755 /other"* ]]
}

@test "a mount destination that is a dangling symlink is created where it points, inside the root" {
	ln -s /var/lib/data "$BUNDLE/rootfs/data"
	ln -s ../../outside "$BUNDLE/rootfs/rel"
	cfg '.mounts += [{"destination": "/data/cache", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/rel", "type": "tmpfs", "source": "tmpfs"}]'
	run_in 'grep -o " /var/lib/data/cache \| /outside " /proc/mounts'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/var/lib/data/cache"* ]]
	[[ "$output" == *"/outside"* ]]
	[ -d "$BUNDLE/rootfs/var/lib/data/cache" ]
	[ -d "$BUNDLE/rootfs/outside" ]
	[ ! -e "$BUNDLE/outside" ]
}

@test "exec refuses a paused container unless --ignore-paused; its failures exit 255" {
	args sleep 100
	run_detached c1
	hr pause c1
	run_expect_fail hr exec c1 true
	[ "$status" -eq 255 ]
	assert_one_line_error exec c1 paused ignore-paused
	hr exec -d --ignore-paused --pid-file "$BATS_TEST_TMPDIR/frozen.pid" c1 sleep 50
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/frozen.pid")
	# It runs in the container's (frozen) cgroup: frozen with the rest.
	grep -q "$CGPARENT/c" "/proc/$pid/cgroup"
	hr resume c1
	run hr exec c1 true
	[ "$status" -eq 0 ]
	run_expect_fail hr exec c1 /no/such/program
	[ "$status" -eq 255 ]
	assert_one_line_error exec /no/such/program
	run_expect_fail hr exec --pid-file /nonexistent-dir/x.pid c1 sleep 30
	[ "$status" -eq 255 ]
	assert_one_line_error exec pid-file
	# The process whose pid could not be recorded does not go on running.
	run hr exec c1 sh -c 'ps -o args | grep -c "^sleep 30" || true'
	[ "$output" = 0 ]
	run hr exec c1 sh -c 'exit 3'
	[ "$status" -eq 3 ]
	hr kill c1 KILL
}

@test "state and list --format json write runc's fields in runc's order" {
	args sleep 100
	hr create --bundle "$BUNDLE" c1
	run hr state c1
	[ "$(jq -c 'keys_unsorted' <<<"$output")" = '["ociVersion","id","pid","status","bundle","rootfs","created","owner"]' ]
	run hr list --format json
	[ "$(jq -c '.[0] | keys_unsorted' <<<"$output")" = '["ociVersion","id","pid","status","bundle","rootfs","created","owner"]' ]
	hr delete --force c1
	cfg '.annotations = {"k": "v"}'
	hr create --bundle "$BUNDLE" c2
	run hr state c2
	[ "$(jq -c 'keys_unsorted' <<<"$output")" = '["ociVersion","id","pid","status","bundle","rootfs","created","annotations","owner"]' ]
	hr delete --force c2
}

@test "--log to a path that cannot be opened fails the command with one line" {
	args true
	run_expect_fail hr --log /nonexistent-dir/hull.log run --bundle "$BUNDLE" c1
	[ "$status" -ne 0 ]
	assert_one_line_error "log file" /nonexistent-dir/hull.log "No such file"
	assert_nothing_left
	hr --log "$BATS_TEST_TMPDIR/ok.log" run --bundle "$BUNDLE" c1
}

@test "a config without a mount namespace runs chrooted; one joining a mount namespace by path runs" {
	cfg '.linux.namespaces |= map(select(.type != "mount")) | .mounts = [] | .linux.cgroupsPath = "'"$CGPARENT"'/nomnt"'
	run_in 'test -x /bin/busybox && echo in-root; readlink /proc/1/ns/mnt 2>/dev/null || echo no-proc'
	[ "$status" -eq 0 ]
	[[ "$output" == *in-root* ]]
	# The host's mount namespace is shared and nothing new appeared in it.
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ]
	# As runc and crun: mounts are made below the root in the host's namespace, visible there while the
	# container lives, and delete unmounts them; a read-only root (a remount of the host's) is refused.
	cfg '.mounts = [{"destination": "/proc", "type": "proc", "source": "proc"}, {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}] | .linux.cgroupsPath = "'"$CGPARENT"'/nomnt2"'
	args sleep 100
	run_detached c2
	grep -q " $BUNDLE/rootfs/tmp " /proc/self/mountinfo
	grep -q " $BUNDLE/rootfs/proc " /proc/self/mountinfo
	hr delete --force c2
	! grep -q " $BUNDLE/rootfs/" /proc/self/mountinfo
	cfg '.root.readonly = true'
	run_expect_fail hr create --bundle "$BUNDLE" c2
	assert_one_line_error create c2 root.readonly "mount namespace"
	assert_nothing_left
	# A mount namespace made beforehand and joined by path.
	mkdir -p "$BATS_TEST_TMPDIR/ns"
	mount --bind "$BATS_TEST_TMPDIR/ns" "$BATS_TEST_TMPDIR/ns"
	mount --make-private "$BATS_TEST_TMPDIR/ns"
	touch "$BATS_TEST_TMPDIR/ns/mnt"
	unshare --mount="$BATS_TEST_TMPDIR/ns/mnt" true
	(cd "$BUNDLE" && rm config.json && "$HULL_RUNTIME" spec)
	cfg '.root.readonly = false | .process.terminal = false | .linux.cgroupsPath = "'"$CGPARENT"'/joined"'
	cfg --arg p "$BATS_TEST_TMPDIR/ns/mnt" '.linux.namespaces |= map(if .type == "mount" then .path = $p else . end)'
	args sh -c 'grep -q " /proc proc" /proc/mounts && readlink /proc/1/ns/mnt'
	local want
	want="mnt:[$(stat -L -c %i "$BATS_TEST_TMPDIR/ns/mnt")]"
	run hr run --bundle "$BUNDLE" c3
	umount "$BATS_TEST_TMPDIR/ns/mnt"
	umount "$BATS_TEST_TMPDIR/ns"
	MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}
