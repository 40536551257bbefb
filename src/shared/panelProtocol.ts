/**
 * Messages between the extension and the Gradient panel (webview). Both sides import this file;
 * plain data only.
 */

export type RunStatus =
  | { readonly kind: 'idle' }
  | { readonly kind: 'probe' }
  | { readonly kind: 'training'; readonly epoch: number; readonly epochs: number; readonly step: number; readonly totalSteps: number }
  | { readonly kind: 'done'; readonly verdict: string }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'error'; readonly message: string };

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
  /** Kernel / bias gradient norm: the last epoch's mean (or the probe's). */
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

export interface PanelFinding {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly source: 'static' | 'measured';
  readonly message: string;
  readonly layers: readonly string[];
  readonly fixes: readonly string[];
  readonly line: number;
  /** Graded evidence in one line: the rule that fired and its numbers. */
  readonly evidence?: string;
}

export interface PanelVariant {
  readonly fix: string;
  readonly verdict: string;
  readonly explanation: string;
  /** Kernel gradient norm per layer after the fix (probe or last epoch). */
  readonly norms?: Readonly<Record<string, number>>;
}

export interface PanelState {
  readonly model: string;
  readonly file: string;
  readonly backend?: string;
  readonly params?: number;
  readonly status: RunStatus;
  readonly layers: readonly PanelLayer[];
  readonly steps: readonly PanelStep[];
  readonly findings: readonly PanelFinding[];
  readonly temporal: readonly { readonly layerId: string; readonly perTimeStep: readonly number[] }[];
  readonly thresholds: { readonly vanishingRatio: number; readonly explodingRatio: number };
  readonly verification?: { readonly before?: Readonly<Record<string, number>>; readonly variants: readonly PanelVariant[] };
}

export type HostToPanel =
  | { readonly type: 'state'; readonly state: PanelState | undefined }
  | { readonly type: 'steps'; readonly steps: readonly PanelStep[]; readonly status: RunStatus };

export type PanelToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'revealLayer'; readonly layerId: string }
  | { readonly type: 'applyFix'; readonly code: string; readonly layers: readonly string[] }
  | { readonly type: 'verifyFixes'; readonly codes: readonly string[] }
  | { readonly type: 'stop' }
  | { readonly type: 'rerun' }
  /** Writes the run's statistics (per-step norms and loss, per-layer summary) to a file. */
  | { readonly type: 'export'; readonly format: 'json' | 'csv' }
  /** Saves one chart as a PNG (a data URL of the canvas). */
  | { readonly type: 'savePng'; readonly name: string; readonly dataUrl: string };
