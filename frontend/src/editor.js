// The editors' view (#view=editor): log in and out, add and edit places, archive them, their
// history with a diff and restore, and the moderation queue of citizens' suggestions and the
// 2016/17 candidates. It uses only the public write API (docs/API.md) with a bearer token that
// lives in sessionStorage (gone with the tab; never in localStorage).
//
// Pages (state.ed): home (or the login), new, edit (item = place id), history (item = place id),
// queue (qs = status filter, qk = kind filter, item = selected entry).
import { h, replace, FormFields } from './dom.js';
import { request, markFresh, etagVersion, isAbort } from './api.js';
import { valuesFromFeature, mergePatch, diffRows, problemErrors } from './editlib.js';
import { QUEUE_STATUSES, QUEUE_KINDS } from './state.js';
import { placeForm } from './placeform.js';

const TOKEN_KEY = 'lernorte.token';
const QUEUE_PAGE = 50;
const WRITERS = ['editor', 'admin'];
export const PLANNERS = ['planner', 'editor', 'admin'];

class Handled extends Error {}

function readToken() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
}
function writeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* storage off: the session lasts as long as the page */ }
}

/**
 * env: {app, t, navigate(patch, opts), hrefFor(patch), catLabel(key), picker, map, afterWrite(),
 * flash(text, link), languageName(code)}
 */
export function createEditor(env) {
  const { app } = env;
  const t = (k, v) => env.t(k, v);
  const session = { token: readToken(), user: null };
  let ready = null;          // the check of a stored token at start
  let lastKey = null;        // what the body shows now
  let seq = 0;               // the newest render; older ones stop when they see a newer one
  let form = null;           // the place form on the page (to keep its values over a change of language)
  let formKey = null;
  const queueCache = new Map(); // status -> answer of the queue route
  const editor = { clientChecks: true }; // the browser tests switch the checks off to reach the server's
  const listeners = [];      // told when someone logs in or out, or the session expires: fn(reason)
  const authChanged = (reason) => { for (const fn of listeners) fn(reason); };

  // ------------------------------------------------------------ skeleton (built once)
  const root = document.getElementById('editor');
  const title = h('h2', { id: 'editor-title', tabindex: '-1' });
  const userBar = h('div', { class: 'ed-user' });
  const status = h('p', { id: 'editor-status', class: 'flash', role: 'status', 'aria-live': 'polite' });
  const alert = h('div', { id: 'editor-alert', class: 'alert', role: 'alert' });
  const body = h('div', { id: 'editor-body' });
  replace(root, title, userBar, status, alert, body);

  const canWrite = () => Boolean(session.user && WRITERS.includes(session.user.role));
  const roleLabel = (r) => app.i18n.maybe(`role.${r}`) || r;
  const dateTime = (iso) => {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso || '');
    return new Intl.DateTimeFormat(app.i18n.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  };

  function say(text, link = null) {
    replace(status, text ? h('span', { text }) : null, link ? ' ' : null, link);
  }
  function warn(text, ...extra) {
    replace(alert, text ? h('p', { text }) : null, extra);
    alert.hidden = !text;
  }
  alert.hidden = true;

  function navLink(text, patch, attrs = {}) {
    return h('a', {
      href: env.hrefFor(patch),
      ...attrs,
      onclick: (e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        e.stopPropagation();
        env.navigate(patch);
      },
    }, text);
  }

  // ------------------------------------------------------------ the API with the token

  async function call(method, url, opts = {}) {
    let res;
    try {
      res = await request(method, url, { ...opts, token: session.token });
    } catch (err) {
      if (isAbort(err)) throw new Handled();
      warn(t('ed.network'));
      throw new Handled();
    }
    if (res.status === 401 && session.token) {
      expire();
      throw new Handled();
    }
    if (res.status === 403) {
      warn(t('ed.forbidden'));
      throw new Handled();
    }
    return res;
  }

  function expire() {
    writeToken(null);
    session.token = null;
    session.user = null;
    queueCache.clear();
    env.picker.stop();
    lastKey = null;
    say('');
    warn(t('ed.expired'));
    decorateOpenDetail();
    if (app.state.view === 'editor' && !app.state.place) render(app.state, { focus: true });
    authChanged('expired');
  }

  /** Checks a token from an earlier page of this tab: GET /api/auth/me. */
  function init() {
    if (!session.token) { ready = Promise.resolve(); return ready; }
    ready = (async () => {
      try {
        const res = await request('GET', 'api/auth/me', { token: session.token });
        if (res.ok && res.data) session.user = res.data;
        else if (res.status === 401) {
          writeToken(null);
          session.token = null;
          session.pendingExpired = true;
        }
      } catch { /* offline: try again with the next request */ }
      decorateOpenDetail();
      authChanged('init');
    })();
    return ready;
  }

  // ------------------------------------------------------------ entry point from the app

  /** Called by applyState. Renders when the page (or language or user) changed. */
  async function apply(s, { user = false, relabel = false } = {}) {
    if (s.view !== 'editor' || s.place) {
      if (lastKey !== null && lastKey !== 'away') env.picker.stop();
      lastKey = 'away';
      return;
    }
    await ready;
    const key = JSON.stringify([s.ed, s.item, s.qs, s.qk, app.i18n.lang, session.user && session.user.username]);
    if (key === lastKey) return;
    const keep = relabel && form && formKey === JSON.stringify([s.ed, s.item]) ? form.values() : null;
    lastKey = key;
    if (user && !relabel) { warn(''); }
    await render(s, { focus: user && !relabel, values: keep });
  }

  function pageTitle(text, sub = null) {
    return [h('h3', { id: 'ed-page-title', class: 'ed-page-title', tabindex: '-1', text }), sub ? h('p', { class: 'ed-sub', dir: 'auto', text: sub }) : null];
  }

  async function render(s, { focus = false, values = null } = {}) {
    const mine = ++seq;
    form = null;
    formKey = null;
    title.textContent = t('ed.title');
    renderUserBar();
    if (session.pendingExpired) { session.pendingExpired = false; warn(t('ed.expired')); }
    if (!session.user) {
      env.picker.stop();
      renderLogin(focus);
      return;
    }
    if (!canWrite()) {
      env.picker.stop();
      replace(body, pageTitle(t('ed.home_title')),
        h('p', { class: 'notice', id: 'ed-planner', text: t('ed.planner', { role: roleLabel(session.user.role) }) }),
        PLANNERS.includes(session.user.role)
          ? h('p', {}, navLink(t('plan.open'), { view: 'planner', ed: null, item: null, place: null }, { class: 'btn btn-primary', id: 'ed-planner-link' }))
          : null);
      if (focus) body.querySelector('#ed-page-title').focus();
      return;
    }
    const page = s.ed || 'home';
    try {
      if (page === 'home') renderHome(focus);
      else if (page === 'new') renderNew(focus, values);
      else if (page === 'edit') await renderEdit(s.item, focus, values, mine);
      else if (page === 'history') await renderHistory(s.item, focus, mine);
      else if (page === 'queue') await renderQueue(s, focus, values, mine);
    } catch (err) {
      if (!(err instanceof Handled)) throw err;
    }
  }

  function renderUserBar() {
    if (!session.user) { replace(userBar); return; }
    const logout = h('button', { type: 'button', class: 'btn', id: 'ed-logout', text: t('ed.logout'), onclick: onLogout });
    replace(userBar,
      h('p', {}, t('ed.logged_in_as'), ' ', h('strong', { dir: 'auto', text: session.user.username }), ` (${roleLabel(session.user.role)})`),
      logout);
  }

  // ------------------------------------------------------------ login / logout

  function renderLogin(focus) {
    const loginForm = buildLogin({
      prefix: 'login',
      warn,
      onSuccess: async () => {
        say(t('ed.logged_in', { user: session.user.username }));
        lastKey = null;
        // a campaign planner has nothing to edit: the planners' view is theirs
        if (session.user.role === 'planner') {
          env.navigate({ view: 'planner', ed: null, item: null, place: null });
          return;
        }
        await apply(app.state, { user: true });
      },
    });
    replace(body, pageTitle(t('login.title')), h('p', { text: t('login.intro') }), loginForm);
    if (focus) loginForm.querySelector('#login-username').focus();
  }

  /**
   * The login form (also the planners' view's): ids `<prefix>-form`, `<prefix>-username`,
   * `<prefix>-password`. warn(text): the page's alert; onSuccess(): after the session is stored.
   */
  function buildLogin({ prefix, warn: warnFn, onSuccess }) {
    const f = new FormFields(prefix);
    const user = f.text('username', t('login.username'), '', { required: true, requiredMark: t('form.required_mark'), attrs: { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' } });
    const pass = f.text('password', t('login.password'), '', { type: 'password', required: true, requiredMark: t('form.required_mark'), attrs: { autocomplete: 'current-password' } });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: t('login.submit') });
    const loginForm = h('form', { id: `${prefix}-form`, class: 'login-form', novalidate: true }, user, pass, h('div', { class: 'ed-buttons' }, submit));
    const warn = warnFn;
    loginForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = f.values();
      const errs = [];
      if (!v.username.trim()) errs.push({ field: 'username', message: t('v.required') });
      if (!v.password) errs.push({ field: 'password', message: t('v.required') });
      if (errs.length) { const { first } = f.showErrors(errs); warn(t('login.missing')); if (first) first.focus(); return; }
      f.clearErrors();
      submit.disabled = true;
      let res;
      try {
        res = await request('POST', 'api/auth/login', { body: { username: v.username.trim(), password: v.password } });
      } catch {
        submit.disabled = false;
        warn(t('ed.network'));
        return;
      }
      submit.disabled = false;
      const passInput = loginForm.querySelector(`#${prefix}-password`);
      if (res.ok && res.data && res.data.token) {
        session.token = res.data.token;
        session.user = { username: res.data.username, role: res.data.role, expires: res.data.expires };
        writeToken(session.token);
        warn('');
        decorateOpenDetail();
        authChanged('login');
        await onSuccess();
        return;
      }
      passInput.value = '';
      if (res.status === 429) {
        const s = Number(res.headers.get('Retry-After')) || 60;
        warn(t('login.wait', { n: Math.max(1, Math.ceil(s / 60)) }));
      } else if (res.status === 401) {
        warn(t('login.wrong'));
      } else {
        warn(t('ed.failed', { status: res.status }));
      }
      passInput.focus();
    });
    return loginForm;
  }

  async function onLogout() {
    const token = session.token;
    writeToken(null);
    session.token = null;
    session.user = null;
    queueCache.clear();
    if (token) {
      try { await request('POST', 'api/auth/logout', { token }); } catch { /* the token expires anyway */ }
    }
    warn('');
    say(t('ed.logged_out'));
    decorateOpenDetail();
    lastKey = null;
    authChanged('logout');
    if (app.state.view !== 'editor') return;
    if (app.state.ed) env.navigate({ ed: null, item: null }, { push: false });
    else await apply(app.state, { user: true });
    const u = document.getElementById('login-username');
    if (u) u.focus();
  }

  // ------------------------------------------------------------ home

  function renderHome(focus) {
    env.picker.start((ll) => {
      app.pendingPick = ll;
      env.navigate({ ed: 'new', item: null });
    }, null, t('form.marker'), { yieldToPlaces: true });
    replace(body, pageTitle(t('ed.home_title')),
      h('p', { class: 'notice', text: t('ed.home_map') }),
      h('ul', { class: 'ed-actions' },
        h('li', {}, navLink(t('ed.new'), { ed: 'new', item: null }, { class: 'btn btn-primary', id: 'ed-new' })),
        h('li', {}, navLink(t('ed.queue'), { ed: 'queue', item: null }, { class: 'btn', id: 'ed-queue' }))),
      h('p', { text: t('ed.home_edit') }),
      h('p', {}, navLink(t('plan.open'), { view: 'planner', ed: null, item: null, place: null }, { id: 'ed-planner-link' })),
      h('p', {}, navLink(t('ed.to_list'), { view: 'list', ed: null, item: null, place: null })));
    if (focus) body.querySelector('#ed-page-title').focus();
  }

  // ------------------------------------------------------------ new and edit

  function renderNew(focus, values) {
    let start = null;
    if (app.pendingPick) {
      start = { type: 'Feature', geometry: { type: 'Point', coordinates: [app.pendingPick.lng, app.pendingPick.lat] }, properties: {} };
      app.pendingPick = null;
    }
    const cancel = h('button', { type: 'button', class: 'btn', text: t('form.cancel'), onclick: () => env.navigate({ ed: null, item: null }) });
    const pf = placeForm(env, {
      prefix: 'place', feature: start, values, submitLabel: t('ed.create'), extraButtons: [cancel], markerLabel: t('form.marker'),
      onSubmit: async (api) => {
        if (!api.check(editor.clientChecks)) { warn(t('form.fix', { n: countErrors(api) })); return; }
        warn('');
        api.submit.disabled = true;
        try {
          const feature = api.feature();
          const res = await call('POST', 'api/collections/places/items', { body: feature, type: 'application/geo+json' });
          if (res.status === 201 && res.data) {
            written();
            env.flash(t('ed.created', { name: res.data.properties.name }));
            env.navigate({ view: 'list', place: res.data.properties.id, ed: null, item: null });
            return;
          }
          serverErrors(api, res);
        } catch (err) {
          if (!(err instanceof Handled)) throw err;
        } finally {
          api.submit.disabled = false;
        }
      },
    });
    form = pf;
    formKey = JSON.stringify(['new', null]);
    replace(body, pageTitle(t('ed.new_title')), h('p', { class: 'hint', text: t('ed.new_hint') }), pf.form);
    pf.pick(t('form.marker'));
    if (focus) pf.focusFirst();
  }

  function countErrors(api) {
    return api.form.querySelectorAll('.field-error:not([hidden])').length;
  }

  /** Shows a 400's field errors at their fields, and anything else in the alert. */
  function serverErrors(api, res, { conflict } = {}) {
    if (res.status === 400 && res.data) {
      const errs = problemErrors(res.data).map((e) => ({ ...e, lang: 'en' }));
      const rest = api.showErrors(errs);
      const items = rest.map((e) => h('li', {}, e.serverField ? h('code', { text: e.serverField }) : null, e.serverField ? ': ' : null, h('span', { lang: 'en', text: e.message })));
      warn(t('form.server_fix', { n: errs.length }), items.length ? h('ul', {}, items) : null);
      if (!errs.length) warn(t('ed.failed', { status: res.status }), h('p', { lang: 'en', text: res.data.detail || '' }));
      return;
    }
    if (res.status === 412 && conflict) {
      warn(t('ed.conflict'), h('button', { type: 'button', class: 'btn', id: 'ed-reload', text: t('ed.reload'), onclick: conflict }));
      return;
    }
    if (res.status === 404) { warn(t('ed.not_found')); return; }
    if (res.status === 409) { warn(t('q.conflict'), h('p', { lang: 'en', text: (res.data && res.data.detail) || '' })); return; }
    if (res.status === 429) { warn(t('ed.too_many')); return; }
    warn(t('ed.failed', { status: res.status }), res.data && res.data.detail ? h('p', { lang: 'en', text: res.data.detail }) : null);
  }

  function written() {
    markFresh();
    queueCache.clear();
    env.afterWrite();
  }

  /** GET a place with its current version (no cache: the ETag must be the newest). */
  async function loadPlace(id) {
    const res = await call('GET', `api/collections/places/items/${encodeURIComponent(id)}`);
    if (!res.ok) return { feature: null, status: res.status };
    const version = etagVersion(res.headers.get('ETag')) ?? res.data.properties.version;
    return { feature: res.data, version, status: res.status };
  }

  async function renderEdit(id, focus, values, mine) {
    replace(body, pageTitle(t('ed.edit_title')), h('p', { class: 'loading', text: t('ed.loading') }));
    env.picker.stop();
    const { feature, version, status: st } = await loadPlace(id);
    if (mine !== seq) return;
    if (!feature) {
      replace(body, pageTitle(t('ed.edit_title')), h('p', { class: 'notice', text: st === 404 ? t('ed.not_found') : t('ed.failed', { status: st }) }),
        h('p', {}, navLink(t('ed.history'), { ed: 'history', item: id })));
      return;
    }
    const p = feature.properties;
    const back = () => env.navigate({ view: 'list', place: id, ed: null, item: null });
    const cancel = h('button', { type: 'button', class: 'btn', text: t('form.cancel'), onclick: back });
    const archive = h('button', { type: 'button', class: 'btn btn-danger', id: 'ed-archive', text: t('ed.archive') });
    const hist = navLink(t('ed.history'), { ed: 'history', item: id }, { class: 'btn', id: 'ed-history' });
    const pf = placeForm(env, {
      prefix: 'place', feature, values, submitLabel: t('ed.save'), extraButtons: [cancel, hist, archive], markerLabel: t('form.marker'),
      onSubmit: async (api) => {
        if (!api.check(editor.clientChecks)) { warn(t('form.fix', { n: countErrors(api) })); return; }
        warn('');
        const patch = mergePatch(feature, api.feature());
        if (!patch) { say(t('ed.unchanged')); return; }
        api.submit.disabled = true;
        try {
          const res = await call('PATCH', `api/collections/places/items/${encodeURIComponent(id)}`, {
            body: patch, type: 'application/merge-patch+json', ifMatch: version,
          });
          if (res.ok && res.data) {
            written();
            env.flash(t('ed.saved', { name: res.data.properties.name, version: res.data.properties.version }));
            env.navigate({ view: 'list', place: id, ed: null, item: null });
            return;
          }
          serverErrors(api, res, { conflict: () => { warn(''); lastKey = null; render(app.state, { focus: true }); } });
        } catch (err) {
          if (!(err instanceof Handled)) throw err;
        } finally {
          api.submit.disabled = false;
        }
      },
    });
    archive.addEventListener('click', () => confirmArchive(feature, version, archive));
    form = pf;
    formKey = JSON.stringify(['edit', id]);
    replace(body, pageTitle(t('ed.edit_title'), p.name),
      h('p', { class: 'hint', text: t('ed.version', { version, date: dateTime(p.updated_at) }) }), pf.form);
    pf.pick(t('form.marker'));
    if (focus) pf.focusFirst();
  }

  /** A modal <dialog>: Escape and "Cancel" close it, the focus goes back to the button. */
  function confirmArchive(feature, version, opener) {
    const p = feature.properties;
    const cancel = h('button', { type: 'button', class: 'btn', text: t('form.cancel'), autofocus: true });
    const ok = h('button', { type: 'button', class: 'btn btn-danger', id: 'ed-archive-confirm', text: t('ed.archive_confirm') });
    const dlg = h('dialog', { class: 'ed-dialog', id: 'ed-archive-dialog', 'aria-labelledby': 'ed-dialog-title', 'aria-describedby': 'ed-dialog-text' },
      h('h2', { id: 'ed-dialog-title', text: t('ed.archive_title') }),
      h('p', { id: 'ed-dialog-text' }, t('ed.archive_text', { name: p.name })),
      h('div', { class: 'ed-buttons' }, cancel, ok));
    document.body.append(dlg);
    dlg.addEventListener('close', () => {
      dlg.remove();
      if (opener.isConnected) opener.focus();
    });
    cancel.addEventListener('click', () => dlg.close());
    ok.addEventListener('click', async () => {
      ok.disabled = true;
      try {
        const res = await call('DELETE', `api/collections/places/items/${encodeURIComponent(p.id)}`, { ifMatch: version });
        dlg.close();
        if (res.status === 204) {
          written();
          say(t('ed.archived', { name: p.name }));
          env.navigate({ ed: 'history', item: p.id });
          return;
        }
        serverErrors({ showErrors: () => [] }, res, { conflict: () => { warn(''); lastKey = null; render(app.state, { focus: true }); } });
      } catch (err) {
        dlg.close();
        if (!(err instanceof Handled)) throw err;
      }
    });
    dlg.showModal();
    cancel.focus();
  }

  // ------------------------------------------------------------ history

  async function renderHistory(id, focus, mine) {
    env.picker.stop();
    replace(body, pageTitle(t('ed.history_title')), h('p', { class: 'loading', text: t('ed.loading') }));
    const res = await call('GET', `api/collections/places/items/${encodeURIComponent(id)}/history`);
    if (mine !== seq) return;
    if (!res.ok || !res.data) {
      replace(body, pageTitle(t('ed.history_title')), h('p', { class: 'notice', text: res.status === 404 ? t('ed.not_found') : t('ed.failed', { status: res.status }) }));
      return;
    }
    const hist = res.data;
    const revs = (hist.revisions || []).slice().reverse();
    const current = hist.current_version;
    const name = revs.length && revs[0].state ? revs[0].state.properties.name : '';
    const fmt = {
      t,
      catLabel: env.catLabel,
      languageName: env.languageName,
      statusLabel: (s) => app.i18n.maybe(`status.${s}`) || s,
      fieldLabel: (f) => app.i18n.maybe(`field.${f}`) || f,
      empty: t('diff.empty'),
    };
    const items = revs.map((r) => {
      const rows = diffRows(r.changes, { ...fmt, action: r.action });
      const action = app.i18n.maybe(`action.${r.action}`) || r.action;
      const hid = `rev-${r.version}`;
      const table = rows.length
        ? h('table', { class: 'diff' },
          h('caption', { class: 'visually-hidden', text: t('hist.changes', { version: r.version }) }),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('hist.field') }), h('th', { scope: 'col', text: t('hist.old') }), h('th', { scope: 'col', text: t('hist.new') }))),
          h('tbody', {}, rows.map((row) => h('tr', { 'data-field': row.field },
            h('th', { scope: 'row', text: row.label }),
            h('td', { class: 'old', dir: 'auto' }, h('del', { text: row.old })),
            h('td', { class: 'new', dir: 'auto' }, h('ins', { text: row.new }))))))
        : h('p', { class: 'hint', text: t('hist.no_changes') });
      const restore = r.version !== current
        ? h('button', { type: 'button', class: 'btn', 'data-restore': String(r.version), text: t('hist.restore', { version: r.version }), onclick: (e) => onRestore(id, r.version, current, e.currentTarget) })
        : h('p', { class: 'current', text: t('hist.current') });
      return h('li', { class: 'revision', 'aria-labelledby': hid },
        h('h4', { id: hid, text: t('hist.version', { version: r.version, action }) }),
        h('p', { class: 'meta' }, t('hist.by', { author: r.author || '?', date: dateTime(r.created_at) })),
        r.note ? h('p', { class: 'note', dir: 'auto', text: r.note }) : null,
        table, restore);
    });
    const archived = hist.status === 'archived';
    replace(body, pageTitle(t('ed.history_title'), name),
      h('p', { id: 'hist-summary' }, t('hist.summary', { version: current, n: revs.length }), archived ? ` ${t('hist.archived')}` : ''),
      h('p', { class: 'ed-buttons' },
        archived ? null : navLink(t('ed.to_place'), { view: 'list', place: id, ed: null, item: null }, { class: 'btn' }),
        archived ? null : navLink(t('ed.edit'), { ed: 'edit', item: id }, { class: 'btn' })),
      h('ol', { class: 'revisions', reversed: true }, items));
    if (focus) body.querySelector('#ed-page-title').focus();
  }

  async function onRestore(id, version, current, button) {
    button.disabled = true;
    try {
      const res = await call('POST', `api/collections/places/items/${encodeURIComponent(id)}/restore`, { body: { version }, ifMatch: current });
      if (res.ok && res.data) {
        written();
        warn('');
        say(t('hist.restored', { version, now: res.data.properties.version }));
        lastKey = null;
        await render(app.state, { focus: true });
        return;
      }
      serverErrors({ showErrors: () => [] }, res, { conflict: () => { warn(''); lastKey = null; render(app.state, { focus: true }); } });
    } catch (err) {
      if (!(err instanceof Handled)) throw err;
    } finally {
      if (button.isConnected) button.disabled = false;
    }
  }

  // ------------------------------------------------------------ moderation queue

  async function loadQueue(qs, mine) {
    if (!queueCache.has(qs)) {
      const res = await call('GET', `api/suggestions?status=${encodeURIComponent(qs)}`);
      if (mine !== seq) throw new Handled();
      if (!res.ok || !res.data) { warn(t('ed.failed', { status: res.status })); throw new Handled(); }
      queueCache.set(qs, res.data);
    }
    return queueCache.get(qs);
  }

  const kindLabel = (k) => t(k === 'candidate' ? 'q.kind_candidate' : 'q.kind_suggestion');
  const statusLabel = (s) => app.i18n.maybe(`q.status_${s}`) || s;

  function draftOf(item) {
    if (item.kind === 'candidate' && item.feature) return item.feature;
    return {
      type: 'Feature',
      geometry: item.geometry || null,
      properties: { name: item.name || '', category: item.category || '', description: item.description || '', website: item.website || '' },
    };
  }

  async function renderQueue(s, focus, values, mine) {
    replace(body, pageTitle(t('q.title')), h('p', { class: 'loading', text: t('ed.loading') }));
    const data = await loadQueue(s.qs, mine);
    if (mine !== seq) return;
    const all = data.items || [];
    const items = all.filter((x) => s.qk === 'all' || x.kind === s.qk);
    if (s.item) {
      const item = all.find((x) => x.id === s.item);
      if (item) { renderEntry(s, item, focus, values); return; }
    }
    env.picker.stop();
    const statusSel = h('select', { id: 'q-status' }, QUEUE_STATUSES.map((x) => h('option', { value: x, text: t(`q.filter_${x}`) })));
    statusSel.value = s.qs;
    statusSel.addEventListener('change', () => env.navigate({ qs: statusSel.value, item: null }, { focus: 'q-status' }));
    const kindSel = h('select', { id: 'q-kind' }, QUEUE_KINDS.map((x) => h('option', { value: x, text: t(`q.kind_filter_${x}`) })));
    kindSel.value = s.qk;
    kindSel.addEventListener('change', () => env.navigate({ qk: kindSel.value, item: null }, { focus: 'q-kind' }));
    const list = h('ul', { class: 'queue', id: 'q-list', 'aria-labelledby': 'ed-page-title' });
    let shown = 0;
    const more = h('button', { type: 'button', class: 'btn', id: 'q-more' });
    const addPage = () => {
      const first = shown;
      for (const x of items.slice(shown, shown + QUEUE_PAGE)) {
        list.append(h('li', { class: 'q-item', 'data-id': x.id, 'data-kind': x.kind },
          navLink(x.name || t('q.unnamed'), { item: x.id }, { class: 'q-link', dir: 'auto', 'data-id': x.id }),
          h('span', { class: 'q-meta' }, `${kindLabel(x.kind)} · ${env.catLabel(x.category)} · ${dateTime(x.created_at)}`,
            s.qs === 'all' ? ` · ${statusLabel(x.status)}` : '')));
      }
      shown = Math.min(items.length, shown + QUEUE_PAGE);
      more.hidden = shown >= items.length;
      more.textContent = t('results.more', { n: Math.min(QUEUE_PAGE, items.length - shown) });
      return list.querySelectorAll('a.q-link')[first];
    };
    more.addEventListener('click', () => { const a = addPage(); if (a) a.focus(); });
    addPage();
    replace(body, pageTitle(t('q.title')),
      h('p', { class: 'hint', text: t('q.intro') }),
      h('div', { class: 'ed-filters' },
        h('div', { class: 'field' }, h('label', { for: 'q-status', text: t('q.status') }), statusSel),
        h('div', { class: 'field' }, h('label', { for: 'q-kind', text: t('q.kind') }), kindSel)),
      h('p', { id: 'q-count', class: 'status', text: t('q.count', { n: items.length }) }),
      items.length ? list : h('p', { class: 'empty', text: t('q.empty') }),
      more);
    if (focus) {
      const back = app.queueReturn && list.querySelector(`a.q-link[data-id="${CSS.escape(app.queueReturn)}"]`);
      app.queueReturn = null;
      if (back) back.focus();
      else body.querySelector('#ed-page-title').focus();
    }
  }

  function renderEntry(s, item, focus, values) {
    const backBtn = navLink(t('q.back'), { item: null }, { class: 'btn btn-back', id: 'q-back' });
    app.queueReturn = item.id;
    const meta = h('p', { class: 'q-meta' }, `${kindLabel(item.kind)} · ${t('q.created', { date: dateTime(item.created_at) })} · ${statusLabel(item.status)}`);
    const parts = [backBtn, pageTitle(item.name || t('q.unnamed')), meta];
    if (item.kind === 'candidate') parts.push(h('p', { class: 'hint', text: t('q.candidate_note') }));
    if (item.contact_email) {
      parts.push(h('p', { class: 'q-contact' }, `${t('q.contact')} `, h('a', { href: `mailto:${item.contact_email}`, dir: 'ltr', text: item.contact_email })));
    }
    if (item.status !== 'pending') {
      env.picker.stop();
      if (item.reason) parts.push(h('p', {}, `${t('q.reason')}: `, h('span', { dir: 'auto', text: item.reason })));
      if (item.place_id) parts.push(h('p', {}, navLink(t('ed.to_place'), { view: 'list', place: item.place_id, ed: null, item: null })));
      replace(body, parts);
      if (focus) body.querySelector('#ed-page-title').focus();
      return;
    }
    const draft = draftOf(item);
    const pf = placeForm(env, {
      prefix: 'entry', feature: draft, values, submitLabel: t('q.accept'), markerLabel: t('form.marker'),
      onSubmit: async (api) => {
        if (!api.check(editor.clientChecks)) { warn(t('form.fix', { n: countErrors(api) })); return; }
        warn('');
        const patch = mergePatch(draft, api.feature());
        api.submit.disabled = true;
        try {
          const res = await call('POST', `api/suggestions/${encodeURIComponent(item.id)}/accept`, patch ? { body: patch } : {});
          if (res.status === 201 && res.data) {
            written();
            const pid = res.data.properties.id;
            say(t('q.accepted', { name: res.data.properties.name }),
              navLink(t('ed.to_place'), { view: 'list', place: pid, ed: null, item: null }, { id: 'q-accepted-link' }));
            env.navigate({ item: null }, { focus: 'editor-status' });
            return;
          }
          serverErrors(api, res);
          if (res.status === 409) { queueCache.clear(); }
        } catch (err) {
          if (!(err instanceof Handled)) throw err;
        } finally {
          api.submit.disabled = false;
        }
      },
    });
    form = pf;
    formKey = JSON.stringify(['queue', item.id]);
    // reject: a reason is required (the person who suggested the place reads it)
    const rf = new FormFields('reject');
    const reason = rf.text('reason', t('q.reason'), '', { rows: 3, required: true, requiredMark: t('form.required_mark'), hint: t('q.reason_hint'), attrs: { dir: 'auto' } });
    const rejectBtn = h('button', { type: 'submit', class: 'btn btn-danger', id: 'q-reject', text: t('q.reject') });
    const rejectForm = h('form', { id: 'reject-form', class: 'reject', novalidate: true, 'aria-labelledby': 'q-reject-title' },
      h('h4', { id: 'q-reject-title', text: t('q.reject_title') }), reason, h('div', { class: 'ed-buttons' }, rejectBtn));
    rejectForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = rf.values().reason.trim();
      if (!text) {
        const { first } = rf.showErrors([{ field: 'reason', message: t('q.reason_required') }]);
        warn(t('form.fix', { n: 1 }));
        if (first) first.focus();
        return;
      }
      rf.clearErrors();
      rejectBtn.disabled = true;
      try {
        const res = await call('POST', `api/suggestions/${encodeURIComponent(item.id)}/reject`, { body: { reason: text } });
        if (res.ok) {
          queueCache.clear();
          warn('');
          say(t('q.rejected', { name: item.name }));
          env.navigate({ item: null }, { focus: 'editor-status' });
          return;
        }
        if (res.status === 400 && res.data) {
          const errs = problemErrors(res.data).map((x) => ({ ...x, lang: 'en' }));
          const { first } = rf.showErrors(errs);
          if (first) first.focus();
          warn(t('form.server_fix', { n: errs.length }));
          return;
        }
        serverErrors({ showErrors: () => [] }, res);
      } catch (err) {
        if (!(err instanceof Handled)) throw err;
      } finally {
        rejectBtn.disabled = false;
      }
    });
    replace(body, parts, h('h4', { class: 'q-form-title', text: t('q.complete') }), pf.form, rejectForm);
    pf.pick(t('form.marker'));
    if (focus) body.querySelector('#ed-page-title').focus();
  }

  // ------------------------------------------------------------ the detail of a place

  /** Adds "Edit" and "History" to a place's detail for editors (nothing for others). */
  function decorateDetail(article, feature) {
    if (!article) return;
    const old = article.querySelector('.ed-detail');
    if (old) old.remove();
    if (!canWrite() || !feature) return;
    const id = feature.properties.id;
    const box = h('div', { class: 'ed-detail', role: 'group', 'aria-label': t('ed.title') },
      navLink(t('ed.edit'), { view: 'editor', ed: 'edit', item: id, place: null }, { class: 'btn btn-primary', id: 'detail-edit' }),
      navLink(t('ed.history'), { view: 'editor', ed: 'history', item: id, place: null }, { class: 'btn', id: 'detail-history' }));
    const anchor = article.querySelector('.detail-cat');
    if (anchor) anchor.after(box);
    else article.append(box);
  }

  function decorateOpenDetail() {
    decorateDetail(document.querySelector('#detail article.detail'), app.detail);
  }

  return withGetters(editor, {
    init,
    apply,
    decorateDetail,
    buildLogin,
    logout: onLogout,
    expire,
    onAuth: (fn) => listeners.push(fn),
    get ready() { return ready; },
    get token() { return session.token; },
    get user() { return session.user; },
    canWrite,
    valuesFromFeature,
  });
}

/** Object.assign, but getters stay getters (Object.assign would copy their value of now). */
function withGetters(target, source) {
  return Object.defineProperties(target, Object.getOwnPropertyDescriptors(source));
}
