import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CniConfigList, CniResult } from './cni-types.js';
import type { PortBinding } from './ports.js';
import { processAlive } from './process-alive.js';

/** A container's interface on one network. */
export interface Endpoint {
  networkId: string;
  networkName: string;
  ifName: string;
  ipAddress: string;
  prefixLength: number;
  gateway: string;
  macAddress: string;
  /** The container's name and its `--network-alias` names, resolvable by its peers (user-defined networks). */
  aliases: string[];
  /** What DEL needs: the list as it was added and the ADD's result. */
  conflist: CniConfigList;
  result: CniResult;
  /** Capability arguments given at ADD (portMappings), given again at DEL. */
  capabilityArgs: Record<string, unknown>;
}

/**
 * A container's network namespace and what is attached to it, in
 * `<stateRoot>/network/attachments/<containerId>.json` (runtime state: gone with a reboot, as the
 * namespaces, veths and iptables rules it describes).
 */
export interface Attachment {
  containerId: string;
  containerName: string;
  netns: string;
  hostname: string;
  endpoints: Endpoint[];
  ports: PortBinding[];
  /** `--add-host` lines (`name:ip`). */
  extraHosts: string[];
  /** The container's /etc/hosts on the host, rewritten when peers come and go. */
  hostsPath?: string;
  /** The pid of the process starting the container, until it runs: `sweep` leaves it alone meanwhile. */
  owner?: number;
}

export class AttachmentStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  path(containerId: string): string {
    return join(this.root, `${containerId}.json`);
  }

  async write(attachment: Attachment): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const temporary = join(this.root, `.${attachment.containerId}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temporary, `${JSON.stringify(attachment, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.path(attachment.containerId));
  }

  async get(containerId: string): Promise<Attachment | undefined> {
    try {
      // Synchronous on purpose: a record is under a kilobyte, and `ps` of 100 containers reads 100 of
      // them; each asynchronous read is several thread-pool round trips.
      return JSON.parse(readFileSync(this.path(containerId), 'utf8')) as Attachment;
    } catch {
      return undefined;
    }
  }

  async list(): Promise<Attachment[]> {
    const files = (await readdir(this.root).catch(() => [] as string[])).filter((file) => file.endsWith('.json') && !file.startsWith('.'));
    const all = await Promise.all(files.map((file) => this.get(file.slice(0, -'.json'.length))));
    return all.filter((attachment): attachment is Attachment => attachment !== undefined);
  }

  /**
   * Takes the record away for release: renamed to a name of this caller's, so of two processes
   * releasing one container only one runs the DELs. Undefined when another took it first.
   */
  async claim(containerId: string): Promise<{ attachment: Attachment; done: () => Promise<void> } | undefined> {
    const claimed = join(this.root, `.${containerId}.releasing.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      await rename(this.path(containerId), claimed);
    } catch {
      return undefined;
    }
    const attachment = JSON.parse(await readFile(claimed, 'utf8')) as Attachment;
    return { attachment, done: () => rm(claimed, { force: true }) };
  }

  /** Whether a release of the container is under way (claimed, not done). */
  async releasing(containerId: string): Promise<boolean> {
    const prefix = `.${containerId}.releasing.`;
    return (await readdir(this.root).catch(() => [] as string[])).some((file) => file.startsWith(prefix) && processAlive(Number(file.slice(prefix.length).split('.')[0])));
  }

  /** Claims left by a process that died while releasing: their owners, and the files. */
  async abandonedClaims(): Promise<{ path: string; attachment: Attachment }[]> {
    const found: { path: string; attachment: Attachment }[] = [];
    for (const file of await readdir(this.root).catch(() => [] as string[])) {
      const match = /^\.[0-9a-zA-Z_.-]+?\.releasing\.(\d+)\.[0-9a-f]+$/.exec(file);
      if (!match) continue;
      if (processAlive(Number(match[1]))) continue;
      const path = join(this.root, file);
      try {
        found.push({ path, attachment: JSON.parse(await readFile(path, 'utf8')) as Attachment });
      } catch {
        await rm(path, { force: true });
      }
    }
    return found;
  }
}
