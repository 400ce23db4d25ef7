// The category taxonomy (keys as in /api/categories) with a colour each for the map.
export const CATEGORY_COLORS = {
  bibliothek: '#1f5fa8',
  volkshochschule: '#6a3d9a',
  hochschule: '#33358a',
  schule: '#c4530f',
  museum: '#7f4b3e',
  kultur: '#b0175a',
  jugend: '#237a35',
  familie: '#a86a00',
  senioren: '#5a6b1e',
  nachbarschaft: '#00727a',
  garten: '#3f7f1f',
  werkstatt: '#5b5b5b',
  sport: '#b3261e',
  sprache: '#8e24aa',
  digital: '#005f99',
  beratung: '#7a4a8c',
};

export const CATEGORY_KEYS = Object.keys(CATEGORY_COLORS);

export function categoryColor(key) {
  return CATEGORY_COLORS[key] || '#444444';
}

/**
 * Label of a category in the interface language: the translation file first, then the labels that
 * /api/categories gives (label_de, label_en), then the key.
 */
export function categoryLabel(i18n, apiCategories, key) {
  const tr = i18n.maybe(`cat.${key}`);
  if (tr) return tr;
  const c = (apiCategories || []).find((x) => x.key === key);
  if (c) return (i18n.lang === 'de' ? c.label_de : c.label_en) || c.label_de || key;
  return key;
}
