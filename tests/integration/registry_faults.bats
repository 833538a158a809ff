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

# No image, nothing of the bad layer (blob, partial file, unpacked layer) and no temporary file: what the
# pull verified before it failed (manifest, config) stays as a download the next pull reuses, and
# `hull image prune` would remove.
store_untouched() {
	local left
	[ -z "$(hull images -q 2>/dev/null)" ] || { echo "an image was recorded" >&2; return 1; }
	[ ! -e "$STORE/blobs/sha256/$HEX" ] && [ ! -e "$STORE/tmp/$HEX.partial" ]
	left=$(find "$STORE/tmp" "$STORE/layers" -mindepth 1 2>/dev/null | grep -v "\.lock$" || true)
	[ -z "$left" ] || { echo "left in the store: $left" >&2; return 1; }
	hull image prune >/dev/null
	[ -z "$(find "$STORE/blobs/sha256" -mindepth 1)" ]
}

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
