/**
 * What a measurement is asked for and what it produces: run options, per-layer gradient
 * statistics, the run summary. Plain numbers and objects, owned by the core so the rules can read
 * them without depending on the worker; `training/protocol.ts` carries them across the thread.
 */
export interface RunOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly samples: number;
  readonly seed: number;
  /** Wall-clock budget for the whole run, probe included; the run stops with a partial result after it. */
  readonly timeBudgetMs: number;
  /** Batches the probe averages over, at initialization, before any update. */
  readonly probeBatches: number;
  /** Only the probe: no training. */
  readonly probeOnly?: boolean;
  /**
   * Initializations each model is measured on (weights and dropout masks from a seed derived from
   * `seed`; the same data): verdicts are decided over them. 1 measures the run's own only.
   */
  readonly seeds?: number;
  /**
   * When the first `seeds` initializations disagree (a finding or the model verdict holds in some,
   * not all), more are measured, one at a time, up to this many in all, until more could not change
   * what most of them show (the verdict of a majority of `maxSeeds`); each still only when it fits
   * the time budget. Why: a verdict that holds in 60-70% of initializations (deep narrow ReLU
   * stacks, which die at initialization with a probability that grows with depth: Lu et al.,
   * "Dying ReLU and Initialization", 2019) is called by a majority of 3 only 65-75% of the time;
   * a majority of 15 calls one that holds in 2 of 3 initializations 91% of the time (binomial; our
   * choice of 15 for that 90%). Unset or not above `seeds`: no more than `seeds`.
   */
  readonly maxSeeds?: number;
  /** Inputs and labels from the user's data file, instead of synthetic data. */
  readonly data?: UserData;
  /**
   * Bytes the run's data, and separately one training step, may take (default
   * `STEP_MEMORY_BYTES` of measure.ts, 2 GiB): above it the batch is made smaller, or the model
   * or data refused with a message, before the backend runs out of memory.
   */
  readonly memoryLimitBytes?: number;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  epochs: 3,
  batchSize: 32,
  samples: 256,
  seed: 42,
  timeBudgetMs: 60_000,
  probeBatches: 3,
  seeds: 3,
  maxSeeds: 15,
};

export interface UserData {
  /** One row per sample, flattened to the input shape's size (or nested arrays of that shape). */
  readonly inputs: readonly unknown[];
  readonly labels: readonly unknown[];
}

/** L2 norm, mean |g| and max |g| of one weight's gradient. */
export interface GradientStats {
  readonly norm: number;
  readonly meanAbs: number;
  readonly maxAbs: number;
}

/** One trainable layer at one step. `kernel` is its first weight; RNNs also report the recurrent kernel. */
export interface LayerGradients {
  readonly kernel?: GradientStats;
  readonly bias?: GradientStats;
  readonly recurrentKernel?: GradientStats;
  /** L2 norm of the kernel itself. */
  readonly weightNorm?: number;
  /** |lr * g| / |w| for the kernel: how much one step changes it. */
  readonly updateRatio?: number;
}

export interface StepRecord {
  readonly step: number;
  readonly epoch: number;
  /** Data loss of the batch (regularization terms left out). */
  readonly loss: number;
  readonly layers: Readonly<Record<string, LayerGradients>>;
}

/** Activation health of a layer's output on a batch. */
export interface ActivationStats {
  /** Fraction of units in saturation (sigmoid/tanh family): |tanh| > 0.99, sigmoid outside [0.01, 0.99]. */
  readonly saturated?: number;
  /** Fraction of units that are zero for every sample of the batch (ReLU family). */
  readonly dead?: number;
  /** Root mean square of the layer's output over the batch (Infinity when it overflowed). */
  readonly rms?: number;
}

export interface TemporalGradients {
  readonly layerId: string;
  /** L2 norm of the loss gradient w.r.t. the layer's input at each time step, first step first. */
  readonly perTimeStep: readonly number[];
}

export interface ProbeResult {
  /** At initialization, over the probe batches (norms: root mean square; mean/max: means). */
  readonly layers: Readonly<Record<string, LayerGradients>>;
  readonly loss: number;
  readonly activations: Readonly<Record<string, ActivationStats>>;
  readonly temporal: readonly TemporalGradients[];
  /** A second look after one update, so a layer that starts at zero is not called vanishing. */
  readonly afterFirstUpdate?: Readonly<Record<string, LayerGradients>>;
  /**
   * The probe repeated on fresh initializations and data (the first entry is the run's own):
   * kernel gradient norm per trainable layer. A verdict that flips between them is borderline.
   */
  readonly seeds?: readonly { readonly seed: number; readonly kernelNorms: Readonly<Record<string, number>> }[];
  /** Regularization terms' share of the total loss at initialization (0 when there are none); they are left out of the gradients. */
  readonly regularizationShare?: number;
  readonly elapsedMs: number;
  /**
   * Present when the probe left parts out because the model is expensive for the budget (see
   * `planProbe` in measure.ts) or the budget ran out: the first pass's cost (ms), the batches and
   * initializations it used, and the parts it skipped ('activations', 'after-update', 'temporal',
   * 'regularization', 'seeds', 'batches', 'temporal-all').
   */
  readonly reduced?: { readonly passMs: number; readonly batches: number; readonly seeds: number; readonly skipped: readonly string[] };
}

export interface LayerSummary {
  /** Kernel gradient L2 norm, mean over the last epoch's steps (the CLI's `gradNorm`). */
  readonly gradNorm: number | null;
  readonly biasGradNorm: number | null;
  readonly meanAbs: number | null;
  readonly maxAbs: number | null;
  readonly updateRatio: number | null;
  readonly activations?: ActivationStats;
}

export interface RunSummary {
  readonly backend: string;
  /** Why the run ended. 'budget' with 0 steps: the statistics are the probe's alone. */
  readonly stoppedBy: 'completed' | 'budget' | 'cancelled' | 'non-finite' | 'probe-only';
  readonly steps: number;
  readonly epochs: number;
  readonly elapsedMs: number;
  /** Of `elapsedMs`, the time spent in training steps (after the probe). */
  readonly trainingMs: number;
  readonly losses: readonly number[];
  readonly layers: Readonly<Record<string, LayerSummary>>;
  readonly probe?: ProbeResult;
  /** The first step where a gradient, weight or the loss stopped being finite. */
  readonly nonFinite?: { readonly step: number; readonly layerId?: string; readonly what: string };
  /**
   * Present when the model was too expensive for the requested batch within the budget and
   * trained (and was probed) on a smaller one: see `batchForBudget` in measure.ts.
   */
  readonly scaledBatch?: { readonly requested: number; readonly used: number; readonly estimatedPassMs: number };
  /** Trainable layers in model order, each with its weights' names. */
  readonly trainableLayers: readonly string[];
  /**
   * Set when the statistics cover less than the run asked for (the time budget ran out during
   * the probe or training, or the host stopped a step that overran it): why, in a sentence.
   */
  readonly partial?: { readonly reason: string };
  /** The batch size the run used, when it differs from the one asked for (memory or time). */
  readonly batchSize?: number;
  /** What the run changed to be able to measure (a smaller batch, the cpu backend), one sentence each. */
  readonly notes?: readonly string[];
  /** The seed this initialization's weights and dropout masks were drawn from. */
  readonly initSeed?: number;
  /**
   * When other initializations followed the first: ms from the start of the measurement to the
   * end of the first one, when its summary was posted as a first verdict (`first-initialization`).
   */
  readonly firstInitializationMs?: number;
  /** The same measurement on the other initializations (`RunOptions.seeds`), in order; each without its own. */
  readonly initializations?: readonly RunSummary[];
}

/**
 * How one measurement ended: `done` with its summary (possibly `partial`), `cancelled` (with what
 * was measured before), or `error` naming the layer at fault when one is known (`layerId`) or the
 * `compile` call (`inCompile`).
 */
export type RunResult =
  | { readonly status: 'done'; readonly summary: RunSummary; readonly backend: string }
  | { readonly status: 'cancelled'; readonly summary?: RunSummary; readonly backend: string }
  | { readonly status: 'error'; readonly message: string; readonly layerId?: string; readonly inCompile?: boolean; readonly backend?: string };
