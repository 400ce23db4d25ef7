// Rendering of the list, the detail, the collections and the Stadtraum figures as HTML strings.
// Pure functions of data + a context: no DOM, no fetch. Unit-tested with fixture objects.
//
// ctx = { i18n, catLabel(key), placeHref(id), stadtraumName(nr), shareUrl }
// Place data (names, descriptions, addresses, opening hours) is shown exactly as entered, marked
// dir="auto" so that text in another script than the interface's lays out right.

import { categoryColor } from './categories.js';

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
}

export function safeUrl(u) {
  const s = String(u || '').trim();
  if (!s) return null;
  if (/^https?:\/\//i.test(s)) return s;
  if (/^www\./i.test(s)) return `https://${s}`;
  return null;
}

const LICENSE_LINKS = [
  [/dl-de\/by-2[.-]0/i, 'https://www.govdata.de/dl-de/by-2-0'],
  [/dl-de\/zero-2[.-]0/i, 'https://www.govdata.de/dl-de/zero-2-0'],
  [/odbl/i, 'https://opendatacommons.org/licenses/odbl/1-0/'],
  [/cc[- ]by[- ]4\.0/i, 'https://creativecommons.org/licenses/by/4.0/'],
  [/cc0/i, 'https://creativecommons.org/publicdomain/zero/1.0/'],
];
export function licenseUrl(text) {
  for (const [re, url] of LICENSE_LINKS) if (re.test(String(text || ''))) return url;
  return null;
}

function dot(category) {
  return `<span class="dot" style="background:${categoryColor(category)}" aria-hidden="true"></span>`;
}

function addressLine(a) {
  if (!a) return '';
  const city = [a.postcode, a.city].filter(Boolean).join(' ');
  return [a.street, city].filter(Boolean).join(', ');
}

function distance(ctx, m) {
  if (typeof m !== 'number') return '';
  return m < 1000
    ? ctx.i18n.t('unit.m', { n: Math.round(m) })
    : ctx.i18n.t('unit.km', { n: Math.round(m / 100) / 10 });
}

function meta(p, ctx) {
  const bits = [esc(ctx.catLabel(p.category))];
  const a = addressLine(p.address);
  if (a) bits.push(`<span dir="auto">${esc(a)}</span>`);
  if (typeof p.distance_m === 'number') bits.push(esc(distance(ctx, p.distance_m)));
  return bits.join(' · ');
}

/** One list entry. The link carries the place's URL, so it works without script too. */
export function placeItem(f, ctx, { number = null } = {}) {
  const p = f.properties || {};
  const id = p.id ?? f.id;
  const value = number !== null ? ` value="${esc(number)}"` : '';
  const selected = ctx.selectedId && ctx.selectedId === id ? ' aria-current="true"' : '';
  return `<li class="place"${value} data-id="${esc(id)}">` +
    `<a class="place-link" href="${esc(ctx.placeHref(id))}" data-place="${esc(id)}"${selected}>` +
    `${dot(p.category)}<span class="place-name" dir="auto">${esc(p.name)}</span></a>` +
    `<span class="place-meta">${meta(p, ctx)}</span></li>`;
}

export function placeList(features, ctx, { limit = Infinity } = {}) {
  const items = features.slice(0, limit).map((f) => placeItem(f, ctx)).join('');
  return `<ul class="places" aria-labelledby="results-title">${items}</ul>`;
}

function row(label, valueHtml) {
  if (!valueHtml) return '';
  return `<div class="row"><dt>${esc(label)}</dt><dd>${valueHtml}</dd></div>`;
}

/** The detail of one place: everything the data model has, with source, licence and a share link. */
export function placeDetail(f, ctx) {
  const { i18n } = ctx;
  const t = i18n.t;
  const p = f.properties || {};
  const id = p.id ?? f.id;
  const web = safeUrl(p.website);
  const email = /^[^@\s]+@[^@\s]+$/.test(p.email || '') ? p.email : null;
  const tel = (p.phone || '').replace(/[^+\d]/g, '');
  const lic = licenseUrl(p.license);
  const groups = (p.target_groups || []).map((g) => esc(i18n.maybe(`tg.${g}`) || g)).join(', ');
  const langs = (p.languages || []).map((l) => `<span lang="${esc(l)}">${esc(i18n.languageName(l))}</span>`).join(', ');
  const free = p.free === true ? t('free.true') : p.free === false ? t('free.false') : t('free.null');
  const wc = t(`wheelchair.${['yes', 'limited', 'no'].includes(p.wheelchair) ? p.wheelchair : 'unknown'}`);
  const sr = p.stadtraum ? `${esc(p.stadtraum)} · ${esc(ctx.stadtraumName(p.stadtraum) || '')}` : '';
  const addr = addressLine(p.address);
  const [lon, lat] = (f.geometry && f.geometry.coordinates) || [];

  const facts = [
    row(t('detail.address'), addr ? `<span dir="auto">${esc(addr)}</span>` : ''),
    row(t('detail.opening_hours'), p.opening_hours ? `<span dir="ltr" class="oh">${esc(p.opening_hours)}</span>` : ''),
    row(t('detail.website'), web ? `<a href="${esc(web)}" rel="noopener" dir="ltr">${esc(p.website)}</a>` : (p.website ? esc(p.website) : '')),
    row(t('detail.phone'), p.phone ? (tel ? `<a href="tel:${esc(tel)}" dir="ltr">${esc(p.phone)}</a>` : esc(p.phone)) : ''),
    row(t('detail.email'), email ? `<a href="mailto:${esc(email)}" dir="ltr">${esc(email)}</a>` : (p.email ? esc(p.email) : '')),
    row(t('detail.target_groups'), groups),
    row(t('detail.languages'), langs),
    row(t('detail.free'), esc(free)),
    row(t('detail.wheelchair'), esc(wc)),
    row(t('detail.orte100'), p.orte100 != null ? esc(t('detail.orte100_value', { n: p.orte100 })) : ''),
    row(t('detail.abc'), p.abc_letter ? esc(t('detail.abc_value', { letter: p.abc_letter })) : ''),
    row(t('detail.stadtraum'), sr),
    row(t('detail.distance'), typeof p.distance_m === 'number' ? esc(distance(ctx, p.distance_m)) : ''),
    row(t('detail.tags'), (p.tags || []).length ? (p.tags || []).map((x) => `<span class="tag" dir="auto">${esc(x)}</span>`).join(' ') : ''),
    row(t('detail.coordinates'), Number.isFinite(lat) ? `<span dir="ltr">${esc(lat.toFixed(5))}, ${esc(lon.toFixed(5))}</span>` : ''),
  ].join('');

  const provenance = [
    row(t('detail.source'), p.source ? `<span dir="auto">${esc(p.source)}</span>` : esc(t('detail.none'))),
    row(t('detail.license'), p.license
      ? (lic ? `<a href="${esc(lic)}" rel="noopener license" dir="auto">${esc(p.license)}</a>` : `<span dir="auto">${esc(p.license)}</span>`)
      : esc(t('detail.none'))),
    row(t('detail.updated'), p.updated_at ? esc(t('detail.updated_value', { date: i18n.date(p.updated_at), version: p.version ?? '' })) : ''),
  ].join('');

  return `<article class="detail" aria-labelledby="detail-title" data-id="${esc(id)}">` +
    `<button type="button" class="btn btn-back" data-action="close-detail">${esc(t('detail.back'))}</button>` +
    `<h2 id="detail-title" tabindex="-1" dir="auto">${esc(p.name)}</h2>` +
    `<p class="detail-cat">${dot(p.category)}${esc(ctx.catLabel(p.category))}</p>` +
    (p.description ? `<p class="detail-desc" dir="auto">${esc(p.description)}</p>` : '') +
    `<dl class="facts">${facts}</dl>` +
    `<h3>${esc(t('detail.provenance'))}</h3><dl class="facts">${provenance}</dl>` +
    `<h3>${esc(t('detail.share'))}</h3>` +
    `<div class="share"><label for="share-url">${esc(t('detail.share_label'))}</label>` +
    `<input id="share-url" type="url" readonly value="${esc(ctx.shareUrl || '')}" dir="ltr">` +
    `<div class="share-buttons"><button type="button" class="btn" data-action="copy-link">${esc(t('detail.copy'))}</button>` +
    `<button type="button" class="btn" data-action="native-share" hidden>${esc(t('detail.share_native'))}</button>` +
    `<button type="button" class="btn" data-action="show-on-map">${esc(t('detail.show_on_map'))}</button></div></div>` +
    `</article>`;
}

/** "100 Orte": numbered list in the order of the series. */
export function orte100View(features, ctx) {
  const { t } = ctx.i18n;
  const sorted = features
    .filter((f) => Number.isInteger(f.properties && f.properties.orte100))
    .sort((a, b) => a.properties.orte100 - b.properties.orte100);
  const head = `<h2 id="collection-title" tabindex="-1">${esc(t('orte100.title'))}</h2><p class="intro">${esc(t('orte100.intro'))}</p>`;
  if (!sorted.length) return `${head}<p class="empty" role="note">${esc(t('orte100.empty'))}</p>`;
  const items = sorted.map((f) => placeItem(f, ctx, { number: f.properties.orte100 })).join('');
  return `${head}<p class="count">${esc(t('orte100.count', { n: sorted.length }))}</p><ol class="places orte100">${items}</ol>`;
}

export const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

export function abcLetter(p) {
  const l = String(p.abc_letter || '').trim().toUpperCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return l ? l[0] : '';
}

/** "ABC des Lebenslangen Lernens": an A–Z index and the places under their letter. */
export function abcView(features, ctx) {
  const { t } = ctx.i18n;
  const groups = new Map();
  for (const f of features) {
    const l = abcLetter(f.properties || {});
    if (!ALPHABET.includes(l)) continue;
    if (!groups.has(l)) groups.set(l, []);
    groups.get(l).push(f);
  }
  const head = `<h2 id="collection-title" tabindex="-1">${esc(t('abc.title'))}</h2><p class="intro">${esc(t('abc.intro'))}</p>`;
  if (!groups.size) return `${head}<p class="empty" role="note">${esc(t('abc.empty'))}</p>`;
  const index = ALPHABET.map((l) => groups.has(l)
    ? `<li><button type="button" class="abc-key" data-letter="${l}" aria-label="${esc(t('abc.letter', { letter: l }))}">${l}</button></li>`
    : `<li><span class="abc-key abc-off" aria-hidden="true">${l}</span></li>`).join('');
  const sections = ALPHABET.filter((l) => groups.has(l)).map((l) => {
    const items = groups.get(l)
      .sort((a, b) => String(a.properties.name).localeCompare(String(b.properties.name), 'de', { numeric: true }))
      .map((f) => placeItem(f, ctx)).join('');
    return `<section class="abc-group" aria-labelledby="abc-h-${l}"><h3 id="abc-h-${l}" tabindex="-1">${l}</h3><ul class="places">${items}</ul></section>`;
  }).join('');
  return `${head}<nav class="abc-index" aria-label="${esc(t('abc.index'))}"><ul>${index}</ul></nav>${sections}`;
}

/** Figures of one Stadtraum from /api/stadtraeume/stats, beside the city's. */
export function stadtraumFigures(stat, total, ctx) {
  const { i18n } = ctx;
  const { t } = i18n;
  const n = (v, d = 0) => i18n.number(v, { minimumFractionDigits: d, maximumFractionDigits: d });
  const cats = (stat.categories || []).filter((c) => {
    const tc = (total && total.categories || []).find((x) => x.category === c.category);
    return c.places > 0 || (tc && tc.places > 0);
  });
  const rows = cats.map((c) => {
    const tc = (total && total.categories || []).find((x) => x.category === c.category);
    return `<tr><th scope="row">${esc(ctx.catLabel(c.category))}</th><td>${n(c.places)}</td><td>${n(c.per_10k, 2)}</td>` +
      `<td>${tc ? n(tc.per_10k, 2) : ''}</td></tr>`;
  }).join('');
  return `<section class="figures" aria-labelledby="figures-title">` +
    `<h2 id="figures-title" tabindex="-1"><span class="sr-nr">${esc(t('stadtraum.number', { nr: stat.nr }))}</span> ` +
    `<span dir="auto">${esc(stat.name)}</span></h2>` +
    `<dl class="facts">` +
    row(t('stadtraum.population'), n(stat.population)) +
    row(t('stadtraum.foreign'), `${n(stat.foreign_pct, 1)} %`) +
    row(t('stadtraum.places'), n(stat.places)) +
    row(t('stadtraum.per10k'), `${n(stat.per_10k, 2)}` + (total ? ` <span class="muted">(${esc(t('stadtraum.city_value', { v: n(total.per_10k, 2) }))})</span>` : '')) +
    `</dl>` +
    (rows ? `<table class="bycat"><caption>${esc(t('stadtraum.by_category'))}</caption>` +
      `<thead><tr><th scope="col">${esc(t('stadtraum.category'))}</th><th scope="col">${esc(t('stadtraum.places'))}</th>` +
      `<th scope="col">${esc(t('stadtraum.per10k_short'))}</th><th scope="col">${esc(t('stadtraum.city'))}</th></tr></thead>` +
      `<tbody>${rows}</tbody></table>` : '') +
    `<p class="source">${esc(t('stadtraum.source'))}</p>` +
    `<button type="button" class="btn" data-action="clear-stadtraum">${esc(t('stadtraum.clear'))}</button>` +
    `</section>`;
}

/** The choropleth legend. classes: [{from, to, color}] */
export function legend(classes, title, ctx) {
  const n = (v) => ctx.i18n.number(v, { maximumFractionDigits: 1 });
  const items = classes.map((c) =>
    `<li><span class="swatch" style="background:${c.color}" aria-hidden="true"></span>${esc(n(c.from))}–${esc(n(c.to))}</li>`).join('');
  return `<h2 class="legend-title">${esc(title)}</h2><ul>${items}</ul>`;
}

/** The figures of several Stadträume together (stadtraum=2,11,16): the sums and one row each. */
export function stadtraeumeFigures(stats, ctx) {
  const { i18n } = ctx;
  const { t } = i18n;
  const n = (v, d = 0) => i18n.number(v, { minimumFractionDigits: d, maximumFractionDigits: d });
  const population = stats.reduce((a, s) => a + (Number(s.population) || 0), 0);
  const places = stats.reduce((a, s) => a + (Number(s.places) || 0), 0);
  const per10k = population ? (places / population) * 10000 : 0;
  const rows = stats.map((s) => `<tr><td>${n(s.nr)}</td><th scope="row" dir="auto">${esc(s.name)}</th>` +
    `<td>${n(s.population)}</td><td>${n(s.places)}</td><td>${n(s.per_10k, 2)}</td></tr>`).join('');
  return `<section class="figures" aria-labelledby="figures-title">` +
    `<h2 id="figures-title" tabindex="-1">${esc(t('stadtraum.several', { n: stats.length }))}</h2>` +
    `<dl class="facts">` +
    row(t('stadtraum.population'), n(population)) +
    row(t('stadtraum.places'), n(places)) +
    row(t('stadtraum.per10k'), n(per10k, 2)) +
    `</dl>` +
    `<table class="bycat"><caption>${esc(t('stadtraum.chosen'))}</caption>` +
    `<thead><tr><th scope="col">${esc(t('stadtraum.nr'))}</th><th scope="col">${esc(t('stadtraum.label'))}</th>` +
    `<th scope="col">${esc(t('stadtraum.population'))}</th><th scope="col">${esc(t('stadtraum.places'))}</th>` +
    `<th scope="col">${esc(t('stadtraum.per10k_short'))}</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="source">${esc(t('stadtraum.source'))}</p>` +
    `<button type="button" class="btn" data-action="clear-stadtraum">${esc(t('stadtraum.clear'))}</button>` +
    `</section>`;
}
