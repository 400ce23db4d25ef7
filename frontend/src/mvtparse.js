// Decoding of one Mapbox Vector Tile into tile-pixel geometry for drawing and hit-testing.
// No DOM, no Leaflet: unit-tested in Node with tiles made by vt-pbf.
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

const POINT_R = 6;

function truthy(v) {
  return v === true || v === 1 || v === 'true' || v === '1';
}

function clusterRadius(n) {
  return Math.min(26, 11 + 4 * Math.log10(Math.max(1, n)));
}

/** Parses one tile into tile-pixel geometry (0..tileSize). Exported for the Node unit tests. */
export function parseTile(buf, tileSize = 256) {
  const vt = new VectorTile(new PbfReader(new Uint8Array(buf)));
  const data = { polys: [], points: [] };
  const sl = vt.layers.stadtraeume;
  if (sl) {
    const s = tileSize / sl.extent;
    for (let i = 0; i < sl.length; i++) {
      const f = sl.feature(i);
      if (f.type !== 3) continue;
      const rings = f.loadGeometry().map((r) => r.map((p) => ({ x: p.x * s, y: p.y * s })));
      data.polys.push({ props: { ...f.properties }, rings });
    }
  }
  const pl = vt.layers.places;
  if (pl) {
    const s = tileSize / pl.extent;
    for (let i = 0; i < pl.length; i++) {
      const f = pl.feature(i);
      if (f.type !== 1) continue;
      const props = { ...f.properties };
      const cluster = truthy(props.cluster) && Number(props.point_count) > 1;
      const count = cluster ? Number(props.point_count) : 1;
      for (const ring of f.loadGeometry()) {
        for (const p of ring) {
          data.points.push({ x: p.x * s, y: p.y * s, props, cluster, count, r: cluster ? clusterRadius(count) : POINT_R });
        }
      }
    }
  }
  // clusters below single points, bigger clusters first
  data.points.sort((a, b) => (b.cluster - a.cluster) || (b.count - a.count));
  return data;
}
