// `npm start` and `npm run build`. The server runs as JavaScript compiled once by tsc, not through
// tsx: transpiling ~180 files at every start cost about a second, and the tsx loader ~30 MiB for
// the life of the process. The build is redone whenever the sources changed since it was made (a
// fingerprint of every source file's path, size and modification time), so `npm ci && npm start`
// and an edit followed by `npm start` run what the sources say. Plain JavaScript, because it runs
// before anything is compiled.
// package.json's start script also sets MALLOC_MMAP_THRESHOLD_: without it glibc keeps the big
// buffers of scrypt (every password hash, in libuv's threads) in per-thread arenas for the life of
// the process, ~40 MiB after the first start's demo accounts (deploy/systemd sets it too).
//
//   node src/start.mjs            build if stale, then start the server
//   node src/start.mjs --build    build if stale, then exit (npm run build)
//   node src/start.mjs --check    exit 1 with a message if the build is stale (a read-only install)
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// Inside node_modules: a fresh `npm ci` discards it with the rest, and packages resolve from it.
// GONGKAI_BUILD_NAME picks another folder there (tests that make a build of their own).
const BUILD_NAME = process.env.GONGKAI_BUILD_NAME ?? 'gongkai-build';
if (!/^[\w.-]+$/.test(BUILD_NAME)) throw new Error(`GONGKAI_BUILD_NAME must be a plain folder name, got "${BUILD_NAME}"`);
export const BUILD_DIR = path.join(ROOT, 'node_modules', '.cache', BUILD_NAME);
const STAMP = path.join(BUILD_DIR, 'fingerprint');
const SOURCE_DIRS = ['src', 'bot', 'miniprogram-api'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.isFile()) files.push(relative);
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return files.sort();
}

function fingerprint(files) {
  const hash = createHash('sha256');
  for (const file of [...CONFIG_FILES, ...files]) {
    const stat = statSync(path.join(ROOT, file));
    hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

function isFresh(print) {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8') === print;
}

function build(files, print) {
  // Built next to the old build and swapped in at the end, so a server still running from the old
  // one never finds half a build when it loads a module on first use.
  const next = `${BUILD_DIR}.next-${process.pid}`;
  const old = `${BUILD_DIR}.old-${process.pid}`;
  try {
    rmSync(next, { recursive: true, force: true });
    mkdirSync(next, { recursive: true });
  } catch (error) {
    throw new Error(`cannot write the JavaScript build beside ${BUILD_DIR} (${error.code ?? error.message}): run \`npm run build\` as the owner of ${ROOT}`);
  }
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const started = Date.now();
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', next], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    rmSync(next, { recursive: true, force: true });
    throw new Error(`the TypeScript build failed (tsc -p tsconfig.build.json, exit ${result.status ?? result.signal}); see above`);
  }
  // What the code finds next to itself (console and sandbox assets) and above itself (data/, read
  // through import.meta.url) is linked, not copied, so the build reads the same files.
  const link = (relative) => {
    const target = path.join(next, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(path.relative(path.dirname(target), path.join(ROOT, relative)), target);
  };
  for (const file of files) if (!file.endsWith('.ts')) link(file);
  link('data');
  writeFileSync(path.join(next, 'fingerprint'), print);
  if (existsSync(BUILD_DIR)) renameSync(BUILD_DIR, old);
  renameSync(next, BUILD_DIR);
  rmSync(old, { recursive: true, force: true });
  process.stderr.write(`Built the server to JavaScript in ${((Date.now() - started) / 1000).toFixed(1)} s (${path.relative(ROOT, BUILD_DIR)}).\n`);
}

/** Builds when the sources changed since the last build; returns the URL of the built main module. */
export function ensureBuild() {
  const files = sourceFiles();
  const print = fingerprint(files);
  // Several starts at once (test workers, two servers) build once: the others wait and reuse it.
  if (!isFresh(print)) withBuildLock(() => isFresh(print) || build(files, print));
  return pathToFileURL(path.join(BUILD_DIR, 'src', 'main.js')).href;
}

const LOCK_STALE_MS = 5 * 60_000;

function withBuildLock(run) {
  const lock = `${BUILD_DIR}.lock`;
  const cannotWrite = (error) =>
    new Error(
      `The JavaScript build in ${BUILD_DIR} is missing or older than the sources, and it cannot be made here ` +
        `(${error.code ?? error.message}): run \`npm run build\` as the owner of ${ROOT}.`,
    );
  try {
    mkdirSync(path.dirname(lock), { recursive: true });
  } catch (error) {
    throw cannotWrite(error);
  }
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw cannotWrite(error);
      // A build that crashed leaves its lock behind; no build takes minutes.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  try {
    if (mode === '--check') {
      if (!isFresh(fingerprint(sourceFiles()))) {
        process.stderr.write(`The JavaScript build in ${BUILD_DIR} is missing or older than the sources: run \`npm run build\` as the owner of ${ROOT}.\n`);
        process.exit(1);
      }
    } else {
      const main = ensureBuild();
      if (mode !== '--build') await (await import(main)).main();
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
