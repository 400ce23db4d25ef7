// The editors' view and the citizens' suggestion form in a real browser (Debian's Chromium,
// headless) against the real server with the bundled Dresden data and two accounts added with
// `lernorte user add`: an editor and a campaign planner.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServer, startBrowser, screenshot } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const T = { timeout: 180000 };
const PHONE = { width: 360, height: 640 };
const DESKTOP = { width: 1280, height: 800 };
const EDITOR = { name: 'redakteurin', role: 'editor', password: 'Bildungsbuero-2026' };
const PLANNER = { name: 'planerin', role: 'planner', password: 'Kampagne-Prohlis-11' };
const XSS = '<img src=x onerror=alert(1)>';

let srv;
let br;

before(async () => {
  srv = await startServer({ timeoutMs: 120000, users: [EDITOR, PLANNER] });
  br = await startBrowser();
}, { timeout: 180000 });

after(async () => {
  if (br) await br.stop();
  if (srv) await srv.stop();
}, { timeout: 30000 });

// ---------------------------------------------------------------- helpers

/**
 * Opens the app like a person would, with watchers: script errors, JavaScript dialogs (alert,
 * confirm: an executed payload would open one) and every <img src="x"> ever added to the page.
 */
async function open(hash = '', size = DESKTOP) {
  const page = await br.context.newPage();
  await page.setViewportSize(size);
  page.errors = [];
  page.dialogs = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.addInitScript(() => {
    window.__injected = [];
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          for (const img of [n, ...n.querySelectorAll('img')]) {
            if (img.tagName === 'IMG' && (img.getAttribute('src') === 'x' || img.hasAttribute('onerror'))) window.__injected.push(img.outerHTML);
          }
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${srv.url}${hash ? `#${hash.replace(/^#/, '')}` : ''}`);
  await page.waitForSelector('body[data-ready="1"]');
  return page;
}

async function harmless(page) {
  assert.deepEqual(page.dialogs, [], 'no alert or other dialog was opened');
  assert.deepEqual(await page.evaluate(() => window.__injected), [], 'no <img> was made from data');
  assert.equal(await page.evaluate(() => document.querySelectorAll('img[src="x"], [onerror]').length), 0);
}

function noErrors(page) {
  assert.deepEqual(page.errors, [], 'no script errors on the page');
}

async function login(page, user) {
  await page.waitForSelector('#login-form');
  await page.locator('#login-username').fill(user.name);
  await page.locator('#login-password').fill(user.password);
  await page.locator('#login-form button[type="submit"]').click();
  await page.waitForSelector('#ed-logout');
}

async function api(path, opts = {}) {
  const res = await fetch(`${srv.url}${path}`, opts);
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  return { status: res.status, body, headers: res.headers };
}

async function apiToken(user) {
  const r = await api('api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user.name, password: user.password }) });
  assert.equal(r.status, 200, 'login over the API');
  return r.body.token;
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

/** Clicks the map at an offset from its centre (the picker takes it). */
async function clickMap(page, dx = 0, dy = 0) {
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
}

async function setView(page, lat, lon, z) {
  await page.evaluate(([a, b, c]) => window.lernorte.map.setView([a, b], c, { animate: false }), [lat, lon, z]);
  await page.waitForTimeout(300);
}

function placeIdOf(page) {
  const m = /place=([0-9a-f-]{36})/.exec(page.url());
  assert.ok(m, `a place in the URL: ${page.url()}`);
  return m[1];
}

async function errorOf(page, id) {
  const input = page.locator(`#${id}`);
  const described = (await input.getAttribute('aria-describedby')) || '';
  const errId = described.split(' ').find((x) => x.endsWith('-error'));
  assert.ok(errId, `#${id} is described by its error (aria-describedby="${described}")`);
  return (await page.locator(`#${errId}`).textContent()).trim();
}

async function tabUntil(page, predicate, max = 80) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName)));
    if (await page.evaluate(predicate)) return seen;
  }
  return null;
}

// ---------------------------------------------------------------- tests

describe('editors and suggestions', { timeout: 1800000 }, () => {
  test('the whole flow: log in, add a place on the map, edit it, see the history, restore; a suggestion accepted', T, async () => {
    const page = await open('view=editor');
    await page.waitForSelector('#login-form');
    // a wrong password is announced, and nothing else happens
    await page.locator('#login-username').fill(EDITOR.name);
    await page.locator('#login-password').fill('not-the-password');
    await page.locator('#login-form button[type="submit"]').click();
    await page.waitForFunction(() => /stimmen nicht/.test(document.getElementById('editor-alert').textContent));
    assert.equal(await page.locator('#editor-alert').getAttribute('role'), 'alert');
    await login(page, EDITOR);
    assert.match(await page.locator('.ed-user').textContent(), /redakteurin/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('lernorte.token') !== null && localStorage.getItem('lernorte.token') === null), true,
      'the token is in sessionStorage, not in localStorage');

    // the whole city: the tiles hold 200 places
    await page.evaluate(() => window.lernorte.map.fitBounds(window.lernorte.config.bounds, { animate: false }));
    await page.waitForFunction(() => window.lernorte.mvt.visiblePoints().reduce((n, p) => n + p.count, 0) === 200);

    // a click on the map in the editors' home opens the form there
    await setView(page, 51.0466, 13.7496, 15);
    await clickMap(page, 30, 20);
    await page.waitForSelector('#place-form');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'place-name', 'the focus moves into the form');
    const lon = Number(await page.locator('#place-lon').inputValue());
    const lat = Number(await page.locator('#place-lat').inputValue());
    assert.ok(lon > 13.74 && lon < 13.76 && lat > 51.04 && lat < 51.05, `the clicked position ${lon},${lat}`);
    assert.equal(await page.locator('[data-pick="1"]').count(), 1, 'a marker at the position');
    // a second click moves it
    await clickMap(page, -40, 10);
    assert.notEqual(Number(await page.locator('#place-lon').inputValue()), lon, 'a click moves the position');
    const name = 'Lernwerkstatt am Elbufer';
    await page.locator('#place-name').fill(name);
    await page.locator('#place-category').selectOption('werkstatt');
    await page.locator('#place-opening_hours').fill('Mo-Fr 10:00-18:00');
    await page.locator('#place-address-street').fill('Terrassenufer 1');
    await page.locator('#place-target_groups-youth').check();
    await screenshot(page, 'editor-new-1280x800');
    await page.locator('#place-form button[type="submit"]').click();
    await page.waitForFunction((n) => document.getElementById('detail-title') && document.getElementById('detail-title').textContent === n, name);
    assert.match(await page.locator('#flash').textContent(), /angelegt/);
    const id = placeIdOf(page);
    const stored = await api(`api/collections/places/items/${id}`);
    assert.equal(stored.status, 200, 'the new place is public');
    assert.equal(stored.body.properties.opening_hours, 'Mo-Fr 10:00-18:00');
    assert.deepEqual(stored.body.properties.target_groups, ['youth']);

    // on the public map (the tiles of the next request) and in the list
    await page.locator('[data-action="close-detail"]').click();
    await page.evaluate(() => window.lernorte.map.fitBounds(window.lernorte.config.bounds, { animate: false }));
    await page.waitForFunction(() => window.lernorte.mvt.visiblePoints().reduce((n, p) => n + p.count, 0) === 201, null, { timeout: 20000 });
    await page.locator('#q').fill('Lernwerkstatt Elbufer');
    await page.locator('#q').press('Enter');
    await page.waitForFunction(() => /1 Treffer/.test(document.getElementById('result-status').textContent));
    assert.equal((await page.locator('#result-list a.place-link').first().textContent()).trim(), name);
    await page.waitForFunction((pid) => [...document.querySelectorAll('.lo-marker')].some((m) => m.dataset.id === pid), id);

    // edit: from the detail
    await page.locator('#result-list a.place-link').first().click();
    await page.waitForSelector('#detail-edit');
    await page.locator('#detail-edit').click();
    await page.waitForSelector('#place-form');
    await page.waitForFunction(() => document.activeElement.id === 'place-name');
    assert.equal(await page.locator('#place-name').inputValue(), name);
    await page.locator('#place-opening_hours').fill('Mo-Fr 09:00-17:00; Sa 10:00-14:00');
    await page.locator('#place-form button[type="submit"]').click();
    await page.waitForFunction(() => /Sa 10:00-14:00/.test((document.querySelector('#detail .oh') || {}).textContent || ''));
    assert.match(await page.locator('#flash').textContent(), /Version 2/);

    // the history: who changed what when, and restore
    await page.locator('#detail-history').click();
    await page.waitForSelector('.revision');
    assert.equal(await page.locator('.revision').count(), 2);
    const top = page.locator('.revision').first();
    assert.match(await top.locator('h4').textContent(), /Version 2: geändert/);
    assert.match(await top.locator('.meta').textContent(), /von redakteurin am/);
    const row = top.locator('tr[data-field="opening_hours"]');
    assert.equal((await row.locator('th').textContent()).trim(), 'Öffnungszeiten');
    assert.equal((await row.locator('del').textContent()).trim(), 'Mo-Fr 10:00-18:00');
    assert.equal((await row.locator('ins').textContent()).trim(), 'Mo-Fr 09:00-17:00; Sa 10:00-14:00');
    const created = page.locator('.revision').nth(1);
    assert.match(await created.locator('tr[data-field="name"] ins').textContent(), /Lernwerkstatt am Elbufer/);
    assert.equal(await created.locator('tr[data-field="phone"]').count(), 0, 'fields left empty at creation are left out');
    await screenshot(page, 'editor-history-1280x800');
    await page.locator('button[data-restore="1"]').click();
    await page.waitForFunction(() => /Version 1 ist wiederhergestellt/.test(document.getElementById('editor-status').textContent));
    await page.waitForFunction(() => document.querySelectorAll('.revision').length === 3);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'ed-page-title');
    assert.match(await page.locator('.revision').first().locator('h4').textContent(), /Version 3: wiederhergestellt/);
    const restored = await api(`api/collections/places/items/${id}`);
    assert.equal(restored.body.properties.opening_hours, 'Mo-Fr 10:00-18:00');
    assert.equal(restored.headers.get('etag'), '"3"');

    // a citizen suggests a place (another tab: no token there)
    const cit = await open('view=suggest');
    await cit.waitForSelector('#suggest-form');
    assert.equal(await cit.evaluate(() => sessionStorage.getItem('lernorte.token')), null);
    await cit.locator('#sg-name').fill('Gemeinschaftsgarten hinter der Schule');
    await cit.locator('#sg-category').selectOption('garten');
    await setView(cit, 51.0299, 13.7905, 15);
    await clickMap(cit);
    assert.ok(await cit.locator('#sg-lon').inputValue(), 'the click on the map gives the position');
    await cit.locator('#sg-description').fill('Beete, Kompost und ein Bienenvolk; jeden Samstag offen.');
    await cit.locator('#sg-contact_email').fill('nachbarin@example.org');
    await cit.locator('#sg-submit').click();
    await cit.waitForSelector('#sg-status-link');
    assert.equal(await cit.evaluate(() => document.activeElement.id), 'sg-thanks-title');
    const statusHref = await cit.locator('#sg-status-link').getAttribute('href');
    assert.match(statusHref, /view=suggest&item=[0-9a-f-]{36}/);
    await screenshot(cit, 'suggest-thanks-1280x800');
    await cit.locator('#sg-status-link').click();
    await cit.waitForSelector('#sg-state');
    assert.equal(await cit.locator('#sg-state').getAttribute('data-status'), 'pending');
    assert.match(await cit.locator('#suggest-body').textContent(), /wird geprüft/);
    const sid = /item=([0-9a-f-]{36})/.exec(statusHref)[1];

    // the editor finds it in the queue, completes it and publishes it
    await page.locator('nav a[data-view="editor"]').click();
    await page.waitForSelector('#ed-queue');
    await page.locator('#ed-queue').click();
    await page.waitForSelector('#q-list');
    assert.match(await page.locator('#q-count').textContent(), /192 Einträge/, 'the 191 candidates and the suggestion');
    await page.locator('#q-kind').selectOption('suggestion');
    await page.waitForFunction(() => /^1 Eintrag/.test(document.getElementById('q-count').textContent));
    await page.locator(`a.q-link[data-id="${sid}"]`).click();
    await page.waitForSelector('#entry-form');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'ed-page-title');
    assert.equal(await page.locator('#entry-name').inputValue(), 'Gemeinschaftsgarten hinter der Schule');
    assert.match(await page.locator('.q-contact').textContent(), /nachbarin@example\.org/, 'the contact address is shown to the editor');
    assert.equal(await page.locator('[data-pick="1"]').count(), 1, 'the suggestion on the map');
    const pick = await page.evaluate(() => window.lernorte.picker.latlng());
    assert.ok(Math.abs(pick.lat - 51.0299) < 0.01 && Math.abs(pick.lng - 13.7905) < 0.01, 'the marker stands where the citizen put it');
    // the editor moves the point a little (typed: the marker follows)
    await page.locator('#entry-lon').fill('13.7910');
    await page.locator('#entry-lon').dispatchEvent('change');
    assert.ok(Math.abs((await page.evaluate(() => window.lernorte.picker.latlng())).lng - 13.791) < 1e-6);
    await page.locator('#entry-address-street').fill('Schulstraße 5');
    await page.locator('#entry-opening_hours').fill('Sa 10:00-16:00');
    await screenshot(page, 'editor-queue-entry-1280x800');
    await page.locator('#entry-form button[type="submit"]').click();
    await page.waitForFunction(() => /ist veröffentlicht/.test(document.getElementById('editor-status').textContent));
    const st = await api(`api/suggestions/${sid}`);
    assert.equal(st.body.status, 'accepted');
    const published = await api(`api/collections/places/items/${st.body.place_id}`);
    assert.equal(published.body.properties.address.street, 'Schulstraße 5');
    assert.equal(published.body.properties.opening_hours, 'Sa 10:00-16:00');
    assert.equal(published.body.geometry.coordinates[0], 13.791, 'the corrected position');
    assert.equal(published.body.properties.description, 'Beete, Kompost und ein Bienenvolk; jeden Samstag offen.');
    // the citizen sees the decision, and the place on the public map
    await cit.reload();
    await cit.waitForSelector('#sg-state[data-status="accepted"]');
    await cit.locator('#suggest-body a.place-link').click();
    await cit.waitForFunction(() => (document.getElementById('detail-title') || {}).textContent === 'Gemeinschaftsgarten hinter der Schule');

    // log out
    await page.locator('#ed-logout').click();
    await page.waitForSelector('#login-form');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('lernorte.token')), null);
    noErrors(page);
    noErrors(cit);
    await harmless(page);
    await cit.close();
    await page.close();
  });

  test('a name with markup renders as text in every view; a javascript: website is refused and nothing is stored', T, async () => {
    const page = await open('view=editor');
    await login(page, EDITOR);
    await page.locator('#ed-new').click();
    await page.waitForSelector('#place-form');
    // the coordinates typed: a quiet corner of the Dresdner Heide, where no other place clusters
    await page.locator('#place-lon').fill('13.8350');
    await page.locator('#place-lat').fill('51.0950');
    await page.locator('#place-lat').dispatchEvent('change');
    assert.equal(await page.locator('[data-pick="1"]').count(), 1, 'typed coordinates move the marker');
    await page.locator('#place-name').fill(XSS);
    await page.locator('#place-category').selectOption('kultur');
    await page.locator('#place-website').fill('javascript:alert(1)');
    // the browser's check first: nothing is sent
    let posts = 0;
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/collections/places/items')) posts++; });
    await page.locator('#place-form button[type="submit"]').click();
    await page.waitForFunction(() => document.getElementById('place-website').getAttribute('aria-invalid') === 'true');
    assert.match(await errorOf(page, 'place-website'), /http:\/\/ oder https:\/\//);
    assert.equal(posts, 0, 'the browser did not send the form');
    // without the browser's check the server refuses it, and its message stands at the field
    await page.evaluate(() => { window.lernorte.editor.clientChecks = false; });
    await page.locator('#place-form button[type="submit"]').click();
    await page.waitForFunction(() => /host name/.test(document.getElementById('place-website-error').textContent));
    assert.equal(posts, 1);
    assert.equal(await page.locator('#place-website').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#place-website-error').getAttribute('lang'), 'en');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'place-website', 'the focus is on the invalid field');
    const none = await api('api/collections/places/items?q=onerror&limit=10');
    assert.equal(none.body.numberMatched, 0, 'nothing was stored');
    await page.evaluate(() => { window.lernorte.editor.clientChecks = true; });
    // the name alone is fine: stored as text
    await page.locator('#place-website').fill('');
    await page.locator('#place-form button[type="submit"]').click();
    await page.waitForSelector('#detail-edit');
    const id = placeIdOf(page);
    assert.equal(await page.locator('#detail-title').textContent(), XSS, 'detail');
    assert.equal((await api(`api/collections/places/items/${id}`)).body.properties.name, XSS, 'stored as it was typed');
    // list (search) and the marker's tooltip
    await page.locator('[data-action="close-detail"]').click();
    await page.locator('#q').fill('onerror');
    await page.locator('#q').press('Enter');
    await page.waitForFunction(() => /1 Treffer/.test(document.getElementById('result-status').textContent));
    assert.equal(await page.locator('#result-list .place-name').first().textContent(), XSS, 'list');
    await page.waitForFunction((pid) => [...document.querySelectorAll('.lo-marker')].some((m) => m.dataset.id === pid), id);
    const marker = page.locator(`.lo-marker[data-id="${id}"]`);
    assert.equal(await marker.getAttribute('title'), XSS, 'marker tooltip');
    assert.equal(await marker.getAttribute('aria-label'), XSS);
    // the tile layer's hit test opens the same detail
    await page.locator('#q').fill('');
    await page.locator('#q').press('Enter');
    await page.waitForFunction(() => !/Treffer/.test(document.getElementById('result-status').textContent));
    await setView(page, 51.095, 13.835, 13);
    await page.waitForFunction((pid) => window.lernorte.mvt.visiblePoints().some((p) => p.id === pid), id, { timeout: 20000 });
    const pt = await page.evaluate((pid) => window.lernorte.mvt.visiblePoints().find((p) => p.id === pid), id);
    assert.equal(pt.name, XSS);
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
    await page.waitForFunction((n) => (document.getElementById('detail-title') || {}).textContent === n, XSS);
    // the history diff
    await page.locator('#detail-history').click();
    await page.waitForSelector('.revision');
    assert.equal(await page.locator('.revision tr[data-field="name"] ins').textContent(), XSS, 'history diff');
    assert.equal(await page.locator('.ed-sub').textContent(), XSS);
    // the queue: a citizen's suggestion with the same name and a javascript: website
    const cit = await open('view=suggest');
    await cit.waitForSelector('#suggest-form');
    await cit.locator('#sg-name').fill(XSS);
    await cit.locator('#sg-category').selectOption('kultur');
    await cit.locator('#sg-lon').fill('13.7400');
    await cit.locator('#sg-lat').fill('51.0500');
    await cit.locator('#sg-website').fill('javascript:alert(1)');
    await cit.locator('#sg-submit').click();
    await cit.waitForFunction(() => document.getElementById('sg-website').getAttribute('aria-invalid') === 'true');
    await cit.evaluate(() => { window.lernorte.suggest.clientChecks = false; });
    await cit.locator('#sg-submit').click();
    await cit.waitForFunction(() => /host name/.test(document.getElementById('sg-website-error').textContent));
    await cit.locator('#sg-website').fill('');
    await cit.locator('#sg-submit').click();
    await cit.waitForSelector('#sg-status-link');
    await cit.locator('#sg-status-link').click();
    await cit.waitForSelector('#sg-state');
    assert.equal(await cit.locator('#suggest-body dd span[dir="auto"]').first().textContent(), XSS, 'suggestion status');
    await page.locator('nav a[data-view="editor"]').click();
    await page.locator('#ed-queue').click();
    await page.locator('#q-kind').selectOption('suggestion');
    await page.waitForSelector('a.q-link');
    const link = page.locator('a.q-link').filter({ hasText: 'onerror' });
    assert.equal(await link.textContent(), XSS, 'queue list');
    await link.click();
    await page.waitForSelector('#entry-form');
    assert.equal(await page.locator('#ed-page-title').textContent(), XSS, 'queue entry');
    assert.equal(await page.locator('#entry-name').inputValue(), XSS);
    await page.waitForTimeout(300);
    await harmless(page);
    await harmless(cit);
    noErrors(page);
    noErrors(cit);
    await cit.close();
    await page.close();
  });

  test('the editors\' home: a click on a place opens it (with "Edit"), a click beside places adds one', T, async () => {
    const page = await open('view=editor');
    await login(page, EDITOR);
    await setView(page, 51.050931, 13.738381, 13);
    await page.waitForFunction(() => window.lernorte.mvt.visiblePoints().some((p) => !p.cluster));
    const pt = await page.evaluate(() => window.lernorte.mvt.visiblePoints().find((p) => !p.cluster));
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
    await page.waitForFunction((n) => (document.getElementById('detail-title') || {}).textContent === n, pt.name);
    assert.equal(await page.locator('#place-form').count(), 0, 'no new place');
    assert.ok(await page.locator('#detail-edit').isVisible(), 'the detail offers "Edit" to editors');
    await page.locator('[data-action="close-detail"]').click();
    await page.waitForSelector('#ed-new');
    await page.waitForFunction(() => document.activeElement.id === 'ed-page-title', null, { timeout: 5000 });
    // a spot without a place
    const free = await page.evaluate(() => {
      const { map, mvt } = window.lernorte;
      const size = map.getSize();
      for (let y = 60; y < size.y - 60; y += 25) {
        for (let x = 60; x < size.x - 60; x += 25) {
          const hit = mvt.hitTest(map.containerPointToLatLng([x, y]));
          const near = mvt.visiblePoints().some((p) => Math.hypot(p.x - x, p.y - y) < 30);
          if ((!hit || hit.type === 'stadtraum') && !near) return { x, y };
        }
      }
      return null;
    });
    assert.ok(free, 'a free spot on the map');
    await page.mouse.click(box.x + free.x, box.y + free.y);
    await page.waitForSelector('#place-form');
    assert.match(page.url(), /view=editor&ed=new/);
    assert.ok(await page.locator('#place-lon').inputValue());
    noErrors(page);
    await page.close();
  });

  test('keyboard alone: log in, add a place by typing its coordinates, edit it, cancel; the focus follows', T, async () => {
    const page = await open('view=list', PHONE);
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    assert.ok(await tabUntil(page, () => document.activeElement.matches('nav a[data-view="editor"]')), 'reach the editors\' tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement.id === 'login-username');
    await page.keyboard.type(EDITOR.name);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password');
    await page.keyboard.type(EDITOR.password);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement.id === 'ed-page-title');
    assert.ok(await tabUntil(page, () => document.activeElement.id === 'ed-new'), 'reach "add a place"');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement.id === 'place-name');
    await page.keyboard.type('Sprachcafé im Stadtteilhaus');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'place-category');
    await page.keyboard.type('Sprach');
    assert.equal(await page.locator('#place-category').inputValue(), 'sprache');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'place-lon');
    await page.keyboard.type('13.7850');
    await page.keyboard.press('Tab');
    await page.keyboard.type('51.0410');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement.id === 'detail-title' && document.activeElement.textContent === 'Sprachcafé im Stadtteilhaus');
    const id = placeIdOf(page);
    const stored = (await api(`api/collections/places/items/${id}`)).body;
    assert.deepEqual(stored.geometry.coordinates, [13.785, 51.041]);
    assert.ok(await tabUntil(page, () => document.activeElement.id === 'detail-edit'), 'reach "Edit"');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement.id === 'place-name');
    assert.ok(await tabUntil(page, () => document.activeElement.textContent === 'Abbrechen', 120), 'reach "Cancel"');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement.id === 'detail-title');
    assert.match(page.url(), new RegExp(`place=${id}`));
    noErrors(page);
    await page.close();
  });

  test('after logging out the token is refused (401), and a stale token brings back the login', T, async () => {
    const page = await open('view=editor');
    await login(page, EDITOR);
    const token = await page.evaluate(() => sessionStorage.getItem('lernorte.token'));
    assert.equal((await api('api/auth/me', { headers: { Authorization: `Bearer ${token}` } })).status, 200);
    await page.locator('#ed-logout').click();
    await page.waitForSelector('#login-form');
    assert.match(await page.locator('#editor-status').textContent(), /abgemeldet/);
    assert.equal((await api('api/auth/me', { headers: { Authorization: `Bearer ${token}` } })).status, 401, 'the token is dead');
    // the old token put back (e.g. a second tab that still had it): the app drops it and asks to log in
    await page.evaluate((tk) => sessionStorage.setItem('lernorte.token', tk), token);
    await page.goto('about:blank');
    await page.goto(`${srv.url}#view=editor&ed=new`);
    await page.waitForSelector('body[data-ready="1"]');
    await page.waitForSelector('#login-form');
    await page.waitForFunction(() => /abgelaufen/.test(document.getElementById('editor-alert').textContent));
    assert.equal(await page.evaluate(() => sessionStorage.getItem('lernorte.token')), null);
    assert.equal(await page.locator('#place-form').count(), 0);
    // a token that dies while the form is open: the next request gets 401, the login comes back
    await login(page, EDITOR);
    await page.waitForSelector('#place-form');
    const tk2 = await page.evaluate(() => sessionStorage.getItem('lernorte.token'));
    await api('api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${tk2}` } });
    await page.locator('#place-name').fill('Nie gespeichert');
    await page.locator('#place-category').selectOption('sport');
    await page.getByRole('button', { name: 'Kartenmitte übernehmen' }).click();
    await page.locator('#place-form button[type="submit"]').click();
    await page.waitForSelector('#login-form');
    await page.waitForFunction(() => /abgelaufen/.test(document.getElementById('editor-alert').textContent));
    assert.equal(await page.evaluate(() => sessionStorage.getItem('lernorte.token')), null);
    noErrors(page);
    await page.close();
  });

  test('a planner account sees no edit controls and a clear message', T, async () => {
    const page = await open('view=editor');
    await page.waitForSelector('#login-form');
    await page.locator('#login-username').fill(PLANNER.name);
    await page.locator('#login-password').fill(PLANNER.password);
    await page.locator('#login-form button[type="submit"]').click();
    // a planner who logs in lands in the campaign planners' view (tests/browser/planner.test.mjs)
    await page.waitForSelector('#plan-form');
    assert.match(page.url(), /view=planner/);
    await page.locator('nav a[data-view="editor"]').click();
    await page.waitForSelector('#ed-planner');
    assert.match(await page.locator('#ed-planner').textContent(), /Kampagnenplanung.*nur Konten der Redaktion/);
    assert.equal(await page.locator('#ed-new, #ed-queue').count(), 0);
    // a place's detail has no "Edit"
    await page.locator('nav a[data-view="list"]').click();
    await page.waitForSelector('#result-list a.place-link');
    await page.locator('#result-list a.place-link').first().click();
    await page.waitForSelector('#detail-title');
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#detail-edit, #detail-history').count(), 0);
    const id = placeIdOf(page);
    // nor does a link straight into the form
    await page.goto(`${srv.url}#view=editor&ed=edit&item=${id}`);
    await page.waitForSelector('body[data-ready="1"]');
    await page.waitForSelector('#ed-planner');
    assert.equal(await page.locator('#place-form').count(), 0);
    // and the server agrees: 403
    const tk = await page.evaluate(() => sessionStorage.getItem('lernorte.token'));
    const r = await api(`api/collections/places/items/${id}`, {
      method: 'PATCH', headers: { Authorization: `Bearer ${tk}`, 'Content-Type': 'application/merge-patch+json', 'If-Match': '"1"' }, body: '{"properties":{"name":"x"}}',
    });
    assert.equal(r.status, 403);
    await axe(page, 'planner');
    noErrors(page);
    await page.close();
  });

  test('the honeypot of the suggestion form is never focusable; the form is keyboard-usable', T, async () => {
    const page = await open('view=suggest', PHONE);
    await page.waitForSelector('#suggest-form');
    const hp = await page.evaluate(() => {
      const i = document.getElementById('sg-nickname');
      const wrap = i.closest('[aria-hidden="true"]');
      const r = wrap.getBoundingClientRect();
      return { tabindex: i.getAttribute('tabindex'), autocomplete: i.getAttribute('autocomplete'), hidden: Boolean(wrap), label: document.querySelector('label[for="sg-nickname"]').textContent, w: r.width, h: r.height };
    });
    assert.deepEqual({ tabindex: hp.tabindex, autocomplete: hp.autocomplete, hidden: hp.hidden, label: hp.label }, { tabindex: '-1', autocomplete: 'off', hidden: true, label: 'Bitte leer lassen' });
    assert.ok(hp.w <= 1 && hp.h <= 1, 'visually hidden');
    // Tab goes through every field of the form and never onto the honeypot
    await page.locator('#sg-name').focus();
    const seen = await tabUntil(page, () => document.activeElement.id === 'sg-submit', 40);
    assert.ok(seen, 'Tab reaches the submit button');
    assert.ok(!seen.includes('sg-nickname'), `the honeypot was never focused: ${seen.join(' ')}`);
    for (const id of ['sg-category', 'sg-locate', 'sg-center', 'sg-lon', 'sg-lat', 'sg-description', 'sg-website', 'sg-contact_email']) {
      assert.ok(seen.includes(id), `Tab reaches #${id}: ${seen.join(' ')}`);
    }
    // the browser's checks: messages at the fields, the focus on the first
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('sg-name').getAttribute('aria-invalid') === 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'sg-name');
    assert.equal(await errorOf(page, 'sg-name'), 'Bitte ausfüllen.');
    assert.match(await errorOf(page, 'sg-lon'), /Lage in der Karte/);
    assert.match(await page.locator('#suggest-alert').textContent(), /3 Angaben/);
    // "use my location" fills the position
    await br.context.grantPermissions(['geolocation'], { origin: srv.url.replace(/\/$/, '') });
    await br.context.setGeolocation({ latitude: 51.0509, longitude: 13.7383 });
    await page.locator('#sg-locate').click();
    await page.waitForFunction(() => document.getElementById('sg-lat').value.startsWith('51.05'));
    await br.context.clearPermissions();
    assert.equal(await page.locator('[data-pick="1"]').count(), 1);
    await screenshot(page, 'suggest-form-360x640');
    noErrors(page);
    await page.close();
  });

  test('inline messages: from the browser before sending, and the server\'s for bad opening hours and a point outside Dresden', T, async () => {
    const page = await open('view=editor&ed=new');
    await login(page, EDITOR);
    await page.waitForSelector('#place-form');
    // the browser's checks
    await page.locator('#place-opening_hours').fill('täglich 10-18 Uhr');
    await page.locator('#place-email').fill('kein-at-zeichen');
    await page.locator('#place-form button[type="submit"]').click();
    await page.waitForFunction(() => document.getElementById('place-name').getAttribute('aria-invalid') === 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'place-name', 'the first invalid field has the focus');
    assert.equal(await errorOf(page, 'place-name'), 'Bitte ausfüllen.');
    assert.equal(await errorOf(page, 'place-category'), 'Bitte wählen Sie eine Kategorie.');
    assert.match(await errorOf(page, 'place-opening_hours'), /„ä“|„täglich“|Zeichen/);
    assert.match(await errorOf(page, 'place-email'), /keine E-Mail-Adresse/);
    assert.match(await errorOf(page, 'place-lon'), /Lage in der Karte/);
    assert.match(await page.locator('#editor-alert').textContent(), /5 Angaben/);
    // the server's checks: hours that are no time, and a point in the box around Dresden but outside the city
    await page.locator('#place-name').fill('Außerhalb');
    await page.locator('#place-category').selectOption('sport');
    await page.locator('#place-email').fill('');
    await page.locator('#place-opening_hours').fill('Mo-Fr 10:00-25:99');
    await page.locator('#place-lon').fill('13.5800');
    await page.locator('#place-lat').fill('51.1700');
    await page.locator('#place-form button[type="submit"]').click();
    await page.waitForFunction(() => /25:99 is not a time/.test(document.getElementById('place-opening_hours-error').textContent));
    assert.match(await errorOf(page, 'place-opening_hours'), /25:99 is not a time/);
    assert.match(await errorOf(page, 'place-lon'), /outside Dresden/);
    assert.equal(await page.locator('#place-lat').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#place-name').getAttribute('aria-invalid'), null, 'fixed fields are valid again');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'place-lon', 'the first invalid field (in the order of the form) has the focus');
    assert.match(await page.locator('#editor-alert').textContent(), /2 Angaben nicht angenommen/);
    await screenshot(page, 'editor-errors-1280x800');
    await axe(page, 'form with errors');
    assert.equal((await api('api/collections/places/items?q=Au%C3%9Ferhalb&limit=5')).body.numberMatched, 0, 'nothing stored');
    noErrors(page);
    await page.close();
  });

  test('archive with a confirmation dialog (Escape closes it), and restore from the history', T, async () => {
    const token = await apiToken(EDITOR);
    const created = await api('api/collections/places/items', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/geo+json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [13.7301, 51.0602] }, properties: { name: 'Repair-Café auf Zeit', category: 'werkstatt' } }),
    });
    assert.equal(created.status, 201);
    const id = created.body.properties.id;
    const page = await open(`view=editor&ed=edit&item=${id}`);
    await login(page, EDITOR);
    await page.waitForSelector('#place-form');
    // keyboard: the archive button, the dialog, Escape, the focus back
    await page.locator('#ed-archive').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#ed-archive-dialog[open]');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Abbrechen', 'the safe choice has the focus');
    await axe(page, 'archive dialog');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.getElementById('ed-archive-dialog'));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'ed-archive', 'the focus is back on the button');
    assert.equal((await api(`api/collections/places/items/${id}`)).status, 200, 'Escape archived nothing');
    // someone else saves meanwhile: a clear message and a reload
    await api(`api/collections/places/items/${id}`, {
      method: 'PATCH', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/merge-patch+json', 'If-Match': '"1"' }, body: '{"properties":{"phone":"+49 351 000000"}}',
    });
    await page.locator('#place-description').fill('Jeden ersten Samstag im Monat.');
    await page.locator('#place-form button[type="submit"]').click();
    await page.waitForFunction(() => /Jemand anderes/.test(document.getElementById('editor-alert').textContent));
    await page.locator('#ed-reload').click();
    await page.waitForFunction(() => document.getElementById('place-phone') && document.getElementById('place-phone').value === '+49 351 000000');
    // archive for real
    await page.locator('#ed-archive').click();
    await page.locator('#ed-archive-confirm').click();
    await page.waitForSelector('.revision');
    assert.match(await page.locator('#hist-summary').textContent(), /archiviert/);
    assert.equal((await api(`api/collections/places/items/${id}`)).status, 404, 'the place left the map');
    assert.match(await page.locator('.revision').first().locator('h4').textContent(), /archiviert/);
    await page.locator('button[data-restore="2"]').click();
    await page.waitForFunction(() => /Version 2 ist wiederhergestellt/.test(document.getElementById('editor-status').textContent));
    const back = await api(`api/collections/places/items/${id}`);
    assert.equal(back.status, 200, 'restored onto the map');
    assert.equal(back.body.properties.phone, '+49 351 000000');
    noErrors(page);
    await page.close();
  });

  test('a rejected suggestion: the reason is required, and the citizen reads it', T, async () => {
    const sug = await api('api/suggestions', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Bolzplatz', category: 'sport', location: { type: 'Point', coordinates: [13.76, 51.04] }, description: '', website: '', contact_email: '', nickname: '' }),
    });
    assert.equal(sug.status, 201);
    const page = await open(`view=editor&ed=queue&qk=suggestion&item=${sug.body.id}`);
    await login(page, EDITOR);
    await page.waitForSelector('#reject-form');
    await page.locator('#q-reject').click();
    await page.waitForFunction(() => document.getElementById('reject-reason').getAttribute('aria-invalid') === 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'reject-reason');
    await page.locator('#reject-reason').fill('Ein Bolzplatz ist kein Lernort im Sinne der Karte.');
    await page.locator('#q-reject').click();
    await page.waitForFunction(() => /ist abgelehnt/.test(document.getElementById('editor-status').textContent));
    await page.waitForSelector('#q-list, .empty');
    const cit = await open(`view=suggest&item=${sug.body.id}`);
    await cit.waitForSelector('#sg-state[data-status="rejected"]');
    assert.match(await cit.locator('#suggest-body').textContent(), /kein Lernort im Sinne der Karte/);
    noErrors(page);
    await cit.close();
    await page.close();
  });

  test('axe-core finds no serious or critical violation on the editor views, also in Arabic', T, async () => {
    const token = await apiToken(EDITOR);
    const first = (await api('api/collections/places/items?limit=1&q=Zentralbibliothek')).body.features[0].properties.id;
    const views = [
      ['login, desktop', 'view=editor', DESKTOP, null],
      ['login, phone, Arabic', 'view=editor&lang=ar', PHONE, null],
      ['home, desktop', 'view=editor', DESKTOP, EDITOR],
      ['new place, phone', 'view=editor&ed=new', PHONE, EDITOR],
      ['edit, Arabic', `view=editor&ed=edit&item=${first}&lang=ar`, DESKTOP, EDITOR],
      ['history, desktop', `view=editor&ed=history&item=${first}`, DESKTOP, EDITOR],
      ['queue, desktop', 'view=editor&ed=queue', DESKTOP, EDITOR],
      ['queue entry, phone, Ukrainian', 'view=editor&ed=queue&lang=uk', PHONE, EDITOR, async (p) => {
        await p.locator('a.q-link').first().click();
        await p.waitForSelector('#entry-form');
      }],
      ['suggest, desktop', 'view=suggest', DESKTOP, null],
      ['suggest, phone, Arabic', 'view=suggest&lang=ar', PHONE, null],
      ['detail with edit controls', `place=${first}`, DESKTOP, EDITOR],
    ];
    void token;
    for (const [name, hash, size, user, prepare] of views) {
      const page = await open(hash, size);
      if (user) {
        if (!hash.startsWith('view=editor')) {
          // log in in this tab first, then go to the view
          await page.goto(`${srv.url}#view=editor`);
          await page.waitForSelector('body[data-ready="1"]');
          await login(page, user);
          await page.goto(`${srv.url}#${hash}`);
          await page.waitForSelector('#detail-edit');
        } else {
          await login(page, user);
        }
      } else {
        await page.waitForSelector('#login-form, #suggest-form');
      }
      if (prepare) await prepare(page);
      await page.waitForFunction(() => !document.querySelector('.loading'));
      await page.waitForTimeout(300);
      if (hash.includes('lang=ar')) assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl', `${name}: rtl`);
      await axe(page, name);
      const file = name.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '').toLowerCase();
      await screenshot(page, `editor-${file}-${size.width}x${size.height}`);
      noErrors(page);
      await page.evaluate(() => { sessionStorage.clear(); localStorage.removeItem('lernorte.lang'); });
      await page.close();
    }
  });

  test('nothing was fetched from outside 127.0.0.1 except the (aborted) base map', () => {
    const others = br.blocked.filter((u) => !u.startsWith('https://tile.openstreetmap.org/'));
    assert.deepEqual(others, []);
  });
});
