// Fixture places for the rendering tests, shaped like the items API answers them.
export function place(over = {}) {
  const props = {
    id: 'p-1', name: 'Zentralbibliothek im Kulturpalast', description: 'Bücher, Medien, Lernräume.',
    category: 'bibliothek', tags: ['Städtische Bibliotheken Dresden'],
    address: { street: 'Schloßstraße 2', postcode: '01067', city: 'Dresden' },
    website: 'https://www.bibo-dresden.de/', phone: '+49 351 8648233', email: 'info@bibo-dresden.de',
    opening_hours: 'Mo-Fr 10:00-20:00; Sa 10:00-18:00', target_groups: ['everyone', 'families'],
    languages: ['de', 'en', 'ar'], free: true, wheelchair: 'yes', orte100: null, abc_letter: null,
    stadtraum: 1, source: 'Landeshauptstadt Dresden', license: 'dl-de/by-2-0', status: 'published',
    version: 3, updated_at: '2026-03-01T10:00:00Z',
    ...over,
  };
  return { type: 'Feature', id: props.id, geometry: { type: 'Point', coordinates: [13.738381, 51.050931] }, properties: props };
}
