#!/usr/bin/env bash
# Runs the real-container suites that prove the cgroup v2 paths on a pure cgroup v2 kernel,
# inside a VM: the host's / is shared read-only, this repository read-write. Writes vitest's JSON
# report to the file given as $1. Needs the packages built (pnpm build) and root.
# The VM tool is EXECDRIVER_V2VM, else ../shared/v2vm/run-in-v2vm beside the repository (see its
# README); it fails when there is none.
set -euo pipefail
cd "$(dirname "$0")/../.."
results=${1:?usage: test-v2vm.sh RESULTS_JSON}
vm=${EXECDRIVER_V2VM:-../shared/v2vm/run-in-v2vm}
if [ ! -x "$vm" ]; then
  echo "test-v2vm: $vm not found (set EXECDRIVER_V2VM): cannot prove cgroup v2 on a real kernel" >&2
  exit 1
fi
EXECDRIVER_V2VM=$(realpath "$vm")
export EXECDRIVER_V2VM
vm=$EXECDRIVER_V2VM
inside=".v2vm-results.json"
rm -f "$inside"
suites=(packages/driver/src/driver.real.test.ts)
for suite in packages/cgroups/src/container.real.test.ts; do [ -f "$suite" ] && suites+=("$suite"); done
echo "test-v2vm: running ${suites[*]} on a pure cgroup v2 kernel"
status=0
V2VM_TIMEOUT=${V2VM_TIMEOUT:-1500} V2VM_ENV="EXECDRIVER_TEST_RESULTS CI" EXECDRIVER_TEST_RESULTS="$PWD/$inside" \
  "$vm" sh -c 'stat -fc "cgroup filesystem: %T" /sys/fs/cgroup && exec node_modules/.bin/vitest run '"${suites[*]}" || status=$?
if [ -f "$inside" ]; then mv "$inside" "$results"; fi
exit $status
