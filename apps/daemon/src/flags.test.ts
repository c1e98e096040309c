import { describe, expect, it } from 'vitest';
import { parseDaemonFlags, socketPathOf } from './flags.js';

describe('parseDaemonFlags', () => {
  it('takes the CLI roots from the environment by default', () => {
    const flags = parseDaemonFlags([], { EXECDRIVER_STATE_ROOT: '/s', EXECDRIVER_DATA_ROOT: '/d' });
    expect(flags).toMatchObject({ hosts: ['unix:///run/execdriverd.sock'], execRoot: '/s', dataRoot: '/d', group: 'docker', logLevel: 'info' });
  });

  it("reads dockerd's flag names, -H repeatable", () => {
    const flags = parseDaemonFlags(['-H', 'unix:///a.sock', '--host=unix:///b.sock', '--data-root', '/x', '--exec-root=/y', '--pidfile', '/p', '-G', 'wheel', '--log-level', 'debug', '--default-runtime', '/opt/runc'], {});
    expect(flags).toMatchObject({ hosts: ['unix:///a.sock', 'unix:///b.sock'], dataRoot: '/x', execRoot: '/y', pidfile: '/p', group: 'wheel', logLevel: 'debug', runc: '/opt/runc' });
  });

  it.each([
    [['-H', 'tcp://0.0.0.0:2375'], /unix sockets only/],
    [['-H', '0.0.0.0:2375'], /unix sockets only/],
    [['-H', 'unix://relative.sock'], /must be absolute/],
    [['--log-level', 'chatty'], /--log-level/],
    [['--default-runtime', 'kata'], /invalid value "kata" for flag --default-runtime: give runc, crun, youki or the absolute path/],
    [['--default-runtime', 'bin/runc'], /--default-runtime/],
    [['--data-root', 'rel'], /absolute/],
    [['--bogus'], /unknown flag: --bogus/],
    [['--pidfile'], /needs an argument/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseDaemonFlags(argv, {})).toThrow(message);
  });

  it.each(['runc', 'crun', 'youki', '/usr/local/bin/crun'])('--default-runtime %s is the default runtime', (runtime) => {
    expect(parseDaemonFlags(['--default-runtime', runtime], {}).runc).toBe(runtime);
  });

  it('maps unix:// hosts to socket paths', () => {
    expect(socketPathOf('unix:///run/x.sock')).toBe('/run/x.sock');
  });
});
