import { randomInt } from 'node:crypto';
import { mkdir, readdir, readlink, rm, symlink, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError } from './errors.js';
import { containerIdPattern } from './ids.js';

/** Docker's rule for container names (`/` optional in front). */
export const containerNamePattern = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const maxNameLength = 253;

/** `web` from `/web`; throws INVALID_NAME naming it. */
export function normalizeName(name: string): string {
  if (!containerNamePattern.test(name) || name.length > maxNameLength) {
    throw new EngineError('INVALID_NAME', `Invalid container name (${JSON.stringify(name)}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.replace(/^\//, '');
}

const adjectives = ['admiring', 'agitated', 'amazing', 'angry', 'awesome', 'blissful', 'bold', 'brave', 'busy', 'charming', 'clever', 'cool', 'compassionate', 'competent', 'confident', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty', 'funny', 'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry', 'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty', 'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange', 'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant', 'vigilant', 'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen'];
const scientists = ['agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bell', 'blackburn', 'bohr', 'booth', 'borg', 'bose', 'brahmagupta', 'brattain', 'burnell', 'cannon', 'carson', 'cerf', 'chandrasekhar', 'clarke', 'curie', 'darwin', 'dijkstra', 'driscoll', 'dubinsky', 'easley', 'einstein', 'elion', 'engelbart', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'franklin', 'galileo', 'gates', 'goldberg', 'goldstine', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hermann', 'hodgkin', 'hofstadter', 'hopper', 'hypatia', 'jackson', 'jang', 'jennings', 'johnson', 'kalam', 'keller', 'kepler', 'knuth', 'kowalevski', 'lalande', 'lamarr', 'lamport', 'leakey', 'lovelace', 'lumiere', 'mayer', 'mccarthy', 'mcclintock', 'meitner', 'mendel', 'merkle', 'mirzakhani', 'montalcini', 'moore', 'morse', 'newton', 'nobel', 'noether', 'noyce', 'pare', 'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ramanujan', 'ride', 'ritchie', 'rosalind', 'sammet', 'shannon', 'shockley', 'sinoussi', 'stonebraker', 'swartz', 'tesla', 'thompson', 'torvalds', 'turing', 'volhard', 'wescoff', 'wilbur', 'williams', 'wozniak', 'wright', 'yalow', 'yonath'];

/** Docker's kind of generated name: `adjective_scientist`, with a digit when `retry` > 0. */
export function generateName(retry = 0): string {
  const name = `${adjectives[randomInt(adjectives.length)]}_${scientists[randomInt(scientists.length)]}`;
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}

/**
 * Container names, shared by every process on the same root: `<root>/<name>` is a symlink whose
 * target is the container id. Creating a symlink is atomic, so of two processes reserving one name
 * at the same instant exactly one wins. Records are made before their names and removed before
 * them, so a reservation whose container record is gone is stale (its process was killed), and
 * the next reservation of the name reclaims it.
 */
export class NameRegistry {
  readonly root: string;
  readonly #recordExists: (id: string) => Promise<boolean>;

  constructor(root: string, recordExists: (id: string) => Promise<boolean>) {
    this.root = root;
    this.#recordExists = recordExists;
  }

  /**
   * Reserves `name` for `id`.
   * @throws EngineError NAME_IN_USE with Docker's conflict message
   */
  async reserve(name: string, id: string): Promise<void> {
    await mkdir(dirname(this.root), { recursive: true, mode: 0o711 });
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const path = join(this.root, name);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await symlink(id, path);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = await readlink(path).catch(() => undefined);
      if (owner === undefined) continue;
      if (owner === id) return;
      if (await this.#isStale(path, owner)) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      throw new EngineError('NAME_IN_USE', `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    throw new EngineError('NAME_IN_USE', `Conflict. The container name "/${name}" is being reserved by another process`);
  }

  /** A reservation is stale when its container's record is gone (records are made before names, removed before them). */
  async #isStale(_path: string, owner: string): Promise<boolean> {
    if (!containerIdPattern.test(owner)) return true;
    return !(await this.#recordExists(owner));
  }

  /** The id a name is reserved for (a stale reservation is no reservation). */
  async lookup(name: string): Promise<string | undefined> {
    if (!containerNamePattern.test(name)) return undefined;
    const owner = await readlink(join(this.root, name.replace(/^\//, ''))).catch(() => undefined);
    if (owner === undefined || !containerIdPattern.test(owner)) return undefined;
    return (await this.#recordExists(owner)) ? owner : undefined;
  }

  /** Releases `name` if it is reserved for `id` (or for nobody alive). */
  async release(name: string, id: string): Promise<void> {
    const path = join(this.root, name);
    const owner = await readlink(path).catch(() => undefined);
    if (owner === undefined) return;
    if (owner === id || !(await this.#recordExists(owner))) await rm(path, { force: true });
  }

  /** Releases every name reserved for `id` (its record is gone and its name unknown). */
  async releaseAll(id: string): Promise<void> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    for (const name of names) {
      if ((await readlink(join(this.root, name)).catch(() => undefined)) === id) await rm(join(this.root, name), { force: true });
    }
  }

  /** Moves a reservation: the new name first (atomic), then the old one goes. */
  async rename(from: string, to: string, id: string): Promise<void> {
    await this.reserve(to, id);
    await this.release(from, id);
  }
}
