import { readFileSync } from 'node:fs';
import { parseSource } from '/work/wt/verdicts/src/core/source';
for (const f of process.argv.slice(2)) {
const r = parseSource(readFileSync(f, 'utf8'), f);
for (const m of r.models) console.log(f, m.name, JSON.stringify(m.labels), m.lossFromLogits ?? '');
}
