// The dependency rules of docs/ARCHITECTURE.md, checked on the code as the compiler sees it:
// no import cycle in src/ or bot/ (type-only imports included), and src/domain free of clocks,
// randomness, I/O and anything outside itself, so its rules are pure functions of their inputs.
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { codeTokens, importCycles, importGraph, impurities, parseExplainFiles } from './helpers/architecture.js';
import { SyntaxKind } from 'typescript/unstable/ast';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOMAIN = 'src/domain/';

const graph = importGraph();
const inCode = (file: string) => /^(src|bot)\/.*\.ts$/.test(file) && !file.endsWith('.d.ts');

async function domainFiles(): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, DOMAIN), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

test('the import graph is the whole program: every source file, type-only imports included', (t) => {
  const files = [...graph.keys()].filter(inCode);
  t.true(files.length > 150, `${files.length} importing files`);
  // A type-only edge (machine.ts imports only the History type) must be in the graph.
  t.true(graph.get('src/domain/applications/machine.ts')?.has('src/domain/applications/history-types.ts'));
  // A re-export is an edge too.
  t.true(graph.get('src/domain/applications/index.ts')?.has('src/domain/applications/closing.ts'));
  t.true(graph.get('bot/dialog.ts')?.has('bot/chat-form.ts'));
});

test('no import cycle in src/ or bot/, type-only imports included', (t) => {
  const cycles = importCycles(graph, inCode);
  t.deepEqual(
    cycles.map((cycle) => cycle.join(' → ')),
    [],
    'move the shared types down into a module both sides can import (see docs/ARCHITECTURE.md, "Layers")',
  );
});

test('the domain imports nothing but the domain', (t) => {
  const outside: string[] = [];
  for (const [file, imports] of graph) {
    if (!file.startsWith(DOMAIN)) continue;
    for (const target of imports) if (!target.startsWith(DOMAIN)) outside.push(`${file} → ${target}`);
  }
  t.deepEqual(outside, []);
});

test('src/domain reads no clock, draws no random number and does no I/O', async (t) => {
  const files = await domainFiles();
  t.true(files.length >= 20, files.join(', '));
  const problems: string[] = [];
  for (const file of files) {
    for (const { line, what } of impurities(await readFile(path.join(ROOT, file), 'utf8'))) problems.push(`${file}:${line}: ${what}`);
  }
  t.deepEqual(problems, [], 'take the day or the time as an argument; do I/O in a service or an adapter');
});

// The checks themselves: each must catch what it is for, and only that.

test('the purity check finds clocks, randomness, I/O and outside imports in code, not in comments or strings', (t) => {
  const source = [
    "import { readFileSync } from 'node:fs';", // 1
    "import type { Context } from 'koa';", // 2
    "export { x } from 'lowdb';", // 3
    'const a = Date.now();', // 4
    'const b = new Date();', // 5
    'const c = Math.random();', // 6
    'const d = process.env.PORT;', // 7
    'const e = crypto.getRandomValues(new Uint8Array(4));', // 8
    "const f = await import('node:http');", // 9
    'const g = `${Date()}`;', // 10
  ].join('\n');
  t.deepEqual(
    impurities(source).map((p) => `${p.line} ${p.what}`),
    [
      "1 an import from 'node:fs'",
      "2 an import from 'koa'",
      "3 an import from 'lowdb'",
      '4 a clock (Date.now)',
      '5 a clock (new Date())',
      '6 randomness (Math.random)',
      '7 the process (process.env, process.hrtime, …)',
      '8 randomness (crypto)',
      "9 an import from 'node:http'",
      '10 a clock (Date())',
    ],
  );
  const innocent = [
    "import { addDays } from './calendar.js';",
    "import type { History } from '../applications/history-types.js';",
    '// Date.now() and Math.random() in a comment',
    '/* new Date() */',
    "const s = 'process.env and Date.now() in a string';",
    'const t = `crypto ${1 + 1} Date.now()`;',
    'const r = /Date.now()/.test(s) ? 1 / 2 : 0;',
    "const day = new Date(Date.UTC(2026, 0, 1)).getUTCDay();",
    'const o = { process: 1, fetch: 2 };',
    'const p = o.process + o.fetch;',
  ].join('\n');
  t.deepEqual(impurities(innocent), []);
});

test('the scanner walks templates and regular expressions as code, not as text', (t) => {
  const tokens = codeTokens('const x = `a${ {b: 1}.b }c${d}e` / 2; const y = /[/]x/g;');
  t.deepEqual(
    tokens.filter((k) => k.kind === SyntaxKind.RegularExpressionLiteral || k.kind === SyntaxKind.TemplateTail).map((k) => k.text),
    ['}e`', '/[/]x/g'],
  );
});

test('the cycle check finds every cycle, a type-only one and a self-import included', (t) => {
  const explained = [
    'src/a.ts',
    "   Imported via './a.js' from file 'src/c.ts'",
    'src/b.ts',
    "   Imported via './b.js' from file 'src/a.ts'",
    'src/c.ts',
    "   Imported via './c.js' from file 'src/b.ts'",
    'src/d.ts',
    "   Imported via './d.js' from file 'src/d.ts'",
    "   Imported via './d.js' from file 'src/a.ts'",
    'node_modules/koa/index.d.ts',
    "   Imported via 'koa' from file 'src/a.ts'",
    'test/x.ts',
    "   Imported via '../test/x.js' from file 'src/d.ts'",
    "   Imported via '../src/d.js' from file 'test/x.ts'",
  ].join('\n');
  const parsed = parseExplainFiles(explained);
  t.deepEqual([...parsed.get('src/a.ts')!].sort(), ['node_modules/koa/index.d.ts', 'src/b.ts', 'src/d.ts']);
  t.deepEqual(importCycles(parsed, inCode), [['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts'], ['src/d.ts', 'src/d.ts']]);
  // A cycle through a file out of scope (test/) is not src's business.
  t.deepEqual(importCycles(parseExplainFiles(explained.replace("from file 'src/c.ts'", "from file 'test/x.ts'")), inCode), [['src/d.ts', 'src/d.ts']]);
});
