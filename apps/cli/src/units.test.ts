import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { formatBinarySize, formatDecimalSize, humanDuration, parseDuration, parseSize, parseSizeOrUnlimited } from './units.js';

describe('parseSize', () => {
  it.each([
    ['64m', 64 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1G', 1024 ** 3],
    ['512k', 512 * 1024],
    ['512KiB', 512 * 1024],
    ['64mb', 64 * 1024 ** 2],
    ['1048576', 1048576],
    ['100b', 100],
    ['1.5g', 1.5 * 1024 ** 3],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseSize('--memory', text)).toBe(bytes);
  });

  it.each(['', 'm', '64x', '-1', '1gg', 'ten'])('rejects %j naming the flag and value', (text) => {
    expect(() => parseSize('--memory', text)).toThrow(new CliError('USAGE', `invalid value ${JSON.stringify(text)} for flag --memory: expected a size like 64m or 1g`));
  });

  it('takes -1 where unlimited is allowed', () => {
    expect(parseSizeOrUnlimited('--memory-swap', '-1')).toBe(-1);
    expect(parseSizeOrUnlimited('--memory-swap', '32m')).toBe(32 * 1024 ** 2);
  });
});

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['10', 10_000],
    ['1m30s', 90_000],
    ['250ms', 250],
    ['1h', 3_600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration('--time', text)).toBe(ms);
  });

  it.each(['', 's', '10x', '1m 30s'])('rejects %j', (text) => {
    expect(() => parseDuration('--time', text)).toThrow(/for flag --time/);
  });
});

describe('sizes and durations for people', () => {
  it.each([
    [0, '0B', '0B'],
    [1536, '1.5KiB', '1.54kB'],
    [64 * 1024 ** 2, '64MiB', '67.1MB'],
    [2_087_354_368, '1.944GiB', '2.09GB'],
  ])('%d bytes', (bytes, binary, decimal) => {
    expect(formatBinarySize(bytes)).toBe(binary);
    expect(formatDecimalSize(bytes)).toBe(decimal);
  });

  it.each([
    [400, 'Less than a second'],
    [1000, '1 second'],
    [5000, '5 seconds'],
    [60_000, 'About a minute'],
    [180_000, '3 minutes'],
    [3_600_000, 'About an hour'],
    [7_200_000, '2 hours'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
