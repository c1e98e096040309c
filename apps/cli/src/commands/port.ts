import { parseExposed } from '@execdriver/network';
import type { CommandSpec } from '../command-spec.js';
import { usageError } from '../errors.js';
import { findContainer } from '../find-container.js';

/** `docker port CONTAINER [PRIVATE_PORT[/PROTO]]`: `80/tcp -> 0.0.0.0:8080`. */
export const portCommandSpec: CommandSpec = {
  name: 'port',
  usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  flags: [],
  minArgs: 1,
  maxArgs: 2,
  async run(context, parsed) {
    const [reference, wanted] = parsed.positionals as [string, string | undefined];
    const engine = await context.engine();
    const container = await findContainer(context, reference);
    const attachment = await engine.networks.attachments.get(container.id);
    let bindings = attachment?.ports ?? [];
    if (wanted !== undefined) {
      let port: { containerPort: number; protocol: string };
      try {
        port = parseExposed(wanted)[0]!;
      } catch {
        throw usageError(`invalid port ${JSON.stringify(wanted)}: expected PRIVATE_PORT[/PROTO]`);
      }
      bindings = bindings.filter((binding) => binding.containerPort === port.containerPort && binding.protocol === port.protocol);
      if (bindings.length === 0) throw new Error(`No public port '${port.containerPort}/${port.protocol}' published for ${reference}`);
      context.stdout.write(bindings.map((binding) => `${binding.hostIp || '0.0.0.0'}:${binding.hostPort}\n`).join(''));
      return 0;
    }
    context.stdout.write(bindings.map((binding) => `${binding.containerPort}/${binding.protocol} -> ${binding.hostIp || '0.0.0.0'}:${binding.hostPort}\n`).join(''));
    return 0;
  },
};
