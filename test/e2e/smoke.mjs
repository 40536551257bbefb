// Drives code-server in Chromium like a user: open a model file, look at the diagnostics, run
// Analyze Gradients, look again. Saves screenshots under test-results/e2e/. Manual smoke test:
//   bash scripts/e2e/install-code-server.sh && npm run package
//   VSIX=$PWD/gradient-lens-0.1.0.vsix bash scripts/e2e/start-code-server.sh  # prints the PID
//   WS=/path/to/workspace node test/e2e/smoke.mjs
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const port = process.env.PORT ?? '8765';
const workspace = process.env.WS ?? '/tmp/ws';
const out = process.env.OUT ?? 'test-results/e2e';
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
const shot = (name) => page.screenshot({ path: `${out}/${name}.png` });
try {
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'deep-sigmoid-mlp.ts' }).click();
  await page.waitForSelector('.view-line', { timeout: 30_000 });
  await page.waitForTimeout(4000);
  await page.keyboard.press('Control+Shift+M');
  await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 30_000 });
  await page.waitForTimeout(1000);
  const staticRows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
  console.log('problems before:', JSON.stringify(staticRows));
  await shot('1-static-diagnostics');
  // Analyze from the palette.
  await page.locator('.view-line').first().click();
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>Gradient Lens: Analyze Gradients');
  await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1500);
  await shot('2-analyzing');
  await page.waitForFunction(() => [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => r.textContent?.includes('Vanishing gradients')), null, { timeout: 60_000 });
  await page.waitForTimeout(1000);
  const measuredRows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
  console.log('problems after:', JSON.stringify(measuredRows));
  await shot('3-measured-diagnostics');
  // Hover the first layer call.
  await page.locator('.view-line', { hasText: 'model.add(tf.layers.dense({ units: UNITS, activation' }).first().locator('span', { hasText: 'dense' }).first().hover();
  await page.waitForSelector('.monaco-hover', { timeout: 10_000 }).catch(() => undefined);
  await page.waitForTimeout(1500);
  await shot('4-hover');
  console.log('status bar:', JSON.stringify(await page.locator('.statusbar-item', { hasText: 'model' }).allInnerTexts()));
  // Verify Fixes from the palette: results open beside the editor; the file stays unchanged.
  await page.keyboard.press('Escape');
  await page.locator('.view-line').first().click();
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>Gradient Lens: Verify Fixes');
  await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.tab', { hasText: 'Untitled' }).catch(() => undefined);
  await page.waitForFunction(() => [...document.querySelectorAll('.tab')].some((t) => /Untitled/.test(t.textContent ?? '')), null, { timeout: 90_000 });
  await page.waitForTimeout(1000);
  await shot('4b-verify-fixes');
  await page.locator('.tab', { hasText: 'deep-sigmoid-mlp.ts' }).click();
  await page.waitForTimeout(500);
  // The preferred quick fix, as a user applies it: click the layer call, wait for the light bulb, Ctrl+.
  await page.keyboard.press('Escape');
  await page.locator('.view-line', { hasText: "activation: 'sigmoid', inputShape" }).first().locator('span', { hasText: 'sigmoid' }).first().click();
  await page.waitForTimeout(2000);
  await shot('5a-before-ctrl-dot');
  await page.keyboard.press('Control+.');
  await page.waitForSelector('.action-widget .monaco-list-row', { timeout: 10_000 });
  await page.waitForTimeout(500);
  console.log('quick fixes:', JSON.stringify(await page.locator('.action-widget .monaco-list-row').allInnerTexts()));
  await shot('5-quick-fixes');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1500);
  const text = await page.locator('.view-lines').first().innerText();
  console.log('after the fix, line 11 uses relu:', /activation: 'relu', inputShape/.test(text.replace(/\u00a0/g, ' ')));
  await shot('6-after-fix');
} finally {
  await browser.close();
}
