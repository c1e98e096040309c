import type { Container } from '@execdriver/engine';
import type { Context } from './context.js';

/** The container a reference names (full id, name, or unique id prefix), with its live state. */
export async function findContainer(context: Context, reference: string): Promise<Container> {
  return (await context.engine()).find(reference);
}
