import { constants } from 'node:os';
import { DriverError } from './errors.js';

const byNumber = new Map<number, string>(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/**
 * A signal given by name (`TERM`, `SIGTERM`, `sigkill`) or number (`9`, 9) as runc's kill
 * takes it: the `SIG`-prefixed name. Unknown signals give INVALID_SIGNAL.
 */
export function normalizeSignal(signal: string | number): { name: string; number: number } {
  if (typeof signal === 'number' || /^\d+$/.test(signal)) {
    const number = Number(signal);
    const name = byNumber.get(number);
    if (name === undefined) throw new DriverError('INVALID_SIGNAL', `unknown signal number ${signal}`);
    return { name, number };
  }
  const upper = signal.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const number = (constants.signals as Record<string, number>)[name];
  if (number === undefined) throw new DriverError('INVALID_SIGNAL', `unknown signal ${JSON.stringify(signal)}`);
  return { name, number };
}
