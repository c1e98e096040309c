import { setTimeout as sleep } from 'node:timers/promises';
import { cpuPercent, memoryUsageWithoutCache, toDockerStats, type DockerStats, type Sample } from '@execdriver/cgroups';
import type { ContainerStats } from '@execdriver/driver';
import type { CommandSpec } from '../command-spec.js';
import { dockerState, findContainer } from '../container-lookup.js';
import { flagBoolean, flagString } from '../flags.js';
import { formatEach } from '../go-template.js';
import { formatTable } from '../table.js';
import { formatBinarySize, formatDecimalSize } from '../units.js';

export function toSample(stats: ContainerStats): Sample {
  return { stats: stats.cgroup, systemCpuUsageNanoseconds: stats.systemCpuUsageNanoseconds, onlineCpus: stats.onlineCpus, networks: stats.networks };
}

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

/** The figures of one `docker stats` line, computed as the docker CLI does. */
export function toStatsRow(id: string, previous: Sample | undefined, current: Sample, memoryLimitBytes: number): StatsRow {
  const usage = memoryUsageWithoutCache(current.stats.memory) ?? 0;
  const networks = Object.values(current.networks ?? {});
  const docker = toDockerStats(previous, current, { id, name: id });
  let blockReadBytes = 0;
  let blockWriteBytes = 0;
  for (const entry of docker.blkio_stats.io_service_bytes_recursive ?? []) {
    const op = entry.op.toLowerCase();
    if (op === 'read') blockReadBytes += entry.value;
    else if (op === 'write') blockWriteBytes += entry.value;
  }
  return {
    id,
    name: id,
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

function tableLine(row: StatsRow): string[] {
  return [
    row.id.slice(0, 12),
    row.name,
    `${row.cpuPercent.toFixed(2)}%`,
    `${formatBinarySize(row.memoryUsageBytes)} / ${formatBinarySize(row.memoryLimitBytes)}`,
    `${row.memoryPercent.toFixed(2)}%`,
    `${formatDecimalSize(row.networkRxBytes)} / ${formatDecimalSize(row.networkTxBytes)}`,
    `${formatDecimalSize(row.blockReadBytes)} / ${formatDecimalSize(row.blockWriteBytes)}`,
    String(row.pids),
  ];
}

const header = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];

export const statsCommandSpec: CommandSpec = {
  name: 'stats',
  usage: 'stats [OPTIONS] [CONTAINER...]',
  description: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    { name: 'all', short: 'a', kind: 'boolean', description: 'Show all containers (default shows just running)' },
    { name: 'no-stream', kind: 'boolean', description: 'Disable streaming stats and only pull the first result' },
    { name: 'format', kind: 'string', description: 'json: one Docker Engine API stats object per container and sample' },
  ],
  async run(context, parsed) {
    const driver = await context.driver();
    const format = flagString(parsed, 'format');
    const stream = !flagBoolean(parsed, 'no-stream');
    const named = parsed.positionals.length > 0;
    const ids = async (): Promise<string[]> => {
      if (named) return Promise.all(parsed.positionals.map(async (reference) => (await findContainer(context, reference)).id));
      return (await driver.list()).filter((summary) => ['running', 'paused'].includes(dockerState(summary))).map((summary) => summary.id);
    };
    const previous = new Map<string, Sample>();
    const read = async (id: string) => {
      try {
        return await driver.stats(id);
      } catch (error) {
        if (named) throw error;
        return undefined;
      }
    };
    // The first sample only primes CPU %; docker stats shows figures from the second on.
    for (const id of await ids()) {
      const stats = await read(id);
      if (stats) previous.set(id, toSample(stats));
    }
    const live = stream && format === undefined && process.stdout.isTTY;
    for (;;) {
      await sleep(1000);
      const rows: StatsRow[] = [];
      const documents: DockerStats[] = [];
      for (const id of await ids()) {
        const stats = await read(id);
        if (!stats) continue;
        const sample = toSample(stats);
        const before = previous.get(id);
        rows.push(toStatsRow(id, before, sample, stats.memoryLimitBytes));
        documents.push(toDockerStats(before, sample, { id, name: id }));
        previous.set(id, sample);
      }
      if (format === 'json') context.stdout.write(documents.map((document) => `${JSON.stringify(document)}\n`).join(''));
      else if (format !== undefined && format !== 'table') context.stdout.write(formatEach(format, rows));
      else context.stdout.write(`${live ? '\x1b[2J\x1b[H' : ''}${formatTable(header, rows.map(tableLine))}`);
      if (!stream) return 0;
    }
  },
};
