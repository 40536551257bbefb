/**
 * In-host test suite: runs inside the real extension host (code-server here, or desktop VS Code
 * through @vscode/test-cli), with the `vscode` API. Entry point VS Code calls: `run()`.
 */
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  // Define describe/it globally before the test modules load (they are bundled, not files).
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  require('./extension.test');
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} in-host test(s) failed`)) : resolve()));
  });
}
