// Small pure helpers for the canvas tile layer: hit-testing and the choropleth classes.

/** Even-odd point in polygon over all rings of a feature (outer and holes alike). rings: [[{x,y}]] */
export function pointInRings(x, y, rings) {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i];
      const b = ring[j];
      if ((a.y > y) !== (b.y > y) && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
    }
  }
  return inside;
}

/**
 * The point feature nearest to (x, y) within its hit radius, or null. Later features are drawn on
 * top, so on a tie the later one wins. points: [{x, y, r}]
 */
export function nearestPoint(points, x, y, slack = 0) {
  let best = null;
  let bestD = Infinity;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    const d = Math.hypot(p.x - x, p.y - y);
    if (d <= p.r + slack && d < bestD) {
      best = p;
      bestD = d;
    }
  }
  return best;
}

// Sequential palette (ColorBrewer YlGnBu, 5 classes).
export const CHOROPLETH_COLORS = ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'];

/** Class limits from the values: equal-count (quantile) classes, merged where limits repeat. */
export function quantileClasses(values, colors = CHOROPLETH_COLORS) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return [];
  const k = colors.length;
  const limits = [v[0]];
  for (let i = 1; i <= k; i++) {
    const q = v[Math.min(v.length - 1, Math.ceil((i * v.length) / k) - 1)];
    if (q > limits[limits.length - 1] || (i === k && limits.length === 1)) limits.push(q);
  }
  if (limits.length === 1) limits.push(v[0]);
  const n = limits.length - 1;
  const out = [];
  for (let i = 0; i < n; i++) {
    // spread the used colours over the whole palette
    const ci = n === 1 ? k - 1 : Math.round((i * (k - 1)) / (n - 1));
    out.push({ from: limits[i], to: limits[i + 1], color: colors[ci] });
  }
  return out;
}

export function classify(value, classes) {
  if (!Number.isFinite(value) || !classes.length) return null;
  for (const c of classes) if (value <= c.to) return c.color;
  return classes[classes.length - 1].color;
}
