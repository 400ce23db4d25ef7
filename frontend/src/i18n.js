// Interface translations from i18n/<lang>.json. Place data is never translated.

export const RTL = new Set(['ar']);

/**
 * dict: the parsed translation file; fallback: the German one (used for missing keys).
 * Values may be strings with {name} placeholders, or plural objects {one, few, many, other, ...}
 * chosen by Intl.PluralRules for the count in vars.n.
 */
export function createI18n(lang, dict, fallback = {}) {
  const plural = new Intl.PluralRules(lang);
  const nf = new Intl.NumberFormat(lang);
  const lookup = (key) => (key in dict ? dict[key] : fallback[key]);
  function fill(str, vars) {
    return str.replace(/\{(\w+)\}/g, (m, k) => {
      if (!(k in vars)) return m;
      const v = vars[k];
      return typeof v === 'number' ? nf.format(v) : String(v);
    });
  }
  function t(key, vars = {}) {
    let v = lookup(key);
    if (v === undefined) return key;
    if (typeof v === 'object' && v !== null) {
      const n = Number(vars.n ?? 0);
      const exact = n === 0 && 'zero' in v ? 'zero' : null;
      v = v[exact || plural.select(n)] ?? v.other ?? '';
    }
    return fill(String(v), vars);
  }
  /** Like t, but undefined when the key is missing (for optional labels). */
  function maybe(key, vars) {
    return lookup(key) === undefined ? undefined : t(key, vars);
  }
  let names = null;
  try { names = new Intl.DisplayNames([lang], { type: 'language' }); } catch { names = null; }
  function languageName(code) {
    try { return (names && names.of(code)) || code; } catch { return code; }
  }
  return {
    lang,
    dir: RTL.has(lang) ? 'rtl' : 'ltr',
    t,
    maybe,
    number: (n, opts) => new Intl.NumberFormat(lang, opts).format(n),
    date: (iso) => {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? String(iso) : new Intl.DateTimeFormat(lang, { dateStyle: 'long' }).format(d);
    },
    languageName,
  };
}
