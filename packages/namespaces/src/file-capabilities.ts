import { execFile } from 'node:child_process';
import { NamespaceError } from './errors.js';

/**
 * File capabilities (the `security.capability` xattr) as getcap prints them, e.g. `cap_net_raw=ep`,
 * with the v3 root id when there is one. Node has no xattr API, so this goes through libcap's
 * getcap/setcap (Debian package libcap2-bin).
 */
export interface FileCapabilities {
  text: string;
  rootId?: number;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, [...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new NamespaceError('TOOL_FAILED', missing ? `${command} not found: install libcap2-bin` : `${command} ${args.join(' ')} failed: ${stderr.trim()}`, {
            value: args,
            cause: error,
          }),
        );
      } else resolvePromise(stdout);
    });
  });
}

/**
 * Every regular file under `dir` that has file capabilities (`getcap -n -r`, which does not follow
 * symlinks). `knownFiles` are the tree's regular files: getcap separates the path from the
 * capabilities with a space, so a line is split where its prefix is a known file.
 */
export async function listFileCapabilities(dir: string, knownFiles: ReadonlySet<string>): Promise<Map<string, FileCapabilities>> {
  const found = new Map<string, FileCapabilities>();
  const output = await run('getcap', ['-n', '-r', dir]);
  for (const line of output.split('\n')) {
    if (line === '') continue;
    let split = line.indexOf(' ');
    while (split !== -1 && !knownFiles.has(line.slice(0, split))) split = line.indexOf(' ', split + 1);
    if (split === -1) {
      throw new NamespaceError('TOOL_FAILED', `getcap printed a line for no file of the tree: ${JSON.stringify(line)}`, { value: line });
    }
    let text = line.slice(split + 1).trim();
    let rootId: number | undefined;
    const rootMatch = /\s*\[rootid=(\d+)\]$/.exec(text);
    if (rootMatch) {
      rootId = Number(rootMatch[1]);
      text = text.slice(0, rootMatch.index);
    }
    found.set(line.slice(0, split), rootId === undefined ? { text } : { text, rootId });
  }
  return found;
}

/** Sets a file's capabilities (`setcap [-n rootid] <text> <path>`); v2 (no root id) works in every user namespace. */
export async function setFileCapabilities(path: string, capabilities: FileCapabilities): Promise<void> {
  const rootArgs = capabilities.rootId === undefined || capabilities.rootId === 0 ? [] : ['-n', String(capabilities.rootId)];
  await run('setcap', [...rootArgs, capabilities.text, path]);
}
