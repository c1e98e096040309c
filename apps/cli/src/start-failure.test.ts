import { DriverError } from '@execdriver/driver';
import { OciError } from '@execdriver/oci';
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from './errors.js';
import { toStartFailure } from './start-failure.js';

describe('toStartFailure (Docker exit codes for a process that did not start, from the driver codes)', () => {
  it.each([
    ['COMMAND_NOT_FOUND', 127],
    ['COMMAND_NOT_INVOKABLE', 126],
    ['RUNC_FAILED', 125],
    ['HOOK_FAILED', 125],
  ] as const)('%s -> %i', (code, exitCode) => {
    const error = toStartFailure(new DriverError(code, 'exec in c failed: words'));
    expect(exitCodeOf(error, 'exec')).toBe(exitCode);
    expect((error as Error).message).toBe('exec in c failed: words');
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
