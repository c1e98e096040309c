import { ImageError } from './errors.js';

/** The part of Docker's image config that `run` uses (field names as the Docker Engine API spells them). */
export interface ImageConfig {
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  /** `80/tcp` -> {}. */
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  Volumes?: Record<string, Record<string, never>>;
}

/** The instructions `docker import --change` / `docker commit --change` accept. */
export const changeInstructions = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL'] as const;

function invalidChange(change: string, why: string): ImageError {
  return new ImageError('INVALID_CHANGE', `invalid change ${JSON.stringify(change)}: ${why}`);
}

/** `["a","b"]` (exec form) or a shell command (`/bin/sh -c "..."`), as a Dockerfile reads CMD and ENTRYPOINT. */
function commandForm(change: string, text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && parsed.every((part) => typeof part === 'string')) return parsed as string[];
  }
  if (trimmed === '') throw invalidChange(change, 'needs a command');
  return ['/bin/sh', '-c', trimmed];
}

/** Splits `a=b "c d"=e f=g\ h` into words, honouring quotes and backslashes as a Dockerfile does. */
function words(text: string): string[] {
  const result: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (char === '\\' && index + 1 < text.length && quote !== "'") {
      current += text[index + 1];
      index += 1;
      inWord = true;
    } else if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) result.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new Error(`unterminated ${quote}`);
  if (inWord) result.push(current);
  return result;
}

/** `K=V K2=V2` or the legacy `K V` form. */
function pairs(change: string, text: string): [string, string][] {
  let parts: string[];
  try {
    parts = words(text);
  } catch (error) {
    throw invalidChange(change, (error as Error).message);
  }
  if (parts.length === 0) throw invalidChange(change, 'needs at least one key=value');
  if (!parts[0]!.includes('=')) {
    const space = text.trim().search(/\s/);
    if (space < 0) throw invalidChange(change, 'needs a value');
    return [[text.trim().slice(0, space), text.trim().slice(space).trim()]];
  }
  return parts.map((part) => {
    const equals = part.indexOf('=');
    if (equals <= 0) throw invalidChange(change, `${JSON.stringify(part)} is not key=value`);
    return [part.slice(0, equals), part.slice(equals + 1)];
  });
}

/**
 * Applies Dockerfile instructions (`CMD ["sh"]`, `ENV A=1`, `WORKDIR /app`, `EXPOSE 80/tcp`,
 * `LABEL a=b`, `USER 1000`, `ENTRYPOINT`, `VOLUME`, `STOPSIGNAL`) to a config, as `--change` does.
 * @returns a new config; the input is not changed
 * @throws ImageError INVALID_CHANGE naming the change
 */
export function applyImageChanges(config: ImageConfig, changes: readonly string[]): ImageConfig {
  const next: ImageConfig = structuredClone(config);
  for (const change of changes) {
    const match = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(change);
    if (!match) throw invalidChange(change, `expected one of ${changeInstructions.join(', ')}`);
    const instruction = match[1]!.toUpperCase();
    const argument = (match[2] ?? '').trim();
    switch (instruction) {
      case 'CMD':
        next.Cmd = commandForm(change, argument);
        break;
      case 'ENTRYPOINT':
        next.Entrypoint = commandForm(change, argument);
        break;
      case 'ENV': {
        const env = [...(next.Env ?? [])];
        for (const [key, value] of pairs(change, argument)) {
          const index = env.findIndex((entry) => entry.split('=')[0] === key);
          if (index >= 0) env[index] = `${key}=${value}`;
          else env.push(`${key}=${value}`);
        }
        next.Env = env;
        break;
      }
      case 'LABEL':
        next.Labels = { ...(next.Labels ?? {}), ...Object.fromEntries(pairs(change, argument)) };
        break;
      case 'WORKDIR':
        if (argument === '') throw invalidChange(change, 'needs a directory');
        next.WorkingDir = argument.startsWith('/') ? argument : `${next.WorkingDir ?? '/'}${(next.WorkingDir ?? '/').endsWith('/') ? '' : '/'}${argument}`;
        break;
      case 'USER':
        if (argument === '') throw invalidChange(change, 'needs a user');
        next.User = argument;
        break;
      case 'EXPOSE': {
        const ports = { ...(next.ExposedPorts ?? {}) };
        for (const port of argument.split(/\s+/).filter((part) => part !== '')) {
          const portMatch = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(port);
          if (!portMatch) throw invalidChange(change, `invalid port ${JSON.stringify(port)}`);
          const first = Number(portMatch[1]);
          const last = portMatch[2] === undefined ? first : Number(portMatch[2]);
          if (first < 1 || last > 65535 || last < first) throw invalidChange(change, `invalid port ${JSON.stringify(port)}`);
          for (let value = first; value <= last; value += 1) ports[`${value}/${(portMatch[3] ?? 'tcp').toLowerCase()}`] = {};
        }
        if (Object.keys(ports).length === 0) throw invalidChange(change, 'needs a port');
        next.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const volumes = { ...(next.Volumes ?? {}) };
        const paths = argument.startsWith('[') ? commandForm(change, argument) : argument.split(/\s+/).filter((part) => part !== '');
        for (const path of paths) volumes[path] = {};
        next.Volumes = volumes;
        break;
      }
      case 'STOPSIGNAL':
        if (argument === '') throw invalidChange(change, 'needs a signal');
        next.StopSignal = argument;
        break;
      case 'ONBUILD':
        break;
      default:
        throw invalidChange(change, `${instruction} is not supported (one of ${changeInstructions.join(', ')})`);
    }
  }
  return next;
}

/** The process arguments of a container of this image: Docker's ENTRYPOINT + CMD rule. */
export function defaultProcessArgs(config: ImageConfig, options: { entrypoint?: string[] | undefined; args?: readonly string[] } = {}): string[] {
  const entrypoint = options.entrypoint ?? config.Entrypoint ?? [];
  // An --entrypoint given on the command line resets the image's CMD (Docker).
  const cmd = options.args && options.args.length > 0 ? [...options.args] : options.entrypoint !== undefined ? [] : (config.Cmd ?? []);
  return [...entrypoint, ...cmd];
}
