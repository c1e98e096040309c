#!/usr/bin/env bash
# Prepares a fresh Debian 12 + Node 20 machine (as root) to build, test and run execdriver.
# Installs only what is missing; a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."

PNPM_VERSION=12.4.2
need_apt=()
command -v runc >/dev/null 2>&1 || need_apt+=(runc)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need_apt+=(busybox-static)
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
command -v setcap >/dev/null 2>&1 || need_apt+=(libcap2-bin)
# --init runs Debian's static tini (/usr/bin/tini-static) as the container's PID 1.
[ -x /usr/bin/tini-static ] || need_apt+=(tini)
# Bridge networks: the CNI reference plugins (bridge, host-local, portmap, firewall, loopback),
# iptables for their NAT rules, iproute2 for routes; dnsname and dnsmasq for name resolution.
for pkg in containernetworking-plugins iptables iproute2 dnsmasq-base golang-github-containernetworking-plugin-dnsname; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$pkg")
done
# crun: the second OCI runtime, proven in the pure cgroup v2 VM (test-v2vm.sh) and benchmarked beside
# runc there; on a hybrid cgroup host like these machines runc stays the default.
command -v crun >/dev/null 2>&1 || need_apt+=(crun)
# The daemon's tests: docker-py (python3-docker), the docker CLI, and a real dockerd as the oracle (docker.io;
# its service is not started: the tests run their own on a private socket).
python3 -c 'import docker' >/dev/null 2>&1 || need_apt+=(python3-docker)
{ command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1; } || need_apt+=(docker.io)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No service starts from the install (docker.io's dockerd would take over the host's network).
  policy_added=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=true; fi
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  if [ "$policy_added" = true ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm i -g -E --allow-scripts=pnpm "pnpm@$PNPM_VERSION" >/dev/null
fi
export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile --reporter=silent
pnpm run --silent build >/dev/null
# The CLI on PATH: a symlink to this checkout's build, made when nothing else owns the name.
bin=${EXECDRIVER_BIN_DIR:-/usr/local/bin}/execdriver
target="$PWD/apps/cli/dist/cli.js"
if [ ! -e "$bin" ] || { [ -L "$bin" ] && [[ "$(readlink "$bin")" == */apps/cli/dist/cli.js ]]; }; then
  ln -sfn "$target" "$bin"
else
  echo "setup: $bin exists and is not ours; use 'pnpm execdriver' or node $target"
fi
# The daemon on PATH, the same way.
daemon_bin=${EXECDRIVER_BIN_DIR:-/usr/local/bin}/execdriverd
daemon_target="$PWD/apps/daemon/dist/execdriverd.js"
if [ ! -e "$daemon_bin" ] || { [ -L "$daemon_bin" ] && [[ "$(readlink "$daemon_bin")" == */apps/daemon/dist/execdriverd.js ]]; }; then
  ln -sfn "$daemon_target" "$daemon_bin"
else
  echo "setup: $daemon_bin exists and is not ours; use node $daemon_target"
fi
echo "setup: ready ($(runc --version | head -1), pnpm $(pnpm --version), node $(node --version)); execdriver -> $(readlink -f "$bin"), execdriverd -> $(readlink -f "$daemon_bin")"
