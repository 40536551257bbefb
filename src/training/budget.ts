/** A time budget as people write it: `1 ms`, `1.5 s`, `60 s`. Shared by the worker and the host's messages. */
export function formatBudget(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
