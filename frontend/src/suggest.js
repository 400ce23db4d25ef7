// "Suggest a place" (#view=suggest): citizens send a place they know; the editors see it in their
// queue. After sending, the page shows the link to the suggestion's status (#view=suggest&item=<id>).
//
// The field `nickname` is a honeypot for bots: visually hidden, aria-hidden, out of the tab order,
// never filled by people. The server accepts a filled one silently and stores nothing.
import { h, replace, FormFields } from './dom.js';
import { request } from './api.js';
import { validateSuggestion, problemErrors, parseNumber, formField } from './editlib.js';
import { CATEGORY_KEYS } from './categories.js';

/** env: {app, t, navigate, hrefFor, catLabel, picker, map} */
export function createSuggest(env) {
  const { app } = env;
  const t = (k, v) => env.t(k, v);
  const root = document.getElementById('suggest');
  const title = h('h2', { id: 'suggest-title', tabindex: '-1' });
  const status = h('p', { id: 'suggest-status', class: 'flash', role: 'status', 'aria-live': 'polite' });
  const alert = h('div', { id: 'suggest-alert', class: 'alert', role: 'alert', hidden: true });
  const body = h('div', { id: 'suggest-body' });
  replace(root, title, status, alert, body);
  let lastKey = null;
  let seq = 0;
  let keep = null;     // form values to keep over a change of language
  let fields = null;
  let sent = null;     // the answer to the last suggestion sent from this page
  const suggest = { clientChecks: true };

  function warn(text, ...extra) {
    replace(alert, text ? h('p', { text }) : null, extra);
    alert.hidden = !text;
  }

  async function apply(s, { user = false, relabel = false } = {}) {
    if (s.view !== 'suggest' || s.place) {
      if (lastKey !== null && lastKey !== 'away') env.picker.stop();
      lastKey = 'away';
      return;
    }
    const key = JSON.stringify([s.item, app.i18n.lang, sent && sent.id]);
    if (key === lastKey) return;
    keep = relabel && fields && !s.item ? readValues() : null;
    lastKey = key;
    if (user && !relabel) warn('');
    title.textContent = t('sg.title');
    if (s.item) await renderStatus(s.item, user && !relabel);
    else renderForm(user && !relabel);
  }

  function readValues() {
    const v = fields.values();
    v.lon = body.querySelector('#sg-lon').value;
    v.lat = body.querySelector('#sg-lat').value;
    return v;
  }

  function renderForm(focus) {
    const f = new FormFields('sg');
    fields = f;
    const v = keep || {};
    keep = null;
    const req = t('form.required_mark');
    const catOptions = [{ value: '', label: t('form.choose') }, ...CATEGORY_KEYS.map((k) => ({ value: k, label: env.catLabel(k) }))];

    const lon = h('input', { id: 'sg-lon', name: 'lon', type: 'text', inputmode: 'decimal', autocomplete: 'off', dir: 'ltr', value: v.lon || '', 'aria-required': 'true' });
    const lat = h('input', { id: 'sg-lat', name: 'lat', type: 'text', inputmode: 'decimal', autocomplete: 'off', dir: 'ltr', value: v.lat || '', 'aria-required': 'true' });
    const posHint = h('p', { class: 'hint', id: 'sg-geometry-hint', text: t('sg.position_hint') });
    const posError = h('p', { class: 'field-error', id: 'sg-geometry-error', hidden: true });
    const geoMsg = h('p', { class: 'msg', id: 'sg-geo-msg', role: 'status' });
    const readLatLng = () => {
      const x = parseNumber(lon.value);
      const y = parseNumber(lat.value);
      return Number.isFinite(x) && Number.isFinite(y) ? { lat: y, lng: x } : null;
    };
    const setLatLng = (ll) => {
      lon.value = String(Math.round(ll.lng * 1e6) / 1e6);
      lat.value = String(Math.round(ll.lat * 1e6) / 1e6);
    };
    const moved = () => { const ll = readLatLng(); if (ll) env.picker.set(ll, { pan: true }); };
    lon.addEventListener('change', moved);
    lat.addEventListener('change', moved);
    const locate = h('button', { type: 'button', class: 'btn', id: 'sg-locate', text: t('sg.use_location') });
    locate.addEventListener('click', () => {
      if (!('geolocation' in navigator)) { geoMsg.textContent = t('near.unsupported'); return; }
      geoMsg.textContent = t('near.locating');
      navigator.geolocation.getCurrentPosition((pos) => {
        geoMsg.textContent = '';
        const ll = { lat: pos.coords.latitude, lng: pos.coords.longitude };
        setLatLng(ll);
        env.picker.set(ll, { pan: true });
      }, (err) => {
        if (err.code === 1) geoMsg.textContent = window.isSecureContext ? t('near.denied') : t('near.insecure');
        else if (err.code === 3) geoMsg.textContent = t('near.timeout');
        else geoMsg.textContent = t('near.unavailable');
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    const center = h('button', { type: 'button', class: 'btn', id: 'sg-center', text: t('form.map_center') });
    center.addEventListener('click', () => { const c = env.map.getCenter(); setLatLng(c); env.picker.set(c); });

    const name = f.text('name', t('sg.name'), v.name || '', { required: true, requiredMark: req, attrs: { autocomplete: 'off', dir: 'auto', maxlength: 200 } });
    const cat = f.select('category', t('field.category'), catOptions, v.category || '', { required: true, requiredMark: req });
    f.group('geometry', [lon, lat], posError, posHint);
    const position = h('fieldset', { class: 'field position', id: 'sg-geometry' },
      h('legend', {}, t('form.position'), h('span', { class: 'req', text: ` ${req}` })),
      posHint,
      h('div', { class: 'ed-buttons' }, locate, center),
      geoMsg,
      h('div', { class: 'coords' },
        h('div', {}, h('label', { for: 'sg-lon', text: t('form.lon') }), lon),
        h('div', {}, h('label', { for: 'sg-lat', text: t('form.lat') }), lat)),
      posError);
    const desc = f.text('description', t('sg.description'), v.description || '', { rows: 4, hint: t('sg.description_hint'), attrs: { dir: 'auto', maxlength: 2000 } });
    const web = f.text('website', t('field.website'), v.website || '', { type: 'url', hint: t('form.website_hint'), attrs: { autocomplete: 'off', dir: 'ltr' } });
    const mail = f.text('contact_email', t('sg.contact_email'), v.contact_email || '', { type: 'email', hint: t('sg.contact_hint'), attrs: { autocomplete: 'email', dir: 'ltr' } });
    // the honeypot: hidden from eyes, screen readers and the keyboard
    const trap = h('div', { class: 'hp', 'aria-hidden': 'true' },
      h('label', { for: 'sg-nickname', text: t('sg.leave_empty') }),
      h('input', { id: 'sg-nickname', name: 'nickname', type: 'text', tabindex: '-1', autocomplete: 'off', value: '' }));
    f.fields = new Map(['name', 'category', 'geometry', 'description', 'website', 'contact_email'].map((k) => [k, f.fields.get(k)]));

    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'sg-submit', text: t('sg.submit') });
    const form = h('form', { id: 'suggest-form', novalidate: true },
      h('p', { class: 'hint', text: t('form.required_note', { mark: req }) }),
      name, cat, position, desc, web, mail, trap,
      h('p', { class: 'hint', text: t('sg.privacy') }),
      h('div', { class: 'ed-buttons' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const values = readValues();
      const errs = suggest.clientChecks ? validateSuggestion(values, { categories: CATEGORY_KEYS }) : [];
      if (errs.length) {
        const { first } = f.showErrors(errs.map((x) => ({ field: x.field, message: t(x.key, x.vars) })));
        warn(t('form.fix', { n: errs.length }));
        if (first) first.focus();
        return;
      }
      f.clearErrors();
      warn('');
      const ll = readLatLng();
      const payload = {
        name: values.name.trim(),
        category: values.category,
        location: { type: 'Point', coordinates: [Math.round(ll.lng * 1e6) / 1e6, Math.round(ll.lat * 1e6) / 1e6] },
        description: values.description.trim(),
        website: values.website.trim(),
        contact_email: values.contact_email.trim(),
        nickname: form.querySelector('#sg-nickname').value,
      };
      submit.disabled = true;
      let res;
      try {
        res = await request('POST', 'api/suggestions', { body: payload });
      } catch {
        warn(t('ed.network'));
        submit.disabled = false;
        return;
      }
      submit.disabled = false;
      if (res.status === 201 && res.data) {
        sent = res.data;
        fields = null;
        renderThanks(sent);
        lastKey = JSON.stringify([app.state.item, app.i18n.lang, sent.id]);
        return;
      }
      if (res.status === 400 && res.data) {
        const list = problemErrors(res.data).map((x) => ({ ...x, field: formField(x.field), lang: 'en' }));
        const { first, rest } = f.showErrors(list);
        warn(t('form.server_fix', { n: list.length }), rest.length ? h('ul', {}, rest.map((x) => h('li', { lang: 'en', text: `${x.serverField}: ${x.message}` }))) : null);
        if (first) first.focus();
        return;
      }
      if (res.status === 429) {
        const s = Number(res.headers.get('Retry-After')) || 3600;
        warn(t('sg.too_many', { n: Math.max(1, Math.ceil(s / 60)) }));
        return;
      }
      warn(t('ed.failed', { status: res.status }));
    });
    replace(body, h('p', { class: 'intro', text: t('sg.intro') }), form);
    env.picker.start((ll) => setLatLng(ll), readLatLng(), t('form.marker'));
    if (focus) form.querySelector('#sg-name').focus();
  }

  function statusHref(id) {
    return env.hrefFor({ view: 'suggest', item: id, place: null });
  }

  function renderThanks(res) {
    env.picker.stop();
    const url = `${location.origin}${location.pathname}${statusHref(res.id)}`;
    const link = h('a', { href: statusHref(res.id), id: 'sg-status-link', dir: 'ltr', text: url });
    link.addEventListener('click', (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      e.stopPropagation();
      env.navigate({ view: 'suggest', item: res.id, place: null });
    });
    const again = h('button', { type: 'button', class: 'btn', id: 'sg-again', text: t('sg.again') });
    again.addEventListener('click', () => { sent = null; lastKey = null; apply(app.state, { user: true }); });
    replace(body, h('div', { class: 'sg-thanks' },
      h('h3', { id: 'sg-thanks-title', tabindex: '-1', text: t('sg.thanks_title') }),
      h('p', { text: t('sg.thanks') }),
      h('p', {}, `${t('sg.status_link')} `, link),
      /^https?:\/\//.test(res.status_url || '')
        ? h('p', { class: 'hint' }, `${t('sg.status_api')} `, h('a', { href: res.status_url, dir: 'ltr', text: res.status_url }))
        : null,
      again));
    body.querySelector('#sg-thanks-title').focus();
  }

  async function renderStatus(id, focus) {
    env.picker.stop();
    const mine = ++seq;
    replace(body, h('p', { class: 'loading', text: t('ed.loading') }));
    let res;
    try {
      res = await request('GET', `api/suggestions/${encodeURIComponent(id)}`);
    } catch {
      if (mine === seq) warn(t('ed.network'));
      return;
    }
    if (mine !== seq) return;
    const head = h('h3', { id: 'sg-status-title', tabindex: '-1', text: t('sg.status_title') });
    const again = h('a', { href: env.hrefFor({ view: 'suggest', item: null }), text: t('sg.again') });
    again.addEventListener('click', (e) => { e.preventDefault(); sent = null; env.navigate({ item: null }); });
    if (!res.ok || !res.data) {
      replace(body, head, h('p', { class: 'notice', text: res.status === 404 ? t('sg.not_found') : t('ed.failed', { status: res.status }) }), h('p', {}, again));
      if (focus) head.focus();
      return;
    }
    const d = res.data;
    const when = (iso) => (iso ? app.i18n.date(iso) : '');
    const row = (label, ...value) => h('div', { class: 'row' }, h('dt', { text: label }), h('dd', {}, ...value));
    const state = h('span', { id: 'sg-state', 'data-status': d.status, text: t(`sg.state_${d.status}`) });
    const placeLink = d.status === 'accepted' && d.place_id
      ? h('a', { href: env.hrefFor({ view: 'list', place: d.place_id, item: null }), class: 'place-link', 'data-place': d.place_id, text: t('sg.to_place') })
      : null;
    replace(body, head,
      h('dl', { class: 'facts' },
        row(t('sg.name'), h('span', { dir: 'auto', text: d.name })),
        row(t('field.category'), env.catLabel(d.category)),
        row(t('sg.sent_at'), when(d.created_at)),
        row(t('sg.state'), state),
        d.decided_at ? row(t('sg.decided_at'), when(d.decided_at)) : null,
        d.reason ? row(t('q.reason'), h('span', { dir: 'auto', text: d.reason })) : null),
      placeLink ? h('p', {}, placeLink) : null,
      h('p', {}, again));
    if (focus) head.focus();
  }

  return Object.assign(suggest, { apply });
}
