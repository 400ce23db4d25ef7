// A Leaflet GridLayer that fetches Mapbox Vector Tiles, draws them on canvas and does its own
// hit-testing for clicks (no Leaflet.VectorGrid: unmaintained, its clicks break on Leaflet >= 1.8).
//
// Layers read: `stadtraeume` (polygons: nr, name, population, per_10k) and `places` (points: id,
// name, category, free, wheelchair; cluster features with cluster=true, point_count, count_<cat>).
// A tile answered 204 is empty; any other failure (e.g. 404 while the tile routes do not exist)
// leaves the tile empty and is counted, the map goes on working.

import L from 'leaflet';
import { parseTile } from './mvtparse.js';
import { pointInRings, nearestPoint } from './geom.js';
import { categoryColor, CATEGORY_KEYS } from './categories.js';
import { cacheMode } from './api.js';

/**
 * The places of the loaded tiles, drawn on one canvas over the view (plus a margin for panning), so
 * that a point or cluster near a tile edge is never cut by the edge. Each point is taken from the
 * tile whose own square holds it (a point in a tile's buffer belongs to the neighbour).
 */
const PointsOverlay = L.Layer.extend({
  initialize(grid, options) {
    L.setOptions(this, options);
    this._grid = grid;
    this.drawn = [];
  },

  onAdd(map) {
    this._canvas = L.DomUtil.create('canvas', 'lo-points leaflet-zoom-hide');
    this._canvas.setAttribute('aria-hidden', 'true');
    this._canvas.style.pointerEvents = 'none';
    this.getPane().appendChild(this._canvas);
    map.on('moveend zoomend viewreset resize', this.schedule, this);
    this.schedule();
  },

  onRemove(map) {
    map.off('moveend zoomend viewreset resize', this.schedule, this);
    if (this._raf) cancelAnimationFrame(this._raf);
    this._raf = null;
    L.DomUtil.remove(this._canvas);
    this.drawn = [];
  },

  schedule() {
    if (this._raf || !this._map) return;
    this._raf = requestAnimationFrame(() => {
      this._raf = null;
      if (this._map) this._redraw();
    });
  },

  _redraw() {
    const map = this._map;
    const grid = this._grid;
    const size = map.getSize();
    const pad = size.multiplyBy(0.25).round();
    const topLeft = map.containerPointToLayerPoint(pad.multiplyBy(-1)).round();
    const w = size.x + 2 * pad.x;
    const h = size.y + 2 * pad.y;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const canvas = this._canvas;
    canvas.width = w * dpr;
    canvas.height = h * dpr;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    L.DomUtil.setPosition(canvas, topLeft);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    this.drawn = [];
    if (!grid._showPoints) return;
    const zoom = map.getZoom();
    const origin = map.getPixelOrigin();
    const ts = grid.getTileSize();
    const all = [];
    for (const key of Object.keys(grid._tiles || {})) {
      const tile = grid._tiles[key];
      const data = grid._data.get(key);
      if (!tile.current || !data) continue;
      const { x, y, z } = tile.coords;
      const scale = map.getZoomScale(zoom, z);
      for (const p of data.points) {
        if (p.x < 0 || p.y < 0 || p.x >= ts.x || p.y >= ts.y) continue;
        const lx = (x * ts.x + p.x) * scale - origin.x;
        const ly = (y * ts.y + p.y) * scale - origin.y;
        const cx = lx - topLeft.x;
        const cy = ly - topLeft.y;
        if (cx < -30 || cy < -30 || cx > w + 30 || cy > h + 30) continue;
        all.push({ ...p, lx, ly, cx, cy });
      }
    }
    // clusters below single places, big clusters first
    all.sort((a, b) => (b.cluster - a.cluster) || (b.count - a.count));
    for (const p of all) {
      if (p.cluster) drawCluster(ctx, p);
      else drawPoint(ctx, p);
    }
    this.drawn = all;
  },

  /** The drawn point or cluster at a position, or null. */
  hit(latlng) {
    if (!this._map || !this.drawn.length) return null;
    const lp = this._map.latLngToLayerPoint(latlng);
    const hit = nearestPoint(this.drawn.map((d) => ({ x: d.lx, y: d.ly, r: d.r, d })), lp.x, lp.y, 6);
    if (!hit) return null;
    const d = hit.d;
    return {
      type: d.cluster ? 'cluster' : 'place',
      props: d.props,
      count: d.count,
      latlng: this._map.layerPointToLatLng([d.lx, d.ly]),
    };
  },
});

function drawPoint(ctx, p) {
  ctx.beginPath();
  ctx.arc(p.cx, p.cy, p.r, 0, Math.PI * 2);
  ctx.fillStyle = categoryColor(p.props.category);
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
}

function drawCluster(ctx, p) {
  // a ring of category shares around the count
  const parts = CATEGORY_KEYS.map((k) => [k, Number(p.props[`count_${k}`]) || 0]).filter(([, n]) => n > 0);
  const total = parts.reduce((s, [, n]) => s + n, 0) || 1;
  if (!parts.length) parts.push(['', 1]);
  let a = -Math.PI / 2;
  for (const [k, n] of parts) {
    const b = a + (n / total) * Math.PI * 2;
    ctx.beginPath();
    ctx.moveTo(p.cx, p.cy);
    ctx.arc(p.cx, p.cy, p.r, a, b);
    ctx.closePath();
    ctx.fillStyle = k ? categoryColor(k) : '#0b5cad';
    ctx.fill();
    a = b;
  }
  ctx.beginPath();
  ctx.arc(p.cx, p.cy, p.r, 0, Math.PI * 2);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(p.cx, p.cy, p.r * 0.66, 0, Math.PI * 2);
  ctx.fillStyle = '#ffffff';
  ctx.fill();
  ctx.fillStyle = '#111111';
  ctx.font = `bold ${p.count >= 1000 ? 10 : 12}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(p.count >= 10000 ? `${Math.round(p.count / 1000)}k` : String(p.count), p.cx, p.cy + 0.5);
}

export const MvtLayer = L.GridLayer.extend({
  options: {
    tileSize: 256,
    maxNativeZoom: 16,
    updateWhenZooming: false,
    keepBuffer: 1,
    baseUrl: '',
    fillColor: null,      // (props) => css colour or null
    fillOpacity: 0.45,
  },

  initialize(options) {
    L.GridLayer.prototype.initialize.call(this, options);
    this._data = new Map();
    this._ctrl = new Map();
    this._query = '';
    this._showPoints = true;
    this.stats = { requests: 0, ok: 0, empty: 0, failed: 0, statuses: [] };
    this.on('tileunload', (e) => {
      const key = this._tileCoordsToKey(e.coords);
      const c = this._ctrl.get(key);
      if (c) c.abort();
      this._ctrl.delete(key);
      this._data.delete(key);
      this._pointsChanged();
    });
    this.on('tiledata load', this._pointsChanged, this);
  },

  onAdd(map) {
    L.GridLayer.prototype.onAdd.call(this, map);
    this._overlay = new PointsOverlay(this, { pane: this.options.pointsPane || 'overlayPane' }).addTo(map);
    map.on('click', this._onClick, this);
    map.on('mousemove', this._onMove, this);
  },

  onRemove(map) {
    map.off('click', this._onClick, this);
    map.off('mousemove', this._onMove, this);
    if (this._overlay) this._overlay.remove();
    this._overlay = null;
    L.GridLayer.prototype.onRemove.call(this, map);
  },

  _pointsChanged() {
    if (this._overlay) this._overlay.schedule();
  },

  /** Filter query of the tile URLs (category=…&free=true): a new one refetches every tile. */
  setQuery(q) {
    if (q === this._query) return this;
    this._query = q;
    if (this._map) this.redraw();
    return this;
  },

  setShowPoints(show) {
    if (show === this._showPoints) return this;
    this._showPoints = show;
    this._pointsChanged();
    return this;
  },

  setFillOpacity(v) {
    if (v === this.options.fillOpacity) return this;
    this.options.fillOpacity = v;
    this.restyle();
    return this;
  },

  setFillColor(fn) {
    this.options.fillColor = fn;
    this.restyle();
    return this;
  },

  tileUrl(coords) {
    const q = this._query ? `?${this._query}` : '';
    return `${this.options.baseUrl}tiles/${coords.z}/${coords.x}/${coords.y}.mvt${q}`;
  },

  createTile(coords, done) {
    const size = this.getTileSize();
    const canvas = document.createElement('canvas');
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    canvas.width = size.x * dpr;
    canvas.height = size.y * dpr;
    canvas._dpr = dpr;
    canvas.setAttribute('aria-hidden', 'true');
    const key = this._tileCoordsToKey(coords);
    const ctrl = new AbortController();
    this._ctrl.set(key, ctrl);
    this.stats.requests++;
    fetch(this.tileUrl(coords), { signal: ctrl.signal, cache: cacheMode() })
      .then(async (res) => {
        this.stats.statuses.push(res.status);
        let data;
        if (res.status === 204) {
          this.stats.empty++;
          data = { polys: [], points: [] };
        } else if (res.ok) {
          this.stats.ok++;
          data = parseTile(await res.arrayBuffer(), size.x);
        } else {
          throw new Error(`tile ${key}: HTTP ${res.status}`);
        }
        if (ctrl.signal.aborted) return;
        this._data.set(key, data);
        this._draw(canvas, data);
        this._ctrl.delete(key);
        done(null, canvas);
        this.fire('tiledata', { coords });
      })
      .catch((err) => {
        if (ctrl.signal.aborted) return;
        this.stats.failed++;
        this._ctrl.delete(key);
        done(null, canvas);
        this.fire('tilefailed', { coords, error: err });
      });
    return canvas;
  },

  restyle() {
    for (const key of Object.keys(this._tiles || {})) {
      const tile = this._tiles[key];
      const data = this._data.get(key);
      if (tile && tile.el && data) this._draw(tile.el, data);
    }
  },

  _draw(canvas, data) {
    const ctx = canvas.getContext('2d');
    const dpr = canvas._dpr || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const fill = this.options.fillColor;
    for (const poly of data.polys) {
      ctx.beginPath();
      for (const ring of poly.rings) {
        ring.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
        ctx.closePath();
      }
      const color = fill ? fill(poly.props) : null;
      if (color) {
        ctx.globalAlpha = this.options.fillOpacity;
        ctx.fillStyle = color;
        ctx.fill('evenodd');
        ctx.globalAlpha = 1;
      }
      ctx.lineWidth = 1.2;
      ctx.strokeStyle = 'rgba(40,40,60,0.85)';
      ctx.stroke();
    }
  },

  _tileZoomNow() {
    if (this._tileZoom !== undefined) return this._tileZoom;
    return this._clampZoom(Math.round(this._map.getZoom()));
  },

  /** What is under a map position: {type: 'place'|'cluster'|'stadtraum', props, latlng} or null. */
  hitTest(latlng) {
    if (!this._map) return null;
    const z = this._tileZoomNow();
    const size = this.getTileSize();
    const p = this._map.project(latlng, z);
    const tx = Math.floor(p.x / size.x);
    const ty = Math.floor(p.y / size.y);
    const data = this._data.get(`${tx}:${ty}:${z}`);
    const lx = p.x - tx * size.x;
    const ly = p.y - ty * size.y;
    if (this._showPoints && this._overlay) {
      const hit = this._overlay.hit(latlng);
      if (hit) return hit;
    }
    if (!data) return null;
    for (let i = data.polys.length - 1; i >= 0; i--) {
      if (pointInRings(lx, ly, data.polys[i].rings)) return { type: 'stadtraum', props: data.polys[i].props, latlng };
    }
    return null;
  },

  _onClick(e) {
    if (!e.latlng) return;
    const hit = this.hitTest(e.latlng);
    if (hit) this.fire('featureclick', { hit, latlng: e.latlng, originalEvent: e.originalEvent });
  },

  _onMove(e) {
    this._moveAt = e.latlng;
    if (this._moveQueued || !e.latlng) return;
    this._moveQueued = true;
    requestAnimationFrame(() => {
      this._moveQueued = false;
      if (!this._map) return;
      const hit = this._moveAt ? this.hitTest(this._moveAt) : null;
      this._map.getContainer().style.cursor = hit && hit.type !== 'stadtraum' ? 'pointer' : '';
    });
  },

  /** Drawn points in container pixels, for tests and debugging. */
  visiblePoints() {
    if (!this._map || !this._showPoints || !this._overlay) return [];
    const size = this._map.getSize();
    return this._overlay.drawn.map((d) => {
      const c = this._map.layerPointToContainerPoint([d.lx, d.ly]);
      return { x: c.x, y: c.y, cluster: d.cluster, count: d.count, id: d.props.id, name: d.props.name, category: d.props.category };
    }).filter((c) => c.x >= 0 && c.y >= 0 && c.x <= size.x && c.y <= size.y);
  },

  polygonsDrawn() {
    let n = 0;
    for (const key of Object.keys(this._tiles || {})) {
      const d = this._data.get(key);
      if (d && this._tiles[key].current) n += d.polys.length;
    }
    return n;
  },
});
