import { describe, expect, test } from 'vitest';
import { toDeleteArgs, toExecArgs, toGlobalArgs, toKillArgs, toRunArgs, toUpdateArgs } from './runc-args.js';
import { lastRuncLogMessage } from './runc.js';
import { normalizeSignal } from './signals.js';
import { DriverError } from './errors.js';

describe('runc argument builders', () => {
  test('update reads the resources from a file', () => expect(toUpdateArgs('c1', '/state/c1/update.json')).toEqual(['update', '--resources', '/state/c1/update.json', 'c1']));

  test.each([
    [{}, []],
    [{ root: '/run/x' }, ['--root', '/run/x']],
    [{ root: '/r', log: '/r/log', systemdCgroup: true }, ['--root', '/r', '--log', '/r/log', '--log-format', 'json', '--systemd-cgroup']],
  ])('global %j', (options, args) => expect(toGlobalArgs(options)).toEqual(args));

  test.each([
    [{ bundle: '/b' }, ['run', '--bundle', '/b', 'c1']],
    [{ bundle: '/b', keep: true, pidFile: '/p' }, ['run', '--bundle', '/b', '--keep', '--pid-file', '/p', 'c1']],
    [{ bundle: '/b', noPivot: true, noNewKeyring: true }, ['run', '--bundle', '/b', '--no-pivot', '--no-new-keyring', 'c1']],
  ])('run %j', (options, args) => expect(toRunArgs('c1', options)).toEqual(args));

  test.each([
    [{ processFile: '/p.json' }, ['exec', '--process', '/p.json', 'c1']],
    [{ processFile: '/p.json', tty: true, pidFile: '/pid', detach: true }, ['exec', '--process', '/p.json', '--tty', '--pid-file', '/pid', '--detach', 'c1']],
  ])('exec %j', (options, args) => expect(toExecArgs('c1', options)).toEqual(args));

  test('kill and delete', () => {
    expect(toKillArgs('c1', 'SIGTERM')).toEqual(['kill', 'c1', 'SIGTERM']);
    expect(toKillArgs('c1', 'SIGKILL', { all: true })).toEqual(['kill', '--all', 'c1', 'SIGKILL']);
    expect(toDeleteArgs('c1', { force: true })).toEqual(['delete', '--force', 'c1']);
    expect(toDeleteArgs('c1')).toEqual(['delete', 'c1']);
  });
});

describe('normalizeSignal', () => {
  test.each([
    ['TERM', 'SIGTERM', 15],
    ['sigkill', 'SIGKILL', 9],
    ['SIGHUP', 'SIGHUP', 1],
    [9, 'SIGKILL', 9],
    ['10', 'SIGUSR1', 10],
  ])('%j', (input, name, number) => expect(normalizeSignal(input)).toEqual({ name, number }));

  test.each(['FLY', 999, ''])('rejects %j', (input) => {
    expect(() => normalizeSignal(input)).toThrow(DriverError);
    try {
      normalizeSignal(input);
    } catch (error) {
      expect((error as DriverError).code).toBe('INVALID_SIGNAL');
      expect((error as DriverError).message).toContain(String(input));
    }
  });
});

describe('lastRuncLogMessage', () => {
  test('prefers the last error', () => {
    const log = [
      '{"level":"info","msg":"starting","time":"t"}',
      '{"level":"error","msg":"container_linux.go:380: starting container process caused: exec: \\"nope\\": executable file not found in $PATH","time":"t"}',
      '{"level":"warning","msg":"cleanup","time":"t"}',
    ].join('\n');
    expect(lastRuncLogMessage(log)).toContain('executable file not found');
  });
  test('empty log', () => expect(lastRuncLogMessage('')).toBeUndefined());
});
