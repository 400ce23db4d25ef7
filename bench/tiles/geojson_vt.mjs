// The geojson-vt + vt-pbf anchor for tile generation (run by bench/tiles/run.sh with
// frontend/node_modules on NODE_PATH-like resolution through createRequire/import from frontend/).
//
//   node bench/tiles/geojson_vt.mjs --geojson PLACES.geojson --stadtraeume STADTRAEUME.geojson
//        --tiles TILES.txt --out TSV [--rounds 5]
//
// Builds two geojson-vt indexes once (places, Stadträume; the index build is timed and reported
// separately), then per tile: getTile on both indexes and vt-pbf fromGeojsonVt with the layers
// "stadtraeume" and "places". Options as our tiles: extent 4096, buffer 64, maxZoom 16,
// tolerance 1 (extent units, like TileOptions::simplify_tolerance).
//
// geojson-vt keeps every tile it has sliced, so a tile's first request ("cold": sliced from the
// nearest cached ancestor, then encoded) differs from a repeated one ("warm": the cached slice,
// encoded again). Tiles are requested in the list's order (z10, z12, z14, z16, as when zooming in):
// the cold pass is written as round 0, the warm rounds 1..R after it.
//
// The places' properties are reduced to ours: id, name, category, wheelchair ("unknown"), and
// feature id = the running number of the SYNTHETIC id (as the PostGIS anchor's fid).
// TSV rows: tool z x y round us bytes.
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'frontend');
const require = createRequire(resolve(FRONTEND, 'package.json'));
const { default: GeoJSONVT } = await import(require.resolve('geojson-vt'));
const vtpbf = require('vt-pbf');

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
for (const k of ['geojson', 'stadtraeume', 'tiles', 'out']) {
  if (!args[k]) { console.error(`geojson_vt.mjs: --${k} is required`); process.exit(2); }
}
const rounds = Number(args.rounds || 5);
const OPTIONS = { maxZoom: 16, indexMaxZoom: 5, indexMaxPoints: 100000, tolerance: 1, extent: 4096, buffer: 64 };

// The generator writes one feature per line: read line by line (1M places is ~400 MB of JSON,
// close to V8's limit for one string), keep only our properties.
async function readPlaces(path) {
  const features = [];
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (let line of rl) {
    if (!line.startsWith('{"type":"Feature"')) continue;
    if (line.endsWith(',')) line = line.slice(0, -1);
    const f = JSON.parse(line);
    const p = f.properties;
    features.push({
      type: 'Feature',
      id: Number(p.id.split('-')[2]),
      properties: { id: p.id, name: p.name, category: p.category, wheelchair: 'unknown' },
      geometry: f.geometry,
    });
  }
  return { type: 'FeatureCollection', features };
}

const hr = () => process.hrtime.bigint();
const us = (t0) => Number(hr() - t0) / 1000;

const places = await readPlaces(args.geojson);
const areasSrc = JSON.parse(readFileSync(args.stadtraeume, 'utf8'));
const areas = {
  type: 'FeatureCollection',
  features: areasSrc.features.map((f) => ({
    type: 'Feature',
    id: f.properties.stadtraum_nr,
    properties: { nr: f.properties.stadtraum_nr, name: f.properties.stadtraum_kurz, population: f.properties.ew_2025, per_10k: 0 },
    geometry: f.geometry,
  })),
};
const tiles = readFileSync(args.tiles, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));

const rows = ['tool\tz\tx\ty\tround\tus\tbytes'];
let t0 = hr();
const placeIndex = new GeoJSONVT(places, OPTIONS);
const placeIndexUs = us(t0);
t0 = hr();
const areaIndex = new GeoJSONVT(areas, OPTIONS);
const areaIndexUs = us(t0);
rows.push(`geojsonvt_index_places\t0\t0\t0\t0\t${placeIndexUs}\t${places.features.length}`);
rows.push(`geojsonvt_index_stadtraeume\t0\t0\t0\t0\t${areaIndexUs}\t${areas.features.length}`);
console.error(`geojson-vt: index of ${places.features.length} places ${(placeIndexUs / 1e6).toFixed(2)} s, Stadträume ${(areaIndexUs / 1e3).toFixed(1)} ms`);

function render(z, x, y) {
  const layers = {};
  const a = areaIndex.getTile(z, x, y);
  if (a) layers.stadtraeume = a;
  const p = placeIndex.getTile(z, x, y);
  if (p) layers.places = p;
  if (!a && !p) return 0;
  return vtpbf.fromGeojsonVt(layers, { version: 2, extent: 4096 }).length;
}

for (let round = 0; round <= rounds; round++) {
  for (const [z, x, y] of tiles) {
    t0 = hr();
    const bytes = render(z, x, y);
    rows.push(`${round === 0 ? 'geojsonvt_cold' : 'geojsonvt_warm'}\t${z}\t${x}\t${y}\t${round}\t${us(t0)}\t${bytes}`);
  }
  console.error(`geojson-vt: round ${round}${round === 0 ? ' (cold: first request of each tile)' : ''} done`);
}
writeFileSync(args.out, `${rows.join('\n')}\n`);
