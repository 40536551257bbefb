/**
 * A user's data file for a measurement run: JSON `{"inputs": [...], "labels": [...]}` (also
 * `xs`/`ys`), or CSV with one sample per row, the label in a column named label/y/target/class
 * (or the last column when there is no header). Pure: text in, rows out, or a clear error.
 */
import type { UserData } from '../training/protocol';

export class DataFileError extends Error {}

const LABEL_COLUMNS = new Set(['label', 'labels', 'y', 'target', 'class']);

function parseJson(text: string): UserData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataFileError(`The data file is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const record = (value ?? {}) as Record<string, unknown>;
  const inputs = record.inputs ?? record.xs;
  const labels = record.labels ?? record.ys;
  if (!Array.isArray(inputs) || !Array.isArray(labels)) throw new DataFileError('A JSON data file needs two arrays: "inputs" and "labels" (or "xs" and "ys").');
  return { inputs, labels };
}

function parseCsv(text: string): UserData {
  const rows = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).map((line) => line.split(',').map((cell) => cell.trim()));
  if (rows.length === 0) throw new DataFileError('The CSV data file is empty.');
  const header = rows[0]!.some((cell) => cell !== '' && Number.isNaN(Number(cell))) ? rows.shift()! : undefined;
  const width = header?.length ?? rows[0]?.length ?? 0;
  if (width < 2) throw new DataFileError('A CSV data file needs at least two columns: inputs and a label.');
  const named = header?.findIndex((cell) => LABEL_COLUMNS.has(cell.toLowerCase())) ?? -1;
  const labelColumn = named >= 0 ? named : width - 1;
  const inputs: number[][] = [];
  const labels: number[] = [];
  rows.forEach((row, index) => {
    if (row.length !== width) throw new DataFileError(`CSV row ${index + 1 + (header ? 1 : 0)} has ${row.length} columns, expected ${width}.`);
    const numbers = row.map(Number);
    const bad = numbers.findIndex((n) => !Number.isFinite(n));
    if (bad >= 0) throw new DataFileError(`CSV row ${index + 1 + (header ? 1 : 0)}, column ${bad + 1}: '${row[bad]}' is not a number.`);
    labels.push(numbers[labelColumn]!);
    inputs.push(numbers.filter((_, column) => column !== labelColumn));
  });
  return { inputs, labels };
}

export function parseDataFile(text: string, fileName: string): UserData {
  return /\.json$/i.test(fileName) || text.trimStart().startsWith('{') ? parseJson(text) : parseCsv(text);
}
