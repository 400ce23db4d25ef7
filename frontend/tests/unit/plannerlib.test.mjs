// The planners' view without a browser: the query of the targets routes, the limits and figures in
// words, the file name of a download.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createI18n } from '../../src/i18n.js';
import { emptyState, parseHash } from '../../src/state.js';
import {
  findPlatform, effectiveMode, targetParams, platformLimits, readRadiusKm, readPercent, radiusKmText,
  formatDistance, figureRows, summaryText, reportNotes, dispositionName,
} from '../../src/plannerlib.js';

const load = (l) => JSON.parse(readFileSync(new URL(`../../i18n/${l}.json`, import.meta.url), 'utf8'));
const de = createI18n('de', load('de'));
const en = createI18n('en', load('en'), load('de'));
const ar = createI18n('ar', load('ar'), load('de'));

// as GET /api/targets/platforms answers
const PLATFORMS = [
  { name: 'meta', label: 'Meta', circles: true, postcodes: true, min_radius_m: 1000, max_radius_m: 80000, max_circles_per_chunk: 200, exclusions: true },
  { name: 'google', label: 'Google Ads', circles: true, postcodes: true, min_radius_m: 1000, max_radius_m: 800000, max_circles_per_chunk: 500, exclusions: false },
  { name: 'snapchat', label: 'Snapchat', circles: true, postcodes: true, min_radius_m: 96, max_radius_m: 100000, max_circles_per_chunk: 500, exclusions: false },
  { name: 'tiktok', label: 'TikTok', circles: false, postcodes: true, exclusions: false },
  { name: 'geojson', label: 'GeoJSON', circles: true, postcodes: true, min_radius_m: 50, max_radius_m: 100000, max_circles_per_chunk: null, exclusions: false },
];
const meta = findPlatform(PLATFORMS, 'meta');
const tiktok = findPlatform(PLATFORMS, 'tiktok');

test('the query sends only what applies to the platform and the mode', () => {
  const s = { ...emptyState(), view: 'planner', stadtraum: [2, 11, 16] };
  assert.equal(targetParams(s, meta).toString(), 'stadtraum=2%2C11%2C16&platform=meta&mode=circles&target=95');
  const full = { ...s, radius_m: 1500, target: 90, exclude: true, campaign: 'Herbst 2026' };
  assert.equal(targetParams(full, meta).toString(),
    'stadtraum=2%2C11%2C16&platform=meta&mode=circles&radius=1500&target=90&exclude_neighbours=true&campaign=Herbst+2026');
  // exclusions only where the platform takes them
  assert.equal(targetParams({ ...full, platform: 'google' }, findPlatform(PLATFORMS, 'google')).get('exclude_neighbours'), null);
  // postcodes: threshold and share, no radius or target
  const pc = targetParams({ ...full, mode: 'postcodes', threshold: 40, share: 'area' }, meta);
  assert.equal(pc.get('mode'), 'postcodes');
  assert.equal(pc.get('threshold'), '40');
  assert.equal(pc.get('share'), 'area');
  assert.equal(pc.get('radius'), null);
  assert.equal(pc.get('target'), null);
  // TikTok has no circles: the mode follows the platform
  const tk = targetParams({ ...full, platform: 'tiktok' }, tiktok);
  assert.equal(tk.get('mode'), 'postcodes');
  assert.equal(tk.get('radius'), null);
  // from a shared planning link
  const linked = parseHash('#view=planner&platform=snapchat&radius_m=500&stadtraum=11');
  assert.equal(targetParams(linked, findPlatform(PLATFORMS, 'snapchat')).toString(), 'stadtraum=11&platform=snapchat&mode=circles&radius=500&target=95');
});

test('modes and platforms', () => {
  assert.equal(effectiveMode(tiktok, 'circles'), 'postcodes');
  assert.equal(effectiveMode(meta, 'postcodes'), 'postcodes');
  assert.equal(effectiveMode({ circles: true, postcodes: false }, 'postcodes'), 'circles');
  assert.equal(effectiveMode(null, 'circles'), 'circles');
  assert.equal(findPlatform(PLATFORMS, 'myspace'), null);
});

test('the platforms\' limits in words, in every language', () => {
  assert.equal(platformLimits(meta, de), 'Kreise von 1 km bis 80 km, höchstens 200 je Anzeigengruppe; PLZ-Gebiete; Nachbargebiete ausschließbar');
  assert.equal(platformLimits(tiktok, de), 'nur PLZ-Gebiete');
  assert.equal(platformLimits(findPlatform(PLATFORMS, 'snapchat'), en), 'circles from 96 m to 100 km, at most 500 per ad set; postcode areas');
  assert.equal(platformLimits(findPlatform(PLATFORMS, 'geojson'), en), 'circles from 50 m to 100 km; postcode areas');
  assert.match(platformLimits(meta, ar), /كم/);
  assert.equal(formatDistance(1500, de), '1,5 km');
  assert.equal(formatDistance(800000, de), '800 km');
  assert.equal(formatDistance(96, en), '96 m');
});

test('the radius is typed in km and checked against the platform\'s limits', () => {
  assert.deepEqual(readRadiusKm('', meta), { value_m: null });
  assert.deepEqual(readRadiusKm('1,5', meta), { value_m: 1500 });
  assert.deepEqual(readRadiusKm(' 2.25 ', meta), { value_m: 2250 });
  assert.equal(readRadiusKm('0,5', meta).error, 'plan.err_radius_limits');
  assert.equal(readRadiusKm('81', meta).error, 'plan.err_radius_limits');
  assert.deepEqual(readRadiusKm('0,5', findPlatform(PLATFORMS, 'snapchat')), { value_m: 500 });
  assert.equal(readRadiusKm('eins', meta).error, 'plan.err_radius_number');
  assert.equal(readRadiusKm('-1', meta).error, 'plan.err_radius_number');
  assert.deepEqual(readRadiusKm('0,5', null), { value_m: 500 }, 'without a platform: no limits (the server checks)');
  assert.equal(radiusKmText(1500), '1.5');
  assert.equal(radiusKmText(null), '');
  assert.equal(readPercent('95'), 95);
  assert.ok(Number.isNaN(readPercent('0')));
  assert.ok(Number.isNaN(readPercent('101')));
  assert.ok(Number.isNaN(readPercent('50,5')));
});

const CIRCLES = {
  stadtraeume: [11], platform: 'meta', mode: 'circles', radius_m: 1000, target: 95, target_reached: true, circles: 2, chunks: 1,
  coverage: 97.7, spill: 45.1, residents_inside: 24693, residents_selection: 25033, residents_spill: 9575,
  selection_km2: 3.43, targeted_km2: 6.1, covered_km2: 3.35, spill_km2: 2.75, warnings: ['The spill cannot be avoided on Meta'],
};
const POSTCODES = {
  stadtraeume: [11], platform: 'tiktok', mode: 'postcodes', threshold: 50, share_basis: 'residents', circles: 0, chunks: 1,
  coverage: 35.7, spill: 78.9, residents_inside: 13231, residents_selection: 25035, residents_spill: 5701,
  selection_km2: 3.43, targeted_km2: 5.79, covered_km2: 1.22, spill_km2: 4.57,
  postcodes: [
    { plz: '01237', share: 36.1, residents_share: 46.4, residents: 17243, residents_in_selection: 8004, included: false },
    { plz: '01239', share: 21.1, residents_share: 69.9, residents: 18932, residents_in_selection: 13230, included: true },
  ],
};

test('the figures of a preview, formatted for the language', () => {
  const rows = figureRows(CIRCLES, de);
  const get = (k) => rows.find((r) => r.key === k);
  assert.deepEqual(rows.map((r) => r.key), ['circles', 'radius', 'coverage', 'spill', 'residents_selection', 'residents_inside', 'residents_spill', 'selection_km2', 'targeted_km2', 'spill_km2']);
  assert.equal(get('circles').value, '2');
  assert.equal(get('radius').value, '1 km');
  assert.equal(get('coverage').value, '97,7 %');
  assert.equal(get('spill').label, 'Streuverlust (Anteil außerhalb)');
  assert.equal(get('residents_inside').value, '24.693');
  assert.equal(get('targeted_km2').value, '6,10 km²');
  assert.equal(figureRows(CIRCLES, en).find((r) => r.key === 'residents_inside').value, '24,693');
  assert.equal(figureRows({ ...CIRCLES, chunks: 3 }, de).find((r) => r.key === 'chunks').value, '3');
  const pc = figureRows(POSTCODES, en);
  assert.equal(pc[0].key, 'postcodes');
  assert.equal(pc[0].value, '1', 'the postcode areas taken');
  assert.equal(pc.find((r) => r.key === 'circles'), undefined);
  // numbers as the language writes them
  assert.equal(figureRows(CIRCLES, ar).find((r) => r.key === 'residents_inside').value, new Intl.NumberFormat('ar').format(24693));
});

test('the summary and the notes in words', () => {
  assert.equal(summaryText(CIRCLES, de), '2 Kreise: 97,7 % der Auswahl abgedeckt, 45,1 % Streuverlust.');
  assert.equal(summaryText({ ...CIRCLES, circles: 1 }, en), '1 circle: 97.7 % of the selection covered, 45.1 % spill.');
  assert.equal(summaryText(POSTCODES, en), '1 postcode area: 35.7 % of the selection covered, 78.9 % spill.');
  assert.deepEqual(reportNotes(CIRCLES, en), ['A large part of the targeted area (45.1 %) lies outside the chosen districts.']);
  const notes = reportNotes({ ...CIRCLES, target_reached: false, chunks: 2, spill: 10 }, de);
  assert.deepEqual(notes, ['Das Ziel von 95 % Abdeckung ist nicht erreicht.', 'Die Kreise sind auf 2 Anzeigengruppen verteilt, weil die Plattform nicht mehr je Gruppe nimmt.']);
  assert.match(reportNotes({ ...POSTCODES, postcodes: [] }, de).join(' '), /Kein PLZ-Gebiet erreicht die Schwelle/);
});

test('the file name of a download', () => {
  assert.equal(dispositionName('attachment; filename="lernorte-meta-stadtraum-11-16.json"'), 'lernorte-meta-stadtraum-11-16.json');
  assert.equal(dispositionName('attachment; filename=lernorte.csv'), 'lernorte.csv');
  assert.equal(dispositionName("attachment; filename*=UTF-8''Stadtr%C3%A4ume.kml; filename=\"x.kml\""), 'Stadträume.kml');
  assert.equal(dispositionName('attachment; filename="../../etc/passwd"'), '.._.._etc_passwd');
  assert.equal(dispositionName(null, 'fallback.json'), 'fallback.json');
  assert.equal(dispositionName('attachment', 'fallback.json'), 'fallback.json');
});
