import { readFileSync } from 'node:fs';
import { parseSource } from '/work/wt/verdicts/src/core/source';
const f = process.argv[2]!;
const r = parseSource(readFileSync(f, 'utf8'), f);
console.log(JSON.stringify(r.models.map(m => ({ name: m.name, outputs: m.outputs, compile: m.compile, layers: m.layers.map(l => ({ id: l.id, type: l.type, act: l.activation, cfg: l.config, shape: l.outputShape, range: l.range, inbound: l.inbound })) })), null, 1));
console.log(r.problems);
