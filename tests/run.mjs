#!/usr/bin/env node
// The README's test command (`npm test`): installs what is missing, then runs every check:
// rustfmt, clippy (native and wasm32), the native Rust tests (known answers, Wycheproof,
// advisories, properties, the dependency policy), `cargo audit` against the RustSec snapshot,
// the SAML peers (Python signxml/lxml/moto in .venv),
// the package build, and the Node suites against the built package. Ends with one "total: N passed, N failed" line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build, ensureNodeModules, ensureRustTools } from '../src/js/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const counts = { passed: 0, failed: 0 };

function step(title, cmd, args, parse = () => {}) {
  process.stderr.write(`\n=== ${title}: ${cmd} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      from.on('data', (b) => {
        out += b;
        to.write(b);
      });
    }
    child.on('error', reject);
    child.on('close', (code) => {
      parse(out);
      if (code === 0) resolve();
      else reject(new Error(`${title} failed (exit ${code})`));
    });
  });
}

const cargoCounts = (out) => {
  for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    counts.passed += Number(m[1]);
    counts.failed += Number(m[2]);
  }
};
const nodeCounts = (out) => {
  counts.passed += Number(/^# pass (\d+)/m.exec(out)?.[1] ?? 0);
  counts.failed += Number(/^# fail (\d+)/m.exec(out)?.[1] ?? 0);
};

// The RustSec database snapshot for `cargo audit` (offline: this machine cannot fetch it).
function advisoryDb() {
  const candidates = [process.env.ADVISORY_DB, join(root, '..', 'shared', 'advisory-db'), '/work/shared/advisory-db'].filter(Boolean);
  const found = candidates.find((p) => existsSync(join(p, 'crates')));
  if (!found) throw new Error(`no RustSec advisory database at ${candidates.join(' or ')}: set ADVISORY_DB to a copy of it`);
  return found;
}

function ensureCargoAudit() {
  if (spawnSync('cargo', ['audit', '--version'], { stdio: 'ignore' }).status === 0) return;
  process.stderr.write('\n=== installing cargo-audit (cargo install cargo-audit --locked)\n');
  if (spawnSync('cargo', ['install', 'cargo-audit', '--locked'], { stdio: 'inherit' }).status !== 0) throw new Error('cargo install cargo-audit failed');
}

// The page test drives Debian's Chromium (playwright-core downloads no browser here).
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) throw new Error('Chromium is missing: sudo apt-get install -y chromium, then run npm test again');
  process.stderr.write('\n=== installing Chromium (apt-get install chromium)\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
  }
}

// The Python peers of the SAML tests (signxml, lxml, moto), pinned in tests/py/requirements.txt,
// in .venv; reinstalled when that file changes.
function ensurePython() {
  const venv = join(root, '.venv');
  const reqs = join(root, 'tests', 'py', 'requirements.txt');
  const stamp = join(venv, '.requirements');
  const want = readFileSync(reqs, 'utf8');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  process.stderr.write('\n=== installing the Python test peers into .venv (pip install -r tests/py/requirements.txt)\n');
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0);
  if (!python) throw new Error('Python 3 is missing: the SAML tests need it (apt-get install python3 python3-venv)');
  if (!existsSync(join(venv, 'bin', 'python')) && spawnSync(python, ['-m', 'venv', venv], { stdio: 'inherit' }).status !== 0) {
    throw new Error(`${python} -m venv .venv failed (on Debian: apt-get install python3-venv)`);
  }
  const pip = spawnSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', reqs], { stdio: 'inherit' });
  if (pip.status !== 0) throw new Error('pip install -r tests/py/requirements.txt failed');
  writeFileSync(stamp, want);
}

try {
  ensureNodeModules();
  ensureChromium();
  ensurePython();
  ensureRustTools();
  await step('format', 'cargo', ['fmt', '--check']);
  await step('lint (native)', 'cargo', ['clippy', '--all-targets', '--', '-D', 'warnings']);
  await step('lint (wasm32)', 'cargo', ['clippy', '--lib', '--target', 'wasm32-unknown-unknown', '--', '-D', 'warnings']);
  await step('lint (app-only build)', 'cargo', ['clippy', '--lib', '--no-default-features', '--', '-D', 'warnings']);
  await step('Rust tests', 'cargo', ['test'], cargoCounts);
  await step('Rust tests (app-only build)', 'cargo', ['test', '--no-default-features', '--test', 'minimal_build'], cargoCounts);
  ensureCargoAudit();
  // Advisories not fixed upstream are listed, with reason and mitigation, in .cargo/audit.toml.
  await step('dependency audit', 'cargo', ['audit', '--no-fetch', '--db', advisoryDb(), '--deny', 'warnings']);
  counts.passed += 1; // the audit is one check: reached only when it passed
  process.stderr.write('\n=== build pkg/\n');
  const sizes = build();
  process.stderr.write(`module: ${sizes.wasmBytes} bytes, ${sizes.wasmGzipBytes} gzipped\n`);
  const files = readdirSync(join(root, 'tests', 'js')).filter((f) => f.endsWith('.test.mjs')).map((f) => join('tests', 'js', f));
  await step('Node tests', process.execPath, ['--test', ...files], nodeCounts);
  console.log(`\ntotal: ${counts.passed} passed, ${counts.failed} failed`);
} catch (e) {
  console.log(`\ntotal: ${counts.passed} passed, ${Math.max(counts.failed, 1)} failed`);
  console.error(e.message);
  process.exit(1);
}
