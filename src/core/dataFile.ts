/**
 * A user's data file for a measurement run: JSON `{"inputs": [...], "labels": [...]}` (also
 * `xs`/`ys`), or CSV with one sample per row, the label in a column named label/y/target/class
 * (or the last column when there is no header). Pure: text in, rows out, or a clear error.
 *
 * Strict: every value is a finite number (`null`, booleans, strings and arrays where a number
 * belongs are errors with their row and column); every row has the first row's width / shape; a
 * leading BOM is accepted; files over `MAX_DATA_BYTES` are refused; messages quote at most a short
 * prefix of a cell.
 */
import type { UserData } from './measurement';

export class DataFileError extends Error {}

/**
 * Largest data file read, in bytes (UTF-16 code units of the text). A run trains on a few hundred
 * samples (`gradientLens.samples`, default 256), so 20 MB is thousands of times what it uses;
 * a 200 MB CSV took 298 s and 3.8 GB before this limit.
 */
export const MAX_DATA_BYTES = 20_000_000;
/** Nesting of one JSON sample (a 3-D image with channels is 3 levels). */
const MAX_SAMPLE_DEPTH = 4;

const LABEL_COLUMNS = new Set(['label', 'labels', 'y', 'target', 'class']);

/** A cell's text for a message: at most 20 characters, one line. */
export function quoteCell(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return `'${flat.length > 20 ? `${flat.slice(0, 20)}...` : flat}'`;
}

export function sizeError(bytes: number): DataFileError {
  return new DataFileError(
    `The data file is ${(bytes / 1e6).toFixed(1)} MB; Gradient Lens reads data files up to ${MAX_DATA_BYTES / 1e6} MB (a run trains on a few hundred samples): use a sample of the rows.`,
  );
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${quoteCell(value)}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (Array.isArray(value)) return 'a nested array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * The shape of one JSON sample (`[]` for a number), checking every element is a finite number
 * and sub-arrays are rectangular; `where` names it in errors (`inputs[3]`).
 */
function sampleShape(value: unknown, where: string, depth = 0): number[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DataFileError(`${where} is ${value}, not a finite number.`);
    return [];
  }
  if (!Array.isArray(value)) throw new DataFileError(`${where} is ${describeJson(value)}, not a number.`);
  if (depth >= MAX_SAMPLE_DEPTH) throw new DataFileError(`${where} nests deeper than ${MAX_SAMPLE_DEPTH} levels; a sample is a number or a (nested) list of numbers.`);
  if (value.length === 0) throw new DataFileError(`${where} is an empty list.`);
  const first = sampleShape(value[0], `${where}[0]`, depth + 1);
  for (let i = 1; i < value.length; i++) {
    const shape = sampleShape(value[i], `${where}[${i}]`, depth + 1);
    if (shape.length !== first.length || shape.some((d, k) => d !== first[k])) {
      throw new DataFileError(`${where}[${i}] has shape [${shape.join(', ')}], but ${where}[0] has [${first.join(', ')}].`);
    }
  }
  return [value.length, ...first];
}

/** Every sample of `rows` has the first sample's shape; rows are numbers or (nested) number lists. */
function checkRows(rows: readonly unknown[], name: string): void {
  if (rows.length === 0) throw new DataFileError(`"${name}" is empty.`);
  const first = sampleShape(rows[0], `${name}[0]`);
  for (let i = 1; i < rows.length; i++) {
    const shape = sampleShape(rows[i], `${name}[${i}]`);
    if (shape.length !== first.length || shape.some((d, k) => d !== first[k])) {
      throw new DataFileError(`${name}[${i}] has shape [${shape.join(', ')}], but ${name}[0] has [${first.join(', ')}] (every row needs the same width).`);
    }
  }
}

function parseJson(text: string): UserData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DataFileError(`The data file is not valid JSON: ${message.length > 120 ? `${message.slice(0, 120)}...` : message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DataFileError('A JSON data file is an object with two arrays: "inputs" and "labels" (or "xs" and "ys").');
  const record = value as Record<string, unknown>;
  const inputsName = 'inputs' in record ? 'inputs' : 'xs';
  const labelsName = 'labels' in record ? 'labels' : 'ys';
  const inputs = record[inputsName];
  const labels = record[labelsName];
  if (!Array.isArray(inputs) || !Array.isArray(labels)) throw new DataFileError('A JSON data file needs two arrays: "inputs" and "labels" (or "xs" and "ys").');
  checkRows(inputs, inputsName);
  checkRows(labels, labelsName);
  if (inputs.length !== labels.length) throw new DataFileError(`"${inputsName}" has ${inputs.length} rows but "${labelsName}" has ${labels.length}.`);
  return { inputs, labels };
}

function parseCsv(text: string): UserData {
  const rows: { cells: string[]; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line && !line.startsWith('#')) rows.push({ cells: line.split(',').map((cell) => cell.trim()), line: index + 1 });
  });
  if (rows.length === 0) throw new DataFileError('The CSV data file is empty.');
  const header = rows[0]!.cells.some((cell) => cell !== '' && Number.isNaN(Number(cell))) ? rows.shift()!.cells : undefined;
  const width = header?.length ?? rows[0]?.cells.length ?? 0;
  if (width < 2) throw new DataFileError('A CSV data file needs at least two columns: inputs and a label.');
  if (rows.length === 0) throw new DataFileError('The CSV data file has a header but no rows.');
  const named = header?.findIndex((cell) => LABEL_COLUMNS.has(cell.toLowerCase())) ?? -1;
  const labelColumn = named >= 0 ? named : width - 1;
  const inputs: number[][] = [];
  const labels: number[] = [];
  for (const { cells, line } of rows) {
    if (cells.length !== width) throw new DataFileError(`CSV line ${line} has ${cells.length} columns, expected ${width}.`);
    const numbers: number[] = [];
    cells.forEach((cell, column) => {
      // `Number('')` is 0 and `Number('0x1')` is 1: only plain decimal numbers count.
      const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) ? Number(cell) : Number.NaN;
      if (!Number.isFinite(n)) throw new DataFileError(`CSV line ${line}, column ${column + 1}: ${cell === '' ? 'an empty cell' : quoteCell(cell)} is not a finite number.`);
      numbers.push(n);
    });
    labels.push(numbers[labelColumn]!);
    inputs.push(numbers.filter((_, column) => column !== labelColumn));
  }
  return { inputs, labels };
}

export function parseDataFile(text: string, fileName: string): UserData {
  if (text.length > MAX_DATA_BYTES) throw sizeError(text.length);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return /\.json$/i.test(fileName) || body.trimStart().startsWith('{') ? parseJson(body) : parseCsv(body);
}
