// The app state and its URL form. Pure functions, no DOM: unit-tested in tests/unit/state.test.mjs.
//
// The state lives in the fragment (#view=list&category=schule&place=…), not in the query string:
// a fragment never reaches the server, so any static host works and the query string stays free
// for campaign parameters (utm_*), which the server ignores on static files.

export const VIEWS = ['map', 'list', 'orte100', 'abc', 'suggest', 'editor', 'planner'];
// The campaign planners' view (view=planner): its parameters, as the targets API names them.
export const PLATFORM_RE = /^[a-z0-9_-]{1,30}$/;
export const PLAN_MODES = ['circles', 'postcodes'];
export const PLAN_SHARES = ['residents', 'area'];
export const PLAN_DEFAULTS = { platform: 'meta', mode: 'circles', radius_m: null, target: 95, threshold: 50, share: 'residents', exclude: false, campaign: '' };
export const STADTRAUM_MAX = 17;
// Pages of the editors' view (view=editor&ed=…); `item` is the place or queue entry they work on.
export const EDITOR_PAGES = ['home', 'new', 'edit', 'history', 'queue'];
export const QUEUE_STATUSES = ['pending', 'accepted', 'rejected', 'all'];
export const QUEUE_KINDS = ['all', 'suggestion', 'candidate'];
export const LANGS = ['de', 'en', 'uk', 'ar'];
export const TARGET_GROUPS = ['children', 'youth', 'families', 'adults', 'seniors', 'newcomers', 'everyone'];
export const WHEELCHAIR = ['yes', 'limited', 'no', 'unknown'];
export const RADII = [500, 1000, 2000, 5000];
// Languages offered for the language facet (ISO 639-1): the languages most spoken in Dresden
// besides German, and those of the interface.
export const OFFER_LANGUAGES = ['de', 'en', 'uk', 'ar', 'ru', 'fa', 'tr', 'pl', 'cs', 'vi', 'fr', 'es', 'it', 'ku', 'ps', 'ti', 'so', 'zh', 'sq', 'ro'];
export const DEFAULT_RADIUS = 1000;
// At and above this zoom the places come as markers from the items API.
export const MARKER_ZOOM = 14;

export function emptyState() {
  return {
    view: 'map',
    place: null,
    lang: null,          // null: not in the URL (remembered or default language applies)
    category: [],
    target_group: [],
    language: [],
    free: false,
    wheelchair: [],
    q: '',
    near: null,          // [lon, lat]
    radius: DEFAULT_RADIUS,
    stadtraum: [],       // Stadtraum numbers 1..17, ascending (one or more: stadtraum=2,11,16)
    map: null,           // {z, lat, lon}
    basemap: null,       // 'none' or null
    ed: null,            // page of the editors' view (EDITOR_PAGES), null: home
    item: null,          // id of the place (edit, history), queue entry (queue) or suggestion (suggest)
    qs: 'pending',       // queue: status filter
    qk: 'all',           // queue: kind filter (citizens' suggestions, 2016/17 candidates)
    ...PLAN_DEFAULTS,    // the planners' view: platform, mode, radius_m, target, threshold, share, exclude, campaign
  };
}

const LIST_RE = /^[a-z0-9_-]+$/i;

function list(value, allowed) {
  if (!value) return [];
  const out = [];
  for (const v of value.split(',')) {
    const s = v.trim();
    if (!s || !LIST_RE.test(s)) continue;
    if (allowed && !allowed.includes(s)) continue;
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

function num(value) {
  if (value === null || value === undefined || value === '') return NaN;
  return Number(value);
}

/** "2,11,16" (or "11") -> [2, 11, 16]: integers 1..17, ascending, without duplicates; others dropped. */
export function parseStadtraeume(value) {
  if (value === null || value === undefined) return [];
  const out = [];
  for (const part of String(value).split(',')) {
    const t = part.trim();
    if (!/^\d{1,2}$/.test(t)) continue;
    const n = Number(t);
    if (n >= 1 && n <= STADTRAUM_MAX && !out.includes(n)) out.push(n);
  }
  return out.sort((a, b) => a - b);
}

/** The planners' parameters from the fragment (view=planner only); bad values fall back to the defaults. */
function parsePlan(p) {
  const o = { ...PLAN_DEFAULTS };
  const platform = p.get('platform');
  if (platform && PLATFORM_RE.test(platform)) o.platform = platform;
  if (PLAN_MODES.includes(p.get('mode'))) o.mode = p.get('mode');
  const r = num(p.get('radius_m'));
  if (Number.isFinite(r) && r > 0 && r <= 1000000) o.radius_m = Math.round(r);
  const target = num(p.get('target'));
  if (Number.isInteger(target) && target >= 1 && target <= 100) o.target = target;
  const th = num(p.get('threshold'));
  if (Number.isInteger(th) && th >= 1 && th <= 100) o.threshold = th;
  if (PLAN_SHARES.includes(p.get('share'))) o.share = p.get('share');
  o.exclude = ['1', 'true'].includes(p.get('exclude'));
  o.campaign = (p.get('campaign') || '').trim().slice(0, 100);
  return o;
}

/** Parses a location hash ("#a=b&c=d" or "a=b") into a state. Bad values are dropped, never thrown. */
export function parseHash(hash, categories = null) {
  const s = emptyState();
  const p = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const view = p.get('view');
  if (VIEWS.includes(view)) s.view = view;
  const place = p.get('place');
  if (place && /^[A-Za-z0-9._:-]{1,100}$/.test(place)) s.place = place;
  const lang = p.get('lang');
  if (LANGS.includes(lang)) s.lang = lang;
  s.category = list(p.get('category'), categories);
  s.target_group = list(p.get('target_group'), TARGET_GROUPS);
  s.language = list(p.get('language')).filter((l) => /^[a-z]{2}$/.test(l));
  s.free = ['1', 'true'].includes(p.get('free'));
  s.wheelchair = list(p.get('wheelchair'), WHEELCHAIR);
  s.q = (p.get('q') || '').trim().slice(0, 200);
  const near = (p.get('near') || '').split(',').map(num);
  if (near.length === 2 && near.every(Number.isFinite) && Math.abs(near[0]) <= 180 && Math.abs(near[1]) <= 90) {
    s.near = near;
    const r = num(p.get('radius'));
    if (Number.isFinite(r) && r > 0 && r <= 100000) s.radius = Math.round(r);
  }
  s.stadtraum = parseStadtraeume(p.get('stadtraum'));
  const m = (p.get('map') || '').split('/').map(num);
  if (m.length === 3 && m.every(Number.isFinite) && m[0] >= 0 && m[0] <= 22 && Math.abs(m[1]) <= 90 && Math.abs(m[2]) <= 180) {
    s.map = { z: m[0], lat: m[1], lon: m[2] };
  }
  if (p.get('basemap') === 'none') s.basemap = 'none';
  if (s.view === 'editor') {
    const ed = p.get('ed');
    if (EDITOR_PAGES.includes(ed) && ed !== 'home') s.ed = ed;
    if (QUEUE_STATUSES.includes(p.get('qs'))) s.qs = p.get('qs');
    if (QUEUE_KINDS.includes(p.get('qk'))) s.qk = p.get('qk');
  }
  if (s.view === 'planner') Object.assign(s, parsePlan(p));
  const item = p.get('item');
  if ((s.view === 'editor' || s.view === 'suggest') && item && /^[A-Za-z0-9._:-]{1,100}$/.test(item)) s.item = item;
  return s;
}

function round(v, digits) {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** The fragment of a state, without "#". Parameters in a fixed order; defaults left out. */
export function toHash(s, { withMap = true } = {}) {
  const parts = [];
  const add = (k, v) => parts.push(`${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%2F/g, '/')}`);
  if (s.view && s.view !== 'map') add('view', s.view);
  if (s.view === 'editor') {
    if (s.ed && s.ed !== 'home') add('ed', s.ed);
    if (s.qs && s.qs !== 'pending') add('qs', s.qs);
    if (s.qk && s.qk !== 'all') add('qk', s.qk);
  }
  if (s.item && (s.view === 'editor' || s.view === 'suggest')) add('item', s.item);
  if (s.view === 'planner') {
    const d = PLAN_DEFAULTS;
    if (s.platform && s.platform !== d.platform) add('platform', s.platform);
    if (s.mode && s.mode !== d.mode) add('mode', s.mode);
    if (s.radius_m) add('radius_m', String(s.radius_m));
    if (s.target && s.target !== d.target) add('target', String(s.target));
    if (s.threshold && s.threshold !== d.threshold) add('threshold', String(s.threshold));
    if (s.share && s.share !== d.share) add('share', s.share);
    if (s.exclude) add('exclude', '1');
    if (s.campaign) add('campaign', s.campaign);
  }
  if (s.place) add('place', s.place);
  if (s.category.length) add('category', s.category.join(','));
  if (s.target_group.length) add('target_group', s.target_group.join(','));
  if (s.language.length) add('language', s.language.join(','));
  if (s.free) add('free', '1');
  if (s.wheelchair.length) add('wheelchair', s.wheelchair.join(','));
  if (s.q) add('q', s.q);
  if (s.near) {
    add('near', `${round(s.near[0], 5)},${round(s.near[1], 5)}`);
    add('radius', String(s.radius));
  }
  if (s.stadtraum && s.stadtraum.length) add('stadtraum', s.stadtraum.join(','));
  if (s.lang) add('lang', s.lang);
  if (s.basemap) add('basemap', s.basemap);
  if (withMap && s.map) add('map', `${round(s.map.z, 2)}/${round(s.map.lat, 5)}/${round(s.map.lon, 5)}`);
  return parts.join('&');
}

/** Filters that the tile routes understand (and that are part of their cache key). */
export function tileParams(s) {
  const p = new URLSearchParams();
  if (s.category.length) p.set('category', s.category.join(','));
  if (s.target_group.length) p.set('target_group', s.target_group.join(','));
  if (s.language.length) p.set('language', s.language.join(','));
  if (s.free) p.set('free', 'true');
  if (s.wheelchair.length) p.set('wheelchair', s.wheelchair.join(','));
  return p;
}

/** True when a filter is on that tiles cannot apply: then places are drawn from the items API. */
export function needsItemPoints(s) {
  return Boolean(s.q || s.near || (s.stadtraum && s.stadtraum.length));
}

/** Number of active filters (for the "Filter (n)" summary). */
export function activeFilterCount(s) {
  return s.category.length + s.target_group.length + s.language.length + (s.free ? 1 : 0) + s.wheelchair.length;
}

/**
 * Query of the items route for the list (and the markers).
 * bbox: [minLon, minLat, maxLon, maxLat] of the map view; left out when a search, "near me" or a
 * Stadtraum decides the area.
 */
export function itemsParams(s, bbox, limit = 500) {
  const p = tileParams(s);
  if (s.view === 'orte100') {
    const o = new URLSearchParams({ orte100: 'true', limit: '100' });
    return o;
  }
  if (s.view === 'abc') {
    return new URLSearchParams({ abc: 'true', limit: '1000' });
  }
  if (s.q) p.set('q', s.q);
  if (s.near) {
    p.set('near', `${round(s.near[0], 6)},${round(s.near[1], 6)}`);
    p.set('radius', String(s.radius));
  }
  if (s.stadtraum && s.stadtraum.length) p.set('stadtraum', s.stadtraum.join(','));
  if (bbox && !needsItemPoints(s)) {
    const b = bbox.map((v, i) => round(Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)), 6));
    p.set('bbox', b.join(','));
  }
  p.set('limit', String(limit));
  return p;
}

export function sameFilters(a, b) {
  return tileParams(a).toString() === tileParams(b).toString() && a.q === b.q &&
    String(a.near) === String(b.near) && a.radius === b.radius && sameStadtraeume(a.stadtraum, b.stadtraum);
}

export function sameStadtraeume(a, b) {
  return String(a || []) === String(b || []);
}

export function clearFilters(s) {
  return { ...s, category: [], target_group: [], language: [], free: false, wheelchair: [], q: '', near: null, stadtraum: [] };
}
