// Builds frontend/dist: everything the browser needs, nothing from a CDN, no network at run time.
//   npm ci && node build.mjs            (or: npm run build)
// Output: index.html, app-<hash>.js, app-<hash>.css, assets/ (Leaflet's images), i18n/*.json,
// config.json, favicon.svg.
import { build } from 'esbuild';
import { rm, mkdir, readFile, writeFile, copyFile, readdir } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const dev = process.argv.includes('--dev');

await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, 'i18n'), { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'src/main.js') },
  bundle: true,
  format: 'iife',
  target: 'es2020',
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  outdir: dist,
  entryNames: '[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  loader: { '.png': 'file', '.svg': 'file' },
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => /^app-.*\.js$/.test(f));
const css = outputs.find((f) => /^app-.*\.css$/.test(f));
if (!js || !css) throw new Error(`build: missing output (${outputs.join(', ')})`);

const html = (await readFile(join(root, 'src/index.html'), 'utf8')).replace('%JS%', js).replace('%CSS%', css);
await writeFile(join(dist, 'index.html'), html);

for (const f of await readdir(join(root, 'i18n'))) {
  if (!f.endsWith('.json')) continue;
  const text = await readFile(join(root, 'i18n', f), 'utf8');
  JSON.parse(text); // a broken translation file fails the build, not the browser
  await writeFile(join(dist, 'i18n', f), JSON.stringify(JSON.parse(text)));
}
await copyFile(join(root, 'src/config.json'), join(dist, 'config.json'));
await copyFile(join(root, 'src/favicon.svg'), join(dist, 'favicon.svg'));

let total = 0;
for (const [p, o] of Object.entries(result.metafile.outputs)) {
  total += o.bytes;
  console.log(`${p.replace(`${root}/`, '').padEnd(48)} ${(o.bytes / 1024).toFixed(1).padStart(7)} KiB`);
}
console.log(`frontend/dist written (${(total / 1024).toFixed(1)} KiB of bundled output)`);
