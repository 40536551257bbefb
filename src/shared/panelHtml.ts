/**
 * The Gradient panel's HTML page (plain strings, no vscode; unit-tested).
 *
 * The page's script and style sheet are written into the HTML, not linked: in VS Code for the
 * web and code-server every linked resource is fetched through the webview's service worker and
 * the remote file system, which took 0.1-1 s for the 220 kB script under load (bench/README.md,
 * "Analyze -> first picture"), while the HTML itself travels with the panel's creation. The
 * Content Security Policy still allows only this page's nonce for scripts and styles.
 */

export interface PanelPage {
  /** A fresh random nonce (letters and digits) per page. */
  readonly nonce: string;
  /** `webview.cspSource`: where images and fonts may come from. */
  readonly cspSource: string;
  /** The page's script (dist/webview.js, an ES module), inlined when given... */
  readonly script?: string;
  /** ...else loaded from this webview URI. */
  readonly scriptUri?: string;
  /** The style sheet (media/panel.css), inlined when given... */
  readonly style?: string;
  /** ...else linked from this webview URI. */
  readonly styleUri?: string;
}

/**
 * Makes a script or style text safe inside its HTML element: the HTML parser ends a script at the
 * first `</script` and treats `<!--` specially, whatever the JavaScript around them means. `<\/`
 * and `\x3C!--` read the same in JavaScript strings, templates and regular expressions; in CSS,
 * `<\/` is the same text inside a string.
 */
export function escapeInline(text: string, tag: 'script' | 'style'): string {
  return text.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1').replace(/<!--/g, tag === 'script' ? '\\x3C!--' : '\\3C!--');
}

export function panelHtml(page: PanelPage): string {
  const { nonce, cspSource } = page;
  const style = page.style !== undefined ? `<style nonce="${nonce}">${escapeInline(page.style, 'style')}</style>` : page.styleUri ? `<link rel="stylesheet" href="${page.styleUri}" nonce="${nonce}">` : '';
  const script = page.script !== undefined ? `<script type="module" nonce="${nonce}">${escapeInline(page.script, 'script')}</script>` : page.scriptUri ? `<script type="module" nonce="${nonce}" src="${page.scriptUri}"></script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}'; font-src ${cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${style}
<title>Gradient Lens</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="empty">Run <strong>Gradient Lens: Analyze Gradients</strong> on a model to see its gradients here.</p></main>
${script}
</body>
</html>`;
}
