import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventFilters } from './event-filters.js';
import { formatTimestamp, parseTimestamp } from './event-time.js';
import { EventJournal, eventToJson, parseEventLine, type EventInput } from './events.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'execdriver-events-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (id: string, action: string, attributes: Record<string, string> = {}): EventInput => ({ Type: 'container', Action: action, Actor: { ID: id, Attributes: { image: 'busybox', name: `n-${id}`, ...attributes } } });

describe('EventJournal', () => {
  it('appends and reads events in order, with Docker JSON and exact nanoseconds', () => {
    const journal = new EventJournal(join(dir, 'order'));
    const first = journal.append(event('a', 'create'));
    journal.append(event('a', 'start'));
    const events = journal.read();
    expect(events.map((entry) => entry.Action)).toEqual(['create', 'start']);
    expect(events[0]!.timeNano).toBe(first.timeNano);
    const json = JSON.parse(eventToJson(first)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['status', 'id', 'from', 'Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);
    expect(eventToJson(first)).toMatch(new RegExp(`"timeNano":${first.timeNano}}$`));
    expect(parseEventLine(eventToJson(first))).toEqual(first);
  });

  it('skips a torn last line and a garbage line', () => {
    const journal = new EventJournal(join(dir, 'torn'));
    journal.append(event('a', 'create'));
    appendFileSync(journal.path, 'not json\n');
    journal.append(event('a', 'start'));
    appendFileSync(journal.path, '{"Type":"container","Action":"die","Act');
    expect(journal.read().map((entry) => entry.Action)).toEqual(['create', 'start']);
  });

  it('filters by since/until, container (name or id prefix), event, type, label, image', () => {
    const journal = new EventJournal(join(dir, 'filters'));
    const create = journal.append(event('abc123', 'create', { team: 'x' }));
    const start = journal.append(event('abc123', 'start', { team: 'x' }));
    journal.append(event('def456', 'die', { exitCode: '1' }));
    journal.append({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:1', Attributes: { name: 'busybox:v1' } } });
    const actions = (filters: string[], extra = {}) => journal.read({ filters: parseEventFilters(filters), ...extra }).map((entry) => `${entry.Actor.ID}:${entry.Action}`);
    expect(actions(['container=abc'])).toEqual(['abc123:create', 'abc123:start']);
    expect(actions(['container=n-def456'])).toEqual(['def456:die']);
    expect(actions(['event=die', 'event=create'])).toEqual(['abc123:create', 'def456:die']);
    expect(actions(['type=image'])).toEqual(['sha256:1:tag']);
    expect(actions(['label=team=x', 'event=start'])).toEqual(['abc123:start']);
    expect(actions(['label=team'])).toHaveLength(2);
    expect(actions(['image=busybox', 'type=container'])).toHaveLength(3);
    expect(actions([], { since: start.timeNano })).toHaveLength(3);
    expect(actions([], { until: create.timeNano })).toEqual(['abc123:create']);
    expect(() => parseEventFilters(['bogus=1'])).toThrow("invalid filter 'bogus'");
    expect(() => parseEventFilters(['container'])).toThrow('bad format of filter');
  });

  it('rotates past its limit, keeping one old file', () => {
    const journal = new EventJournal(join(dir, 'rotate'), { maxBytes: 2000 });
    for (let index = 0; index < 60; index += 1) journal.append(event(`c${index}`, 'create'));
    expect(statSync(journal.path).size).toBeLessThanOrEqual(2000);
    expect(statSync(journal.oldPath).size).toBeLessThanOrEqual(2000);
    const ids = journal.read().map((entry) => Number(entry.Actor.ID.slice(1)));
    expect(ids.at(-1)).toBe(59);
    // What is kept is the newest, in order, without gaps.
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => 60 - ids.length + index));
  });

  it('follows: past events from since, then new ones, through a rotation', async () => {
    const journal = new EventJournal(join(dir, 'follow'), { maxBytes: 1500 });
    const first = journal.append(event('p', 'create'));
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const entry of journal.follow({ since: first.timeNano, signal: controller.signal, pollMs: 10 })) {
        seen.push(entry.Actor.ID);
        if (seen.length === 41) controller.abort();
      }
    })();
    for (let index = 0; index < 40; index += 1) {
      journal.append(event(`f${index}`, 'start'));
      if (index % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await following;
    expect(seen).toEqual(['p', ...Array.from({ length: 40 }, (_, index) => `f${index}`)]);
  });

  it('follows past events and new ones with until alone, and stops at until', async () => {
    const journal = new EventJournal(join(dir, 'until'));
    journal.append(event('old', 'create'));
    const until = parseTimestamp('0s') + 300_000_000n;
    const seen: string[] = [];
    const following = (async () => {
      for await (const entry of journal.follow({ pollMs: 10, until })) seen.push(entry.Actor.ID);
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    journal.append(event('new', 'create'));
    await following;
    expect(seen).toEqual(['old', 'new']);
  });

  it('follows only new events without since and until', async () => {
    const journal = new EventJournal(join(dir, 'new-only'));
    journal.append(event('old', 'create'));
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const entry of journal.follow({ pollMs: 10, signal: controller.signal })) {
        seen.push(entry.Actor.ID);
        controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    journal.append(event('new', 'create'));
    await following;
    expect(seen).toEqual(['new']);
  });
});

describe('concurrent appenders', () => {
  let compiled: string;
  beforeAll(() => {
    // Compiled on the spot: the child processes run plain JavaScript (Node 20 runs no TypeScript).
    compiled = join(dir, 'compiled');
    const tsc = fileURLToPath(new URL('../../../node_modules/.bin/tsc', import.meta.url));
    const source = fileURLToPath(new URL('.', import.meta.url));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', outDir: compiled, rootDir: source, skipLibCheck: true, types: ['node'], typeRoots: [fileURLToPath(new URL('../../../node_modules/@types', import.meta.url))] }, files: ['events.ts', 'event-filters.ts', 'event-time.ts', 'errors.ts'].map((file) => join(source, file)) }));
    const result = spawnSync(tsc, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    writeFileSync(join(compiled, 'package.json'), '{"type":"module"}');
  });

  it('never interleaves the lines of several processes, also across rotations', async () => {
    const journalDir = join(dir, 'concurrent');
    const script = `import { EventJournal } from ${JSON.stringify(join(compiled, 'events.js'))};
const journal = new EventJournal(${JSON.stringify(journalDir)}, { maxBytes: 600000 });
const pad = 'x'.repeat(Number(process.argv[2]) % 3 * 500);
for (let index = 0; index < 400; index += 1) journal.append({ Type: 'container', Action: 'start', Actor: { ID: process.argv[2] + '-' + index, Attributes: { pad } } });`;
    writeFileSync(join(compiled, 'appender.mjs'), script);
    const processes = 4;
    await Promise.all(
      Array.from({ length: processes }, (_, writer) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [join(compiled, 'appender.mjs'), String(writer)], { stdio: 'inherit' });
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`appender ${writer} exited ${code}`))));
        }),
      ),
    );
    const journal = new EventJournal(journalDir, { maxBytes: 600000 });
    // About 1 MB in all: rotated once, so nothing was dropped.
    expect(statSync(journal.oldPath).size).toBeGreaterThan(0);
    for (const path of [journal.oldPath, journal.path]) {
      const text = readFileSync(path, 'utf8');
      // Every line is whole JSON: no two writes interleaved.
      for (const line of text.split('\n').slice(0, -1)) expect(parseEventLine(line), line.slice(0, 80)).toBeDefined();
    }
    const events = journal.read();
    // Each writer's own events keep their order, and the newest are all there.
    for (let writer = 0; writer < processes; writer += 1) {
      const indexes = events.filter((entry) => entry.Actor.ID.startsWith(`${writer}-`)).map((entry) => Number(entry.Actor.ID.split('-')[1]));
      expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
      expect(indexes).toEqual(Array.from({ length: 400 }, (_, index) => index));
    }
  });
});

describe('times', () => {
  it('parses Docker --since/--until values', () => {
    const now = 1_700_000_000_000_000_000n;
    expect(parseTimestamp('10m', now)).toBe(now - 600_000_000_000n);
    expect(parseTimestamp('1h30m', now)).toBe(now - 5_400_000_000_000n);
    expect(parseTimestamp('1700000000', now)).toBe(1_700_000_000_000_000_000n);
    expect(parseTimestamp('1700000000.5', now)).toBe(1_700_000_000_500_000_000n);
    expect(parseTimestamp('2024-01-01T00:00:00Z', now)).toBe(BigInt(Date.parse('2024-01-01T00:00:00Z')) * 1_000_000n);
    expect(parseTimestamp('2024-01-01T00:00:00.123456789Z', now) % 1_000_000_000n).toBe(123_456_789n);
    expect(parseTimestamp('2024-01-01T02:00:00+02:00', now)).toBe(BigInt(Date.parse('2024-01-01T00:00:00Z')) * 1_000_000n);
    expect(() => parseTimestamp('yesterday', now)).toThrow('invalid time "yesterday"');
  });

  it('formats RFC3339 with nine digits, as Docker prints events and log timestamps', () => {
    expect(formatTimestamp(1_700_000_000_000_000_001n)).toBe('2023-11-14T22:13:20.000000001Z');
    expect(formatTimestamp(1_700_000_000_000_000_001n, { offsetMinutes: 120 })).toBe('2023-11-15T00:13:20.000000001+02:00');
  });
});
