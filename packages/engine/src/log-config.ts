import { join } from 'node:path';
import { EngineError } from './errors.js';

/** Docker's HostConfig.LogConfig: the driver and its `--log-opt` options. */
export interface LogConfig {
  Type: 'json-file' | 'none';
  Config: Record<string, string>;
}

/** The json-file options in numbers: a file never larger than `maxSizeBytes` (unbounded when undefined), `maxFiles` files kept. */
export interface JsonFileLimits {
  maxSizeBytes: number | undefined;
  maxFiles: number;
}

export function defaultLogConfig(): LogConfig {
  return { Type: 'json-file', Config: {} };
}

const sizeUnits: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/**
 * Checks a log config as Docker does at create: the driver is json-file or none, json-file takes
 * `max-size` (`10m`, a size of at least 1 byte), `max-file` (at least 1, only with max-size),
 * and `labels`/`env`/`compress` (`compress` is accepted and ignored).
 * @throws EngineError INVALID_REQUEST naming the option
 */
export function parseLogConfig(type: string | undefined, options: readonly string[] = []): LogConfig {
  const driver = type ?? 'json-file';
  if (driver !== 'json-file' && driver !== 'none') throw new EngineError('INVALID_REQUEST', `logger: no log driver named '${driver}' is registered (execdriver has json-file and none)`);
  const config: Record<string, string> = {};
  for (const option of options) {
    const index = option.indexOf('=');
    if (index <= 0) throw new EngineError('INVALID_REQUEST', `invalid log opt format '${option}': expected key=value`);
    config[option.slice(0, index)] = option.slice(index + 1);
  }
  const result: LogConfig = { Type: driver, Config: config };
  if (driver === 'none') {
    if (Object.keys(config).length > 0) throw new EngineError('INVALID_REQUEST', `unknown log opt '${Object.keys(config)[0]}' for none log driver`);
    return result;
  }
  for (const key of Object.keys(config)) {
    if (!['max-size', 'max-file', 'labels', 'labels-regex', 'env', 'env-regex', 'compress', 'tag'].includes(key)) throw new EngineError('INVALID_REQUEST', `unknown log opt '${key}' for json-file log driver`);
  }
  jsonFileLimits(result);
  return result;
}

/** The json-file limits of a (checked) config. @throws EngineError INVALID_REQUEST */
export function jsonFileLimits(config: LogConfig): JsonFileLimits {
  const sizeText = config.Config['max-size'];
  let maxSizeBytes: number | undefined;
  if (sizeText !== undefined && sizeText !== '' && sizeText !== '-1') {
    const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(sizeText.trim());
    if (!match) throw new EngineError('INVALID_REQUEST', `invalid value ${JSON.stringify(sizeText)} for log opt max-size: expected a size like 10m`);
    maxSizeBytes = Math.floor(Number(match[1]) * sizeUnits[match[2]!.toLowerCase()]!);
    if (maxSizeBytes < 1) throw new EngineError('INVALID_REQUEST', 'max-size must be a positive number');
  }
  const fileText = config.Config['max-file'];
  let maxFiles = 1;
  if (fileText !== undefined) {
    if (!/^\d+$/.test(fileText) || Number(fileText) < 1) throw new EngineError('INVALID_REQUEST', `invalid value ${JSON.stringify(fileText)} for log opt max-file: must be a number of at least 1`);
    if (maxSizeBytes === undefined) throw new EngineError('INVALID_REQUEST', 'max-file can only be used with max-size');
    maxFiles = Number(fileText);
  }
  return { maxSizeBytes, maxFiles };
}

/** `<dataRoot>/containers/<id>/<id>-json.log`, as Docker names it. */
export function jsonLogPath(containerDir: string, id: string): string {
  return join(containerDir, `${id}-json.log`);
}
