/**
 * The architecture of a model saved by Keras 2 (`model.save('model.h5')`): Keras writes the
 * model's config as a JSON attribute `model_config` of the HDF5 file's root group, stored as
 * one contiguous ASCII string (`{"class_name": "Sequential", "config": {...}}`). It is found by
 * scanning the file's text for that object, without an HDF5 reader; the weights (binary
 * datasets) are not read. A `.keras` archive (Keras 3) is a zip whose config is compressed, so
 * it is not found here.
 */

/** One layer or model of a saved config: Keras' `{class_name, config}` (plus graph links). */
export interface SavedLayer {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
  readonly name?: string;
  /** Keras 2 functional links: per call node, a list of `[layer name, node index, tensor index, kwargs]`. */
  readonly inbound_nodes?: unknown[];
}

/** A saved model: Sequential (`config.layers`, or the Keras 2.0 bare list) or functional (`Model` / `Functional`). */
export interface SavedModelConfig {
  readonly className: string;
  readonly layers: readonly SavedLayer[];
  /** Functional models: `[[layer name, node index, tensor index], ...]`. */
  readonly inputLayers?: readonly unknown[];
  readonly outputLayers?: readonly unknown[];
}

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);
/** Scanned at most (characters): a config is written near the start of the file (2 KB in Keras 2.2-2.4 files). */
const MAX_SCAN = 4_000_000;

/** The end (exclusive) of the balanced JSON object that starts at `start`, or -1. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length && i - start < MAX_SCAN; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */) {
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === 0) return -1; // a NUL: the string ended before the object closed
  }
  return -1;
}

/**
 * The first model config in `text` (a saved file's contents), or undefined when there is none.
 * Throws nothing: text that is not JSON is skipped.
 */
export function savedModelConfig(text: string): SavedModelConfig | undefined {
  const marker = /\{\s*"class_name"\s*:\s*"(Sequential|Model|Functional)"/g;
  for (const match of text.matchAll(marker)) {
    const end = objectEnd(text, match.index);
    if (end < 0) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.slice(match.index, end));
    } catch {
      continue;
    }
    const model = parsed as { class_name?: unknown; config?: unknown };
    if (typeof model.class_name !== 'string' || !MODEL_CLASSES.has(model.class_name)) continue;
    const config = model.config as { layers?: unknown; input_layers?: unknown; output_layers?: unknown } | unknown[] | undefined;
    const layers = Array.isArray(config) ? config : config?.layers;
    if (!Array.isArray(layers) || !layers.every(isSavedLayer)) continue;
    const graph = Array.isArray(config) ? {} : config!;
    return {
      className: model.class_name,
      layers,
      ...(Array.isArray(graph.input_layers) ? { inputLayers: graph.input_layers } : {}),
      ...(Array.isArray(graph.output_layers) ? { outputLayers: graph.output_layers } : {}),
    };
  }
  return undefined;
}

function isSavedLayer(value: unknown): value is SavedLayer {
  const layer = value as SavedLayer;
  return typeof value === 'object' && value !== null && typeof layer.class_name === 'string' && typeof layer.config === 'object' && layer.config !== null;
}
