import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createI18n } from '../../src/i18n.js';

const dir = new URL('../../i18n/', import.meta.url);
const load = (l) => JSON.parse(readFileSync(new URL(`${l}.json`, dir), 'utf8'));

test('every translation file has exactly the keys of the German one', () => {
  const de = load('de');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  assert.deepEqual(files.sort(), ['ar', 'de', 'en', 'uk']);
  for (const l of files) {
    const d = load(l);
    assert.deepEqual(Object.keys(d).sort(), Object.keys(de).sort(), `keys of ${l}.json`);
    for (const [k, v] of Object.entries(d)) {
      assert.ok(typeof v === 'string' ? v.length > 0 : typeof v.other === 'string', `${l}:${k} is empty`);
      // placeholders must match the German string's
      const ph = (x) => [...JSON.stringify(x).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const want = new Set(ph(de[k]));
      for (const p of ph(v)) assert.ok(want.has(p), `${l}:${k} uses {${p}} that German does not`);
    }
  }
});

test('plural forms and placeholders', () => {
  const de = createI18n('de', load('de'));
  assert.equal(de.t('results.in_view', { n: 0 }), 'Keine Orte im Kartenausschnitt');
  assert.equal(de.t('results.in_view', { n: 1 }), '1 Ort im Kartenausschnitt');
  assert.equal(de.t('results.in_view', { n: 1234 }), '1.234 Orte im Kartenausschnitt');
  const uk = createI18n('uk', load('uk'), load('de'));
  assert.equal(uk.t('results.collection', { n: 3 }), '3 місця');
  assert.equal(uk.t('results.collection', { n: 5 }), '5 місць');
  const ar = createI18n('ar', load('ar'), load('de'));
  assert.equal(ar.dir, 'rtl');
  assert.equal(de.dir, 'ltr');
  assert.equal(ar.t('results.collection', { n: 2 }), 'مكانان');
  assert.equal(de.t('no.such.key'), 'no.such.key');
  assert.equal(de.maybe('no.such.key'), undefined);
});

test('missing keys fall back to German', () => {
  const x = createI18n('en', { 'view.map': 'Map' }, load('de'));
  assert.equal(x.t('view.map'), 'Map');
  assert.equal(x.t('view.list'), 'Liste');
});
