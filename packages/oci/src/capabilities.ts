import { knownCapabilities, type Capability } from '@execdriver/spec';
import { defaultCapabilities } from './defaults.js';
import { OciError } from './errors.js';
import type { OciCapabilities } from './oci-types.js';

/**
 * The capability list of a container, as Docker's TweakCapabilities computes it:
 * - capAdd has ALL: every capability except those in capDrop;
 * - capDrop has ALL: only capAdd;
 * - otherwise: the base set minus capDrop, plus capAdd.
 * The base set is Docker's 14 defaults, or every capability when privileged. (Docker ignores
 * capAdd/capDrop when privileged; here a drop is honoured, so what the user asked for is what runs.)
 * ALL and privileged mean every capability in `available`; a capAdd name outside `available` (when
 * given) cannot be honoured by the runtime.
 * @throws OciError CAPABILITY_UNAVAILABLE naming the capAdd entry when `available` lacks it.
 */
export function containerCapabilities(input: {
  privileged: boolean;
  capAdd: readonly (Capability | 'ALL')[];
  capDrop: readonly (Capability | 'ALL')[];
  /** What "all" means: the capabilities the caller can hand out (its bounding set). Default: every known one. */
  available?: readonly Capability[];
}): Capability[] {
  const all: readonly Capability[] = input.available ?? knownCapabilities;
  if (input.available !== undefined) {
    const available = new Set<string>(input.available);
    for (const [index, name] of input.capAdd.entries()) {
      if (name !== 'ALL' && !available.has(name)) {
        throw new OciError(
          'CAPABILITY_UNAVAILABLE',
          `capAdd.${index}: ${name} cannot be added: this runtime's bounding set lacks it, so no container it starts can have it`,
          { field: `capAdd.${index}`, value: name },
        );
      }
    }
  }
  const base = input.privileged ? all : defaultCapabilities();
  const drop = new Set<string>(input.capDrop);
  const add = input.capAdd.filter((name): name is Capability => name !== 'ALL');
  let chosen: Capability[];
  if (input.capAdd.includes('ALL')) {
    chosen = all.filter((name) => !drop.has(name));
  } else if (drop.has('ALL')) {
    chosen = [...add];
  } else {
    chosen = [...base.filter((name) => !drop.has(name)), ...add];
  }
  return [...new Set(chosen)];
}

/** The OCI capability sets: bounding, effective and permitted get the list; inheritable and ambient stay empty. */
export function toOciCapabilities(capabilities: readonly string[]): OciCapabilities {
  return {
    bounding: [...capabilities],
    effective: [...capabilities],
    inheritable: [],
    permitted: [...capabilities],
    ambient: [],
  };
}

/**
 * The capabilities in a /proc/<pid>/status mask such as CapBnd `000001fffeffffff` (bit n is
 * capability number n; @execdriver/spec lists them in number order). Bits beyond the known list
 * are ignored.
 */
export function capabilitiesFromMask(mask: string): Capability[] {
  if (!/^[0-9a-fA-F]{1,16}$/.test(mask)) throw new OciError('INVALID_OPTIONS', `capability mask ${JSON.stringify(mask)} is not up to 16 hex digits`, { value: mask });
  const bits = BigInt(`0x${mask}`);
  return knownCapabilities.filter((_, bit) => ((bits >> BigInt(bit)) & 1n) === 1n);
}
