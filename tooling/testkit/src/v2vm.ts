import { accessSync, constants } from 'node:fs';
import { isAbsolute } from 'node:path';

/**
 * The tool that runs a command in a VM with a pure cgroup v2 kernel (`run-in-v2vm`, see
 * `tooling/scripts/test-v2vm.sh`), from `EXECDRIVER_V2VM`. `.ci/run` and `test-v2vm.sh` set it
 * when CI provides the VM tool.
 *
 * - `{ path }`: set, absolute and executable: run the suite.
 * - `{ skip }`: not set outside CI: skip the suite, with `skip` as the describe title.
 * - `{ error }`: not set under `CI=true`, or set to something that cannot run: the suite must
 *   fail with this message (CI never silently skips the cgroup v2 proof).
 */
export type V2vmTool = { path: string; skip?: undefined; error?: undefined } | { path?: undefined; skip: string; error?: undefined } | { path?: undefined; skip?: undefined; error: string };

export function v2vmTool(env: NodeJS.ProcessEnv = process.env): V2vmTool {
  const path = env.EXECDRIVER_V2VM;
  if (!path) {
    if (env.CI === 'true') return { error: 'EXECDRIVER_V2VM is not set: CI must run the cgroup v2 VM suites (see tooling/scripts/test-v2vm.sh)' };
    return { skip: 'not run: EXECDRIVER_V2VM is not set (the path of run-in-v2vm, a pure cgroup v2 VM)' };
  }
  if (!isAbsolute(path)) return { error: `EXECDRIVER_V2VM=${path} is not an absolute path` };
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { error: `EXECDRIVER_V2VM=${path} is not an executable file` };
  }
  return { path };
}
