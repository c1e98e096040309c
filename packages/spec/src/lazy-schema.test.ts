import { afterEach, describe, expect, test, vi } from 'vitest';
import * as z from 'zod';
import { lazySchema } from './lazy-schema.js';
import { linuxMemorySchema, runtimeSpecSchema } from './runtime-spec.js';
import { mountSchema } from './mount.js';
import { SpecError } from './errors.js';

afterEach(() => {
  vi.doUnmock('zod');
  vi.resetModules();
});

describe('lazySchema', () => {
  test('builds the schema once, on first use', () => {
    const build = vi.fn(() => z.object({ name: z.string() }));
    const schema = lazySchema(build);
    expect(build).not.toHaveBeenCalled();
    expect(schema.parse({ name: 'a', other: 1 })).toEqual({ name: 'a' });
    expect(schema.safeParse({ name: 1 }).success).toBe(false);
    expect(build).toHaveBeenCalledTimes(1);
  });

  test('the stand-in is the schema for zod: instanceof, shape, methods, composition, JSON Schema', () => {
    expect(runtimeSpecSchema).toBeInstanceOf(z.ZodObject);
    expect(runtimeSpecSchema.shape.ociVersion).toBeInstanceOf(z.ZodType);
    expect(Object.keys(linuxMemorySchema.shape)).toContain('limit');
    // Own keys and descriptors of the built schema (zod's `_zod` is not configurable on it).
    expect(Object.keys(linuxMemorySchema)).toContain('def');
    expect(Reflect.ownKeys(linuxMemorySchema)).toContain('_zod');
    expect(Object.getOwnPropertyDescriptor(linuxMemorySchema, '_zod')?.value).toBe(linuxMemorySchema._zod);
    expect(() => ({ ...linuxMemorySchema })).not.toThrow();
    expect('parse' in linuxMemorySchema).toBe(true);

    const extended = linuxMemorySchema.extend({ note: z.string() });
    expect(extended.parse({ limit: 1, note: 'n' })).toEqual({ limit: 1, note: 'n' });
    const composed = z.object({ memory: linuxMemorySchema.optional(), mount: mountSchema, spec: runtimeSpecSchema.pick({ ociVersion: true }) });
    expect(
      composed.parse({ memory: { limit: 5 }, mount: { type: 'tmpfs', destination: '/tmp' }, spec: { ociVersion: '1.2.1' } }),
    ).toMatchObject({ memory: { limit: 5 }, mount: { type: 'tmpfs', destination: '/tmp' }, spec: { ociVersion: '1.2.1' } });
    const direct = z.object({ memory: linuxMemorySchema });
    expect(direct.safeParse({ memory: { limit: 'x' } }).success).toBe(false);
    const jsonSchema = z.toJSONSchema(z.object({ memory: linuxMemorySchema }), { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    expect(Object.keys(jsonSchema.properties)).toEqual(['memory']);
  });

  test('importing the package builds no zod schema; parsing builds what it needs', async () => {
    vi.resetModules();
    const made: string[] = [];
    vi.doMock('zod', async (importOriginal) => {
      const real = await importOriginal<typeof import('zod')>();
      const counted = <F extends (...parameters: never[]) => unknown>(name: string, make: F): F =>
        ((...parameters: Parameters<F>) => {
          made.push(name);
          return make(...parameters);
        }) as F;
      return {
        ...real,
        string: counted('string', real.string),
        number: counted('number', real.number),
        object: counted('object', real.object),
        strictObject: counted('strictObject', real.strictObject),
        looseObject: counted('looseObject', real.looseObject),
        enum: counted('enum', real.enum),
        array: counted('array', real.array),
        record: counted('record', real.record),
        discriminatedUnion: counted('discriminatedUnion', real.discriminatedUnion),
      };
    });
    const spec = await import('./index.js');
    expect(made).toEqual([]);
    expect(spec.parseCommand({ id: 'a', rootfs: '/r', process: { args: ['true'] } }).id).toBe('a');
    expect(made.length).toBeGreaterThan(10);
    expect(() => spec.parseCommand({ id: '../x', rootfs: '/r', process: { args: ['true'] } })).toThrow(spec.SpecError);
  });

  test('an error while building reaches the caller, each time', () => {
    const schema = lazySchema((): z.ZodString => {
      throw new Error('broken schema');
    });
    expect(() => schema.parse('x')).toThrow('broken schema');
    expect(() => schema.parse('x')).toThrow('broken schema');
  });
});
