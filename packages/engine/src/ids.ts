import { randomBytes } from 'node:crypto';

/** Docker's container ids: 64 lowercase hex digits. */
export const containerIdPattern = /^[0-9a-f]{64}$/;

/** A new container id: 64 random hex digits, never all digits (Docker avoids ids that read as numbers). */
export function newContainerId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (/[a-f]/.test(id.slice(0, 12))) return id;
  }
}

/** The 12-digit form Docker prints. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}
