import { readFile } from 'node:fs/promises';
import { clockTicks } from '../proc-ticks.js';
import type { CommandSpec } from '../command-spec.js';
import { findContainer } from '../find-container.js';
import { formatTable } from '../table.js';

function formatCpuTime(ticks: number): string {
  const seconds = Math.floor(ticks / clockTicks);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/** One row of `top`: UID PID PPID STAT TIME CMD, read from /proc (host view). */
async function processRow(pid: number, procRoot: string): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`${procRoot}/${pid}/stat`, 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = await readFile(`${procRoot}/${pid}/status`, 'utf8');
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1] ?? '?';
    const cmdline = (await readFile(`${procRoot}/${pid}/cmdline`, 'utf8')).split('\0').filter((part) => part !== '').join(' ');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ticks = Number(afterName[11]) + Number(afterName[12]);
    return [uid, String(pid), afterName[1] ?? '?', afterName[0] ?? '?', formatCpuTime(ticks), cmdline || `[${name}]`];
  } catch {
    return undefined;
  }
}

export const topCommandSpec: CommandSpec = {
  name: 'top',
  usage: 'top CONTAINER',
  description: 'Display the running processes of a container',
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  async run(context, parsed) {
    const summary = await findContainer(context, parsed.positionals[0]!);
    const driver = await context.driver();
    const pids = (await driver.getPids(summary.id)).sort((a, b) => a - b);
    const rows = (await Promise.all(pids.map((pid) => processRow(pid, '/proc')))).filter((row): row is string[] => row !== undefined);
    context.stdout.write(formatTable(['UID', 'PID', 'PPID', 'STAT', 'TIME', 'CMD'], rows));
    return 0;
  },
};
