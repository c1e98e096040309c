#!/usr/bin/env bash
# Runs the real-container suites that prove the cgroup v2 paths on a pure cgroup v2 kernel,
# inside a VM: the host's / is shared read-only, this repository read-write. The driver's suite
# runs twice, with runc and with crun (EXECDRIVER_RUNTIME), the other suites once. Writes one
# vitest JSON report to the file given as $1, the counts of every run merged: a run that failed or
# left no report counts as failed. Needs the packages built (pnpm build) and root.
# The VM tool is the one EXECDRIVER_V2VM names (.ci/run sets it); it fails when there is none.
set -euo pipefail
cd "$(dirname "$0")/../.."
results=${1:?usage: test-v2vm.sh RESULTS_JSON}
vm=${EXECDRIVER_V2VM:-}
if [ -z "$vm" ] || [ ! -x "$vm" ]; then
  echo "test-v2vm: no VM tool at ${vm:-(EXECDRIVER_V2VM unset)} (set EXECDRIVER_V2VM): cannot prove cgroup v2 on a real kernel" >&2
  exit 1
fi
EXECDRIVER_V2VM=$(realpath "$vm")
export EXECDRIVER_V2VM
vm=$EXECDRIVER_V2VM
suites=(packages/driver/src/driver.real.test.ts)
for suite in packages/cgroups/src/container.real.test.ts; do [ -f "$suite" ] && suites+=("$suite"); done
status=0
reports=()
# run_in_vm RUNTIME SUITE...: one VM, vitest's JSON report kept in .v2vm-results-RUNTIME.json.
run_in_vm() {
  local runtime=$1; shift
  local inside=".v2vm-results-$runtime.json"
  rm -f "$inside"
  echo "test-v2vm: running $* with $runtime on a pure cgroup v2 kernel"
  V2VM_TIMEOUT=${V2VM_TIMEOUT:-1500} V2VM_ENV="EXECDRIVER_TEST_RESULTS EXECDRIVER_RUNTIME CI" EXECDRIVER_TEST_RESULTS="$PWD/$inside" EXECDRIVER_RUNTIME="$runtime" \
    "$vm" sh -c 'stat -fc "cgroup filesystem: %T" /sys/fs/cgroup && command -v "$EXECDRIVER_RUNTIME" && exec node_modules/.bin/vitest run "$@"' sh "$@" || status=$?
  reports+=("$inside")
}
run_in_vm runc "${suites[@]}"
run_in_vm crun packages/driver/src/driver.real.test.ts
# One report for CI: the counts summed; a missing or unreadable report is one failed test.
node -e '
const fs = require("fs");
const [out, ...files] = process.argv.slice(1);
const merged = { numPassedTests: 0, numFailedTests: 0, numTotalTests: 0, success: true, runs: [] };
for (const file of files) {
  let report;
  try { report = JSON.parse(fs.readFileSync(file, "utf8")); } catch { report = undefined; }
  if (!report) { merged.numFailedTests += 1; merged.numTotalTests += 1; merged.success = false; merged.runs.push({ file, missing: true }); continue; }
  merged.numPassedTests += report.numPassedTests; merged.numFailedTests += report.numFailedTests; merged.numTotalTests += report.numTotalTests;
  if (!report.success) merged.success = false;
  merged.runs.push({ file, numPassedTests: report.numPassedTests, numFailedTests: report.numFailedTests, success: report.success });
  console.log(`test-v2vm: ${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
fs.writeFileSync(out, JSON.stringify(merged));' "$results" "${reports[@]}"
rm -f "${reports[@]}"
exit $status
