import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ensureBridgeRules } from './bridge-rules.js';
import { NetworkError } from './errors.js';

// A fake iptables for the argument building and the error path (the rules themselves are proven
// on the host's iptables by the CLI's network suite): it logs each call; -C finds a rule when it
// is in its table file; -A/-I add it there, or fail with iptables' words when told to.
const work = mkdtempSync(join(tmpdir(), 'execdriver-bridge-rules-'));
const fake = join(work, 'iptables');
const log = join(work, 'calls');
const table = join(work, 'table');
writeFileSync(
  fake,
  `#!/bin/sh
echo "$*" >> ${log}
rule=$(echo "$*" | sed -e 's/ -[CAI] [A-Z]*\\( 1\\)\\? / /')
case "$*" in
  *" -C "*) grep -qxF -- "$rule" ${table} 2>/dev/null; exit $? ;;
esac
if [ -e ${work}/refuse ]; then echo "iptables v1.8.9 (legacy): Couldn't load target \\\`MASQUERADE':No such file or directory" >&2; exit 2; fi
echo "$rule" >> ${table}
`,
);
chmodSync(fake, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const input = { bridge: 'edtest0', subnet: '172.30.0.0/16', internal: false };

for (const locked of [false, true]) {
  test(`adds each missing rule once, then checks only (${locked ? 'under flock' : 'unlocked'})`, async () => {
    rmSync(log, { force: true });
    rmSync(table, { force: true });
    await ensureBridgeRules(input, fake, locked ? join(work, 'rules.lock') : undefined);
    const first = readFileSync(log, 'utf8').trim().split('\n');
    expect(first.filter((call) => call.includes(' -C '))).toHaveLength(3);
    expect(first.filter((call) => / -[AI] /.test(call))).toEqual([
      '-w -t filter -I FORWARD 1 -i edtest0 -m comment --comment execdriver:edtest0 -j ACCEPT',
      '-w -t filter -I FORWARD 1 -o edtest0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment execdriver:edtest0 -j ACCEPT',
      '-w -t nat -A POSTROUTING -s 172.30.0.0/16 ! -o edtest0 -m comment --comment execdriver:edtest0 -j MASQUERADE',
    ]);
    rmSync(log);
    await ensureBridgeRules(input, fake, locked ? join(work, 'rules.lock') : undefined);
    expect(readFileSync(log, 'utf8').trim().split('\n').every((call) => call.includes(' -C '))).toBe(true);
  });

  test(`a refused rule is RULES_FAILED with the call and iptables' words (${locked ? 'under flock' : 'unlocked'})`, async () => {
    rmSync(table, { force: true });
    writeFileSync(join(work, 'refuse'), '');
    try {
      const error = await ensureBridgeRules(input, fake, locked ? join(work, 'rules.lock') : undefined).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).code).toBe('RULES_FAILED');
      expect((error as NetworkError).message).toContain(`${fake} -w -t filter -I FORWARD 1 -i edtest0`);
      expect((error as NetworkError).message).toContain("Couldn't load target");
    } finally {
      rmSync(join(work, 'refuse'));
    }
  });
}
