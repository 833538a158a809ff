#!/usr/bin/env bats
# Machines: a root whose init boots as PID 1 in the background under hull's monitor.  The busybox root
# (busybox init) is imported as the image; machines have --network none here (network.bats and
# engine_network.bats test the networks in namespaces).  Teardown fails the test if a container, mount,
# record or monitor is left.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	engine_image_setup_file
	# A root with a shell and no init.
	local r=$BATS_FILE_TMPDIR/noinit
	cp -a "$HULL_TEST_ROOTFS" "$r"
	rm -f "$r/sbin/init"
	tar -C "$r" -c . | "$HULL" --store "$FILE_STORE" import - localhost/noinit:1 >/dev/null
}

setup() {
	STORE=$BATS_TEST_TMPDIR/store
	RUNROOT=$BATS_TEST_TMPDIR/run
	cp -a "$FILE_STORE" "$STORE"
	MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
}

h() {
	"$HULL" --store "$STORE" --runroot "$RUNROOT" "$@"
}

teardown() {
	local left="" id
	for id in $(h ps -aq --no-trunc 2>/dev/null); do
		h rm -f "$id" >/dev/null 2>&1 || left="$left container $id;"
	done
	[ -z "$(ls -A "$STORE/containers" 2>/dev/null | grep -v '^lock$')" ] || left="$left records $(ls -A "$STORE/containers");"
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ] || left="$left mounts;"
	[ -z "$left" ] || { echo "left behind:$left" >&2; return 1; }
}

@test "machine: busybox init boots in the background with container=hull; shell, status, logs; stop by its signal within seconds" {
	h machine create box --from localhost/bb:1 --network none >/dev/null
	run h machine list
	[[ "${lines[1]}" =~ ^box\ +created\ +busybox ]]
	h machine start box
	run h machine status box
	[[ "$output" == *"State:     running"* ]] && [[ "$output" == *"Init:      busybox"* ]]
	# PID 1 is busybox init, with the container interface's variable; the host name is the machine's.
	run h machine shell box sh -c 'cat /proc/1/comm; tr "\0" "\n" </proc/1/environ | grep ^container=; hostname'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = init ]
	[ "${lines[1]}" = container=hull ]
	[ "${lines[2]}" = box ]
	# /dev/console is the console's pty (devpts, major 136), as the runtime spec has it.
	[ "$(h machine shell box stat -c %t /dev/console)" = 88 ]
	# The shell's exit status comes back.
	run h machine shell box sh -c 'exit 7'
	[ "$status" -eq 7 ]
	# The console is the log: busybox init's complaint about its missing rcS is there.
	local i
	for i in $(seq 100); do h machine logs box | grep -q rcS && break; sleep 0.1; done
	h machine logs box | grep -q "can't run '/etc/init.d/rcS'"
	# SIGUSR2 asks busybox init to power off; it does so in a few seconds, not the 10 s timeout.
	local start end
	start=$(date +%s%N)
	h machine stop box
	end=$(date +%s%N)
	[ $(((end - start) / 1000000)) -lt 8000 ]
	[[ "$(h machine list)" == *"box"*"exited"* ]]
	[ "$(h inspect box | jq -r '.[0].Config.StopSignal')" = SIGUSR2 ]
	# Started again, it boots again; restart boots it anew, rename keeps it, kill sends what it is told.
	h machine start box
	[ "$(h machine shell box cat /proc/1/comm)" = init ]
	local pid1
	pid1=$(h inspect box | jq -r '.[0].State.Pid')
	h machine restart -t 5 box
	[ "$(h inspect box | jq -r '.[0].State.Pid')" != "$pid1" ]
	[[ "$(h machine list)" == *"box"*"running"* ]]
	h machine rename box crate
	[[ "$(h machine status crate)" == *"State:     running"* ]]
	h machine kill -s KILL crate
	for i in $(seq 50); do [[ "$(h machine list)" == *"crate"*"exited"* ]] && break; sleep 0.1; done
	[ "$(h inspect crate | jq -r '.[0].State.ExitCode')" = 137 ]
	run_expect_fail h machine kill -s SIGNOPE crate
	assert_one_line_error "machine kill" SIGNOPE
	h machine rm -f crate
	[ -z "$(h ps -aq)" ]
}

# boot_suite SUITE: a bootstrapped Debian of that suite (systemd as its init) boots to `running` with no
# failed unit, and powers off on SIGRTMIN+3 within seconds.
boot_suite() {
	local root
	# debootstrap mounts /proc and /sys in the new root: in a mount namespace of its own.
	root=$(unshare -m --propagation private tests/fixtures/machine-rootfs.sh "$1" "$HULL_TEST_CACHE" 2>"$BATS_TEST_TMPDIR/debootstrap.err") ||
		skip "debootstrap $1 failed (no Debian mirror reachable?): $(tail -1 "$BATS_TEST_TMPDIR/debootstrap.err")"
	h machine create "$1" --from "$root" --network none >/dev/null
	[[ "$(h machine list)" == *"$1"*created*systemd* ]]
	h machine start "$1"
	local i state=
	for i in $(seq 300); do
		state=$(h machine shell "$1" systemctl is-system-running 2>/dev/null) && [ "$state" = running ] && break
		[ "$state" = degraded ] && break
		sleep 0.1
	done
	h machine shell "$1" systemctl --failed --no-legend
	[ "$state" = running ]
	[ "$(h machine shell "$1" systemctl list-units --state=failed --no-legend | wc -l)" -eq 0 ]
	# systemd sees itself in a container, in a cgroup tree of its own.
	[ "$(h machine shell "$1" systemd-detect-virt --container)" != none ]
	h machine shell "$1" test -d /sys/fs/cgroup/unified/init.scope -o -d /sys/fs/cgroup/init.scope
	# Its console is the pty, whose output is the log: systemd's welcome is there.
	h machine logs "$1" | grep -q "Welcome to Debian"
	local start end
	start=$(date +%s%N)
	h machine stop -t 20 "$1"
	end=$(date +%s%N)
	[ $(((end - start) / 1000000)) -lt 10000 ]
	# A clean power-off: the kernel ends an init that powers its pid namespace off with SIGINT.
	[ "$(h inspect "$1" | jq -r '.[0].State.ExitCode')" = 130 ]
	h machine rm "$1"
}

@test "machine: Debian bookworm (systemd 252) boots to running with no failed unit and powers off on SIGRTMIN+3" {
	boot_suite bookworm
}

@test "machine: Debian bullseye (systemd 247) boots to running with no failed unit and powers off on SIGRTMIN+3" {
	boot_suite bullseye
}

@test "machine: Debian trixie (systemd 257) boots to running with no failed unit and powers off on SIGRTMIN+3" {
	boot_suite trixie
}

@test "machine bootstrap: a Debian root made with debootstrap, named after the machine, boots to running" {
	run h machine bootstrap bs bookworm --network none
	if [ "$status" -ne 0 ] && ! curl -s -o /dev/null --max-time 10 http://deb.debian.org/debian/; then
		skip "no Debian mirror reachable: $output"
	fi
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$(h machine list)" == *bs*created*systemd* ]]
	h machine start bs
	local i state=
	for i in $(seq 300); do
		state=$(h machine shell bs systemctl is-system-running 2>/dev/null) && [ "$state" = running ] && break
		sleep 0.1
	done
	[ "$state" = running ]
	[ "$(h machine shell bs hostname)" = bs ]
	h machine stop bs
	h machine rm bs
	[ -z "$(ls -A "$STORE" | grep bootstrap)" ]
	# A suite debootstrap does not know: one line, nothing left.
	run_expect_fail h machine bootstrap bad nosuchsuite
	assert_one_line_error "machine bootstrap" bad debootstrap
	run_expect_fail h machine bootstrap bad 'bookworm;rm'
	assert_one_line_error "machine bootstrap" "plain Debian names"
	[ -z "$(h ps -aq)" ]
	[ -z "$(ls -A "$STORE" | grep bootstrap)" ]
}

@test "machine shell into a stopped machine: a one-off on its root, stdin and the exit status through, what it writes kept" {
	h machine create off --from localhost/bb:1 --network none >/dev/null
	run h machine shell off sh -c 'echo written-offline >/note; hostname; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = off ]
	[ "$(echo through-stdin | h machine shell off sh -c 'cat >/in; cat /in')" = through-stdin ]
	[ -z "$(h ps -q)" ]
	# Booted, the machine has what the one-off wrote (shell now joins the running machine).
	h machine start off
	[ "$(h machine shell off cat /note)" = written-offline ]
	h machine stop -t 5 off
	h machine rm off
	[ -z "$(ls "$RUNROOT" | grep -v '^@seccomp-cache$')" ]
}

@test "machine clone: a new machine with its original's changes (a file made, one removed); refused while the original runs" {
	h machine create orig --from localhost/bb:1 --network none >/dev/null
	h machine shell orig sh -c 'echo mine >/owned; rm /bin/vi'
	h machine clone orig copy >/dev/null
	h machine start copy
	[ "$(h machine shell copy sh -c 'cat /owned; test -e /bin/vi || echo gone; hostname')" = "$(printf 'mine\ngone\ncopy')" ]
	# The clone's own changes stay its own.
	h machine shell copy sh -c 'echo clone-only >/owned'
	[ "$(h machine shell orig cat /owned)" = mine ]
	h machine start orig
	run_expect_fail h machine clone orig again
	assert_one_line_error "machine clone" orig running
	[[ "$(h machine list)" != *again* ]]
	h machine rm -f orig copy
}

@test "machine --single-user: a shell is PID 1, reached on the console with machine attach" {
	h machine create solo --from localhost/bb:1 --network none --single-user >/dev/null
	h machine start solo
	[ "$(h machine shell solo cat /proc/1/cmdline | tr '\0' ' ')" = "/bin/sh " ]
	[[ "$(h machine list)" == *"solo"*"running"*"shell"* ]]
	# What we type on the console reaches the shell that is PID 1; its exit ends the machine.
	run bash -c "(sleep 0.5; echo 'echo on-the-console-\$\$'; sleep 0.5; echo 'exit 3') | '$HULL' --store '$STORE' --runroot '$RUNROOT' machine attach solo"
	echo "$output"
	[[ "$output" == *"on-the-console-1"* ]]
	for i in $(seq 50); do [[ "$(h machine list)" == *"solo"*"exited"* ]] && break; sleep 0.1; done
	[[ "$(h machine list)" == *"solo"*"exited"* ]]
	h machine rm solo
}

@test "machine create --from a directory and from a tarball; a root without init imported for nothing is removed again" {
	h machine create fromdir --from "$HULL_TEST_ROOTFS" --network none >/dev/null
	tar -C "$HULL_TEST_ROOTFS" -czf "$BATS_TEST_TMPDIR/root.tar.gz" .
	h machine create fromtar --from "$BATS_TEST_TMPDIR/root.tar.gz" --network none >/dev/null
	h images | grep -q 'localhost/hull-machine/fromdir'
	h images | grep -q 'localhost/hull-machine/fromtar'
	h machine start fromdir fromtar
	[ "$(h machine shell fromdir hostname)" = fromdir ]
	[ "$(h machine shell fromtar cat /proc/1/comm)" = init ]
	h machine stop -t 5 fromdir fromtar
	h machine rm fromdir fromtar
	run_expect_fail h machine create bare --from "$BATS_FILE_TMPDIR/noinit"
	assert_one_line_error "machine create" bare "no init"
	! h images | grep -q 'localhost/hull-machine/bare'
	run_expect_fail h machine create odd --from /dev/null
	assert_one_line_error "machine create" odd "neither a directory nor a tarball"
	run_expect_fail h machine create "bad name" --from localhost/bb:1
	assert_one_line_error "machine create" "not a machine name"
}

@test "machine enable: a unit systemd-analyze verify accepts; autostart and system boot start enabled machines only; disable undoes it" {
	export HULL_UNIT_DIR=$BATS_TEST_TMPDIR/units
	mkdir -p "$HULL_UNIT_DIR"
	h machine create auto --from localhost/bb:1 --network none >/dev/null
	h machine create manual --from localhost/bb:1 --network none >/dev/null
	h machine enable auto
	local unit=$HULL_UNIT_DIR/hull-machine-auto.service
	[ -f "$unit" ]
	grep -qx "ExecStart=$HULL --store $STORE --runroot $RUNROOT machine start auto" "$unit"
	[ "$(h machine unit auto)" = "$(cat "$unit")" ]
	if command -v systemd-analyze >/dev/null; then
		run systemd-analyze verify --man=no "$unit"
		echo "$output"
		[ "$status" -eq 0 ]
	fi
	# What an init script runs at boot: the enabled machine starts, the other does not.
	h machine autostart
	[[ "$(h machine list)" == *"auto "*running* ]]
	[[ "$(h machine list)" == *"manual "*created* ]]
	# A 'reboot': it dies without a stop; the boot unit's `system boot` brings it back.
	h machine kill -s KILL auto
	for i in $(seq 50); do [[ "$(h machine list)" == *"auto "*exited* ]] && break; sleep 0.1; done
	h system boot >/dev/null
	[[ "$(h machine list)" == *"auto "*running* ]]
	h machine stop -t 5 auto
	h machine disable auto
	[ ! -e "$unit" ]
	h machine autostart
	[[ "$(h machine list)" == *"auto "*exited* ]]
	h machine rm auto manual
}

@test "machine failures: no init, a taken name, an app container, bad subcommands; each one line, nothing left" {
	run_expect_fail h machine create bare --from localhost/noinit:1
	assert_one_line_error "machine create" bare "no init"
	[ -z "$(h ps -aq)" ]
	[ -z "$(ls -A "$STORE/containers" | grep -v '^lock$')" ]
	h machine create one --from localhost/bb:1 --network none >/dev/null
	run_expect_fail h machine create one --from localhost/bb:1 --network none
	assert_one_line_error "machine create" one taken
	h run -d --name app --network none localhost/bb:1 sleep 100 >/dev/null
	run_expect_fail h machine stop app
	assert_one_line_error "machine stop" app "not a machine"
	run_expect_fail h machine reboot one
	assert_one_line_error machine expected
	run_expect_fail h machine create two
	assert_one_line_error "machine create" "--from"
	run_expect_fail h machine status nosuch
	assert_one_line_error "machine status" nosuch
	h rm -f app >/dev/null
	h machine rm one
}

@test "machine settings: a file a person edits, read at start; a change makes the container anew with the root kept; flags override once" {
	mkdir -p "$BATS_TEST_TMPDIR/share" && echo from-the-host >"$BATS_TEST_TMPDIR/share/note"
	h machine create conf --from localhost/bb:1 --network none --memory 64m >/dev/null
	local file=$STORE/machines/conf.yaml
	grep -q '^network: none$' "$file"
	grep -q "^memory: $((64 << 20))$" "$file"
	grep -q '^init: auto$' "$file"
	[[ "$(h machine status conf)" == *"Settings:  $file"* ]]
	h machine shell conf sh -c 'echo kept >/mine'
	local id
	id=$(h inspect conf | jq -r '.[0].Id')
	# Edited: a bind, another limit; the next start makes the container anew, what the root had stays.
	sed -i "s|^binds: \[\]|binds:\n  - $BATS_TEST_TMPDIR/share:/srv/share:ro|; s|^memory: .*|memory: 96m|; s|^pids: .*|pids: 200|" "$file"
	h machine start conf
	[ "$(h inspect conf | jq -r '.[0].Id')" != "$id" ]
	[ "$(h inspect conf | jq -r '.[0].HostConfig.Memory')" = $((96 << 20)) ]
	[ "$(h inspect conf | jq -r '.[0].HostConfig.PidsLimit')" = 200 ]
	[ "$(h machine shell conf cat /mine /srv/share/note)" = "$(printf 'kept\nfrom-the-host')" ]
	! h machine shell conf sh -c 'echo x >/srv/share/note' 2>/dev/null
	h machine logs conf | grep -q "can't run '/etc/init.d/rcS'"
	h machine stop -t 5 conf
	# Unchanged, the container stays the same one.
	id=$(h inspect conf | jq -r '.[0].Id')
	h machine start conf
	[ "$(h inspect conf | jq -r '.[0].Id')" = "$id" ]
	h machine stop -t 5 conf
	# A flag holds for that start alone: the file is not changed by it.
	h machine start --single-user conf
	[ "$(h machine shell conf cat /proc/1/cmdline | tr '\0' ' ')" = "/bin/sh " ]
	grep -q '^init: auto$' "$file"
	h machine kill -s KILL conf
	for i in $(seq 50); do [[ "$(h machine list)" == *conf*exited* ]] && break; sleep 0.1; done
	# Bad settings: one line naming the file and the key; the machine is left as it was.
	id=$(h inspect conf | jq -r '.[0].Id')
	cp "$file" "$BATS_TEST_TMPDIR/good.yaml"
	sed -i 's|^memory: .*|memory: lots|' "$file"
	run_expect_fail h machine start conf
	assert_one_line_error "machine start" "$file" memory
	echo 'colour: blue' >>"$BATS_TEST_TMPDIR/good.yaml" && cp "$BATS_TEST_TMPDIR/good.yaml" "$file"
	run_expect_fail h machine start conf
	assert_one_line_error "machine start" "unknown setting \`colour\`"
	printf 'network: [unclosed\n' >"$file"
	run_expect_fail h machine start conf
	assert_one_line_error "machine start" "$file" "line 2"
	[ "$(h inspect conf | jq -r '.[0].Id')" = "$id" ]
	[[ "$(h machine list)" == *conf*exited* ]]
	run_expect_fail h machine create conf2 --from localhost/bb:1 --bind relative:/x
	assert_one_line_error "machine create" "--bind"
	# rename takes the file along, rm removes it.
	sed -i '$d' "$BATS_TEST_TMPDIR/good.yaml" && cp "$BATS_TEST_TMPDIR/good.yaml" "$file"
	h machine rename conf renamed
	[ ! -e "$file" ] && grep -q '^# Settings of the machine renamed' "$STORE/machines/renamed.yaml"
	h machine rm renamed
	[ -z "$(ls -A "$STORE/machines")" ]
}

@test "machine --ephemeral: a run's changes go at stop, the root stays as it was; the setting does it every time" {
	h machine create eph --from localhost/bb:1 --network none >/dev/null
	h machine shell eph sh -c 'echo before >/kept'
	h machine start --ephemeral eph
	[[ "$(h machine status eph)" == *"Ephemeral: yes"* ]]
	h machine shell eph sh -c 'echo during >/new; rm /kept; echo changed >/bin/ls-note'
	[ "$(h machine shell eph sh -c 'cat /new; test -e /kept || echo gone')" = "$(printf 'during\ngone')" ]
	h machine stop -t 5 eph
	[[ "$(h machine status eph)" == *"Ephemeral: no"* ]]
	[ -z "$(ls -A "$STORE/containers/$(h inspect eph | jq -r '.[0].Id')/bundle" | grep ephemeral)" ]
	# Stopped, and started again normally: the root is what it was before the ephemeral run.
	[ "$(h machine shell eph sh -c 'cat /kept; test -e /new || echo no-new')" = "$(printf 'before\nno-new')" ]
	h machine start eph
	[ "$(h machine shell eph sh -c 'cat /kept; test -e /new || echo no-new; test -e /bin/ls-note || echo clean')" = "$(printf 'before\nno-new\nclean')" ]
	h machine shell eph sh -c 'echo normal-run >/kept'
	h machine stop -t 5 eph
	# ephemeral: true in the settings: every start is so.
	sed -i 's/^ephemeral: false/ephemeral: true/' "$STORE/machines/eph.yaml"
	h machine start eph
	h machine shell eph sh -c 'echo lost >/kept'
	h machine restart -t 5 eph
	[ "$(h machine shell eph cat /kept)" = normal-run ]
	h machine rm -f eph
}

@test "machine login: a login prompt on a pty of the running machine, driven through tmux" {
	local hash
	hash=$(openssl passwd -6 -salt hulltest s3cret)
	h machine create lg --from localhost/bb:1 --network none >/dev/null
	h machine shell lg sh -c "echo 'root:$hash:19000:0:99999:7:::' >/etc/shadow; chmod 600 /etc/shadow"
	h machine start lg
	run_expect_fail h machine login lg
	assert_one_line_error "machine login" "terminal"
	T new-session -d -s s -x 100 -y 30 "$HULL --store $STORE --runroot $RUNROOT machine login lg; echo \$? >$BATS_TEST_TMPDIR/status; sleep 30"
	screen_has "login:"
	T send-keys -t s root Enter
	screen_has "Password:"
	T send-keys -t s s3cret Enter
	T send-keys -t s 'echo in-as-$(id -un)-on-$(tty | cut -d/ -f3)' Enter
	screen_has "in-as-root-on-pts"
	T send-keys -t s 'exit' Enter
	for i in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/status" ] && break; sleep 0.1; done
	T kill-server 2>/dev/null || true
	[ "$(cat "$BATS_TEST_TMPDIR/status")" = 0 ]
	# A stopped machine has no login to give.
	h machine stop -t 5 lg
	T new-session -d -s s -x 100 -y 30 "$HULL --store $STORE --runroot $RUNROOT machine login lg 2>&1; sleep 30"
	screen_has "not running"
	T kill-server 2>/dev/null || true
	h machine rm lg
}

