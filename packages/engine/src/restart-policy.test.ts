import { describe, expect, it } from 'vitest';
import { formatRestartPolicy, nextRestartDelay, parseRestartPolicy, shouldRestart } from './restart-policy.js';

describe('parseRestartPolicy', () => {
  it.each([
    ['no', { name: 'no', maximumRetryCount: 0 }],
    ['always', { name: 'always', maximumRetryCount: 0 }],
    ['unless-stopped', { name: 'unless-stopped', maximumRetryCount: 0 }],
    ['on-failure', { name: 'on-failure', maximumRetryCount: 0 }],
    ['on-failure:2', { name: 'on-failure', maximumRetryCount: 2 }],
  ])('%s', (text, policy) => {
    expect(parseRestartPolicy(text)).toEqual(policy);
    expect(formatRestartPolicy(parseRestartPolicy(text))).toBe(text);
  });

  it.each([
    ['sometimes', 'invalid restart policy "sometimes": expected no, always, unless-stopped or on-failure[:max-retries]'],
    ['always:3', "invalid restart policy \"always:3\": maximum retry count can only be used with 'on-failure'"],
    ['on-failure:x', 'invalid restart policy "on-failure:x": maximum retry count must be a non-negative integer, got "x"'],
    ['on-failure:1:2', 'invalid restart policy format: "on-failure:1:2"'],
  ])('refuses %s', (text, message) => {
    expect(() => parseRestartPolicy(text)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message }));
  });
});

describe('shouldRestart', () => {
  const exit = (exitCode: number, restartCount = 0, manuallyStopped = false) => ({ exitCode, restartCount, manuallyStopped });
  it('follows Docker', () => {
    expect(shouldRestart(parseRestartPolicy('no'), exit(1))).toBe(false);
    expect(shouldRestart(parseRestartPolicy('always'), exit(0))).toBe(true);
    expect(shouldRestart(parseRestartPolicy('always'), exit(0, 0, true))).toBe(false);
    expect(shouldRestart(parseRestartPolicy('unless-stopped'), exit(0))).toBe(true);
    expect(shouldRestart(parseRestartPolicy('on-failure'), exit(0))).toBe(false);
    expect(shouldRestart(parseRestartPolicy('on-failure'), exit(3, 100))).toBe(true);
    expect(shouldRestart(parseRestartPolicy('on-failure:2'), exit(3, 1))).toBe(true);
    expect(shouldRestart(parseRestartPolicy('on-failure:2'), exit(3, 2))).toBe(false);
  });
});

describe('nextRestartDelay', () => {
  it('doubles from 100 ms up to a minute, and resets after 10 s up', () => {
    expect(nextRestartDelay(0, 0)).toBe(100);
    expect(nextRestartDelay(100, 50)).toBe(200);
    expect(nextRestartDelay(40_000, 50)).toBe(60_000);
    expect(nextRestartDelay(60_000, 50)).toBe(60_000);
    expect(nextRestartDelay(3_200, 10_000)).toBe(100);
  });
});
