// How many typical Commands per second createRuntimeSpec turns into OCI configs (aim: >= 10,000/s).
// Runs the built package (`pnpm bench` builds first). Prints one line per case, then the aim.
import { parseCommand } from '@execdriver/spec';
import { createRuntimeSpec } from '../dist/index.js';

const typical = {
  id: 'web-1',
  rootfs: '/var/lib/execdriver/web-1/rootfs',
  hostname: 'web',
  process: { args: ['nginx', '-g', 'daemon off;'], env: ['NGINX_PORT=8080'], user: '101:101', workingDir: '/srv' },
  resources: { memory: 256 * 1024 * 1024, cpus: 1.5, pidsLimit: 200, ulimits: [{ name: 'nofile', soft: 4096, hard: 8192 }] },
  mounts: [
    { type: 'bind', source: '/srv/www', destination: '/srv/www', readonly: true },
    { type: 'tmpfs', destination: '/run', sizeBytes: 16 * 1024 * 1024 },
  ],
  capAdd: ['NET_ADMIN'],
  capDrop: ['MKNOD'],
  sysctls: { 'net.core.somaxconn': '1024' },
  cgroupParent: '/services',
};

const cases = [
  ['minimal (args only)', parseCommand({ id: 'min', rootfs: '/rootfs', process: { args: ['true'] } }), {}],
  ['typical (user, resources, mounts, caps, sysctl)', parseCommand(typical), {}],
  ['privileged', parseCommand({ ...typical, privileged: true }), {}],
  ['joined network + ipc', parseCommand({ ...typical, sysctls: {}, namespaces: { network: { mode: 'container', container: 'db' }, ipc: { mode: 'container', container: 'db' } } }), { containerPid: () => 4242, shmPath: (id) => `/var/lib/execdriver/${id}/shm` }],
];

function measure(run, milliseconds = 1500) {
  for (let index = 0; index < 200; index += 1) run(); // warm up
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(milliseconds) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let index = 0; index < 50; index += 1) run();
    count += 50;
    now = process.hrtime.bigint();
  }
  return (count * 1e9) / Number(now - start);
}

const rows = [];
for (const [name, command, options] of cases) {
  rows.push([name, measure(() => createRuntimeSpec(command, options))]);
}
rows.push(['typical incl. parseCommand', measure(() => createRuntimeSpec(parseCommand(typical)))]);
// Reference: JSON.stringify of the typical config, what writing config.json costs on top.
const config = createRuntimeSpec(cases[1][1]).spec;
rows.push(['reference: JSON.stringify(config)', measure(() => JSON.stringify(config))]);

const width = Math.max(...rows.map(([name]) => name.length));
for (const [name, perSecond] of rows) {
  process.stdout.write(`${name.padEnd(width)}  ${Math.round(perSecond).toLocaleString('en-US').padStart(9)} /s\n`);
}
const worst = Math.min(...rows.slice(0, cases.length).map(([, perSecond]) => perSecond));
process.stdout.write(`slowest case: ${Math.round(worst).toLocaleString('en-US')} Commands/s (aim >= 10,000/s: ${worst >= 10_000 ? 'met' : 'NOT met'})\n`);
