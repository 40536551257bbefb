/**
 * Messages between the extension and the Gradient panel (webview). Both sides import this file;
 * plain data only. The host decides every word that claims something (verdicts, what was
 * measured and when); the page draws and formats.
 */

export type RunStatus =
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting' }
  | { readonly kind: 'probe' }
  | { readonly kind: 'training'; readonly epoch: number; readonly epochs: number; readonly step: number; readonly totalSteps: number }
  /** The first initialization is measured (`firstVerdict`, in words); the other `planned - 1` are confirming it. */
  | { readonly kind: 'confirming'; readonly firstVerdict: string; readonly planned: number }
  | { readonly kind: 'done' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'error'; readonly message: string };

/** Whether a run is going on (its own numbers are shown, not a finished run's). */
export function isRunning(status: RunStatus): boolean {
  return status.kind === 'starting' || status.kind === 'probe' || status.kind === 'training' || status.kind === 'confirming';
}

/**
 * Where the numbers shown come from:
 * - `none`: nothing measured; findings are predictions from the code.
 * - `initialization`: the probe's statistics, at initialization, before any update (a run is going on).
 * - `measured`: a finished run of the current code.
 * - `stale`: a finished run of code that has been edited since.
 */
export type Measurement = 'none' | 'initialization' | 'measured' | 'stale';

export interface PanelLayer {
  readonly id: string;
  readonly type: string;
  readonly activation?: string;
  /** 1-based source line. */
  readonly line: number;
  readonly params?: number;
  readonly trainable: boolean;
  /** Measured verdict of the layer, once a run finished. */
  readonly verdict?: string;
  /** Kernel / bias gradient norm: the last epoch's mean (or the probe's); null when it has none. */
  readonly kernelNorm?: number | null;
  readonly biasNorm?: number | null;
  /** What the table says beside the type: a custom layer's stand-in, the model it comes from. */
  readonly note?: string;
}

export interface PanelStep {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  /** Kernel gradient L2 norm per trainable layer id. */
  readonly norms: Readonly<Record<string, number>>;
}

export interface PanelFix {
  readonly code: string;
  /** The sentence the quick-fix menu shows: "Use ReLU in 2 layer calls". */
  readonly title: string;
  /** The first fix that applies: the one the quick-fix menu prefers. */
  readonly preferred: boolean;
  /** Why it cannot be applied here, when it cannot. */
  readonly unavailable?: string;
}

export interface PanelFinding {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly source: 'static' | 'measured';
  readonly message: string;
  readonly layers: readonly string[];
  readonly fixes: readonly PanelFix[];
  readonly line: number;
  /** Graded evidence in one line: the rule that fired and its numbers. */
  readonly evidence?: string;
}

export interface PanelVariant {
  readonly fix: string;
  /** The fix's sentence; the panel fills it in when the sender did not. */
  readonly title?: string;
  readonly verdict: string;
  readonly explanation: string;
  /** Kernel gradient norm per layer after the fix (probe or last epoch). */
  readonly norms?: Readonly<Record<string, number>>;
}

export interface PanelVerification {
  readonly running?: boolean;
  readonly before?: Readonly<Record<string, number>>;
  readonly variants: readonly PanelVariant[];
}

/**
 * What limits the numbers shown, said beside the verdict: a run cut short (`partial`), what the
 * run changed to be able to measure (`note`: a smaller batch, the cpu backend), and the values
 * used for unknowns that decide no layer (`default`: "learning rate unknown: used 0.001").
 */
export interface PanelCaveat {
  readonly kind: 'partial' | 'note' | 'default';
  readonly text: string;
  /** 1-based source line the caveat is about (a default's unknown), when it has one. */
  readonly line?: number;
}

/** The card at the top: what is wrong, where, what to do. */
export interface PanelHeadline {
  readonly verdict: string;
  readonly words: string;
  readonly metric?: string;
  readonly worst?: { readonly layer: string; readonly line: number; readonly text: string };
  /** The first fix of the leading finding, with the layers it applies to. */
  readonly fix?: PanelFix & { readonly layers: readonly string[] };
  /** The leading finding's message. */
  readonly message?: string;
}

/**
 * The threshold lines of the bar chart: the very rules that gave the layers their verdicts
 * (src/core/analysis/measuredRules.ts), so a bar's colour always agrees with the lines drawn.
 */
export interface PanelThresholds {
  readonly vanishingRatio: number;
  readonly explodingRatio: number;
  /** Layers below this kernel norm are vanishing (drawn when the vanishing rule fired). */
  readonly vanishingBelow?: number;
  /** Layers above this kernel norm are exploding (drawn when the exploding ratio rule fired). */
  readonly explodingAbove?: number;
  /** How each line is defined, in words. */
  readonly vanishingRule?: string;
  readonly explodingRule?: string;
}

export interface PanelState {
  readonly model: string;
  readonly file: string;
  readonly backend?: string;
  readonly params?: number;
  readonly status: RunStatus;
  readonly measurement: Measurement;
  /** Set when measured (or stale): the verdict card's content. */
  readonly headline?: PanelHeadline;
  /** What a run did: "96 training steps on wasm in 3.1 s". */
  readonly runText?: string;
  /** What limits the measurement shown (partial run, notes, defaults used); beside the verdict. */
  readonly caveats?: readonly PanelCaveat[];
  /** The first non-finite value of the run. */
  readonly nonFinite?: { readonly step: number; readonly what: string; readonly layerId?: string };
  readonly layers: readonly PanelLayer[];
  readonly steps: readonly PanelStep[];
  readonly findings: readonly PanelFinding[];
  /** Measured findings of a stale run: shown dimmed, not as current. */
  readonly staleFindings?: readonly PanelFinding[];
  readonly temporal: readonly { readonly layerId: string; readonly perTimeStep: readonly number[] }[];
  readonly thresholds: PanelThresholds;
  readonly verification?: PanelVerification;
  /** The last fix applied from the panel, for feedback. */
  readonly applied?: { readonly title: string; readonly file: string };
}

export type HostToPanel =
  | { readonly type: 'state'; readonly state: PanelState | undefined }
  | { readonly type: 'steps'; readonly steps: readonly PanelStep[]; readonly status: RunStatus };

export type PanelToHost =
  /**
   * The page's script ran. For the first-picture benchmark, wall-clock times (Date.now(), the
   * host's clock on this machine): the page's navigation start, when its script was fetched.
   */
  | { readonly type: 'ready'; readonly startedAt?: number; readonly fetchedAt?: number }
  | { readonly type: 'revealLayer'; readonly layerId: string }
  /** Shows a 1-based line of the model's file (a default's unknown value). */
  | { readonly type: 'revealLine'; readonly line: number }
  /** Applies a fix to the file; to the given layers, else to every layer it applies to (as Verify measured it). */
  | { readonly type: 'applyFix'; readonly code: string; readonly layers?: readonly string[] }
  | { readonly type: 'verifyFixes'; readonly codes: readonly string[] }
  | { readonly type: 'stop' }
  | { readonly type: 'rerun' }
  /**
   * The page drew its first chart of a run (for the Analyze -> first picture benchmark): when the
   * state message arrived and when the drawing ended (Date.now(), wall clock).
   */
  | { readonly type: 'drawn'; readonly measurement: Measurement; readonly receivedAt?: number; readonly drawnAt?: number }
  /** Writes the run's statistics (per-step norms and loss, per-layer summary) to a file. */
  | { readonly type: 'export'; readonly format: 'json' | 'csv' }
  /** Saves one chart as a PNG (a data URL of the canvas). */
  | { readonly type: 'savePng'; readonly name: string; readonly dataUrl: string };

/**
 * Webview messages travel as JSON, which turns NaN and Infinity into null: a non-finite gradient
 * would arrive as "no value". The host encodes them as `{ $num: 'NaN' | 'Inf' | '-Inf' }` and
 * the page decodes them back, so "NaN" and "Inf" are shown as such.
 */
export function encodeNonFinite<T>(value: T): T {
  return walk(value, (v) => (typeof v === 'number' && !Number.isFinite(v) ? { $num: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Inf' : '-Inf' } : undefined)) as T;
}

export function decodeNonFinite<T>(value: T): T {
  return walk(value, (v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { $num?: unknown }).$num === 'string') {
      const tag = (v as { $num: string }).$num;
      return tag === 'NaN' ? Number.NaN : tag === 'Inf' ? Number.POSITIVE_INFINITY : tag === '-Inf' ? Number.NEGATIVE_INFINITY : undefined;
    }
    return undefined;
  }) as T;
}

function walk(value: unknown, replace: (v: unknown) => unknown): unknown {
  const replaced = replace(value);
  if (replaced !== undefined) return replaced;
  if (Array.isArray(value)) return value.map((v) => walk(v, replace));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, replace)]));
  return value;
}
