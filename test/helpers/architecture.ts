// What the architecture test reads: the import graph as the TypeScript compiler resolves it, and the
// tokens of a source file as its scanner reads them. Both come from the compiler itself, so an import
// written any way TypeScript accepts (type-only, re-export, dynamic) is an edge, and a word in a
// comment or a string is not code.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { SyntaxKind } from 'typescript/unstable/ast';
import { createScanner } from 'typescript/unstable/ast/scanner';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * file → the project files it imports, relative to the repository with forward slashes. From
 * `tsc --explainFiles --listFilesOnly` (no type check: about half a second): every file the program
 * holds, each with the "Imported via '<specifier>' from file '<importer>'" lines that put it there.
 */
export function importGraph(): Map<string, Set<string>> {
  const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const out = execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json'), '--explainFiles', '--listFilesOnly'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseExplainFiles(out);
}

export function parseExplainFiles(out: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  let file: string | null = null;
  for (const line of out.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      file = line.trim();
      continue;
    }
    const importer = /^\s+Imported via .+ from file '([^']+)'/.exec(line)?.[1];
    if (!importer || !file) continue;
    if (!graph.has(importer)) graph.set(importer, new Set());
    graph.get(importer)!.add(file);
  }
  return graph;
}

/**
 * The import cycles among the files `inScope` accepts: each strongly connected component of more
 * than one file (or a file importing itself), as one path around it that starts and ends at the same
 * file, ordered by that file. Tarjan's algorithm, iterative so a long chain cannot overflow the stack.
 */
export function importCycles(graph: ReadonlyMap<string, ReadonlySet<string>>, inScope: (file: string) => boolean): string[][] {
  const next = (file: string) => [...(graph.get(file) ?? [])].filter(inScope).sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of [...graph.keys()].filter(inScope).sort()) {
    if (index.has(root)) continue;
    const work: Array<{ file: string; children: string[]; at: number }> = [];
    const open = (file: string) => {
      index.set(file, counter);
      low.set(file, counter);
      counter += 1;
      stack.push(file);
      onStack.add(file);
      work.push({ file, children: next(file), at: 0 });
    };
    open(root);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      if (frame.at < frame.children.length) {
        const child = frame.children[frame.at++]!;
        if (!index.has(child)) open(child);
        else if (onStack.has(child)) low.set(frame.file, Math.min(low.get(frame.file)!, index.get(child)!));
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.file, Math.min(low.get(parent.file)!, low.get(frame.file)!));
      if (low.get(frame.file) !== index.get(frame.file)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.file);
      if (component.length > 1 || graph.get(frame.file)?.has(frame.file)) components.push(component);
    }
  }
  return components.map((component) => cyclePath(component, next)).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/** One way around a strongly connected component, for a readable failure: a → b → … → a. */
function cyclePath(component: string[], next: (file: string) => string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  // Breadth-first from start back to itself, inside the component.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const child of next(file)) {
      if (!members.has(child)) continue;
      if (child === start) {
        const pathBack = [file];
        while (pathBack[0] !== start) pathBack.unshift(previous.get(pathBack[0]!)!);
        return [...pathBack, start];
      }
      if (!previous.has(child)) {
        previous.set(child, file);
        queue.push(child);
      }
    }
  }
  return [...component, component[0]!];
}

export interface Token {
  kind: SyntaxKind;
  text: string;
  /** A string literal's value (its text without quotes). */
  value: string;
  line: number;
}

/** Tokens after which a slash divides; anywhere else it starts a regular expression. */
const ENDS_EXPRESSION = new Set<SyntaxKind>([
  SyntaxKind.Identifier,
  SyntaxKind.PrivateIdentifier,
  SyntaxKind.NumericLiteral,
  SyntaxKind.BigIntLiteral,
  SyntaxKind.StringLiteral,
  SyntaxKind.RegularExpressionLiteral,
  SyntaxKind.NoSubstitutionTemplateLiteral,
  SyntaxKind.TemplateTail,
  SyntaxKind.CloseParenToken,
  SyntaxKind.CloseBracketToken,
  SyntaxKind.CloseBraceToken,
  SyntaxKind.PlusPlusToken,
  SyntaxKind.MinusMinusToken,
  SyntaxKind.ThisKeyword,
  SyntaxKind.SuperKeyword,
  SyntaxKind.TrueKeyword,
  SyntaxKind.FalseKeyword,
  SyntaxKind.NullKeyword,
]);

/**
 * The code tokens of a TypeScript source, comments and whitespace left out. The scanner alone does
 * not know where a template's `${…}` ends or whether a slash starts a regular expression (the parser
 * tells it); both are decided here the usual way.
 */
export function codeTokens(text: string): Token[] {
  const scanner = createScanner(true, undefined, text);
  const tokens: Token[] = [];
  const braces: boolean[] = []; // true: the brace closes a template's ${
  let previous: SyntaxKind | undefined;
  let line = 1;
  let counted = 0;
  for (;;) {
    let kind = scanner.scan();
    if (kind === SyntaxKind.EndOfFile) break;
    if ((kind === SyntaxKind.SlashToken || kind === SyntaxKind.SlashEqualsToken) && (previous === undefined || !ENDS_EXPRESSION.has(previous))) {
      kind = scanner.reScanSlashToken();
    }
    if (kind === SyntaxKind.OpenBraceToken) braces.push(false);
    else if (kind === SyntaxKind.TemplateHead) braces.push(true);
    else if (kind === SyntaxKind.CloseBraceToken && braces.pop()) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === SyntaxKind.TemplateMiddle) braces.push(true);
    }
    const start = scanner.getTokenStart();
    for (; counted < start; counted += 1) if (text.charCodeAt(counted) === 10) line += 1;
    tokens.push({ kind, text: scanner.getTokenText(), value: scanner.getTokenValue(), line });
    previous = kind;
  }
  return tokens;
}

export interface Impurity {
  line: number;
  what: string;
}

/** Names whose mere use in code means randomness, I/O or the environment. */
const FORBIDDEN_NAMES: Record<string, string> = {
  crypto: 'randomness (crypto)',
  randomBytes: 'randomness (randomBytes)',
  randomUUID: 'randomness (randomUUID)',
  getRandomValues: 'randomness (getRandomValues)',
  process: 'the process (process.env, process.hrtime, …)',
  performance: 'a clock (performance)',
  fetch: 'I/O (fetch)',
  require: 'a CommonJS require',
};

/**
 * What in a source makes it more than a pure function of its inputs: reading a clock (Date.now(),
 * new Date() or Date() without an argument), randomness, the process or its environment, and any
 * import from outside its own folder tree other than relative ones (node:fs, net, http, koa, lowdb…).
 */
export function impurities(text: string): Impurity[] {
  const tokens = codeTokens(text);
  const found: Impurity[] = [];
  const at = (i: number) => tokens[i];
  const is = (i: number, kind: SyntaxKind, word?: string) => at(i)?.kind === kind && (word === undefined || at(i)!.text === word);
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    const property = is(i - 1, SyntaxKind.DotToken) || is(i - 1, SyntaxKind.QuestionDotToken);
    if (token.kind === SyntaxKind.Identifier && !property) {
      if (token.text === 'Date' && is(i + 1, SyntaxKind.DotToken) && is(i + 2, SyntaxKind.Identifier, 'now')) {
        found.push({ line: token.line, what: 'a clock (Date.now)' });
      } else if (token.text === 'Date' && is(i + 1, SyntaxKind.OpenParenToken) && is(i + 2, SyntaxKind.CloseParenToken)) {
        found.push({ line: token.line, what: is(i - 1, SyntaxKind.NewKeyword) ? 'a clock (new Date())' : 'a clock (Date())' });
      } else if (token.text === 'Date' && is(i - 1, SyntaxKind.NewKeyword) && !is(i + 1, SyntaxKind.OpenParenToken)) {
        found.push({ line: token.line, what: 'a clock (new Date)' });
      } else if (token.text === 'Math' && is(i + 1, SyntaxKind.DotToken) && is(i + 2, SyntaxKind.Identifier, 'random')) {
        found.push({ line: token.line, what: 'randomness (Math.random)' });
      } else if (Object.hasOwn(FORBIDDEN_NAMES, token.text) && !is(i + 1, SyntaxKind.ColonToken)) {
        found.push({ line: token.line, what: FORBIDDEN_NAMES[token.text]! });
      }
    }
    // import … from 'x', export … from 'x', import 'x', import('x'), require('x')
    const specifier =
      token.kind === SyntaxKind.StringLiteral &&
      (is(i - 1, SyntaxKind.FromKeyword) ||
        is(i - 1, SyntaxKind.ImportKeyword) ||
        (is(i - 1, SyntaxKind.OpenParenToken) && (is(i - 2, SyntaxKind.ImportKeyword) || is(i - 2, SyntaxKind.Identifier, 'require'))));
    if (specifier && !token.value.startsWith('./') && !token.value.startsWith('../')) {
      found.push({ line: token.line, what: `an import from '${token.value}'` });
    }
  }
  return found;
}
