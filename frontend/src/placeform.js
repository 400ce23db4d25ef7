// The form of one place (new, edit, completing a suggestion): fields, position on the map, the
// browser's checks and the server's field errors at their fields. Shared by the editor's pages.
import { h, FormFields } from './dom.js';
import { valuesFromFeature, validatePlace, featureFromValues, parseNumber, formField, PLACE_FIELDS } from './editlib.js';
import { TARGET_GROUPS, WHEELCHAIR } from './state.js';
import { CATEGORY_KEYS } from './categories.js';

/**
 * env: {t, catLabel, picker, map}. feature: the place to start from (or null); values: form values
 * to restore (after a change of language). Returns {form, fields, values(), feature(), check(),
 * showErrors(errors), focusFirst()}.
 */
export function placeForm(env, { prefix, feature = null, values = null, submitLabel, extraButtons = [], onSubmit, markerLabel }) {
  const { t } = env;
  const v = values || valuesFromFeature(feature || { properties: {} });
  const f = new FormFields(prefix);
  const req = t('form.required_mark');
  const catOptions = [{ value: '', label: t('form.choose') }, ...CATEGORY_KEYS.map((k) => ({ value: k, label: env.catLabel(k) }))];

  // position: lon and lat inputs, the marker on the map
  const lonId = f.id('lon');
  const latId = f.id('lat');
  const lon = h('input', { id: lonId, name: 'lon', type: 'text', inputmode: 'decimal', autocomplete: 'off', dir: 'ltr', value: v.lon, 'aria-required': 'true' });
  const lat = h('input', { id: latId, name: 'lat', type: 'text', inputmode: 'decimal', autocomplete: 'off', dir: 'ltr', value: v.lat, 'aria-required': 'true' });
  const posHint = h('p', { class: 'hint', id: `${f.id('geometry')}-hint`, text: t('form.position_hint') });
  const posError = h('p', { class: 'field-error', id: `${f.id('geometry')}-error`, hidden: true });
  const centerBtn = h('button', { type: 'button', class: 'btn', text: t('form.map_center') });
  const position = h('fieldset', { class: 'field position', id: f.id('geometry') },
    h('legend', {}, t('form.position'), h('span', { class: 'req', text: ` ${req}` })),
    posHint,
    h('div', { class: 'coords' },
      h('div', {}, h('label', { for: lonId, text: t('form.lon') }), lon),
      h('div', {}, h('label', { for: latId, text: t('form.lat') }), lat)),
    h('div', { class: 'ed-buttons' }, centerBtn),
    posError);

  const readLatLng = () => {
    const x = parseNumber(lon.value);
    const y = parseNumber(lat.value);
    return Number.isFinite(x) && Number.isFinite(y) ? { lat: y, lng: x } : null;
  };
  const setLatLng = (ll) => {
    lon.value = String(Math.round(ll.lng * 1e6) / 1e6);
    lat.value = String(Math.round(ll.lat * 1e6) / 1e6);
  };
  const onMoveInput = () => { const ll = readLatLng(); if (ll) env.picker.set(ll, { pan: true }); };
  lon.addEventListener('change', onMoveInput);
  lat.addEventListener('change', onMoveInput);
  centerBtn.addEventListener('click', () => {
    const c = env.map.getCenter();
    setLatLng(c);
    env.picker.set(c);
  });

  const addr = h('fieldset', { class: 'group' }, h('legend', { text: t('form.address') }),
    f.text('address.street', t('field.address.street'), v['address.street'], { attrs: { autocomplete: 'off', dir: 'auto' } }),
    h('div', { class: 'pair' },
      f.text('address.postcode', t('field.address.postcode'), v['address.postcode'], { attrs: { autocomplete: 'off', inputmode: 'numeric', dir: 'ltr' } }),
      f.text('address.city', t('field.address.city'), v['address.city'], { attrs: { autocomplete: 'off', dir: 'auto' } })));

  const nameField = f.text('name', t('field.name'), v.name, { required: true, requiredMark: req, attrs: { autocomplete: 'off', dir: 'auto', maxlength: 200 } });
  const catField = f.select('category', t('field.category'), catOptions, v.category, { required: true, requiredMark: req });
  f.group('geometry', [lon, lat], posError, posHint);
  const rest = [
    f.text('description', t('field.description'), v.description, { rows: 4, attrs: { dir: 'auto' } }),
    f.text('tags', t('field.tags'), v.tags, { hint: t('form.tags_hint'), attrs: { autocomplete: 'off', dir: 'auto' } }),
    addr,
    f.text('website', t('field.website'), v.website, { type: 'url', hint: t('form.website_hint'), attrs: { autocomplete: 'off', dir: 'ltr' } }),
    f.text('phone', t('field.phone'), v.phone, { type: 'tel', attrs: { autocomplete: 'off', dir: 'ltr' } }),
    f.text('email', t('field.email'), v.email, { type: 'email', hint: t('form.email_hint'), attrs: { autocomplete: 'off', dir: 'ltr' } }),
    f.text('opening_hours', t('field.opening_hours'), v.opening_hours, { hint: t('form.oh_hint'), attrs: { autocomplete: 'off', dir: 'ltr', spellcheck: 'false' } }),
    f.checks('target_groups', t('field.target_groups'), TARGET_GROUPS.map((g) => ({ value: g, label: t(`tg.${g}`) })), v.target_groups),
    f.text('languages', t('field.languages'), v.languages, { hint: t('form.languages_hint'), attrs: { autocomplete: 'off', dir: 'ltr' } }),
    f.select('free', t('field.free'), [
      { value: '', label: t('free.null') }, { value: 'true', label: t('free.true') }, { value: 'false', label: t('free.false') }], v.free),
    f.select('wheelchair', t('field.wheelchair'), WHEELCHAIR.map((w) => ({ value: w, label: t(`wheelchair.${w}`) })), v.wheelchair),
    h('div', { class: 'pair' },
      f.text('orte100', t('field.orte100'), v.orte100, { attrs: { inputmode: 'numeric', autocomplete: 'off' } }),
      f.text('abc_letter', t('field.abc_letter'), v.abc_letter, { attrs: { autocomplete: 'off', maxlength: 1 } })),
    f.text('source', t('field.source'), v.source, { attrs: { autocomplete: 'off', dir: 'auto' } }),
    f.text('license', t('field.license'), v.license, { attrs: { autocomplete: 'off', dir: 'auto' } }),
  ];
  // the order of the fields decides which invalid field gets the focus: keep it the form's order
  const order = ['name', 'category', 'geometry', ...PLACE_FIELDS.filter((k) => k !== 'name' && k !== 'category')];
  f.fields = new Map(order.map((k) => [k, f.fields.get(k)]));

  const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: submitLabel });
  const form = h('form', { class: 'place-form', id: `${prefix}-form`, novalidate: true },
    h('p', { class: 'hint', text: t('form.required_note', { mark: req }) }),
    nameField, catField, position, rest,
    h('div', { class: 'ed-buttons' }, submit, extraButtons));

  const api = {
    form,
    fields: f,
    submit,
    values() {
      return { ...f.values(), lon: lon.value, lat: lat.value };
    },
    feature() {
      return featureFromValues(api.values());
    },
    /** The browser's checks; shows them and focuses the first. True when all is well. */
    check(enabled = true) {
      const errs = enabled ? validatePlace(api.values(), { categories: CATEGORY_KEYS }) : [];
      if (!errs.length) { f.clearErrors(); return true; }
      api.showErrors(errs.map((e) => ({ field: e.field, message: t(e.key, e.vars) })));
      return false;
    },
    /** Errors [{field, message, lang}] at their fields; returns those without a field. */
    showErrors(errors) {
      const { first, rest: others } = f.showErrors(errors.map((e) => ({ ...e, field: formField(e.field) })));
      if (first) first.focus();
      return others;
    },
    clearErrors() { f.clearErrors(); },
    focusFirst() { f.fields.get('name').focus.focus(); },
    /** Starts picking the position on the map for this form. */
    pick(label = markerLabel) {
      env.picker.start((ll) => { setLatLng(ll); lon.dispatchEvent(new Event('input', { bubbles: true })); }, readLatLng(), label);
      const ll = readLatLng();
      if (ll) env.picker.set(ll, { pan: true });
    },
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); onSubmit(api); });
  return api;
}
