import { statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuPercent, memoryUsageWithoutCache, toDockerStats, type DockerStats, type Sample } from '@execdriver/cgroups';
import { DriverError, type ContainerStats } from '@execdriver/driver';
import type { CommandSpec } from '../command-spec.js';
import { isActive, toSample } from '@execdriver/engine';
import { findContainer } from '../find-container.js';
import { flagBoolean, flagString } from '../flags.js';
import { formatEach, goType } from '../go-template.js';
import { formatTable } from '../table.js';
import { formatBinarySize, formatDecimalSize } from '../units.js';

export { toSample } from '@execdriver/engine';

export interface StatsRow {
  id: string;
  name: string;
  cpuPercent: number;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
  memoryPercent: number;
  networkRxBytes: number;
  networkTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
}

let hostMemory: number | undefined;
/** The host's memory, read once (os.totalmem() reads /proc/meminfo on every call). */
function machineMemory(): number {
  return (hostMemory ??= totalmem());
}

/** The figures of one `docker stats` line, computed as the docker CLI does. */
export function toStatsRow(id: string, previous: Sample | undefined, current: Sample, memoryLimitBytes: number, name = id): StatsRow {
  const usage = memoryUsageWithoutCache(current.stats.memory) ?? 0;
  const networks = Object.values(current.networks ?? {});
  const docker = toDockerStats(previous, current, { id, name, machineMemoryBytes: machineMemory() });
  let blockReadBytes = 0;
  let blockWriteBytes = 0;
  for (const entry of docker.blkio_stats.io_service_bytes_recursive ?? []) {
    const op = entry.op.toLowerCase();
    if (op === 'read') blockReadBytes += entry.value;
    else if (op === 'write') blockWriteBytes += entry.value;
  }
  return {
    id,
    name,
    cpuPercent: previous ? cpuPercent(previous, current) : 0,
    memoryUsageBytes: usage,
    memoryLimitBytes,
    memoryPercent: memoryLimitBytes > 0 ? (usage / memoryLimitBytes) * 100 : 0,
    networkRxBytes: networks.reduce((total, network) => total + network.rxBytes, 0),
    networkTxBytes: networks.reduce((total, network) => total + network.txBytes, 0),
    blockReadBytes,
    blockWriteBytes,
    pids: current.stats.pids?.current ?? 0,
  };
}

/** A stopped container's line, as Docker shows it: zeros. */
export function stoppedStatsRow(id: string, name = id): StatsRow {
  return { id, name, cpuPercent: 0, memoryUsageBytes: 0, memoryLimitBytes: 0, memoryPercent: 0, networkRxBytes: 0, networkTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0, pids: 0 };
}

const zeroTime = '0001-01-01T00:00:00Z';

/** A stopped container's Engine API stats object, as Docker returns it: zero times and counters. */
export function stoppedDockerStats(id: string, name = id): DockerStats {
  const cpu = () => ({ cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } });
  return {
    id,
    name: `/${name}`,
    os_type: 'linux',
    read: zeroTime,
    preread: zeroTime,
    num_procs: 0,
    cpu_stats: cpu(),
    precpu_stats: cpu(),
    memory_stats: {},
    pids_stats: {},
    blkio_stats: {
      io_service_bytes_recursive: null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
  };
}

/** The fields of `docker stats --format` templates, as Docker spells and prints them. */
export function toStatsTemplateRow(row: StatsRow, container: string) {
  // In the order of the docker CLI's `{{json .}}` (its keys sorted).
  return goType(
    {
      BlockIO: `${formatDecimalSize(row.blockReadBytes)} / ${formatDecimalSize(row.blockWriteBytes)}`,
      CPUPerc: `${row.cpuPercent.toFixed(2)}%`,
      Container: container,
      ID: row.id.slice(0, 12),
      MemPerc: `${row.memoryPercent.toFixed(2)}%`,
      MemUsage: `${formatBinarySize(row.memoryUsageBytes)} / ${formatBinarySize(row.memoryLimitBytes)}`,
      Name: row.name,
      NetIO: `${formatDecimalSize(row.networkRxBytes)} / ${formatDecimalSize(row.networkTxBytes)}`,
      PIDs: String(row.pids),
    },
    '*container.statsContext',
  );
}

/** Docker's column titles for `stats --format 'table ...'`, by field. */
export const statsHeaders = {
  Container: 'CONTAINER',
  Name: 'NAME',
  ID: 'CONTAINER ID',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
} satisfies Record<keyof ReturnType<typeof toStatsTemplateRow>, string>;

function tableLine(row: StatsRow): string[] {
  const cells = toStatsTemplateRow(row, row.id);
  return [cells.ID, cells.Name, cells.CPUPerc, cells.MemUsage, cells.MemPerc, cells.NetIO, cells.BlockIO, cells.PIDs];
}

const header = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];

export const statsCommandSpec: CommandSpec = {
  name: 'stats',
  usage: 'stats [OPTIONS] [CONTAINER...]',
  description: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    { name: 'all', short: 'a', kind: 'boolean', description: 'Show all containers (default shows just running)' },
    { name: 'no-stream', kind: 'boolean', description: 'Disable streaming stats and only pull the first result' },
    {
      name: 'format',
      kind: 'string',
      description:
        "Format output: table (default), json (one line of Docker's fields per container and sample), api (the Docker Engine API stats object; not in Docker), a template like '{{.Name}} {{.CPUPerc}}', or 'table {{.Name}}\\t{{.MemUsage}}'",
    },
  ],
  async run(context, parsed) {
    const format = flagString(parsed, 'format');
    if (format !== undefined && format !== 'api' && format !== 'table') formatEach(format, [], { headers: statsHeaders });
    const engine = await context.engine();
    const driver = await engine.driver();
    const stream = !flagBoolean(parsed, 'no-stream');
    const named = parsed.positionals.length > 0;
    const all = flagBoolean(parsed, 'all');
    /** The containers to show, with the reference the user gave (Docker's `.Container`). */
    const targets = async (): Promise<{ id: string; reference: string; name: string }[]> => {
      if (named) return Promise.all(parsed.positionals.map(async (reference) => { const found = await findContainer(context, reference); return { id: found.id, reference, name: found.name }; }));
      return (await engine.list()).containers
        .filter((container) => all || isActive(container))
        .map((container) => ({ id: container.id, reference: container.name, name: container.name }));
    };
    const previous = new Map<string, Sample>();
    /** Stats of a running container; `stopped` for one that is not running (Docker shows zeros). */
    const read = async (id: string): Promise<ContainerStats | 'stopped' | undefined> => {
      try {
        // A line (table, json, template) needs a third of the kernel files of the full API object.
        return await driver.stats(id, { brief: format !== 'api' });
      } catch (error) {
        if (error instanceof DriverError && error.code === 'CONTAINER_NOT_RUNNING') return 'stopped';
        if (named) throw error;
        return undefined;
      }
    };
    // Listing every container each second costs more than their stats. The list is taken afresh when
    // the events journal grew (a container was created, started, renamed or removed: one stat() a
    // second, where dockerd's CLI follows the event stream), at once when a listed container is gone
    // or stopped, and every 30 s whatever happened.
    const journalMark = () => {
      try {
        const info = statSync(engine.events.path);
        return `${info.ino}:${info.size}`;
      } catch {
        return '';
      }
    };
    let mark = journalMark();
    // The first sample only primes CPU %; docker stats shows figures from the second on.
    const first = await targets();
    const primedAt = performance.now();
    for (const { id } of first) {
      const stats = await read(id);
      if (stats && stats !== 'stopped') previous.set(id, toSample(stats));
    }
    const live = stream && format === undefined && process.stdout.isTTY;
    let listed = first;
    let tick = 0;
    for (;;) {
      // Streaming: a row a second, as docker stats. --no-stream: one row, its CPU % over a fifth of a
      // second, for the containers just listed: the second pass starts 200 ms after the first began,
      // so each container's two samples are 200 ms apart (both passes take as long).
      await sleep(stream ? 1000 : Math.max(0, 200 - (performance.now() - primedAt)));
      const rows: { row: StatsRow; reference: string }[] = [];
      const documents: DockerStats[] = [];
      const marked = stream && !named ? journalMark() : mark;
      if (stream && !named && (marked !== mark || tick++ % 30 === 29)) {
        mark = marked; // taken before the list: what is journaled meanwhile makes the next tick list again
        listed = await targets();
      } else if (stream && named) listed = await targets();
      let changed = false;
      for (const { id, reference, name } of listed) {
        const stats = await read(id);
        if (!stats) {
          changed = true;
          continue;
        }
        if (stats === 'stopped') {
          if (!all) changed = true;
          rows.push({ row: stoppedStatsRow(id, name), reference });
          if (format === 'api') documents.push(stoppedDockerStats(id, name));
          previous.delete(id);
          continue;
        }
        const sample = toSample(stats);
        const before = previous.get(id);
        rows.push({ row: toStatsRow(id, before, sample, stats.memoryLimitBytes, name), reference });
        if (format === 'api') documents.push(toDockerStats(before, sample, { id, name: `/${name}`, machineMemoryBytes: machineMemory() }));
        previous.set(id, sample);
      }
      if (format === 'api') context.stdout.write(documents.map((document) => `${JSON.stringify(document)}\n`).join(''));
      else if (format !== undefined && format !== 'table') {
        context.stdout.write(formatEach(format, rows.map(({ row, reference }) => toStatsTemplateRow(row, reference)), { headers: statsHeaders }));
      } else context.stdout.write(`${live ? '\x1b[2J\x1b[H' : ''}${formatTable(header, rows.map(({ row }) => tableLine(row)))}`);
      if (!stream) return 0;
      if (changed && !named) {
        mark = journalMark();
        listed = await targets();
        tick = 0;
      }
    }
  },
};
