/**
 * Source bytes -> text, or why they are not text. UTF-8 (with or without a BOM) and UTF-16 with
 * a BOM (Windows editors save that) are decoded; bytes with NULs or mostly invalid UTF-8 are
 * binary, so a binary or mis-named file gets a message instead of an empty analysis.
 */
export type Decoded = { readonly text: string; readonly encoding: 'utf-8' | 'utf-16le' | 'utf-16be' } | { readonly error: string };

export function decodeSource(bytes: Uint8Array): Decoded {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    // Swap to little-endian (TextDecoder's utf-16be support varies across Node builds).
    const body = bytes.subarray(2);
    const swapped = new Uint8Array(body.length - (body.length % 2));
    for (let i = 0; i < swapped.length; i += 2) {
      swapped[i] = body[i + 1]!;
      swapped[i + 1] = body[i]!;
    }
    return { text: new TextDecoder('utf-16le').decode(swapped), encoding: 'utf-16be' };
  }
  // UTF-16 without a BOM: every other byte NUL in ASCII text.
  const sample = bytes.subarray(0, 4096);
  let nuls = 0;
  let evenNuls = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] === 0) {
      nuls++;
      if (i % 2 === 1) evenNuls++;
    }
  }
  if (nuls > 0 && evenNuls >= sample.length / 2 - 2 && evenNuls === nuls) {
    return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  }
  if (nuls > 0) return { error: 'it is a binary file (it contains NUL bytes), not source text' };
  const text = new TextDecoder('utf-8').decode(bytes);
  const replaced = (text.match(/\uFFFD/g) ?? []).length;
  if (replaced > 0 && replaced > text.length / 100) return { error: 'it is not UTF-8 text (too many invalid byte sequences)' };
  return { text, encoding: 'utf-8' };
}
