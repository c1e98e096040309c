import { defaultSeccompPolicy, resolveSeccompPolicy, type LinuxSeccomp } from './seccomp/index.js';

/**
 * The default policy resolved for an architecture and a capability set, memoised: resolving costs
 * about half a millisecond while a container's other fields take microseconds, and a host runs
 * few distinct (architecture, capabilities) pairs. Results are pure functions of the key; each
 * caller gets its own copy. Bounded, oldest entry dropped first.
 */
const resolved = new Map<string, LinuxSeccomp>();
const maxEntries = 32;

export function defaultSeccompFor(architecture: string, capabilities: readonly string[]): LinuxSeccomp {
  const key = `${architecture}|${[...capabilities].sort().join(',')}`;
  let seccomp = resolved.get(key);
  if (seccomp === undefined) {
    seccomp = resolveSeccompPolicy(defaultSeccompPolicy(), { architecture, capabilities });
    if (resolved.size >= maxEntries) resolved.delete(resolved.keys().next().value!);
    resolved.set(key, seccomp);
  }
  return copySeccomp(seccomp);
}

/** A deep copy of an OCI seccomp object (arrays and rule objects), cheaper than structuredClone. */
function copySeccomp(seccomp: LinuxSeccomp): LinuxSeccomp {
  const copy: LinuxSeccomp = { ...seccomp };
  if (seccomp.architectures) copy.architectures = [...seccomp.architectures];
  if (seccomp.flags) copy.flags = [...seccomp.flags];
  if (seccomp.syscalls) {
    copy.syscalls = seccomp.syscalls.map((rule) => {
      const ruleCopy = { ...rule, names: [...rule.names] };
      if (rule.args) ruleCopy.args = rule.args.map((argument) => ({ ...argument }));
      return ruleCopy;
    });
  }
  return copy;
}
