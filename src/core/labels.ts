/**
 * Label facts: what the code says about the labels a model is fitted on, read from the text
 * around `model.fit(x, y)` (both front ends; no evaluation). The label argument is followed back
 * through its assignments (`y = to_categorical(y, 10)`, `X_train, X_test, y_train, y_test =
 * train_test_split(X, y)`, `(x, y), _ = mnist.load_data()`) to an expression that states a fact:
 * one-hot rows, class ids, 0/1 values, or real-valued targets. Nothing is guessed: when the
 * chain ends in something unknown there are no facts.
 */
import type { LabelFacts, ModelGraph, ParseResult, SourceRange } from './ir';

/** Offset just after the bracket that closes the one at `open`; strings and comments skipped. */
function closing(text: string, open: number): number | undefined {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return undefined;
      i = end;
    } else if (pairs[c]) stack.push(pairs[c]!);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (!stack.length) return i + 1;
    }
  }
  return undefined;
}

/** Top-level comma-separated parts of `inner` (inside one pair of brackets), with their offsets. */
function splitArgs(text: string, start: number, end: number): { text: string; start: number }[] {
  const parts: { text: string; start: number }[] = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < end; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const close = text.indexOf(c, i + 1);
      if (close < 0 || close >= end) break;
      i = close;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push({ text: text.slice(from, i), start: from });
      from = i + 1;
    }
  }
  if (text.slice(from, end).trim()) parts.push({ text: text.slice(from, end), start: from });
  return parts.map((p) => {
    const lead = p.text.length - p.text.trimStart().length;
    return { text: p.text.trim(), start: p.start + lead };
  });
}

interface Expr {
  readonly text: string;
  readonly start: number;
}

/** The end of the statement that starts at `start`: the line end outside brackets. */
function statementEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if ('([{'.includes(c)) {
      const end = closing(text, i);
      if (end === undefined) return text.length;
      i = end - 1;
    } else if (c === '"' || c === "'" || c === '`') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return text.length;
      i = end;
    } else if (c === '\n' || c === ';' || c === '#') return i;
  }
  return text.length;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The last assignment of `name` before `before`: its right-hand side, and which target it is when unpacked. */
function assignment(text: string, name: string, before: number): { value: Expr; index?: number; targets?: number; nested?: boolean } | undefined {
  const pattern = new RegExp(`^[ \\t]*(?:(?:const|let|var)[ \\t]+)?([^\\n=]*?(?<![\\w$])${escape(name)}(?![\\w$])[^\\n=]*?)[ \\t]*=(?!=)[ \\t]*`, 'gm');
  let found: { value: Expr; index?: number; targets?: number; nested?: boolean } | undefined;
  for (const match of text.slice(0, before).matchAll(pattern)) {
    const lhs = match[1]!.trim();
    const start = match.index! + match[0].length;
    const value = { text: text.slice(start, statementEnd(text, start)).trim(), start };
    if (lhs === name) {
      found = { value };
      continue;
    }
    // Unpacking: `a, b, y, d = ...` or `(x, y), (xt, yt) = ...` or `const [a, y] = ...`.
    const flat = lhs.replace(/^\[|\]$/g, '');
    const nested = /[()]/.test(flat);
    const names = flat.replace(/[()]/g, '').split(',').map((n) => n.trim());
    const index = names.indexOf(name);
    if (index >= 0 && names.every((n) => IDENT.test(n) || n === '_' || n === '')) found = { value, index, targets: names.length, nested };
  }
  return found;
}

/** A number written in the code, or a name assigned one. */
function numberOf(text: string, expr: string, before: number): number | undefined {
  const literal = Number(expr.trim());
  if (expr.trim() && Number.isFinite(literal)) return literal;
  if (IDENT.test(expr.trim())) {
    const assigned = assignment(text, expr.trim(), before);
    if (assigned && assigned.index === undefined) {
      const n = Number(assigned.value.text);
      if (Number.isFinite(n)) return n;
    }
  }
  return undefined;
}

function argument(call: Expr, name: RegExp, position: number): string | undefined {
  const open = call.text.indexOf('(');
  if (open < 0) return undefined;
  const end = closing(call.text, open);
  if (end === undefined) return undefined;
  const args = splitArgs(call.text, open + 1, end - 1);
  const keyword = args.find((a) => name.test(a.text.split('=')[0]!.trim()) && /^[\w]+\s*=(?!=)/.test(a.text));
  if (keyword) return keyword.text.slice(keyword.text.indexOf('=') + 1).trim();
  const positional = args.filter((a) => !/^[\w]+\s*=(?!=)/.test(a.text));
  return positional[position]?.text;
}

/** Numbers of an array literal (nested), or undefined when anything else is in it. */
function literalNumbers(expr: string): number[] | undefined {
  const array = /\[[\s\S]*\]/.exec(expr);
  if (!array) return undefined;
  const body = array[0].replace(/[[\]\s]/g, '');
  if (!body) return undefined;
  const values = body.split(',').filter(Boolean).map(Number);
  return values.every(Number.isFinite) ? values : undefined;
}

const CLASS_DATASETS: Readonly<Record<string, number>> = { mnist: 10, fashion_mnist: 10, cifar10: 10, cifar100: 100, imdb: 2, reuters: 46 };

/**
 * Classifies the expression that makes the labels. `inputs` are the names of the model's input
 * data at the fit call (arithmetic on them is a regression target).
 */
function classify(text: string, expr: Expr, unpacked: { index?: number; targets?: number; nested?: boolean }, inputs: readonly string[], depth: number): Omit<LabelFacts, 'range' | 'text'> | 'follow' | undefined {
  const e = expr.text;
  const before = expr.start;
  const fact = (f: Omit<LabelFacts, 'range' | 'text'>): Omit<LabelFacts, 'range' | 'text'> => f;
  if (/\bto_categorical\s*\(/.test(e)) {
    const call = { text: e.slice(e.search(/\bto_categorical\s*\(/)), start: before };
    const classes = numberOf(text, argument(call, /^num_classes$/, 1) ?? '', before);
    return fact({ kind: 'one-hot', ...(classes !== undefined ? { classes } : {}) });
  }
  if (/\boneHot\s*\(/.test(e)) {
    const call = { text: e.slice(e.search(/\boneHot\s*\(/)), start: before };
    const classes = numberOf(text, argument(call, /^depth$/, 1) ?? '', before);
    return fact({ kind: 'one-hot', ...(classes !== undefined ? { classes } : {}) });
  }
  if (/\bmake_classification\s*\(/.test(e) && (unpacked.index === undefined || unpacked.index === 1)) {
    const call = { text: e.slice(e.search(/\bmake_classification\s*\(/)), start: before };
    const classes = numberOf(text, argument(call, /^n_classes$/, 99) ?? '2', before) ?? 2;
    return fact({ kind: classes === 2 ? 'binary' : 'class-ids', classes });
  }
  if (/\bmake_blobs\s*\(/.test(e) && (unpacked.index === undefined || unpacked.index === 1)) {
    const call = { text: e.slice(e.search(/\bmake_blobs\s*\(/)), start: before };
    const classes = numberOf(text, argument(call, /^centers$/, 99) ?? '3', before) ?? 3;
    return fact({ kind: classes === 2 ? 'binary' : 'class-ids', classes });
  }
  if (/\bmake_(regression|friedman\d)\s*\(|\bload_(boston|diabetes)\s*\(|\bfetch_california_housing\s*\(|\bboston_housing\.load_data\s*\(/.test(e)) {
    return fact({ kind: 'regression' });
  }
  const dataset = /\b(mnist|fashion_mnist|cifar10|cifar100|imdb|reuters)\.load_data\s*\(/.exec(e);
  if (dataset && unpacked.nested) {
    const classes = CLASS_DATASETS[dataset[1]!]!;
    return fact({ kind: classes === 2 ? 'binary' : 'class-ids', classes });
  }
  if (/\bload_(iris|wine|breast_cancer|digits)\s*\(/.test(e)) {
    const classes = /iris|wine/.test(e) ? 3 : /digits/.test(e) ? 10 : 2;
    return fact({ kind: classes === 2 ? 'binary' : 'class-ids', classes });
  }
  if (/\btrain_test_split\s*\(/.test(e) && unpacked.index !== undefined) return 'follow';
  if (/\brandint\s*\(/.test(e)) {
    const call = { text: e.slice(e.search(/\brandint\s*\(/)), start: before };
    const first = numberOf(text, argument(call, /^low$/, 0) ?? '', before);
    const second = numberOf(text, argument(call, /^high$/, 1) ?? '', before);
    // `randint(2, size=n)` is [0, 2); `randint(0, 2, n)` too.
    const low = second === undefined ? 0 : first;
    const high = second ?? first;
    if (low === 0 && high !== undefined) return fact({ kind: high === 2 ? 'binary' : 'class-ids', classes: high });
    if (low !== undefined && high !== undefined) return fact({ kind: 'regression', min: low, max: high - 1 });
    return undefined;
  }
  if (/(>|<|==|\bgreater|\bless)/.test(e) && /\b(astype|cast|toFloat|asType)\b|\bint\(|\bfloat\(/.test(e)) return fact({ kind: 'binary', classes: 2 });
  if (/\b(randn|standard_normal|randomNormal|truncatedNormal)\s*\(|\brandom\.normal\s*\(/.test(e)) return fact({ kind: 'regression' });
  if (/\brandom\.(rand|random|random_sample)\s*\(/.test(e) && !/[*+\-/]/.test(e.replace(/\([^)]*\)/g, ''))) return fact({ kind: 'regression', min: 0, max: 1 });
  const uniform = /\b(random\.uniform|randomUniform)\s*\(/.exec(e);
  if (uniform && !/[*+\-/]/.test(e.replace(/\([^)]*\)/g, ''))) {
    const call = { text: e.slice(uniform.index), start: before };
    const python = uniform[1] === 'random.uniform';
    const low = numberOf(text, argument(call, /^(low|minval)$/, python ? 0 : 1) ?? '', before) ?? 0;
    const high = numberOf(text, argument(call, /^(high|maxval)$/, python ? 1 : 2) ?? '', before) ?? 1;
    return fact({ kind: 'regression', min: low, max: high });
  }
  const values = /^\[/.test(e) ? e : /^(np\.array|np\.asarray|tf\.tensor\w*|tf\.constant)\s*\(/.test(e) ? argument(expr, /^(values|object)$/, 0) : undefined;
  const numbers = values ? literalNumbers(values) : undefined;
  if (numbers?.length) {
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    if (numbers.every((n) => n === 0 || n === 1)) return fact({ kind: 'binary', classes: 2 });
    if (numbers.every(Number.isInteger) && min >= 0 && max < 20) return fact({ kind: 'class-ids', classes: max + 1 });
    return fact({ kind: 'regression', min, max });
  }
  // Arithmetic on the inputs (`y = 3 * x + 2`, `xs.mul(2).add(1)`): a real-valued target.
  if (depth >= 0 && inputs.some((name) => new RegExp(`(?<![\\w$])${escape(name)}(?![\\w$])`).test(e)) && (/[*+\-/]|\*\*/.test(e) || /\.(mul|add|sub|div|square|pow|sin|cos)\(|\b(np\.)?(sin|cos|exp|log|sqrt|dot)\s*\(|@/.test(e))) {
    return fact({ kind: 'regression' });
  }
  return undefined;
}

/** The fit call of `model`: its label argument and its input argument. */
function fitArguments(text: string, modelName: string, onlyModel: boolean): { label: Expr; input?: Expr } | undefined {
  // Template models are named after their function (`build[mlp]`): only a variable name can be looked up.
  const calls = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(modelName) ? [...text.matchAll(new RegExp(`(?<![\\w$.])${escape(modelName)}\\.fit\\s*\\(`, 'g'))] : [];
  const all = calls.length ? calls : onlyModel ? [...text.matchAll(/\.fit\s*\(/g)] : [];
  const call = all[0];
  if (!call) return undefined;
  const open = call.index! + call[0].length - 1;
  const end = closing(text, open);
  if (end === undefined) return undefined;
  const args = splitArgs(text, open + 1, end - 1);
  const keyword = (key: string): Expr | undefined => {
    const arg = args.find((a) => new RegExp(`^${key}\\s*=(?!=)`).test(a.text));
    if (!arg) return undefined;
    const at = arg.text.indexOf('=') + 1;
    const lead = arg.text.slice(at).length - arg.text.slice(at).trimStart().length;
    return { text: arg.text.slice(at).trim(), start: arg.start + at + lead };
  };
  const positional = args.filter((a) => !/^\w+\s*=(?!=)/.test(a.text));
  const label = keyword('y') ?? positional[1];
  const input = keyword('x') ?? positional[0];
  return label ? { label, ...(input ? { input } : {}) } : undefined;
}

/** Label facts for one model, from its `fit` call in `text`. */
export function labelFacts(text: string, model: ModelGraph, onlyModel: boolean): LabelFacts | undefined {
  const fit = fitArguments(text, model.name, onlyModel);
  if (!fit) return undefined;
  const inputs = fit.input && IDENT.test(fit.input.text) ? [fit.input.text] : [];
  let expr: Expr = fit.label;
  let unpacked: { index?: number; targets?: number; nested?: boolean } = {};
  for (let depth = 0; depth < 8; depth++) {
    const name = expr.text.replace(/\.values$|\.to_numpy\(\)$|\.reshape\(.*\)$/, '');
    if (IDENT.test(name)) {
      const assigned = assignment(text, name, expr.start);
      if (!assigned) return undefined;
      expr = assigned.value;
      unpacked = assigned;
      // A plain `a, b = c, d` unpacking of names: follow the matching one.
      continue;
    }
    const result = classify(text, expr, unpacked, inputs, depth);
    if (result === 'follow') {
      // train_test_split(X, y, ...) -> X_train, X_test, y_train, y_test: target i comes from array i // 2.
      const open = expr.text.indexOf('(');
      const end = closing(expr.text, open);
      if (end === undefined || unpacked.index === undefined) return undefined;
      const arrays = splitArgs(expr.text, open + 1, end - 1).filter((a) => !/^\w+\s*=(?!=)/.test(a.text));
      const source = arrays[Math.floor(unpacked.index / 2)];
      if (!source) return undefined;
      expr = { text: source.text, start: expr.start + source.start };
      unpacked = {};
      continue;
    }
    if (!result) return undefined;
    const range: SourceRange = { start: expr.start, end: expr.start + expr.text.length };
    return { ...result, range, text: expr.text.length > 80 ? `${expr.text.slice(0, 77)}...` : expr.text };
  }
  return undefined;
}

/** Whether the compile call's loss takes logits: `from_logits=True`, `fromLogits: true`, tfjs' `softmaxCrossEntropy`/`sigmoidCrossEntropy`. */
export function lossTakesLogits(text: string, model: ModelGraph): boolean {
  const loss = model.compile?.configRanges.loss?.value;
  if (!loss) return false;
  const written = text.slice(loss.start, loss.end);
  if (/from_logits\s*=\s*True|fromLogits\s*:\s*true|softmaxCrossEntropy|sigmoidCrossEntropy|softmax_cross_entropy|sigmoid_cross_entropy/.test(written)) return true;
  // `loss=loss_fn` with `loss_fn = keras.losses.X(from_logits=True)` earlier.
  if (IDENT.test(written.trim())) {
    const assigned = assignment(text, written.trim(), loss.start);
    return !!assigned && /from_logits\s*=\s*True|fromLogits\s*:\s*true|softmaxCrossEntropy|sigmoidCrossEntropy/.test(assigned.value.text);
  }
  return false;
}

/** `optimizer=opt` with `opt = SGD(lr=5)` earlier: the range of that call. */
function optimizerAssignment(text: string, model: ModelGraph): SourceRange | undefined {
  const value = model.compile?.configRanges.optimizer?.value;
  const name = value ? text.slice(value.start, value.end).trim() : '';
  if (!value || !IDENT.test(name)) return undefined;
  const assigned = assignment(text, name, value.start);
  if (!assigned || assigned.index !== undefined || !/\(/.test(assigned.value.text)) return undefined;
  return { start: assigned.value.start, end: assigned.value.start + assigned.value.text.length };
}

/** Dimensions of a nested array literal (`[[1, 2, 3], [4, 5, 6]]` -> [2, 3]), or undefined. */
function literalShape(expr: string): number[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(expr);
  } catch {
    return undefined;
  }
  const shape: number[] = [];
  while (Array.isArray(value)) {
    shape.push(value.length);
    value = value[0];
  }
  return shape.length && typeof value === 'number' ? shape : undefined;
}

/**
 * The shape of one sample of the data a TS/JS model is fitted on, when the code writes it: the
 * `fit` (else `predict`) input followed back through its assignments to `tf.tensor2d([[...]])`
 * (a literal), `tf.tensor2d(values, [n, m])`, or `tf.zeros` / `ones` / `randomNormal` /
 * `randomUniform` / `truncatedNormal([n, m])`. The batch axis is dropped: `[m]`.
 */
export function fitSampleShape(text: string, model: ModelGraph, onlyModel: boolean): { shape: number[]; name: string; start: number } | undefined {
  let input = fitArguments(text, model.name, onlyModel)?.input;
  if (!input) {
    const call = /^[A-Za-z_$][\w$]*$/.test(model.name) ? new RegExp(`(?<![\\w$.])${escape(model.name)}\\.predict\\s*\\(`).exec(text) : undefined;
    if (call) {
      const open = call.index + call[0].length - 1;
      const end = closing(text, open);
      const first = end === undefined ? undefined : splitArgs(text, open + 1, end - 1)[0];
      if (first) input = first;
    }
  }
  if (!input) return undefined;
  const name = input.text;
  let expr: Expr = input;
  for (let depth = 0; depth < 8 && IDENT.test(expr.text); depth++) {
    const assigned = assignment(text, expr.text, expr.start);
    if (!assigned || assigned.index !== undefined) return undefined;
    expr = assigned.value;
  }
  const call = /^(?:tf\.)?(tensor[1-4]?d?|zeros|ones|randomNormal|randomUniform|truncatedNormal)\s*\(/.exec(expr.text);
  if (!call) return undefined;
  const open = call[0].length - 1;
  const end = closing(expr.text, open);
  if (end === undefined) return undefined;
  const args = splitArgs(expr.text, open + 1, end - 1).map((a) => a.text.trim());
  const listed = (arg: string | undefined): number[] | undefined => {
    const shape = arg ? literalShape(arg) : undefined;
    return shape?.length === 1 ? (JSON.parse(arg!) as number[]) : undefined;
  };
  const shape = call[1]!.startsWith('tensor') ? listed(args[1]) ?? literalShape(args[0] ?? '') : listed(args[0]);
  if (!shape || shape.length < 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) return undefined;
  return { shape: shape.slice(1), name, start: input.start };
}

/**
 * The `inputShape` hole of a TS/JS model whose first sequential layer has no input shape is
 * suggested from the data the code fits it on (tfjs does not take the shape from `fit`, so it
 * stays a hole: the code throws as written), with a note on the fit line.
 */
function withInputShapeFromData(text: string, model: ModelGraph, onlyModel: boolean, problems: ParseResult['problems'][number][]): ModelGraph {
  const hole = model.holes?.find((h) => h.name === 'inputShape' && h.role === 'input shape');
  if (!hole) return model;
  const data = fitSampleShape(text, model, onlyModel);
  if (!data) return model;
  const suggestion = `[${data.shape.join(', ')}]`;
  problems.push({
    message: `\`inputShape\` of \`${model.name}\` suggested from \`${data.name}\` (one sample: ${suggestion}); tfjs does not take the input shape from the data, so the first layer needs it in the code.`,
    range: { start: data.start, end: data.start + data.name.length },
    severity: 'info',
  });
  return { ...model, holes: model.holes!.map((h) => (h === hole ? { ...h, suggestion, suggestedFrom: data.name } : h)) };
}

/** Adds label facts and the loss's logits flag to every model of a parse result. */
export function withTrainingFacts(text: string, result: ParseResult): ParseResult {
  const onlyModel = result.models.length === 1;
  const problems = [...result.problems];
  const models = result.models.map((model) => {
    try {
      return withInputShapeFromData(text, model, onlyModel, problems);
    } catch {
      return model;
    }
  });
  return {
    ...result,
    problems: problems.length === result.problems.length ? result.problems : problems.sort((a, b) => a.range.start - b.range.start),
    models: models.map((model) => {
      // Heuristics over user text: a surprise here must never cost the parse.
      let labels: LabelFacts | undefined;
      let logits = false;
      try {
        labels = labelFacts(text, model, onlyModel);
        logits = lossTakesLogits(text, model);
      } catch {
        return model;
      }
      const optimizerSite = optimizerAssignment(text, model);
      return labels || logits || optimizerSite
        ? { ...model, ...(labels ? { labels } : {}), ...(logits ? { lossFromLogits: true } : {}), ...(optimizerSite ? { optimizerSite } : {}) }
        : model;
    }),
  };
}
