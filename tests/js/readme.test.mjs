// The README's Node example runs exactly as written, from the repository root, and prints
// exactly what the README says it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function block(name) {
  const m = new RegExp(`<!-- ${name}:start -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(readme);
  assert.ok(m, `README has a ${name} block`);
  return m[1];
}

test('the README Node example prints what the README says', () => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-'], { cwd: root, input: block('readme-example'), encoding: 'utf8' });
  assert.equal(out, block('readme-output'));
});

test('the README add-ons example prints what the README says', () => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-'], { cwd: root, input: block('addons-example'), encoding: 'utf8' });
  assert.equal(out, block('addons-output'));
});
