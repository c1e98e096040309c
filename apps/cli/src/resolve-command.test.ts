import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { completeRunDraft, validateCommand, type ResolveRunOptions } from './resolve-command.js';
import { parseRunFlags } from './run-flags.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const base = {};

/** What the engine does with the draft, minus the image: the id and root filesystem, then the check. */
async function resolveRunCommand(parsed: ReturnType<typeof parseRunFlags>, options: ResolveRunOptions) {
  const draft = await completeRunDraft(parsed, options);
  return validateCommand({ ...draft, id: 'web', rootfs: '/var/lib/execdriver/containers/web/rootfs' }, parsed.cliOptions.flagTexts);
}

describe('completeRunDraft + validateCommand', () => {

  it('puts --env-file entries before -e ones, so -e wins', async () => {
    const command = await resolveRunCommand(parseRunFlags(['--env-file', `${fixtures}app.env`, '-e', 'A=from-flag', 'busybox', 'env']), base);
    expect(command.process.env).toEqual(['A=from-file', 'B=file', 'A=from-flag']);
  });

  it('names a missing --env-file', async () => {
    await expect(resolveRunCommand(parseRunFlags(['--env-file', '/nonexistent.env', 'busybox', 'env']), base)).rejects.toThrow(
      'invalid value "/nonexistent.env" for flag --env-file: no such file',
    );
  });

  it('reads a Docker seccomp profile into an OCI one', async () => {
    const command = await resolveRunCommand(parseRunFlags(['--security-opt', `seccomp=${fixtures}seccomp-docker.json`, 'busybox', 'true']), base);
    expect(command.seccomp).toEqual({
      mode: 'custom',
      profile: {
        defaultAction: 'SCMP_ACT_ERRNO',
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
        syscalls: [{ names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' }],
      },
    });
  });

  it('maps --userns-remap through the subordinate ids', async () => {
    const command = await resolveRunCommand(parseRunFlags(['--userns-remap', 'remapper', 'busybox', 'id']), { ...base, etcRoot: `${fixtures}etc` });
    expect(command.userNamespace).toEqual({
      uidMappings: [{ containerId: 0, hostId: 200000, size: 65536 }],
      gidMappings: [{ containerId: 0, hostId: 300000, size: 65536 }],
    });
  });

  it('names the flag of a remap user without subordinate ids', async () => {
    await expect(resolveRunCommand(parseRunFlags(['--userns-remap', 'root', 'busybox', 'id']), { ...base, etcRoot: `${fixtures}etc` })).rejects.toThrow(
      /^invalid value "root" for flag --userns-remap: user root has no subordinate uids/,
    );
  });

  it.each([
    [['-m', '1m', 'busybox', 'true'], 'invalid value "1m" for flag --memory: must be at least 6291456 bytes'],
    [['-m', '4k', 'busybox', 'true'], 'invalid value "4k" for flag --memory: must be at least 6291456 bytes'],
    [['-m', '64m', '--memory-swap', '32m', 'busybox', 'true'], 'invalid value "32m" for flag --memory-swap: must be at least memory (67108864) or -1'],
    [['--cpuset-cpus', '3-1', 'busybox', 'true'], 'invalid value "3-1" for flag --cpuset-cpus'],
    [['--ulimit', 'bogus=1', 'busybox', 'true'], 'for flag --ulimit: unknown rlimit "bogus"'],
    [['--cap-add', 'NOT_A_CAP', 'busybox', 'true'], 'for flag --cap-add'],
    [['-h', 'bad_host!', 'busybox', 'true'], 'for flag --hostname'],
  ])('validates %j with the spec and names the flag: %s', async (argv, message) => {
    await expect(resolveRunCommand(parseRunFlags(argv), base)).rejects.toThrow(message);
  });
});
