import { release } from 'node:os';
import { detectCgroupMode } from '@execdriver/cgroups';
import type { CommandSpec } from '../command-spec.js';
import { flagString } from '../flags.js';
import { parseTemplate, renderTemplate } from '../go-template.js';
import { cliVersion } from './version.js';

export const infoCommandSpec: CommandSpec = {
  name: 'info',
  usage: 'info [OPTIONS]',
  description: 'Display system-wide information: runc, cgroups, kernel, where state lives',
  flags: [{ name: 'format', short: 'f', kind: 'string', description: 'json, or a template like {{.CgroupVersion}}' }],
  maxArgs: 0,
  async run(context, parsed) {
    const format = flagString(parsed, 'format');
    const template = format === 'json' ? '{{json .}}' : format;
    if (template !== undefined) parseTemplate(template);
    const cgroupMode = detectCgroupMode('/sys/fs/cgroup');
    let counts = { running: 0, paused: 0, stopped: 0 };
    let total = 0;
    try {
      const { containers } = await (await context.engine()).list();
      total = containers.length;
      for (const { state } of containers) {
        if (state === 'running') counts.running += 1;
        else if (state === 'paused') counts.paused += 1;
        else counts.stopped += 1;
      }
    } catch {
      counts = { running: 0, paused: 0, stopped: 0 };
    }
    const runtimes = await (await context.driver()).runtimes();
    const info = {
      Containers: total,
      ContainersRunning: counts.running,
      ContainersPaused: counts.paused,
      ContainersStopped: counts.stopped,
      Images: (await (await context.engine()).images.list()).images.length,
      // The default runtime of new containers (crun on pure cgroup v2 where installed, runc otherwise, or EXECDRIVER_RUNC) and every known one on PATH.
      Runtime: runtimes.default.name,
      RuntimeVersion: runtimes.default.version,
      DefaultRuntime: runtimes.default.name,
      Runtimes: Object.fromEntries(runtimes.available.map((runtime) => [runtime.name, { path: runtime.path, version: runtime.version, ...(runtime.problem ? { problem: runtime.problem } : {}) }])),
      CgroupMode: cgroupMode,
      CgroupVersion: cgroupMode === 'unified' ? '2' : '1',
      KernelVersion: release(),
      OperatingSystem: process.platform,
      Architecture: process.arch,
      StateRoot: context.stateRoot,
      DataRoot: context.dataRoot,
      ClientVersion: cliVersion,
      NodeVersion: process.version,
    };
    if (template !== undefined) {
      context.stdout.write(`${renderTemplate(template, info)}\n`);
      return 0;
    }
    context.stdout.write(
      [
        `Containers: ${info.Containers}`,
        ` Running: ${info.ContainersRunning}`,
        ` Paused: ${info.ContainersPaused}`,
        ` Stopped: ${info.ContainersStopped}`,
        `Images: ${info.Images}`,
        `Runtime: ${info.Runtime} ${info.RuntimeVersion}`,
        `Default Runtime: ${info.DefaultRuntime}`,
        `Runtimes: ${runtimes.available.map((runtime) => `${runtime.name} (${runtime.path}${runtime.problem ? `; unusable here: ${runtime.problem}` : ''})`).join(', ')}`,
        `Cgroup Mode: ${info.CgroupMode}`,
        `Cgroup Version: ${info.CgroupVersion}`,
        `Kernel Version: ${info.KernelVersion}`,
        `OSType: ${info.OperatingSystem}`,
        `Architecture: ${info.Architecture}`,
        `State Root: ${info.StateRoot}`,
        `Data Root: ${info.DataRoot}`,
        `execdriver: ${info.ClientVersion} (Node.js ${info.NodeVersion})`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
