// The editors' and citizens' forms without the DOM: form values <-> GeoJSON features, the checks
// the browser makes before it sends, merge patches, server field names, and the history diff.
// Pure functions: unit-tested in tests/unit/editlib.test.mjs.
//
// Form values are strings (as the inputs hold them), keyed by the server's field names
// (`name`, `address.street`, …) so that a server error lands on its field without a mapping table;
// the position is `lon` and `lat`, its errors are the field `geometry`.
//
// A check returns {field, key, vars}: `key` is an i18n key (v.*), so the browser's messages are
// translated; the server's messages come in English and are shown as they are.

import { TARGET_GROUPS, WHEELCHAIR } from './state.js';

/** The box around Dresden (a little wider than the city): the client refuses points outside it. */
export const DRESDEN_BOX = { minLon: 13.57, minLat: 50.96, maxLon: 13.98, maxLat: 51.19 };

/** Editable properties of a place, in the order of the form. */
export const PLACE_FIELDS = [
  'name', 'category', 'description', 'tags', 'address.street', 'address.postcode', 'address.city',
  'website', 'phone', 'email', 'opening_hours', 'target_groups', 'languages', 'free', 'wheelchair',
  'orte100', 'abc_letter', 'source', 'license',
];

/** "13,74" or " 13.74 " -> 13.74; anything else (also "") -> NaN. */
export function parseNumber(text) {
  const s = String(text ?? '').trim().replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return NaN;
  return Number(s);
}

/** "a, b; c" -> ["a", "b", "c"] (empty parts dropped, duplicates too). */
export function parseList(text) {
  const out = [];
  for (const part of String(text ?? '').split(/[,;\n]/)) {
    const s = part.trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

export function isHttpUrl(s) {
  return /^https?:\/\/[^\s/?#@]+[^\s]*$/i.test(String(s ?? '').trim());
}

export function isEmail(s) {
  return /^[^@\s]+@[^@\s]+\.[^@\s.]+$/.test(String(s ?? '').trim());
}

// The words of the OpenStreetMap opening_hours syntax (https://wiki.openstreetmap.org/wiki/Key:opening_hours).
const OH_WORDS = new Set([
  'Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su', 'PH', 'SH', 'off', 'closed', 'open', 'unknown',
  'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec',
  'week', 'sunrise', 'sunset', 'dawn', 'dusk', 'easter', 'day', 'days',
]);

/**
 * A rough check that a value looks like OpenStreetMap opening_hours: only its words and signs.
 * The server parses it fully; this catches "Mo-Fr 10-18 Uhr" and "täglich" before sending.
 */
export function checkOpeningHours(text) {
  const s = String(text ?? '').trim();
  if (!s) return null;
  if (s === '24/7') return null;
  const bare = s.replace(/"[^"]*"/g, ' ');
  const bad = /[^A-Za-z0-9 :;,\-+/[\]().|]/.exec(bare);
  if (bad) return { key: 'v.oh_char', vars: { char: bad[0] } };
  for (const m of bare.matchAll(/[A-Za-z]+/g)) {
    if (!OH_WORDS.has(m[0])) return { key: 'v.oh_word', vars: { word: m[0] } };
  }
  if (!/\d|off|closed|open|unknown/.test(bare)) return { key: 'v.oh_time', vars: {} };
  return null;
}

/** The position of the form values, or an error. */
export function checkPosition(v, box = DRESDEN_BOX) {
  const lon = parseNumber(v.lon);
  const lat = parseNumber(v.lat);
  if (String(v.lon ?? '').trim() === '' && String(v.lat ?? '').trim() === '') return { field: 'geometry', key: 'v.position_required', vars: {} };
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return { field: 'geometry', key: 'v.position_number', vars: {} };
  if (lon < box.minLon || lon > box.maxLon || lat < box.minLat || lat > box.maxLat) {
    return { field: 'geometry', key: 'v.position_box', vars: {} };
  }
  return null;
}

/** Checks of the place form before it is sent. [] when nothing is wrong. */
export function validatePlace(v, { categories = null, box = DRESDEN_BOX } = {}) {
  const errors = [];
  const err = (field, key, vars = {}) => errors.push({ field, key, vars });
  const str = (k) => String(v[k] ?? '').trim();
  if (!str('name')) err('name', 'v.required');
  else if (str('name').length > 200) err('name', 'v.too_long', { max: 200 });
  if (!str('category')) err('category', 'v.required_choice');
  else if (categories && !categories.includes(str('category'))) err('category', 'v.required_choice');
  if (str('description').length > 5000) err('description', 'v.too_long', { max: 5000 });
  if (str('website') && !isHttpUrl(str('website'))) err('website', 'v.url');
  if (str('email') && !isEmail(str('email'))) err('email', 'v.email');
  if (str('phone') && !/^[+\d][\d\s/().-]{2,40}$/.test(str('phone'))) err('phone', 'v.phone');
  const oh = checkOpeningHours(str('opening_hours'));
  if (oh) err('opening_hours', oh.key, oh.vars);
  const langs = parseList(v.languages);
  const badLang = langs.find((l) => !/^[a-z]{2}$/.test(l));
  if (badLang) err('languages', 'v.language', { code: badLang });
  if (str('orte100')) {
    const n = parseNumber(str('orte100'));
    if (!Number.isInteger(n) || n < 1 || n > 999) err('orte100', 'v.integer');
  }
  if (str('abc_letter') && !/^\p{Lu}$/u.test(str('abc_letter'))) err('abc_letter', 'v.letter');
  const pos = checkPosition(v, box);
  if (pos) errors.push(pos);
  return errors;
}

/** Checks of the citizens' suggestion form. */
export function validateSuggestion(v, { categories = null, box = DRESDEN_BOX } = {}) {
  const place = validatePlace({ name: v.name, category: v.category, website: v.website, lon: v.lon, lat: v.lat }, { categories, box });
  const errors = [];
  const take = (field) => errors.push(...place.filter((e) => e.field === field));
  take('name');
  take('category');
  take('geometry');
  if (String(v.description ?? '').trim().length > 2000) errors.push({ field: 'description', key: 'v.too_long', vars: { max: 2000 } });
  take('website');
  if (String(v.contact_email ?? '').trim() && !isEmail(v.contact_email)) errors.push({ field: 'contact_email', key: 'v.email', vars: {} });
  return errors;
}

/** The form field that a server error names: properties.name -> name, geometry.coordinates -> geometry. */
export function formField(serverField) {
  let f = String(serverField || '');
  if (f.startsWith('properties.')) f = f.slice('properties.'.length);
  if (f === 'geometry.coordinates' || f === 'geometry.type' || f === 'location' || f.startsWith('location.') || f === 'coordinates') return 'geometry';
  if (f === 'contact_email') return f;
  return f;
}

const str = (x) => (x === null || x === undefined ? '' : String(x));

/** Form values of a feature (all strings, lists joined). */
export function valuesFromFeature(f) {
  const p = (f && f.properties) || {};
  const a = p.address || {};
  const [lon, lat] = (f && f.geometry && f.geometry.coordinates) || [];
  return {
    name: str(p.name),
    category: str(p.category),
    description: str(p.description),
    tags: (p.tags || []).join(', '),
    'address.street': str(a.street),
    'address.postcode': str(a.postcode),
    'address.city': str(a.city),
    website: str(p.website),
    phone: str(p.phone),
    email: str(p.email),
    opening_hours: str(p.opening_hours),
    target_groups: (p.target_groups || []).filter((g) => TARGET_GROUPS.includes(g)),
    languages: (p.languages || []).join(', '),
    free: p.free === true ? 'true' : p.free === false ? 'false' : '',
    wheelchair: WHEELCHAIR.includes(p.wheelchair) ? p.wheelchair : 'unknown',
    orte100: p.orte100 === null || p.orte100 === undefined ? '' : String(p.orte100),
    abc_letter: str(p.abc_letter),
    source: str(p.source),
    license: str(p.license),
    lon: Number.isFinite(lon) ? String(lon) : '',
    lat: Number.isFinite(lat) ? String(lat) : '',
  };
}

/** The feature of form values, as the write routes take it (no id, version or stadtraum). */
export function featureFromValues(v) {
  const t = (k) => String(v[k] ?? '').trim();
  const orte = parseNumber(t('orte100'));
  const props = {
    name: t('name'),
    category: t('category'),
    description: String(v.description ?? '').trim(),
    tags: parseList(v.tags),
    address: { street: t('address.street'), postcode: t('address.postcode'), city: t('address.city') },
    website: t('website'),
    phone: t('phone'),
    email: t('email'),
    opening_hours: t('opening_hours'),
    target_groups: [...(v.target_groups || [])],
    languages: parseList(v.languages),
    free: v.free === 'true' ? true : v.free === 'false' ? false : null,
    wheelchair: t('wheelchair') || 'unknown',
    orte100: Number.isInteger(orte) ? orte : null,
    abc_letter: t('abc_letter') || null,
    source: t('source'),
    license: t('license'),
  };
  const lon = parseNumber(v.lon);
  const lat = parseNumber(v.lat);
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [round6(lon), round6(lat)] },
    properties: props,
  };
}

function round6(x) {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x;
}

const isObject = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * RFC 7396 merge patch that turns `before` into `after` for the keys `after` has (a form never
 * removes a property). Objects are patched key by key, arrays and scalars replaced. null: no change.
 */
export function mergePatch(before, after) {
  const diff = (b, a) => {
    const out = {};
    for (const [k, av] of Object.entries(a || {})) {
      const bv = b ? b[k] : undefined;
      if (same(av, bv)) continue;
      if (isObject(av) && isObject(bv)) {
        const sub = diff(bv, av);
        if (sub) out[k] = sub;
      } else {
        out[k] = av;
      }
    }
    return Object.keys(out).length ? out : null;
  };
  const patch = {};
  const props = diff((before && before.properties) || {}, (after && after.properties) || {});
  if (props) patch.properties = props;
  const bg = before && before.geometry && before.geometry.coordinates;
  const ag = after && after.geometry && after.geometry.coordinates;
  if (ag && !(bg && bg.length === ag.length && bg.every((x, i) => Math.abs(x - ag[i]) < 5e-7))) patch.geometry = after.geometry;
  return Object.keys(patch).length ? patch : null;
}

/** True for a value that shows as "nothing" in the history ("", [], null, empty address). */
export function isEmptyValue(v) {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.values(v).every(isEmptyValue);
  return false;
}

/**
 * One value of the history as text. fmt: {t, catLabel, languageName, empty} (all optional, the
 * German defaults of the tests leave values as they are). Never HTML: the caller sets textContent.
 */
export function formatValue(field, v, fmt = {}) {
  const t = fmt.t || ((k) => k);
  if (isEmptyValue(v)) return fmt.empty ?? '—';
  if (field === 'geometry' && Array.isArray(v) && v.length === 2 && v.every(Number.isFinite)) {
    return `${v[1].toFixed(5)}, ${v[0].toFixed(5)}`;
  }
  if (field === 'geometry' && isObject(v) && Array.isArray(v.coordinates)) return formatValue(field, v.coordinates, fmt);
  if (field === 'category' && fmt.catLabel) return fmt.catLabel(v);
  if (field === 'free' && typeof v === 'boolean') return t(v ? 'free.true' : 'free.false');
  if (field === 'wheelchair' && WHEELCHAIR.includes(v)) return t(`wheelchair.${v}`);
  if (field === 'target_groups' && Array.isArray(v)) return v.map((g) => (TARGET_GROUPS.includes(g) ? t(`tg.${g}`) : String(g))).join(', ');
  if (field === 'languages' && Array.isArray(v) && fmt.languageName) return v.map((l) => fmt.languageName(l)).join(', ');
  if (field === 'status' && typeof v === 'string' && fmt.statusLabel) return fmt.statusLabel(v);
  if (field === 'address' && isObject(v)) {
    const city = [v.postcode, v.city].filter(Boolean).join(' ');
    return [v.street, city].filter(Boolean).join(', ');
  }
  if (Array.isArray(v)) return v.map((x) => (isObject(x) || Array.isArray(x) ? JSON.stringify(x) : String(x))).join(', ');
  if (isObject(v)) return JSON.stringify(v);
  if (typeof v === 'boolean') return t(v ? 'diff.yes' : 'diff.no');
  return String(v);
}

/**
 * Rows of the diff of one revision: [{field, label, old, new}] as text. In the revision that
 * created a place, fields that were left empty are left out.
 */
export function diffRows(changes, fmt = {}) {
  const label = fmt.fieldLabel || ((f) => f);
  const created = fmt.action ? fmt.action === 'create' : (changes || []).every((c) => c.old === null || c.old === undefined);
  return (changes || [])
    .filter((c) => !(created && isEmptyValue(c.new)))
    .map((c) => ({
      field: c.field,
      label: label(c.field),
      old: formatValue(c.field, c.old, fmt),
      new: formatValue(c.field, c.new, fmt),
    }));
}

/** Problem details -> [{field, message}] for the form; errors without a field go under ''. */
export function problemErrors(problem) {
  if (!problem || !Array.isArray(problem.errors)) return [];
  return problem.errors.map((e) => ({ field: formField(e.field), message: String(e.message || ''), server: true, serverField: String(e.field || '') }));
}
