import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonFileWriter } from './json-file.js';
import { jsonFileLimits, parseLogConfig } from './log-config.js';

const dir = mkdtempSync(join(tmpdir(), 'execdriver-json-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { log: string; stream: string; time: string });

describe('JsonFileWriter', () => {
  it("writes Docker's json-file lines, one per line of output, in arrival order", () => {
    const path = join(dir, 'order-json.log');
    const writer = new JsonFileWriter(path, { maxSizeBytes: undefined, maxFiles: 1 });
    writer.write('stdout', Buffer.from('one\ntw'));
    writer.write('stderr', Buffer.from('err "quoted"\n'));
    writer.write('stdout', Buffer.from('o\n'));
    writer.write('stdout', Buffer.from('partial'));
    writer.close();
    const entries = lines(path);
    expect(entries.map((entry) => [entry.stream, entry.log])).toEqual([['stdout', 'one\n'], ['stderr', 'err "quoted"\n'], ['stdout', 'two\n'], ['stdout', 'partial']]);
    expect(entries[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  });

  it('rotates past max-size, keeping max-file files', () => {
    const path = join(dir, 'rotate-json.log');
    const writer = new JsonFileWriter(path, jsonFileLimits(parseLogConfig('json-file', ['max-size=1k', 'max-file=3'])));
    for (let index = 0; index < 100; index += 1) writer.write('stdout', Buffer.from(`line ${index}\n`));
    writer.close();
    expect(readdirSync(dir).filter((file) => file.startsWith('rotate-json.log')).sort()).toEqual(['rotate-json.log', 'rotate-json.log.1', 'rotate-json.log.2']);
    for (const file of ['', '.1', '.2']) expect(readFileSync(`${path}${file}`).length).toBeLessThanOrEqual(1024);
    expect(lines(path).at(-1)!.log).toBe('line 99\n');
    const kept = [...lines(`${path}.2`), ...lines(`${path}.1`), ...lines(path)].map((entry) => Number(entry.log.split(' ')[1]));
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, index) => 100 - kept.length + index));
  });

  it('checks log options as Docker does', () => {
    expect(parseLogConfig(undefined, [])).toEqual({ Type: 'json-file', Config: {} });
    expect(jsonFileLimits(parseLogConfig('json-file', ['max-size=10m', 'max-file=3']))).toEqual({ maxSizeBytes: 10 * 1024 ** 2, maxFiles: 3 });
    expect(() => parseLogConfig('syslog')).toThrow("no log driver named 'syslog'");
    expect(() => parseLogConfig('json-file', ['max-file=3'])).toThrow('max-file can only be used with max-size');
    expect(() => parseLogConfig('json-file', ['max-size=lots'])).toThrow('max-size');
    expect(() => parseLogConfig('json-file', ['bogus=1'])).toThrow("unknown log opt 'bogus'");
    expect(() => parseLogConfig('none', ['max-size=1m'])).toThrow('unknown log opt');
  });
});
