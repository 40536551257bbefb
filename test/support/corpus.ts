/**
 * The project's corpora of healthy and broken models (test/fixtures/corpus), analysed the way
 * the CLI does: static rules, then a measured run, merged. Shared by a test and a benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { mergeFindings, type Finding } from '../../src/core/analysis/findings';
import { measuredFindings } from '../../src/core/analysis/measuredRules';
import { staticFindings } from '../../src/core/analysis/staticRules';
import { parseModels } from '../../src/core/parse/index';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS } from '../../src/training/protocol';
import { registerMissingWasmKernels } from '../../src/training/wasmKernels';

export interface CorpusVerdict {
  readonly file: string;
  readonly broken: boolean;
  readonly staticFlag: boolean;
  readonly measuredFlag: boolean;
  readonly combinedFlag: boolean;
  readonly findings: readonly Finding[];
  readonly modelVerdict: string;
}

const flags = (findings: readonly Finding[]): boolean => findings.some((f) => f.severity !== 'info');

export async function useWasm(): Promise<void> {
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
}

export async function evaluateCorpus(root: string): Promise<CorpusVerdict[]> {
  const results: CorpusVerdict[] = [];
  for (const kind of ['healthy', 'broken'] as const) {
    const dir = join(root, kind);
    for (const file of readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f)).sort()) {
      const parsed = parseModels(readFileSync(join(dir, file), 'utf8'), file);
      const model = parsed.models[0];
      if (!model) throw new Error(`${kind}/${file}: no model found`);
      const predicted = staticFindings(model);
      const summary = await measure(tf, model, { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 128 }, {}, { cancelled: () => false });
      const analysis = measuredFindings(model, summary);
      const combined = mergeFindings(predicted, analysis.findings, new Set([model.name]));
      results.push({
        file: `${kind}/${file}`,
        broken: kind === 'broken',
        staticFlag: flags(predicted),
        measuredFlag: flags(analysis.findings),
        combinedFlag: flags(combined),
        findings: combined,
        modelVerdict: analysis.modelVerdict,
      });
    }
  }
  return results;
}
