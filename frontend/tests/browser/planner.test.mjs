// The campaign planners' view in a real browser (Debian's Chromium, headless) against the real
// server with the bundled Dresden data and a planner account added with `lernorte user add`:
// choose Stadträume on the map and from the list, a platform, see the circles or postcode areas
// with their figures, download the file, copy the landing link and open it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startServer, startBrowser, screenshot } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const T = { timeout: 180000 };
const PHONE = { width: 360, height: 640 };
const DESKTOP = { width: 1280, height: 800 };
const PLANNER = { name: 'paula', role: 'planner', password: 'Kampagne-Prohlis-11' };
const EDITOR = { name: 'erik', role: 'editor', password: 'Bildungsbuero-2026' };
const GORBITZ = { lat: 51.0466, lon: 13.661 };   // inside Stadtraum 16 (checked with /api/lookup below)

let srv;
let br;

before(async () => {
  srv = await startServer({ timeoutMs: 120000, users: [PLANNER, EDITOR] });
  br = await startBrowser();
}, { timeout: 180000 });

after(async () => {
  if (br) await br.stop();
  if (srv) await srv.stop();
}, { timeout: 30000 });

// ---------------------------------------------------------------- helpers

async function open(hash = '', size = DESKTOP) {
  const page = await br.context.newPage();
  await page.setViewportSize(size);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${srv.url}${hash ? `#${hash.replace(/^#/, '')}` : ''}`);
  await page.waitForSelector('body[data-ready="1"]');
  return page;
}

function noErrors(page) {
  assert.deepEqual(page.errors, [], 'no script errors on the page');
}

async function api(path, opts = {}) {
  const res = await fetch(`${srv.url}${path}`, opts);
  const body = await res.json().catch(() => null);
  return { status: res.status, body };
}

/** Logs in with the planners' view's own login form. */
async function loginHere(page, user) {
  await page.waitForSelector('#plan-login-form');
  await page.locator('#plan-login-username').fill(user.name);
  await page.locator('#plan-login-password').fill(user.password);
  await page.locator('#plan-login-form button[type="submit"]').click();
  await page.waitForSelector('#plan-form');
}

/** Waits until the preview for the current URL state is drawn; returns its report. */
async function previewFor(page, check = () => true) {
  await page.waitForFunction(() => {
    const p = window.lernorte.planner;
    return p.preview && !document.getElementById('plan-results').hasAttribute('aria-busy');
  });
  const data = await page.evaluate(() => window.lernorte.planner.preview);
  assert.ok(check(data), `the preview matches: ${JSON.stringify(data.report).slice(0, 300)}`);
  return data;
}

async function waitPreview(page, predicate, arg) {
  await page.waitForFunction(predicate, arg);
  await page.waitForFunction(() => !document.getElementById('plan-results').hasAttribute('aria-busy'));
  return page.evaluate(() => window.lernorte.planner.preview);
}

async function figure(page, key) {
  return (await page.locator(`#plan-figures [data-figure="${key}"] dd`).textContent()).trim();
}

async function errorOf(page, id) {
  const input = page.locator(`#${id}`);
  const described = (await input.getAttribute('aria-describedby')) || '';
  const errId = described.split(' ').find((x) => x.endsWith('-error'));
  assert.ok(errId, `#${id} is described by its error (aria-describedby="${described}")`);
  return { text: (await page.locator(`#${errId}`).textContent()).trim(), lang: await page.locator(`#${errId}`).getAttribute('lang') };
}

async function axe(page, name) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`).join('\n');
  assert.equal(bad.length, 0, `${name}: axe found serious/critical violations:\n${text}`);
}

async function tabUntil(page, predicate, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate)) return true;
  }
  return false;
}

/** Moves the map (once the planner's own fit to the preview has finished its animation). */
async function setView(page, lat, lon, z) {
  await page.waitForFunction(([la, lo, zz]) => {
    const m = window.lernorte.map;
    if (m._animatingZoom) return false;
    const c = m.getCenter();
    if (m.getZoom() === zz && Math.abs(c.lat - la) < 1e-4 && Math.abs(c.lng - lo) < 1e-4) return true;
    m.setView([la, lo], zz, { animate: false });
    return false;
  }, [lat, lon, z], { polling: 100 });
}

async function download(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#plan-download').click()]);
  const text = await readFile(await dl.path(), 'utf8');
  return { name: dl.suggestedFilename(), text };
}

// ---------------------------------------------------------------- tests

describe('campaign planners\' view', { timeout: 1800000 }, () => {
  test('a planner logs in, chooses 11 from the list and 16 on the map, sees circles and figures, gets errors inline, postcodes for TikTok, downloads, copies and opens the landing link', T, async () => {
    const where = await api(`api/lookup?lon=${GORBITZ.lon}&lat=${GORBITZ.lat}`);
    assert.equal(where.body.stadtraum.nr, 16, 'the test point lies in Gorbitz');

    // a planner logs in where editors do, and lands in the planners' view
    const page = await open('view=editor');
    await page.waitForSelector('#login-form');
    await page.locator('#login-username').fill(PLANNER.name);
    await page.locator('#login-password').fill(PLANNER.password);
    await page.locator('#login-form button[type="submit"]').click();
    await page.waitForSelector('#plan-form');
    assert.match(page.url(), /view=planner/);
    assert.equal(await page.locator('nav a[data-view="planner"]').isVisible(), true, 'the header shows "Kampagnen" now');
    assert.equal(await page.locator('nav a[data-view="planner"]').getAttribute('aria-current'), 'page');
    assert.match(await page.locator('#planner .plan-user').textContent(), /paula/);
    assert.equal(await page.locator('#plan-summary').textContent(), 'Wählen Sie mindestens einen Stadtraum, dann erscheint hier die Vorschau.');
    assert.equal(await page.locator('#plan-download').isDisabled(), true, 'nothing to download yet');
    // the platforms with their limits
    assert.equal(await page.locator('#plan-platform input[type="radio"]').count(), 7);
    assert.match(await page.locator('label[for="plan-platform-meta"]').textContent(), /Meta.*Kreise von 1 km bis 80 km.*höchstens 200 je Anzeigengruppe.*PLZ-Gebiete/);
    assert.match(await page.locator('label[for="plan-platform-tiktok"]').textContent(), /TikTok.*nur PLZ-Gebiete/);
    assert.match(await page.locator('#plan-radius-hint').textContent(), /Meta erlaubt 1 km bis 80 km/);
    // the attribution of the data the view shows
    const source = await page.locator('.plan-source').textContent();
    assert.ok(source.includes('© OpenStreetMap contributors, ODbL 1.0, via suche-postleitzahl.org'), source);
    assert.ok(source.includes('Landeshauptstadt Dresden, dl-de/by-2-0'), source);

    // Stadtraum 11 from the list
    await page.locator('#plan-stadtraum-11').check();
    let data = await waitPreview(page, () => /stadtraum=11(&|$)/.test(location.hash) && window.lernorte.planner.preview);
    assert.deepEqual(data.report.stadtraeume, [11]);
    // the map shows the tiles of the Stadträume: wait for them, then a click in Gorbitz adds 16
    await setView(page, GORBITZ.lat, GORBITZ.lon, 13);
    await page.waitForFunction(([lat, lng]) => {
      const hit = window.lernorte.mvt.hitTest({ lat, lng });
      return hit && hit.type === 'stadtraum' && Number(hit.props.nr) === 16;
    }, [GORBITZ.lat, GORBITZ.lon]);
    const pt = await page.evaluate(([lat, lon]) => window.lernorte.map.latLngToContainerPoint([lat, lon]), [GORBITZ.lat, GORBITZ.lon]);
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
    await page.waitForFunction(() => /stadtraum=11,16/.test(location.hash));
    assert.equal(await page.locator('#plan-stadtraum-16').isChecked(), true, 'the click on the map ticks Gorbitz in the list');
    assert.match(await page.locator('#planner-status').textContent(), /Gorbitz ist gewählt/);
    data = await waitPreview(page, () => String((window.lernorte.planner.preview || { report: {} }).report.stadtraeume) === '11,16');
    assert.equal(data.platform, 'meta', 'Meta is the default');
    assert.equal(await page.locator('#plan-platform-meta').isChecked(), true);

    // circles drawn: as many as the report counts, and the figures
    const circles = data.report.circles;
    assert.ok(circles >= 2, `circles: ${circles}`);
    assert.equal(await page.locator('path.plan-circle').count(), circles, 'one drawn path per circle');
    assert.equal(await page.locator('path.plan-selection').count(), 2, 'the outline of both Stadträume');
    assert.equal(await page.locator('path.plan-postcode').count(), 0);
    assert.equal(await figure(page, 'circles'), String(circles));
    const pct = (v) => `${v.toLocaleString('de-DE', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;
    assert.equal(await figure(page, 'coverage'), pct(data.report.coverage));
    assert.equal(await figure(page, 'spill'), pct(data.report.spill));
    assert.equal(await figure(page, 'residents_inside'), data.report.residents_inside.toLocaleString('de-DE'));
    assert.equal(await figure(page, 'residents_spill'), data.report.residents_spill.toLocaleString('de-DE'));
    assert.equal(await figure(page, 'residents_selection'), data.report.residents_selection.toLocaleString('de-DE'));
    assert.match(await figure(page, 'selection_km2'), /^\d+,\d\d km²$/);
    assert.match(await page.locator('#plan-summary').textContent(), new RegExp(`^${circles} Kreise: `));
    assert.ok(await page.locator('#plan-warnings li').count() >= 1, 'the server\'s warnings are listed');
    assert.equal(await page.locator('#plan-warnings li').first().getAttribute('lang'), 'en');
    // the map legend is the planners'
    assert.match(await page.locator('.legend').textContent(), /Gewählte Stadträume.*Kreise.*PLZ-Gebiete/);
    await screenshot(page, 'planner-circles-1280x800');

    // a radius below Meta's minimum: the inline error from the browser's check
    await page.locator('#plan-radius').fill('0,5');
    await page.locator('#plan-update').click();
    await page.waitForFunction(() => document.getElementById('plan-radius').getAttribute('aria-invalid') === 'true');
    let err = await errorOf(page, 'plan-radius');
    assert.match(err.text, /Meta erlaubt Radien von 1 km bis 80 km/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'plan-radius', 'the focus goes to the field');
    assert.match(await page.locator('#planner-alert').textContent(), /Bitte korrigieren Sie 1 Angabe/);
    assert.equal(await page.locator('#planner-alert').getAttribute('role'), 'alert');
    assert.equal(await page.locator('#plan-download').isDisabled(), true, 'no download of a form with errors');
    // and the server's own (in English, at the same field) without the browser's check
    await page.evaluate(() => { window.lernorte.planner.clientChecks = false; });
    await page.locator('#plan-radius').fill('0.4');
    await page.locator('#plan-update').click();
    await page.waitForFunction(() => /outside Meta's limits/.test(document.getElementById('plan-radius-error').textContent));
    err = await errorOf(page, 'plan-radius');
    assert.equal(err.lang, 'en');
    assert.match(await page.locator('#planner-alert').textContent(), /Der Server hat 1 Angabe nicht angenommen/);
    assert.equal(await page.locator('path.plan-circle').count(), 0, 'nothing drawn for a refused query');
    await page.evaluate(() => { window.lernorte.planner.clientChecks = true; });
    // a valid radius: the error goes, the circles come back
    await page.locator('#plan-radius').fill('1,5');
    await page.locator('#plan-update').click();
    data = await waitPreview(page, () => (window.lernorte.planner.preview || { report: {} }).report.radius_m === 1500);
    assert.equal(await page.locator('#plan-radius').getAttribute('aria-invalid'), null);
    assert.match(page.url(), /radius_m=1500/);
    assert.equal(await page.locator('path.plan-circle').count(), data.report.circles);
    assert.equal(await figure(page, 'radius'), '1,5 km');

    // Meta's file: custom_locations with the circles, as the platform takes it
    let file = await download(page);
    assert.equal(file.name, 'lernorte-meta-stadtraum-11-16.json');
    const meta = JSON.parse(file.text);
    const locs = meta.ad_sets.flatMap((a) => a.targeting.geo_locations.custom_locations);
    assert.equal(locs.length, data.report.circles);
    assert.ok(locs.every((l) => l.radius === 1.5 && l.distance_unit === 'kilometer' && Number.isFinite(l.latitude)));
    assert.match(await page.locator('#planner-status').textContent(), /lernorte-meta-stadtraum-11-16\.json ist heruntergeladen/);

    // TikTok: postcode areas only (the mode follows), a table and polygons
    await page.locator('label[for="plan-platform-tiktok"]').click();
    data = await waitPreview(page, () => (window.lernorte.planner.preview || {}).platform === 'tiktok');
    assert.equal(data.report.mode, 'postcodes');
    assert.match(page.url(), /platform=tiktok&mode=postcodes/);
    assert.equal(await page.locator('#plan-mode-postcodes').isChecked(), true);
    assert.equal(await page.locator('#plan-mode-circles').isDisabled(), true, 'TikTok has no circles');
    assert.equal(await page.locator('#plan-circles-fields').isVisible(), false);
    assert.equal(await page.locator('#plan-threshold').isVisible(), true);
    assert.equal(await page.locator('#plan-exclude_neighbours').isVisible(), false, 'exclusions are Meta\'s only');
    const rows = page.locator('#plan-postcodes tbody tr');
    assert.equal(await rows.count(), data.report.postcodes.length);
    const included = data.report.postcodes.filter((x) => x.included);
    assert.ok(included.length >= 1);
    assert.equal(await page.locator('#plan-postcodes tbody tr[data-included="1"]').count(), included.length);
    assert.equal(await page.locator('path.plan-postcode').count(), included.length, 'one polygon per postcode area taken');
    assert.equal(await page.locator('path.plan-circle').count(), 0);
    const firstPlz = data.report.postcodes[0].plz;
    assert.equal((await rows.first().locator('th').textContent()).trim(), firstPlz);
    assert.match(await page.locator('.leaflet-control-attribution').textContent(), /suche-postleitzahl\.org/);
    file = await download(page);
    assert.equal(file.name, 'lernorte-tiktok-stadtraum-11-16-plz.json');
    assert.deepEqual(JSON.parse(file.text).postal_codes.map((p) => p.postal_code).sort(), included.map((p) => p.plz).sort());
    await screenshot(page, 'planner-postcodes-1280x800');

    // Google: a CSV of circles
    await page.locator('label[for="plan-platform-google"]').click();
    await page.locator('label[for="plan-mode-circles"]').click();
    data = await waitPreview(page, () => {
      const p = window.lernorte.planner.preview;
      return p && p.platform === 'google' && p.report.mode === 'circles';
    });
    file = await download(page);
    assert.equal(file.name, 'lernorte-google-stadtraum-11-16.csv');
    const lines = file.text.trim().split(/\r?\n/);
    assert.equal(lines[0], 'Campaign,Latitude,Longitude,Radius,Unit');
    assert.equal(lines.length - 1, data.report.circles);

    // the landing link: copied, shown, and it opens the map filtered to 11 and 16
    await br.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url.replace(/\/$/, '') });
    await page.locator('#plan-campaign').fill('Herbst');
    data = await waitPreview(page, () => /utm_campaign=Herbst/.test((window.lernorte.planner.preview || {}).landing_link || ''));
    const link = await page.locator('#plan-link').inputValue();
    assert.equal(link, data.landing_link);
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/\?utm_source=google&utm_medium=[a-z_]+&utm_campaign=Herbst#stadtraum=11,16$/);
    assert.equal(await page.locator('#plan-link').getAttribute('readonly'), '');
    await page.locator('#plan-copy').click();
    await page.waitForFunction(() => document.getElementById('plan-copy-msg').textContent !== '');
    const msg = await page.locator('#plan-copy-msg').textContent();
    if (/Zwischenablage/.test(msg)) {
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link, 'the clipboard holds the link');
    } else {
      // no clipboard in this browser: the fallback selects the link in its field
      assert.match(msg, /Strg\+C/);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'plan-link');
    }
    assert.equal(await page.locator('#plan-link-open').getAttribute('href'), link);
    // a planning link can be shared: the whole state is in the fragment
    assert.match(page.url(), /view=planner&platform=google&radius_m=1500&campaign=Herbst&stadtraum=11,16/);

    const citizen = await br.context.newPage();
    citizen.errors = [];
    citizen.on('pageerror', (e) => citizen.errors.push(String(e)));
    await citizen.goto(link);
    await citizen.waitForSelector('body[data-ready="1"]');
    assert.deepEqual(await citizen.evaluate(() => window.lernorte.state.stadtraum), [11, 16]);
    const matched = (await api('api/collections/places/items?stadtraum=11,16&limit=1')).body.numberMatched;
    const sep = (await api('api/collections/places/items?stadtraum=11&limit=1')).body.numberMatched +
      (await api('api/collections/places/items?stadtraum=16&limit=1')).body.numberMatched;
    assert.equal(matched, sep, 'the items route gives the union of both Stadträume');
    await citizen.waitForFunction((n) => document.getElementById('result-status').textContent.startsWith(`${n} Orte in `), matched);
    assert.match(await citizen.locator('#result-status').textContent(), /Prohlis.*und Gorbitz/);
    await citizen.waitForFunction((n) => window.lernorte.markers.getLayers().length === n, matched);
    assert.match(await citizen.locator('#figures').textContent(), /2 Stadträume/);
    assert.equal(await citizen.locator('#sr-select').inputValue(), '11,16');
    // no planner controls for a citizen
    assert.equal(await citizen.locator('#plan-form').count(), 0);
    assert.equal(await citizen.locator('nav a[data-view="planner"]').isVisible(), false);
    assert.equal(await citizen.locator('#planner').isVisible(), false);
    await screenshot(citizen, 'landing-link-1280x800');
    noErrors(citizen);
    await citizen.close();
    noErrors(page);
    await page.close();
  });

  test('keyboard alone: choose Stadträume, platform, radius; download and copy', T, async () => {
    const page = await open('view=planner');
    await page.waitForSelector('#plan-login-form');
    // log in with the keyboard
    assert.ok(await tabUntil(page, () => document.activeElement.id === 'plan-login-username'));
    await page.keyboard.type(PLANNER.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PLANNER.password);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#plan-form');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'planner-title', 'the focus goes to the view\'s title');
    // Stadtraum 2 and 11 with Space
    assert.ok(await tabUntil(page, () => document.activeElement.id === 'plan-stadtraum-2'), 'reach Stadtraum 2');
    await page.keyboard.press('Space');
    assert.ok(await tabUntil(page, () => document.activeElement.id === 'plan-stadtraum-11'), 'reach Stadtraum 11');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => /stadtraum=2,11(&|$)/.test(location.hash));
    // the platform: a radio group, arrows move within it
    assert.ok(await tabUntil(page, () => document.activeElement.name === 'plan-platform'), 'reach the platforms');
    assert.equal(await page.evaluate(() => document.activeElement.value), 'meta');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.value), 'google');
    await page.waitForFunction(() => /platform=google/.test(location.hash));
    // the radius in km, Enter sends the form at once
    assert.ok(await tabUntil(page, () => document.activeElement.id === 'plan-radius'), 'reach the radius');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    const data = await waitPreview(page, () => {
      const p = window.lernorte.planner.preview;
      return p && p.platform === 'google' && p.report.radius_m === 2000 && String(p.report.stadtraeume) === '2,11';
    });
    assert.equal(await page.locator('path.plan-circle').count(), data.report.circles);
    // download and copy with Enter
    assert.ok(await tabUntil(page, () => document.activeElement.id === 'plan-download'), 'reach the download');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.equal(dl.suggestedFilename(), 'lernorte-google-stadtraum-2-11.csv');
    assert.ok(await tabUntil(page, () => document.activeElement.id === 'plan-copy'), 'reach the copy button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('plan-copy-msg').textContent !== '');
    // focus is visible on the controls
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'a visible focus');
    noErrors(page);
    await page.close();
  });

  test('an anonymous visitor gets the login; a citizen link never shows planner controls; an editor may plan too', T, async () => {
    const page = await open('view=planner&stadtraum=11&platform=tiktok');
    await page.waitForSelector('#plan-login-form');
    assert.equal(await page.locator('#plan-form, #plan-results').count(), 0, 'no planner controls before the login');
    assert.equal(await page.locator('nav a[data-view="planner"]').isVisible(), false, 'no "Kampagnen" in the header');
    assert.equal(await page.locator('path.plan-circle, path.plan-postcode').count(), 0);
    // the server agrees: the targets need a token
    assert.equal((await api('api/targets/preview?stadtraum=11&platform=meta')).status, 401);
    assert.equal((await api('api/targets?stadtraum=11&platform=meta')).status, 401);
    // a wrong password is announced
    await page.locator('#plan-login-username').fill(PLANNER.name);
    await page.locator('#plan-login-password').fill('falsch');
    await page.locator('#plan-login-form button[type="submit"]').click();
    await page.waitForFunction(() => /stimmen nicht/.test(document.getElementById('planner-alert').textContent));
    await page.close();

    for (const hash of ['', 'stadtraum=2,11,16', 'view=list&stadtraum=11', 'view=editor']) {
      const p = await open(hash);
      await p.waitForTimeout(200);
      assert.equal(await p.locator('#plan-form, #plan-login-form').count(), 0, `${hash}: no planner controls`);
      assert.equal(await p.locator('nav a[data-view="planner"]').isVisible(), false, `${hash}: no "Kampagnen"`);
      noErrors(p);
      await p.close();
    }

    // an editor: the view is theirs too, from the editors' home
    const ed = await open('view=editor');
    await ed.waitForSelector('#login-form');
    await ed.locator('#login-username').fill(EDITOR.name);
    await ed.locator('#login-password').fill(EDITOR.password);
    await ed.locator('#login-form button[type="submit"]').click();
    await ed.waitForSelector('#ed-logout');
    assert.match(ed.url(), /view=editor/, 'an editor stays in the editors\' view');
    await ed.locator('#ed-planner-link').click();
    await ed.waitForSelector('#plan-form');
    await ed.locator('#plan-stadtraum-16').check();
    const data = await waitPreview(ed, () => (window.lernorte.planner.preview || { report: {} }).report.circles > 0);
    assert.equal(await ed.locator('path.plan-circle').count(), data.report.circles);
    // logging out brings back the login, and the drawing goes
    await ed.locator('#plan-logout').click();
    await ed.waitForSelector('#plan-login-form');
    assert.equal(await ed.evaluate(() => document.activeElement.id), 'plan-login-username');
    assert.equal(await ed.locator('path.plan-circle').count(), 0);
    assert.equal(await ed.locator('nav a[data-view="planner"]').isVisible(), false);
    noErrors(ed);
    await ed.close();
  });

  test('a shared planning link restores the selection and the parameters; a change of language keeps them', T, async () => {
    const page = await open('view=planner');
    await loginHere(page, PLANNER);
    await page.goto(`${srv.url}#view=planner&platform=meta&mode=postcodes&threshold=40&share=area&exclude=1&stadtraum=2,11,16`);
    await page.waitForSelector('#plan-form');
    const data = await waitPreview(page, () => {
      const p = window.lernorte.planner.preview;
      return p && p.report.mode === 'postcodes' && String(p.report.stadtraeume) === '2,11,16';
    });
    assert.equal(data.report.threshold, 40);
    assert.equal(data.report.share_basis, 'area');
    for (const nr of [2, 11, 16]) assert.equal(await page.locator(`#plan-stadtraum-${nr}`).isChecked(), true);
    assert.equal(await page.locator('#plan-threshold').inputValue(), '40');
    assert.equal(await page.locator('#plan-share').inputValue(), 'area');
    assert.equal(await page.locator('#plan-exclude_neighbours').isChecked(), true);
    assert.equal(await page.locator('path.plan-selection').count(), 3);
    assert.equal((await page.locator('#plan-links-box li').count()), 3, 'one landing link per Stadtraum as well');
    // the language changes, the selection stays
    await page.locator('#lang-select').selectOption('en');
    await page.waitForFunction(() => document.getElementById('plan-page-title') === null && /Campaign planning/.test(document.getElementById('planner-title').textContent));
    await page.waitForFunction(() => /Postcode areas at the selection/.test((document.querySelector('#plan-postcodes caption') || {}).textContent || ''));
    assert.equal(await page.locator('#plan-stadtraum-11').isChecked(), true);
    // a click on the list takes 2 out
    await page.locator('#plan-stadtraum-2').uncheck();
    await waitPreview(page, () => String((window.lernorte.planner.preview || { report: {} }).report.stadtraeume) === '11,16');
    noErrors(page);
    await page.close();
  });

  test('axe-core finds no serious or critical violation in the planners\' view, also in Arabic (RTL)', T, async () => {
    const views = [
      ['login, desktop', 'view=planner', DESKTOP, false],
      ['login, phone, Arabic', 'view=planner&lang=ar', PHONE, false],
      ['circles, desktop', 'view=planner&stadtraum=11,16', DESKTOP, true],
      ['postcodes, desktop, Arabic', 'view=planner&platform=tiktok&mode=postcodes&stadtraum=2,11,16&lang=ar', DESKTOP, true],
      ['circles, phone, Arabic', 'view=planner&stadtraum=11&lang=ar', PHONE, true],
      ['postcodes, phone, Ukrainian', 'view=planner&platform=meta&mode=postcodes&stadtraum=11&lang=uk', PHONE, true],
      ['landing link, desktop', 'stadtraum=2,11,16', DESKTOP, false],
    ];
    for (const [name, hash, size, login] of views) {
      const page = await open(hash, size);
      if (login) {
        await loginHere(page, PLANNER);
        await previewFor(page);
      } else if (hash.startsWith('view=planner')) {
        await page.waitForSelector('#plan-login-form');
      }
      await page.waitForTimeout(300);
      if (hash.includes('lang=ar')) assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl', `${name}: rtl`);
      await axe(page, name);
      const file = name.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '').toLowerCase();
      await screenshot(page, `planner-${file}-${size.width}x${size.height}`);
      noErrors(page);
      await page.evaluate(() => { sessionStorage.clear(); localStorage.removeItem('lernorte.lang'); });
      await page.close();
    }
    // with an inline error
    const page = await open('view=planner&stadtraum=11');
    await loginHere(page, PLANNER);
    await previewFor(page);
    await page.locator('#plan-radius').fill('0,2');
    await page.locator('#plan-update').click();
    await page.waitForFunction(() => document.getElementById('plan-radius').getAttribute('aria-invalid') === 'true');
    await axe(page, 'inline error');
    noErrors(page);
    await page.close();
  });

  test('nothing was fetched from outside 127.0.0.1 except the (aborted) base map', () => {
    const others = br.blocked.filter((u) => !u.startsWith('https://tile.openstreetmap.org/'));
    assert.deepEqual(others, []);
  });
});
