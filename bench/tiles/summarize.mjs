// Summarises the raw results of bench/tiles/run.sh into markdown (stdout).
//   node bench/tiles/summarize.mjs DIR
// DIR holds: meta.tsv (key, value), tiles_<size>.tsv (lernorte_bench_tiles), gvt_<size>.tsv
// (geojson_vt.mjs), http.tsv (server, run, req/s), browser.json (browser_time.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const read = (f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : null);
const tsv = (f) => {
  const t = read(f);
  if (!t) return [];
  const [head, ...lines] = t.trim().split('\n');
  const keys = head.split('\t');
  return lines.filter(Boolean).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [keys[i], v])));
};
const meta = Object.fromEntries((read('meta.tsv') || '').trim().split('\n').filter(Boolean).map((l) => l.split('\t')));

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => { const s = sorted(xs); const n = s.length; return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const p95 = (xs) => { const s = sorted(xs); return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]; };
const fmtT = (us) => (!Number.isFinite(us) ? '–' : us >= 10000 ? `${(us / 1000).toFixed(0)} ms` : us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(0)} µs`);
const fmtB = (b) => (!Number.isFinite(b) ? '–' : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${b.toFixed(0)} B`);
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const fmtR = (r) => (Number.isFinite(r) ? `${r.toFixed(r >= 10 ? 0 : r >= 1 ? 1 : 2)}x` : '–');

const out = [];
const say = (s = '') => out.push(s);
const verdicts = [];

say('# Lernorte tile benchmark results');
say();
say(`${meta.date || ''}, ${meta.cpu || ''}, ${meta.mem || ''}, ${meta.os || ''}. Rounds per tile: ${meta.rounds || '?'} ` +
  `(after one untimed warm-up round); wrk ${meta.wrk_seconds || '?'} s x ${meta.runs || '?'} runs; browser ${meta.browser_runs || '?'} navigations. ` +
  `Load average at start: ${meta.load_start || '?'}, at end: ${meta.load_end || '?'}.`);
say();
say('All places are SYNTHETIC (lernorte_bench_gen, seeded); the Stadträume are the real 17.');

for (const size of ['100k', '1m']) {
  const rows = tsv(`tiles_${size}.tsv`);
  const gvt = tsv(`gvt_${size}.tsv`);
  if (rows.length === 0 && gvt.length === 0) continue;
  const all = [...rows, ...gvt];
  const pick = (tool, z) => all.filter((r) => r.tool === tool && Number(r.z) === z);
  const us = (tool, z) => pick(tool, z).map((r) => Number(r.us));
  const bytes = (tool, z) => median(pick(tool, z).map((r) => Number(r.bytes)));
  const rt = all.find((r) => r.tool === 'postgis_roundtrip');
  const idx = all.find((r) => r.tool === 'geojsonvt_index_places');
  const idxA = all.find((r) => r.tool === 'geojsonvt_index_stadtraeume');
  say();
  say(`## Tile generation, ${size === '1m' ? '1,000,000' : '100,000'} SYNTHETIC places + 17 Stadträume`);
  say();
  say('Per tile, median / p95 over all samples (tiles x rounds). PostGIS: server execution time (EXPLAIN ANALYZE, TIMING OFF) ' +
    'of the like-for-like query (z10/z12: grid clustering in SQL, z14/z16: plain points); its wall time through libpq in brackets. ' +
    'geojson-vt: cold = first request of the tile (sliced from the nearest cached ancestor + vt-pbf), warm = cached slice + vt-pbf. ' +
    'Ratio = the faster anchor (PostGIS server or geojson-vt cold) / Lernorte; goal >= 5x.');
  say();
  say('| zoom | tiles | samples | Lernorte render_tile | PostGIS ST_AsMVT | geojson-vt cold | geojson-vt warm (info) | ratio median | ratio p95 | goal 5x |');
  say('|---|---|---|---|---|---|---|---|---|---|');
  for (const z of [10, 12, 14, 16]) {
    const ours = us('lernorte', z);
    if (ours.length === 0) continue;
    const pgTool = z < 14 ? 'postgis_cluster' : 'postgis';
    const pgS = us(`${pgTool}_server`, z);
    const pgW = us(`${pgTool}_wall`, z);
    const cold = us('geojsonvt_cold', z);
    const warm = us('geojsonvt_warm', z);
    const tilesN = new Set(pick('lernorte', z).map((r) => `${r.x}/${r.y}`)).size;
    const anchorMed = Math.min(...[median(pgS), median(cold)].filter(Number.isFinite));
    const anchorP95 = Math.min(...[p95(pgS), p95(cold)].filter(Number.isFinite));
    const rMed = ratio(anchorMed, median(ours));
    const rP95 = ratio(anchorP95, p95(ours));
    const met = rMed >= 5 && rP95 >= 5;
    verdicts.push({ what: `tile z${z}, ${size}`, ours: `${fmtT(median(ours))} / ${fmtT(p95(ours))}`, anchor: `${fmtT(anchorMed)} / ${fmtT(anchorP95)}`, ratio: `${fmtR(rMed)} / ${fmtR(rP95)}`, goal: '>= 5x', met });
    say(`| z${z} | ${tilesN} | ${ours.length} | ${fmtT(median(ours))} / ${fmtT(p95(ours))} | ${fmtT(median(pgS))} / ${fmtT(p95(pgS))} (${fmtT(median(pgW))} / ${fmtT(p95(pgW))}) ` +
      `| ${fmtT(median(cold))} / ${fmtT(p95(cold))} | ${fmtT(median(warm))} / ${fmtT(p95(warm))} | ${fmtR(rMed)} | ${fmtR(rP95)} | ${met ? 'met' : '**not met**'} |`);
  }
  say();
  say('Also measured (information): ratio against geojson-vt warm, PostGIS without clustering at z10/z12, and tile sizes (median bytes).');
  say();
  say('| zoom | ratio vs geojson-vt warm (median / p95) | PostGIS, all points unclustered (server median / p95) | bytes Lernorte | bytes PostGIS (like-for-like) | bytes PostGIS unclustered | bytes geojson-vt |');
  say('|---|---|---|---|---|---|---|');
  for (const z of [10, 12, 14, 16]) {
    const ours = us('lernorte', z);
    if (ours.length === 0) continue;
    const warm = us('geojsonvt_warm', z);
    const pgPlain = us('postgis_server', z);
    say(`| z${z} | ${fmtR(ratio(median(warm), median(ours)))} / ${fmtR(ratio(p95(warm), p95(ours)))} | ${z < 14 ? `${fmtT(median(pgPlain))} / ${fmtT(p95(pgPlain))}` : '(same as above)'} ` +
      `| ${fmtB(bytes('lernorte', z))} | ${fmtB(bytes(z < 14 ? 'postgis_cluster_wall' : 'postgis_wall', z))} | ${z < 14 ? fmtB(bytes('postgis_wall', z)) : '–'} | ${fmtB(bytes('geojsonvt_warm', z))} |`);
  }
  say();
  const bits = [];
  if (meta[`catalogue_build_${size}`]) bits.push(`Catalogue::build ${meta[`catalogue_build_${size}`]} s`);
  if (idx) bits.push(`geojson-vt index build ${(Number(idx.us) / 1e6).toFixed(2)} s for the places, ${(Number(idxA.us) / 1e3).toFixed(0)} ms for the Stadträume`);
  if (meta[`pg_load_${size}`]) bits.push(`PostGIS load (COPY, transform, GIST, CLUSTER, ANALYZE) ${meta[`pg_load_${size}`]} s`);
  if (rt) bits.push(`PostgreSQL round trip of SELECT 1 ${Number(rt.us).toFixed(0)} µs (part of every PostGIS wall time)`);
  if (bits.length) say(`${bits.join('; ')}.`);
}

const http = tsv('http.tsv');
if (http.length) {
  const l = http.filter((r) => r.server === 'lernorte').map((r) => Number(r.rps));
  const n = http.filter((r) => r.server === 'nginx').map((r) => Number(r.rps));
  const r = ratio(median(l), median(n));
  say();
  say('## HTTP throughput of a cached tile');
  say();
  say(`\`GET ${meta.http_path}\` (${meta.http_bytes} bytes), wrk -t2 -c32 -d${meta.wrk_seconds}s, keep-alive; \`lernorte serve --threads 2 --quiet\` (100k places) vs nginx (2 workers) serving the same bytes as a static file.`);
  say();
  say('| | runs (req/s) | median |');
  say('|---|---|---|');
  say(`| lernorte serve | ${l.map((x) => x.toFixed(0)).join(', ')} | ${median(l).toFixed(0)} |`);
  say(`| nginx 1.22 | ${n.map((x) => x.toFixed(0)).join(', ')} | ${median(n).toFixed(0)} |`);
  say(`| ratio | | ${r.toFixed(2)} (goal >= 0.5: ${r >= 0.5 ? 'met' : '**not met**'}) |`);
  verdicts.push({ what: 'HTTP cached tile req/s', ours: median(l).toFixed(0), anchor: `${median(n).toFixed(0)} (nginx)`, ratio: r.toFixed(2), goal: '>= 0.5', met: r >= 0.5 });
}

const brText = read('browser.json');
if (brText) {
  const br = JSON.parse(brText);
  const v = br.map((r) => r.visible);
  const m = median(v);
  say();
  say('## Browser: navigation to places visible (100k places, headless Chromium)');
  say();
  say('"Places visible": first animation frame with a place in the list (`#result-list a.place-link`) AND places drawn on the map ' +
    '(`lernorte.mvt.visiblePoints()` non-empty, or markers). Times in ms since navigation start (performance.now()).');
  say();
  say('| run | visible | list | map | app ready | DOMContentLoaded | tiles | mode |');
  say('|---|---|---|---|---|---|---|---|');
  for (const r of br) {
    say(`| ${r.run}${r.run === 1 ? ' (server tile cache cold)' : ''} | ${r.visible.toFixed(0)} | ${r.list.toFixed(0)} | ${r.map.toFixed(0)} | ${r.ready ? r.ready.toFixed(0) : '–'} | ${r.nav.domContentLoaded ? r.nav.domContentLoaded.toFixed(0) : '–'} | ${r.tileResponses} (${r.tileStatuses.join('/')}) | ${r.mode} |`);
  }
  say();
  say(`Median ${m.toFixed(0)} ms (goal < 1500 ms: ${m < 1500 ? 'met' : '**not met**'}). Requests blocked (not 127.0.0.1): ${br.map((r) => r.blocked).join(', ')}; page errors: ${br.reduce((a, r) => a + r.errors.length, 0)}. Status line: "${br[0].status}".`);
  verdicts.push({ what: 'browser: navigation to places visible', ours: `${m.toFixed(0)} ms`, anchor: '–', ratio: '–', goal: '< 1500 ms', met: m < 1500 });
}

out.splice(6, 0, '', '## Summary', '', '| target | Lernorte (median / p95) | anchor (median / p95) | ratio | goal | verdict |', '|---|---|---|---|---|---|',
  ...verdicts.map((v) => `| ${v.what} | ${v.ours} | ${v.anchor} | ${v.ratio} | ${v.goal} | ${v.met ? 'met' : '**not met**'} |`), '');
console.log(out.join('\n'));
