// Docker's prune commands and `system df` through the built binary on real containers: what goes,
// what stays, the prompts, the reclaimed sizes and the events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

let harness: Harness;
let cli: Harness['cli'];

async function ok(args: readonly string[], input?: string): Promise<string> {
  const result = await cli(args, input === undefined ? {} : { input });
  expect(result, args.join(' ')).toMatchObject({ exitCode: 0 });
  return result.stdout;
}

async function exists(reference: string): Promise<boolean> {
  return (await cli(['inspect', reference])).exitCode === 0;
}

async function since(): Promise<string> {
  return String(Date.now() / 1000);
}

/** Journaled events since `start` as `Action ID` lines. */
async function eventsSince(start: string, filter: string): Promise<string[]> {
  const text = await ok(['events', '--since', start, '--until', String(Date.now() / 1000 + 1), '--filter', filter, '--format', 'json']);
  return text.split('\n').filter(Boolean).map((line) => { const event = JSON.parse(line) as { Action: string; Actor: { ID: string } }; return `${event.Action} ${event.Actor.ID}`; });
}

beforeAll(async () => {
  harness = await createHarness('prune');
  cli = harness.cli;
});

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
});

describe('container prune', () => {
  it('asks first: no keeps everything and exits 0; yes removes the stopped ones only, with their size', async () => {
    await ok(['run', '--name', 'stopped1', 'busybox', 'sh', '-c', 'head -c 5000 /dev/zero > /filler']);
    await ok(['create', '--name', 'created1', 'busybox', 'true']);
    await ok(['run', '-d', '--name', 'running1', 'busybox', 'sleep', '100']);
    const declined = await cli(['container', 'prune'], { input: 'n\n' });
    expect(declined).toEqual({ exitCode: 0, stdout: 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ', stderr: '' });
    expect(await exists('stopped1')).toBe(true);
    const stoppedId = (await ok(['inspect', '-f', '{{.Id}}', 'stopped1'])).trim();
    const createdId = (await ok(['inspect', '-f', '{{.Id}}', 'created1'])).trim();
    const start = await since();
    const output = await ok(['container', 'prune'], 'y\n');
    expect(output.startsWith('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] Deleted Containers:\n')).toBe(true);
    expect(output).toContain(`${stoppedId}\n`);
    expect(output).toContain(`${createdId}\n`);
    expect(output).toMatch(/\n\nTotal reclaimed space: 5kB\n$/);
    expect(await exists('stopped1')).toBe(false);
    expect(await exists('created1')).toBe(false);
    expect(await exists('running1')).toBe(true);
    expect((await eventsSince(start, 'event=destroy')).sort()).toEqual([`destroy ${createdId}`, `destroy ${stoppedId}`].sort());
    await ok(['rm', '-f', 'running1']);
  });

  it('-f with label filters removes only the matching ones; nothing to remove prints 0B', async () => {
    await ok(['create', '--name', 'keepme', '--label', 'keep=yes', 'busybox', 'true']);
    await ok(['create', '--name', 'dropme', '--label', 'drop', 'busybox', 'true']);
    await ok(['create', '--name', 'plain', 'busybox', 'true']);
    const output = await ok(['container', 'prune', '-f', '--filter', 'label=drop']);
    expect(output).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/);
    expect(await exists('dropme')).toBe(false);
    expect(await exists('keepme')).toBe(true);
    await ok(['container', 'prune', '-f', '--filter', 'label!=keep']);
    expect(await exists('plain')).toBe(false);
    expect(await exists('keepme')).toBe(true);
    // until: made before a time that has not come yet -> matches; before one long past -> not.
    expect(await ok(['container', 'prune', '-f', '--filter', 'until=2001-01-01T00:00:00Z'])).toBe('Total reclaimed space: 0B\n');
    expect(await exists('keepme')).toBe(true);
    await ok(['container', 'prune', '-f', '--filter', `until=${Math.ceil(Date.now() / 1000) + 60}`]);
    expect(await exists('keepme')).toBe(false);
    expect((await cli(['container', 'prune', '-f', '--filter', 'bogus=1'])).exitCode).not.toBe(0);
  });
});

describe('image prune', () => {
  it('removes dangling images; -a removes every image no container uses; used ones stay', async () => {
    await ok(['run', '--name', 'base', 'busybox', 'sh', '-c', 'echo x > /x']);
    const dangling = (await ok(['commit', 'base'])).trim();
    const tagged = (await ok(['commit', 'base', 'mine:1'])).trim();
    await ok(['create', '--name', 'user', 'mine:1', 'true']);
    const unusedTagged = (await ok(['commit', 'base', 'spare:1'])).trim();
    const start = await since();
    const declined = await cli(['image', 'prune'], { input: '\n' });
    expect(declined.stdout).toBe('WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ');
    expect(await exists(dangling)).toBe(true);
    const output = await ok(['image', 'prune', '-f']);
    expect(output).toMatch(new RegExp(`^Deleted Images:\\ndeleted: ${dangling}\\n\\nTotal reclaimed space: [1-9][0-9.]*[kM]B\\n$`));
    expect(await exists(dangling)).toBe(false);
    expect(await exists('spare:1')).toBe(true);
    const all = await ok(['image', 'prune', '-a', '-f']);
    expect(all).toContain('untagged: spare:1\n');
    expect(all).toContain(`deleted: ${unusedTagged}\n`);
    expect(all).not.toContain('busybox'); // used by the container base
    expect(all).not.toContain(tagged);
    expect(await exists('spare:1')).toBe(false);
    expect(await exists('mine:1')).toBe(true);
    const events = await eventsSince(start, 'type=image');
    expect(events).toContain(`delete ${dangling}`);
    expect(events).toContain(`untag ${unusedTagged}`);
    expect(events).toContain(`delete ${unusedTagged}`);
    await ok(['rm', 'user', 'base']);
  });
});

describe('volume and system prune, system df', () => {
  it('system df counts, then system prune -a --volumes reclaims containers, anonymous volumes and images', async () => {
    await ok(['volume', 'create', 'named']);
    await ok(['run', '--name', 'withvol', '-v', '/data', 'busybox', 'sh', '-c', 'head -c 3000 /dev/zero > /data/f; head -c 2000 /dev/zero > /g']);
    await ok(['run', '-d', '--name', 'alive', 'busybox', 'sleep', '100']);
    const df = await ok(['system', 'df']);
    const lines = df.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TYPE {12}TOTAL {5}ACTIVE {4}SIZE {6}RECLAIMABLE$/);
    expect(lines[1]).toMatch(/^Images {10}\d+ +1 +\S+B +\S+B \(\d+%\)$/);
    expect(lines[2]).toMatch(/^Containers {6}2 +1 +2kB +2kB \(100%\)$/);
    expect(lines[3]).toMatch(/^Local Volumes   2 +1 +3kB +0B \(0%\)$/);
    expect(lines[4]).toMatch(/^Build Cache {5}0 +0 +0B +0B$/);
    const verbose = await ok(['system', 'df', '-v']);
    expect(verbose).toContain('Images space usage:\n\nREPOSITORY');
    expect(verbose).toMatch(/\nnamed +0 +0B\n/);
    expect(verbose).toContain('withvol');

    const declined = await cli(['system', 'prune', '-a', '--volumes'], { input: 'no\n' });
    expect(declined.stdout).toBe(
      'WARNING! This will remove:\n  - all stopped containers\n  - all anonymous volumes not used by at least one container\n  - all images without at least one container associated to them\n  - all build cache\n\nAre you sure you want to continue? [y/N] ',
    );
    expect(await exists('withvol')).toBe(true);
    const output = await ok(['system', 'prune', '-a', '--volumes', '-f']);
    // mine:1 (left by the image test, its container gone) goes; busybox stays (alive uses it).
    expect(output).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n\nDeleted Volumes:\n[0-9a-f]{64}\n\nDeleted Images:\nuntagged: mine:1\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: [1-9][0-9.]*MB\n$/);
    expect(output).not.toContain('busybox');
    expect(await exists('withvol')).toBe(false);
    expect(await exists('alive')).toBe(true);
    expect((await ok(['volume', 'ls', '-q'])).trim()).toBe('named');
    // volume prune: -a takes the named one too.
    expect(await ok(['volume', 'prune', '-f'])).toBe('Total reclaimed space: 0B\n');
    expect(await ok(['volume', 'prune', '-a', '-f'])).toBe('Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n');
    await ok(['rm', '-f', 'alive']);
    const images = await ok(['system', 'prune', '-a', '-f']);
    expect(images).toMatch(/^Deleted Images:\nuntagged: busybox:latest\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: [1-9][0-9.]*[kM]B\n$/);
    expect((await ok(['images', '-q'])).trim()).toBe('');
  });
});

describe('leaks', () => {
  it('leaves nothing behind', async () => {
    await ok(['container', 'prune', '-f']);
    expect(harness.leftovers()).toEqual([]);
  });
});
