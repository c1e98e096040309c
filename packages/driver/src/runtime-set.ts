import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupMode } from '@execdriver/spec';
import { DriverError } from './errors.js';
import { runtimeInfo, type RuntimeInfo } from './host-facts.js';
import { Runc } from './runc.js';
import { knownRuntimeNames, runtimeDirectoryName, runtimeHostProblem } from './runtime-choice.js';

/** The runtime a container was created with, kept in its record: every later operation on it uses this one. */
export interface ContainerRuntime {
  /** runc, crun, youki (or the binary's base name). */
  name: string;
  /** The binary, resolved when the container was created. */
  path: string;
}

/**
 * The driver's runtimes: the default one, and a client per runtime binary a container was
 * created with, each with its own state root (`<stateRoot>/<name>`; runc's may be given).
 */
export class RuntimeSet {
  readonly default: RuntimeInfo;
  readonly #stateRoot: string;
  readonly #runcRoot: string | undefined;
  readonly #cgroupMode: CgroupMode;
  readonly #clients = new Map<string, Runc>();

  constructor(options: { stateRoot: string; runcRoot?: string; cgroupMode: CgroupMode; default: RuntimeInfo }) {
    this.default = options.default;
    this.#stateRoot = options.stateRoot;
    this.#runcRoot = options.runcRoot;
    this.#cgroupMode = options.cgroupMode;
  }

  /** The state root (`--root`) of a runtime by name. */
  rootOf(name: string): string {
    if (name === 'runc' && this.#runcRoot !== undefined) return this.#runcRoot;
    return join(this.#stateRoot, runtimeDirectoryName(name));
  }

  /** The client of this runtime binary. */
  client(runtime: ContainerRuntime): Runc {
    const key = `${runtime.name}\0${runtime.path}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = new Runc({ command: runtime.path, name: runtime.name, root: this.rootOf(runtime.name) });
      this.#clients.set(key, client);
    }
    return client;
  }

  /** The default runtime's client. */
  get defaultClient(): Runc {
    return this.client(this.default);
  }

  /** The client of the runtime that created this container: records made before runtimes were recorded are runc's. */
  forRecord(record: { runtime?: ContainerRuntime | undefined } | undefined): Runc {
    if (record?.runtime) return this.client(record.runtime);
    return this.default.name === 'runc' ? this.defaultClient : this.client({ name: 'runc', path: 'runc' });
  }

  /**
   * The clients to ask about a container whose record is gone or broken: its own runtime's when
   * known, then every runtime whose state root holds the id.
   */
  forCleanup(id: string, record: { runtime?: ContainerRuntime | undefined } | undefined): Runc[] {
    const clients = [this.forRecord(record)];
    for (const name of knownRuntimeNames) {
      if (clients.some((client) => client.name === name)) continue;
      if (existsSync(join(this.rootOf(name), id))) clients.push(name === this.default.name ? this.defaultClient : this.client({ name, path: name }));
    }
    return clients;
  }

  /**
   * The runtime a new container asks for (a name on PATH or a path; default: the driver's), checked
   * before anything is created: one that is not there or does not run is RUNC_MISSING, one that
   * cannot run containers on this host RUNTIME_UNSUPPORTED, both naming it.
   */
  async resolve(command: string | undefined): Promise<RuntimeInfo> {
    const info = command === undefined || command === this.default.path || command === this.default.name ? this.default : await runtimeInfo(command, this.#stateRoot);
    const problem = runtimeHostProblem(info.name, this.#cgroupMode);
    if (problem !== undefined) {
      throw new DriverError('RUNTIME_UNSUPPORTED', `OCI runtime ${info.name} (${info.path}) cannot run containers on this host: ${problem}`, { path: info.path, reason: info.name });
    }
    return info;
  }
}
