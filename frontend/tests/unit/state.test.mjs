import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHash, toHash, itemsParams, tileParams, needsItemPoints, emptyState, activeFilterCount, parseStadtraeume, sameFilters, PLAN_DEFAULTS } from '../../src/state.js';

test('a full state survives the round trip through the URL fragment', () => {
  const s = {
    ...emptyState(), view: 'list', place: 'dd0b8f81-5f2c-477a-a01f-eee73e495210', lang: 'uk',
    category: ['bibliothek', 'schule'], target_group: ['families'], language: ['ar', 'uk'], free: true,
    wheelchair: ['yes', 'limited'], q: 'Sprachcafé & mehr', near: [13.73838, 51.05093], radius: 2000,
    stadtraum: [2], map: { z: 14, lat: 51.05, lon: 13.74 }, basemap: 'none',
  };
  const h = toHash(s);
  assert.deepEqual(parseHash(`#${h}`), s);
  assert.match(h, /category=bibliothek,schule/);
});

test('defaults are left out of the fragment', () => {
  assert.equal(toHash(emptyState()), '');
  assert.deepEqual(parseHash(''), emptyState());
});

test('bad values are dropped, not thrown', () => {
  const s = parseHash('#view=nope&lang=xx&category=schule,zirkus&target_group=aliens&free=maybe&near=500,1&radius=-1&stadtraum=abc&map=1/2&wheelchair=yes,<b>', ['schule', 'bibliothek']);
  assert.equal(s.view, 'map');
  assert.equal(s.lang, null);
  assert.deepEqual(s.category, ['schule']);
  assert.deepEqual(s.target_group, []);
  assert.equal(s.free, false);
  assert.equal(s.near, null);
  assert.deepEqual(s.stadtraum, []);
  assert.equal(s.map, null);
  assert.deepEqual(s.wheelchair, ['yes']);
});

test('items query: bbox only when no search, near or Stadtraum decides the area', () => {
  const bbox = [13.6, 50.9, 13.9, 51.2];
  const s = { ...emptyState(), category: ['schule'], free: true };
  assert.equal(itemsParams(s, bbox).toString(), 'category=schule&free=true&bbox=13.6%2C50.9%2C13.9%2C51.2&limit=500');
  const q = { ...s, q: 'Zentralbibliothek' };
  assert.equal(itemsParams(q, bbox).get('bbox'), null);
  assert.equal(itemsParams(q, bbox).get('q'), 'Zentralbibliothek');
  const n = { ...s, near: [13.7, 51.0], radius: 500 };
  assert.equal(itemsParams(n, bbox).get('near'), '13.7,51');
  assert.equal(itemsParams(n, bbox).get('radius'), '500');
  assert.ok(needsItemPoints(n));
  assert.ok(!needsItemPoints(s));
  // bbox clamped to the valid range
  assert.equal(itemsParams(emptyState(), [-200, -95, 13, 51]).get('bbox'), '-180,-90,13,51');
});

test('collections ask for their series and ignore the filters', () => {
  const s = { ...emptyState(), view: 'orte100', category: ['schule'] };
  assert.equal(itemsParams(s, [0, 0, 1, 1]).toString(), 'orte100=true&limit=100');
  assert.equal(itemsParams({ ...s, view: 'abc' }, null).toString(), 'abc=true&limit=1000');
});

test('tile query carries only what the tile routes accept', () => {
  const s = { ...emptyState(), category: ['bibliothek'], target_group: ['families'], language: ['ar'], free: true, wheelchair: ['yes'], q: 'x', stadtraum: [3] };
  assert.equal(tileParams(s).toString(), 'category=bibliothek&target_group=families&language=ar&free=true&wheelchair=yes');
  assert.equal(activeFilterCount(s), 5);
});

test('the editors\' pages and the suggestion status are in the fragment', () => {
  const s = { ...emptyState(), view: 'editor', ed: 'queue', item: '51887381-ef62-44af-8062-c7d919fbc60d', qs: 'all', qk: 'candidate' };
  const h = toHash(s);
  assert.equal(h, 'view=editor&ed=queue&qs=all&qk=candidate&item=51887381-ef62-44af-8062-c7d919fbc60d');
  assert.deepEqual(parseHash(`#${h}`), s);
  assert.equal(toHash({ ...emptyState(), view: 'editor' }), 'view=editor');
  const sg = parseHash('#view=suggest&item=eef03fdb-a48c-4d11-b685-7083613b1cab');
  assert.equal(sg.item, 'eef03fdb-a48c-4d11-b685-7083613b1cab');
  assert.equal(toHash(sg), 'view=suggest&item=eef03fdb-a48c-4d11-b685-7083613b1cab');
  // editor parameters mean nothing in other views, and bad ones are dropped
  assert.deepEqual(parseHash('#view=list&ed=new&item=x&qs=all'), { ...emptyState(), view: 'list' });
  const bad = parseHash('#view=editor&ed=drop&item=<b>&qs=maybe&qk=robots');
  assert.deepEqual([bad.ed, bad.item, bad.qs, bad.qk], [null, null, 'pending', 'all']);
  assert.equal(toHash({ ...emptyState(), view: 'list', ed: 'new', item: 'x' }), 'view=list', 'left out outside their views');
});

test('one Stadtraum or several: stadtraum=11 and stadtraum=2,11,16 (a campaign\'s landing link)', () => {
  assert.deepEqual(parseHash('#stadtraum=11').stadtraum, [11]);
  assert.equal(toHash(parseHash('#stadtraum=11')), 'stadtraum=11', 'single-number links stay as they were');
  const s = parseHash('#stadtraum=2,11,16');
  assert.deepEqual(s.stadtraum, [2, 11, 16]);
  assert.equal(toHash(s), 'stadtraum=2,11,16');
  // order and duplicates do not matter; bad numbers are dropped
  assert.deepEqual(parseStadtraeume('16,2,11,2'), [2, 11, 16]);
  assert.deepEqual(parseStadtraeume('0,18,99,abc,-1,1.5,,7'), [7]);
  assert.deepEqual(parseStadtraeume('1,17'), [1, 17]);
  assert.deepEqual(parseStadtraeume(null), []);
  assert.deepEqual(parseHash('#stadtraum=%2C').stadtraum, []);
  // the items query asks for all of them (the API takes the union), without a bbox
  const q = itemsParams(s, [13.6, 50.9, 13.9, 51.2]);
  assert.equal(q.get('stadtraum'), '2,11,16');
  assert.equal(q.get('bbox'), null);
  assert.ok(needsItemPoints(s));
  assert.ok(!needsItemPoints(emptyState()));
  assert.ok(!sameFilters(parseHash('#stadtraum=2,11'), parseHash('#stadtraum=2')));
  assert.ok(sameFilters(parseHash('#stadtraum=11,2'), parseHash('#stadtraum=2,11')));
  // the landing link's fragment, as the server writes it, with utm_* in the query string
  assert.deepEqual(parseHash(new URL('http://h/?utm_source=meta&utm_campaign=Lernorte#stadtraum=2,11,16').hash).stadtraum, [2, 11, 16]);
});

test('the planners\' view keeps its selection and parameters in the fragment', () => {
  const s = {
    ...emptyState(), view: 'planner', stadtraum: [2, 11, 16], platform: 'snapchat', mode: 'postcodes', radius_m: 1500,
    target: 90, threshold: 40, share: 'area', exclude: true, campaign: 'Herbst 2026',
  };
  const h = toHash(s);
  assert.equal(h, 'view=planner&platform=snapchat&mode=postcodes&radius_m=1500&target=90&threshold=40&share=area&exclude=1&campaign=Herbst%202026&stadtraum=2,11,16');
  assert.deepEqual(parseHash(`#${h}`), s);
  // defaults are left out
  assert.equal(toHash({ ...emptyState(), view: 'planner', stadtraum: [11] }), 'view=planner&stadtraum=11');
  assert.deepEqual(parseHash('#view=planner'), { ...emptyState(), view: 'planner' });
  // bad values fall back to the defaults
  const bad = parseHash('#view=planner&platform=<x>&mode=hexagons&radius_m=-5&target=0&threshold=101&share=dogs&exclude=maybe');
  for (const k of Object.keys(PLAN_DEFAULTS)) assert.deepEqual(bad[k], PLAN_DEFAULTS[k], k);
  // outside the planners' view they mean nothing, and never reach the URL
  assert.deepEqual(parseHash('#view=list&platform=tiktok&mode=postcodes'), { ...emptyState(), view: 'list' });
  assert.equal(toHash({ ...s, view: 'map' }), 'stadtraum=2,11,16');
});
