#!/usr/bin/env bats
# The root filesystem, mounts and /dev, each read back from inside the container.

load helpers

setup() {
	hull_common_setup
	HOSTDIR=$BATS_TEST_TMPDIR/host
	mkdir -p "$HOSTDIR/sub"
	echo from-host >"$HOSTDIR/file"
}
teardown() { hull_common_teardown; }

# add_mount JSON: appends a mount to config.json.

@test "root.readonly makes / read-only, and /proc stays writable where it should" {
	cfg '.root.readonly = true'
	run_in 'touch /x 2>&1; awk "\$5 == \"/\" { print \$6 }" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"Read-only file system"* ]]
	[[ "${lines[1]}" == ro,* ]]
}

@test "pivot_root: the host's root is not reachable" {
	run_in 'ls /work /root/.. 2>&1; awk "\$5 == \"/\"" /proc/self/mountinfo | wc -l; readlink /proc/1/root; cat /proc/1/root/etc/hostname'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/work: No such file or directory"* ]]
	[[ "$output" == *$'\n1\n/\nhull-test' ]]
}

@test "--no-pivot enters the root with a move and chroot" {
	run hr run --no-pivot --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	args sh -c 'cat /etc/hostname; ls /proc/self/root/ | grep -c .'
	run hr run --no-pivot --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hull-test ]
}

# The kernel lets a user namespace mount proc only where a fully visible proc exists already: after a move
# without pivot_root the host's one would still be in the namespace (unreachable under the new "/"),
# which lets a container with CAP_SETFCAP map root in a user namespace of its own and mount a /proc
# without the masks.  The same container still makes user namespaces.
@test "--no-pivot: user namespaces can be made, a fresh /proc cannot be mounted from one" {
	# Without seccomp: the default profile refuses unshare(CLONE_NEWUSER) without CAP_SYS_ADMIN, as Docker's.
	cfg 'del(.linux.seccomp) | .process.capabilities |= with_entries(.value += ["CAP_SETFCAP", "CAP_SETUID", "CAP_SETGID"])'
	args sh -c 'unshare -U true && echo userns-ok
		unshare -Urmpf sh -c "mount -t proc proc /tmp && echo proc-mounted" 2>&1
		unshare -Urmpf sh -c "mount -t sysfs sysfs /tmp && echo sysfs-mounted" 2>&1; true'
	run hr run --no-pivot --bundle "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *userns-ok* ]]
	[[ "$output" != *proc-mounted* ]]
	[[ "$output" != *sysfs-mounted* ]]
	# As with pivot_root.
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *userns-ok* ]]
	[[ "$output" != *proc-mounted* ]]
}

@test "bind mounts: ro, nosuid, nodev, noexec reach the mount" {
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HOSTDIR"'", "options": ["rbind", "ro", "nosuid", "nodev", "noexec"]}'
	run_in 'cat /data/file; touch /data/new 2>&1; awk "\$5 == \"/data\" { print \$6 }" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-host ]
	[[ "${lines[1]}" == *"Read-only file system"* ]]
	[[ ",${lines[2]}," == *,ro,* ]]
	[[ ",${lines[2]}," == *,nosuid,* ]]
	[[ ",${lines[2]}," == *,nodev,* ]]
	[[ ",${lines[2]}," == *,noexec,* ]]
	[ ! -e "$HOSTDIR/new" ]
}

@test "a writable bind mount writes through to the host" {
	add_mount '{"destination": "/data", "type": "none", "source": "'"$HOSTDIR"'", "options": ["bind", "rw"]}'
	run_in 'echo written >/data/new'
	[ "$status" -eq 0 ]
	[ "$(cat "$HOSTDIR/new")" = written ]
}

@test "bind mount of a file onto a file that does not exist yet" {
	add_mount '{"destination": "/etc/extra/file.conf", "type": "bind", "source": "'"$HOSTDIR/file"'", "options": ["bind", "ro"]}'
	run_in 'cat /etc/extra/file.conf; test -f /etc/extra/file.conf && echo regular'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-host ]
	[ "${lines[1]}" = regular ]
}

@test "bind (not rbind) leaves submounts out; rbind takes them" {
	mount -t tmpfs -o size=1m hull-test-sub "$HOSTDIR/sub"
	echo in-sub >"$HOSTDIR/sub/marker"
	add_mount '{"destination": "/plain", "type": "bind", "source": "'"$HOSTDIR"'", "options": ["bind"]}'
	add_mount '{"destination": "/recursive", "type": "bind", "source": "'"$HOSTDIR"'", "options": ["rbind"]}'
	run_in 'cat /plain/sub/marker 2>/dev/null || echo absent; cat /recursive/sub/marker'
	umount "$HOSTDIR/sub"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = absent ]
	[ "${lines[1]}" = in-sub ]
}

@test "mount propagation: rshared on a bind, private on a tmpfs" {
	add_mount '{"destination": "/shared", "type": "bind", "source": "'"$HOSTDIR"'", "options": ["rbind", "rshared"]}'
	add_mount '{"destination": "/private", "type": "tmpfs", "source": "tmpfs", "options": ["private"]}'
	run_in 'awk "\$5 == \"/shared\" || \$5 == \"/private\" { print \$5, \$7 }" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" =~ "/shared shared:" ]]
	[[ "$output" =~ "/private -" ]]
}

@test "rootfsPropagation: slave and private, and nothing propagates back to a shared host root" {
	# The root must be a shared mount on the host for propagation to mean anything.
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	mount --make-shared "$BUNDLE/rootfs"
	cfg '.linux.rootfsPropagation = "slave"'
	run_in 'awk "\$5 == \"/\" { print \$7 }" /proc/self/mountinfo'
	local slave_status=$status slave_output=$output
	cfg '.linux.rootfsPropagation = "private"'
	run_in 'awk "\$5 == \"/\" { print \$7 }" /proc/self/mountinfo'
	# Nothing the containers mounted came back to the host through the shared root.
	local leaked
	leaked=$(awk -v r="$BUNDLE/rootfs/" 'index($5, r) == 1' /proc/self/mountinfo)
	umount -R "$BUNDLE/rootfs"
	[ -z "$leaked" ] || { echo "leaked to the host: $leaked" >&2; return 1; }
	[ "$slave_status" -eq 0 ]
	[[ "$slave_output" == master:* ]]
	[ "$status" -eq 0 ]
	[ "$output" = - ]
}

@test "proc, sysfs, tmpfs, devpts, mqueue and cgroup mounts have their types and options" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m", "mode=1770"]}'
	cfg '.mounts = [.mounts[] | if .destination == "/sys/fs/cgroup" then .options = ["nosuid","noexec","nodev","relatime","ro"] else . end]'
	run_in 'for d in /proc /sys /scratch /dev/pts /dev/mqueue /dev/shm /sys/fs/cgroup; do awk -v d=$d "\$5 == d { print d, \$(NF - 2), \$6, \$NF }" /proc/self/mountinfo | head -1; done; stat -c %a /scratch; df -k /scratch | tail -1'
	[ "$status" -eq 0 ]
	[[ "$output" =~ "/proc proc " ]]
	[[ "$output" =~ "/sys sysfs ro" ]]
	[[ "$output" =~ "/scratch tmpfs rw,nosuid" ]]
	[[ "$output" =~ "/dev/pts devpts " ]]
	[[ "$output" =~ "/dev/mqueue mqueue " ]]
	[[ "$output" =~ "/dev/shm tmpfs " ]]
	[[ "$output" =~ "/sys/fs/cgroup "(cgroup2|tmpfs|cgroup)" ro" ]]
	[[ "$output" == *$'\n1770\n'* ]]
	[[ "$output" =~ tmpfs[[:space:]]+1024[[:space:]] ]]
}

@test "cgroup mount: with a cgroup namespace every hierarchy shows only the container's cgroup" {
	run_in 'awk "\$9 ~ /^cgroup/ { print \$4 }" /proc/self/mountinfo | sort -u; find /sys/fs/cgroup/ -mindepth 2 -type d | wc -l'
	[ "$status" -eq 0 ]
	# Each hierarchy is rooted at the container's cgroup, which has no children.
	[ "${lines[0]}" = / ]
	[ "${lines[1]}" = 0 ]
}

@test "cgroup mount: without a cgroup namespace the container's own cgroup is bound" {
	cfg '.linux.namespaces = [.linux.namespaces[] | select(.type != "cgroup")]'
	run_in 'awk "\$9 ~ /^cgroup/ { print \$4 }" /proc/self/mountinfo | sort -u; find /sys/fs/cgroup/ -mindepth 2 -type d | wc -l'
	[ "$status" -eq 0 ]
	# The roots differ per hierarchy (the test's own cgroup is not the same in all), but each ends in the
	# container's cgroup; and it has no children.
	local n=${#lines[@]} i
	for ((i = 0; i < n - 1; i++)); do
		[[ "${lines[i]}" == */"$CGPARENT"/c ]] || { echo "not the container's cgroup: ${lines[i]}" >&2; return 1; }
	done
	[ "${lines[n - 1]}" = 0 ]
}

@test "overlay mount from lower and upper directories" {
	mkdir -p "$BATS_TEST_TMPDIR/lower" "$BATS_TEST_TMPDIR/upper" "$BATS_TEST_TMPDIR/work"
	echo lower >"$BATS_TEST_TMPDIR/lower/l"
	add_mount '{"destination": "/ov", "type": "overlay", "source": "overlay", "options": ["lowerdir='"$BATS_TEST_TMPDIR/lower"'", "upperdir='"$BATS_TEST_TMPDIR/upper"'", "workdir='"$BATS_TEST_TMPDIR/work"'"]}'
	run_in 'cat /ov/l; echo upper >/ov/u; awk "\$5 == \"/ov\" { print \$9 }" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lower ]
	[ "${lines[1]}" = overlay ]
	[ "$(cat "$BATS_TEST_TMPDIR/upper/u")" = upper ]
}

@test "/dev has runc's nodes, links, pts and shm, and nothing of the host" {
	run_in 'for n in null zero full random urandom tty; do stat -c "%n %t:%T %a" /dev/$n; done; for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; ls /dev | tr "\n" " "; echo; test -c /dev/pts/ptmx && echo pts'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/null 1:3 666"* ]]
	[[ "$output" == *"/dev/zero 1:5 666"* ]]
	[[ "$output" == *"/dev/full 1:7 666"* ]]
	[[ "$output" == *"/dev/random 1:8 666"* ]]
	[[ "$output" == *"/dev/urandom 1:9 666"* ]]
	[[ "$output" == *"/dev/tty 5:0 666"* ]]
	[[ "$output" == *$'pts/ptmx\n/proc/self/fd\n/proc/self/fd/0\n/proc/self/fd/1\n/proc/self/fd/2'* ]]
	[[ "$output" == *pts ]]
	[[ "$output" != *sda* ]]
	[[ "$output" != *kmsg* ]]
	echo test | hr run --bundle "$BUNDLE" c1 >/dev/null
	args sh -c 'echo data >/dev/shm/x && cat /dev/shm/x && echo z >/dev/null && head -c 4 /dev/zero | od -An -tx1'
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = data ]
	[ "$(echo ${lines[1]})" = "00 00 00 00" ]
}

@test "linux.devices creates nodes with their type, numbers, mode and owner" {
	cfg '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 432, "uid": 1000, "gid": 5}, {"path": "/dev/loop-test", "type": "b", "major": 7, "minor": 0, "fileMode": 384}]'
	run_in 'stat -c "%n %F %t:%T %a %u:%g" /dev/fuse /dev/loop-test'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/dev/fuse character special file a:e5 660 1000:5" ]
	[ "${lines[1]}" = "/dev/loop-test block special file 7:0 600 0:0" ]
}

@test "maskedPaths hide files and directories; readonlyPaths are read-only" {
	mkdir -p "$BUNDLE/rootfs/secret"
	echo hidden >"$BUNDLE/rootfs/secret/s"
	echo hidden >"$BUNDLE/rootfs/etc/secret-file"
	cfg '.linux.maskedPaths = ["/etc/secret-file", "/secret", "/does/not/exist"] | .linux.readonlyPaths = ["/proc/sys", "/etc"]'
	run_in 'wc -c </etc/secret-file; ls /secret | wc -l
		{ echo 1 >/proc/sys/kernel/ns_last_pid; } 2>/dev/null || echo proc-sys-read-only
		touch /etc/x 2>/dev/null || echo etc-read-only
		touch /tmp/ok && echo tmp-writable
		test -e /does || echo not-created'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0\n0\nproc-sys-read-only\netc-read-only\ntmp-writable\nnot-created')" ]
}

@test "hostname and domainname" {
	cfg '.hostname = "box1" | .domainname = "example.test"'
	run_in 'hostname; cat /proc/sys/kernel/domainname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = box1 ]
	[ "${lines[1]}" = example.test ]
}

@test "linux.sysctl is written inside the container's namespaces" {
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4096", "net.ipv4.ping_group_range": "0 2147483647"}'
	local host_forward
	host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
	run_in 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ping_group_range'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 4096 ]
	[[ "${lines[2]}" =~ ^0[[:space:]]+2147483647$ ]]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_forward" ]
}

@test "a sysctl outside the container's namespaces is refused" {
	cfg '.linux.sysctl = {"kernel.panic": "1"}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error kernel.panic
	assert_nothing_left
}

@test "a mount destination through a symlink stays inside the root" {
	# /escape -> / of the host if it were followed naively; mounting must land inside the root.
	ln -s / "$BUNDLE/rootfs/escape"
	ln -s ../../../../../../tmp "$BUNDLE/rootfs/up"
	add_mount '{"destination": "/escape/hull-mnt", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/up/hull-mnt2", "type": "tmpfs", "source": "tmpfs"}'
	run_in 'awk "{ print \$5 }" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/hull-mnt"* ]]
	[[ "$output" == *"/tmp/hull-mnt2"* ]]
	[ ! -e /hull-mnt ]
	[ ! -e "$BUNDLE/../hull-mnt2" ]
	[ -d "$BUNDLE/rootfs/hull-mnt" ]
	[ -d "$BUNDLE/rootfs/tmp/hull-mnt2" ]
	assert_nothing_left
}

@test "no container mount shows up on the host" {
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HOSTDIR"'", "options": ["rbind"]}'
	args sleep 100
	run_detached c1
	! grep -q "$BUNDLE" /proc/self/mountinfo
	hr delete --force c1
	assert_nothing_left
}

# An id-mapped bind shows the source's owners through the mount's mappings (runtime-spec 1.2): `idmap`
# alone takes the container's, uidMappings on the mount its own; ridmap maps the submounts of an rbind.
@test "id-mapped bind mounts: idmap, ridmap and a mount's own uidMappings" {
	local src=$BATS_TEST_TMPDIR/owned
	mkdir -p "$src/sub" "$BATS_TEST_TMPDIR/subsrc"
	echo data >"$src/file"
	echo subdata >"$BATS_TEST_TMPDIR/subsrc/f"
	chown 0:0 "$src/file" "$BATS_TEST_TMPDIR/subsrc/f"
	cfg '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	add_mount '{"destination": "/plain", "type": "bind", "source": "'"$src"'", "options": ["bind"]}'
	add_mount '{"destination": "/mapped", "type": "bind", "source": "'"$src"'", "options": ["rbind", "idmap"]}'
	add_mount '{"destination": "/rmapped", "type": "bind", "source": "'"$src"'", "options": ["rbind", "ridmap"]}'
	add_mount '{"destination": "/own", "type": "bind", "source": "'"$src"'", "options": ["bind"],
		"uidMappings": [{"containerID": 0, "hostID": 101000, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": 101000, "size": 1}]}'
	userns_bundle
	run_in_with_submount "$BATS_TEST_TMPDIR/subsrc" "$src/sub" \
		'stat -c %u /plain/file /mapped/file /mapped/sub/f /rmapped/sub/f /own/file; echo new >/mapped/made && echo write-ok'
	echo "$output"
	[ "$status" -eq 0 ]
	# Unmapped host root shows as the overflow id; mapped it is the container's root.
	[ "${lines[*]}" = "65534 0 65534 0 1000 write-ok" ]
	# What the container's root wrote through the mapping is host root's on disk.
	[ "$(stat -c %u "$src/made")" = 0 ]
}

@test "id-mapped mounts: a mapping without its pair, or on a filesystem mount, is refused" {
	add_mount '{"destination": "/m", "type": "bind", "source": "/tmp", "options": ["bind"], "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}'
	run_expect_fail hr run --bundle "$BUNDLE" c1
	assert_one_line_error
	[[ "$output" == *"needs uidMappings and gidMappings"* ]]
	cfg '.mounts[-1] = {"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}'
	run_expect_fail hr run --bundle "$BUNDLE" c1
	assert_one_line_error
	[[ "$output" == *"only a bind mount can be id-mapped"* ]]
	cfg '.mounts[-1] = {"destination": "/m", "type": "bind", "source": "/tmp", "options": ["bind", "idmap"]}'
	run_expect_fail hr run --bundle "$BUNDLE" c1
	assert_one_line_error
	[[ "$output" == *"no mappings (the mount has none and the container no user namespace)"* ]]
	assert_nothing_left
}

@test "id-mapped mounts work without a user namespace of the container's own" {
	local src=$BATS_TEST_TMPDIR/owned
	mkdir -p "$src"
	echo data >"$src/file"
	chown 0:0 "$src/file"
	add_mount '{"destination": "/own", "type": "bind", "source": "'"$src"'", "options": ["bind", "idmap"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}'
	run_in 'stat -c %u:%g /own/file'
	[ "$status" -eq 0 ]
	[ "$output" = 1000:1000 ]
}
