// Driven by bench/dashboard_scale.sh: one Argus (already seeded and running) measured in Chromium.
//
// "Interactive" (ms since the navigation started, performance.now() in the page) = all of:
//   1. the first data element is in the DOM (cameras: a camera row; live: a camera tile;
//      recordings: the recordings table or its empty state);
//   2. a click is answered: cameras: sort "Name Z–A" → the last camera by name is the first row
//      (a server round trip); live: the "16" layout button → pressed; recordings: the camera
//      filter → its list of matches opened;
//   3. the search box accepts input: text typed into it is its value (cameras: the search box;
//      live: the camera picker's search; recordings: the camera filter, whose server matches
//      must also be listed).
// Each page is a full navigation with the browser's HTTP cache warm (the login loaded the app).
//
// Events: while hooks run at EVENT_RATE/s (publish of one camera + publish_done of another), the
// page's long tasks (PerformanceObserver 'longtask') and the WebSocket messages it receives (by
// type) are recorded for WINDOW_MS. Two subscriptions: "on screen" (what the dashboard asks for:
// the cameras shown) and "firehose" (the bench rewrites the page's subscribe message to every
// camera, so each status event of the fleet reaches the page: the worst case).
//
// Usage: node dashboard_scale.mjs BASE_URL ADMIN_PASSWORD HOOK_SECRET KEYS_FILE LABEL
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../frontend/package.json'));
const { chromium } = require('playwright-core');

const [base, password, hookSecret, keysFile, label] = process.argv.slice(2);
const EVENT_RATE = Number(process.env.EVENT_RATE ?? 1000);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 10_000);
const keys = fs.readFileSync(keysFile, 'utf8').split('\n').filter(Boolean);

/** Counts WebSocket messages by type; in firehose mode, rewrites the page's subscription to all cameras. */
const INSTRUMENT = () => {
  window.__bench = { counts: {}, counting: false, longtasks: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longtasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (!window.__bench.counting || typeof e.data !== 'string') return;
        const type = /"type":"([^"]+)"/.exec(e.data)?.[1] ?? '?';
        window.__bench.counts[type] = (window.__bench.counts[type] ?? 0) + 1;
      });
    }
    send(data) {
      if (sessionStorage.getItem('bench.firehose') === '1' && typeof data === 'string' && data.includes('"subscribe"')) {
        data = JSON.stringify({ type: 'subscribe', camera_ids: null });
      }
      super.send(data);
    }
  };
};

const SEARCH = 'Seed camera 0000'; // matches 00000-00009 with 10 cameras or 10,000
/** The seeded camera last by name: first once the list is sorted Z-A. */
const LAST_CAMERA = `Seed camera ${String(keys.length - 1).padStart(5, '0')}`;

async function typeSearch(box) {
  await box.fill(SEARCH);
  if ((await box.inputValue()) !== SEARCH) throw new Error('the search box did not take the text');
}

const PAGES = {
  cameras: {
    path: '/cameras',
    ready: (page) => page.locator('[data-testid^="camera-row-"]').first().waitFor({ timeout: 30_000 }),
    async interact(page) {
      await page.getByLabel('Sort').selectOption('-name');
      await page.locator('[data-testid^="camera-row-"]').first().filter({ hasText: LAST_CAMERA }).waitFor();
      await typeSearch(page.getByTestId('camera-search'));
    },
  },
  live: {
    path: '/live',
    ready: (page) => page.locator('[data-testid^="player-"]').first().waitFor({ timeout: 30_000 }),
    async interact(page) {
      await page.getByTestId('layout-16').click();
      await page.locator('[data-testid="layout-16"][aria-pressed="true"]').waitFor();
      await page.getByTestId('pick-cameras').click();
      await typeSearch(page.getByTestId('live-picker-search'));
      await page.keyboard.press('Escape');
    },
  },
  recordings: {
    path: '/recordings',
    ready: (page) => page.getByTestId('recordings-table').or(page.getByTestId('empty-state')).first().waitFor({ timeout: 30_000 }),
    async interact(page) {
      const box = page.getByTestId('rec-filter-camera');
      await box.click();
      await page.getByRole('listbox').waitFor();
      await typeSearch(box);
      await page.getByRole('option', { name: /Seed camera 0000/ }).first().waitFor();
    },
  },
};

async function interactive(page, name) {
  await page.goto(`${base}${PAGES[name].path}`);
  await PAGES[name].ready(page);
  await PAGES[name].interact(page);
  return page.evaluate(() => performance.now());
}

let step = 0;
/** `auth:k` / `publish-done:k`: the hooks of step k that were answered. */
const answered = new Set();

/** Publish / publish_done hooks at `rate` per second until stopped; `live` cameras are live at a time. */
function startEvents(rate) {
  const live = Math.max(1, Math.min(500, Math.floor(keys.length / 2)));
  const form = (call, k) =>
    `app=live&flashver=FMLE/3.0&swfurl=&tcurl=rtmp://127.0.0.1/live&pageurl=&addr=127.0.0.1&clientid=${k}&call=${call}&type=live&name=${keys[k % keys.length]}`;
  const post = (route, body, k) =>
    fetch(`${base}/api/v1/streaming/${route}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-argus-hook-secret': hookSecret }, body })
      .then((r) => (r.status < 400 ? ok++ : failed++))
      .catch(() => failed++)
      .finally(() => {
        inFlight--;
        answered.add(`${route}:${k}`);
      });
  let ok = 0, failed = 0, inFlight = 0, stopped = false;
  const t0 = Date.now();
  const k0 = step;
  const tick = () => {
    if (stopped) return;
    // Each step is two hooks: camera k goes online, camera k - live goes offline. Steps go on
    // from one window to the next, so every publish has a new client id, as with nginx.
    const due = k0 + Math.floor(((Date.now() - t0) / 1000) * (rate / 2));
    // In order per camera, as nginx sends them: a session's done only after its publish was
    // answered, the camera's next publish only after that done (with 10 cameras the same camera
    // comes back every 10 steps; out of order, a session would leak and the camera stay online).
    const ready = (k) => (k < live || answered.has(`auth:${k - live}`)) && (k < keys.length || answered.has(`publish-done:${k - keys.length}`));
    while (step < due && inFlight < 128 && ready(step)) {
      inFlight += 1;
      void post('auth', form('publish', step), step);
      if (step >= live) {
        inFlight += 1;
        void post('publish-done', form('publish_done', step - live), step - live);
      }
      step += 1;
    }
    setTimeout(tick, 5);
  };
  tick();
  return () => {
    stopped = true;
    return { sent: ok + failed, ok, failed, rate: (ok + failed) / ((Date.now() - t0) / 1000) };
  };
}

async function underEvents(page, name, firehose) {
  await page.evaluate((f) => sessionStorage.setItem('bench.firehose', f ? '1' : '0'), firehose);
  await page.goto(`${base}${PAGES[name].path}`); // as a user opens it (the live wall keeps its 16 tiles)
  await PAGES[name].ready(page);
  await page.waitForTimeout(500); // the subscription follows the rendered page
  const t = await page.evaluate(() => {
    window.__bench.counting = true;
    window.__bench.counts = {};
    return performance.now();
  });
  const stop = startEvents(EVENT_RATE);
  await page.waitForTimeout(WINDOW_MS);
  const hooks = stop();
  const r = await page.evaluate((t0) => {
    window.__bench.counting = false;
    const tasks = window.__bench.longtasks.filter((x) => x.start >= t0);
    return { counts: window.__bench.counts, max: Math.max(0, ...tasks.map((x) => x.ms)), over50: tasks.length, seconds: (performance.now() - t0) / 1000 };
  }, t);
  await page.waitForTimeout(1500); // let the queued hooks drain before the next page
  return { ...r, hooks };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await context.addInitScript(INSTRUMENT);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor({ timeout: 30_000 });

  for (const name of Object.keys(PAGES)) {
    await interactive(page, name); // warm-up: first visit of the route's data
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await interactive(page, name));
    runs.sort((a, b) => a - b);
    const median = runs[1];
    console.log(`${label.padEnd(12)} ${name.padEnd(11)} interactive ${median.toFixed(0).padStart(5)} ms (median of 3: ${runs.map((x) => x.toFixed(0)).join(', ')})   target < 1000: ${median < 1000 ? 'ok' : 'MISSED'}`);
  }
  for (const name of ['live', 'cameras']) {
    for (const firehose of [false, true]) {
      const r = await underEvents(page, name, firehose);
      const status = r.counts['camera.status'] ?? 0;
      const stats = r.counts['stats.updated'] ?? 0;
      const mode = firehose ? 'firehose' : 'on screen';
      console.log(
        `${label.padEnd(12)} ${name.padEnd(11)} ${mode.padEnd(9)} hooks ${r.hooks.rate.toFixed(0)}/s (${r.hooks.failed} failed); page got ${(status / r.seconds).toFixed(0)} camera.status/s, ${(stats / r.seconds).toFixed(0)} stats.updated/s; ` +
          `long tasks: max ${r.max.toFixed(0)} ms, ${r.over50} > 50 ms   target max < 200: ${r.max < 200 ? 'ok' : 'MISSED'}`,
      );
      if (status + stats === 0) console.log(`    WARNING: the page received no event: this measurement is void`);
    }
  }
} finally {
  await browser.close();
}
