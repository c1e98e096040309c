import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the fake runc answers (see fake-runc.sh); unset fields are removed from the environment. */
export interface FakeRuncAnswer {
  command?: string;
  stdout?: string;
  stderr?: string;
  exit?: number;
  logMessage?: string;
  /** JSON for `runc features`; without it `features` fails as on runc 1.0. */
  features?: unknown;
}

const variables = ['FAKE_RUNC_COMMAND', 'FAKE_RUNC_STDOUT', 'FAKE_RUNC_STDERR', 'FAKE_RUNC_EXIT', 'FAKE_RUNC_LOG_MESSAGE', 'FAKE_RUNC_FEATURES'] as const;

/** A private copy of the fake runc in a temp dir, with its call log; `answer()` sets what it says next. */
export async function createFakeRunc() {
  const dir = await mkdtemp(join(tmpdir(), 'execdriver-fake-runc-'));
  const command = join(dir, 'runc');
  const calls = join(dir, 'calls.log');
  await copyFile(join(import.meta.dirname, 'fake-runc.sh'), command);
  await writeFile(calls, '');
  process.env.FAKE_RUNC_CALLS = calls;
  return {
    dir,
    command,
    async answer(answer: FakeRuncAnswer = {}): Promise<void> {
      for (const name of variables) delete process.env[name];
      if (answer.command !== undefined) process.env.FAKE_RUNC_COMMAND = answer.command;
      if (answer.stdout !== undefined) process.env.FAKE_RUNC_STDOUT = answer.stdout;
      if (answer.stderr !== undefined) process.env.FAKE_RUNC_STDERR = answer.stderr;
      if (answer.exit !== undefined) process.env.FAKE_RUNC_EXIT = String(answer.exit);
      if (answer.logMessage !== undefined) process.env.FAKE_RUNC_LOG_MESSAGE = answer.logMessage;
      if (answer.features !== undefined) {
        await writeFile(join(dir, 'features.json'), JSON.stringify(answer.features));
        process.env.FAKE_RUNC_FEATURES = join(dir, 'features.json');
      }
    },
    /** The argv of every call so far, one string each (NOTIFY_SOCKET lines included when it leaked). */
    async calls(): Promise<string[]> {
      return (await readFile(calls, 'utf8')).split('\n').filter(Boolean);
    },
    async remove(): Promise<void> {
      for (const name of [...variables, 'FAKE_RUNC_CALLS'] as const) delete process.env[name];
      await rm(dir, { recursive: true, force: true });
    },
  };
}
