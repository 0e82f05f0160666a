import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const oxlint = join(root, 'node_modules', '.bin', 'oxlint');

/**
 * `npm run lint` enforces the layers of DESIGN.md. Here the project's own
 * .oxlintrc.json is run over probe files in a scratch tree shaped like ours:
 * every crossing of a layer must be reported, every allowed import not.
 */
describe('the layer rule (npm run lint)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ledger-layers-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  copyFileSync(join(root, '.oxlintrc.json'), join(scratch, '.oxlintrc.json'));
  const probe = (path: string, from: string) => {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), `import { x } from '${from}';\nexport const y = x;\n`);
  };

  const forbidden: Array<[string, string]> = [
    ['src/domain/a.ts', '../services/actor.ts'],
    ['src/domain/b.ts', '../db/transaction.ts'],
    ['src/domain/c.ts', '../contracts/payments.ts'],
    ['src/x12/a.ts', '../db/transaction.ts'],
    ['src/db/repositories/a.ts', '../../services/actor.ts'],
    ['src/services/payments/a.ts', '../../server/csv.ts'],
    ['src/contracts/a.ts', '../services/actor.ts'],
    ['web/src/features/a.tsx', '../../../src/domain/money.ts'],
    ['web/src/features/b.tsx', '../../../src/services/actor.ts'],
  ];
  const allowed: Array<[string, string]> = [
    ['src/x12/ok.ts', '../domain/money.ts'],
    ['src/db/ok.ts', '../domain/actor.ts'],
    ['src/services/ok.ts', '../db/transaction.ts'],
    ['src/server/ok.ts', '../services/actor.ts'],
    ['src/contracts/ok.ts', '../domain/money.ts'],
    ['web/src/features/ok.tsx', '../../../src/contracts/rules.ts'],
  ];
  for (const [path, from] of [...forbidden, ...allowed]) probe(path, from);

  it('reports each import that crosses a layer, and none that does not', async () => {
    const result = await run(oxlint, ['-c', '.oxlintrc.json', '--format', 'unix', 'src', 'web'], { cwd: scratch }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.code).toBe(1);
    const flagged = new Set(result.stdout.split('\n').filter((l) => l.includes('no-restricted-imports')).map((l) => l.split(':')[0]));
    expect([...flagged].sort()).toEqual(forbidden.map(([path]) => path).sort());
  });

  it('passes on the project itself', async () => {
    const { stdout } = await run(oxlint, ['-c', '.oxlintrc.json', 'src', 'web', 'tests', 'e2e'], { cwd: root });
    expect(stdout).toContain('0 errors');
  });
});
