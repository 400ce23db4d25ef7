// The list, detail and collection views from fixture objects: the same code paths the app uses,
// including "100 Orte" and the ABC with places that have orte100 and abc_letter set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createI18n } from '../../src/i18n.js';
import { placeList, placeDetail, orte100View, abcView, stadtraumFigures, esc, safeUrl } from '../../src/render.js';
import { place } from './fixtures.mjs';

const load = (l) => JSON.parse(readFileSync(new URL(`../../i18n/${l}.json`, import.meta.url), 'utf8'));
function ctx(lang = 'de') {
  const i18n = createI18n(lang, load(lang), load('de'));
  return {
    i18n, catLabel: (k) => i18n.t(`cat.${k}`), stadtraumName: (nr) => (nr === 1 ? 'Altstadt' : ''),
    placeHref: (id) => `#place=${id}`, shareUrl: 'http://127.0.0.1/#place=p-1', selectedId: null,
  };
}

test('escaping and safe links', () => {
  assert.equal(esc('<a href="x">&\''), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  assert.equal(safeUrl('javascript:alert(1)'), null);
  assert.equal(safeUrl('www.example.org'), 'https://www.example.org');
  assert.equal(safeUrl('https://x.de/a'), 'https://x.de/a');
});

test('list entries link to the place and keep place data as entered', () => {
  const html = placeList([place({ name: 'Café <Sprache> & Co' })], ctx('en'));
  assert.match(html, /href="#place=p-1"/);
  assert.match(html, /Café &lt;Sprache&gt; &amp; Co/);
  assert.match(html, /Library/); // the category label is interface text
  assert.match(html, /Schloßstraße 2, 01067 Dresden/);
});

test('the detail shows every field of the data model, licence, source and share link', () => {
  const html = placeDetail(place({ orte100: 7, abc_letter: 'z', distance_m: 1534.2 }), ctx('de'));
  for (const s of ['Zentralbibliothek im Kulturpalast', 'Bücher, Medien, Lernräume.', 'Schloßstraße 2, 01067 Dresden',
    'Mo-Fr 10:00-20:00; Sa 10:00-18:00', 'href="https://www.bibo-dresden.de/"', 'href="tel:+493518648233"',
    'href="mailto:info@bibo-dresden.de"', 'Alle', 'Familien', 'Englisch', 'Arabisch', 'kostenfrei', 'rollstuhlgerecht',
    'Nr. 7 der Reihe', 'z im ABC', '1 · Altstadt', '1,5 km', 'Städtische Bibliotheken Dresden', '51.05093, 13.73838',
    'Landeshauptstadt Dresden', 'href="https://www.govdata.de/dl-de/by-2-0"', '1. März 2026 (Version 3)',
    'value="http://127.0.0.1/#place=p-1"', 'id="detail-title"']) {
    assert.ok(html.includes(s), `detail lacks ${s}`);
  }
  // unknowns are said, not hidden
  const u = placeDetail(place({ free: null, wheelchair: 'unknown', website: '', phone: '', email: '', license: '' }), ctx('de'));
  assert.match(u, /Kosten<\/dt><dd>keine Angabe/);
  assert.match(u, /Rollstuhl<\/dt><dd>keine Angabe/);
  assert.ok(!u.includes('Website'));
  // a bad website is shown as text, never as a javascript: link
  const b = placeDetail(place({ website: 'javascript:alert(1)' }), ctx('de'));
  assert.ok(!b.includes('href="javascript'));
});

test('"100 Orte": numbered in the order of the series, and a clear empty state', () => {
  const html = orte100View([place({ id: 'b', name: 'B', orte100: 12 }), place({ id: 'a', name: 'A', orte100: 3 }), place({ id: 'x', name: 'X' })], ctx());
  assert.match(html, /<ol class="places orte100">/);
  assert.ok(html.indexOf('value="3"') < html.indexOf('value="12"'));
  assert.ok(!html.includes('>X<'));
  assert.match(html, /2 Orte der Reihe/);
  const empty = orte100View([], ctx());
  assert.match(empty, /class="empty"/);
  assert.match(empty, /noch ist kein Ort darin/);
  assert.match(empty, /id="collection-title"/);
});

test('ABC: an A–Z index with only the used letters active, places under their letter', () => {
  const html = abcView([
    place({ id: 'z', name: 'Zentralbibliothek', abc_letter: 'Z' }),
    place({ id: 'a2', name: 'Ateliers', abc_letter: 'a' }),
    place({ id: 'a1', name: 'AWO-Familientreff', abc_letter: 'A' }),
    place({ id: 'n', name: 'ohne', abc_letter: null }),
  ], ctx('en'));
  assert.match(html, /data-letter="A"/);
  assert.match(html, /data-letter="Z"/);
  assert.ok(!html.includes('data-letter="B"'));
  assert.match(html, /abc-off" aria-hidden="true">B</);
  assert.ok(html.indexOf('id="abc-h-A"') < html.indexOf('id="abc-h-Z"'));
  assert.ok(html.indexOf('>Ateliers<') < html.indexOf('>AWO-Familientreff<'));
  assert.ok(!html.includes('>ohne<'));
  assert.match(abcView([], ctx('en')), /no letter has a place yet/);
});

test('Stadtraum figures beside the city', () => {
  const stat = { nr: 2, name: 'Johannstadt', population: 26129, foreign_pct: 20.4, places: 12, per_10k: 4.59,
    categories: [{ category: 'bibliothek', places: 2, per_10k: 0.77 }, { category: 'schule', places: 10, per_10k: 3.83 }, { category: 'museum', places: 0, per_10k: 0 }] };
  const total = { nr: 0, name: 'Dresden', population: 571510, per_10k: 3.5,
    categories: [{ category: 'bibliothek', places: 37, per_10k: 0.65 }, { category: 'schule', places: 163, per_10k: 2.85 }, { category: 'museum', places: 0, per_10k: 0 }] };
  const html = stadtraumFigures(stat, total, ctx());
  for (const s of ['Johannstadt', '26.129', '20,4 %', '4,59', 'Dresden: 3,50', '<caption>', 'Bibliothek', '0,77', '2,85', 'dl-de/by-2-0']) {
    assert.ok(html.includes(s), `figures lack ${s}`);
  }
  assert.ok(!html.includes('Museum'), 'categories without places anywhere are left out');
});
