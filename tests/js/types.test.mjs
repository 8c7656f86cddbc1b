// The TypeScript declarations: a strict compile of tests/types/usage.mts (ESM) and
// usage-cjs.cts (CommonJS), which also assert, with expected-error markers, that misuse is rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('declarations type-check real use and reject misuse under --strict', () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--skipLibCheck', 'false', '--types', '', join(root, 'tests', 'types', 'usage.mts'), join(root, 'tests', 'types', 'usage-cjs.cts')], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
