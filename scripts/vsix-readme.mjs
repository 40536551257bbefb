// The README that goes into the .vsix, for the installed extension's page (and the Marketplace):
// its screenshot images inlined as data: URIs, so they render with no network and no repository
// URL (vsce would otherwise rewrite relative paths to a GitHub address that does not exist, and
// VS Code does not resolve relative images of an installed extension's README). Links to other
// screenshots and files become plain text: there is nothing for them to open on that page.
// Writes dist/README.vsix.md; `npm run package` passes it to vsce with --readme-path.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let text = readFileSync(join(root, 'README.md'), 'utf8');
let images = 0;
text = text.replace(/!\[([^\]]*)\]\((docs\/[^)\s]+\.png)\)/g, (_, alt, path) => {
  images++;
  return `![${alt}](data:image/png;base64,${readFileSync(join(root, path)).toString('base64')})`;
});
// Other relative links (docs, examples, source files) would open nothing there: kept as text.
text = text.replace(/(?<!!)\[([^\]]+)\]\((?!https?:|data:|#|mailto:)[^)\s]+\)/g, (_, label) => label);
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'README.vsix.md'), text);
console.log(`dist/README.vsix.md: ${images} image(s) inlined`);
