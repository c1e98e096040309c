import type * as z from 'zod';

export type SpecErrorCode = 'INVALID_SPEC' | 'INVALID_COMMAND' | 'INVALID_STATE' | 'INVALID_FEATURES';

const subjects: Record<SpecErrorCode, string> = {
  INVALID_SPEC: 'invalid OCI runtime config',
  INVALID_COMMAND: 'invalid command',
  INVALID_STATE: 'invalid container state',
  INVALID_FEATURES: 'invalid runtime features document',
};

export interface SpecIssue {
  /** Dotted path of the offending field, e.g. `resources.memory` or `linux.namespaces.0.type`. */
  path: string;
  message: string;
  /** The offending value, when there is one. */
  value?: unknown;
}

/** The one error class of @execdriver/spec: every offending path and value in one readable block. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  readonly code: SpecErrorCode;
  readonly issues: SpecIssue[];

  constructor(code: SpecErrorCode, issues: SpecIssue[], options?: { cause?: unknown }) {
    super(`${subjects[code]}:\n${issues.map(formatIssue).join('\n')}`, options);
    this.code = code;
    this.issues = issues;
  }
}

export function formatIssue(issue: SpecIssue): string {
  const where = issue.path === '' ? '(root)' : issue.path;
  return 'value' in issue ? `  ${where}: ${issue.message} (got ${formatValue(issue.value)})` : `  ${where}: ${issue.message}`;
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Turns zod issues into SpecIssues, looking up each offending value in the input. */
export function issuesFromZod(error: z.ZodError, input: unknown): SpecIssue[] {
  return error.issues.flatMap((issue): SpecIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const keyPath = [...issue.path, key];
        return { path: keyPath.map(String).join('.'), message: 'unknown field', value: lookup(input, keyPath).value };
      });
    }
    const path = issue.path.map(String).join('.');
    const found = lookup(input, issue.path);
    const message = issue.message;
    return [found.present ? { path, message, value: found.value } : { path, message }];
  });
}

function lookup(input: unknown, path: readonly PropertyKey[]): { present: boolean; value?: unknown } {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in (current as object))) return { present: false };
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { present: true, value: current };
}
