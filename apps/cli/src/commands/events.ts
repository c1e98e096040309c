import { eventToJson, formatTimestamp, parseEventFilters, type EngineEvent } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';
import { usageError } from '../errors.js';
import { flagList, flagString } from '../flags.js';
import { timeFlag } from './logs.js';

/** Docker's events line: `<time> <type> <action> <id> (k=v, ...)`, the time in the local zone with nine digits. */
export function formatEventLine(event: EngineEvent): string {
  const offsetMinutes = -new Date(Number(event.timeNano / 1_000_000n)).getTimezoneOffset();
  const attributes = Object.entries(event.Actor.Attributes)
    .map(([key, value]) => `${key}=${value}`)
    .sort();
  return `${formatTimestamp(event.timeNano, { offsetMinutes })} ${event.Type} ${event.Action} ${event.Actor.ID}${attributes.length > 0 ? ` (${attributes.join(', ')})` : ''}\n`;
}

export const eventsCommandSpec: CommandSpec = {
  name: 'events',
  usage: 'events [OPTIONS]',
  description: 'Get real time events from the server',
  flags: [
    { name: 'filter', short: 'f', kind: 'list', description: 'Filter output based on conditions provided (container=, event=, type=, label=, image=)' },
    { name: 'format', kind: 'string', description: "Format output using a custom template: 'json' or '{{json .}}'" },
    { name: 'since', kind: 'string', description: 'Show all events created since timestamp' },
    { name: 'until', kind: 'string', description: 'Stream events until this timestamp' },
  ],
  maxArgs: 0,
  async run(context, parsed) {
    let filters;
    try {
      filters = parseEventFilters(flagList(parsed, 'filter'));
    } catch (error) {
      throw usageError((error as Error).message);
    }
    const since = timeFlag('since', flagString(parsed, 'since'));
    const until = timeFlag('until', flagString(parsed, 'until'));
    const format = flagString(parsed, 'format');
    if (format !== undefined && !['json', '{{json .}}'].includes(format.trim())) throw usageError(`invalid value ${JSON.stringify(format)} for flag --format: execdriver events supports 'json' and '{{json .}}'`);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const engine = await context.engine();
      for await (const event of engine.events.follow({ filters, signal: controller.signal, ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) })) {
        context.stdout.write(format === undefined ? formatEventLine(event) : `${eventToJson(event)}\n`);
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
};
