import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

type Validate = ((value: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
interface AjvInstance {
  addSchema(schema: unknown, key: string): void;
  getSchema(key: string): Validate | undefined;
}
// ajv-draft-04 is CommonJS; the official schemas are draft-04 (see tooling/testkit/data/README.md).
const Ajv = (createRequire(import.meta.url)('ajv-draft-04') as { default: new (options: object) => AjvInstance }).default;

/** The official OCI runtime-spec schemas, copied into the testkit (see `data/README.md`; tests only). */
export const officialSchemaRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../data/oci-runtime-spec');

/**
 * Docker's reference data (the Engine API description, moby's default seccomp profile): a CI extra,
 * never copied into the repository (its README says the project writes its own). It comes from
 * `EXECDRIVER_REFERENCE`, a directory `.ci/run` provides (the repository reads nothing outside itself).
 *
 * - `{ path }`: the file is there: run the comparison.
 * - `{ skip }`: not set outside CI: the comparison is not run, and `skip` says so as the describe title.
 * - `{ error }`: not set (or the file missing) under `CI=true`: the comparison must fail, never skip in CI.
 */
export type ReferenceData = { path: string; skip?: undefined; error?: undefined } | { path?: undefined; skip: string; error?: undefined } | { path?: undefined; skip?: undefined; error: string };

export function referenceFile(name: 'docker-engine-api.yaml' | 'moby-seccomp-default.json', env: NodeJS.ProcessEnv = process.env): ReferenceData {
  const dir = env.EXECDRIVER_REFERENCE;
  if (!dir) {
    if (env.CI === 'true') return { error: `EXECDRIVER_REFERENCE is not set: CI must compare with Docker's ${name} (.ci/run sets it)` };
    return { skip: `not run: EXECDRIVER_REFERENCE is not set (the directory holding Docker's ${name})` };
  }
  const path = resolve(dir, name);
  if (!existsSync(path)) return { error: `EXECDRIVER_REFERENCE=${dir} has no ${name}` };
  return { path };
}

export type OfficialVersion = 'v1.0.2' | 'v1.2.1';

export interface SchemaCheck {
  valid: boolean;
  errors: string[];
}

const cache = new Map<string, (value: unknown) => SchemaCheck>();

/** A validator for `config-schema.json`, `state-schema.json` or `features-schema.json` of one official version. */
export function officialValidator(version: OfficialVersion, schema = 'config-schema.json'): (value: unknown) => SchemaCheck {
  const key = `${version}/${schema}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const dir = join(officialSchemaRoot, version);
  if (!existsSync(dir)) throw new Error(`official OCI schemas not found at ${dir}`);
  const ajv = new Ajv({ strictSchema: false, allErrors: true });
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')), file);
  }
  const validate = ajv.getSchema(schema);
  if (!validate) throw new Error(`no schema ${schema} in ${dir}`);
  const check = (value: unknown): SchemaCheck => {
    const valid = validate(value) as boolean;
    return { valid, errors: (validate.errors ?? []).map((error: { instancePath: string; message?: string }) => `${error.instancePath} ${error.message ?? ''}`) };
  };
  cache.set(key, check);
  return check;
}
