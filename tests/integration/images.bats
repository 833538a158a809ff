#!/usr/bin/env bats
# Images: hull pull from a real registry (Debian's docker-registry on loopback), the store, bundles.

load helpers
load registry

setup_file() { image_tests_setup_file; }

teardown_file() {
	stop_registries
}

setup() { image_tests_setup; }

teardown() {
	local m
	# Bundles a failed test left mounted.
	for m in $(awk -v d="$BATS_TEST_TMPDIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo); do
		umount -l "$m" 2>/dev/null || true
	done
}

hull() {
	"$HULL" --store "$STORE" "$@"
}

store_is_empty() {
	[ -z "$(find "$STORE/blobs/sha256" "$STORE/layers" "$STORE/tmp" -mindepth 1)" ] ||
		{ echo "store not empty: $(find "$STORE/blobs" "$STORE/layers" "$STORE/tmp" -mindepth 1 -maxdepth 2)" >&2; return 1; }
}

@test "pull gives the same root filesystem as skopeo copy and umoci unpack" {
	run hull pull "$REG/test/layers:1"
	[ "$status" -eq 0 ]
	hull bundle create "$REG/test/layers:1" "$BATS_TEST_TMPDIR/b"
	# umoci 0.4.7 cannot read zstd layers: skopeo recompresses them (the diff ids stay the same).
	skopeo copy -q --src-tls-verify=false --dest-compress-format gzip "docker://$REG/test/layers:1" \
		"oci:$BATS_TEST_TMPDIR/oci:layers"
	umoci unpack --image "$BATS_TEST_TMPDIR/oci:layers" "$BATS_TEST_TMPDIR/umoci" >/dev/null
	tests/fixtures/tree-listing.sh "$BATS_TEST_TMPDIR/umoci/rootfs" >"$BATS_TEST_TMPDIR/expected"
	tests/fixtures/tree-listing.sh "$BATS_TEST_TMPDIR/b/rootfs" >"$BATS_TEST_TMPDIR/actual"
	diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/actual"
	# The listing covers what the layers exercise: whiteouts, opaque directory, links, devices, modes.
	grep -q '^./data/suid regular_file 4755 ' "$BATS_TEST_TMPDIR/actual"
	grep -q '^./data/null character_special_file 644 0:0 1,3 ' "$BATS_TEST_TMPDIR/actual"
	grep -q '^./data/owned regular_file 640 1000:1000 ' "$BATS_TEST_TMPDIR/actual"
	grep -q 'user.hull="test"' "$BATS_TEST_TMPDIR/actual"
	! grep -qE '^./data/gone|^./opq/old1|^./opq/sub' "$BATS_TEST_TMPDIR/actual"
	[ "$(stat -c %i "$BATS_TEST_TMPDIR/b/rootfs/data/keep")" = "$(stat -c %i "$BATS_TEST_TMPDIR/b/rootfs/data/hard")" ]
	hull bundle remove "$BATS_TEST_TMPDIR/b"
	[ ! -e "$BATS_TEST_TMPDIR/b" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ]
}

@test "a bundle of a pulled image runs the image's command as its user, in its directory, with its env" {
	hull pull -q "$REG/test/busybox:1"
	hull bundle create "$REG/test/busybox:1" "$BATS_TEST_TMPDIR/b"
	run jq -c '[.process.args, .process.user, .process.cwd, (.process.env | index("GREETING=hi") != null),
		.annotations["org.opencontainers.image.stopSignal"], .annotations["org.example.role"], .process.terminal]' \
		"$BATS_TEST_TMPDIR/b/config.json"
	[ "$output" = '[["sh","-c","echo hello from the image"],{"uid":1000,"gid":1000},"/home/user",true,"SIGINT","test",false]' ]
	run "$HULL_RUNTIME" --root "$BATS_TEST_TMPDIR/state" run --bundle "$BATS_TEST_TMPDIR/b" "img-$$"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the image" ]
	# The container writes into the bundle's own layer, never into the store's.
	jq '.process.args = ["sh", "-c", "echo changed > /etc/hostname; id -u; pwd"] | .process.user = {"uid": 0, "gid": 0}' \
		"$BATS_TEST_TMPDIR/b/config.json" >"$BATS_TEST_TMPDIR/c" && mv "$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/b/config.json"
	run "$HULL_RUNTIME" --root "$BATS_TEST_TMPDIR/state" run --bundle "$BATS_TEST_TMPDIR/b" "img-$$"
	[ "$output" = $'0\n/home/user' ]
	[ "$(cat "$BATS_TEST_TMPDIR/b/.hull-upper/etc/hostname")" = changed ]
	! grep -rqx changed "$STORE/layers"/*/diff/etc/hostname
	hull bundle remove "$BATS_TEST_TMPDIR/b"
}

@test "bundle create --network writes the network hooks; a bad network option leaves no bundle" {
	hull pull -q "$REG/test/busybox:1"
	hull bundle create --network local -p 8080:80 --name web "$REG/test/busybox:1" "$BATS_TEST_TMPDIR/b" sh -c true
	run jq -c '[.hooks.createRuntime[0].args, .hooks.poststop[0].args, .hooks.createRuntime[0].path,
		([.linux.namespaces[] | select(.type == "network")] | length), .process.args]' "$BATS_TEST_TMPDIR/b/config.json"
	# The hooks run hull-network, which loads no image libraries.
	[ "$output" = '[["hull-network","setup","--mode","local","--publish","8080:80","--name","web"],["hull-network","teardown"],"'"$HULL_BUILD/src/hull-network"'",1,["sh","-c","true"]]' ]
	hull bundle create --network host "$REG/test/busybox:1" "$BATS_TEST_TMPDIR/h"
	[ "$(jq '[.linux.namespaces[] | select(.type == "network")] | length' "$BATS_TEST_TMPDIR/h/config.json")" -eq 0 ]
	hull bundle remove "$BATS_TEST_TMPDIR/h"
	run_expect_fail hull bundle create --network moon "$REG/test/busybox:1" "$BATS_TEST_TMPDIR/c"
	assert_one_line_error "bundle create" "moon"
	run_expect_fail hull bundle create -p 99999:80 "$REG/test/busybox:1" "$BATS_TEST_TMPDIR/c"
	assert_one_line_error "bundle create" "99999"
	[ ! -e "$BATS_TEST_TMPDIR/c" ]
	hull bundle remove "$BATS_TEST_TMPDIR/b"
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ]
}

@test "layers already in the store are skipped and shared between images" {
	hull pull -q "$REG/test/busybox:1"
	run hull pull "$REG/test/layers:1"
	[ "$status" -eq 0 ]
	local first
	first=$(layout_layers layers | head -1)
	[[ "$output" == *"Copying blob ${first:0:19} skipped: already exists"* ]]
	# One unpacked layer per chain id: the busybox layer once, and the two layers on top of it.
	[ "$(ls "$STORE/layers" | wc -l)" -eq 3 ]
	# Pulling again fetches no layer at all.
	run hull pull "$REG/test/layers:1"
	[ "$(grep -c 'already exists' <<<"$output")" -eq 3 ]
}

@test "the host's platform is chosen from an index; --platform picks another; an unknown one is refused" {
	hull pull -q "$REG/test/multi:1"
	run hull inspect "$REG/test/multi:1"
	[ "$(jq -r '.[0].Architecture' <<<"$output")" = amd64 ]
	hull bundle create "$REG/test/multi:1" "$BATS_TEST_TMPDIR/b"
	[ "$(cat "$BATS_TEST_TMPDIR/b/rootfs/platform")" = amd64 ]
	hull bundle remove "$BATS_TEST_TMPDIR/b"
	hull pull -q --platform linux/arm64 "$REG/test/multi:1"
	run hull inspect "$REG/test/multi:1"
	[ "$(jq -r '.[0].Architecture + "/" + .[0].Variant' <<<"$output")" = arm64/v8 ]
	run_expect_fail hull pull --platform linux/s390x "$REG/test/multi:1"
	assert_one_line_error "pull" "s390x" "linux/amd64"
	# The name still points at the arm64 image.
	run hull inspect "$REG/test/multi:1"
	[ "$(jq -r '.[0].Architecture' <<<"$output")" = arm64 ]
}

@test "pull by digest records the image under its digest" {
	local digest
	digest=$(layout_manifest busybox)
	run hull pull -q "$REG/test/busybox@$digest"
	[ "$status" -eq 0 ]
	run hull images --format json
	[ "$(jq -r '.[0].Name' <<<"$output")" = "$REG/test/busybox@$digest" ]
	[ "$(jq -r '.[0].Digest' <<<"$output")" = "$digest" ]
	run_expect_fail hull pull "$REG/test/busybox@sha256:$(printf '0%.0s' $(seq 64))"
	assert_one_line_error "pull" "HTTP 404"
}

@test "a layer that does not match its digest fails the pull and leaves nothing behind" {
	local layer file
	layer=$(layout_layers layers | tail -1)
	file=$(registry_blob_file "$layer")
	cp "$file" "$BATS_TEST_TMPDIR/saved"
	head -c "$(stat -c %s "$file")" /dev/urandom >"$file"
	run_expect_fail hull pull -q "$REG/test/layers:1"
	cp "$BATS_TEST_TMPDIR/saved" "$file"
	assert_one_line_error "pull" "$layer" "digest"
	[ "$(jq '.manifests | length' "$STORE/index.json" 2>/dev/null || echo 0)" -eq 0 ]
	# Nothing of the bad layer; downloads of good layers that the failure cut short stay as partial
	# files, for the next pull to resume.
	[ -z "$(ls -A "$STORE/tmp" | grep -v '\.partial$')" ]
	[ ! -e "$STORE/tmp/${layer#sha256:}.partial" ]
	[ ! -e "$STORE/blobs/sha256/${layer#sha256:}" ]
	# Only whole, verified layers are kept: the two good ones of this pull may stay for the next.
	[ "$(ls "$STORE/layers" | wc -l)" -le 2 ]
	run hull pull -q "$REG/test/layers:1"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$STORE/tmp")" ]
}

@test "an interrupted download resumes from its partial file" {
	local layer hex size
	layer=$(layout_layers busybox | head -1)
	hex=${layer#sha256:}
	size=$(stat -c %s "$TEST_IMAGES/blobs/sha256/$hex")
	mkdir -p "$STORE/tmp"
	# A first half that is right: the pull asks only for the rest and the blob checks out.
	head -c $((size / 2)) "$TEST_IMAGES/blobs/sha256/$hex" >"$STORE/tmp/$hex.partial"
	run hull pull -q "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	cmp "$STORE/blobs/sha256/$hex" "$TEST_IMAGES/blobs/sha256/$hex"
	[ ! -e "$STORE/tmp/$hex.partial" ]
	# A first half that is wrong shows the partial file is really used: the digest fails, and the same
	# pull downloads the layer again from the start (registry_faults.bats has the other cases).
	hull rmi "$REG/test/busybox:1"
	hull image prune >/dev/null
	head -c $((size / 2)) /dev/zero >"$STORE/tmp/$hex.partial"
	run hull --debug pull -q "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[[ "$output" == *"resumed download does not check out"* ]]
	cmp "$STORE/blobs/sha256/$hex" "$TEST_IMAGES/blobs/sha256/$hex"
	[ ! -e "$STORE/tmp/$hex.partial" ]
}

@test "images, inspect, tag and rmi; removing the last image empties the store" {
	hull pull -q "$REG/test/busybox:1"
	hull pull -q "$REG/test/layers:1"
	run hull images
	[ "${lines[0]}" = "$(printf '%-40s %-12s %-14s %-16s %s' REPOSITORY TAG 'IMAGE ID' CREATED SIZE)" ]
	[[ "$output" == *"$REG/test/busybox"*" 1 "* ]]
	run hull images --format json
	[ "$(jq length <<<"$output")" -eq 2 ]
	local id
	id=$(jq -r --arg n "$REG/test/busybox:1" '.[] | select(.Name == $n) | .Id' <<<"$output")
	[ "$id" = "$(hull inspect "$REG/test/busybox:1" | jq -r '.[0].Id')" ]
	run hull inspect "${id:0:8}"
	[ "$(jq -r '.[0].Config.User' <<<"$output")" = user ]
	[ "$(jq -r '.[0].RepoTags[0]' <<<"$output")" = "$REG/test/busybox:1" ]
	hull tag "$REG/test/busybox:1" mybox:v2
	run hull inspect mybox:v2
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -r '.[0].RepoTags | length' <<<"$output")" -eq 2 ]
	# An id names the image with all its names: that needs -f.
	run_expect_fail hull rmi "${id:0:12}"
	[[ "$output" == *"2 names"* ]]
	hull rmi -f "${id:0:12}"
	run_expect_fail hull inspect mybox:v2
	assert_one_line_error "inspect" "mybox:v2" "not in the store"
	# The busybox layer is still needed by the other image.
	[ "$(ls "$STORE/layers" | wc -l)" -eq 3 ]
	hull rmi "$REG/test/layers:1"
	store_is_empty
}

@test "a bundle keeps its image's layers until it is removed" {
	hull pull -q "$REG/test/busybox:1"
	hull bundle create "$REG/test/busybox:1" "$BATS_TEST_TMPDIR/b"
	hull rmi "$REG/test/busybox:1"
	[ "$(ls "$STORE/layers" | wc -l)" -eq 1 ]
	run "$HULL_RUNTIME" --root "$BATS_TEST_TMPDIR/state" run --bundle "$BATS_TEST_TMPDIR/b" "keep-$$"
	[ "$output" = "hello from the image" ]
	hull bundle remove "$BATS_TEST_TMPDIR/b"
	run hull image prune
	[[ "$output" == "Removed 3 blobs and 1 layers"* ]]
	store_is_empty
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ]
}

@test "bad input gets one clear line and changes nothing" {
	hull pull -q "$REG/test/busybox:1"
	cp "$STORE/index.json" "$BATS_TEST_TMPDIR/index.before"
	run_expect_fail hull pull "Not/A/Valid:Name!"
	assert_one_line_error "pull" "Not/A/Valid:Name!"
	run_expect_fail hull pull "$REG/test/nothing:1"
	assert_one_line_error "pull" "test/nothing" "HTTP 404" "MANIFEST_UNKNOWN"
	run_expect_fail hull pull "127.0.0.1:1/test/busybox:1"
	assert_one_line_error "pull" "127.0.0.1:1"
	run_expect_fail hull pull --tls-verify=maybe "$REG/test/busybox:1"
	assert_one_line_error "pull" "--tls-verify" "maybe"
	run_expect_fail hull bundle create nothing:here "$BATS_TEST_TMPDIR/b"
	assert_one_line_error "bundle" "nothing:here" "not in the store"
	[ ! -e "$BATS_TEST_TMPDIR/b" ]
	mkdir "$BATS_TEST_TMPDIR/exists"
	run_expect_fail hull bundle create "$REG/test/busybox:1" "$BATS_TEST_TMPDIR/exists"
	assert_one_line_error "bundle create" "exists" "File exists"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/exists")" ]
	cmp "$STORE/index.json" "$BATS_TEST_TMPDIR/index.before"
	[ -z "$(ls -A "$STORE/tmp")" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ]
}

@test "token authentication: anonymous pulls of public repositories, login for private ones" {
	run hull pull -q "$TOKEN_REG/public/busybox:1"
	[ "$status" -eq 0 ]
	run_expect_fail hull pull "$TOKEN_REG/private/busybox:1"
	assert_one_line_error "pull" "HTTP 401" "hull login"
	run_expect_fail hull login -u hull -p wrong "$TOKEN_REG"
	assert_one_line_error "login" "refused"
	[ ! -e "$REGISTRY_AUTH_FILE" ]
	run hull login -u hull --password-stdin "$TOKEN_REG" <<<"secret"
	[ "$status" -eq 0 ]
	[ "$(jq -r --arg h "$TOKEN_REG" '.auths[$h].auth' "$REGISTRY_AUTH_FILE" | base64 -d)" = "hull:secret" ]
	[ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = 600 ]
	run hull pull -q "$TOKEN_REG/private/busybox:1"
	[ "$status" -eq 0 ]
	grep -q "token user=hull scope=repository:private/busybox:pull" "$REG_DIR/token.log"
	hull logout "$TOKEN_REG"
	[ "$(jq -r --arg h "$TOKEN_REG" '.auths[$h]' "$REGISTRY_AUTH_FILE")" = null ]
	run_expect_fail hull logout "$TOKEN_REG"
	assert_one_line_error "logout" "not logged in"
}

@test "Basic auth, Retry-After on 429, and redirects to another host that get no credentials" {
	: >"$REG_DIR/proxy.log"
	run_expect_fail hull pull "$PROXY/test/layers:1"
	assert_one_line_error "pull" "hull login $PROXY"
	run hull pull -q --creds hull:secret "$PROXY/test/layers:1"
	[ "$status" -eq 0 ]
	grep -qx 429 "$REG_DIR/proxy.log"
	# The config and the three layers came from the storage host, and never with the registry's credentials.
	[ "$(grep -c '^storage 127.0.0.2' "$REG_DIR/proxy.log")" -eq 4 ]
	! grep -q 'authorization=yes' "$REG_DIR/proxy.log"
}

@test "concurrent pulls into one store both succeed and leave no temporary files" {
	hull pull -q "$REG/test/layers:1" >"$BATS_TEST_TMPDIR/1" 2>&1 &
	local a=$!
	hull pull -q "$REG/test/layers:1" >"$BATS_TEST_TMPDIR/2" 2>&1 &
	local b=$!
	hull pull -q "$REG/test/busybox:1" >"$BATS_TEST_TMPDIR/3" 2>&1
	wait "$a"
	wait "$b"
	[ "$(ls "$STORE/layers" | wc -l)" -eq 3 ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	[ "$(hull images -q | wc -l)" -eq 2 ]
}

@test "push: blobs are mounted from the repository the image came from, then skipped; the digest is kept" {
	hull pull -q "$REG/test/layers:1"
	run hull --debug push "$REG/test/layers:1" "$REG/pushed/layers:2"
	[ "$status" -eq 0 ]
	local digest
	digest=$(layout_manifest layers)
	[ "${lines[-1]}" = "$digest" ]
	[ "$(grep -c 'mounted from test/layers' <<<"$output")" -eq 4 ]
	run hull push "$REG/test/layers:1" "$REG/pushed/layers:2"
	[ "$(grep -c 'skipped: already exists' <<<"$output")" -eq 4 ]
	# What the registry serves is the same manifest, and a fresh store pulls the same image from it.
	[ "sha256:$(skopeo inspect --raw --tls-verify=false "docker://$REG/pushed/layers:2" | sha256sum | cut -d' ' -f1)" = "$digest" ]
	STORE=$BATS_TEST_TMPDIR/other
	run hull pull -q "$REG/pushed/layers:2"
	[ "$output" = "$(jq -r '.config.digest' "$TEST_IMAGES/blobs/sha256/${digest#sha256:}" | cut -d: -f2)" ]
}

@test "push uploads to another registry, and a registry with token auth needs a login for it" {
	hull pull -q "$REG/test/busybox:1"
	run_expect_fail hull push -q "$REG/test/busybox:1" "$TOKEN_REG/private/pushed:1"
	assert_one_line_error "push" "HTTP 401" "hull login"
	hull login -u hull -p secret "$TOKEN_REG"
	run hull push "$REG/test/busybox:1" "$TOKEN_REG/private/pushed:1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' uploaded ' <<<"$output")" -eq 2 ]
	grep -q "token user=hull scope=repository:private/pushed:pull,push" "$REG_DIR/token.log"
	skopeo inspect --raw --tls-verify=false --creds hull:secret "docker://$TOKEN_REG/private/pushed:1" >/dev/null
}

@test "save and load round trip in both formats; skopeo reads what hull saves and hull loads what skopeo writes" {
	hull pull -q "$REG/test/layers:1"
	hull pull -q "$REG/test/busybox:1"
	hull save -o "$BATS_TEST_TMPDIR/docker.tar" "$REG/test/layers:1" "$REG/test/busybox:1"
	hull save --format oci-archive -o "$BATS_TEST_TMPDIR/oci.tar" "$REG/test/busybox:1"
	tar -tf "$BATS_TEST_TMPDIR/docker.tar" | grep -qx manifest.json
	! tar -tf "$BATS_TEST_TMPDIR/oci.tar" | grep -qx manifest.json
	# Another store loads them, with the same ids and names.
	local ids
	ids=$(hull images --format json | jq -c '[.[] | [.Name, .Id]] | sort')
	STORE=$BATS_TEST_TMPDIR/loaded
	run hull load -i "$BATS_TEST_TMPDIR/docker.tar"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Loaded image: $REG/test/layers:1"* ]]
	[ "$(hull images --format json | jq -c '[.[] | [.Name, .Id]] | sort')" = "$ids" ]
	hull bundle create "$REG/test/layers:1" "$BATS_TEST_TMPDIR/b"
	[ "$(cat "$BATS_TEST_TMPDIR/b/rootfs/data/three")" = three ]
	hull bundle remove "$BATS_TEST_TMPDIR/b"
	# skopeo reads hull's archives, and writes the older docker-archive layout that hull loads, gzipped too.
	skopeo inspect "docker-archive:$BATS_TEST_TMPDIR/docker.tar:$REG/test/busybox:1" >/dev/null
	skopeo copy -q "oci-archive:$BATS_TEST_TMPDIR/oci.tar" "docker-archive:$BATS_TEST_TMPDIR/old.tar:old/busybox:1"
	tar -tf "$BATS_TEST_TMPDIR/old.tar" | grep -q '/layer.tar$'
	STORE=$BATS_TEST_TMPDIR/old
	gzip -c "$BATS_TEST_TMPDIR/old.tar" | hull load
	[ "$(hull inspect old/busybox:1 | jq -r '.[0].Id')" = "$(jq -r --arg n "$REG/test/busybox:1" '.[] | select(.[0] == $n) | .[1]' <<<"$ids")" ]
}

@test "load refuses a tampered archive and keeps nothing of it under a name" {
	hull pull -q "$REG/test/busybox:1"
	hull save --format oci-archive -o "$BATS_TEST_TMPDIR/oci.tar" "$REG/test/busybox:1"
	mkdir "$BATS_TEST_TMPDIR/x"
	tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/oci.tar"
	local layer
	layer=$(layout_layers busybox | head -1)
	printf 'tampered' >>"$BATS_TEST_TMPDIR/x/blobs/sha256/${layer#sha256:}"
	tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/bad.tar" .
	STORE=$BATS_TEST_TMPDIR/loaded
	run_expect_fail hull load -i "$BATS_TEST_TMPDIR/bad.tar"
	assert_one_line_error "load" "${layer#sha256:}" "digest"
	[ "$(hull images -q | wc -l)" -eq 0 ]
	echo "not an archive" >"$BATS_TEST_TMPDIR/junk"
	run_expect_fail hull load -i "$BATS_TEST_TMPDIR/junk"
	assert_one_line_error "load"
	run_expect_fail hull save -o "$BATS_TEST_TMPDIR/never.tar" nothing:here
	assert_one_line_error "save" "nothing:here"
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep never)" ]
}

@test "export writes the flattened root; import makes an image of it that runs" {
	hull pull -q "$REG/test/layers:1"
	hull export -o "$BATS_TEST_TMPDIR/rootfs.tar" "$REG/test/layers:1"
	mkdir "$BATS_TEST_TMPDIR/x"
	tar -C "$BATS_TEST_TMPDIR/x" --xattrs --xattrs-include='user.*' --numeric-owner -xpf "$BATS_TEST_TMPDIR/rootfs.tar"
	hull bundle create "$REG/test/layers:1" "$BATS_TEST_TMPDIR/b"
	tests/fixtures/tree-listing.sh "$BATS_TEST_TMPDIR/b/rootfs" >"$BATS_TEST_TMPDIR/expected"
	tests/fixtures/tree-listing.sh "$BATS_TEST_TMPDIR/x" >"$BATS_TEST_TMPDIR/actual"
	diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/actual"
	hull bundle remove "$BATS_TEST_TMPDIR/b"
	gzip -c "$BATS_TEST_TMPDIR/rootfs.tar" | hull import - localhost/flat:1
	run hull inspect localhost/flat:1
	[ "$(jq -r '.[0].Layers | length' <<<"$output")" -eq 1 ]
	hull bundle create localhost/flat:1 "$BATS_TEST_TMPDIR/b" sh -c 'cat /data/three; id -u'
	run "$HULL_RUNTIME" --root "$BATS_TEST_TMPDIR/state" run --bundle "$BATS_TEST_TMPDIR/b" "flat-$$"
	[ "$output" = $'three\n0' ]
	hull bundle remove "$BATS_TEST_TMPDIR/b"
	run_expect_fail hull import "$BATS_TEST_TMPDIR/junk-that-is-missing"
	assert_one_line_error "import" "junk-that-is-missing"
	echo "not a tarball" >"$BATS_TEST_TMPDIR/junk"
	run_expect_fail hull import "$BATS_TEST_TMPDIR/junk" bad:1
	assert_one_line_error "import" "layer"
	run_expect_fail hull inspect bad:1
	assert_one_line_error "inspect" "not in the store"
}

@test "run pulls a missing image first (through hull-image); a pull that fails is one line and 125" {
	CGPARENT=$(hull_cgroup_parent)
	run hull --runroot "$BATS_TEST_TMPDIR/run" run --rm --network none --cgroup-parent "$CGPARENT" "$REG/test/busybox:1" echo pulled
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = pulled ]
	[ -n "$(hull images -q)" ]
	run_expect_fail hull --runroot "$BATS_TEST_TMPDIR/run" run --rm --network none "$REG/test/nothing:1" true
	[ "$status" -eq 125 ]
	assert_one_line_error pull "test/nothing:1"
	# hull itself loads neither libcurl nor libarchive: hull-image does the pulling.
	! ldd "$HULL" | grep -qE 'libcurl|libarchive'
	for d in $(hull_cgroup_dirs); do rmdir "$d" 2>/dev/null || true; done
}
