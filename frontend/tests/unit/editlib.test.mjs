import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseNumber, parseList, isHttpUrl, isEmail, checkOpeningHours, checkPosition, validatePlace, validateSuggestion,
  formField, valuesFromFeature, featureFromValues, mergePatch, formatValue, diffRows, problemErrors, isEmptyValue,
} from '../../src/editlib.js';
import { createI18n } from '../../src/i18n.js';
import { place } from './fixtures.mjs';

const de = JSON.parse(readFileSync(new URL('../../i18n/de.json', import.meta.url), 'utf8'));
const i18n = createI18n('de', de);

const good = () => ({ ...valuesFromFeature(place()) });
const fields = (errs) => errs.map((e) => e.field);

test('numbers and lists as people type them', () => {
  assert.equal(parseNumber('13.74'), 13.74);
  assert.equal(parseNumber(' 13,74 '), 13.74);
  assert.equal(parseNumber('-0.5'), -0.5);
  for (const bad of ['', ' ', 'abc', '13.74.1', '1e3', '13,7,4', null, undefined]) assert.ok(Number.isNaN(parseNumber(bad)), String(bad));
  assert.deepEqual(parseList('de, en;uk\n de ,, '), ['de', 'en', 'uk']);
  assert.deepEqual(parseList(''), []);
});

test('web and e-mail addresses', () => {
  assert.ok(isHttpUrl('https://www.bibo-dresden.de/'));
  assert.ok(isHttpUrl('http://azconni.de'));
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'www.example.org', 'ftp://x.de', 'https://', 'data:text/html,<b>', 'https:// space.de']) {
    assert.ok(!isHttpUrl(bad), bad);
  }
  assert.ok(isEmail('info@bibo-dresden.de'));
  for (const bad of ['kein-at-zeichen', 'a@b', 'a b@c.de', '@c.de']) assert.ok(!isEmail(bad), bad);
});

test('opening hours that look like OpenStreetMap syntax pass, German prose does not', () => {
  for (const ok of ['', 'Mo-Fr 10:00-18:00', 'Mo-Fr 09:00-18:00; Sa 10:00-14:00; PH off', '24/7', 'Tu,Th 14:00-19:00 "nach Vereinbarung"', 'Mo-Fr 10:00-25:99']) {
    assert.equal(checkOpeningHours(ok), null, ok);
  }
  assert.deepEqual(checkOpeningHours('Mo-Fr 10-18 Uhr'), { key: 'v.oh_word', vars: { word: 'Uhr' } });
  assert.deepEqual(checkOpeningHours('täglich'), { key: 'v.oh_char', vars: { char: 'ä' } });
  assert.deepEqual(checkOpeningHours('Mo-Xy 10:00-12:00'), { key: 'v.oh_word', vars: { word: 'Xy' } });
  assert.deepEqual(checkOpeningHours('Mo-Fr'), { key: 'v.oh_time', vars: {} });
});

test('the position: numbers inside the box around Dresden', () => {
  assert.equal(checkPosition({ lon: '13.7373', lat: '51.0504' }), null);
  assert.equal(checkPosition({ lon: '13,7373', lat: '51,0504' }), null);
  assert.equal(checkPosition({ lon: '', lat: '' }).key, 'v.position_required');
  assert.equal(checkPosition({ lon: 'dreizehn', lat: '51' }).key, 'v.position_number');
  assert.equal(checkPosition({ lon: '12.37', lat: '51.34' }).key, 'v.position_box'); // Leipzig
  assert.equal(checkPosition({ lon: '51.05', lat: '13.73' }).key, 'v.position_box'); // swapped
  assert.equal(checkPosition({ lon: '13.58', lat: '51.17' }), null, 'in the box (the server knows the city outline)');
});

test('a good place passes; each broken field is named, in the form\'s wording', () => {
  assert.deepEqual(validatePlace(good()), []);
  const v = { ...good(), name: ' ', category: '', website: 'javascript:alert(1)', email: 'x', opening_hours: 'immer', languages: 'de, deutsch', orte100: '0', abc_letter: 'ab', phone: 'ruf an', lon: '', lat: '' };
  const errs = validatePlace(v, { categories: ['bibliothek'] });
  assert.deepEqual(fields(errs), ['name', 'category', 'website', 'email', 'phone', 'opening_hours', 'languages', 'orte100', 'abc_letter', 'geometry']);
  const text = errs.map((e) => i18n.t(e.key, e.vars));
  assert.equal(text[0], 'Bitte ausfüllen.');
  assert.match(text[2], /http:\/\/ oder https:\/\//);
  assert.match(text[5], /„immer“ gehört nicht zur OpenStreetMap-Schreibweise/);
  assert.match(text[6], /„deutsch“ ist kein Sprachcode/);
  assert.deepEqual(fields(validatePlace({ ...good(), category: 'zirkus' }, { categories: ['bibliothek'] })), ['category']);
  assert.deepEqual(fields(validatePlace({ ...good(), name: 'x'.repeat(201) })), ['name']);
});

test('the suggestion form checks only its own fields', () => {
  const v = { name: 'Gemeinschaftsgarten hinter der Schule', category: 'garten', lon: '13.79', lat: '51.03', description: '', website: '', contact_email: '' };
  assert.deepEqual(validateSuggestion(v), []);
  assert.deepEqual(fields(validateSuggestion({ ...v, contact_email: 'nope', website: 'javascript:x', description: 'x'.repeat(2001) })), ['description', 'website', 'contact_email']);
  assert.deepEqual(fields(validateSuggestion({ ...v, name: '', lon: '' })), ['name', 'geometry']);
});

test('server field names map to the form\'s fields', () => {
  assert.equal(formField('name'), 'name');
  assert.equal(formField('properties.opening_hours'), 'opening_hours');
  assert.equal(formField('address.street'), 'address.street');
  assert.equal(formField('geometry'), 'geometry');
  assert.equal(formField('geometry.coordinates'), 'geometry');
  assert.equal(formField('location'), 'geometry');
  assert.deepEqual(problemErrors({ errors: [{ field: 'geometry', message: 'the point lies outside Dresden' }] }),
    [{ field: 'geometry', message: 'the point lies outside Dresden', server: true, serverField: 'geometry' }]);
  assert.deepEqual(problemErrors({ detail: 'no errors member' }), []);
});

test('a feature survives the round trip through the form values', () => {
  const f = place();
  const back = featureFromValues(valuesFromFeature(f));
  assert.deepEqual(back.geometry, f.geometry);
  for (const k of ['name', 'category', 'description', 'tags', 'address', 'website', 'phone', 'email', 'opening_hours', 'target_groups', 'languages', 'free', 'wheelchair', 'orte100', 'abc_letter', 'source', 'license']) {
    assert.deepEqual(back.properties[k], f.properties[k], k);
  }
  assert.equal('stadtraum' in back.properties, false, 'computed, never sent');
  assert.equal('version' in back.properties, false);
  const v = valuesFromFeature(place({ free: false, orte100: 7, abc_letter: 'Z', wheelchair: 'sideways' }));
  assert.deepEqual([v.free, v.orte100, v.abc_letter, v.wheelchair], ['false', '7', 'Z', 'unknown']);
  const empty = featureFromValues({ name: 'x', category: 'sport', lon: '13.7', lat: '51' });
  assert.deepEqual([empty.properties.free, empty.properties.orte100, empty.properties.abc_letter, empty.properties.tags], [null, null, null, []]);
});

test('merge patches hold only what changed', () => {
  const f = place();
  assert.equal(mergePatch(f, featureFromValues(valuesFromFeature(f))), null, 'nothing changed');
  const v = valuesFromFeature(f);
  v.opening_hours = 'Mo-Fr 10:00-18:00';
  assert.deepEqual(mergePatch(f, featureFromValues(v)), { properties: { opening_hours: 'Mo-Fr 10:00-18:00' } });
  v['address.street'] = 'Schloßstraße 4';
  v.tags = 'a, b';
  v.free = '';
  v.lon = '13.74';
  assert.deepEqual(mergePatch(f, featureFromValues(v)), {
    properties: { opening_hours: 'Mo-Fr 10:00-18:00', address: { street: 'Schloßstraße 4' }, tags: ['a', 'b'], free: null },
    geometry: { type: 'Point', coordinates: [13.74, 51.050931] },
  });
  // a suggestion's draft has only a few properties: the rest comes whole
  const draft = { type: 'Feature', geometry: { type: 'Point', coordinates: [13.79, 51.03] }, properties: { name: 'G', category: 'garten', description: '', website: '' } };
  const p = mergePatch(draft, featureFromValues({ ...valuesFromFeature(draft), opening_hours: 'Sa 10:00-16:00' }));
  assert.equal(p.properties.opening_hours, 'Sa 10:00-16:00');
  assert.equal(p.properties.name, undefined);
  assert.equal(p.geometry, undefined);
});

test('the history diff reads as text: labels, translated values, empty fields of a creation left out', () => {
  const fmt = {
    t: i18n.t,
    catLabel: (k) => ({ garten: 'Gemeinschaftsgarten & Umweltbildung', werkstatt: 'Offene Werkstatt' }[k] || k),
    languageName: (l) => i18n.languageName(l),
    fieldLabel: (f) => i18n.maybe(`field.${f}`) || f,
    empty: '—',
  };
  const created = diffRows([
    { field: 'name', old: null, new: '<img src=x onerror=alert(1)>' },
    { field: 'phone', old: null, new: '' },
    { field: 'tags', old: null, new: [] },
    { field: 'address', old: null, new: { street: '', postcode: '', city: '' } },
    { field: 'geometry', old: null, new: [13.74, 51.05] },
  ], { ...fmt, action: 'create' });
  assert.deepEqual(created, [
    { field: 'name', label: 'Name', old: '—', new: '<img src=x onerror=alert(1)>' },
    { field: 'geometry', label: 'Lage', old: '—', new: '51.05000, 13.74000' },
  ]);
  const updated = diffRows([
    { field: 'opening_hours', old: '', new: 'Mo-Fr 10:00-18:00' },
    { field: 'category', old: 'garten', new: 'werkstatt' },
    { field: 'free', old: null, new: true },
    { field: 'wheelchair', old: 'unknown', new: 'yes' },
    { field: 'target_groups', old: ['youth'], new: ['youth', 'seniors'] },
    { field: 'languages', old: [], new: ['de', 'uk'] },
    { field: 'address', old: { street: 'A 1', postcode: '01067', city: 'Dresden' }, new: { street: 'B 2', postcode: '01067', city: 'Dresden' } },
    { field: 'orte100', old: 5, new: null },
  ], { ...fmt, action: 'update' });
  assert.deepEqual(updated.map((r) => [r.label, r.old, r.new]), [
    ['Öffnungszeiten', '—', 'Mo-Fr 10:00-18:00'],
    ['Kategorie', 'Gemeinschaftsgarten & Umweltbildung', 'Offene Werkstatt'],
    ['Kosten', '—', 'kostenfrei'],
    ['Rollstuhl', 'keine Angabe', 'rollstuhlgerecht'],
    ['Zielgruppen', 'Jugendliche', 'Jugendliche, Seniorinnen und Senioren'],
    ['Sprachen des Angebots', '—', 'Deutsch, Ukrainisch'],
    ['Adresse', 'A 1, 01067 Dresden', 'B 2, 01067 Dresden'],
    ['Nummer bei „100 Orte“', '5', '—'],
  ]);
  assert.equal(formatValue('x', { a: 1 }), '{"a":1}');
  assert.equal(formatValue('x', false, { t: i18n.t }), 'nein');
  assert.ok(isEmptyValue({ street: '', city: null }));
  assert.ok(!isEmptyValue(0));
});
