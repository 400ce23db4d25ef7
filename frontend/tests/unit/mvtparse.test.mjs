// The tile decoder against tiles encoded by vt-pbf (a third-party encoder of the same spec).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import GeoJSONVT from 'geojson-vt';
import vtpbf from 'vt-pbf';
import { parseTile } from '../../src/mvtparse.js';

test('decodes polygons and points (with clusters) to tile pixels', () => {
  const polys = new GeoJSONVT({ type: 'FeatureCollection', features: [{
    type: 'Feature', properties: { nr: 2, name: 'Johannstadt', population: 26129, per_10k: 4.2 },
    geometry: { type: 'Polygon', coordinates: [[[13.74, 51.04], [13.80, 51.04], [13.80, 51.07], [13.74, 51.07], [13.74, 51.04]]] },
  }] }, { maxZoom: 14, extent: 4096, buffer: 64 });
  const points = new GeoJSONVT({ type: 'FeatureCollection', features: [
    { type: 'Feature', properties: { id: 'a', name: 'A', category: 'bibliothek', free: true, wheelchair: 'yes' }, geometry: { type: 'Point', coordinates: [13.75, 51.05] } },
    { type: 'Feature', properties: { cluster: true, point_count: 12, count_schule: 10, count_bibliothek: 2 }, geometry: { type: 'Point', coordinates: [13.78, 51.06] } },
  ] }, { maxZoom: 14, extent: 4096, buffer: 64 });
  // z12 tile that holds the polygon
  const z = 12;
  const x = Math.floor(((13.77 + 180) / 360) * 2 ** z);
  const s = Math.sin((51.055 * Math.PI) / 180);
  const y = Math.floor((0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 2 ** z);
  const buf = vtpbf.fromGeojsonVt({ stadtraeume: polys.getTile(z, x, y), places: points.getTile(z, x, y) }, { version: 2 });
  const d = parseTile(buf, 256);
  assert.equal(d.polys.length, 1);
  assert.equal(d.polys[0].props.nr, 2);
  assert.equal(d.polys[0].props.per_10k, 4.2);
  assert.ok(d.polys[0].rings[0].length >= 4);
  assert.equal(d.points.length, 2);
  const [cluster, single] = d.points; // clusters first (drawn below single places)
  assert.equal(cluster.cluster, true);
  assert.equal(cluster.count, 12);
  assert.ok(cluster.r > single.r);
  assert.equal(single.props.id, 'a');
  assert.equal(single.cluster, false);
  for (const p of d.points) assert.ok(p.x >= -16 && p.x <= 272 && p.y >= -16 && p.y <= 272);
});

test('an empty tile decodes to nothing', () => {
  const d = parseTile(new Uint8Array(0));
  assert.deepEqual(d, { polys: [], points: [] });
});
