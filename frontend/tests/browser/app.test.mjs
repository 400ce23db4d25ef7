// The citizens' map in a real browser (Debian's Chromium, headless) against the real server with
// the bundled Dresden data. Every request outside 127.0.0.1 (the OpenStreetMap base map) is aborted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServer, startBrowser, openApp, screenshot } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const T = { timeout: 90000 };
const PHONE = { width: 360, height: 640 };
const DESKTOP = { width: 1280, height: 800 };

let srv;
let br;

before(async () => {
  srv = await startServer();
  br = await startBrowser();
}, { timeout: 120000 });

after(async () => {
  if (br) await br.stop();
  if (srv) await srv.stop();
}, { timeout: 30000 });

// ---------------------------------------------------------------- helpers

/** Places on the map now: markers (items API) or what the tile layer drew (clusters counted whole). */
function mapPlaces(page) {
  return page.evaluate(() => {
    const a = window.lernorte;
    const markers = a.markers.getLayers().length;
    const tile = a.mvt ? a.mvt.visiblePoints() : [];
    return {
      markers,
      tilePoints: tile.reduce((n, p) => n + p.count, 0),
      tileCategories: [...new Set(tile.filter((p) => !p.cluster).map((p) => p.category))],
      total: markers + tile.reduce((n, p) => n + p.count, 0),
    };
  });
}

async function status(page) {
  return (await page.locator('#result-status').textContent()).trim();
}

function countIn(text) {
  const m = /([\d.]+)/.exec(text);
  return m ? Number(m[1].replace(/\./g, '')) : (/Keine/.test(text) ? 0 : NaN);
}

async function waitForStatus(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('result-status').textContent), re.source);
  return status(page);
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
  return res.violations;
}

function noErrors(page) {
  assert.deepEqual(page.errors, [], 'no script errors on the page');
}

async function tabUntil(page, predicate, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- tests

describe('citizens\' map', { timeout: 900000 }, () => {
  test('the map loads and shows places on the map and in the list', T, async () => {
    const page = await openApp(br.context, srv.url, '', DESKTOP);
    const s = await waitForStatus(page, /\d+ Orte im Kartenausschnitt/);
    assert.equal(countIn(s), 200, s);
    await page.waitForFunction(() => {
      const a = window.lernorte;
      return a.markers.getLayers().length > 0 || (a.mvt && a.mvt.visiblePoints().length > 0);
    });
    const m = await mapPlaces(page);
    assert.ok(m.total > 0, 'places drawn on the map');
    assert.ok(await page.locator('#result-list a.place-link').count() >= 50);
    // the data licences are in the map attribution
    const attribution = await page.locator('.leaflet-control-attribution').textContent();
    for (const s2 of ['Landeshauptstadt Dresden', 'dl-de/by-2-0', 'Sächsische Schuldatenbank', 'Säbig-Karte', 'OpenStreetMap']) {
      assert.ok(attribution.includes(s2), `attribution lacks ${s2}: ${attribution}`);
    }
    noErrors(page);
    await page.close();
  });

  test('vector tiles answer 200/204, draw Stadträume and places, and their clicks open a place', T, async () => {
    const page = await br.context.newPage();
    await page.setViewportSize(DESKTOP);
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(String(e)));
    const tiles = [];
    page.on('response', (r) => { if (/\/tiles\/\d+\/\d+\/\d+\.mvt/.test(r.url())) tiles.push({ url: r.url(), status: r.status() }); });
    const tj = page.waitForResponse((r) => r.url().endsWith('/tiles.json'));
    await page.goto(srv.url);
    assert.equal((await tj).status(), 200, 'GET /tiles.json');
    await page.waitForSelector('body[data-ready="1"]');
    await page.waitForFunction(() => {
      const st = window.lernorte.mvt && window.lernorte.mvt.stats;
      return st && st.requests > 0 && st.ok + st.empty + st.failed === st.requests;
    });
    assert.ok(tiles.length > 0, 'tiles were requested');
    for (const t of tiles) assert.ok(t.status === 200 || t.status === 204, `${t.url} answered ${t.status}`);
    assert.ok(tiles.some((t) => t.status === 200), 'at least one tile has content');
    const drawn = await page.evaluate(() => ({ polys: window.lernorte.mvt.polygonsDrawn(), points: window.lernorte.mvt.visiblePoints() }));
    assert.ok(drawn.polys > 0, 'Stadtraum polygons drawn from the tiles');
    assert.ok(drawn.points.length > 0, 'places (or clusters) drawn from the tiles');
    assert.equal(drawn.points.reduce((n, p) => n + p.count, 0), 200, 'every place is in a point or a cluster');

    // a click on a cluster zooms in, until single places can be clicked
    let single = drawn.points.find((p) => !p.cluster);
    const box = await page.locator('#map').boundingBox();
    for (let i = 0; !single && i < 4; i++) {
      const c = drawn.points[0];
      const z = await page.evaluate(() => window.lernorte.map.getZoom());
      await page.mouse.click(box.x + c.x, box.y + c.y);
      await page.waitForFunction((z0) => window.lernorte.map.getZoom() > z0, z);
      await page.waitForTimeout(600);
      drawn.points = await page.evaluate(() => window.lernorte.mvt.visiblePoints());
      single = drawn.points.find((p) => !p.cluster);
    }
    assert.ok(single, 'a single place drawn from the tiles');
    await page.mouse.click(box.x + single.x, box.y + single.y);
    await page.waitForSelector('#detail-title');
    assert.equal((await page.locator('#detail-title').textContent()).trim(), single.name);
    assert.match(page.url(), new RegExp(`place=${single.id}`));

    // tile URLs carry the filters, and only matching places are drawn
    await page.locator('[data-action="close-detail"]').click();
    await page.evaluate(() => window.lernorte.map.fitBounds(window.lernorte.config.bounds));
    await page.locator('#filters summary').click();
    await page.locator('#f-category-bibliothek').check();
    await page.waitForFunction(() => {
      const st = window.lernorte.mvt.stats;
      return window.lernorte.mvt._query === 'category=bibliothek' && st.ok + st.empty + st.failed === st.requests;
    });
    await page.waitForTimeout(300);
    assert.ok(tiles.some((t) => t.url.includes('category=bibliothek')), 'filtered tile requests');
    const f = await mapPlaces(page);
    assert.equal(f.tilePoints, 37, 'the 37 libraries in points and clusters');
    assert.deepEqual(f.tileCategories.filter((c) => c !== 'bibliothek'), []);
    noErrors(page);
    await page.close();
  });

  test('filtering by category changes both the map and the list', T, async () => {
    const page = await openApp(br.context, srv.url, '', DESKTOP);
    await waitForStatus(page, /200 Orte/);
    await page.waitForFunction(() => window.lernorte.markers.getLayers().length > 0 || (window.lernorte.mvt && window.lernorte.mvt.visiblePoints().length > 0));
    const before0 = await mapPlaces(page);
    await page.locator('#filters summary').click();
    await page.locator('label[for="f-category-bibliothek"]').click();
    const s = await waitForStatus(page, /^37 Orte/);
    assert.equal(countIn(s), 37);
    assert.match(page.url(), /category=bibliothek/);
    const metas = await page.locator('#result-list .place-meta').allTextContents();
    assert.ok(metas.length > 0 && metas.every((t) => t.startsWith('Bibliothek')), 'only libraries in the list');
    await page.waitForFunction(() => {
      const a = window.lernorte;
      if (a.mvt && a.tilesOk) return a.mvt._query === 'category=bibliothek';
      return a.markers.getLayers().length === 37;
    });
    await page.waitForTimeout(500);
    const after0 = await mapPlaces(page);
    assert.notEqual(after0.total, before0.total, 'the map changed');
    assert.ok(after0.total <= 37, `the map shows at most the 37 libraries (${after0.total})`);
    // OR within a facet, AND across facets
    await page.locator('label[for="f-category-schule"]').click();
    assert.equal(countIn(await waitForStatus(page, /^200 Orte/)), 200);
    await page.locator('label[for="f-target_group-children"]').click();
    const both = countIn(await waitForStatus(page, /^(?!200 )\d+ Orte|Keine/));
    assert.ok(both < 200, 'a second facet narrows the result');
    await page.locator('#reset-filters').click();
    await waitForStatus(page, /^200 Orte/);
    noErrors(page);
    await page.close();
  });

  test('search finds "Zentralbibliothek" and opening it shows its details', T, async () => {
    const page = await openApp(br.context, srv.url, '', DESKTOP);
    await waitForStatus(page, /Orte/);
    await page.locator('#q').fill('Zentralbibliothek');
    await page.locator('#q').press('Enter');
    const s = await waitForStatus(page, /Treffer/);
    assert.equal(countIn(s), 1, s);
    const link = page.locator('#result-list a.place-link').first();
    assert.match(await link.textContent(), /Zentralbibliothek/);
    assert.match(page.url(), /q=Zentralbibliothek/);
    // the hit is on the map as a marker
    await page.waitForFunction(() => window.lernorte.markers.getLayers().length === 1);
    await link.click();
    await page.waitForSelector('#detail-title');
    assert.match(await page.locator('#detail-title').textContent(), /Zentralbibliothek der Städtischen Bibliotheken Dresden/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'detail-title', 'focus moves to the detail');
    const detail = await page.locator('#detail').textContent();
    for (const s2 of ['Schloßstraße 2, 01067 Dresden', 'Bibliothek', 'Alle', 'Rollstuhl', 'Quelle', 'Säbig-Karte', 'Lizenz', 'Stand', 'Stadtraum']) {
      assert.ok(detail.includes(s2), `detail lacks ${s2}`);
    }
    assert.equal(await page.locator('#detail a[href="https://www.bibo-dresden.de/"]').count(), 1);
    const share = await page.locator('#share-url').inputValue();
    assert.match(share, /^http:\/\/127\.0\.0\.1:\d+\/#.*place=[0-9a-f-]{36}/);
    await page.waitForFunction(() => window.lernorte.selected !== null);
    noErrors(page);
    await page.close();
  });

  test('a shared URL restores the same view', T, async () => {
    const page = await openApp(br.context, srv.url, '', DESKTOP);
    await waitForStatus(page, /Orte/);
    await page.locator('#lang-select').selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.locator('#filters summary').click();
    await page.locator('#f-category-schule').check();
    await page.locator('#f-target_group-children').check();
    await waitForStatus(page, /places in the map area/);
    await page.evaluate(() => window.lernorte.map.setView([51.05, 13.75], 13, { animate: false }));
    await page.waitForTimeout(600);
    const first = page.locator('#result-list a.place-link').first();
    const name = (await first.textContent()).trim();
    await first.click();
    await page.waitForSelector('#detail-title');
    const shared = await page.locator('#share-url').inputValue();
    const view = await page.evaluate(() => ({ c: window.lernorte.map.getCenter(), z: window.lernorte.map.getZoom() }));
    // a receiver with no remembered language
    await page.evaluate(() => localStorage.clear());
    await page.close();

    const p2 = await br.context.newPage();
    await p2.setViewportSize(DESKTOP);
    await p2.goto(shared);
    await p2.waitForSelector('body[data-ready="1"]');
    await p2.waitForSelector('#detail-title');
    assert.equal((await p2.locator('#detail-title').textContent()).trim(), name);
    assert.equal(await p2.evaluate(() => document.documentElement.lang), 'en');
    assert.ok(await p2.locator('#f-category-schule').isChecked());
    assert.ok(await p2.locator('#f-target_group-children').isChecked());
    assert.ok(!(await p2.locator('#f-category-bibliothek').isChecked()));
    const v2 = await p2.evaluate(() => ({ c: window.lernorte.map.getCenter(), z: window.lernorte.map.getZoom() }));
    assert.equal(v2.z, view.z);
    assert.ok(Math.abs(v2.c.lat - view.c.lat) < 1e-4 && Math.abs(v2.c.lng - view.c.lng) < 1e-4, 'same map position');
    // back from the detail: the same filtered list
    await p2.locator('[data-action="close-detail"]').click();
    assert.match(await waitForStatus(p2, /places in the map area/), /places/);
    // the view is in the URL too
    const p3 = await openApp(br.context, srv.url, 'view=abc&lang=en', PHONE);
    await p3.waitForSelector('#collection-title');
    assert.equal(await p3.locator('nav.views a[aria-current="page"]').getAttribute('data-view'), 'abc');
    await p3.close();
    await p2.close();
  });

  test('the list view is operable with the keyboard alone', T, async () => {
    const blockedBefore = br.blocked.length;
    const page = await openApp(br.context, srv.url, 'basemap=none', PHONE);
    assert.equal(br.blocked.length, blockedBefore, 'basemap=none: no base map requests');
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    // the tab "Liste"
    assert.ok(await tabUntil(page, () => document.activeElement.matches('nav a[data-view="list"]')), 'reach the list tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.view === 'list');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'results-title');
    // the list fills when the first answer arrives (later on a loaded machine): wait for it, then check
    await page.locator('#result-list a.place-link').first().waitFor({ state: 'visible' });
    assert.ok(await page.locator('#result-list').isVisible());
    // filters by keyboard: open the disclosure, tick "Bibliothek"
    await page.locator('#q').focus();
    assert.ok(await tabUntil(page, () => document.activeElement.matches('#filters summary')), 'reach the filters');
    await page.keyboard.press('Enter');
    assert.ok(await tabUntil(page, () => document.activeElement.id === 'f-category-bibliothek'), 'reach a category');
    await page.keyboard.press('Space');
    await waitForStatus(page, /^37 Orte/);
    // into the list, open a place, come back
    assert.ok(await tabUntil(page, () => document.activeElement.matches('a.place-link'), 120), 'reach a place in the list');
    const id = await page.evaluate(() => document.activeElement.dataset.place);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#detail-title');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'detail-title');
    assert.ok(await tabUntil(page, () => document.activeElement.matches('[data-action="copy-link"]')), 'reach the share button');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.body.dataset.place);
    await page.waitForFunction((pid) => document.activeElement.dataset && document.activeElement.dataset.place === pid, id);
    noErrors(page);
    await page.close();
  });

  test('switching to Arabic sets dir=rtl, and the choice is remembered', T, async () => {
    const page = await openApp(br.context, srv.url, '', PHONE);
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
    await page.locator('#lang-select').selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
    assert.equal((await page.locator('nav a[data-view="list"]').textContent()).trim(), 'القائمة');
    assert.match(page.url(), /lang=ar/);
    await page.goto(srv.url); // no lang in the URL: the remembered language
    await page.waitForSelector('body[data-ready="1"]');
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await screenshot(page, 'rtl-map-360x640');
    // place data stays as entered
    await page.locator('nav a[data-view="list"]').click();
    await page.waitForFunction(() => document.querySelectorAll('#result-list a.place-link').length > 0);
    assert.match(await page.locator('#result-list a.place-link').first().textContent(), /[A-Za-zÄÖÜäöüß0-9]/);
    await page.locator('#lang-select').selectOption('de');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr' && document.documentElement.lang === 'de');
    await page.evaluate(() => localStorage.clear());
    noErrors(page);
    await page.close();
  });

  test('Stadtraum picker zooms to it and shows its figures', T, async () => {
    const page = await openApp(br.context, srv.url, '', DESKTOP);
    await waitForStatus(page, /Orte/);
    const z0 = await page.evaluate(() => window.lernorte.map.getZoom());
    await page.locator('#sr-select').selectOption('2');
    await page.waitForSelector('#figures-title');
    const fig = await page.locator('#figures').textContent();
    assert.match(fig, /Stadtraum 2/);
    assert.match(fig, /Einwohner/);
    assert.match(fig, /Anteil ausländischer/);
    assert.match(fig, /je 10\.000/);
    assert.match(await waitForStatus(page, /im Stadtraum/), /Orte im Stadtraum|Ort im Stadtraum/);
    await page.waitForFunction((z) => window.lernorte.map.getZoom() > z, z0);
    assert.match(page.url(), /stadtraum=2/);
    // the choropleth legend
    assert.ok(await page.locator('.legend li').count() >= 2);
    // a campaign link opens straight into a Stadtraum
    const p2 = await openApp(br.context, srv.url, 'stadtraum=11', PHONE);
    await p2.locator('#mapbar-list').click();
    await p2.waitForSelector('#figures-title');
    assert.match(await p2.locator('#figures-title').textContent(), /Prohlis/);
    noErrors(page);
    await p2.close();
    await page.close();
  });

  test('"near me": the places around, and a clear message when the location is denied', T, async () => {
    const page = await openApp(br.context, srv.url, '', PHONE);
    await br.context.clearPermissions();
    await page.locator('nav a[data-view="list"]').click();
    await page.locator('#near-btn').click();
    await page.waitForFunction(() => /nicht erlaubt|sicheren|nicht verfügbar/.test(document.getElementById('near-msg').textContent));
    assert.equal(await page.locator('#near-msg').getAttribute('role'), 'alert');
    await br.context.grantPermissions(['geolocation'], { origin: srv.url.replace(/\/$/, '') });
    await br.context.setGeolocation({ latitude: 51.050931, longitude: 13.738381 });
    await page.locator('#near-btn').click();
    const s = await waitForStatus(page, /im Umkreis/);
    assert.ok(countIn(s) > 0, s);
    assert.match(await page.locator('#result-list a.place-link').first().textContent(), /Zentralbibliothek/);
    assert.match(await page.locator('#result-list .place-meta').first().textContent(), /\d+ m/);
    assert.match(page.url(), /near=13\.73838,51\.05093&radius=1000/);
    await br.context.clearPermissions();
    noErrors(page);
    await page.close();
  });

  test('"100 Orte" and the ABC are views of their own with a clear empty state', T, async () => {
    const page = await openApp(br.context, srv.url, '', DESKTOP);
    await page.locator('nav a[data-view="orte100"]').click();
    await page.waitForSelector('#collection-title');
    assert.match(await page.locator('#collection').textContent(), /noch ist kein Ort darin/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'collection-title');
    await page.locator('nav a[data-view="abc"]').click();
    await page.waitForFunction(() => /ABC des Lebenslangen Lernens/.test(document.getElementById('collection').textContent));
    assert.match(await page.locator('#collection').textContent(), /noch ist kein Buchstabe vergeben/);
    assert.match(page.url(), /view=abc/);
    noErrors(page);
    await page.close();
  });

  test('axe-core finds no serious or critical violation on the main views', T, async () => {
    const views = [
      ['map, desktop', '', DESKTOP],
      ['list, phone', 'view=list', PHONE],
      ['filters open, phone', 'view=list', PHONE, async (p) => p.locator('#filters summary').click()],
      ['detail, desktop', 'q=Zentralbibliothek', DESKTOP, async (p) => {
        await waitForStatus(p, /Treffer/);
        await p.locator('#result-list a.place-link').first().click();
        await p.waitForSelector('#detail-title');
      }],
      ['Stadtraum, desktop', 'stadtraum=16', DESKTOP, async (p) => p.waitForSelector('#figures-title')],
      ['100 Orte, phone', 'view=orte100', PHONE, async (p) => p.waitForSelector('#collection-title')],
      ['ABC, desktop', 'view=abc', DESKTOP, async (p) => p.waitForSelector('#collection-title')],
      ['Arabic list, phone', 'view=list&lang=ar', PHONE],
      ['Ukrainian map, desktop', 'lang=uk', DESKTOP],
    ];
    for (const [name, hash, size, prepare] of views) {
      const page = await openApp(br.context, srv.url, hash, size);
      await page.waitForFunction(() => document.getElementById('result-status').textContent || document.getElementById('collection').textContent);
      if (prepare) await prepare(page);
      await page.waitForTimeout(300);
      await axe(page, name);
      noErrors(page);
      await page.close();
    }
  });

  test('screenshots at 360×640 and 1280×800', T, async () => {
    const shots = [
      ['map', ''],
      ['list', 'view=list'],
      ['detail', 'q=Zentralbibliothek&view=list'],
      ['stadtraum', 'stadtraum=2&view=list'],
      ['orte100', 'view=orte100'],
      ['abc', 'view=abc'],
      ['arabic', 'view=list&lang=ar'],
    ];
    for (const [name, hash] of shots) {
      for (const size of [PHONE, DESKTOP]) {
        const page = await openApp(br.context, srv.url, hash, size);
        await page.waitForFunction(() => document.getElementById('result-status').textContent || document.getElementById('collection').textContent);
        if (name === 'detail') {
          await page.locator('#result-list a.place-link').first().click();
          await page.waitForSelector('#detail-title');
        }
        await page.waitForTimeout(700);
        const path = await screenshot(page, `${name}-${size.width}x${size.height}`);
        assert.ok(path.endsWith('.png'));
        await page.close();
      }
    }
  });

  test('nothing was fetched from outside 127.0.0.1 except the (aborted) base map', () => {
    const others = br.blocked.filter((u) => !u.startsWith('https://tile.openstreetmap.org/'));
    assert.deepEqual(others, []);
  });
});
