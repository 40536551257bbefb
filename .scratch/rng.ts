import { readFileSync } from 'node:fs';
import { parseSource } from '/work/wt/verdicts/src/core/source';
const f = process.argv[2]!; const t = readFileSync(f, 'utf8');
for (const m of parseSource(t, f).models) for (const l of m.layers) console.log(l.id, Object.entries(l.configRanges).map(([k, v]) => `${k}:[${t.slice(v.property.start, v.property.end)}]=[${t.slice(v.value.start, v.value.end)}]`).join(' '), l.configRange ? t.slice(l.configRange.start, l.configRange.end) : '-');
