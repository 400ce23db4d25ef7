// Fetch helpers. All URLs are relative to the page, so the app works under any path prefix.

export class HttpError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
  }
}

export async function getJSON(url, { signal } = {}) {
  const res = await fetch(url, { signal, headers: { Accept: 'application/json, application/geo+json' } });
  if (!res.ok) {
    let detail = '';
    try {
      const p = await res.json();
      detail = p.detail || p.title || '';
    } catch { /* not JSON */ }
    throw new HttpError(res.status, detail);
  }
  return res.json();
}

export function isAbort(err) {
  return err && (err.name === 'AbortError' || err.code === 20);
}
