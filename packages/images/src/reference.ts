import { ImageError } from './errors.js';

/**
 * A Docker image reference, normalised as Docker's distribution/reference does:
 * `busybox`, `busybox:latest`, `library/busybox` and `docker.io/library/busybox:latest` are one image.
 */
export interface ImageReference {
  /** Registry host (`docker.io` when none is given). */
  domain: string;
  /** Repository path below the domain (`library/busybox`). */
  path: string;
  /** The tag: `latest` when neither a tag nor a digest is given. */
  tag: string | undefined;
  /** `sha256:<64 hex>` when the reference pins one. */
  digest: string | undefined;
  /** `docker.io/library/busybox:latest`: the key the store keeps. */
  canonical: string;
  /** `busybox:latest`: as Docker prints it. */
  familiar: string;
  /** `busybox`: the repository as Docker prints it (the REPOSITORY column). */
  familiarName: string;
}

export const defaultDomain = 'docker.io';
const legacyDomain = 'index.docker.io';
const officialPrefix = 'library/';

// distribution/reference's grammar.
const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const domainComponent = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const maxNameLength = 255;

function invalid(text: string, why: string): ImageError {
  return new ImageError('INVALID_REFERENCE', `invalid reference format ${JSON.stringify(text)}: ${why}`);
}

function isDomain(component: string): boolean {
  const [host, port, ...rest] = component.split(':');
  if (rest.length > 0 || host === undefined || host === '') return false;
  if (port !== undefined && !/^\d+$/.test(port)) return false;
  return host.split('.').every((part) => domainComponent.test(part));
}

/**
 * Parses `[domain/]path[:tag][@digest]`. The first component is a domain when it has a `.` or
 * a `:` or is `localhost` (Docker's rule); a single-component path on docker.io is `library/...`.
 * @throws ImageError INVALID_REFERENCE naming the text and what is wrong
 */
export function parseImageReference(text: string): ImageReference {
  if (text === '') throw invalid(text, 'empty');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) throw invalid(text, `bad digest ${JSON.stringify(digest)} (expected sha256:<hex>)`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw invalid(text, `bad tag ${JSON.stringify(tag)}`);
  }
  const components = rest.split('/');
  let domain = defaultDomain;
  if (components.length > 1 && (components[0] === 'localhost' || /[.:]/.test(components[0]!))) {
    const candidate = components.shift()!;
    if (!isDomain(candidate)) throw invalid(text, `bad registry host ${JSON.stringify(candidate)}`);
    domain = candidate === legacyDomain ? defaultDomain : candidate;
  }
  for (const component of components) {
    if (!pathComponent.test(component)) {
      const why = /[A-Z]/.test(component) ? 'repository name must be lowercase' : `bad name component ${JSON.stringify(component)}`;
      throw invalid(text, why);
    }
  }
  let path = components.join('/');
  if (domain === defaultDomain && components.length === 1) path = `${officialPrefix}${path}`;
  if (`${domain}/${path}`.length > maxNameLength) throw invalid(text, `repository name longer than ${maxNameLength} characters`);
  if (tag === undefined && digest === undefined) tag = 'latest';
  const suffix = `${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  let familiarName = path;
  if (domain !== defaultDomain) familiarName = `${domain}/${path}`;
  else if (path.startsWith(officialPrefix) && !path.slice(officialPrefix.length).includes('/')) familiarName = path.slice(officialPrefix.length);
  return { domain, path, tag, digest, canonical: `${domain}/${path}${suffix}`, familiar: `${familiarName}${suffix}`, familiarName };
}

/** The canonical form of a reference text, or undefined when it does not parse. */
export function canonicalReference(text: string): string | undefined {
  try {
    return parseImageReference(text).canonical;
  } catch {
    return undefined;
  }
}
