// Time from navigation to "places visible" in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core, the flags and the request blocking of frontend/tests/browser/harness.mjs).
//
//   node bench/tiles/browser_time.mjs --url http://127.0.0.1:PORT/ --out RESULT.json [--runs 5]
//
// "Places visible" is the first animation frame in which BOTH hold:
//   - the list shows its first place: `#result-list a.place-link` exists, and
//   - the map has drawn places: the tile layer's point overlay drew at least one point or cluster
//     inside the map (`window.lernorte.mvt.visiblePoints().length > 0`), or, in marker mode (high
//     zooms, collections), the marker layer holds a marker.
// A script injected before the page's own scripts checks this on every requestAnimationFrame and
// records performance.now() (milliseconds since the navigation started) for each milestone.
// Every navigation gets a fresh browser profile (empty HTTP cache) at 1280x800; the server is
// not restarted, so its tile cache is cold for the first navigation only (reported separately).
// Every request not to 127.0.0.1 is aborted (the harness routes it so).
import { writeFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'frontend');
const { startBrowser } = await import(resolve(FRONTEND, 'tests', 'browser', 'harness.mjs'));

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
if (!args.url || !args.out) { console.error('browser_time.mjs: --url and --out are required'); process.exit(2); }
const runs = Number(args.runs || 5);

const PROBE = () => {
  const marks = {};
  window.__bench = marks;
  const check = () => {
    const now = performance.now();
    const a = window.lernorte;
    if (!marks.ready && document.body && document.body.dataset.ready === '1') marks.ready = now;
    const listed = Boolean(document.querySelector('#result-list a.place-link'));
    if (!marks.list && listed) marks.list = now;
    let drawn = 0;
    let mode = '';
    try {
      if (a && a.mvt && a.mvt.visiblePoints().length > 0) { drawn = a.mvt.visiblePoints().length; mode = 'tiles'; }
      else if (a && a.markers && a.markers.getLayers().length > 0) { drawn = a.markers.getLayers().length; mode = 'markers'; }
    } catch { /* the app is still starting */ }
    if (!marks.map && drawn > 0) { marks.map = now; marks.mode = mode; marks.drawn = drawn; }
    if (!marks.visible && listed && drawn > 0) { marks.visible = now; return; }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
};

const results = [];
for (let i = 1; i <= runs; i++) {
  const br = await startBrowser();
  try {
    const page = await br.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const tiles = [];
    page.on('response', (r) => { if (/\/tiles\/\d+\/\d+\/\d+\.mvt/.test(r.url())) tiles.push(r.status()); });
    await page.addInitScript(PROBE);
    const wallStart = Date.now();
    await page.goto(args.url, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__bench && window.__bench.visible, null, { timeout: 60000 });
    const wallMs = Date.now() - wallStart;
    const marks = await page.evaluate(() => window.__bench);
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return n ? { responseEnd: n.responseEnd, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd } : {};
    });
    const status = await page.locator('#result-status').textContent();
    const r = { run: i, ...marks, wallMs, nav, tileResponses: tiles.length, tileStatuses: [...new Set(tiles)], status: status.trim(), errors, blocked: br.blocked.length };
    results.push(r);
    console.error(`browser run ${i}: places visible at ${marks.visible.toFixed(0)} ms (list ${marks.list.toFixed(0)}, map ${marks.map.toFixed(0)} via ${marks.mode}, ready ${marks.ready ? marks.ready.toFixed(0) : '-'}); ${tiles.length} tiles; "${r.status}"`);
    await page.close();
  } finally {
    await br.stop();
  }
}
writeFileSync(args.out, JSON.stringify(results, null, 2));
