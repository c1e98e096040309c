// The `require` the launcher gives the CLI's bundle. The bundle requires every built-in it uses at
// its top level, whatever the command, and those Node's start-up has not loaded cost a compilation
// each (`node:child_process` with `node:net` ~7 ms, `node:crypto` ~4): `execdriver ps` needs none of
// them. Here those built-ins are stand-ins that require the real module the first time a property
// is read (the bundle reads them as `(0, mod.spawn)(...)`, at the call), so a command loads only
// the built-ins it calls.

/**
 * Built-ins not loaded by Node's start-up, which the bundle only reads properties of (named imports:
 * `node:stream` is a function, but nothing calls it or imports it whole).
 */
export const lazyBuiltins: ReadonlySet<string> = new Set([
  'node:async_hooks',
  'node:child_process',
  'node:crypto',
  'node:dgram',
  'node:fs/promises',
  'node:net',
  'node:readline',
  'node:stream',
  'node:stream/promises',
  'node:timers/promises',
  'node:zlib',
]);

/** `require`, with the built-ins in `lazyBuiltins` loaded on first use. */
export function lazyBuiltinRequire(require: NodeJS.Require): (id: string) => unknown {
  const standIns = new Map<string, object>();
  return (id) => {
    if (!lazyBuiltins.has(id)) return require(id);
    let standIn = standIns.get(id);
    if (standIn === undefined) {
      standIn = lazyModule(() => require(id) as object);
      standIns.set(id, standIn);
    }
    return standIn;
  };
}

function lazyModule(load: () => object): object {
  let loaded: object | undefined;
  const real = (): object => (loaded ??= load());
  return new Proxy(
    {},
    {
      get: (_target, key) => Reflect.get(real(), key),
      set: (_target, key, value) => Reflect.set(real(), key, value),
      has: (_target, key) => Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      // The target is an empty object: a proxy may report none of its properties non-configurable.
      getOwnPropertyDescriptor: (_target, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
        return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
      },
      getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    },
  );
}
