// Test harness: the real lernorte server on a free port, Debian's Chromium through playwright-core.
// Nothing here reaches beyond 127.0.0.1: every other request of the page is aborted.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO = resolve(FRONTEND, '..');
export const BIN = process.env.LERNORTE_BIN
  ? resolve(process.env.LERNORTE_BIN)
  : resolve(FRONTEND, '../build/release/main/lernorte');
export const DIST = resolve(FRONTEND, 'dist');
export const ARTIFACTS = resolve(process.env.LERNORTE_ARTIFACTS || join(FRONTEND, 'test-artifacts'));
export const CHROMIUM = process.env.LERNORTE_CHROMIUM || '/usr/bin/chromium';

const CHROME_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio',
];

/**
 * Starts `lernorte serve` on a fresh database and a free port.
 * users: [{name, role, password}] are added with `lernorte user add` once the server has created
 * the database (the server reads accounts per request, so they can log in at once).
 */
export async function startServer({ timeoutMs = 60000, users = [] } = {}) {
  if (!existsSync(BIN)) throw new Error(`no lernorte binary at ${BIN} (set LERNORTE_BIN or build it)`);
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`no ${DIST}/index.html: run "npm run build" in frontend/ first`);
  const dir = await mkdtemp(join(tmpdir(), 'lernorte-fe-'));
  const args = ['serve', '--db', join(dir, 't.sqlite'), '--port', '0', '--quiet', '--frontend', DIST,
    '--data', join(REPO, 'data', 'dresden')];
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => { clearTimeout(timer); rej(new Error(`server exited with ${code}:\n${out}\n${err}`)); });
    proc.on('error', (e) => { clearTimeout(timer); rej(new Error(`cannot start ${BIN}: ${e.message}`)); });
  });
  proc.removeAllListeners('exit');
  proc.removeAllListeners('error');
  proc.on('error', () => {});
  for (const u of users) {
    const pw = join(dir, `pw-${u.name}`);
    await writeFile(pw, `${u.password}\n`, { mode: 0o600 });
    try {
      await promisify(execFile)(BIN, ['user', 'add', u.name, '--role', u.role, '--db', join(dir, 't.sqlite'), '--password-file', pw]);
    } catch (e) {
      proc.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`lernorte user add ${u.name}: ${e.stderr || e.message}`);
    }
    await rm(pw, { force: true });
  }
  return {
    port,
    db: join(dir, 't.sqlite'),
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((res) => {
          const timer = setTimeout(() => { proc.kill('SIGKILL'); res(); }, 10000);
          proc.on('exit', () => { clearTimeout(timer); res(); });
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Chromium with a fresh profile; the context aborts every request that is not to 127.0.0.1. */
export async function startBrowser() {
  const profile = await mkdtemp(join(tmpdir(), 'lernorte-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false, // --headless is in the flags: Debian's full Chromium in its new headless mode
    args: CHROME_FLAGS,
    viewport: { width: 1280, height: 800 },
    locale: 'de-DE',
    timeout: 60000,
  });
  const blocked = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
    blocked.push(u.href);
    return route.abort('blockedbyclient');
  });
  context.setDefaultTimeout(15000);
  context.setDefaultNavigationTimeout(30000);
  for (const p of context.pages()) await p.close();
  return {
    context,
    blocked,
    async stop() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Opens the app at a fragment and waits until it has applied its state. */
export async function openApp(context, base, hash = '', { width = 1280, height = 800 } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.errors = errors;
  await page.goto(`${base}${hash ? `#${hash.replace(/^#/, '')}` : ''}`);
  await page.waitForSelector('body[data-ready="1"]');
  return page;
}
