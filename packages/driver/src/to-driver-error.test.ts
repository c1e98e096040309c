import { describe, expect, test } from 'vitest';
import { CgroupError } from '@execdriver/cgroups';
import { OciError } from '@execdriver/oci';
import { SpecError } from '@execdriver/spec';
import { TerminalError } from '@execdriver/terminal';
import { DriverError } from './errors.js';
import { classifyRuncFailure, fromRuncFailure, fromStartFailure, toDriverError } from './to-driver-error.js';

function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path, errno: -1 });
}

describe('toDriverError', () => {
  test.each([
    ['EACCES', 'PERMISSION_DENIED'],
    ['EPERM', 'PERMISSION_DENIED'],
    ['EROFS', 'PERMISSION_DENIED'],
    ['ENOTDIR', 'IO_FAILED'],
    ['ENOSPC', 'IO_FAILED'],
  ])('fs %s is %s naming the path, never INVALID_COMMAND', (code, driverCode) => {
    const error = toDriverError(errno(code, 'open', '/run/execdriver/containers/c1/container.json'), 'container c1') as DriverError;
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ code: driverCode, reason: code, path: '/run/execdriver/containers/c1/container.json' });
    expect(error.message).toContain('/run/execdriver/containers/c1/container.json');
  });

  test('other packages\' errors keep their code as reason', () => {
    const user = new OciError('USER_NOT_FOUND', 'user ghost not found', { field: 'process.user', value: 'ghost' });
    expect(toDriverError(user, 'exec in c1')).toMatchObject({ code: 'INVALID_COMMAND', reason: 'USER_NOT_FOUND', cause: user });
    expect(toDriverError(new SpecError('INVALID_COMMAND', []), 'container c1')).toMatchObject({ code: 'INVALID_COMMAND', reason: 'INVALID_COMMAND' });
    expect(toDriverError(new CgroupError('READ_FAILED', 'cannot read', { path: '/sys/fs/cgroup/x' }), 'container c1')).toMatchObject({ code: 'CGROUP_FAILED', path: '/sys/fs/cgroup/x' });
    expect(toDriverError(new TerminalError('PTY_UNAVAILABLE', 'no pty'), 'exec in c1')).toMatchObject({ code: 'TERMINAL_FAILED', reason: 'PTY_UNAVAILABLE' });
  });

  test('a DriverError and unknown errors pass unchanged', () => {
    const driverError = new DriverError('CONTAINER_NOT_FOUND', 'x');
    expect(toDriverError(driverError, 's')).toBe(driverError);
    const plain = new Error('plain');
    expect(toDriverError(plain, 's')).toBe(plain);
  });
});

describe('classifyRuncFailure', () => {
  const failure = (runcMessage: string) => new DriverError('RUNC_FAILED', `runc failed: ${runcMessage}`, { runc: { args: [], exitCode: 1, stderr: '', runcMessage } });
  test.each([
    ['container does not exist', 'not-found'],
    ['container not running', 'not-running'],
    ['cannot kill a stopped container', 'not-running'],
    ['container is paused', 'paused'],
    ['load state: unexpected end of JSON input', 'other'],
    // crun 1.8.1's words
    ['error opening file `/run/execdriver/crun/c1/status`: No such file or directory', 'not-found'],
    ["cannot open directory '/run/execdriver/crun/c1': No such file or directory", 'not-found'],
    ['open pidfd: No such process', 'not-running'],
  ])('%s is %s', (message, kind) => expect(classifyRuncFailure(failure(message))).toBe(kind));
});

test('fromRuncFailure: runc saw the container gone, stopped or paused after our check', () => {
  const failure = (runcMessage: string) => new DriverError('RUNC_FAILED', `runc kill failed: ${runcMessage}`, { runc: { args: ['kill', 'c1'], exitCode: 1, stderr: '', runcMessage } });
  expect(fromRuncFailure(failure('container not running'), 'c1')).toMatchObject({ code: 'CONTAINER_NOT_RUNNING', runc: { args: ['kill', 'c1'] } });
  expect(fromRuncFailure(failure('container does not exist'), 'c1')).toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
  const other = failure('permission denied');
  expect(fromRuncFailure(other, 'c1')).toBe(other);
});

describe('fromStartFailure (runc\'s words for a process that did not start, read once, here)', () => {
  const runcFailure = (runcMessage: string) => new DriverError('RUNC_FAILED', `exec in c failed: ${runcMessage}`, { runc: { args: [], exitCode: 255, stderr: '', runcMessage } });
  test.each([
    ['exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH', 'COMMAND_NOT_FOUND'],
    ['exec failed: unable to start container process: exec: "/no/such": stat /no/such: no such file or directory', 'COMMAND_NOT_FOUND'],
    ['exec failed: unable to start container process: chdir to cwd ("/nonexist") set in config.json failed: no such file or directory', 'COMMAND_NOT_INVOKABLE'],
    ['exec failed: unable to start container process: exec: "/etc/passwd": permission denied', 'COMMAND_NOT_INVOKABLE'],
    ['runc create failed: unable to start container process: error during container init: something else', 'RUNC_FAILED'],
    // crun 1.8.1's words
    ['executable file `nosuch` not found in $PATH: No such file or directory', 'COMMAND_NOT_FOUND'],
    ['open executable: Permission denied', 'COMMAND_NOT_INVOKABLE'],
    ['open executable: Operation not permitted', 'COMMAND_NOT_INVOKABLE'],
  ])('%s -> %s', (message, code) => {
    const error = fromStartFailure(runcFailure(message)) as DriverError;
    expect(error.code).toBe(code);
    expect(error.message).toBe(`exec in c failed: ${message}`);
    expect(error.runc?.runcMessage).toBe(message);
  });
});
