// For machines that can download VS Code: `npx vscode-test` runs the in-host suite in desktop
// VS Code through @vscode/test-electron. Here (offline) the same suite runs in code-server:
// `npm run test:e2e`. Build the suite first: `node scripts/build.mjs && node scripts/build.mjs --integration`.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'dist-integration/extension.test.js',
  workspaceFolder: './examples',
  version: '1.100.3',
  mocha: { ui: 'bdd', timeout: 120000 },
});
