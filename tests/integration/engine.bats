#!/usr/bin/env bats
# App containers: `hull run`, create, start, ps, logs, stop, kill, rm, with hull-monitor keeping detached
# ones.  The image is the busybox root imported into a store of the test's own; containers run with
# --network none (the local network changes the host: network.bats tests it in namespaces) and with their
# cgroups under the test's parent.  Teardown fails the test if a container, mount, cgroup, runtime record
# or monitor is left.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	engine_image_setup_file
}

setup() {
	CGPARENT=$(hull_cgroup_parent)
	STORE=$BATS_TEST_TMPDIR/store
	RUNROOT=$BATS_TEST_TMPDIR/run
	STATE=$RUNROOT
	# The imported image, shared: a copy of the store's files per test is cheap (2 MB).
	cp -a "$FILE_STORE" "$STORE"
	MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
}

h() {
	"$HULL" --store "$STORE" --runroot "$RUNROOT" "$@"
}

# run with the test's defaults: no network, cgroups under the test's parent.
hrun() {
	local sub=$1
	shift
	h "$sub" --network none --cgroup-parent "$CGPARENT" "$@"
}

monitors() {
	local p
	for p in $(pgrep -x hull-monitor); do
		grep -qz -- "$RUNROOT" "/proc/$p/cmdline" 2>/dev/null && echo "$p"
	done
	return 0
}

teardown() {
	local left=""
	for id in $(h ps -aq --no-trunc 2>/dev/null); do
		h rm -f "$id" >/dev/null 2>&1 || left="$left container $id;"
	done
	[ -z "$(monitors)" ] || left="$left monitors $(monitors);"
	[ -z "$(ls "$STORE/containers" 2>/dev/null | grep -v '^lock$')" ] || left="$left records $(ls "$STORE/containers");"
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ] || left="$left mounts;"
	grep -q "$BATS_TEST_TMPDIR" /proc/self/mountinfo && left="$left mounts under the test;"
	hull_common_teardown
	[ -z "$left" ] || { echo "left behind:$left" >&2; return 1; }
}

# wait_for CMD...: until it succeeds, for up to 10 s.
wait_for() {
	local i
	for i in $(seq 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

@test "run in the foreground: stdout and stderr apart, the exit status passed on, --rm leaves nothing" {
	run --separate-stderr hrun run --rm localhost/bb:1 sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	[ "$stderr" = err ]
	[ -z "$(h ps -aq)" ]
	[ -z "$(ls "$STORE/containers" | grep -v '^lock$')" ]
	[ -z "$(ls -A "$RUNROOT" | grep -v '^@seccomp-cache$')" ]
}

@test "Docker's exit statuses: 127 for a command not found, 126 for one not executable, 125 for hull's own failure" {
	run_expect_fail hrun run --rm localhost/bb:1 /no/such/command
	[ "$status" -eq 127 ]
	assert_one_line_error run /no/such/command "No such file or directory"
	run_expect_fail hrun run localhost/bb:1 /etc/passwd
	[ "$status" -eq 126 ]
	assert_one_line_error run /etc/passwd "Permission denied"
	run_expect_fail hrun run --pull never localhost/none:1 true
	[ "$status" -eq 125 ]
	assert_one_line_error run "localhost/none:1"
	run_expect_fail hrun run --volume relative-only localhost/bb:1 true
	[ "$status" -eq 125 ]
	assert_one_line_error run "relative-only" "SOURCE:DESTINATION"
	# None of them left a container behind, not even the one whose command could not run.
	[ -z "$(h ps -aq)" ]
	[ -z "$(ls "$STORE/containers" | grep -v '^lock$')" ]
}

@test "run -d: the monitor keeps the container and its json-file log; logs, -f, --tail, --since, --until, stop, rm" {
	local id
	id=$(hrun run -d --name talker localhost/bb:1 sh -c 'trap "echo bye; exit 0" TERM; echo hello; echo oops >&2; while :; do sleep 0.1; done')
	[ ${#id} -eq 64 ]
	wait_for grep -q hello "$STORE/containers/$id/container.log"
	[ -n "$(monitors)" ]
	run h ps
	[[ "$output" == *"talker"* ]] && [[ "$output" == *"Up "* ]]
	# Docker's format: one object per line with log, stream and time.
	jq -se 'map(select(.stream == "stdout")) | .[0].log == "hello\n" and (.[0].time | test("^[0-9-]+T[0-9:.]+Z$"))' \
		"$STORE/containers/$id/container.log"
	jq -se 'map(select(.stream == "stderr")) | .[0].log == "oops\n"' "$STORE/containers/$id/container.log"
	run --separate-stderr h logs talker
	[ "$output" = hello ] && [ "$stderr" = oops ]
	# -f follows until the container ends: stop it from the side.
	h logs -f talker >"$BATS_TEST_TMPDIR/follow" 2>/dev/null &
	local follower=$!
	sleep 0.3
	h stop talker
	wait "$follower"
	[ "$(cat "$BATS_TEST_TMPDIR/follow")" = "$(printf 'hello\nbye')" ]
	run h ps -a --format json
	[ "$(jq -r .State <<<"$output")" = exited ]
	[[ "$(jq -r .Status <<<"$output")" == "Exited (0)"* ]]
	[ "$(h logs --tail 1 talker)" = bye ]
	# --since and --until by the entries' own times, a duration, and refusal of what is no time.
	local t_hello t_bye
	t_hello=$(jq -rs 'map(select(.log == "hello\n")) | .[0].time' "$STORE/containers/$id/container.log")
	t_bye=$(jq -rs 'map(select(.log == "bye\n")) | .[0].time' "$STORE/containers/$id/container.log")
	[ "$(h logs --since "$t_bye" talker 2>&1)" = bye ]
	[ "$(h logs --until "$t_hello" talker 2>&1)" = hello ]
	[ "$(h logs --since 1h talker 2>/dev/null)" = "$(printf 'hello\nbye')" ]
	[ -z "$(h logs --since 2099-01-01 talker 2>&1)" ]
	run_expect_fail h logs --since soon talker
	assert_one_line_error logs --since soon
	[ -z "$(monitors)" ]
	h rm talker
	[ -z "$(h ps -aq)" ]
}

@test "stop: the stop signal first, SIGKILL after the timeout; kill sends what it is told" {
	local start end
	# sh as PID 1 ignores SIGTERM without a trap: only SIGKILL ends it.
	hrun run -d --name stubborn localhost/bb:1 sh -c 'while :; do sleep 0.1; done' >/dev/null
	start=$(date +%s%N)
	h stop -t 1 stubborn
	end=$(date +%s%N)
	[ $(((end - start) / 1000000)) -ge 900 ]
	[[ "$(h ps -a --format json | jq -r .Status)" == "Exited (137)"* ]]
	hrun run -d --name polite localhost/bb:1 sh -c 'trap "exit 7" USR1; while :; do sleep 0.1; done' >/dev/null
	h kill -s USR1 polite
	wait_for sh -c "\"$HULL\" --store \"$STORE\" --runroot \"$RUNROOT\" ps -a --format json | grep -q 'Exited (7)'"
	run_expect_fail h kill polite
	assert_one_line_error kill polite "not running"
}

@test "names are unique; ids resolve by unique prefix; a running container is not removed without -f" {
	local id
	id=$(hrun run -d --name one localhost/bb:1 sleep 100)
	run_expect_fail hrun run -d --name one localhost/bb:1 true
	assert_one_line_error run "one" "taken"
	run_expect_fail hrun create --name 'bad/name' localhost/bb:1
	assert_one_line_error create "bad/name" "not a container name"
	[ "$(h ps -q)" = "${id:0:12}" ]
	run_expect_fail h rm "${id:0:6}"
	assert_one_line_error rm one running
	run_expect_fail h stop no-such-container
	assert_one_line_error stop no-such-container "no such container"
	h rm -f "${id:0:8}"
	[ -z "$(h ps -aq)" ]
	# A generated name is Docker's adjective_noun.
	hrun create localhost/bb:1 true >/dev/null
	[[ "$(h ps -a --format json | jq -r .Names)" =~ ^[a-z]+_[a-z]+(_[0-9]+)?$ ]]
}

@test "create, then start -a; a second start runs it again with the same writable layer" {
	local id
	id=$(hrun create --name twice localhost/bb:1 sh -c 'echo run >> /count; wc -l < /count')
	[ "$(h ps -a --format json | jq -r .State)" = created ]
	run h start -a twice
	[ "$status" -eq 0 ] && [ "$output" = 1 ]
	run h start -a twice
	[ "$status" -eq 0 ] && [ "$output" = 2 ]
	[ "$(h logs twice)" = "$(printf '1\n2')" ]
}

@test "environment, working directory, user, entrypoint and host name as docker run sets them" {
	printf 'FROM_FILE=yes\n# a comment\n\nSPACED=a b\n' >"$BATS_TEST_TMPDIR/env"
	export PASSED=through
	run hrun run --rm -e A=1 -e PASSED -e UNSET_HERE --env-file "$BATS_TEST_TMPDIR/env" -w /tmp -u 1000:1000 \
		--hostname box localhost/bb:1 sh -c 'echo $A $PASSED ${UNSET_HERE-unset} $FROM_FILE "$SPACED"; pwd; id -u; id -g; hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1 through unset yes a b" ]
	[ "${lines[1]}" = /tmp ] && [ "${lines[2]}" = 1000 ] && [ "${lines[3]}" = 1000 ] && [ "${lines[4]}" = box ]
	run hrun run --rm --entrypoint /bin/echo localhost/bb:1 from entrypoint
	[ "$output" = "from entrypoint" ]
	# Without -h the host name is the id's first twelve digits.
	id=$(hrun create localhost/bb:1 hostname)
	[ "$(h start -a "$id")" = "${id:0:12}" ]
}

@test "volumes: a host directory (read-only when asked), a named volume that outlives the container" {
	mkdir -p "$BATS_TEST_TMPDIR/host"
	echo from-host >"$BATS_TEST_TMPDIR/host/file"
	run hrun run --rm -v "$BATS_TEST_TMPDIR/host:/data:ro" localhost/bb:1 sh -c 'cat /data/file; echo x > /data/new'
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = from-host ]
	[ ! -e "$BATS_TEST_TMPDIR/host/new" ]
	hrun run --rm -v "$BATS_TEST_TMPDIR/host:/data" localhost/bb:1 sh -c 'echo x > /data/new'
	[ -e "$BATS_TEST_TMPDIR/host/new" ]
	hrun run --rm -v keep:/keep localhost/bb:1 sh -c 'echo kept > /keep/f'
	[ "$(hrun run --rm -v keep:/k localhost/bb:1 cat /k/f)" = kept ]
	run_expect_fail hrun run --rm -v "$BATS_TEST_TMPDIR/host:/data:rx" localhost/bb:1 true
	assert_one_line_error run "unknown option" rx
}

@test "a monitor killed with SIGKILL leaves the container running and its log so far; stop and rm still clean up" {
	local id mon
	id=$(hrun run -d --name orphan localhost/bb:1 sh -c 'echo before; while :; do sleep 0.1; done')
	wait_for grep -q before "$STORE/containers/$id/container.log"
	mon=$(monitors)
	[ -n "$mon" ]
	kill -KILL "$mon"
	sleep 0.3
	[ "$(h ps --format json | jq -r .State)" = running ]
	[ "$(h logs orphan)" = before ]
	h stop -t 1 orphan
	h rm orphan
	[ -z "$(h ps -aq)" ]
}

@test "twenty run -d at once on one store: twenty containers, distinct names, all running, all removed" {
	local i pids=()
	for i in $(seq 20); do
		hrun run -d localhost/bb:1 sleep 60 >"$BATS_TEST_TMPDIR/id.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	[ "$(h ps -q | wc -l)" -eq 20 ]
	[ "$(h ps --format json | jq -r .Names | sort -u | wc -l)" -eq 20 ]
	for i in $(seq 20); do
		[ ${#i} -gt 0 ] && [ "$(wc -c <"$BATS_TEST_TMPDIR/id.$i")" -eq 65 ]
	done
	h rm -f $(h ps -q) >/dev/null
	[ -z "$(h ps -aq)" ]
}

@test "Docker's default capabilities; --cap-add, --cap-drop, --privileged; seccomp and no-new-privileges" {
	# Docker's fourteen: 0xa80425fb.  Setuid programs keep working (no no_new_privs), seccomp filters.
	run hrun run --rm localhost/bb:1 grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status
	[[ "$output" == *"CapEff:	00000000a80425fb"* ]] && [[ "$output" == *"NoNewPrivs:	0"* ]] && [[ "$output" == *"Seccomp:	2"* ]]
	run hrun run --rm --cap-add net_admin --cap-drop CAP_CHOWN localhost/bb:1 grep CapEff /proc/self/status
	# + CAP_NET_ADMIN (bit 12), - CAP_CHOWN (bit 0)
	[ "$output" = "CapEff:	00000000a80435fa" ]
	run hrun run --rm --cap-drop ALL --cap-add KILL localhost/bb:1 grep CapEff /proc/self/status
	[ "$output" = "CapEff:	0000000000000020" ]
	run hrun run --rm --security-opt seccomp=unconfined --security-opt no-new-privileges localhost/bb:1 \
		grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
	[[ "$output" == *"NoNewPrivs:	1"* ]] && [[ "$output" == *"Seccomp:	0"* ]]
	run hrun run --rm --privileged localhost/bb:1 sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; cat /proc/keys >/dev/null && echo unmasked'
	[[ "$output" == *"Seccomp:	0"* ]] && [[ "$output" == *unmasked* ]] && [[ "$output" != *"CapEff:	00000000a80425fb"* ]]
	run_expect_fail hrun run --rm --cap-add NOT_A_CAP localhost/bb:1 true
	assert_one_line_error run --cap-add NOT_A_CAP
}

@test "read-only root with a tmpfs; memory, pids and CPU limits reach the cgroup" {
	run hrun run --rm --read-only --tmpfs /scratch localhost/bb:1 sh -c 'touch /x 2>/dev/null || echo ro; touch /scratch/y && echo tmpfs; grep " /scratch " /proc/mounts'
	[ "${lines[0]}" = ro ] && [ "${lines[1]}" = tmpfs ]
	[[ "${lines[2]}" == *nosuid,nodev,noexec* ]]
	id=$(hrun create -m 64m --pids-limit 50 --cpus 0.5 localhost/bb:1 sleep 30)
	h start "$id" >/dev/null
	local cg
	cg=$(hull_cgroup_dirs | grep '/memory/' | head -1)
	[ "$(cat "$cg/$id/memory.limit_in_bytes")" -eq $((64 * 1024 * 1024)) ]
	cg=$(hull_cgroup_dirs | grep '/pids/' | head -1)
	[ "$(cat "$cg/$id/pids.max")" -eq 50 ]
	cg=$(hull_cgroup_dirs | grep '/cpu,cpuacct/\|/cpu/' | head -1)
	[ "$(cat "$cg/$id/cpu.cfs_quota_us")" -eq 50000 ]
	run h inspect "$id"
	[ "$(jq -r '.[0].HostConfig.Memory' <<<"$output")" -eq $((64 * 1024 * 1024)) ]
	[ "$(jq -r '.[0].State.OOMKilled' <<<"$output")" = false ]
	h rm -f "$id" >/dev/null
	# The OOM killer at the limit: exit 137 and State.OOMKilled, as Docker reports it.
	run hrun run --name hog -m 20m localhost/bb:1 sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived'
	[ "$status" -eq 137 ]
	[ "$(h inspect hog | jq -c '.[0].State | [.OOMKilled, .ExitCode]')" = "[true,137]" ]
	h rm hog >/dev/null
}

@test "ps: --filter by name, id, status and label; --format templates with a header, json and labels" {
	hrun run -d --name web1 -l tier=web localhost/bb:1 sleep 100 >/dev/null
	hrun run --name db1 -l tier=db localhost/bb:1 sh -c 'exit 3' || true
	hrun create --name new1 -l tier=web localhost/bb:1 true >/dev/null
	[ "$(h ps --format '{{.Names}}')" = web1 ]
	# status= lists stopped ones without -a, as Docker does.
	[ "$(h ps --filter status=exited --format '{{.Names}} {{.State}}')" = "db1 exited" ]
	[ "$(h ps -a --filter label=tier=web --format '{{.Names}}' | sort | tr '\n' ' ')" = "new1 web1 " ]
	[ "$(h ps -a --filter label=tier=web --filter status=created --format '{{.Names}}')" = new1 ]
	[ "$(h ps -a --filter name=db --filter name=web --format '{{.Names}}' | sort | tr '\n' ' ')" = "db1 web1 " ]
	local id
	id=$(h ps -q --no-trunc)
	[ "$(h ps -a --filter "id=${id:0:8}" -q)" = "${id:0:12}" ]
	run h ps -a --filter label=tier --format 'table {{.Names}}\t{{.Label "tier"}}\t{{json .Labels}}'
	[ "${lines[0]}" = "$(printf 'NAMES\tLABEL tier\tLABELS')" ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" == *"$(printf 'db1\tdb\t{"tier":"db"}')"* ]]
	h ps -a --format json | jq -se 'length == 3 and (map(.Names) | sort) == ["db1", "new1", "web1"]' >/dev/null
	run_expect_fail h ps --format '{{.Nope}}'
	assert_one_line_error ps "--format" ".Nope"
	run_expect_fail h ps --filter colour=red
	assert_one_line_error ps "--filter" colour
	run_expect_fail h ps --filter status=asleep
	assert_one_line_error ps status=asleep "not a status"
}

@test "inspect: Docker's fields, read by jq; labels, stop signal and timeout as given" {
	local id
	id=$(hrun create --name probe -l tier=web -l empty --stop-signal SIGUSR1 --stop-timeout 3 -v vol1:/v \
		localhost/bb:1 sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done')
	run h inspect probe
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -r '.[0].Name' <<<"$output")" = /probe ]
	[ "$(jq -r '.[0].State.Status' <<<"$output")" = created ]
	[ "$(jq -r '.[0].Config.Labels.tier' <<<"$output")" = web ]
	[ "$(jq -r '.[0].Config.Labels.empty' <<<"$output")" = "" ]
	[ "$(jq -r '.[0].Config.StopSignal' <<<"$output")" = SIGUSR1 ]
	[ "$(jq -r '.[0].Path' <<<"$output")" = sh ]
	[ "$(jq -r '.[0].Mounts[0].Type + " " + .[0].Mounts[0].Name + " " + .[0].Mounts[0].Destination' <<<"$output")" = "volume vol1 /v" ]
	[ "$(jq -r '.[0].GraphDriver.Name' <<<"$output")" = overlay ]
	h start probe >/dev/null
	run h inspect probe
	[ "$(jq -r '.[0].State.Running' <<<"$output")" = true ]
	[ "$(jq -r '.[0].State.Pid' <<<"$output")" -gt 0 ]
	# stop uses the container's stop signal: the trap answers it with 9.
	h stop probe >/dev/null
	run h inspect probe
	[ "$(jq -r '.[0].State.Status + " " + (.[0].State.ExitCode | tostring)' <<<"$output")" = "exited 9" ]
	[ "$(jq -r '.[0].State.FinishedAt' <<<"$output")" != "0001-01-01T00:00:00Z" ]
	# An image is still inspected by name; a missing name fails in one line.
	run h inspect localhost/bb:1
	[ "$(jq -r '.[0].RepoTags[0] // .[0].Name // empty' <<<"$output")" != "" ]
	run_expect_fail h inspect --type container localhost/bb:1
	assert_one_line_error inspect "no such container"
}

@test "--log-opt max-size and max-file rotate the json-file log; logs reads the files in order" {
	local id
	id=$(hrun run -d --log-opt max-size=2k --log-opt max-file=3 localhost/bb:1 sh -c 'i=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i+1)); done')
	wait_for sh -c "[ \"\$(jq -r .ExitCode '$STORE/containers/$id/exit.json' 2>/dev/null)\" = 0 ]"
	[ -e "$STORE/containers/$id/container.log.1" ] && [ -e "$STORE/containers/$id/container.log.2" ]
	[ ! -e "$STORE/containers/$id/container.log.3" ]
	local size
	for f in "$STORE/containers/$id"/container.log*; do
		size=$(stat -c %s "$f")
		[ "$size" -le 2048 ]
	done
	# What is kept is the end, in order.
	run h logs "$id"
	[ "${lines[-1]}" = "line 199" ]
	local first=${lines[0]#line }
	[ "${#lines[@]}" -eq $((200 - first)) ]
}

@test "exec: output and status, -u by name, -w, -e, -d; refused when the container is not running" {
	hrun run -d --name box localhost/bb:1 sleep 60 >/dev/null
	run h exec box sh -c 'echo in; exit 5'
	[ "$status" -eq 5 ] && [ "$output" = in ]
	[ "$(h exec -u user -w /tmp -e X=1 box sh -c 'echo $(id -u):$(id -g) $(pwd) $X')" = "1000:1000 /tmp 1" ]
	[ "$(h exec -u nobody:user box id -g)" = 1000 ]
	h exec -d box sh -c 'echo detached > /tmp/mark'
	wait_for h exec box test -e /tmp/mark
	run_expect_fail h exec -u nosuchuser box true
	[ "$status" -eq 125 ]
	assert_one_line_error exec nosuchuser passwd
	run_expect_fail h exec box /no/such/program
	[ "$status" -eq 126 ]
	h stop -t 0 box >/dev/null
	run_expect_fail h exec box true
	assert_one_line_error exec box "not running"
}

@test "stats: CPU of a busy and an idle container, memory against the limit, processes; streaming until ^C" {
	hrun run -d --name busy -m 64m localhost/bb:1 sh -c 'while :; do :; done' >/dev/null
	hrun run -d --name idle localhost/bb:1 sh -c 'sleep 100 & sleep 100' >/dev/null # sh execs the last: two processes
	run h stats --no-stream
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "CONTAINER ID"*"CPU %"*"MEM USAGE / LIMIT"*"MEM %"*PIDS ]]
	local busy idle
	busy=$(grep ' busy ' <<<"$output")
	idle=$(grep ' idle ' <<<"$output")
	# A spinning shell takes most of a CPU; a sleeping one none.
	[ "$(awk '{print int($3)}' <<<"$busy")" -ge 50 ]
	[ "$(awk '{print int($3)}' <<<"$idle")" -le 5 ]
	[[ "$busy" == *"/ 64.0MiB"* ]]
	[[ "$idle" == *"/ unlimited"* ]]
	[ "$(awk '{print $NF}' <<<"$idle")" = 2 ]
	# Streaming: a table per second until interrupted.
	timeout -s INT 2.8 "$HULL" --store "$STORE" --runroot "$RUNROOT" stats idle >"$BATS_TEST_TMPDIR/stream" || true
	[ "$(grep -c '^CONTAINER ID' "$BATS_TEST_TMPDIR/stream")" -ge 2 ]
	run_expect_fail h stats --no-stream nosuch
	assert_one_line_error stats nosuch "no such container"
	h stop -t 0 idle >/dev/null
	run_expect_fail h stats --no-stream idle
	assert_one_line_error stats idle "not running"
}

@test "wait, pause and unpause, rename, top, restart, container prune" {
	local id started
	id=$(hrun run -d --name w1 localhost/bb:1 sh -c 'sleep 0.5; exit 3')
	[ "$(h wait w1)" = 3 ]
	hrun run -d --name sleeper localhost/bb:1 sleep 60 >/dev/null
	h pause sleeper >/dev/null
	[[ "$(h ps --format json | jq -r 'select(.Names == "sleeper") | .Status')" == *"(Paused)" ]]
	run_expect_fail h pause sleeper
	assert_one_line_error pause sleeper "already paused"
	h unpause sleeper >/dev/null
	[ "$(h ps --format json | jq -r 'select(.Names == "sleeper") | .State')" = running ]
	run h top sleeper
	[[ "$output" == *"sleep 60"* ]]
	h rename sleeper dozer
	[ "$(h inspect dozer | jq -r '.[0].Name')" = /dozer ]
	run_expect_fail h rename dozer w1
	assert_one_line_error rename w1 taken
	started=$(h inspect dozer | jq -r '.[0].State.StartedAt')
	h restart -t 0 dozer >/dev/null
	[ "$(h inspect dozer | jq -r '.[0].State.Running')" = true ]
	[ "$(h inspect dozer | jq -r '.[0].State.StartedAt')" != "$started" ]
	run h container prune
	[ "$output" = "Removed 1 containers" ]
	[ "$(h ps -aq)" = "$(h ps -q)" ]
	h rm -f dozer >/dev/null
}

@test "run -it driven through tmux: a real pty that follows the window's size, ^C reaches the container" {
	local cmd
	cmd="$HULL --store $STORE --runroot $RUNROOT run -it --rm --network none --cgroup-parent $CGPARENT localhost/bb:1 sh; echo \$? > $BATS_TEST_TMPDIR/status"
	T new-session -d -s s -x 100 -y 30 "$cmd"
	screen_has "/ #"
	T send-keys -t s 'tty; stty size' Enter
	screen_has "/dev/pts/0"
	screen_has "30 100"
	T resize-window -t s -x 120 -y 40
	sleep 0.3
	T send-keys -t s 'clear; stty size' Enter
	screen_has "40 120"
	# ^C ends the foreground job inside, not hull: the shell goes on.
	T send-keys -t s 'sleep 100' Enter
	sleep 0.5
	T send-keys -t s C-c
	T send-keys -t s 'echo after-$((1+1))' Enter
	screen_has "after-2"
	T send-keys -t s 'exit 7' Enter
	wait_for test -s "$BATS_TEST_TMPDIR/status"
	T kill-server 2>/dev/null || true
	[ "$(cat "$BATS_TEST_TMPDIR/status")" = 7 ]
	[ -z "$(h ps -aq)" ]
}

@test "run -it: ctrl-p ctrl-q detaches and leaves the container running, its output still logged" {
	local cmd
	cmd="$HULL --store $STORE --runroot $RUNROOT run -it --name bg --network none --cgroup-parent $CGPARENT localhost/bb:1 sh; echo \$? > $BATS_TEST_TMPDIR/status"
	T new-session -d -s s -x 80 -y 24 "$cmd"
	screen_has "/ #"
	T send-keys -t s 'echo typed-$((2+3))' Enter
	screen_has "typed-5"
	T send-keys -t s C-p C-q
	wait_for test -s "$BATS_TEST_TMPDIR/status"
	T kill-server 2>/dev/null || true
	[ "$(cat "$BATS_TEST_TMPDIR/status")" = 0 ]
	[ "$(h ps --format json | jq -r .Names)" = bg ]
	h logs bg | grep -q typed-5
	# attach joins it again, in a window of another size, and detaches the same way.
	cmd="$HULL --store $STORE --runroot $RUNROOT attach bg; echo \$? > $BATS_TEST_TMPDIR/status2"
	T new-session -d -s s2 -x 90 -y 20 "$cmd"
	sleep 0.5
	T send-keys -t s2 'stty size; echo again-$((3+4))' Enter
	screen_has "again-7" s2
	screen_has "20 90" s2
	# A second terminal is turned away while one is attached.
	run_expect_fail h attach --no-stdin bg
	assert_one_line_error attach bg "another terminal"
	T send-keys -t s2 C-p C-q
	wait_for test -s "$BATS_TEST_TMPDIR/status2"
	[ "$(cat "$BATS_TEST_TMPDIR/status2")" = 0 ]
	h logs bg | grep -q again-7
	# Attached until it ends: its exit status is attach's.
	T new-session -d -s s3 -x 80 -y 24 "$HULL --store $STORE --runroot $RUNROOT attach bg; echo \$? > $BATS_TEST_TMPDIR/status3"
	sleep 0.5
	T send-keys -t s3 'exit 4' Enter
	wait_for test -s "$BATS_TEST_TMPDIR/status3"
	T kill-server 2>/dev/null || true
	[ "$(cat "$BATS_TEST_TMPDIR/status3")" = 4 ]
	run_expect_fail h attach bg
	assert_one_line_error attach bg "not running"
	h rm -f bg >/dev/null
}

@test "attach without a terminal: the output of a detached -i container, our input to its stdin" {
	hrun run -di --name cat localhost/bb:1 sh -c 'echo ready; read x; echo "got $x"; read y; echo "then $y" >&2; exit 5' >/dev/null
	wait_for sh -c "'$HULL' --store '$STORE' --runroot '$RUNROOT' logs cat | grep -q ready"
	run --separate-stderr h attach cat < <(echo hello; sleep 0.5; echo world)
	echo "$output / $stderr"
	[ "$status" -eq 5 ]
	[ "$output" = "got hello" ]
	[ "$stderr" = "then world" ]
	h logs cat 2>&1 | grep -q "then world"
}

# restarted CONTAINER N: its restart policy has restarted it N times or more.
restarted() {
	[ "$(h inspect "$1" | jq -r '.[0].RestartCount')" -ge "$2" ]
}

exited() {
	[ "$(h inspect "$1" | jq -r '.[0].State.Status')" = exited ]
}

attempts() {
	[ "$(h logs "$1" | grep -c attempt)" -ge "$2" ]
}

@test "--restart on-failure:3 restarts a failing container three times with back-off, then leaves it" {
	local id
	id=$(hrun run -d --restart on-failure:3 localhost/bb:1 sh -c 'echo attempt; exit 2')
	# While the back-off runs, ps and inspect say so (Docker's "Restarting (2) ...").
	wait_for sh -c "$HULL --store $STORE --runroot $RUNROOT ps --filter status=restarting --format '{{.Status}}' | grep -q '^Restarting (2) '"
	[ "$(h inspect "$id" | jq -r '.[0].State | [.Status, .Restarting, .Running] | map(tostring) | join(" ")')" = "restarting true false" ] ||
		[ "$(h inspect "$id" | jq -r '.[0].State.Status')" != exited ]
	# Three restarts after the first run: four attempts, then it stays down.
	wait_for attempts "$id" 4
	wait_for exited "$id"
	sleep 1
	run h inspect "$id"
	[ "$(jq -r '.[0].RestartCount' <<<"$output")" = 3 ]
	[ "$(jq -r '.[0].State.Status + " " + (.[0].State.ExitCode | tostring)' <<<"$output")" = "exited 2" ]
	[ "$(jq -r '.[0].State.Restarting' <<<"$output")" = false ]
	[ "$(jq -r '.[0].HostConfig.RestartPolicy.Name' <<<"$output")" = on-failure ]
	[ "$(h logs "$id" | grep -c attempt)" -eq 4 ]
	# A clean exit is not a failure.
	id=$(hrun run -d --restart on-failure localhost/bb:1 true)
	[ "$(h wait "$id")" = 0 ]
	sleep 0.5
	[ "$(h inspect "$id" | jq -r '.[0].RestartCount')" = 0 ]
	run_expect_fail hrun run --rm --restart always localhost/bb:1 true
	assert_one_line_error run --rm --restart
	run_expect_fail hrun run --restart sometimes localhost/bb:1 true
	assert_one_line_error run sometimes
}

@test "--restart always comes back after it ends, not after stop; system boot brings it back after a 'reboot'" {
	local id mon init
	id=$(hrun run -d --name phoenix --restart always localhost/bb:1 sh -c 'sleep 0.3; exit 0')
	wait_for restarted phoenix 2
	h stop -t 1 phoenix >/dev/null
	sleep 1
	[ "$(h inspect phoenix | jq -r '.[0].State.Status')" = exited ]
	# stop is the user's word: boot leaves an unless-stopped one down, an always one comes back.
	hrun run -d --name steady --restart unless-stopped localhost/bb:1 sleep 100 >/dev/null
	h stop -t 0 steady >/dev/null
	hrun run -d --name keeper --restart always localhost/bb:1 sleep 100 >/dev/null
	# A reboot, as far as hull can tell: the monitor and the container gone, the runtime's state (in
	# /run) gone, the overlay unmounted.
	id=$(h inspect keeper | jq -r '.[0].Id')
	mon=$(jq -r .MonitorPid "$STORE/containers/$id/run.json")
	init=$(jq -r .Pid "$STORE/containers/$id/run.json")
	kill -KILL "$mon" "$init"
	sleep 0.5
	"$HULL_RUNTIME" --root "$RUNROOT" delete --force "$id" >/dev/null 2>&1 || true
	umount "$STORE/containers/$id/bundle/rootfs"
	run h system boot
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	[ "$output" = "started 2 containers" ]
	[ "$(h inspect keeper | jq -r '.[0].State.Status')" = running ]
	[ "$(h inspect steady | jq -r '.[0].State.Status')" = exited ]
	h exec keeper test -e /bin/sh
}

@test "--init: hull-init is PID 1, passes SIGTERM on, reaps orphans and keeps the exit status" {
	run hrun run --rm --init localhost/bb:1 sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo $$'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "/dev/init -- sh -c "* ]]
	[ "${lines[1]}" != 1 ]
	# Without --init, sh as PID 1 ignores SIGTERM; behind hull-init it gets it (and dies of it).
	hrun run -d --name inited --init localhost/bb:1 sh -c 'sleep 100 & wait' >/dev/null
	h stop -t 5 inited >/dev/null
	[ "$(h inspect inited | jq -r '.[0].State.ExitCode')" = 143 ]
	# An orphan (the grandchild whose parent exited) is reaped, not left a zombie.
	hrun run -d --name reaper --init localhost/bb:1 sh -c '(sleep 0.2 &) ; sleep 1; ps -o stat,comm | grep -c "^Z" || true; sleep 100' >/dev/null
	wait_for sh -c "\"$HULL\" --store \"$STORE\" --runroot \"$RUNROOT\" logs reaper | grep -qx 0"
	[ "$(hrun run --rm --init localhost/bb:1 sh -c 'exit 42'; echo $?)" = 42 ]
	h rm -f inited reaper >/dev/null
}

@test "volumes: a new one is filled from the image (through its symlinks, inside the root); anonymous ones; volume ls, inspect, rm, prune; rm -v" {
	# An image with content under /data and a symlink /linked -> /etc.
	local root=$BATS_TEST_TMPDIR/root id vol
	cp -a "$HULL_TEST_ROOTFS" "$root"
	mkdir -p "$root/data/sub"
	echo seeded >"$root/data/sub/file"
	chown 1000:1000 "$root/data/sub/file"
	chmod 640 "$root/data/sub/file"
	ln -s /etc "$root/linked"
	tar -C "$root" -c . | h import - localhost/bbv:1 >/dev/null
	run hrun run --rm -v fresh:/data localhost/bbv:1 sh -c 'cat /data/sub/file; stat -c "%u:%g %a" /data/sub/file'
	[ "${lines[0]}" = seeded ] && [ "${lines[1]}" = "1000:1000 640" ]
	# Seeded once: what the container wrote stays, the image's content does not come back.
	hrun run --rm -v fresh:/data localhost/bbv:1 sh -c 'rm /data/sub/file; echo mine > /data/new'
	[ "$(hrun run --rm -v fresh:/data localhost/bbv:1 ls /data)" = "$(printf 'new\nsub')" ]
	# /linked resolves inside the image's root: its /etc, never the host's.
	hrun run --rm -v etcvol:/linked localhost/bbv:1 true
	vol=$(h volume inspect etcvol | jq -r '.[0].Mountpoint')
	[ "$(grep -c . "$vol/passwd")" -eq "$(grep -c . "$HULL_TEST_ROOTFS/etc/passwd")" ]
	run h volume ls -q
	[[ "$output" == *fresh* ]] && [[ "$output" == *etcvol* ]]
	# An anonymous volume: kept by rm, removed by rm -v.
	id=$(hrun create -v /scratch localhost/bbv:1 true)
	vol=$(h inspect "$id" | jq -r '.[0].Mounts[0].Name')
	[ ${#vol} -eq 64 ]
	run_expect_fail h volume rm "$vol"
	assert_one_line_error "volume rm" "uses it"
	h rm -v "$id" >/dev/null
	[ -z "$(h volume ls -q | grep -x "$vol")" ]
	[ "$(h volume create named1)" = named1 ]
	run h volume prune
	[ "$output" = "Removed 3 volumes" ]
	[ -z "$(h volume ls -q)" ]
	run_expect_fail h volume inspect gone
	assert_one_line_error "volume inspect" gone
}

@test "an image's Volumes get an anonymous volume each unless -v covers them" {
	local l=$BATS_TEST_TMPDIR/layout id
	# The image config's Volumes set with umoci on a saved layout, then loaded back under a new name.
	h save --format oci-archive -o "$BATS_TEST_TMPDIR/a.tar" localhost/bb:1
	mkdir -p "$l" && tar -C "$l" -xf "$BATS_TEST_TMPDIR/a.tar"
	umoci config --image "$l:1" --tag vol --config.volume /vol --config.volume /other
	jq '.manifests |= map(select(.annotations["org.opencontainers.image.ref.name"] == "vol")
		| .annotations["io.containerd.image.name"] = "localhost/vimg:1")' "$l/index.json" >"$l/i" && mv "$l/i" "$l/index.json"
	(cd "$l" && tar -cf "$BATS_TEST_TMPDIR/b.tar" .)
	h load -i "$BATS_TEST_TMPDIR/b.tar" >/dev/null
	id=$(hrun create -v mine:/other localhost/vimg:1 sh -c 'grep -c " /vol \| /other " /proc/mounts')
	[ "$(h start -a "$id")" = 2 ]
	run h inspect "$id"
	[ "$(jq -r '[.[0].Mounts[] | select(.Anonymous) | .Destination] | join(",")' <<<"$output")" = /vol ]
	[ "$(jq -r '[.[0].Mounts[] | select(.Name == "mine") | .Destination] | join(",")' <<<"$output")" = /other ]
	h rm -v "$id" >/dev/null
	[ "$(h volume ls -q)" = mine ]
}

@test "--mount as Docker parses it: bind (read-only), named and anonymous volumes, tmpfs with size and mode; --rm takes anonymous volumes" {
	local src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src" && echo from-host >"$src/f"
	run hrun run --rm --mount type=bind,source="$src",target=/b,readonly --mount type=volume,src=named1,dst=/v \
		--mount type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770 --mount type=volume,target=/anon localhost/bb:1 \
		sh -c 'cat /b/f; touch /b/x 2>/dev/null || echo read-only; echo kept >/v/k; stat -c %a /t;
			grep " /t " /proc/mounts | grep -o "size=[0-9]*k"; grep -c " /anon " /proc/mounts'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'from-host\nread-only\n1770\nsize=1024k\n1')" ]
	# The named volume outlives the container; the anonymous one went with --rm.
	[ "$(h volume ls -q)" = named1 ]
	[ "$(hrun run --rm -v named1:/v localhost/bb:1 cat /v/k)" = kept ]
	h volume rm named1 >/dev/null
	run_expect_fail hrun run --rm --mount type=bind,source="$BATS_TEST_TMPDIR/nothing",target=/b localhost/bb:1 true
	assert_one_line_error run --mount nothing "No such file"
	run_expect_fail hrun run --rm --mount type=nfs,target=/b localhost/bb:1 true
	assert_one_line_error run --mount "not bind, volume or tmpfs"
	run_expect_fail hrun run --rm --mount type=bind,src=/tmp,target=/b,colour=red localhost/bb:1 true
	assert_one_line_error run --mount "unknown key" colour
	run_expect_fail hrun run --rm --mount type=tmpfs,target=relative localhost/bb:1 true
	assert_one_line_error run --mount "absolute"
	[ -z "$(h ps -aq)" ]
	[ -z "$(h volume ls -q)" ]
}

@test "--userns auto: a range of its own per container, the image's files its root's through id-mapped layers; --uidmap" {
	hrun run -d --name u1 --userns auto localhost/bb:1 sleep 100 >/dev/null
	hrun run -d --name u2 --userns auto localhost/bb:1 sleep 100 >/dev/null
	local m1 m2 id1 host
	m1=$(h exec u1 cat /proc/self/uid_map | awk '{print $1, $2, $3}')
	m2=$(h exec u2 cat /proc/self/uid_map | awk '{print $1, $2, $3}')
	[[ "$m1" =~ ^0\ [0-9]+\ 65536$ ]] && [[ "$m2" =~ ^0\ [0-9]+\ 65536$ ]]
	[ "$m1" != "$m2" ]
	# Inside, the image's files are root's and root may write everywhere; on the host the new file
	# belongs to the range.
	[ "$(h exec u1 sh -c 'stat -c %u:%g /bin/busybox /; touch /made && stat -c %u /made' | tr '\n' ' ')" = "0:0 0:0 0 " ]
	id1=$(h inspect u1 | jq -r '.[0].Id')
	host=$(awk '{print $2}' <<<"$m1")
	[ "$(stat -c %u "$STORE/containers/$id1/bundle/.hull-upper/made")" = "$host" ]
	[ "$(h inspect u1 | jq -r '.[0].HostConfig | .UsernsMode + " " + (.IdMap.HostUid | tostring)')" = "auto $host" ]
	# Stopped and started again, the same range; the layers are mapped again after an unmount.
	h stop -t 0 u1 >/dev/null
	umount "$STORE/containers/$id1/bundle/rootfs"
	h start u1 >/dev/null
	[ "$(h exec u1 cat /proc/self/uid_map | awk '{print $1, $2, $3}')" = "$m1" ]
	[ "$(h exec u1 stat -c %u /made)" = 0 ]
	h rm -f u1 u2 >/dev/null
	[ -z "$(grep -F "$STORE/containers" /proc/self/mountinfo)" ]
	# An explicit range, and the host's namespace by name.
	[ "$(hrun run --rm --uidmap 0:3000000000:1000 localhost/bb:1 cat /proc/self/uid_map | awk '{print $1, $2, $3}')" = "0 3000000000 1000" ]
	[ "$(hrun run --rm --userns host localhost/bb:1 cat /proc/self/uid_map | awk '{print $3}')" = 4294967295 ]
	run_expect_fail hrun run --rm --userns sideways localhost/bb:1 true
	assert_one_line_error run --userns sideways
	run_expect_fail hrun run --rm --uidmap 5:100000:10 localhost/bb:1 true
	assert_one_line_error run --uidmap "0:HOSTID:SIZE"
	[ -z "$(h ps -aq)" ]
}

@test "cp both ways; a symlink the container planted never leads to the host's files" {
	local out=$BATS_TEST_TMPDIR/out
	hrun run -d --name box localhost/bb:1 sh -c 'mkdir -p /srv/tree/sub && echo inside > /srv/tree/sub/f &&
		ln -s / /escape && ln -s ../../../../../../tmp /srv/up && sleep 100' >/dev/null
	wait_for h exec box test -L /srv/up
	mkdir -p "$out"
	# Out of the container: a tree into an existing directory keeps its name.
	h cp box:/srv/tree "$out"
	[ "$(cat "$out/tree/sub/f")" = inside ]
	# Through /escape -> / the container's own /etc/passwd comes out, not the host's.
	h cp box:/escape/etc/passwd "$out/passwd"
	cmp "$out/passwd" "$HULL_TEST_ROOTFS/etc/passwd"
	# Into it: through /srv/up (../.. far past the root) the file lands in the container's /tmp.
	echo from-host >"$out/in"
	h cp "$out/in" box:/srv/up/planted
	[ ! -e /tmp/planted ]
	[ "$(h exec box cat /tmp/planted)" = from-host ]
	# A tree in, merged into an existing directory and replacing a file of the same name.
	h exec box sh -c 'mkdir -p /dst/tree/sub && echo old > /dst/tree/sub/f'
	h cp "$out/tree" box:/dst
	[ "$(h exec box cat /dst/tree/sub/f)" = inside ]
	run_expect_fail h cp box:/no/such "$out/x"
	assert_one_line_error cp box /no/such
	run_expect_fail h cp "$out/in" "$out/in2"
	assert_one_line_error cp CONTAINER:PATH
	h rm -f box >/dev/null
}
