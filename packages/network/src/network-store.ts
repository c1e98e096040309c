import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NetworkError } from './errors.js';

/** Docker's network drivers that exist here: `bridge`, and the `host` and `null` pseudo-networks. */
export type NetworkDriver = 'bridge' | 'host' | 'null';

/** What is kept of a network, in `<dataRoot>/networks/<id>.json`. */
export interface NetworkRecord {
  /** 64 hex digits. */
  id: string;
  name: string;
  driver: NetworkDriver;
  /** ISO 8601. */
  created: string;
  /** No route out and no masquerading (`--internal`). */
  internal: boolean;
  labels: Record<string, string>;
  /** IPv4 CIDR of a bridge network. */
  subnet?: string;
  gateway?: string;
  /** The host's bridge interface (`execdriver0`, `br-<12 hex>`). */
  bridge?: string;
  /** One of the networks every engine has (bridge, host, none): never removed. */
  predefined: boolean;
}

export const networkNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const idPattern = /^[0-9a-f]{64}$/;

export function newNetworkId(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Network records, one JSON file per network, written through a unique temporary file and
 * renamed. A name is taken by creating `names/<name>` exclusively, so of two creates of one
 * name exactly one wins, across processes.
 */
export class NetworkStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #path(id: string): string {
    if (!idPattern.test(id)) throw new NetworkError('NO_SUCH_NETWORK', `network ${id} not found`, { network: id });
    return join(this.root, `${id}.json`);
  }

  async #write(record: NetworkRecord): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const temporary = join(this.root, `.${record.id}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.#path(record.id));
  }

  /** Stores a new network. @throws NetworkError NETWORK_EXISTS when its name is taken */
  async create(record: NetworkRecord): Promise<NetworkRecord> {
    if (!networkNamePattern.test(record.name)) throw new NetworkError('INVALID_NETWORK', `invalid network name ${JSON.stringify(record.name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, { network: record.name });
    const names = join(this.root, 'names');
    await mkdir(names, { recursive: true, mode: 0o700 });
    const nameFile = join(names, record.name);
    try {
      await writeFile(nameFile, record.id, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = (await readFile(nameFile, 'utf8').catch(() => '')).trim();
      if (idPattern.test(owner) && (await this.get(owner))) throw new NetworkError('NETWORK_EXISTS', `network with name ${record.name} already exists`, { network: record.name });
      // A name whose record is gone (a create killed half-way): take it over.
      await writeFile(nameFile, record.id, { mode: 0o600 });
    }
    try {
      await this.#write(record);
    } catch (error) {
      await rm(nameFile, { force: true });
      throw error;
    }
    return record;
  }

  async get(id: string): Promise<NetworkRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.#path(id), 'utf8')) as NetworkRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error instanceof NetworkError)) return undefined;
      throw new NetworkError('CORRUPT_RECORD', `network record ${this.#path(id)} cannot be read: ${(error as Error).message}`, { path: this.#path(id) }, { cause: error });
    }
  }

  /** Every network, by name in code-point order, as the docker CLI sorts them (Go compares bytes; localeCompare would also start ICU's collator, ~15 ms). */
  async list(): Promise<NetworkRecord[]> {
    const files = (await readdir(this.root).catch(() => [] as string[])).filter((file) => /^[0-9a-f]{64}\.json$/.test(file));
    const records = await Promise.all(files.map((file) => this.get(file.slice(0, 64))));
    return records.filter((record): record is NetworkRecord => record !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** By exact name, full id, or unique id prefix (Docker's order). @throws NetworkError NO_SUCH_NETWORK, AMBIGUOUS_NETWORK */
  async find(reference: string): Promise<NetworkRecord> {
    const all = await this.list();
    const match = all.find((record) => record.name === reference) ?? all.find((record) => record.id === reference);
    if (match) return match;
    const prefixed = /^[0-9a-f]+$/.test(reference) ? all.filter((record) => record.id.startsWith(reference)) : [];
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1) throw new NetworkError('AMBIGUOUS_NETWORK', `network ${reference} is ambiguous (${prefixed.length} matches found on id)`, { network: reference });
    throw new NetworkError('NO_SUCH_NETWORK', `network ${reference} not found`, { network: reference });
  }

  async remove(record: NetworkRecord): Promise<void> {
    await rm(this.#path(record.id), { force: true });
    const nameFile = join(this.root, 'names', record.name);
    if ((await readFile(nameFile, 'utf8').catch(() => '')).trim() === record.id) await rm(nameFile, { force: true });
  }
}
