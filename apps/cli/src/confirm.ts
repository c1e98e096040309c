import type { Context } from './context.js';

/** One line of standard input (without its newline), or what came before its end. */
function readLine(input: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      input.off('data', onData);
      input.off('end', done);
      input.off('error', done);
      input.pause();
      resolve(text.split('\n')[0] ?? '');
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) done();
    };
    input.on('data', onData);
    input.once('end', done);
    input.once('error', done);
    input.resume();
  });
}

/**
 * The docker CLI's PromptForConfirmation: `MESSAGE [y/N] ` on stdout, one line read from stdin;
 * `y` or `yes` (any case) confirms, anything else (an empty line, the end of input) declines.
 */
export async function confirm(context: Pick<Context, 'stdout'>, message: string, input: NodeJS.ReadStream = process.stdin): Promise<boolean> {
  context.stdout.write(`${message} [y/N] `);
  const answer = await readLine(input);
  return /^(y|yes)$/i.test(answer.trim());
}
