/** Which front end reads a file, by its name: Python (Keras) or TS/JS (tfjs). */
export function isPythonFile(fileName: string): boolean {
  return /\.pyw?$/i.test(fileName);
}

/** The line-comment prefix annotations are written with in `fileName`'s language. */
export function commentPrefix(fileName: string): '//' | '#' {
  return isPythonFile(fileName) ? '#' : '//';
}

/** The library a model in `fileName` is built with, for messages ("no Keras model found"). */
export function modelLibrary(fileName: string): 'Keras' | 'tfjs' {
  return isPythonFile(fileName) ? 'Keras' : 'tfjs';
}
