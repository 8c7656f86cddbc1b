#!/usr/bin/env node
// Builds the npm package into pkg/ from a fresh machine with only Rust (rustup) and Node:
// installs what is missing (the wasm32 target, wasm-bindgen-cli pinned to Cargo.lock's
// wasm-bindgen, npm packages incl. binaryen's wasm-opt), then compiles, binds and optimizes.
// Skips all work when pkg/ is newer than every input. Usage: node src/js/build.mjs [--force]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = join(root, 'pkg');
const crate = 'edge_delegation';

function log(msg) {
  process.stderr.write(`[build] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
}

function output(cmd, args) {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** npm packages: installed from package-lock.json when missing or stale. */
export function ensureNodeModules() {
  const stamp = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** The Rust side: wasm32 target and the wasm-bindgen CLI matching Cargo.lock. */
export function ensureRustTools() {
  if (!output('rustup', ['target', 'list', '--installed']).split('\n').includes('wasm32-unknown-unknown')) {
    log('adding the wasm32-unknown-unknown target');
    run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
  }
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const version = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
  if (!version) throw new Error('Cargo.lock names no wasm-bindgen version');
  const have = output('wasm-bindgen', ['--version']).trim().split(' ')[1];
  if (have !== version) {
    // No --locked: the CLI's own lock file names a crate version the registry does not serve.
    log(`installing wasm-bindgen-cli ${version} (found ${have || 'none'}); this takes a few minutes once`);
    run('cargo', ['install', 'wasm-bindgen-cli', '--version', version, '--force']);
  }
  return version;
}

function inputsHash() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(root, p)).update(readFileSync(p));
    }
  };
  walk(join(root, 'src'));
  for (const f of ['Cargo.toml', 'Cargo.lock', 'package.json', '.cargo/config.toml']) h.update(readFileSync(join(root, f)));
  return h.digest('hex');
}

export function sizes() {
  const wasm = readFileSync(join(pkg, 'web', `${crate}_bg.wasm`));
  return { wasmBytes: wasm.length, wasmGzipBytes: gzipSync(wasm, { level: 9 }).length };
}

/** The Cargo features that add token formats (`app` is always built); see Cargo.toml. */
export const FORMAT_FEATURES = ['firebase', 'azure', 'wams', 'layer', 'salesforce', 'saml'];

/** Compiles the crate for wasm32 (release) with `formats` (undefined: all); returns the .wasm path. */
export function compileWasm(formats) {
  const args = ['rustc', '--lib', '--release', '--target', 'wasm32-unknown-unknown'];
  if (formats) {
    const unknown = formats.filter((f) => !FORMAT_FEATURES.includes(f));
    if (unknown.length) throw new Error(`unknown format feature ${unknown.join(', ')}: choose from ${FORMAT_FEATURES.join(', ')}`);
    args.push('--no-default-features', '--features', formats.join(','));
  }
  // `cargo rustc` gives these flags to our crate alone, whose compilation also runs the LTO
  // pass over every crate: LLVM's inliner threshold 75 instead of opt-level 3's 250 makes the
  // module 12% smaller (V8 validates every byte of code at compile time, so cold start drops
  // with it) at unchanged speed, since the hot loops inline by `#[inline(always)]`. Given to
  // every crate (RUSTFLAGS), it costs EdDSA 15%: curve25519-dalek's field arithmetic then stays
  // out of line. Measured in the README's Module size section.
  args.push('--', '-C', 'llvm-args=-inline-threshold=75');
  log(`compiling the crate for wasm32 (release, formats: ${formats ? formats.join(', ') || 'app only' : 'all'})`);
  run('cargo', args);
  return join(root, 'target', 'wasm32-unknown-unknown', 'release', `${crate}.wasm`);
}

/** wasm-bindgen for `target` into `dir`, then wasm-opt -O3 on the module; returns its path. */
export function bindAndOptimize(wasm, version, target, dir) {
  log(`wasm-bindgen ${version} --target ${target}`);
  run('wasm-bindgen', [wasm, '--target', target, '--out-dir', dir, '--no-typescript']);
  const bg = join(dir, `${crate}_bg.wasm`);
  log(`wasm-opt -O3 ${relative(root, bg)}`);
  // binaryen from npm (v132): Debian's 108 corrupts wasm-bindgen's externref table.
  // --low-memory-unused lets it fold `pointer + constant` into load/store offsets (LLVM leaves
  // them as adds); that is exact unless some pointer lies in the first KiB of memory. Rust's
  // wasm32 layout puts nothing there: data sits above 1 MiB and the stack grows down from
  // 1 MiB, so only a stack within 1 KiB of overflowing would. The RSA passes then walk their
  // interleaved operands with one register (src/montgomery.rs).
  const wasmOpt = join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt');
  run(process.execPath, [wasmOpt, bg, '-o', bg, '--low-memory-unused', '--optimize-added-constants-propagate', '-O3', '--strip-debug', '--strip-producers', '--enable-reference-types', '--enable-bulk-memory',
    '--enable-sign-ext', '--enable-nontrapping-float-to-int', '--enable-mutable-globals', '--enable-multivalue', '--enable-simd']);
  return bg;
}

/** Builds pkg/ unless it is up to date (`formats`: the format features to include; default all).
 * Returns the size report. */
export function build({ force = false, formats } = {}) {
  ensureNodeModules();
  const hash = createHash('sha256').update(inputsHash()).update(JSON.stringify(formats ?? 'all')).digest('hex');
  const stampFile = join(pkg, '.build-hash');
  if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
    return sizes();
  }
  const version = ensureRustTools();
  const wasm = compileWasm(formats);

  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(pkg, { recursive: true });
  for (const [target, dir, type] of [['nodejs', 'node', 'commonjs'], ['web', 'web', 'module']]) {
    bindAndOptimize(wasm, version, target, join(pkg, dir));
    writeFileSync(join(pkg, dir, 'package.json'), JSON.stringify({ type }, null, 2) + '\n');
  }

  const js = join(root, 'src', 'js');
  const api = readFileSync(join(js, 'api.js'), 'utf8');
  writeFileSync(join(pkg, 'api.mjs'), `${api}\nexport { createApi };\n`);
  writeFileSync(join(pkg, 'api.cjs'), `'use strict';\n${api}\nmodule.exports = { createApi };\n`);
  for (const f of ['node.cjs', 'node.mjs', 'web.mjs', 'web-api.mjs', 'workerd.mjs', 'deno.mjs', 'index.d.ts']) copyFileSync(join(js, f), join(pkg, f));
  // CommonJS has no default export: the .d.cts is the same declarations without it.
  const dts = readFileSync(join(js, 'index.d.ts'), 'utf8');
  writeFileSync(join(pkg, 'index.d.cts'), dts.slice(0, dts.indexOf('declare const api')));

  const meta = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const manifest = {
    name: 'edge-delegation',
    version: meta.version,
    description: meta.description,
    license: meta.license,
    type: 'module',
    main: './node.cjs',
    module: './web.mjs',
    types: './index.d.ts',
    exports: {
      '.': {
        types: { import: './index.d.ts', require: './index.d.cts' },
        workerd: './workerd.mjs',
        deno: './deno.mjs',
        bun: { import: './node.mjs', require: './node.cjs' },
        node: { import: './node.mjs', require: './node.cjs' },
        browser: './web.mjs',
        import: './web.mjs',
        require: './node.cjs',
        default: './web.mjs',
      },
      './package.json': './package.json',
    },
    files: ['*.mjs', '*.cjs', '*.d.ts', '*.d.cts', 'node/', 'web/'],
    sideEffects: ['./web.mjs', './workerd.mjs', './deno.mjs'],
    engines: { node: '>=18' },
  };
  writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(stampFile, hash);
  const s = sizes();
  log(`pkg/ ready: ${(s.wasmBytes / 1024).toFixed(0)} KiB wasm, ${(s.wasmGzipBytes / 1024).toFixed(0)} KiB gzipped`);
  return s;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    // --formats=firebase,saml builds only those add-ons (`--formats=` for app only).
    const arg = process.argv.find((a) => a.startsWith('--formats='));
    const formats = arg === undefined ? undefined : arg.slice('--formats='.length).split(',').filter(Boolean);
    const s = build({ force: process.argv.includes('--force'), formats });
    console.log(JSON.stringify(s));
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
