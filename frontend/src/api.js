// Fetch helpers. All URLs are relative to the page, so the app works under any path prefix.

export class HttpError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
  }
}

// The server sends reads with Cache-Control: public, no-cache, so every browser revalidates
// (If-None-Match -> 304 or the new body). After this browser wrote something, reads also ask
// with cache: 'no-cache' for a while, in case a proxy in between holds older answers;
// localStorage, so that a second tab of the same browser does the same.
const FRESH_KEY = 'lernorte.fresh_until';
const FRESH_MS = 70000;

export function markFresh() {
  try { localStorage.setItem(FRESH_KEY, String(Date.now() + FRESH_MS)); } catch { /* private mode */ }
}

export function cacheMode() {
  try {
    return Number(localStorage.getItem(FRESH_KEY) || 0) > Date.now() ? 'no-cache' : 'default';
  } catch {
    return 'default';
  }
}

export async function getJSON(url, { signal } = {}) {
  const res = await fetch(url, { signal, cache: cacheMode(), headers: { Accept: 'application/json, application/geo+json' } });
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

/**
 * Any request to the API, never throwing for an HTTP status: {ok, status, headers, data}.
 * body: an object (sent as JSON with `type` as Content-Type); token: bearer token; ifMatch: a version.
 * Network failures throw (TypeError), as fetch does.
 */
export async function request(method, url, { body, type = 'application/json', token = null, ifMatch = null, signal } = {}) {
  const headers = { Accept: 'application/json, application/geo+json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = type;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (ifMatch !== null && ifMatch !== undefined) headers['If-Match'] = `"${ifMatch}"`;
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    signal,
  });
  let data = null;
  const ct = res.headers.get('Content-Type') || '';
  if (res.status !== 204 && /json/.test(ct)) {
    try { data = await res.json(); } catch { data = null; }
  }
  return { ok: res.ok, status: res.status, headers: res.headers, data };
}

/** The version in an ETag header ("3" or W/"3"), or null. */
export function etagVersion(etag) {
  const m = /^(?:W\/)?"(\d+)"$/.exec(String(etag || '').trim());
  return m ? Number(m[1]) : null;
}

export function isAbort(err) {
  return err && (err.name === 'AbortError' || err.code === 20);
}
