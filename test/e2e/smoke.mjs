// UI test as a user, in a real VS Code (code-server) driven by Chromium: open the deep sigmoid
// example, see the predicted warnings, run Analyze Gradients from the palette, see the measured
// ones, hover a layer, verify fixes, apply the preferred quick fix. Screenshots go to
// test-results/e2e/. Prints `N passed, N failed`; exits 1 on any failure.
// Run it with `npm run test:e2e` (scripts/e2e/run.sh starts code-server for it).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// playwright-core lives with code-server in .cache/ (scripts/e2e/install-code-server.sh), outside
// the extension's own dependencies.
const { chromium } = createRequire(fileURLToPath(new URL('../../.cache/code-server/package.json', import.meta.url)))('playwright-core');
import { mkdirSync } from 'node:fs';

const port = process.env.PORT ?? '8765';
const workspace = process.env.WS ?? '/tmp/ws';
const out = process.env.OUT ?? 'test-results/e2e';
mkdirSync(out, { recursive: true });

const results = [];
async function check(name, body) {
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`  ok   ${name}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`  FAIL ${name}\n       ${String(error?.message ?? error).split('\n')[0]}`);
  }
}
function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
const shot = (name) => page.screenshot({ path: `${out}/${name}.png` });
const problems = () => page.locator('.markers-panel .monaco-list-row').allInnerTexts();
async function palette(command) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill(`>${command}`);
  await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10_000 });
  await page.keyboard.press('Enter');
}

try {
  await check('the workbench opens the example', async () => {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'deep-sigmoid-mlp.ts' }).click();
    await page.waitForSelector('.view-line', { timeout: 30_000 });
  });

  await check('predicted vanishing-gradient warnings on lines 11 and 13', async () => {
    await page.keyboard.press('Control+Shift+M');
    await page.waitForFunction(() => [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => r.textContent?.includes('Predicted vanishing gradient')), null, { timeout: 30_000 });
    const rows = (await problems()).filter((r) => r.includes('vanishing-gradient'));
    await shot('1-static-diagnostics');
    expect(rows.some((r) => r.includes('[Ln 11,')) && rows.some((r) => r.includes('[Ln 13,')), `rows: ${JSON.stringify(rows)}`);
  });

  await check('Analyze Gradients from the palette replaces them with measured ones', async () => {
    await page.locator('.view-line').first().click();
    await palette('Gradient Lens: Analyze Gradients');
    await page.waitForTimeout(1500);
    await shot('2-analyzing');
    await page.waitForFunction(() => [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => r.textContent?.includes('Vanishing gradients: `dense_1`')), null, { timeout: 90_000 });
    await page.waitForTimeout(500);
    await shot('3-measured-diagnostics');
    const rows = await problems();
    expect(!rows.some((r) => r.includes('Predicted vanishing')), 'the prediction gave way to the measurement');
    const status = await page.locator('.statusbar-item', { hasText: 'vanishing' }).allInnerTexts();
    expect(status.some((s) => /first\/last \de-\d · vanishing/.test(s)), `status bar: ${JSON.stringify(status)}`);
  });

  await check('the Gradient panel shows the layers, a finding and a drawn chart; clicking a layer moves the cursor', async () => {
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await panel.locator('h1', { hasText: 'model' }).waitFor({ timeout: 30_000 });
    await panel.locator('td', { hasText: 'dense_12' }).first().waitFor({ timeout: 30_000 });
    const findings = await panel.locator('li.finding').allInnerTexts();
    expect(findings.some((f) => f.includes('vanishing-gradient') && f.includes('measured') && /orders past the 1\.0e-3 threshold/.test(f)), `findings: ${JSON.stringify(findings)}`);
    const painted = await panel.locator('canvas').first().evaluate((canvas) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let coloured = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) coloured++;
      return coloured;
    });
    expect(painted > 1000, `only ${painted} painted pixels in the bar chart`);
    await shot('3b-panel');
    await panel.locator('a.layer-link', { hasText: 'dense_12' }).click();
    await page.waitForTimeout(800);
    const position = await page.locator('.statusbar-item', { hasText: 'Ln ' }).first().innerText();
    expect(/Ln 15,/.test(position), `cursor: ${position}`);
  });

  await check('hovering a layer call shows its measured statistics', async () => {
    try {
      const token = page.locator('.view-line', { hasText: 'inputShape: [INPUTS]' }).first().locator('span', { hasText: 'dense' }).first();
      const box = await token.boundingBox();
      expect(box, 'the layer call is on screen');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const hover = page.locator('.monaco-hover', { hasText: 'Gradient Lens' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      await page.waitForTimeout(500);
      const text = await hover.innerText();
      await shot('4-hover');
      expect(/dense_1/.test(text) && /vanishing/.test(text) && /\[null,64\]/.test(text), `hover: ${text}`);
    } finally {
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 400);
    }
  });

  await check('Verify Fixes measures each fix on a copy and shows before/after in the panel; the file stays as it is', async () => {
    await page.locator('.view-line').first().click();
    const before = await page.locator('.view-lines').first().innerText();
    await palette('Gradient Lens: Verify Fixes');
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const section = panel.locator('section', { hasText: 'Verified fixes' });
    await section.waitFor({ timeout: 120_000 });
    await section.scrollIntoViewIfNeeded();
    await page.waitForTimeout(1000);
    await shot('4b-verify-fixes');
    const verified = (await section.innerText()).replace(/\u00a0/g, ' ');
    expect(/activation-relu\s+fixed/.test(verified), `panel: ${verified.slice(0, 300)}`);
    expect((await page.locator('.view-lines').first().innerText()) === before, 'the file is unchanged');
  });

  await check('the preferred quick fix (Ctrl+.) rewrites the activation to ReLU', async () => {
    await page.locator('.view-line', { hasText: "activation: 'sigmoid', inputShape" }).first().locator('span', { hasText: 'sigmoid' }).first().click();
    await page.waitForTimeout(2000); // the light bulb needs the code actions first
    await page.keyboard.press('Control+.');
    await page.waitForSelector('.action-widget .monaco-list-row', { timeout: 10_000 });
    await page.waitForTimeout(500);
    const actions = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
    await shot('5-quick-fixes');
    expect(actions.some((a) => a.includes('Use ReLU in 2 layer calls')) && actions.some((a) => a.includes('Verify fixes')), `actions: ${JSON.stringify(actions)}`);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
    const text = (await page.locator('.view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    await shot('6-after-fix');
    expect(/activation: 'relu', inputShape/.test(text) && !/activation: 'sigmoid'/.test(text), 'the file now uses relu in both layer calls');
  });
  await check('the healthy ReLU + batch-norm example measures healthy in the panel', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'relu-batchnorm-mlp.ts' }).click();
    await page.waitForTimeout(1500);
    await page.locator('.view-line').first().click();
    await palette('Gradient Lens: Analyze Gradients');
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await panel.locator('.status', { hasText: 'done: healthy' }).waitFor({ timeout: 90_000 });
    await page.waitForTimeout(800);
    await shot('7-panel-healthy');
    const findings = await panel.locator('li.finding.warning, li.finding.error').count();
    expect(findings === 0, `${findings} warnings on the healthy model`);
  });
  await check('a data-shaped input asks for its value at Analyze, remembers it, and Save as Annotation writes it', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'data-shaped-regressor.ts' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => r.textContent?.includes('is not known from the code')), null, { timeout: 30_000 });
    await page.locator('.view-line').first().click();
    await palette('Gradient Lens: Analyze Gradients');
    await page.locator('.quick-input-widget', { hasText: 'needs a value' }).waitFor({ timeout: 15_000 });
    const input = page.locator('.quick-input-widget input');
    const suggested = await input.inputValue();
    await shot('8-hole-prompt');
    expect(suggested === '10', `prefilled with ${suggested}`);
    await input.fill('13');
    await page.keyboard.press('Enter');
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await panel.locator('h1', { hasText: 'createRegressor' }).waitFor({ timeout: 30_000 });
    await panel.locator('.status', { hasText: 'done' }).waitFor({ timeout: 90_000 });
    const save = page.locator('.notification-toast', { hasText: 'remembers the values' }).locator('.monaco-button', { hasText: 'Save as Annotation' });
    await save.click({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('.view-lines')?.textContent?.replace(/\u00a0/g, ' ').includes('// gradient-lens: xTrain.shape[1]=13'), null, { timeout: 15_000 });
    await page.waitForTimeout(1000);
    await shot('9-annotation-saved');
    const rows = await problems();
    expect(!rows.some((r) => r.includes('is not known from the code')), `the hole is filled: ${JSON.stringify(rows)}`);
  });

  await check('a Keras .py file gets the same predicted and measured vanishing-gradient diagnostics', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'deep_sigmoid_mlp.py' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => r.textContent?.includes('Predicted vanishing gradient')), null, { timeout: 30_000 });
    const predicted = (await problems()).filter((r) => r.includes('vanishing-gradient'));
    expect(predicted.some((r) => r.includes('[Ln 11,')) && predicted.some((r) => r.includes('[Ln 13,')), `rows: ${JSON.stringify(predicted)}`);
    await page.locator('.view-line').first().click();
    await palette('Gradient Lens: Analyze Gradients');
    await page.waitForFunction(() => [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => r.textContent?.includes('Vanishing gradients: `dense_1`')), null, { timeout: 90_000 });
    await page.waitForTimeout(800);
    await shot('10-python-measured');
    const rows = await problems();
    expect(rows.some((r) => r.includes('Vanishing gradients: `dense_1`')), `rows: ${JSON.stringify(rows.slice(0, 6))}`);
  });

  await check('the preferred quick fix on the .py file writes Python: activation=\'relu\' in both layer calls', async () => {
    await page.locator('.view-line', { hasText: "activation='sigmoid', input_shape" }).first().locator('span', { hasText: 'sigmoid' }).first().click();
    await page.waitForTimeout(2000);
    await page.keyboard.press('Control+.');
    await page.waitForSelector('.action-widget .monaco-list-row', { timeout: 10_000 });
    await page.waitForTimeout(500);
    const actions = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
    await shot('11-python-quick-fixes');
    expect(actions.some((a) => a.includes('Use ReLU in 2 layer calls')), `actions: ${JSON.stringify(actions)}`);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
    const text = (await page.locator('.view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    expect(/activation='relu', input_shape/.test(text) && !/activation='sigmoid'/.test(text), 'the .py file now uses relu in both layer calls');
  });
} finally {
  await browser.close();
}
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
