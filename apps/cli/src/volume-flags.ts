import type { VolumeRequest } from '@execdriver/engine';
import { usageError } from './errors.js';

/**
 * `-v` values that name a volume instead of a host path: `name:/dst[:ro|rw|nocopy]` and the
 * anonymous `/dst`; undefined for a bind (`/src:/dst...`), which parseVolume handles.
 */
export function volumeFromVolumeFlag(text: string): VolumeRequest | undefined {
  const parts = text.split(':');
  if (parts.length === 1) {
    if (!text.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(text)} for flag --volume: the destination must be an absolute path`);
    return { destination: text };
  }
  if (parts[0]!.startsWith('/') || parts.length > 3) return undefined;
  const [source, destination, optionText] = parts as [string, string, string | undefined];
  if (!destination.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(text)} for flag --volume: the destination ${JSON.stringify(destination)} must be an absolute path`);
  const request: VolumeRequest = { source, destination };
  for (const option of (optionText ?? '').split(',').filter((part) => part !== '')) {
    if (option === 'ro') request.readonly = true;
    else if (option === 'rw') request.readonly = false;
    else if (option === 'nocopy') request.nocopy = true;
    else if (option === 'z' || option === 'Z') continue;
    else throw usageError(`invalid value ${JSON.stringify(text)} for flag --volume: unknown option ${JSON.stringify(option)} (ro, rw, nocopy)`);
  }
  return request;
}

/** `--mount type=volume,source=NAME,target=/dst[,readonly][,volume-nocopy]` (no source: anonymous); undefined for other types. */
export function volumeFromMountFlag(text: string): VolumeRequest | undefined {
  const fields = new Map<string, string | undefined>();
  for (const field of text.split(',')) {
    const equals = field.indexOf('=');
    fields.set((equals === -1 ? field : field.slice(0, equals)).trim().toLowerCase(), equals === -1 ? undefined : field.slice(equals + 1));
  }
  if ((fields.get('type') ?? 'volume') !== 'volume') return undefined;
  const destination = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  if (destination === undefined || !destination.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: target must be an absolute path`);
  const known = new Set(['type', 'target', 'destination', 'dst', 'source', 'src', 'readonly', 'ro', 'volume-nocopy', 'volume-label', 'volume-driver', 'consistency']);
  for (const key of fields.keys()) if (!known.has(key)) throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: unknown key ${JSON.stringify(key)}`);
  const flag = (key: string) => fields.has(key) && !/^(false|0)$/i.test(fields.get(key) ?? 'true');
  const source = fields.get('source') ?? fields.get('src');
  return { ...(source ? { source } : {}), destination, readonly: flag('readonly') || flag('ro'), nocopy: flag('volume-nocopy') };
}
