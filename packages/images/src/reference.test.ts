import { describe, expect, it } from 'vitest';
import { ImageError } from './errors.js';
import { parseImageReference } from './reference.js';

describe('parseImageReference (Docker normalisation)', () => {
  it.each(['busybox', 'busybox:latest', 'library/busybox', 'library/busybox:latest', 'docker.io/library/busybox:latest', 'index.docker.io/library/busybox'])('%s is docker.io/library/busybox:latest', (text) => {
    const reference = parseImageReference(text);
    expect(reference.canonical).toBe('docker.io/library/busybox:latest');
    expect(reference.familiar).toBe('busybox:latest');
    expect(reference.familiarName).toBe('busybox');
  });

  it.each([
    ['alpine:3.19', 'docker.io/library/alpine:3.19', 'alpine:3.19'],
    ['me/app', 'docker.io/me/app:latest', 'me/app:latest'],
    ['localhost/app:dev', 'localhost/app:dev', 'localhost/app:dev'],
    ['localhost:5000/team/app:1.0', 'localhost:5000/team/app:1.0', 'localhost:5000/team/app:1.0'],
    ['ghcr.io/o/r', 'ghcr.io/o/r:latest', 'ghcr.io/o/r:latest'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`, `busybox@sha256:${'a'.repeat(64)}`],
    [`busybox:1.36@sha256:${'b'.repeat(64)}`, `docker.io/library/busybox:1.36@sha256:${'b'.repeat(64)}`, `busybox:1.36@sha256:${'b'.repeat(64)}`],
    ['my_app.v2-x:t_1.0-rc', 'docker.io/library/my_app.v2-x:t_1.0-rc', 'my_app.v2-x:t_1.0-rc'],
  ])('%s', (text, canonical, familiar) => {
    const reference = parseImageReference(text);
    expect(reference.canonical).toBe(canonical);
    expect(reference.familiar).toBe(familiar);
  });

  it('keeps the registry host and digest', () => {
    const reference = parseImageReference(`registry.example:5000/a/b:c@sha256:${'c'.repeat(64)}`);
    expect(reference).toMatchObject({ domain: 'registry.example:5000', path: 'a/b', tag: 'c', digest: `sha256:${'c'.repeat(64)}` });
  });

  it.each([
    ['', 'empty'],
    ['Busybox', 'must be lowercase'],
    ['a:b:c', 'bad'],
    ['../x', 'bad registry host'],
    ['a//b', 'bad name component'],
    ['busybox:', 'bad tag'],
    ['busybox@sha256:xyz', 'bad digest'],
    ['-x', 'bad name component'],
    [`a/${'b'.repeat(300)}`, 'longer than 255'],
  ])('rejects %j', (text, why) => {
    let caught: unknown;
    try {
      parseImageReference(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImageError);
    expect((caught as ImageError).code).toBe('INVALID_REFERENCE');
    expect((caught as ImageError).message).toContain(JSON.stringify(text));
    expect((caught as ImageError).message).toContain(why);
  });
});
