/**
 * The one number format of Gradient Lens: panel (tooltips, table, verdict card), hover,
 * CodeLens, status bar, diagnostics' evidence and the CLI's text table all print numbers with it,
 * so the same value reads the same everywhere. Pure; no imports (the webview bundles it too).
 *
 * Rule: 3 significant digits, trailing zeros dropped (so "2-3 significant digits" as read);
 * plain decimals for 0.01 <= |v| < 1000, engineering notation (exponent a multiple of 3) outside
 * that range: 3.4e-8 -> "34e-9", 0.0015 -> "1.5e-3", 123456 -> "123e3". Zero is "0", never a
 * tiny number rounded away; non-finite values are "NaN", "Inf", "-Inf"; a missing value is "-".
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 0.01 && magnitude < 1000) {
    const plain = Number(value.toPrecision(3));
    // 999.6 rounds to 1000: switch to engineering notation rather than print 4 digits.
    if (Math.abs(plain) < 1000) return String(plain);
  }
  let exponent = Math.floor(Math.log10(magnitude) / 3) * 3;
  let mantissa = Number((value / 10 ** exponent).toPrecision(3));
  if (Math.abs(mantissa) >= 1000) {
    exponent += 3;
    mantissa = Number((value / 10 ** exponent).toPrecision(3));
  } else if (Math.abs(mantissa) < 1) {
    // Floating error in log10 near a power of 1000 (e.g. 1e-9).
    exponent -= 3;
    mantissa = Number((value / 10 ** exponent).toPrecision(3));
  }
  return `${mantissa}e${exponent}`;
}

/** A fraction as a whole percentage: 0.734 -> "73%". */
export function formatPercent(value: number): string {
  return `${Math.round(value * 100)}%`;
}
