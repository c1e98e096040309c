import * as z from 'zod';
import { lazySchema } from './lazy-schema.js';

/** Every capability Linux defines, in the OCI spelling (`CAP_` prefix, upper case). */
export const knownCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

export type Capability = (typeof knownCapabilities)[number];

const known = new Set<string>(knownCapabilities);

/** `chown`, `CAP_CHOWN`, `Cap_Chown` all become `CAP_CHOWN`; unknown names give undefined. */
export function normalizeCapability(name: string): Capability | undefined {
  const upper = name.trim().toUpperCase();
  const canonical = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  return known.has(canonical) ? (canonical as Capability) : undefined;
}

/** A capability name in any case, with or without `CAP_`; parses to the canonical `CAP_X` form. */
export const capabilitySchema = lazySchema(() =>
  z.string().transform((name, context) => {
    const capability = normalizeCapability(name);
    if (capability === undefined) {
      context.addIssue({ code: 'custom', message: `unknown capability ${JSON.stringify(name)}`, input: name });
      return z.NEVER;
    }
    return capability;
  }),
);

/** For capAdd/capDrop: a capability or `ALL` (any case). */
export const capabilityOrAllSchema = lazySchema(() =>
  z.string().transform((name, context): Capability | 'ALL' => {
    if (name.trim().toUpperCase() === 'ALL') return 'ALL';
    const capability = normalizeCapability(name);
    if (capability === undefined) {
      context.addIssue({ code: 'custom', message: `unknown capability ${JSON.stringify(name)}`, input: name });
      return z.NEVER;
    }
    return capability;
  }),
);
