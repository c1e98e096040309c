import { DriverError } from '@execdriver/driver';
import { OciError } from '@execdriver/oci';
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from './errors.js';
import { toStartFailure } from './start-failure.js';

function runcFailure(runcMessage: string): DriverError {
  return new DriverError('RUNC_FAILED', `exec in c failed: ${runcMessage}`, { runc: { args: [], exitCode: 255, stderr: '', runcMessage } });
}

describe('toStartFailure (Docker exit codes for a process runc could not start)', () => {
  it.each([
    ['exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH', 127],
    ['exec failed: unable to start container process: exec: "/no/such": stat /no/such: no such file or directory', 127],
    ['exec failed: unable to start container process: chdir to cwd ("/nonexist") set in config.json failed: no such file or directory', 126],
    ['exec failed: unable to start container process: exec: "/etc/passwd": permission denied', 126],
    ['runc create failed: unable to start container process: error during container init: something else', 125],
  ])('%s -> %i', (message, exitCode) => {
    expect(exitCodeOf(toStartFailure(runcFailure(message)), 'exec')).toBe(exitCode);
  });

  it.each([
    [new OciError('USER_NOT_FOUND', 'user "nosuchuser" is not in /var/lib/execdriver/containers/c/rootfs/etc/passwd', { value: 'nosuchuser' }), 'unable to find user nosuchuser: no matching entries in passwd file'],
    [new OciError('GROUP_NOT_FOUND', 'group "nogroup2" is not in /x/etc/group', { value: 'nogroup2' }), 'unable to find group nogroup2: no matching entries in group file'],
  ])("says Docker's words for an unknown user or group, without the rootfs path", (cause, message) => {
    const error = toStartFailure(new DriverError('INVALID_COMMAND', `container c: ${cause.message}`, { cause }));
    expect(error).toMatchObject({ message });
    expect(exitCodeOf(error, 'run')).toBe(125);
  });
});
