#!/usr/bin/env node
// `npm run fuzz`: runs every cargo-fuzz target for FUZZ_SECONDS (default 60) each, with the
// seeds in fuzz/seeds/<target> and a growing corpus in fuzz/corpus/<target>, then prints
// executions, seconds and crashes per target. Needs the nightly toolchain; installs cargo-fuzz
// when missing. Not part of `npm test`: fuzzing has no fixed end, so it never gates CI.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('.', import.meta.url));
const seconds = Number(process.env.FUZZ_SECONDS ?? 60);
const only = process.argv.slice(2);
const targets = ['token_parse', 'verify_fixed_keys', 'tenant_config', 'request_parse'].filter((t) => !only.length || only.includes(t));

if (spawnSync('cargo', ['+nightly', 'fuzz', '--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('installing cargo-fuzz (cargo install cargo-fuzz --locked)');
  if (spawnSync('cargo', ['install', 'cargo-fuzz', '--locked'], { stdio: 'inherit' }).status !== 0) process.exit(1);
}

const rows = [];
for (const t of targets) {
  mkdirSync(join(dir, 'corpus', t), { recursive: true });
  const started = Date.now();
  const args = ['+nightly', 'fuzz', 'run', t, join('corpus', t), join('seeds', t), '--', `-max_total_time=${seconds}`, '-rss_limit_mb=2048', '-print_final_stats=1'];
  const out = await new Promise((resolve) => {
    let log = '';
    const child = spawn('cargo', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b) => (log += b));
    child.stderr.on('data', (b) => (log += b));
    child.on('close', (code) => resolve({ code, log }));
  });
  const execs = Number(/stat::number_of_executed_units:\s*(\d+)/.exec(out.log)?.[1] ?? 0);
  const crashed = out.code !== 0 || /SUMMARY: libFuzzer|panicked at/.test(out.log);
  const found = join(dir, 'artifacts', t);
  const artifacts = existsSync(found) ? readdirSync(found, { withFileTypes: true }).filter((e) => e.isFile()).length : 0;
  rows.push({ target: t, executions: execs, seconds: Math.round((Date.now() - started) / 1000), crashes: crashed ? Math.max(artifacts, 1) : 0 });
  if (crashed) console.error(out.log.slice(-4000));
}
console.table(rows);
process.exit(rows.some((r) => r.crashes) ? 1 : 0);
