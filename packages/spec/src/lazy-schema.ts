// Schemas built on first use. zod 4 gives each schema object its own methods (parse, optional,
// refine...) when it is made: the OCI config.json schemas alone are about a thousand of them and
// cost 20-30 ms of a process's start-up, which every command of the CLI paid whether it parsed
// anything or not (`execdriver ps` parses no spec). Each exported schema is therefore a stand-in
// that builds the real one the first time anything touches it (a property, `instanceof`, a parse,
// composing it into another schema) and then forwards everything to it, so the constants keep
// their names and their zod types.

/**
 * A stand-in for the schema `build` returns, made on first use. The stand-in is not the built
 * object (`===` tells them apart); everything else (methods, `instanceof`, `Object.keys`, zod's
 * internals reading `_zod`) reaches the built schema.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const real = (): T => (built ??= build());
  return new Proxy({} as T, {
    get: (_target, key) => Reflect.get(real(), key),
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    // A proxy may not report a property as non-configurable unless its target has it so; the
    // target is an empty object, so the built schema's (`_zod` is one) are reported configurable.
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(real(), key, { ...descriptor, configurable: true }),
    deleteProperty: (_target, key) => Reflect.deleteProperty(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}
