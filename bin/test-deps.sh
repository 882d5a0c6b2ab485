# Sourced by ./run-tests (and so by .ci/run): the Debian/Ubuntu packages the test suite uses, in
# one place. Missing ones are installed when we are root with apt; otherwise the suite stops at
# once with the exact command to run, instead of failing tests one by one much later.
JC_TEST_PACKAGES=(
  busybox-static                 # the test root filesystem (a static busybox)
  gcc libc6-dev                  # the launcher (x86_64)
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross   # the launcher for aarch64
  qemu-user-static               # runs the aarch64 launcher in LauncherBinaryTest
  runc crun bubblewrap           # peers for benchmarks and conformance
  podman                         # the CLI benchmark's peer (benchmarks/cli)
  buildah                        # the build benchmark's peer (benchmarks/run-build)
  containerd                     # ContainerdIT: a private containerd 1.6 runs jcontainer-runc through its runc v2 shim
  bats gawk jq dpkg-dev           # RuncBatsIT: runc's own bats suite (its helpers use gawk and jq; dpkg-source unpacks it)
  uidmap                         # newuidmap/newgidmap for the rootless tests
  util-linux procps python3      # unshare, ps, helpers of a few tests
  docker-registry apache2-utils  # jcontainer-oci: a real registry (started by the tests, never its service) + htpasswd
  skopeo umoci podman            # jcontainer-oci: peers that cross-check pushes, layouts and archives
  golang-github-opencontainers-image-spec-dev   # jcontainer-oci: the OCI image-spec JSON schemas
  libisal2                       # jcontainer-oci: ISA-L igzip, the fast gzip path (through FFM; the JDK is the fallback)
  fuse-overlayfs                 # image roots: the fallback when the kernel refuses the overlay (ImageRootFallbackTest, RootlessImageIT, ImageRootFallbackIT)
  libnftables1                   # bridge networks: NAT and published ports (libnftables through FFM)
  nftables                       # ... and its documented fallback, the nft program
  passt                          # rootless networking: pasta (outbound and -p for an ordinary user)
  slirp4netns                    # ... and its fallback, slirp4netns (RootlessTest runs both)
  docker.io curl                 # the API server's clients: docker's CLI (never its daemon), curl --unix-socket
  docker-compose                 # the API server's compose client (Debian's 1.29, docker-py)
  openssl                        # RemoteCliIT: a throw-away CA and certificates for the CLI client over TLS; its libssl3 has
                                 # libcrypto.so.3, the SHA-256 of pulls through FFM (NativeSha256Test; the JDK is the fallback)
  golang-github-opencontainers-specs-dev   # the runtime-spec JSON schema config.json and state JSON are validated against
)

jc_missing_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0   # not Debian-like: nothing we can check
  local p
  for p in "${JC_TEST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || printf '%s ' "$p"
  done
}

jc_install_test_packages() {
  local missing
  missing=$(jc_missing_packages)
  [ -n "$missing" ] || return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run-tests: installing the packages the tests use: $missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
    # The tests start docker-registry themselves on a random loopback port; the package's own
    # service (port 5000, on every address) is not wanted where systemd started it. Of docker.io
    # only the client is used: its daemon (and the socket that would start it) must not run.
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
      systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
      systemctl disable --now docker.socket docker.service containerd.service >/dev/null 2>&1 || true
    fi
  else
    cat >&2 <<MSG
run-tests: the test suite needs packages this machine lacks: $missing
Install them (as root), then run ./run-tests again:
  sudo apt-get install -y --no-install-recommends $missing
MSG
    exit 1
  fi
}
