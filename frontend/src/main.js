// Lernorte: the citizens' map. Map and list are equals; the URL fragment holds the state.
import L from 'leaflet';
import './style.css';
import {
  parseHash, toHash, tileParams, itemsParams, needsItemPoints, activeFilterCount, sameFilters, clearFilters,
  sameStadtraeume, LANGS, TARGET_GROUPS, WHEELCHAIR, RADII, OFFER_LANGUAGES, MARKER_ZOOM,
} from './state.js';
import { createI18n } from './i18n.js';
import { getJSON, isAbort } from './api.js';
import { createPicker } from './picker.js';
import { createEditor } from './editor.js';
import { createSuggest } from './suggest.js';
import { categoryColor, categoryLabel, CATEGORY_KEYS } from './categories.js';
import { placeList, placeDetail, orte100View, abcView, stadtraumFigures, stadtraeumeFigures, legend, esc } from './render.js';
import { createPlanner } from './planner.js';
import { quantileClasses, classify } from './geom.js';
import { MvtLayer } from './mvtlayer.js';

const $ = (id) => document.getElementById(id);
const PAGE = 50;
const LANG_KEY = 'lernorte.lang';
const DEFAULT_CONFIG = {
  center: [51.05, 13.74],
  zoom: 12,
  bounds: [[50.985, 13.575], [51.18, 13.97]],
  basemap: {
    url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    maxZoom: 19,
  },
  dataAttribution: '<a href="https://www.govdata.de/dl-de/by-2-0">Landeshauptstadt Dresden (dl-de/by-2-0)</a>, ' +
    'Sächsische Schuldatenbank, Säbig-Karte',
};

const app = {
  state: parseHash(''),
  i18n: null,
  dicts: {},
  config: DEFAULT_CONFIG,
  categories: [],
  stats: null,
  map: null,
  mvt: null,
  fallback: null,          // GeoJSON layer of the Stadträume when the tile routes are not there
  tilesOk: null,           // null: not known yet
  markers: null,
  selected: null,
  results: { key: '', features: [], matched: 0, shown: PAGE, loading: false, error: null },
  detail: null,            // the feature shown in the detail
  srFeatures: new Map(),
  lastHash: null,
  ready: false,
};
window.lernorte = app; // for the browser tests and for debugging in the console

// ---------------------------------------------------------------- language

function storedLang() {
  try { const l = localStorage.getItem(LANG_KEY); return LANGS.includes(l) ? l : null; } catch { return null; }
}

async function loadDict(lang) {
  if (!app.dicts[lang]) app.dicts[lang] = await getJSON(`i18n/${lang}.json`);
  return app.dicts[lang];
}

async function setLanguage(lang) {
  const [de, dict] = await Promise.all([loadDict('de'), loadDict(lang)]);
  app.i18n = createI18n(lang, dict, de);
  document.documentElement.lang = lang;
  document.documentElement.dir = app.i18n.dir;
  $('lang-select').value = lang;
  translateStatic();
}

const t = (key, vars) => app.i18n.t(key, vars);

function translateStatic() {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr, t(key));
    }
  }
  document.title = t('app.title');
}

// ---------------------------------------------------------------- helpers

const catLabel = (key) => categoryLabel(app.i18n, app.categories, key);

function stadtraumName(nr) {
  const s = app.stats && app.stats.stadtraeume.find((x) => x.nr === nr);
  return s ? s.name : '';
}

/** "Johannstadt, Prohlis, Reick und Gorbitz": the names of Stadträume as a list in the language. */
function stadtraumNames(nrs) {
  const names = nrs.map((nr) => stadtraumName(nr) || String(nr));
  try { return new Intl.ListFormat(app.i18n.lang, { type: 'conjunction' }).format(names); } catch { return names.join(', '); }
}

const isPlanner = (s = app.state) => s.view === 'planner' && !s.place;

function hrefFor(patch) {
  return `#${toHash({ ...app.state, ...patch })}`;
}

function renderCtx() {
  return {
    i18n: app.i18n,
    catLabel,
    stadtraumName,
    placeHref: (id) => hrefFor({ place: id }),
    selectedId: app.state.place,
    shareUrl: shareUrl(),
  };
}

function shareUrl() {
  // always with the map position, so the link opens exactly this view
  let s = app.state;
  if (app.map) {
    const c = app.map.getCenter();
    s = { ...s, map: { z: app.map.getZoom(), lat: c.lat, lon: c.lng } };
  }
  return `${location.origin}${location.pathname}#${toHash(s)}`;
}

function isWide() {
  return window.matchMedia('(min-width: 800px)').matches;
}

function bboxOfMap() {
  const b = app.map.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
}

function markerMode(s = app.state) {
  if (isPlanner(s)) return false;
  return s.view === 'orte100' || s.view === 'abc' || needsItemPoints(s) || app.tilesOk === false ||
    (app.map && app.map.getZoom() >= MARKER_ZOOM);
}

function debounce(fn, ms) {
  let h;
  return (...a) => { clearTimeout(h); h = setTimeout(() => fn(...a), ms); };
}

// ---------------------------------------------------------------- navigation

function navigate(patch, { push = true, focus = null } = {}) {
  const prev = app.state;
  const next = { ...prev, ...patch };
  const hash = toHash(next);
  if (push) history.pushState(null, '', `#${hash}`);
  else history.replaceState(null, '', `#${hash}`);
  app.lastHash = location.hash;
  const keepFlash = Boolean(app.flashPending);
  app.flashPending = false;
  if (keepFlash) app.flashSet = location.hash;
  applyState(next, prev, { user: true, focus, keepFlash });
}

function onPopState() {
  if (location.hash === app.lastHash) return;
  const raw = location.hash.replace(/^#/, '');
  if (raw && !raw.includes('=')) return; // a plain in-page anchor, not a state
  app.lastHash = location.hash;
  const prev = app.state;
  applyState(parseHash(location.hash, CATEGORY_KEYS), prev, { fromUrl: true });
}

function writeMapToUrl() {
  const c = app.map.getCenter();
  app.state = { ...app.state, map: { z: app.map.getZoom(), lat: c.lat, lon: c.lng } };
  history.replaceState(null, '', `#${toHash(app.state)}`);
  app.lastHash = location.hash;
  const share = $('share-url');
  if (share) share.value = shareUrl();
}

async function applyState(s, prevState, opts = {}) {
  app.state = s;
  let prev = prevState;
  const lang = s.lang || storedLang() || 'de';
  let relabel = false;
  if (!app.i18n || lang !== app.i18n.lang) {
    await setLanguage(lang);
    rebuildControls();
    relabel = true;
    prev = null; // everything re-renders in the new language
  }
  document.body.dataset.view = s.view;
  document.body.dataset.place = s.place ? '1' : '';
  syncControls();
  updateTabs();

  // the map
  if (opts.fromUrl && s.map) app.map.setView([s.map.lat, s.map.lon], s.map.z, { animate: false });
  if (app.mvt) {
    app.mvt.setQuery(tileParams(s).toString());
    app.mvt.setShowPoints(!markerMode(s) && !isPlanner(s));
  }
  if (!prev || prev.category.join() !== s.category.join() || !app.legendHtml || isPlanner(prev) !== isPlanner(s) ||
    (isPlanner(s) && !sameStadtraeume(prev.stadtraum, s.stadtraum))) restyleChoropleth();
  if (!prev || String(prev.near) !== String(s.near) || prev.radius !== s.radius) drawNear(opts.user && s.near);
  if (!prevState || !sameStadtraeume(prevState.stadtraum, s.stadtraum) || isPlanner(prevState) !== isPlanner(s)) {
    // the planners' view draws the selection itself, and a click there must not move the map
    showStadtraum(s.stadtraum, { zoom: s.stadtraum.length > 0 && !isPlanner(s) && (opts.user || !s.map) });
  } else if (relabel) {
    renderFigures();
  }

  // the panel
  const collection = s.view === 'orte100' || s.view === 'abc';
  const tool = s.view === 'editor' || s.view === 'suggest' || s.view === 'planner';
  $('finder').hidden = collection || tool || Boolean(s.place);
  $('figures').hidden = collection || tool || Boolean(s.place);
  $('results').hidden = collection || tool || Boolean(s.place);
  $('collection').hidden = !collection || Boolean(s.place);
  $('editor').hidden = s.view !== 'editor' || Boolean(s.place);
  $('suggest').hidden = s.view !== 'suggest' || Boolean(s.place);
  $('planner').hidden = s.view !== 'planner' || Boolean(s.place);
  $('detail').hidden = !s.place;
  if (opts.user && !opts.keepFlash && app.flashSet !== location.hash) setFlash('');
  // the editors' and the suggestion view show the map as a strip on phones: keep its centre then
  requestAnimationFrame(() => app.map.invalidateSize({ pan: tool }));

  if (opts.user && prevState && prevState.view !== s.view && !s.place) focusView(s.view);
  if (!prev || prev.place !== s.place) showDetail(s.place, { focus: opts.user && s.place });
  if (!prev || !sameFilters(prev, s) || prev.view !== s.view) {
    refreshResults({
      fit: Boolean(opts.user && prev && (s.q !== prev.q || s.near !== prev.near)),
      force: true,
    });
  } else if (!s.place && prev && prev.place) {
    renderResults();
  }
  const toolOpts = { user: Boolean(opts.user), relabel };
  if (app.editor) await app.editor.apply(s, toolOpts);
  if (app.suggest) await app.suggest.apply(s, toolOpts);
  if (app.planner) await app.planner.apply(s, toolOpts);
  if (opts.focus) focusEl(opts.focus);
}

// ---------------------------------------------------------------- editors and suggestions

/** A message over the panel that outlives one navigation (e.g. "saved" above the place saved). */
function setFlash(text) {
  const el = $('flash');
  if (!el) return;
  el.textContent = text;
  app.flashSet = text ? location.hash : null;
}

/** After a write of this browser: the list, the markers, the tiles and the detail load anew. */
function afterWrite() {
  app.detail = null;
  app.results.key = '';
  if (app.mvt) app.mvt.redraw();
  refreshResultsSoon();
}

function toolEnv() {
  return {
    app,
    t,
    navigate: (patch, opts) => navigate(patch, opts),
    hrefFor,
    catLabel,
    picker: app.picker,
    map: app.map,
    afterWrite,
    flash: (text) => { setFlash(text); app.flashPending = true; },
    languageName: (code) => app.i18n.languageName(code),
  };
}

function focusEl(el) {
  const e = typeof el === 'string' ? $(el) : el;
  if (e) e.focus({ preventScroll: false });
}

function focusView(view) {
  if (view === 'list') focusEl('results-title');
  else if (view === 'orte100' || view === 'abc') app.pendingFocus = 'collection-title';
}

function updateTabs() {
  for (const a of document.querySelectorAll('a[data-view]')) {
    const v = a.dataset.view;
    a.setAttribute('href', hrefFor({ view: v, place: null, ed: null, item: null }));
    if (a.closest('nav')) {
      if (v === app.state.view) {
        a.setAttribute('aria-current', 'page');
        // on a phone the tabs scroll sideways: keep the current one in sight
        const ul = a.closest('ul');
        if (ul && ul.scrollWidth > ul.clientWidth) a.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      } else {
        a.removeAttribute('aria-current');
      }
    }
  }
}

// ---------------------------------------------------------------- controls

function checkbox(name, value, label, { lang = null, color = null } = {}) {
  const id = `f-${name}-${value}`;
  const l = lang ? ` lang="${esc(lang)}"` : '';
  const dot = color ? `<span class="dot" style="background:${color}" aria-hidden="true"></span>` : '';
  return `<label for="${id}"><input type="checkbox" id="${id}" data-facet="${name}" value="${esc(value)}"> ${dot}<span${l}>${esc(label)}</span></label>`;
}

function rebuildControls() {
  const cats = app.categories.length ? app.categories : CATEGORY_KEYS.map((key) => ({ key, places: 1 }));
  const shownCats = cats.filter((c) => c.places > 0 || app.state.category.includes(c.key));
  $('f-category').innerHTML = shownCats.map((c) => {
    const n = typeof c.places === 'number' && app.categories.length ? ` (${app.i18n.number(c.places)})` : '';
    return checkbox('category', c.key, catLabel(c.key) + n, { color: categoryColor(c.key) });
  }).join('');
  $('f-target_group').innerHTML = TARGET_GROUPS.map((g) => checkbox('target_group', g, t(`tg.${g}`))).join('');
  const langs = [...new Set([...OFFER_LANGUAGES, ...app.state.language])];
  $('f-language').innerHTML = langs.map((l) => checkbox('language', l, app.i18n.languageName(l))).join('');
  $('f-wheelchair').innerHTML = WHEELCHAIR.map((w) => checkbox('wheelchair', w, t(`wheelchair.${w}`))).join('');
  $('radius').innerHTML = RADII.map((r) => `<option value="${r}">${esc(r < 1000 ? t('unit.m', { n: r }) : t('unit.km', { n: r / 1000 }))}</option>`).join('');
  const srs = app.stats ? app.stats.stadtraeume : [];
  $('sr-select').innerHTML = `<option value="">${esc(t('stadtraum.all'))}</option>` +
    srs.map((s) => `<option value="${s.nr}">${esc(`${s.nr} · ${s.name}`)}</option>`).join('');
  buildZoomControl();
  updateAttribution();
}

function syncControls() {
  const s = app.state;
  for (const input of document.querySelectorAll('input[data-facet]')) {
    input.checked = s[input.dataset.facet].includes(input.value);
  }
  $('f-free').checked = s.free;
  if (document.activeElement !== $('q')) $('q').value = s.q;
  // several Stadträume (a campaign's landing link): one extra option that stands for all of them
  const sel = $('sr-select');
  const several = sel.querySelector('option[data-several]');
  if (several) several.remove();
  if (s.stadtraum.length > 1) {
    const o = document.createElement('option');
    o.value = s.stadtraum.join(',');
    o.dataset.several = '1';
    o.textContent = `${s.stadtraum.join(', ')} · ${stadtraumNames(s.stadtraum)}`;
    sel.append(o);
  }
  sel.value = s.stadtraum.join(',');
  $('radius').value = String(s.radius);
  $('near-clear').hidden = !s.near;
  const n = activeFilterCount(s);
  $('filter-count').textContent = n ? t('filters.active', { n }) : '';
}

function facetValues(name) {
  return [...document.querySelectorAll(`input[data-facet="${name}"]:checked`)].map((i) => i.value);
}

function wireControls() {
  $('lang-select').addEventListener('change', (e) => {
    const lang = e.target.value;
    try { localStorage.setItem(LANG_KEY, lang); } catch { /* private mode */ }
    navigate({ lang: lang === 'de' ? null : lang }, { push: false });
  });
  $('filters').addEventListener('change', (e) => {
    const el = e.target;
    if (el.dataset.facet) navigate({ [el.dataset.facet]: facetValues(el.dataset.facet), place: null });
    else if (el.id === 'f-free') navigate({ free: el.checked, place: null });
  });
  $('reset-filters').addEventListener('click', () => navigate({ ...clearFilters(app.state), stadtraum: app.state.stadtraum, place: null }));
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = $('q').value.trim();
    navigate({ q, place: null, view: isWide() || app.state.view !== 'map' ? app.state.view : 'list' });
  });
  $('q').addEventListener('search', () => { if (!$('q').value && app.state.q) navigate({ q: '' }); });
  $('sr-select').addEventListener('change', (e) => {
    const nrs = e.target.value ? e.target.value.split(',').map(Number) : [];
    navigate({ stadtraum: nrs, place: null });
  });
  $('radius').addEventListener('change', (e) => {
    const r = Number(e.target.value);
    navigate({ radius: r }, { push: !!app.state.near });
  });
  $('near-btn').addEventListener('click', locate);
  $('near-clear').addEventListener('click', () => { nearMsg(''); navigate({ near: null }); });
  $('more-btn').addEventListener('click', () => {
    const first = app.results.shown;
    app.results.shown += PAGE;
    renderResults();
    const link = $('result-list').querySelectorAll('a.place-link')[first];
    if (link) link.focus();
  });

  // place links, actions and tabs anywhere
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const link = e.target.closest('a.place-link');
    if (link) {
      e.preventDefault();
      app.returnFocus = link.dataset.place;
      navigate({ place: link.dataset.place });
      return;
    }
    const tab = e.target.closest('a[data-view]');
    if (tab) {
      e.preventDefault();
      navigate({ view: tab.dataset.view, place: null, ed: null, item: null });
      return;
    }
    const skip = e.target.closest('a[data-skip]');
    if (skip) {
      e.preventDefault();
      if (app.state.place) navigate({ place: null });
      focusEl(app.state.view === 'orte100' || app.state.view === 'abc' ? 'collection-title' : skip.dataset.skip);
      return;
    }
    const action = e.target.closest('[data-action]');
    if (action) onAction(action.dataset.action, action);
    const letter = e.target.closest('button[data-letter]');
    if (letter) {
      const h = $(`abc-h-${letter.dataset.letter}`);
      if (h) { h.scrollIntoView({ block: 'start' }); h.focus({ preventScroll: true }); }
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && app.state.place && !e.target.closest('.leaflet-container')) closeDetail();
  });
  window.addEventListener('popstate', onPopState);
  window.matchMedia('(min-width: 800px)').addEventListener('change', () => {
    app.map.invalidateSize();
    if (app.legendEl) app.legendEl.open = isWide();
  });
}

function onAction(action) {
  if (action === 'close-detail') closeDetail();
  else if (action === 'clear-stadtraum') navigate({ stadtraum: [] }, { focus: 'sr-select' });
  else if (action === 'copy-link') copyLink();
  else if (action === 'native-share') {
    navigator.share({ title: app.detail ? app.detail.properties.name : t('app.title'), url: shareUrl() }).catch(() => {});
  } else if (action === 'show-on-map') {
    const f = app.detail;
    if (f) {
      const [lon, lat] = f.geometry.coordinates;
      if (!isWide()) navigate({ view: 'map' });
      app.map.setView([lat, lon], Math.max(app.map.getZoom(), 16));
      if (app.selected) setTimeout(() => { const el = app.selected.getElement(); if (el) el.focus(); }, 50);
    }
  }
}

function closeDetail() {
  const id = app.returnFocus || app.state.place;
  navigate({ place: null });
  requestAnimationFrame(() => {
    const link = document.querySelector(`a.place-link[data-place="${CSS.escape(id || '')}"]`);
    if (link && link.offsetParent) link.focus();
    else if (!$('results').hidden) focusEl('results-title');
    else if (!$('collection').hidden) focusEl('collection-title');
    else if (!$('editor').hidden) focusEl($('ed-page-title') || 'editor-title');
    else if (!$('suggest').hidden) focusEl('suggest-title');
    else if (!$('planner').hidden) focusEl('planner-title');
    else focusEl(app.map.getContainer());
  });
}

async function copyLink() {
  const input = $('share-url');
  const status = $('share-status') || Object.assign(document.createElement('p'), { id: 'share-status', className: 'msg' });
  status.setAttribute('role', 'status');
  if (!status.parentNode) input.closest('.share').appendChild(status);
  let ok = false;
  try {
    await navigator.clipboard.writeText(input.value);
    ok = true;
  } catch {
    input.focus();
    input.select();
    try { ok = document.execCommand('copy'); } catch { ok = false; }
  }
  status.textContent = ok ? t('detail.copied') : t('detail.copy_manually');
}

// ---------------------------------------------------------------- near me

function nearMsg(text) {
  $('near-msg').textContent = text;
}

function locate() {
  if (!('geolocation' in navigator)) { nearMsg(t('near.unsupported')); return; }
  nearMsg(t('near.locating'));
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      nearMsg('');
      navigate({ near: [pos.coords.longitude, pos.coords.latitude], place: null });
    },
    (err) => {
      if (err.code === 1) nearMsg(window.isSecureContext ? t('near.denied') : t('near.insecure'));
      else if (err.code === 3) nearMsg(t('near.timeout'));
      else nearMsg(t('near.unavailable'));
    },
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
  );
}

function drawNear(fit) {
  if (app.nearLayer) { app.nearLayer.remove(); app.nearLayer = null; }
  const s = app.state;
  if (!s.near) return;
  const ll = [s.near[1], s.near[0]];
  app.nearLayer = L.layerGroup([
    L.circle(ll, { radius: s.radius, color: '#0b4f94', weight: 2, fillOpacity: 0.06, interactive: false }),
    L.circleMarker(ll, { radius: 7, color: '#ffffff', weight: 2, fillColor: '#0b4f94', fillOpacity: 1, interactive: false }),
  ]).addTo(app.map);
  if (fit) app.map.fitBounds(app.nearLayer.getLayers()[0].getBounds(), { padding: [20, 20] });
}

// ---------------------------------------------------------------- Stadtraum

async function stadtraumFeature(nr) {
  if (!app.srFeatures.has(nr)) app.srFeatures.set(nr, getJSON(`api/collections/stadtraeume/items/${nr}`));
  return app.srFeatures.get(nr);
}

async function showStadtraum(nrs, { zoom }) {
  if (app.srOutline) { app.srOutline.remove(); app.srOutline = null; }
  renderFigures();
  if (!nrs.length || isPlanner()) return;
  try {
    const fs = await Promise.all(nrs.map((nr) => stadtraumFeature(nr)));
    if (!sameStadtraeume(app.state.stadtraum, nrs) || isPlanner()) return;
    if (app.srOutline) app.srOutline.remove();
    app.srOutline = L.geoJSON({ type: 'FeatureCollection', features: fs }, {
      interactive: false,
      style: { color: '#111', weight: 3, dashArray: '6 4', fill: false },
    }).addTo(app.map);
    if (zoom) app.map.fitBounds(app.srOutline.getBounds(), { padding: [12, 12] });
  } catch (err) {
    console.warn('Stadtraum', nrs, err);
  }
}

function renderFigures() {
  const nrs = app.state.stadtraum;
  const box = $('figures');
  if (!nrs.length || !app.stats) { box.innerHTML = ''; return; }
  const stats = nrs.map((nr) => app.stats.stadtraeume.find((s) => s.nr === nr)).filter(Boolean);
  if (!stats.length) { box.innerHTML = ''; return; }
  box.innerHTML = stats.length === 1 ? stadtraumFigures(stats[0], app.stats.total, renderCtx()) : stadtraeumeFigures(stats, renderCtx());
}

/** The value that colours a Stadtraum: places per 10,000 residents (of the one chosen category). */
function choroplethValue(nr, tileValue) {
  const cat = app.state.category.length === 1 ? app.state.category[0] : null;
  const s = app.stats && app.stats.stadtraeume.find((x) => x.nr === Number(nr));
  if (s) {
    if (cat) {
      const c = s.categories.find((x) => x.category === cat);
      return c ? c.per_10k : 0;
    }
    return s.per_10k;
  }
  return Number(tileValue);
}

function restyleChoropleth() {
  const cat = app.state.category.length === 1 ? app.state.category[0] : null;
  const values = app.stats ? app.stats.stadtraeume.map((s) => choroplethValue(s.nr)) : [];
  app.classes = quantileClasses(values);
  if (isPlanner() && app.planner) {
    // the planners' view: the chosen Stadträume stand out, the others stay plain
    const chosen = (props) => (app.state.stadtraum.includes(Number(props.nr)) ? app.planner.colors.selected : '#ffffff');
    if (app.mvt) app.mvt.setFillColor(chosen);
    if (app.fallback) app.fallback.setStyle((f) => ({ fillColor: chosen(f.properties) }));
    app.legendHtml = 'planner';
    if (app.legendBody) replaceLegend(app.planner.legend());
    if (app.legendSummary) app.legendSummary.textContent = t('map.legend_short');
    return;
  }
  const fill = (props) => classify(choroplethValue(props.nr, props.per_10k), app.classes);
  if (app.mvt) app.mvt.setFillColor(fill);
  if (app.fallback) {
    app.fallback.setStyle((f) => ({ fillColor: fill(f.properties) || '#ffffff' }));
  }
  const title = cat ? t('map.legend_cat', { cat: catLabel(cat) }) : t('map.legend');
  app.legendHtml = app.classes.length ? legend(app.classes, title, renderCtx()) : '';
  if (app.legendBody) app.legendBody.innerHTML = app.legendHtml;
  if (app.legendSummary) app.legendSummary.textContent = t('map.legend_short');
}

function replaceLegend(...nodes) {
  app.legendBody.replaceChildren(...nodes.flat());
}

function stadtraumPopup(props, latlng) {
  const nr = Number(props.nr);
  const stat = app.stats && app.stats.stadtraeume.find((x) => x.nr === nr);
  const name = (stat && stat.name) || props.name || String(nr);
  const per10k = stat ? stat.per_10k : Number(props.per_10k);
  const div = document.createElement('div');
  div.className = 'sr-popup';
  div.innerHTML = `<p class="sr-popup-title"><strong dir="auto">${esc(name)}</strong></p>` +
    (Number.isFinite(per10k) ? `<p>${esc(t('map.popup_per10k', { v: app.i18n.number(per10k, { maximumFractionDigits: 2 }) }))}</p>` : '') +
    `<button type="button" class="btn">${esc(t('map.popup_show'))}</button>`;
  div.querySelector('button').addEventListener('click', () => {
    app.map.closePopup();
    navigate({ stadtraum: [nr], place: null }, { focus: 'figures-title' });
  });
  L.popup({ maxWidth: 260 }).setLatLng(latlng).setContent(div).openOn(app.map);
}

// ---------------------------------------------------------------- map

function createMap() {
  const cfg = app.config;
  const map = L.map('map', {
    zoomControl: false,
    minZoom: 9,
    maxZoom: 19,
    attributionControl: true,
    worldCopyJump: false,
  });
  app.map = map;
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  const s = app.state;
  if (s.map) map.setView([s.map.lat, s.map.lon], s.map.z);
  else map.fitBounds(cfg.bounds);

  const basemapOff = s.basemap === 'none' || !cfg.basemap || !cfg.basemap.url;
  if (!basemapOff) {
    app.basemap = L.tileLayer(cfg.basemap.url, {
      attribution: cfg.basemap.attribution || '',
      maxZoom: cfg.basemap.maxZoom || 19,
      crossOrigin: false,
    }).addTo(map);
  }
  map.getContainer().classList.toggle('no-basemap', basemapOff);

  map.createPane('stadtraeume').style.zIndex = 350;
  map.createPane('lernorte-points').style.zIndex = 390;
  app.markers = L.layerGroup().addTo(map);
  app.picker = createPicker(map);
  map.on('click', (e) => {
    if (!app.picker.active) return;
    if (app.picker.yieldToPlaces && app.mvt) {
      const hit = app.mvt.hitTest(e.latlng);
      if (hit && hit.type !== 'stadtraum') return; // the tile layer opens the place (onFeatureClick)
    }
    app.picker.click(e.latlng);
  });

  const legendCtl = L.control({ position: 'topright' });
  legendCtl.onAdd = () => {
    const d = L.DomUtil.create('details', 'legend');
    d.open = isWide();
    app.legendSummary = L.DomUtil.create('summary', '', d);
    app.legendBody = L.DomUtil.create('div', 'legend-body', d);
    L.DomEvent.disableClickPropagation(d);
    L.DomEvent.disableScrollPropagation(d);
    app.legendEl = d;
    return d;
  };
  legendCtl.addTo(map);

  const zoomClass = () => {
    const z = map.getZoom();
    map.getContainer().classList.toggle('z-low', z < 13);
    if (app.mvt) app.mvt.setFillOpacity(z >= MARKER_ZOOM ? 0.2 : 0.45);
    if (app.fallback) app.fallback.setStyle({ fillOpacity: z >= MARKER_ZOOM ? 0.2 : 0.45 });
  };
  zoomClass();
  map.on('zoomend', zoomClass);
  map.on('moveend', () => {
    writeMapToUrl();
    if (app.mvt) app.mvt.setShowPoints(!markerMode() && !isPlanner());
    refreshResultsSoon();
  });
}

function buildZoomControl() {
  if (!app.map) return;
  if (app.zoomCtl) app.zoomCtl.remove();
  app.zoomCtl = L.control.zoom({ position: 'topleft', zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') }).addTo(app.map);
}

function updateAttribution() {
  if (!app.map) return;
  const ac = app.map.attributionControl;
  if (app.dataAttribution) ac.removeAttribution(app.dataAttribution);
  app.dataAttribution = `${esc(t('map.data'))}: ${app.config.dataAttribution}`;
  ac.addAttribution(app.dataAttribution);
}

async function initTiles() {
  let tj = null;
  try {
    tj = await getJSON('tiles.json');
  } catch {
    tj = null;
  }
  if (tj) {
    app.tilesOk = true;
    const max = Number.isInteger(tj.maxzoom) ? tj.maxzoom : 16;
    const min = Number.isInteger(tj.minzoom) ? tj.minzoom : 0;
    app.mvt = new MvtLayer({
      pane: 'stadtraeume', pointsPane: 'lernorte-points', maxNativeZoom: max, minNativeZoom: min, baseUrl: '',
      fillOpacity: app.map.getZoom() >= MARKER_ZOOM ? 0.2 : 0.45,
    });
    app.mvt.setQuery(tileParams(app.state).toString());
    app.mvt._showPoints = !markerMode() && !isPlanner();
    app.mvt.on('featureclick', (e) => onFeatureClick(e.hit));
    app.mvt.addTo(app.map);
  } else {
    // The tile routes are missing: draw the Stadträume from GeoJSON and the places as markers.
    app.tilesOk = false;
    try {
      const fc = await getJSON('api/collections/stadtraeume/items?limit=100');
      app.fallback = L.geoJSON(fc, {
        pane: 'stadtraeume',
        style: () => ({ color: '#28283c', weight: 1.2, fillOpacity: app.map.getZoom() >= MARKER_ZOOM ? 0.2 : 0.45, fillColor: '#ffffff' }),
        onEachFeature: (f, layer) => layer.on('click', (e) => {
          if (app.picker && app.picker.active) return; // the click reaches the map, which picks
          if (isPlanner()) { app.planner.toggle(Number(f.properties.nr)); return; }
          stadtraumPopup(f.properties, e.latlng);
        }),
      }).addTo(app.map);
    } catch (err) {
      console.warn('Stadträume', err);
    }
  }
  restyleChoropleth();
}

function onFeatureClick(hit) {
  // while a form picks a position, a click picks (see createMap); on the editors' home places still open
  if (app.picker && app.picker.active && (!app.picker.yieldToPlaces || hit.type === 'stadtraum')) return;
  if (isPlanner()) {
    // the planners' view: a click on a Stadtraum adds it to the selection or takes it out
    if (hit.type === 'stadtraum') app.planner.toggle(Number(hit.props.nr));
    return;
  }
  if (hit.type === 'place' && hit.props.id) {
    app.returnFocus = String(hit.props.id);
    navigate({ place: String(hit.props.id) });
  } else if (hit.type === 'cluster') {
    app.map.setView(hit.latlng, Math.min(app.map.getZoom() + 2, MARKER_ZOOM));
  } else if (hit.type === 'stadtraum') {
    stadtraumPopup(hit.props, hit.latlng);
  }
}

function markerIcon(category, selected = false) {
  return L.divIcon({
    className: `lo-marker${selected ? ' is-selected' : ''}`,
    html: `<span style="background:${categoryColor(category)}"></span>`,
    iconSize: selected ? [30, 30] : [22, 22],
    iconAnchor: selected ? [15, 15] : [11, 11],
  });
}

function updateMarkers(features) {
  const mode = markerMode();
  const mkey = mode ? app.results.key : '';
  if (features === app.markerFeatures && mkey === app.markersKey) return;
  app.markerFeatures = features;
  app.markersKey = mkey;
  app.markers.clearLayers();
  if (!mode) { app.map.getContainer().dataset.markers = '0'; return; }
  for (const f of features) {
    const p = f.properties;
    if (!f.geometry || f.geometry.type !== 'Point') continue;
    const [lon, lat] = f.geometry.coordinates;
    const m = L.marker([lat, lon], {
      icon: markerIcon(p.category),
      title: p.name,
      alt: p.name,
      keyboard: true,
      riseOnHover: true,
    });
    m.on('click', (e) => {
      if (app.picker && app.picker.active && !app.picker.yieldToPlaces) { app.picker.click(e.latlng); return; }
      app.returnFocus = p.id;
      navigate({ place: p.id });
    });
    m.addTo(app.markers);
    const el = m.getElement();
    if (el) { el.setAttribute('aria-label', p.name); el.dataset.id = p.id; }
  }
  app.map.getContainer().dataset.markers = String(app.markers.getLayers().length);
}

function showSelected(f) {
  if (app.selected) { app.selected.remove(); app.selected = null; }
  if (!f || !f.geometry) return;
  const [lon, lat] = f.geometry.coordinates;
  app.selected = L.marker([lat, lon], {
    icon: markerIcon(f.properties.category, true),
    title: f.properties.name,
    keyboard: true,
    zIndexOffset: 1000,
  }).addTo(app.map);
  const el = app.selected.getElement();
  if (el) el.setAttribute('aria-label', f.properties.name);
  app.selected.on('click', () => focusEl('detail-title'));
}

// ---------------------------------------------------------------- results

const refreshResultsSoon = debounce(() => refreshResults(), 250);

function renderPanel() {
  const s = app.state;
  if (s.view === 'orte100' || s.view === 'abc') renderCollection();
  else renderResults();
}

async function refreshResults({ fit = false, force = false } = {}) {
  const s = app.state;
  const params = itemsParams(s, bboxOfMap());
  const key = params.toString();
  if (key === app.results.key && !app.results.error) {
    if (force) renderPanel();
    updateMarkers(app.results.features);
    return;
  }
  if (app.resultsCtrl) app.resultsCtrl.abort();
  const ctrl = new AbortController();
  app.resultsCtrl = ctrl;
  app.results.loading = true;
  $('results').setAttribute('aria-busy', 'true');
  try {
    const fc = await getJSON(`api/collections/places/items?${key}`, { signal: ctrl.signal });
    let features = fc.features || [];
    if (!s.q && !s.near) {
      features = features.slice().sort((a, b) => String(a.properties.name).localeCompare(String(b.properties.name), 'de', { numeric: true }));
    }
    app.results = { key, features, matched: fc.numberMatched ?? features.length, shown: PAGE, loading: false, error: null };
  } catch (err) {
    if (isAbort(err)) return;
    app.results = { key, features: [], matched: 0, shown: PAGE, loading: false, error: err };
  } finally {
    if (app.resultsCtrl === ctrl) $('results').removeAttribute('aria-busy');
  }
  renderPanel();
  updateMarkers(app.results.features);
  if (fit && app.results.features.length && (s.q || s.near)) {
    const b = L.latLngBounds(app.results.features.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]));
    if (s.near) b.extend(app.nearLayer.getLayers()[0].getBounds());
    app.map.fitBounds(b, { padding: [24, 24], maxZoom: 16 });
  }
}

function statusText() {
  const s = app.state;
  const r = app.results;
  if (r.error) return t('results.error');
  const n = r.matched;
  let text;
  if (s.q) text = t('results.search', { n, q: s.q });
  else if (s.near) text = t('results.near', { n });
  else if (s.stadtraum.length === 1) text = t('results.stadtraum', { n, name: stadtraumName(s.stadtraum[0]) });
  else if (s.stadtraum.length > 1) text = t('results.stadtraeume', { n, names: stadtraumNames(s.stadtraum) });
  else text = t('results.in_view', { n });
  if (r.features.length < n) text += ` ${t('results.truncated', { shown: r.features.length })}`;
  return text;
}

function renderResults() {
  const r = app.results;
  const status = statusText();
  if ($('result-status').textContent !== status) $('result-status').textContent = status;
  $('mapbar-status').textContent = status;
  const ctx = renderCtx();
  if (!r.features.length) {
    $('result-list').innerHTML = r.error
      ? `<p class="empty">${esc(t('results.error_detail'))}</p>`
      : `<p class="empty">${esc(t('results.empty'))}</p>`;
  } else {
    $('result-list').innerHTML = placeList(r.features, ctx, { limit: r.shown });
  }
  const more = r.features.length - r.shown;
  $('more-btn').hidden = more <= 0;
  if (more > 0) $('more-btn').textContent = t('results.more', { n: Math.min(PAGE, more) });
}

function renderCollection() {
  const ctx = renderCtx();
  const html = app.state.view === 'orte100' ? orte100View(app.results.features, ctx) : abcView(app.results.features, ctx);
  $('collection').innerHTML = html;
  if (app.pendingFocus === 'collection-title') { app.pendingFocus = null; focusEl('collection-title'); }
  const status = app.results.error ? t('results.error') : t('results.collection', { n: app.results.features.length });
  $('mapbar-status').textContent = status;
}

// ---------------------------------------------------------------- detail

async function showDetail(id, { focus = false } = {}) {
  const box = $('detail');
  if (!id) {
    app.detail = null;
    showSelected(null);
    box.innerHTML = '';
    return;
  }
  let f = app.detail && app.detail.properties.id === id ? app.detail : null;
  if (!f) {
    // the list may already hold it (and with distance_m); the single-item route always does
    f = app.results.features.find((x) => x.properties.id === id) || null;
    try {
      const fresh = await getJSON(`api/collections/places/items/${encodeURIComponent(id)}`);
      if (f && typeof f.properties.distance_m === 'number') fresh.properties.distance_m = f.properties.distance_m;
      f = fresh;
    } catch (err) {
      if (app.state.place !== id) return;
      app.detail = null;
      showSelected(null);
      box.innerHTML = `<article class="detail"><button type="button" class="btn btn-back" data-action="close-detail">${esc(t('detail.back'))}</button>` +
        `<h2 id="detail-title" tabindex="-1">${esc(t('detail.not_found_title'))}</h2><p>${esc(err.status === 404 ? t('detail.not_found') : t('results.error_detail'))}</p></article>`;
      if (focus) focusEl('detail-title');
      return;
    }
  }
  if (app.state.place !== id) return;
  app.detail = f;
  box.innerHTML = placeDetail(f, renderCtx());
  if (navigator.share) box.querySelector('[data-action="native-share"]').hidden = false;
  if (app.editor) app.editor.decorateDetail(box.querySelector('article.detail'), f);
  showSelected(f);
  const [lon, lat] = f.geometry.coordinates;
  const ll = L.latLng(lat, lon);
  if (app.centerOnPlace === id) {
    // a link to a place without a map position: show the place close up
    app.centerOnPlace = null;
    app.map.setView(ll, 16, { animate: false });
  } else if (!app.map.getBounds().pad(-0.1).contains(ll)) {
    app.map.panTo(ll);
  }
  if (focus) focusEl('detail-title');
}

// ---------------------------------------------------------------- boot

async function boot() {
  app.state = parseHash(location.hash, CATEGORY_KEYS);
  app.lastHash = location.hash;
  if (app.state.place && !app.state.map) app.centerOnPlace = app.state.place;
  const lang = app.state.lang || storedLang() || 'de';
  const configP = getJSON('config.json').catch(() => ({}));
  const catsP = getJSON('api/categories').then((c) => c.categories).catch(() => []);
  const statsP = getJSON('api/stadtraeume/stats').catch(() => null);
  await setLanguage(lang);
  app.config = { ...DEFAULT_CONFIG, ...(await configP) };
  createMap();
  wireControls();
  app.editor = createEditor(toolEnv());
  app.suggest = createSuggest(toolEnv());
  app.planner = createPlanner({ ...toolEnv(), editor: app.editor, restyle: () => restyleChoropleth(), stadtraumNames });
  app.editor.init();
  const tilesP = initTiles();
  [app.categories, app.stats] = await Promise.all([catsP, statsP]);
  rebuildControls();
  await tilesP;
  await applyState(app.state, null, { initial: true });
  app.ready = true;
  document.body.dataset.ready = '1';
}

boot().catch((err) => {
  console.error(err);
  const p = document.createElement('p');
  p.className = 'fatal';
  p.setAttribute('role', 'alert');
  p.textContent = 'Die Karte konnte nicht starten. / The map could not start.';
  document.body.prepend(p);
});
