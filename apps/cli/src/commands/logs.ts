import { parseTimestamp, readLogs, formatTimestamp } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';
import { usageError } from '../errors.js';
import { findContainer } from '../find-container.js';
import { flagBoolean, flagString } from '../flags.js';

/** A `--since`/`--until` value as Docker's CLI reads it (a duration, Unix seconds, RFC3339). */
export function timeFlag(flag: string, text: string | undefined): bigint | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return parseTimestamp(text);
  } catch {
    throw usageError(`invalid value ${JSON.stringify(text)} for flag --${flag}: expected a Unix timestamp, an RFC3339 date or a duration like 10m`);
  }
}

export const logsCommandSpec: CommandSpec = {
  name: 'logs',
  usage: 'logs [OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  flags: [
    { name: 'details', kind: 'boolean', description: 'Show extra details provided to logs' },
    { name: 'follow', short: 'f', kind: 'boolean', description: 'Follow log output' },
    { name: 'since', kind: 'string', description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    { name: 'tail', short: 'n', kind: 'string', description: 'Number of lines to show from the end of the logs (default "all")' },
    { name: 'timestamps', short: 't', kind: 'boolean', description: 'Show timestamps' },
    { name: 'until', kind: 'string', description: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(context, parsed) {
    const summary = await findContainer(context, parsed.positionals[0]!);
    const tailText = flagString(parsed, 'tail') ?? 'all';
    let tail: number | undefined;
    // Docker: a negative or non-numeric --tail means all.
    if (tailText !== 'all' && /^\d+$/.test(tailText)) tail = Number(tailText);
    const since = timeFlag('since', flagString(parsed, 'since'));
    const until = timeFlag('until', flagString(parsed, 'until'));
    const timestamps = flagBoolean(parsed, 'timestamps');
    const details = flagBoolean(parsed, 'details');
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    try {
      for await (const entry of readLogs(await context.engine(), summary.id, { tail, follow: flagBoolean(parsed, 'follow'), signal: controller.signal, ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) })) {
        const prefix = `${timestamps ? `${formatTimestamp(entry.timeNano)} ` : ''}${details ? `${Object.entries(entry.attributes).map(([key, value]) => `${key}=${value}`).join(',')} ` : ''}`;
        const target = entry.stream === 'stdout' ? context.stdout : context.stderr;
        target.write(prefix === '' ? entry.log : Buffer.concat([Buffer.from(prefix), entry.log]));
      }
    } finally {
      process.off('SIGINT', stop);
    }
    return 0;
  },
};
