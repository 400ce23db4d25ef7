// The campaign planners' view without the DOM: the query of the targets routes, the platforms'
// limits in words, the figures of a preview, the file name of a download. Unit-tested in
// tests/unit/plannerlib.test.mjs.
import { parseNumber } from './editlib.js';

/** The platform of a name in the answer of /api/targets/platforms, or null. */
export function findPlatform(platforms, name) {
  return (platforms || []).find((p) => p.name === name) || null;
}

/** The mode that the platform can do: the one asked for, else the one it has (TikTok: postcodes only). */
export function effectiveMode(platform, mode) {
  if (!platform) return mode;
  if (mode === 'circles' && !platform.circles && platform.postcodes) return 'postcodes';
  if (mode === 'postcodes' && !platform.postcodes && platform.circles) return 'circles';
  return mode;
}

/**
 * The query of GET /api/targets/preview and /api/targets from the planners' state (see state.js):
 * only what applies to the platform and the mode, so a parameter the server would refuse for this
 * combination is never sent (radius and target only with circles, threshold and share only with
 * postcodes, exclude_neighbours only where the platform takes exclusions).
 */
export function targetParams(s, platform = null) {
  const p = new URLSearchParams();
  p.set('stadtraum', (s.stadtraum || []).join(','));
  p.set('platform', s.platform);
  const mode = effectiveMode(platform, s.mode);
  p.set('mode', mode);
  if (mode === 'circles') {
    if (s.radius_m) p.set('radius', String(s.radius_m));
    p.set('target', String(s.target));
  } else {
    p.set('threshold', String(s.threshold));
    p.set('share', s.share);
  }
  if (s.exclude && (!platform || platform.exclusions)) p.set('exclude_neighbours', 'true');
  if (s.campaign) p.set('campaign', s.campaign);
  return p;
}

/** "1 km", "1,5 km", "96 m": a distance in metres in the interface language. */
export function formatDistance(m, i18n) {
  if (!Number.isFinite(m)) return '';
  if (m < 1000) return i18n.t('unit.m', { n: Math.round(m) });
  return i18n.t('unit.km', { n: Math.round(m) / 1000 });
}

/** What a platform can do, in words: "circles 1 km to 80 km, at most 200 per ad set; postcodes". */
export function platformLimits(p, i18n) {
  const parts = [];
  if (p.circles) {
    let c = i18n.t('plan.limit_circles', { min: formatDistance(p.min_radius_m, i18n), max: formatDistance(p.max_radius_m, i18n) });
    if (p.max_circles_per_chunk) c += `, ${i18n.t('plan.limit_chunk', { n: p.max_circles_per_chunk })}`;
    parts.push(c);
  }
  if (p.postcodes) parts.push(p.circles ? i18n.t('plan.limit_postcodes') : i18n.t('plan.limit_postcodes_only'));
  if (p.exclusions) parts.push(i18n.t('plan.limit_exclusions'));
  return parts.join('; ');
}

/**
 * The radius typed by the planner (km, "1,5" or "1.5"): {value_m} or {error: key, vars}.
 * Empty: null (the server's default). Checked against the platform's limits.
 */
export function readRadiusKm(text, platform) {
  const s = String(text ?? '').trim();
  if (!s) return { value_m: null };
  const km = parseNumber(s);
  if (!Number.isFinite(km) || km <= 0) return { error: 'plan.err_radius_number' };
  const m = Math.round(km * 1000);
  if (platform && platform.circles && Number.isFinite(platform.min_radius_m) && Number.isFinite(platform.max_radius_m) &&
    (m < platform.min_radius_m || m > platform.max_radius_m)) {
    return { error: 'plan.err_radius_limits', value_m: m };
  }
  return { value_m: m };
}

/** A percentage typed into the form: an integer 1..100, or NaN. */
export function readPercent(text) {
  const v = parseNumber(text);
  return Number.isInteger(v) && v >= 1 && v <= 100 ? v : NaN;
}

/** The radius in km as the form shows it ("1.5"; the input is language-neutral). */
export function radiusKmText(m) {
  if (!m) return '';
  return String(Math.round(m) / 1000);
}

/**
 * The figures of a preview's report as rows [{key, label, value}] for the interface.
 * i18n: createI18n(); report: the "report" of GET /api/targets/preview.
 */
export function figureRows(report, i18n) {
  const { t } = i18n;
  const int = (v) => i18n.number(v, { maximumFractionDigits: 0 });
  const pct = (v) => t('plan.pct', { v: i18n.number(v, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
  const km2 = (v) => t('plan.km2', { v: i18n.number(v, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) });
  const rows = [];
  const add = (key, value) => { if (value !== null && value !== undefined && value !== '') rows.push({ key, label: t(`plan.fig_${key}`), value }); };
  if (report.mode === 'circles') {
    add('circles', int(report.circles));
    if (report.radius_m) add('radius', formatDistance(report.radius_m, i18n));
    if (report.chunks > 1) add('chunks', int(report.chunks));
  } else {
    const included = (report.postcodes || []).filter((x) => x.included).length;
    add('postcodes', int(included));
  }
  if (Number.isFinite(report.coverage)) add('coverage', pct(report.coverage));
  if (Number.isFinite(report.spill)) add('spill', pct(report.spill));
  if (Number.isFinite(report.residents_selection)) add('residents_selection', int(report.residents_selection));
  if (Number.isFinite(report.residents_inside)) add('residents_inside', int(report.residents_inside));
  if (Number.isFinite(report.residents_spill)) add('residents_spill', int(report.residents_spill));
  if (Number.isFinite(report.selection_km2)) add('selection_km2', km2(report.selection_km2));
  if (Number.isFinite(report.targeted_km2)) add('targeted_km2', km2(report.targeted_km2));
  if (Number.isFinite(report.spill_km2)) add('spill_km2', km2(report.spill_km2));
  return rows;
}

/** One sentence for the aria-live status: "2 circles: 97.7 % of the selection, 45.1 % spill". */
export function summaryText(report, i18n) {
  const pct = (v) => i18n.number(v, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const vars = { coverage: pct(report.coverage || 0), spill: pct(report.spill || 0) };
  if (report.mode === 'circles') return i18n.t('plan.summary_circles', { n: report.circles || 0, ...vars });
  const n = (report.postcodes || []).filter((x) => x.included).length;
  return i18n.t('plan.summary_postcodes', { n, ...vars });
}

/** Our own translated notes on a report (the server's detailed warnings come in English beside them). */
export function reportNotes(report, i18n) {
  const out = [];
  if (report.mode === 'circles' && report.target_reached === false) out.push(i18n.t('plan.note_target', { target: report.target }));
  if (report.chunks > 1) out.push(i18n.t('plan.note_chunks', { n: report.chunks }));
  if (Number.isFinite(report.spill) && report.spill >= 25) out.push(i18n.t('plan.note_spill', { v: i18n.number(report.spill, { maximumFractionDigits: 1 }) }));
  if (report.mode === 'postcodes' && !(report.postcodes || []).some((x) => x.included)) out.push(i18n.t('plan.note_no_postcode'));
  return out;
}

/** The file name from a Content-Disposition header (filename*=UTF-8'' or filename=), else the fallback. */
export function dispositionName(header, fallback = 'lernorte-targets') {
  const h = String(header || '');
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(h);
  let name = null;
  if (star) {
    try { name = decodeURIComponent(star[1].trim()); } catch { name = null; }
  }
  if (!name) {
    const m = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(h);
    if (m) name = (m[2] !== undefined ? m[2] : m[1]).trim();
  }
  // no paths, no control characters
  name = name ? name.replace(/[\\/]/g, '_').replace(/[\x00-\x1f]/g, '').trim() : '';
  return name || fallback;
}
