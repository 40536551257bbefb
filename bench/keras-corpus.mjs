// Keras corpus count (issue 14): for each .py file, `gradient-lens analyze --json --static`, then
// models found, fully read (no holes, every layer's parameter count known), unresolved (holes),
// shapes unknown, problems by kind, crashes (no JSON or an internal error).
//   node bench/keras-corpus.mjs dist/cli.js file.py ...   (KINDS=1 lists problem kinds)
import { execFileSync } from 'node:child_process';

const [cli, ...files] = process.argv.slice(2);
const totals = { files: files.length, models: 0, fullyRead: 0, unresolved: 0, shapesUnknown: 0, problems: 0, crashes: 0 };
const kinds = new Map();
for (const file of files) {
  let out;
  try {
    out = execFileSync('node', [cli, 'analyze', file, '--json', '--static'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch (error) {
    out = error.stdout; // exit status 1/3 still prints the document
  }
  let doc;
  try {
    doc = JSON.parse(out);
  } catch {
    totals.crashes++;
    console.log('crash (no JSON):', file);
    continue;
  }
  for (const f of doc.files) {
    totals.problems += f.problems.length;
    for (const p of f.problems) {
      if (/internal error/.test(p.message)) totals.crashes++;
      const kind = p.message.replace(/`[^`]*`/g, '`_`').replace(/\d+/g, 'N').slice(0, 90);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    for (const m of f.models) {
      totals.models++;
      if ((m.holes ?? []).length) totals.unresolved++;
      else if (m.layers.every((l) => typeof l.params === 'number')) totals.fullyRead++;
      else totals.shapesUnknown++;
    }
  }
}
console.log(JSON.stringify(totals));
if (process.env.KINDS) for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(String(n).padStart(4), kind);
