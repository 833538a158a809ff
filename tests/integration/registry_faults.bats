#!/usr/bin/env bats
# Pulls from a hostile or broken registry (tests/fixtures/registry-front.py hostile, in front of Debian's
# docker-registry on loopback): a blob larger than its descriptor or without end, a registry that ignores
# or refuses byte ranges, interrupted downloads and stale partial files.  Each pull either succeeds with
# the right bytes or fails in one line, and the store is left as if it had not started (a partial file
# only where a later pull resumes it correctly).

load helpers
load registry

setup_file() { image_tests_setup_file; }

teardown_file() {
	stop_registries
}

setup() {
	image_tests_setup
	: >"$REG_DIR/hostile.log"
	LAYER=$(layout_layers busybox | head -1)
	HEX=${LAYER#sha256:}
	SIZE=$(stat -c %s "$TEST_IMAGES/blobs/sha256/$HEX")
}

teardown() {
	: >"$HOSTILE_CONTROL"
}

hull() {
	"$HULL" --store "$STORE" "$@"
}

# mode MODE: how the hostile registry serves the image's (first) layer from now on.
mode() { echo "$1 $LAYER" >"$HOSTILE_CONTROL"; }

# No image, no blob (not even the manifest and config the pull verified before it failed), no partial
# file of the bad layer, no unpacked layer and no temporary file.
store_untouched() {
	local left
	[ -z "$(hull images -q 2>/dev/null)" ] || { echo "an image was recorded" >&2; return 1; }
	[ ! -e "$STORE/tmp/$HEX.partial" ]
	left=$(find "$STORE/blobs/sha256" "$STORE/tmp" "$STORE/layers" -mindepth 1 2>/dev/null | grep -v "\.lock$" || true)
	[ -z "$left" ] || { echo "left in the store: $left" >&2; return 1; }
}

# stored_blobs: the names under blobs/sha256, sorted, one line; stored_layers the same for layers/.
stored_blobs() { ls "$STORE/blobs/sha256" | sort | tr '\n' ' '; }
stored_layers() { ls "$STORE/layers" | sort | tr '\n' ' '; }
tokens_asked() { cat "$REG_DIR/token.log" 2>/dev/null | wc -l; }

pulled_right() {
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	cmp "$STORE/blobs/sha256/$HEX" "$TEST_IMAGES/blobs/sha256/$HEX"
	[ -z "$(find "$STORE/tmp" -name '*.partial')" ]
	[ -n "$(hull images -q)" ]
}

@test "a blob larger than its descriptor fails the pull at its size, and nothing is kept" {
	mode oversize
	run_expect_fail hull pull -q "$HOSTILE/test/busybox:1"
	assert_one_line_error pull "$LAYER" "more than the $SIZE bytes"
	store_untouched
}

@test "an endless blob is cut off at its size, not written until the disk is full" {
	mode endless
	run_expect_fail timeout 60 "$HULL" --store "$STORE" pull -q "$HOSTILE/test/busybox:1"
	[ "$status" -ne 124 ]
	assert_one_line_error pull "$LAYER" "more than the $SIZE bytes"
	store_untouched
}

@test "an interrupted download resumes with a range where the registry supports it" {
	mode half
	run_expect_fail hull pull -q "$HOSTILE/test/busybox:1"
	assert_one_line_error pull "$LAYER"
	[ "$(stat -c %s "$STORE/tmp/$HEX.partial")" -eq $((SIZE / 2)) ]
	mode normal
	run hull pull -q "$HOSTILE/test/busybox:1"
	pulled_right
	grep -q "blob mode=normal range=bytes=$((SIZE / 2))-" "$REG_DIR/hostile.log"
}

@test "a registry that ignores the range gets the whole blob again, not appended" {
	mode half
	run_expect_fail hull pull -q "$HOSTILE/test/busybox:1"
	mode ignore-range
	run hull pull -q "$HOSTILE/test/busybox:1"
	pulled_right
	grep -q "blob mode=ignore-range range=bytes=" "$REG_DIR/hostile.log"
}

@test "a registry that answers 416 to the range gets the whole blob again" {
	mode half
	run_expect_fail hull pull -q "$HOSTILE/test/busybox:1"
	mode 416
	run hull pull -q "$HOSTILE/test/busybox:1"
	pulled_right
}

@test "a stale partial file never fails a pull: wrong bytes, too many bytes, all the bytes" {
	mkdir -p "$STORE/tmp"
	# Wrong bytes show only at the digest: the layer is downloaded again within the same pull.
	head -c $((SIZE / 2)) /dev/zero >"$STORE/tmp/$HEX.partial"
	run hull pull -q "$REG/test/busybox:1"
	pulled_right
	hull rmi "$REG/test/busybox:1"
	hull image prune >/dev/null
	# Longer than the blob: dropped at once.
	head -c $((SIZE + 100)) /dev/zero >"$STORE/tmp/$HEX.partial"
	run hull pull -q "$REG/test/busybox:1"
	pulled_right
	hull rmi "$REG/test/busybox:1"
	hull image prune >/dev/null
	# Complete but never renamed (killed between the last byte and the rename): nothing to download.
	cp "$TEST_IMAGES/blobs/sha256/$HEX" "$STORE/tmp/$HEX.partial"
	mode 416
	run hull pull -q "$HOSTILE/test/busybox:1"
	pulled_right
	! grep -q "range=bytes=$SIZE-" "$REG_DIR/hostile.log"
}

@test "a layer may not unpack past --max-layer-size, nor by default past the store's free space" {
	run_expect_fail "$HULL" --store "$STORE" --max-layer-size 4k pull -q "$REG/test/busybox:1"
	assert_one_line_error pull "$LAYER" "more than 4096 bytes of file content" "--max-layer-size"
	[ -z "$(hull images -q)" ]
	[ -z "$(find "$STORE/layers" "$STORE/tmp" -mindepth 1 -not -name '*.lock' 2>/dev/null)" ]
	run_expect_fail "$HULL" --max-layer-size 4q images
	assert_one_line_error "--max-layer-size" "4q"
	# A store on a 1.5 MiB file system (in a mount namespace of the test's own): the layer's content
	# does not fit beside its blob, and the limit says where it came from.
	mkdir -p "$BATS_TEST_TMPDIR/small"
	run unshare -m --propagation private sh -c 'mount -t tmpfs -o size=1536k tmpfs "$1" && shift && exec "$@"' \
		sh "$BATS_TEST_TMPDIR/small" "$HULL" --store "$BATS_TEST_TMPDIR/small/store" pull -q "$REG/test/busybox:1"
	assert_one_line_error pull "$LAYER" "the store's free space less 5%"
}

# A pull killed at any moment (the seed printed; HULL_FAULT_SEED repeats it): the next pull succeeds with
# the right bytes, and removing the image and pruning leaves an empty store.
@test "a pull killed at random moments never fails the next one" {
	local seed=${HULL_FAULT_SEED:-$RANDOM} i ms pid
	echo "# pull fault seed $seed (HULL_FAULT_SEED=$seed repeats it)" >&3
	RANDOM=$seed
	for i in $(seq 25); do
		ms=$((RANDOM % 400))
		"$HULL" --store "$STORE" pull -q "$REG/test/layers:1" </dev/null >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		run hull pull -q "$REG/test/layers:1"
		[ "$status" -eq 0 ] || { echo "pull after a kill at $ms ms (iteration $i): $output" >&2; return 1; }
		hull rmi "$REG/test/layers:1" >/dev/null
		hull image prune >/dev/null
	done
	[ -z "$(find "$STORE/blobs/sha256" "$STORE/layers" "$STORE/tmp" -mindepth 1 -not -name '*.lock')" ]
}

@test "a failed pull removes what it got before failing and keeps what other images need" {
	local blobs layers last
	run hull pull -q "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	blobs=$(stored_blobs) layers=$(stored_layers)
	# The image with three layers shares busybox's first layer; its last one is oversized.
	last=$(layout_layers layers | tail -1)
	echo "oversize $last" >"$HOSTILE_CONTROL"
	run_expect_fail hull pull -q "$HOSTILE/test/layers:1"
	assert_one_line_error pull "$last" "more than"
	[ "$(hull images -q | wc -l)" -eq 1 ]
	[ "$(stored_blobs)" = "$blobs" ] || { echo "blobs: $(stored_blobs), before: $blobs" >&2; return 1; }
	[ "$(stored_layers)" = "$layers" ] || { echo "layers: $(stored_layers), before: $layers" >&2; return 1; }
	# A layer cut short when the other failed may stay as a partial file, to be resumed.
	[ -z "$(find "$STORE/tmp" -mindepth 1 -not -name '*.partial')" ] && [ ! -e "$STORE/tmp/${last#sha256:}.partial" ]
	# Another command holding the store keeps the undo from racing it: the blobs wait for prune.
	: >"$HOSTILE_CONTROL"
	hull rmi "$REG/test/busybox:1" >/dev/null
	hull image prune >/dev/null
	echo "oversize $last" >"$HOSTILE_CONTROL"
	run_expect_fail flock -s "$STORE/gc.lock" "$HULL" --store "$STORE" pull -q "$HOSTILE/test/layers:1"
	[ -n "$(find "$STORE/blobs/sha256" -mindepth 1)" ]
	hull image prune >/dev/null
	[ -z "$(find "$STORE/blobs/sha256" "$STORE/layers" "$STORE/tmp" -mindepth 1)" ]
}

@test "Ctrl-C or SIGTERM during a pull undoes it; the next pull resumes the interrupted layer" {
	local sig pid base i
	base=$(layout_layers layers | head -1)
	for sig in INT TERM; do
		echo "stall $base" >"$HOSTILE_CONTROL"
		: >"$REG_DIR/hostile.log"
		# A background job of a script ignores SIGINT; env gives it the terminal's default back.
		env --default-signal=INT "$HULL" --store "$STORE" pull -q "$HOSTILE/test/layers:1" \
			2>"$BATS_TEST_TMPDIR/err" &
		pid=$!
		# Until the other two layers are in and the first is half way.
		for i in $(seq 100); do
			grep -q stalled "$REG_DIR/hostile.log" && [ "$(ls "$STORE/layers" | wc -l)" -ge 2 ] && break
			sleep 0.1
		done
		kill -$sig "$pid"
		status=0
		wait "$pid" || status=$?
		[ "$status" -eq $((128 + $(kill -l $sig))) ] || { echo "SIG$sig: status $status" >&2; return 1; }
		output=$(cat "$BATS_TEST_TMPDIR/err")
		assert_one_line_error pull "test/layers:1" "interrupted by SIG$sig"
		[ -z "$(hull images -q)" ]
		left=$(find "$STORE/blobs/sha256" "$STORE/layers" "$STORE/tmp" -mindepth 1 -not -name "${base#sha256:}.partial")
		[ -z "$left" ] || { echo "SIG$sig left: $left" >&2; return 1; }
		[ -s "$STORE/tmp/${base#sha256:}.partial" ]
	done
	: >"$HOSTILE_CONTROL"
	run hull pull -q "$HOSTILE/test/layers:1"
	[ "$status" -eq 0 ]
	grep -q "range=bytes=" "$REG_DIR/hostile.log"
	[ -z "$(find "$STORE/tmp" -mindepth 1)" ]
}

@test "a token service on plain HTTP is never reached from a registry on HTTPS, nor one not on HTTP" {
	local tokens
	tokens=$(tokens_asked)
	echo "realm http://127.0.0.1:$TOKEN_SRV_PORT/token" >"$HOSTILE_CONTROL"
	run_expect_fail hull pull -q --tls-verify=false "$HOSTILE_TLS/test/busybox:1"
	assert_one_line_error pull "127.0.0.1:$TOKEN_SRV_PORT" "plain HTTP" "HTTPS"
	echo "realm file:///etc/passwd" >"$HOSTILE_CONTROL"
	run_expect_fail hull pull -q --tls-verify=false "$HOSTILE_TLS/test/busybox:1"
	assert_one_line_error pull "file:///etc/passwd" "not an http or https URL"
	[ "$(tokens_asked)" -eq "$tokens" ]
	grep -q "challenge realm=file:" "$REG_DIR/hostile.log"
	# The same realm from a registry on plain HTTP is used (nothing more is lost by it).
	echo "realm http://127.0.0.1:$TOKEN_SRV_PORT/token" >"$HOSTILE_CONTROL"
	run_expect_fail hull pull -q "$HOSTILE/test/busybox:1"
	[ "$(tokens_asked)" -gt "$tokens" ]
	store_untouched
}
