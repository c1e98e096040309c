import { describe, expect, it } from 'vitest';
import { applyImageChanges, defaultProcessArgs } from './image-config.js';

describe('applyImageChanges (docker import --change)', () => {
  it.each([
    ['CMD ["sh"]', { Cmd: ['sh'] }],
    ['CMD echo hi there', { Cmd: ['/bin/sh', '-c', 'echo hi there'] }],
    ['ENTRYPOINT ["/bin/echo", "x"]', { Entrypoint: ['/bin/echo', 'x'] }],
    ['ENV A=1 B="two words"', { Env: ['A=1', 'B=two words'] }],
    ['ENV LEGACY some value', { Env: ['LEGACY=some value'] }],
    ['WORKDIR /app', { WorkingDir: '/app' }],
    ['USER 1000:1000', { User: '1000:1000' }],
    ['LABEL a=b c="d e"', { Labels: { a: 'b', c: 'd e' } }],
    ['EXPOSE 80 53/udp 8000-8001', { ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} } }],
    ['VOLUME /data /cache', { Volumes: { '/data': {}, '/cache': {} } }],
    ['STOPSIGNAL SIGINT', { StopSignal: 'SIGINT' }],
    ['cmd ["lower"]', { Cmd: ['lower'] }],
  ])('%s', (change, expected) => {
    expect(applyImageChanges({}, [change])).toEqual(expected);
  });

  it('applies in order, replacing ENV keys, and leaves the input alone', () => {
    const base = { Env: ['PATH=/bin', 'A=0'] };
    expect(applyImageChanges(base, ['ENV A=1', 'WORKDIR /a', 'WORKDIR b'])).toEqual({ Env: ['PATH=/bin', 'A=1'], WorkingDir: '/a/b' });
    expect(base).toEqual({ Env: ['PATH=/bin', 'A=0'] });
  });

  it.each([
    ['RUN echo', 'RUN is not supported'],
    ['EXPOSE 70000', 'invalid port "70000"'],
    ['ENV', 'needs at least one key=value'],
    ['ENV A="x', 'unterminated'],
    ['WORKDIR', 'needs a directory'],
    ['', 'expected one of'],
  ])('rejects %j', (change, why) => {
    expect(() => applyImageChanges({}, [change])).toThrow(why);
    expect(() => applyImageChanges({}, [change])).toThrow(`invalid change ${JSON.stringify(change)}`);
  });
});

describe('defaultProcessArgs (ENTRYPOINT + CMD)', () => {
  it.each([
    [{ Cmd: ['sh'] }, {}, ['sh']],
    [{ Cmd: ['sh'] }, { args: ['echo', 'x'] }, ['echo', 'x']],
    [{ Entrypoint: ['/e'], Cmd: ['a'] }, {}, ['/e', 'a']],
    [{ Entrypoint: ['/e'], Cmd: ['a'] }, { args: ['b'] }, ['/e', 'b']],
    [{ Entrypoint: ['/e'], Cmd: ['a'] }, { entrypoint: ['/f'] }, ['/f']],
    [{}, {}, []],
  ])('%j %j', (config, options, expected) => {
    expect(defaultProcessArgs(config, options)).toEqual(expected);
  });
});
