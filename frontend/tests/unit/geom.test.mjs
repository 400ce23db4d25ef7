import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pointInRings, nearestPoint, quantileClasses, classify, CHOROPLETH_COLORS } from '../../src/geom.js';

const sq = (x0, y0, x1, y1) => [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }, { x: x0, y: y0 }];

test('point in polygon with a hole', () => {
  const rings = [sq(0, 0, 100, 100), sq(40, 40, 60, 60)];
  assert.ok(pointInRings(10, 10, rings));
  assert.ok(!pointInRings(50, 50, rings));
  assert.ok(!pointInRings(150, 50, rings));
});

test('nearest point within its radius, later drawn wins a tie', () => {
  const pts = [{ x: 10, y: 10, r: 6, id: 'a' }, { x: 10, y: 10, r: 6, id: 'b' }, { x: 40, y: 40, r: 20, id: 'c' }];
  assert.equal(nearestPoint(pts, 12, 12).id, 'b');
  assert.equal(nearestPoint(pts, 28, 28).id, 'c');
  assert.equal(nearestPoint(pts, 80, 0), null);
  assert.equal(nearestPoint(pts, 10, 18, 3).id, 'b');
});

test('quantile classes cover the values and colour them', () => {
  const values = [2.1, 2.5, 3.0, 3.2, 3.5, 3.9, 4.1, 4.3, 4.6, 2.2];
  const c = quantileClasses(values);
  assert.equal(c.length, 5);
  assert.equal(c[0].from, 2.1);
  assert.equal(c[4].to, 4.6);
  assert.equal(classify(2.1, c), CHOROPLETH_COLORS[0]);
  assert.equal(classify(4.6, c), CHOROPLETH_COLORS[4]);
  assert.equal(classify(NaN, c), null);
  // all equal values: one class in the darkest colour
  const one = quantileClasses([0, 0, 0]);
  assert.equal(one.length, 1);
  assert.equal(classify(0, one), CHOROPLETH_COLORS[4]);
  assert.deepEqual(quantileClasses([]), []);
});
