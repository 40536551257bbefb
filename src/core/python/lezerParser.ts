/**
 * @lezer/python's parser, built on first use: building it (deserializing its tables) cost ~18 ms
 * of every CLI start, `--help` and TS files included (bench/README.md, "CLI start").
 */
type PythonParser = typeof import('@lezer/python').parser;

let built: PythonParser | undefined;

/** The Python grammar's parser (one per process, shared and read-only). */
export function pythonParser(): PythonParser {
  built ??= (require('@lezer/python') as typeof import('@lezer/python')).parser;
  return built;
}
