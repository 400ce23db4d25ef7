// Served tiles decode with @mapbox/vector-tile in Node (the reader map clients use), across
// zooms: layers, extent, properties, clusters below zoom 14, 204 for empty tiles.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { startServer } from './harness.mjs';

function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.asinh(Math.tan(r)) / Math.PI) / 2) * n);
  return { z, x, y };
}

describe('vector tiles in Node', { timeout: 300000 }, () => {
  let server;
  before(async () => { server = await startServer({ timeoutMs: 120000 }); });
  after(async () => { await server?.stop(); });

  async function fetchTile({ z, x, y }, query = '') {
    const res = await fetch(`${server.url}tiles/${z}/${x}/${y}.mvt${query}`);
    return { status: res.status, type: res.headers.get('content-type'), body: new Uint8Array(await res.arrayBuffer()) };
  }

  test('every zoom from 8 to 16 over the Zentralbibliothek decodes', async () => {
    for (let z = 8; z <= 16; z++) {
      const t = tileOf(13.738381, 51.050931, z);
      const { status, type, body } = await fetchTile(t);
      assert.equal(status, 200, `z${z}`);
      assert.equal(type, 'application/vnd.mapbox-vector-tile');
      const vt = new VectorTile(new PbfReader(body));
      const areas = vt.layers.stadtraeume;
      const places = vt.layers.places;
      assert.ok(areas && areas.length > 0, `z${z} has Stadträume`);
      assert.equal(areas.extent, 4096);
      const area = areas.feature(0);
      assert.equal(area.type, 3);
      assert.ok(Number.isInteger(area.properties.nr));
      assert.equal(typeof area.properties.per_10k, 'number');
      assert.ok(area.loadGeometry().every((ring) => ring.length >= 4));
      assert.ok(places && places.length > 0, `z${z} has places`);
      let clusters = 0;
      for (let i = 0; i < places.length; i++) {
        const f = places.feature(i);
        assert.equal(f.type, 1);
        assert.ok(f.id < 2 ** 53, 'ids are exact in JavaScript');
        if (f.properties.cluster) {
          clusters++;
          assert.ok(f.properties.point_count >= 2);
        } else {
          assert.equal(typeof f.properties.name, 'string');
          assert.equal(typeof f.properties.category, 'string');
        }
      }
      if (z >= 14) assert.equal(clusters, 0, `no clusters at z${z}`);
    }
  });

  test('a filtered tile holds only that category; an empty tile is 204', async () => {
    const { body } = await fetchTile(tileOf(13.738381, 51.050931, 14), '?category=bibliothek');
    const places = new VectorTile(new PbfReader(body)).layers.places;
    assert.ok(places.length > 0);
    for (let i = 0; i < places.length; i++) assert.equal(places.feature(i).properties.category, 'bibliothek');
    assert.equal((await fetchTile({ z: 12, x: 0, y: 0 })).status, 204);
  });
});
