// The campaign planners' view (#view=planner, the header's "Kampagnen"): choose Stadträume on the
// map or from the list, a platform and its parameters; see the circles or postcode areas that
// would be targeted with their coverage and spill; download the file for the platform; copy the
// landing link into the map. It uses the targets API with the token of the editors' login
// (planner, editor or admin accounts).
//
// The selection and the parameters live in the fragment (stadtraum, platform, mode, radius_m,
// target, threshold, share, exclude, campaign), so a planning link can be shared.
import L from 'leaflet';
import { h, replace, FormFields } from './dom.js';
import { request, getJSON, isAbort } from './api.js';
import { PLANNERS } from './editor.js';
import { PLAN_DEFAULTS, PLAN_SHARES } from './state.js';
import {
  findPlatform, effectiveMode, targetParams, platformLimits, readRadiusKm, readPercent, radiusKmText,
  figureRows, summaryText, reportNotes, dispositionName, formatDistance,
} from './plannerlib.js';

const COLORS = {
  selected: '#f0b429',   // fill of a chosen Stadtraum on the map
  outline: '#111111',    // border of the selection
  circle: '#0b4f94',
  postcode: '#8a1c7c',
};
const ODBL = 'https://opendatacommons.org/licenses/odbl/1-0/';
const DLDE = 'https://www.govdata.de/dl-de/by-2-0';
const MAP_ATTRIBUTION = 'Postleitzahlgebiete © <a href="https://www.openstreetmap.org/copyright">OpenStreetMap contributors</a>, ' +
  `<a href="${ODBL}">ODbL 1.0</a>, via suche-postleitzahl.org`;
const TYPE_DELAY = 500;   // ms after the last key before the preview asks again
const CHANGE_DELAY = 150; // after a click (checkbox, radio, select, the map)

/** env: {app, t, navigate, hrefFor, map, editor, restyle(), stadtraumNames(nrs)} */
export function createPlanner(env) {
  const { app, editor } = env;
  const t = (k, v) => env.t(k, v);
  const root = document.getElementById('planner');
  const title = h('h2', { id: 'planner-title', tabindex: '-1' });
  const userBar = h('div', { class: 'plan-user' });
  const status = h('p', { id: 'planner-status', class: 'flash', role: 'status', 'aria-live': 'polite' });
  const alert = h('div', { id: 'planner-alert', class: 'alert', role: 'alert', hidden: true });
  const body = h('div', { id: 'planner-body' });
  replace(root, title, userBar, status, alert, body);

  let platforms = null;      // answer of /api/targets/platforms
  let platformsP = null;
  let lastKey = null;        // what the body shows now (language, account)
  let fields = null;         // FormFields of the form on the page
  let ui = null;             // the parts of the form and the results that change
  let previewKey = null;     // the query of the preview shown (or asked for)
  let preview = null;        // its answer
  let ctrl = null;
  let timer = null;
  let layer = null;          // the drawn features
  let fitNext = true;        // fit the map to the next preview (not after a click on the map)
  let formErrors = false;    // the form holds values the browser refused: nothing to download
  const planner = { clientChecks: true, colors: COLORS }; // the tests switch the checks off to reach the server's

  const allowed = () => Boolean(editor.user && PLANNERS.includes(editor.user.role));
  const roleLabel = (r) => app.i18n.maybe(`role.${r}`) || r;
  const srName = (nr) => {
    const s = app.stats && app.stats.stadtraeume.find((x) => x.nr === nr);
    return s ? s.name : String(nr);
  };

  function say(text) { status.textContent = text || ''; }
  function warn(text, ...extra) {
    replace(alert, text ? h('p', { text }) : null, extra);
    alert.hidden = !text;
  }

  function loadPlatforms() {
    if (!platformsP) {
      platformsP = getJSON('api/targets/platforms')
        .then((d) => { platforms = d.platforms || []; })
        .catch(() => { platforms = null; platformsP = null; });
    }
    return platformsP;
  }

  // the header's "Kampagnen" shows to accounts that may plan
  function updateNav() {
    for (const a of document.querySelectorAll('a[data-view="planner"]')) {
      const li = a.closest('li') || a;
      li.hidden = !allowed();
    }
  }
  editor.onAuth((reason) => {
    updateNav();
    if (reason === 'login') return; // whoever logged in renders (the login form's onSuccess)
    if (reason === 'expired') warn(t('ed.expired'));
    if (reason === 'logout') { warn(''); say(t('ed.logged_out')); }
    lastKey = null;
    clearLayer();
    previewKey = null;
    preview = null;
    if (app.state.view === 'planner' && !app.state.place) {
      apply(app.state, { user: reason !== 'init' }).then(() => {
        const u = document.getElementById('plan-login-username');
        if (u && reason !== 'init') u.focus();
      });
    }
  });

  // ------------------------------------------------------------ entry point from the app

  async function apply(s, { user = false, relabel = false } = {}) {
    if (s.view !== 'planner' || s.place) {
      if (lastKey !== null && lastKey !== 'away') leave();
      lastKey = 'away';
      return;
    }
    await editor.ready;
    await loadPlatforms();
    if (app.state !== s && (app.state.view !== 'planner' || app.state.place)) return; // navigated away meanwhile
    const key = JSON.stringify([app.i18n.lang, editor.user && editor.user.username, editor.user && editor.user.role, Boolean(platforms)]);
    if (key !== lastKey) {
      const fresh = lastKey === null || lastKey === 'away';
      lastKey = key;
      if (user && !relabel) warn('');
      if (fresh) fitNext = true;
      render(s, { focus: user && !relabel });
      if (relabel && preview) showPreview(preview);
    } else {
      syncForm(s);
    }
    if (allowed() && platforms) schedule(s);
  }

  function leave() {
    clearTimeout(timer);
    if (ctrl) ctrl.abort();
    ctrl = null;
    clearLayer();
    previewKey = null;
  }

  function pageTitle(text) {
    return h('h3', { id: 'plan-page-title', class: 'ed-page-title', tabindex: '-1', text });
  }

  function render(s, { focus }) {
    title.textContent = t('plan.title');
    fields = null;
    ui = null;
    renderUserBar();
    if (!editor.user) {
      clearLayer();
      const form = editor.buildLogin({
        prefix: 'plan-login',
        warn,
        onSuccess: async () => {
          say(t('ed.logged_in', { user: editor.user.username }));
          lastKey = null;
          await apply(app.state, { user: true });
        },
      });
      replace(body, pageTitle(t('login.title')), h('p', { text: t('plan.login_intro') }), form);
      if (focus) form.querySelector('#plan-login-username').focus();
      return;
    }
    if (!allowed()) {
      clearLayer();
      replace(body, pageTitle(t('plan.title')), h('p', { class: 'notice', id: 'plan-forbidden', text: t('plan.forbidden', { role: roleLabel(editor.user.role) }) }));
      if (focus) title.focus();
      return;
    }
    if (!platforms) {
      replace(body, h('p', { class: 'notice', text: t('plan.no_platforms') }));
      return;
    }
    renderForm(s);
    if (focus) title.focus();
  }

  function renderUserBar() {
    if (!editor.user) { replace(userBar); return; }
    replace(userBar,
      h('p', {}, t('ed.logged_in_as'), ' ', h('strong', { dir: 'auto', text: editor.user.username }), ` (${roleLabel(editor.user.role)})`),
      h('button', { type: 'button', class: 'btn', id: 'plan-logout', text: t('ed.logout'), onclick: () => editor.logout() }));
  }

  // ------------------------------------------------------------ the form

  function radio(name, value, label, extra, checked) {
    const id = `plan-${name}-${value}`;
    const input = h('input', { type: 'radio', id, name: `plan-${name}`, value, checked });
    return {
      input,
      el: h('label', { for: id, class: 'plan-radio' }, input, ' ',
        h('span', { class: 'plan-radio-text' }, h('span', { class: 'plan-radio-name', text: label }),
          extra ? h('span', { class: 'plan-radio-extra', text: extra }) : null)),
    };
  }

  function renderForm(s) {
    const f = new FormFields('plan');
    fields = f;
    const platform = findPlatform(platforms, s.platform) || platforms[0];
    const srs = (app.stats ? app.stats.stadtraeume : []).slice().sort((a, b) => a.nr - b.nr);
    const srOptions = srs.map((x) => ({ value: String(x.nr), label: `${x.nr} · ${x.name}` }));

    // Stadträume: the list (the map toggles the same selection)
    const srSet = f.checks('stadtraum', t('plan.stadtraeume'), srOptions, s.stadtraum.map(String));
    srSet.classList.add('plan-sr');
    const srCount = h('p', { class: 'hint', id: 'plan-sr-count' });
    const clearBtn = h('button', { type: 'button', class: 'btn btn-small', id: 'plan-sr-clear', text: t('plan.sr_clear'),
      onclick: () => { fitNext = false; commit({ stadtraum: [] }); } });
    const srHint = h('p', { class: 'hint', id: 'plan-stadtraum-hint', text: t('plan.sr_hint') });
    srSet.querySelector('legend').after(srHint, srCount);
    srSet.append(clearBtn);
    f.fields.get('stadtraum').hint = srHint;
    f.clearErrors(); // describes the boxes by the hint

    // platform: a radio group with each platform's limits
    const platformRadios = platforms.map((p) => radio('platform', p.name, p.label, platformLimits(p, app.i18n), p.name === platform.name));
    const platformError = h('p', { class: 'field-error', id: 'plan-platform-error', hidden: true });
    const platformSet = h('fieldset', { class: 'field plan-platforms', id: 'plan-platform' },
      h('legend', { text: t('plan.platform') }), h('div', { class: 'plan-radios' }, platformRadios.map((r) => r.el)), platformError);
    f.group('platform', platformRadios.map((r) => r.input), platformError);

    // mode
    const modeRadios = ['circles', 'postcodes'].map((m) => radio('mode', m, t(`plan.mode_${m}`), t(`plan.mode_${m}_hint`), false));
    const modeError = h('p', { class: 'field-error', id: 'plan-mode-error', hidden: true });
    const modeHint = h('p', { class: 'hint', id: 'plan-mode-hint' });
    const modeSet = h('fieldset', { class: 'field', id: 'plan-mode' },
      h('legend', { text: t('plan.mode') }), modeHint, h('div', { class: 'plan-radios' }, modeRadios.map((r) => r.el)), modeError);
    f.group('mode', modeRadios.map((r) => r.input), modeError);

    // circles
    const radius = f.text('radius', t('plan.radius'), radiusKmText(s.radius_m), {
      hint: ' ', attrs: { inputmode: 'decimal', autocomplete: 'off', dir: 'ltr', size: 8, spellcheck: 'false' },
    });
    const target = f.text('target', t('plan.target'), String(s.target), {
      type: 'number', hint: t('plan.target_hint'), attrs: { min: 1, max: 100, step: 1, inputmode: 'numeric', dir: 'ltr' },
    });
    const circlesBox = h('div', { class: 'plan-mode-fields', id: 'plan-circles-fields' }, radius, target);

    // postcodes
    const threshold = f.text('threshold', t('plan.threshold'), String(s.threshold), {
      type: 'number', hint: t('plan.threshold_hint'), attrs: { min: 1, max: 100, step: 1, inputmode: 'numeric', dir: 'ltr' },
    });
    const share = f.select('share', t('plan.share'), PLAN_SHARES.map((x) => ({ value: x, label: t(`plan.share_${x}`) })), s.share, { hint: t('plan.share_hint') });
    const postcodesBox = h('div', { class: 'plan-mode-fields', id: 'plan-postcodes-fields' }, threshold, share);

    // exclusions (Meta)
    const exclude = h('input', { type: 'checkbox', id: 'plan-exclude_neighbours', name: 'exclude_neighbours', checked: s.exclude });
    const excludeHint = h('p', { class: 'hint', id: 'plan-exclude_neighbours-hint', text: t('plan.exclude_hint') });
    const excludeError = h('p', { class: 'field-error', id: 'plan-exclude_neighbours-error', hidden: true });
    const excludeBox = h('div', { class: 'field plan-exclude', id: 'plan-exclude-field' },
      h('label', { for: 'plan-exclude_neighbours', class: 'plan-check' }, exclude, ' ', h('span', { text: t('plan.exclude') })), excludeHint, excludeError);
    f.group('exclude_neighbours', [exclude], excludeError, excludeHint);

    const campaign = f.text('campaign', t('plan.campaign'), s.campaign, {
      hint: t('plan.campaign_hint'), attrs: { maxlength: 100, autocomplete: 'off', dir: 'auto', placeholder: 'Lernorte' },
    });

    const update = h('button', { type: 'submit', class: 'btn btn-primary', id: 'plan-update', text: t('plan.update') });
    const form = h('form', { id: 'plan-form', novalidate: true, 'aria-labelledby': 'plan-form-title' },
      h('h3', { id: 'plan-form-title', class: 'ed-page-title', text: t('plan.form_title') }),
      srSet, platformSet, modeSet, circlesBox, postcodesBox, excludeBox, campaign,
      h('div', { class: 'ed-buttons' }, update));

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      commitForm({ now: true });
    });
    form.addEventListener('change', (e) => {
      if (e.target.name === 'stadtraum') fitNext = true;
      commitForm({ delay: CHANGE_DELAY });
    });
    form.addEventListener('input', (e) => {
      if (e.target.type === 'text' || e.target.type === 'number') commitForm({ delay: TYPE_DELAY });
    });

    // results
    const resultsTitle = h('h3', { id: 'plan-results-title', class: 'ed-page-title', text: t('plan.results') });
    const summary = h('p', { id: 'plan-summary', class: 'plan-summary' });
    const figures = h('dl', { id: 'plan-figures', class: 'facts plan-figures' });
    const notes = h('ul', { id: 'plan-notes', class: 'plan-notes' });
    const warningsBox = h('div', { id: 'plan-warnings-box' });
    const postcodes = h('div', { id: 'plan-postcodes-box' });
    const download = h('button', { type: 'button', class: 'btn btn-primary', id: 'plan-download', text: t('plan.download'), onclick: onDownload });
    const downloadName = h('p', { class: 'hint', id: 'plan-download-name' });
    download.setAttribute('aria-describedby', 'plan-download-name');
    const linkInput = h('input', { type: 'text', id: 'plan-link', readonly: true, dir: 'ltr', class: 'plan-link', 'aria-describedby': 'plan-link-hint' });
    const copy = h('button', { type: 'button', class: 'btn', id: 'plan-copy', text: t('plan.copy'), onclick: onCopy });
    const copyMsg = h('p', { id: 'plan-copy-msg', class: 'msg', role: 'status' });
    const openLink = h('a', { id: 'plan-link-open', target: '_blank', rel: 'noopener', text: t('plan.link_open') });
    const perSr = h('div', { id: 'plan-links-box' });
    const busy = h('p', { id: 'plan-busy', class: 'loading', hidden: true, text: t('plan.loading') });
    const results = h('section', { id: 'plan-results', class: 'plan-results', 'aria-labelledby': 'plan-results-title' },
      resultsTitle, busy, summary, figures, notes, warningsBox, postcodes,
      h('div', { class: 'plan-actions' },
        h('h4', { text: t('plan.file') }), download, downloadName,
        h('h4', {}, h('label', { for: 'plan-link', text: t('plan.link') })),
        h('p', { class: 'hint', id: 'plan-link-hint', text: t('plan.link_hint') }),
        linkInput,
        h('div', { class: 'ed-buttons' }, copy, openLink),
        copyMsg, perSr),
      h('div', { class: 'source plan-source' },
        h('p', {}, `${t('plan.attr_postcodes')}: © OpenStreetMap contributors, `, h('a', { href: ODBL, text: 'ODbL 1.0' }), ', via suche-postleitzahl.org'),
        h('p', {}, `${t('plan.attr_residents')}: Landeshauptstadt Dresden, `, h('a', { href: DLDE, text: 'dl-de/by-2-0' }))));

    replace(body, form, results);
    ui = {
      form, srSet, srCount, platformRadios, modeRadios, modeHint, circlesBox, postcodesBox, excludeBox, exclude,
      summary, figures, notes, warningsBox, postcodes, download, downloadName, linkInput, copy, copyMsg, openLink, perSr, busy, results,
    };
    syncForm(s, { force: true });
    showPreview(null);
  }

  const inputOf = (name) => (fields && fields.fields.get(name) ? fields.fields.get(name).inputs[0] : null);

  /** The controls from the state (after a click on the map, Back, a change of platform). */
  function syncForm(s, { force = false } = {}) {
    if (!ui) return;
    const platform = findPlatform(platforms, s.platform) || platforms[0];
    const mode = effectiveMode(platform, s.mode);
    for (const i of ui.srSet.querySelectorAll('input[type="checkbox"]')) i.checked = s.stadtraum.includes(Number(i.value));
    ui.srCount.textContent = s.stadtraum.length
      ? t('plan.sr_count', { n: s.stadtraum.length, names: env.stadtraumNames(s.stadtraum) })
      : t('plan.sr_none');
    for (const r of ui.platformRadios) r.input.checked = r.input.value === platform.name;
    for (const r of ui.modeRadios) {
      const m = r.input.value;
      r.input.checked = m === mode;
      r.input.disabled = !platform[m];
    }
    ui.modeHint.textContent = !platform.circles ? t('plan.mode_only_postcodes', { platform: platform.label })
      : !platform.postcodes ? t('plan.mode_only_circles', { platform: platform.label }) : '';
    ui.modeHint.hidden = !ui.modeHint.textContent;
    ui.circlesBox.hidden = mode !== 'circles';
    ui.postcodesBox.hidden = mode !== 'postcodes';
    ui.excludeBox.hidden = !platform.exclusions;
    const radiusHint = document.getElementById('plan-radius-hint');
    if (radiusHint) {
      radiusHint.textContent = platform.circles
        ? t('plan.radius_hint', { platform: platform.label, min: formatDistance(platform.min_radius_m, app.i18n), max: formatDistance(platform.max_radius_m, app.i18n) })
        : '';
    }
    const active = document.activeElement;
    const setText = (name, value) => {
      const i = inputOf(name);
      if (i && (force || i !== active)) i.value = value;
    };
    if (force || !formErrors) {
      setText('radius', radiusKmText(s.radius_m));
      setText('target', String(s.target));
      setText('threshold', String(s.threshold));
      setText('campaign', s.campaign);
    }
    const share = inputOf('share');
    if (share) share.value = s.share;
    ui.exclude.checked = Boolean(s.exclude);
  }

  function readForm() {
    const v = fields.values();
    const checked = (name) => {
      const r = ui[`${name}Radios`].find((x) => x.input.checked);
      return r ? r.input.value : null;
    };
    return {
      stadtraum: v.stadtraum.map(Number).sort((a, b) => a - b),
      platform: checked('platform') || PLAN_DEFAULTS.platform,
      mode: checked('mode') || PLAN_DEFAULTS.mode,
      radius: v.radius,
      target: v.target,
      threshold: v.threshold,
      share: v.share,
      exclude: ui.exclude.checked,
      campaign: String(v.campaign || '').trim(),
    };
  }

  let commitTimer = null;
  /** The form's values into the URL state (which asks for a preview), after the browser's checks. */
  function commitForm({ delay = 0, now = false } = {}) {
    clearTimeout(commitTimer);
    const run = () => {
      if (!ui) return;
      const v = readForm();
      const platform = findPlatform(platforms, v.platform);
      const mode = effectiveMode(platform, v.mode);
      const errors = [];
      const patch = {
        stadtraum: v.stadtraum, platform: v.platform, mode, share: v.share, campaign: v.campaign,
        exclude: Boolean(v.exclude && platform && platform.exclusions),
        radius_m: app.state.radius_m, target: app.state.target, threshold: app.state.threshold,
      };
      if (mode === 'circles') {
        const r = readRadiusKm(v.radius, planner.clientChecks ? platform : null);
        if (r.error) {
          errors.push({ field: 'radius', message: t(r.error, { platform: platform.label, min: formatDistance(platform.min_radius_m, app.i18n), max: formatDistance(platform.max_radius_m, app.i18n) }) });
        } else {
          patch.radius_m = r.value_m;
        }
        const tg = readPercent(v.target);
        if (Number.isNaN(tg)) errors.push({ field: 'target', message: t('plan.err_percent') });
        else patch.target = tg;
      } else {
        const th = readPercent(v.threshold);
        if (Number.isNaN(th)) errors.push({ field: 'threshold', message: t('plan.err_percent') });
        else patch.threshold = th;
      }
      if (!v.stadtraum.length) errors.push({ field: 'stadtraum', message: t('plan.err_stadtraum') });
      if (errors.length && planner.clientChecks) {
        formErrors = true;
        const { first } = fields.showErrors(errors);
        warn(t('form.fix', { n: errors.length }));
        setActions(false);
        if (now && first) first.focus();
        // the valid parts still go into the URL; the preview waits for a valid form
        pushState(patch);
        return;
      }
      formErrors = false;
      fields.clearErrors();
      warn('');
      setActions(Boolean(preview));
      pushState(patch);
      if (now) schedule(app.state, { now: true, force: true });
    };
    if (now || !delay) run();
    else commitTimer = setTimeout(run, delay);
  }

  function pushState(patch) {
    const s = app.state;
    const changed = Object.keys(patch).some((k) => String(patch[k]) !== String(s[k]));
    if (changed) env.navigate(patch, { push: false });
    else if (!formErrors) schedule(app.state);
  }

  function setActions(ok) {
    if (!ui) return;
    ui.download.disabled = !ok;
    ui.copy.disabled = !ok;
  }

  /** A click on a Stadtraum on the map: in or out of the selection. */
  function toggle(nr) {
    if (!Number.isInteger(nr) || !allowed() || !ui) return;
    const cur = app.state.stadtraum;
    const next = cur.includes(nr) ? cur.filter((x) => x !== nr) : [...cur, nr].sort((a, b) => a - b);
    fitNext = false;
    say(t(cur.includes(nr) ? 'plan.sr_removed' : 'plan.sr_added', { name: srName(nr) }));
    env.navigate({ stadtraum: next }, { push: false });
  }

  function commit(patch) { env.navigate(patch, { push: false }); }

  // ------------------------------------------------------------ the preview

  function schedule(s, { now = false, force = false } = {}) {
    if (!ui || formErrors) return;
    const platform = findPlatform(platforms, s.platform);
    if (!s.stadtraum.length) {
      clearTimeout(timer);
      if (ctrl) ctrl.abort();
      previewKey = '';
      preview = null;
      clearLayer();
      showPreview(null);
      return;
    }
    const key = targetParams(s, platform).toString();
    if (key === previewKey && !force) return;
    previewKey = key;
    clearTimeout(timer);
    timer = setTimeout(() => runPreview(key), now ? 0 : CHANGE_DELAY);
  }

  async function runPreview(key) {
    if (ctrl) ctrl.abort();
    const mine = new AbortController();
    ctrl = mine;
    ui.busy.hidden = false;
    ui.results.setAttribute('aria-busy', 'true');
    setActions(false);
    let res;
    try {
      res = await request('GET', `api/targets/preview?${key}`, { token: editor.token, signal: mine.signal });
    } catch (err) {
      if (isAbort(err) || ctrl !== mine) return;
      done();
      warn(t('ed.network'));
      return;
    }
    if (ctrl !== mine || previewKey !== key) return;
    done();
    if (res.status === 401) { editor.expire(); return; }
    if (res.status === 403) { warn(t('plan.forbidden', { role: roleLabel(editor.user ? editor.user.role : '') })); return; }
    if (!res.ok || !res.data) { serverErrors(res); return; }
    fields.clearErrors();
    warn('');
    preview = res.data;
    draw(res.data);
    showPreview(res.data);
    say(summaryText(res.data.report, app.i18n));

    function done() {
      ctrl = null;
      if (!ui) return;
      ui.busy.hidden = true;
      ui.results.removeAttribute('aria-busy');
    }
  }

  /** A 400's errors at their controls (as the server wrote them: English), the rest in the alert. */
  function serverErrors(res) {
    preview = null;
    clearLayer();
    showPreview(null);
    const errs = res.data && Array.isArray(res.data.errors)
      ? res.data.errors.map((e) => ({ field: String(e.field || ''), message: String(e.message || ''), lang: 'en' }))
      : [];
    if (res.status === 400 && errs.length) {
      const { rest } = fields.showErrors(errs);
      warn(t('form.server_fix', { n: errs.length - rest.length }),
        rest.length ? h('ul', {}, rest.map((e) => h('li', {}, h('code', { text: e.field }), ': ', h('span', { lang: 'en', text: e.message })))) : null);
      return;
    }
    warn(t('ed.failed', { status: res.status }), res.data && res.data.detail ? h('p', { lang: 'en', text: res.data.detail }) : null);
  }

  function showPreview(data) {
    if (!ui) return;
    const report = data && data.report;
    setActions(Boolean(report) && !formErrors);
    if (!report) {
      ui.summary.textContent = app.state.stadtraum.length ? '' : t('plan.choose');
      replace(ui.figures);
      replace(ui.notes);
      replace(ui.warningsBox);
      replace(ui.postcodes);
      replace(ui.perSr);
      ui.downloadName.textContent = '';
      ui.linkInput.value = '';
      ui.openLink.hidden = true;
      ui.openLink.removeAttribute('href');
      return;
    }
    ui.summary.textContent = summaryText(report, app.i18n);
    replace(ui.figures, figureRows(report, app.i18n).map((r) =>
      h('div', { class: 'row', 'data-figure': r.key }, h('dt', { text: r.label }), h('dd', { text: r.value }))));
    replace(ui.notes, reportNotes(report, app.i18n).map((n) => h('li', { text: n })));
    const warnings = report.warnings || [];
    replace(ui.warningsBox, warnings.length
      ? [h('h4', { id: 'plan-warnings-title', text: t('plan.warnings') }),
        h('ul', { id: 'plan-warnings', class: 'plan-warnings', 'aria-labelledby': 'plan-warnings-title' },
          warnings.map((w) => h('li', { lang: 'en', dir: 'ltr', text: w })))]
      : null);
    replace(ui.postcodes, report.mode === 'postcodes' ? postcodeTable(report.postcodes || []) : null);
    ui.downloadName.textContent = t('plan.download_name', { name: data.filename || '' });
    const link = data.landing_link || report.landing_link || '';
    ui.linkInput.value = link;
    ui.openLink.hidden = !link;
    if (link) ui.openLink.setAttribute('href', link);
    const links = report.landing_links || [];
    replace(ui.perSr, links.length > 1
      ? h('details', { class: 'plan-links' },
        h('summary', { text: t('plan.links_each') }),
        h('ul', {}, links.map((l) => h('li', {}, h('span', { text: `${l.stadtraum} · ${srName(l.stadtraum)}: ` }), h('code', { dir: 'ltr', text: l.link })))))
      : null);
  }

  function postcodeTable(rows) {
    const pct = (v) => (Number.isFinite(v) ? t('plan.pct', { v: app.i18n.number(v, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }) : '');
    const int = (v) => (Number.isFinite(v) ? app.i18n.number(v) : '');
    const caption = t('plan.pc_caption', { n: rows.filter((r) => r.included).length });
    // scrolls sideways on a narrow panel; focusable, so the keyboard can scroll it too
    return h('div', { class: 'plan-table', role: 'region', tabindex: '0', 'aria-label': caption }, h('table', { id: 'plan-postcodes', class: 'bycat plan-postcodes' },
      h('caption', { text: caption }),
      h('thead', {}, h('tr', {},
        ['pc_plz', 'pc_area', 'pc_residents_share', 'pc_residents', 'pc_in_selection', 'pc_included'].map((k) => h('th', { scope: 'col', text: t(`plan.${k}`) })))),
      h('tbody', {}, rows.map((r) => {
        const code = r.plz || r.code || '';
        return h('tr', { 'data-plz': code, 'data-included': r.included ? '1' : '0', class: r.included ? 'is-included' : 'is-left-out' },
          h('th', { scope: 'row', dir: 'ltr', text: code }),
          h('td', { text: pct(r.share) }),
          h('td', { text: pct(r.residents_share) }),
          h('td', { text: int(r.residents) }),
          h('td', { text: int(r.residents_in_selection) }),
          h('td', { text: r.included ? t('plan.pc_yes') : t('plan.pc_no') }));
      }))));
  }

  // ------------------------------------------------------------ the map

  function clearLayer() {
    if (layer) { layer.remove(); layer = null; }
  }

  function styleOf(kind) {
    if (kind === 'circle') return { color: COLORS.circle, weight: 2, fillColor: COLORS.circle, fillOpacity: 0.12, className: 'plan-circle' };
    if (kind === 'postcode') return { color: COLORS.postcode, weight: 2, dashArray: '5 3', fillColor: COLORS.postcode, fillOpacity: 0.14, className: 'plan-postcode' };
    return { color: COLORS.outline, weight: 3, fill: false, className: 'plan-selection' };
  }

  function draw(data) {
    clearLayer();
    const map = env.map;
    if (!map.getPane('planner')) map.createPane('planner').style.zIndex = 380;
    const fc = data.features || { type: 'FeatureCollection', features: [] };
    const order = { postcode: 0, circle: 1, stadtraum: 2 }; // the selection's border on top
    const features = (fc.features || []).slice().sort((a, b) => (order[a.properties.kind] ?? 3) - (order[b.properties.kind] ?? 3));
    layer = L.geoJSON({ type: 'FeatureCollection', features }, {
      pane: 'planner',
      interactive: false,
      attribution: data.report && data.report.mode === 'postcodes' ? MAP_ATTRIBUTION : undefined,
      style: (f) => styleOf(f.properties.kind),
    }).addTo(map);
    map.getContainer().dataset.planCircles = String(features.filter((f) => f.properties.kind === 'circle').length);
    map.getContainer().dataset.planPostcodes = String(features.filter((f) => f.properties.kind === 'postcode').length);
    if (fitNext && features.length) {
      fitNext = false;
      map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 14 });
    }
  }

  /** The map legend of this view (DOM nodes for the legend control). */
  function legend() {
    const item = (style, text) => h('li', {}, h('span', { class: 'swatch', 'aria-hidden': 'true', style }), h('span', { text }));
    return [
      h('h2', { class: 'legend-title', text: t('plan.legend') }),
      h('ul', {},
        item(`background:${COLORS.selected}`, t('plan.legend_selected')),
        item(`background:transparent;border:2px solid ${COLORS.outline}`, t('plan.legend_outline')),
        item(`background:${COLORS.circle}33;border:2px solid ${COLORS.circle};border-radius:50%`, t('plan.legend_circles')),
        item(`background:${COLORS.postcode}33;border:2px dashed ${COLORS.postcode}`, t('plan.legend_postcodes'))),
    ];
  }

  // ------------------------------------------------------------ download and landing link

  async function onDownload() {
    if (!ui || formErrors || !preview) return;
    const platform = findPlatform(platforms, app.state.platform);
    const query = targetParams(app.state, platform).toString();
    ui.download.disabled = true;
    let res;
    try {
      res = await fetch(`api/targets?${query}`, { headers: { Authorization: `Bearer ${editor.token}` }, cache: 'no-store' });
    } catch {
      warn(t('ed.network'));
      ui.download.disabled = false;
      return;
    }
    ui.download.disabled = false;
    if (res.status === 401) { editor.expire(); return; }
    if (!res.ok) {
      let data = null;
      try { data = await res.json(); } catch { data = null; }
      serverErrors({ status: res.status, data });
      return;
    }
    const blob = await res.blob();
    const name = dispositionName(res.headers.get('Content-Disposition'), preview.filename || 'lernorte-targets');
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
    say(t('plan.downloaded', { name }));
  }

  async function onCopy() {
    if (!ui || !ui.linkInput.value) return;
    const text = ui.linkInput.value;
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      ok = false;
    }
    if (!ok) {
      // no clipboard: the link is selected in its field, for Ctrl+C
      ui.linkInput.focus();
      ui.linkInput.select();
      try { ok = document.execCommand('copy'); } catch { ok = false; }
    }
    ui.copyMsg.textContent = ok ? t('plan.copied') : t('plan.copy_manually');
  }

  return withGetters(planner, {
    apply,
    toggle,
    legend,
    updateNav,
    get preview() { return preview; },
    get platforms() { return platforms; },
  });
}

/** Object.assign, but getters stay getters (Object.assign would copy their value of now). */
function withGetters(target, source) {
  return Object.defineProperties(target, Object.getOwnPropertyDescriptors(source));
}
