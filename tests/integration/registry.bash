# Registries for the image tests, all on loopback and all stopped by PID at the end of the file:
#   REG        Debian's docker-registry without authentication, with the test images pushed by skopeo
#   TOKEN_REG  the same registry program with `auth: token`, in front of it TOKEN_SRV, the tests' token
#              service (tests/fixtures/registry-front.py token): public/* anonymous, private/* for hull:secret
#   PROXY      tests/fixtures/registry-front.py proxy in front of REG: Basic auth, one 429, blob redirects
#   HOSTILE    tests/fixtures/registry-front.py hostile in front of REG: blobs answered as HOSTILE_CONTROL says
#   HOSTILE_TLS the same over HTTPS (self-signed: --tls-verify=false)
# Each gets its own config file: the package's default listens on all interfaces.

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL: until something answers (any HTTP status).
wait_http() {
	local i
	for i in $(seq 100); do
		curl -sk -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "nothing answers at $1" >&2
	return 1
}

start_bg() { # PIDFILE CMD...: starts CMD in the background and records its PID
	local pidfile=$1
	shift
	"$@" >>"$REG_DIR/servers.log" 2>&1 &
	echo $! >>"$pidfile"
}

registry_config() { # DIR PORT [AUTH_YAML]
	cat >"$1/config.yml" <<CONFIG
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $1/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$2
${3:-}
CONFIG
}

start_registries() {
	REG_DIR=$BATS_FILE_TMPDIR/registries
	mkdir -p "$REG_DIR/plain" "$REG_DIR/token"
	local pids=$REG_DIR/pids
	REG_PORT=$(free_port)
	registry_config "$REG_DIR/plain" "$REG_PORT"
	start_bg "$pids" docker-registry serve "$REG_DIR/plain/config.yml"

	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$REG_DIR/token/key.pem" -out "$REG_DIR/token/cert.pem" \
		-subj /CN=hull-test-token -days 2 2>/dev/null
	TOKEN_SRV_PORT=$(free_port)
	start_bg "$pids" python3 tests/fixtures/registry-front.py token --port "$TOKEN_SRV_PORT" \
		--key "$REG_DIR/token/key.pem" --cert "$REG_DIR/token/cert.pem" --log "$REG_DIR/token.log"
	TOKEN_REG_PORT=$(free_port)
	registry_config "$REG_DIR/token" "$TOKEN_REG_PORT" "auth:
  token:
    realm: http://127.0.0.1:$TOKEN_SRV_PORT/token
    service: hull-test-registry
    issuer: hull-test-issuer
    rootcertbundle: $REG_DIR/token/cert.pem"
	start_bg "$pids" docker-registry serve "$REG_DIR/token/config.yml"

	PROXY_PORT=$(free_port)
	start_bg "$pids" python3 tests/fixtures/registry-front.py proxy --port "$PROXY_PORT" \
		--backend "http://127.0.0.1:$REG_PORT" --log "$REG_DIR/proxy.log"

	HOSTILE_PORT=$(free_port)
	HOSTILE_CONTROL=$REG_DIR/hostile.mode
	: >"$HOSTILE_CONTROL"
	start_bg "$pids" python3 tests/fixtures/registry-front.py hostile --port "$HOSTILE_PORT" \
		--backend "http://127.0.0.1:$REG_PORT" --log "$REG_DIR/hostile.log" --control "$HOSTILE_CONTROL"
	HOSTILE_TLS_PORT=$(free_port)
	start_bg "$pids" python3 tests/fixtures/registry-front.py hostile --port "$HOSTILE_TLS_PORT" \
		--cert "$REG_DIR/token/cert.pem" --key "$REG_DIR/token/key.pem" \
		--backend "http://127.0.0.1:$REG_PORT" --log "$REG_DIR/hostile.log" --control "$HOSTILE_CONTROL"

	wait_http "http://127.0.0.1:$REG_PORT/v2/" && wait_http "http://127.0.0.1:$TOKEN_REG_PORT/v2/" &&
		wait_http "http://127.0.0.1:$TOKEN_SRV_PORT/token" && wait_http "http://127.0.0.1:$PROXY_PORT/v2/" &&
		wait_http "http://127.0.0.1:$HOSTILE_PORT/v2/" && wait_http "https://127.0.0.1:$HOSTILE_TLS_PORT/v2/" ||
		return 1
	REG=127.0.0.1:$REG_PORT TOKEN_REG=127.0.0.1:$TOKEN_REG_PORT PROXY=127.0.0.1:$PROXY_PORT
	HOSTILE=127.0.0.1:$HOSTILE_PORT HOSTILE_TLS=127.0.0.1:$HOSTILE_TLS_PORT
	export REG TOKEN_REG PROXY HOSTILE HOSTILE_TLS HOSTILE_CONTROL REG_DIR TOKEN_SRV_PORT

	local t
	for t in busybox layers; do
		skopeo copy -q --dest-tls-verify=false "oci:$TEST_IMAGES:$t" "docker://$REG/test/$t:1" || return 1
	done
	skopeo copy -q --all --dest-tls-verify=false "oci:$TEST_IMAGES:multi" "docker://$REG/test/multi:1" || return 1
	for t in public private; do
		skopeo copy -q --dest-tls-verify=false --dest-creds hull:secret "oci:$TEST_IMAGES:busybox" \
			"docker://$TOKEN_REG/$t/busybox:1" || return 1
	done
}

stop_registries() {
	local pid
	[ -f "$REG_DIR/pids" ] || return 0
	for pid in $(cat "$REG_DIR/pids"); do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $(cat "$REG_DIR/pids"); do
		while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	done
	rm -f "$REG_DIR/pids"
}

# The registry's file for a blob (the plain registry keeps one copy per digest).
registry_blob_file() {
	local hex=${1#sha256:}
	echo "$REG_DIR/plain/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# The manifest digest of a tag of the test layout, and the digests of its layers.
layout_manifest() {
	jq -r --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
		"$TEST_IMAGES/index.json"
}
layout_layers() {
	local m
	m=$(layout_manifest "$1")
	jq -r '.layers[].digest' "$TEST_IMAGES/blobs/sha256/${m#sha256:}"
}

# setup_file of the image test files: the test images, built once and cached, on every registry.
image_tests_setup_file() {
	cd "$BATS_TEST_DIRNAME/../.."
	for c in docker-registry skopeo umoci python3 openssl getfattr; do
		command -v "$c" >/dev/null || skip "$c is not installed (tests/run-all installs it)"
	done
	TEST_IMAGES=$(tests/fixtures/test-images.sh "$HULL_TEST_ROOTFS")
	export TEST_IMAGES
	start_registries
}

# setup of the image test files: a store and an auth file of the test's own.
image_tests_setup() {
	HULL=$HULL_BUILD/src/hull
	STORE=$BATS_TEST_TMPDIR/store
	export REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/auth.json
	MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
}
