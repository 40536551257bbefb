// Summarize a runall.sh output dir against AUTOTRAINER's own status (repaired = a training problem
// found and repaired by AUTOTRAINER; normal = none) and DeepDiagnosis' verdict on the same model.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.argv[2];
const dd = join(process.env.DD ?? '/work/eval/deepdiagnosis', 'DeepDiagnosis Result');
const label = new Map();
for (const f of readdirSync(dd)) for (const line of readFileSync(join(dd, f), 'utf8').split('\n')) {
  const m = /^\s*\/(?:[^/]*\/)?([^/]+)\/(repaired|normal)\/(model_[0-9a-f]{8})-[0-9a-f-]+\/(.*)$/.exec(line);
  if (m) label.set(m[3], { set: m[1], at: m[2], dd: m[4].trim().replace(/\s+/g, ' ').slice(0, 60) });
}
// The AUTOTRAINER repo's own cases (label from the folder name / README).
const own = {
  'autotrainer-src_gradient_vanish_case': 'vanishing', 'autotrainer-src_motivation_dying_relu': 'dying ReLU', 'autotrainer-src_motivation_oscillating_loss': 'oscillating loss', 'autotrainer-src_oscillating_loss_case': 'oscillating loss',
  'autotrainer_AutoTrainer_demo_case_Gradient_Vanish_Case_demo': 'vanishing', 'autotrainer_AutoTrainer_demo_case_Oscillating_Loss_Case_demo': 'oscillating loss',
  'autotrainer_AutoTrainer_demo_case_Improper_Activation_case_demo_activation': 'improper activation (ReLU output)', 'autotrainer_Motivation_DyingReLU_train': 'dying ReLU', 'autotrainer_Motivation_OscillatingLoss_train': 'oscillating loss',
  'autotrainer_AutoTrainer_demo_test': '- (tool driver)', 'autotrainer_AutoTrainer_reproduce': '- (tool driver)',
};
const rows = [];
let files = 0, models = 0, measured = 0, failed = 0, other = 0, crashes = 0;
for (const f of readdirSync(dir).filter((f) => f.endsWith('.json') && existsSync(join(dir, f.replace(/\.json$/, '.exit')))).sort()) {
  files++;
  const base = f.replace(/\.json$/, '');
  const exit = readFileSync(join(dir, base + '.exit'), 'utf8').trim();
  const wall = existsSync(join(dir, base + '.wall')) ? Number(readFileSync(join(dir, base + '.wall'), 'utf8')).toFixed(0) : '?';
  let j;
  try { j = JSON.parse(readFileSync(join(dir, f), 'utf8')); } catch { crashes++; rows.push({ file: base, crash: readFileSync(join(dir, base + '.err'), 'utf8').slice(0, 200) }); continue; }
  const ms = j.files.flatMap((x) => x.models);
  if (ms.length === 0) rows.push({ file: base, exit, wall, model: '(none)' + (j.files[0]?.noModel ? ' noModel' : ''), label: own[base] ?? '-' });
  for (const m of ms) {
    models++;
    const st = m.measurement?.status;
    if (st === 'measured') measured++; else if (st === 'failed') failed++; else other++;
    const key = /\[(model_[0-9a-f]{8})\]/.exec(m.name)?.[1];
    const l = key ? label.get(key) : undefined;
    const top = (m.findings ?? []).filter((x) => x.severity !== 'info').map((x) => x.code ?? x.rule).slice(0, 3).join(',');
    rows.push({ file: base, exit, wall, model: m.name, layers: m.layers.length, status: st, verdict: m.measurement?.verdict, inits: m.measurement?.initializations, findings: top, label: l ? `${l.set}/${l.at}` : (own[base] ?? '-'), dd: l?.dd });
  }
}
const withLabel = rows.filter((r) => r.label && r.label !== '-' && r.model);
const repaired = rows.filter((r) => r.label?.endsWith('/repaired'));
const flagged = (r) => r.status === 'measured' && r.verdict && r.verdict !== 'healthy' || (r.findings ?? '').length > 0;
console.log(JSON.stringify({ files, models, measured, failed, notMeasuredOther: other, crashes, autotrainerRepaired: repaired.length, repairedFlagged: repaired.filter(flagged).length, repairedFlaggedByVerdict: repaired.filter((r) => r.verdict && r.verdict !== 'healthy').length }));
for (const r of rows) console.log([r.file, r.model, r.layers, r.status, r.verdict, r.inits, r.findings, r.label, r.dd, 'exit ' + r.exit, r.wall + 's', r.crash ?? ''].join(' | '));
