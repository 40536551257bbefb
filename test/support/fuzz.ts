/**
 * Seeded mutations of the examples and test fixtures (TS/JS and Python), with the attacks of
 * issue 17 among the edits (deep nesting, doubling loops, nested loops of layers, huge
 * repetitions, device imports). Shared by the fuzz test (a few hundred inputs per run) and the
 * fuzz benchmark (10,000).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSource } from '../../src/core/source';
import { staticFindings } from '../../src/core/analysis/staticRules';
import { planFix, FIX_CODES } from '../../src/core/fixes/index';

/** The product's seeded generator (mulberry32): a failure replays from its seed. */
export { seededRandom as random } from '../../src/training/seeding';

export interface Seed {
  readonly name: string;
  readonly text: string;
}

/** Every .ts/.js/.py file of examples/ and test/fixtures/ (recursively). */
export function seeds(root: string): Seed[] {
  const out: Seed[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|js|py)$/.test(name)) out.push({ name: path.slice(root.length + 1), text: readFileSync(path, 'utf8') });
    }
  };
  walk(join(root, 'examples'));
  walk(join(root, 'test', 'fixtures'));
  return out;
}

const TS_ATTACKS = [
  () => `const deep = ${'('.repeat(1000)}1${')'.repeat(1000)};\n`,
  () => `const sum = ${Array(2000).fill('1').join(' + ')};\n`,
  () => `const nots = ${'!'.repeat(2000)}true;\n`,
  () => `const id = (x) => x;\nconst calls = ${'id('.repeat(2000)}1${')'.repeat(2000)};\n`,
  () => `let s = 'ab';\nfor (let i = 0; i < 64; i++) { s = s + s; }\n`,
  () => `let a = [1];\nfor (let i = 0; i < 64; i++) { a = a.concat(a); }\n`,
  () => `const b = [];\nfor (let i = 0; i < 64; i++) { b.push(...b, i); }\n`,
  () => `const m2 = tf.sequential();\nfor (let i = 0; i < 100; i++) for (let j = 0; j < 100; j++) for (let k = 0; k < 100; k++) m2.add(tf.layers.dense({units: 2, inputShape: [2]}));\n`,
  () => `import zero from '../../../../../../../../dev/zero';\n`,
  () => `const x = 'q'.repeat(9999).repeat(9999);\n`,
  // Added when re-attacked: statement and type nesting, quadratic parses, slow helpers, many strings.
  () => `let u = 0;\n${Array.from({ length: 3000 }, (_, i) => `if (u === ${i}) { u = 1; }`).join(' else ')}\n`,
  () => `${'if (u) '.repeat(3000)}u = 1;\n`,
  () => `const lt = ${'u < '.repeat(3000)}1;\n`,
  () => `type Deep = ${'Array<'.repeat(2000)}number${'>'.repeat(2000)};\n`,
  () => `const tern = ${'u ? 1 : '.repeat(10000)}0;\n`,
  () => `function fib(n) { return n < 2 ? 1 : fib(n - 1) + fib(n - 2); }\nconst big = fib(60);\n`,
  () => `const pick = process.argv[2];\n${Array.from({ length: 300 }, (_, i) => `if (pick === 'k${i}') model.add(tf.layers.dense({units: ${i + 1}}));`).join('\n')}\n`,
];

const PY_ATTACKS = [
  () => `deep = ${'('.repeat(1000)}1${')'.repeat(1000)}\n`,
  () => `total = ${Array(2000).fill('1').join(' + ')}\n`,
  () => `neg = ${'-'.repeat(3000)}1\n`,
  () => `def ident(x):\n    return x\ncalls = ${'ident('.repeat(2000)}1${')'.repeat(2000)}\n`,
  () => `x = [1]\nfor i in range(100):\n    x = x + x\n`,
  () => `y = [1] * 10000\nz = y * 10000\n`,
  () => `s = 'ab'\nfor i in range(64):\n    s = s + s\n`,
  () => `m2 = keras.Sequential()\nfor a in range(100):\n    for b in range(100):\n        for c in range(100):\n            m2.add(keras.layers.Dense(2))\n`,
  () => `w = []\nfor i in range(64):\n    w.extend(w + [i])\n`,
  () => `def fib(n):\n    return 1 if n < 2 else fib(n - 1) + fib(n - 2)\nbig = fib(60)\n`,
  () => `import sys\n${Array.from({ length: 300 }, (_, i) => `${i ? 'elif' : 'if'} sys.argv[1] == "k${i}":\n    model.add(Dense(${i + 1}))`).join('\n')}\n`,
  () => `for i in range(1000):\n    extra = keras.Sequential([keras.layers.Dense(2, input_shape=(4,))])\n`,
];

const TS_TOKENS = ['{', '}', '(', ')', '[', ']', ',', ';', '=>', '=', '+', '-1', '0', '1e9', 'NaN', 'for (;;)', 'while (true)', 'if (x)', 'return', 'tf.layers.dense(', 'model.add(', '.apply(', 'undefined', 'null', '...', '?', ':'];
const PY_TOKENS = ['(', ')', '[', ']', ',', ':', '=', '+', '-1', '0', '1e9', 'None', 'for i in range(10):', 'while True:', 'if x:', 'return', 'Dense(', 'model.add(', '*', '**', 'lambda x: x', '\n    ', '\n'];

/** One mutation of `seed`: 1-5 edits (line deletions, duplications, token inserts) and sometimes an attack. */
export function mutate(seed: Seed, rand: () => number): string {
  const python = seed.name.endsWith('.py');
  const lines = seed.text.split('\n');
  const edits = 1 + Math.floor(rand() * 5);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (lines.length + 1));
    const kind = rand();
    if (kind < 0.25 && lines.length > 1) lines.splice(Math.min(at, lines.length - 1), 1);
    else if (kind < 0.45 && lines.length) lines.splice(at, 0, lines[Math.floor(rand() * lines.length)]!);
    else if (kind < 0.8 && lines.length) {
      const i = Math.min(at, lines.length - 1);
      const line = lines[i]!;
      const col = Math.floor(rand() * (line.length + 1));
      const tokens = python ? PY_TOKENS : TS_TOKENS;
      lines[i] = line.slice(0, col) + tokens[Math.floor(rand() * tokens.length)]! + line.slice(col);
    } else {
      const attacks = python ? PY_ATTACKS : TS_ATTACKS;
      lines.splice(at, 0, attacks[Math.floor(rand() * attacks.length)]!());
    }
  }
  return lines.join('\n');
}

export interface FuzzOutcome {
  readonly cpuMs: number;
  /** Problems that say the reader failed (internal error, RangeError) instead of a limit. */
  readonly internal: string[];
  /** The parser or a fix planner threw. */
  readonly threw?: string;
  readonly models: number;
}

/** Parses, runs the static rules and plans two fixes on one input; CPU time of all of it. */
export function runOne(text: string, fileName: string, fixes = true): FuzzOutcome {
  const before = process.cpuUsage();
  let internal: string[] = [];
  let threw: string | undefined;
  let models = 0;
  try {
    const parsed = parseSource(text, fileName);
    models = parsed.models.length;
    internal = parsed.problems.filter((p) => /internal error|RangeError|Maximum call stack|Invalid (string|array) length/.test(p.message)).map((p) => p.message);
    for (const model of parsed.models) staticFindings(model);
    if (fixes) {
      const model = parsed.models[0];
      if (model) for (const code of [FIX_CODES[0], FIX_CODES[6]] as const) planFix(text, fileName, model, code);
    }
  } catch (error) {
    threw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000, internal, ...(threw ? { threw } : {}), models };
}
