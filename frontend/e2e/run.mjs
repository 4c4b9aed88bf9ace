// End-to-end test of the dashboard against the real stack (argus up + nginx-rtmp + FFmpeg),
// driven through Debian's Chromium with playwright-core. Prints "N passed, N failed" last.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARTIFACTS, createRunner, sleep, startArgus, stopProcess, waitFor } from './harness.mjs';
import { storageSteps } from './storage.mjs';
import { footageSteps } from './footage.mjs';
import { timelineSteps } from './timeline.mjs';
import { ALERTS_ENV, alertsSteps } from './alerts.mjs';
import { cameraListSteps } from './cameras.mjs';

const ADMIN_PASSWORD = 'Argus-e2e-Admin-7731!';
const VIEWER = { username: 'e2e-viewer', password: 'Viewer-e2e-Pass-4419!' };
const CAMERA = { name: `E2E Lobby ${Date.now().toString(36)}`, serial: `E2E-${Date.now()}` };
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

fs.rmSync(ARTIFACTS, { recursive: true, force: true });
fs.mkdirSync(ARTIFACTS, { recursive: true });
const shot = (page, name, opts = {}) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), ...opts });

const run = createRunner();
const t0 = Date.now();
let stack;
let browser;
let ffmpeg;
const ctx = {};

async function login(page, username, password) {
  await page.goto(`${stack.base}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
}

async function apiCall(method, urlPath, token, body) {
  const res = await fetch(`${stack.base}/api/v1${urlPath}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${urlPath} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** currentTime of a <video>, sampled twice: proves playback is advancing. */
async function videoAdvances(page, selector, gapMs = 2500) {
  const t1 = await page.$eval(selector, (v) => v.currentTime);
  await sleep(gapMs);
  const t2 = await page.$eval(selector, (v) => v.currentTime);
  return t2 > t1 + 0.5 ? { t1, t2 } : null;
}

/** Luma mean/variance of the current video frame, drawn onto a canvas. */
function frameStats(page, selector) {
  return page.$eval(selector, (v) => {
    const c = document.createElement('canvas');
    c.width = 160;
    c.height = 90;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0, c.width, c.height);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    let sq = 0;
    const n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) {
      const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      sum += y;
      sq += y * y;
    }
    const mean = sum / n;
    return { mean, variance: sq / n - mean * mean, width: v.videoWidth, height: v.videoHeight };
  });
}

const badge = (page) => page.getByTestId(`camera-row-${ctx.cameraId}`).getByTestId(`status-${ctx.cameraId}`);

async function teardown() {
  await stopProcess(ffmpeg, 5_000).catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await stack?.stop().catch((e) => console.log(`    stopping argus: ${e.message}`));
}

// Interrupted (Ctrl-C, CI timeout): still stop the stack, never leave argus/nginx behind.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    console.log(`e2e: ${sig}, stopping the stack`);
    void teardown().finally(() => process.exit(130));
  });
}

try {
  console.log(`e2e: artifacts in ${ARTIFACTS}`);
  await run.step('start argus up (temp data dir, free ports)', async () => {
    Object.assign(process.env, ALERTS_ENV); // startArgus passes process.env through
    stack = await startArgus({ adminPassword: ADMIN_PASSWORD });
    console.log(`    argus at ${stack.base}, data ${stack.dataDir}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
    });
    ctx.admin = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    ctx.page = await ctx.admin.newPage();
    ctx.page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  });

  await run.step('wrong password shows a clear error', async () => {
    const { page } = ctx;
    await page.goto(`${stack.base}/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    const msg = await page.getByTestId('login-error').textContent({ timeout: 10_000 });
    if (!/wrong username or password/i.test(msg ?? '')) throw new Error(`unexpected login error: ${msg}`);
  });

  await run.step('admin logs in and sees the dashboard', async () => {
    const { page } = ctx;
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.getByTestId('stat-total').waitFor();
    await page.getByTestId('ws-state').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await shot(page, '01-dashboard');
  });

  await run.step('create a camera in the UI and read its RTMP URL', async () => {
    const { page } = ctx;
    await page.getByTestId('nav-cameras').click();
    await page.getByTestId('camera-add').click();
    const form = page.getByTestId('camera-form');
    await form.getByLabel('Serial number').fill(CAMERA.serial);
    await page.getByTestId('camera-save').click(); // no name: the API's 422 shows under the field
    const nameError = await page.getByTestId('error-name').textContent({ timeout: 10_000 });
    if (!nameError?.trim()) throw new Error('no field error for the empty name');
    await form.getByLabel('Name').fill(CAMERA.name);
    await form.getByLabel('Serial number').fill(CAMERA.serial);
    await page.getByTestId('camera-save').click();
    const url = (await page.getByTestId('rtmp-url').textContent({ timeout: 10_000 }))?.trim();
    if (!url?.startsWith('rtmp://')) throw new Error(`bad RTMP URL: ${url}`);
    ctx.rtmpUrl = url;
    await shot(page, '02-camera-created');
    await page.keyboard.press('Escape');
    const row = page.locator('[data-testid^="camera-row-"]', { hasText: CAMERA.name });
    ctx.cameraId = (await row.getAttribute('data-testid')).replace('camera-row-', '');
    const status = (await badge(page).textContent())?.trim();
    if (status !== 'offline') throw new Error(`new camera should be offline, is ${status}`);
  });

  await run.step('live wall opened before publishing shows the offline placeholder', async () => {
    ctx.wall = await ctx.admin.newPage();
    await ctx.wall.goto(`${stack.base}/live`);
    await ctx.wall.getByTestId('layout-4').click();
    await ctx.wall.getByTestId(`player-offline-${ctx.cameraId}`).waitFor({ timeout: 15_000 });
    ctx.dash = await ctx.admin.newPage();
    await ctx.dash.goto(`${stack.base}/`);
    const online = (await ctx.dash.getByTestId('stat-online').locator('.stat__value').textContent())?.trim();
    if (online !== '0') throw new Error(`dashboard shows ${online} online before publishing`);
    await ctx.page.bringToFront();
  });

  await run.step('ffmpeg publishes → badge turns online without reload', async () => {
    const { page } = ctx;
    const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', ctx.rtmpUrl];
    ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', fs.openSync(path.join(ARTIFACTS, 'ffmpeg.log'), 'w')] });
    const navigations = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    await waitFor('status badge "online"', async () => (await badge(page).textContent())?.trim() === 'online', 45_000);
    if (navigations.length) throw new Error(`page navigated: ${navigations.join(', ')}`);
    await shot(page, '03-camera-online');
  });

  await run.step('dashboard counts the camera online live (WebSocket, no reload)', async () => {
    const page = ctx.dash;
    const value = page.getByTestId('stat-online').locator('.stat__value');
    await waitFor('dashboard "online" = 1', async () => (await value.textContent())?.trim() === '1', 30_000);
    await shot(page, '03b-dashboard-live');
    await page.close();
  });

  await run.step('the placeholder turned into video by itself (no reload)', async () => {
    const page = ctx.wall;
    await page.bringToFront();
    const sel = `[data-testid="video-${ctx.cameraId}"]`;
    const adv = await waitFor('wall video currentTime to advance', () => videoAdvances(page, sel), 60_000, 500);
    console.log(`    wall currentTime ${adv.t1.toFixed(2)} → ${adv.t2.toFixed(2)}`);
    await page.close();
  });

  await run.step('camera details show the measured quality from GET /cameras/{id}', async () => {
    const { page } = ctx;
    await page.bringToFront();
    await page.getByTestId('nav-cameras').click();
    const detailUrl = `${stack.base}/api/v1/cameras/${ctx.cameraId}`;
    // The first sample needs a few segments; the list never carries quality, only this GET does.
    const quality = await waitFor('GET /cameras/{id} with a measured bitrate', async () => {
      if (await page.getByRole('dialog').count()) await page.keyboard.press('Escape');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url() === detailUrl && r.request().method() === 'GET', { timeout: 10_000 }),
        page.getByTestId(`camera-open-${ctx.cameraId}`).click(),
      ]);
      const body = await res.json();
      if (body.quality?.bitrate_kbps > 0) return body.quality;
      await sleep(5_500); // past the detail query's staleTime, so reopening fetches again
      return null;
    }, 60_000, 0);
    const text = (await page.getByTestId('detail-quality').textContent({ timeout: 5_000 }))?.trim();
    if (!/bit\/s/.test(text ?? '')) throw new Error(`detail quality shows no bitrate: ${text}`);
    if (!(await page.getByRole('dialog').getByTestId(`quality-${ctx.cameraId}`).isVisible())) throw new Error('no quality badge in the camera details');
    console.log(`    quality from GET: ${quality.fps} fps, ${quality.bitrate_kbps} kbit/s, score ${quality.score}; shown "${text}"`);
    await shot(page, '05a-camera-quality');
    await page.keyboard.press('Escape');
  });

  await run.step('live grid plays the stream (currentTime advances, frame not blank)', async () => {
    const { page } = ctx;
    await page.bringToFront();
    await page.getByTestId('nav-live').click();
    await page.getByTestId('layout-4').click();
    const sel = `[data-testid="video-${ctx.cameraId}"]`;
    await page.waitForSelector(sel, { state: 'attached' });
    ctx.liveAdvance = await waitFor('live video currentTime to advance', () => videoAdvances(page, sel), 60_000, 500);
    const stats = await frameStats(page, sel);
    console.log(`    currentTime ${ctx.liveAdvance.t1.toFixed(2)} → ${ctx.liveAdvance.t2.toFixed(2)}; frame ${stats.width}x${stats.height}, luma mean ${stats.mean.toFixed(1)}, variance ${stats.variance.toFixed(0)}`);
    if (!(stats.variance > 100)) throw new Error(`frame looks blank (variance ${stats.variance})`);
    await page.getByTestId(`player-${ctx.cameraId}`).screenshot({ path: path.join(ARTIFACTS, '04-live-player.png') });
    await shot(page, '05-live-grid');

    // The camera picker searches on the server; a picked wall follows the picked camera by id.
    await page.getByTestId('pick-cameras').click();
    await page.getByTestId('live-picker-search').fill(CAMERA.name);
    await page.getByTestId('live-picker').getByRole('checkbox', { name: CAMERA.name }).check();
    await page.getByRole('list', { name: 'Selected cameras' }).getByText(CAMERA.name).waitFor();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('pick-cameras').filter({ hasText: 'Cameras (1)' }).waitFor();
    await page.getByTestId(`player-${ctx.cameraId}`).waitFor();
  });

  await run.step('stop ffmpeg → badge turns offline, player shows placeholder', async () => {
    const { page } = ctx;
    await stopProcess(ffmpeg, 5_000);
    await page.getByTestId(`player-offline-${ctx.cameraId}`).waitFor({ timeout: 45_000 });
    await page.getByTestId('nav-cameras').click();
    await waitFor('status badge "offline"', async () => (await badge(page).textContent())?.trim() === 'offline', 45_000);
    await shot(page, '06-camera-offline');
  });

  await run.step('the recording appears in Recordings and plays through its signed link', async () => {
    const { page } = ctx;
    await page.getByTestId('nav-recordings').click();
    const anyRow = page.locator(`tr[data-camera="${ctx.cameraId}"]`).first();
    await waitFor('a recording of the camera', async () => {
      if (await anyRow.count()) return true;
      await page.reload(); // only needed if the WS event came before the page subscribed
      await page.getByTestId('recordings-table').or(page.getByTestId('empty-state')).waitFor();
      return false;
    }, 90_000, 3_000);
    await shot(page, '07-recordings');
    // The camera published ~13 s in 10 s chunks: its last chunk can be a second long, too short to
    // play, break the link and play on. The longest one is played.
    const { access_token } = await apiCall('POST', '/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD });
    const filed = (await apiCall('GET', `/recordings?camera_id=${ctx.cameraId}&limit=50`, access_token)).items;
    const longest = filed.reduce((a, b) => (b.duration_ms > a.duration_ms ? b : a));
    const row = page.locator(`[data-testid="recording-row-${longest.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    console.log(`    ${filed.length} recording(s); playing the longest, ${(longest.duration_ms / 1000).toFixed(1)} s`);
    const links = [];
    page.on('response', (r) => /\/recordings\/[^/]+\/links$/.test(new URL(r.url()).pathname) && links.push(r.status()));
    await row.getByRole('button', { name: 'Play' }).click();
    const sel = '[data-testid="recording-video"]';
    await page.waitForSelector(sel);
    const src = await page.$eval(sel, (v) => v.getAttribute('src'));
    if (!src?.includes('sig=') || src.includes('access_token')) throw new Error(`recording <video> does not use a signed link: ${src}`);
    if (links.length !== 1 || links[0] !== 200) throw new Error(`expected one GET /links (200), saw ${JSON.stringify(links)}`);
    ctx.recAdvance = await waitFor('recording currentTime to advance', () => videoAdvances(page, sel, 1500), 30_000, 250);
    console.log(`    recording ${src.replace(/sig=[^&]+/, 'sig=…')}: currentTime ${ctx.recAdvance.t1.toFixed(2)} → ${ctx.recAdvance.t2.toFixed(2)}`);
    await shot(page, '08-recording-playing');

    // An expired link answers 403 like a tampered one: the player fetches new links and resumes.
    const before = await page.$eval(sel, (v) => {
      const t = v.currentTime;
      v.src = v.getAttribute('src').replace(/sig=[^&]+/, 'sig=0000');
      return t;
    });
    const resumed = await waitFor('the player to resume on a fresh link', () =>
      page.$eval(sel, (v, t) => (v.dataset.generation === '1' && v.readyState >= 1 && v.currentTime >= t - 0.5 ? { t: v.currentTime, src: v.getAttribute('src') } : null), before), 20_000, 100);
    if (!resumed.src.includes('sig=') || resumed.src.includes('sig=0000') || resumed.src.includes('access_token')) throw new Error(`bad refreshed link: ${resumed.src}`);
    if (links.length !== 2) throw new Error(`expected a second GET /links after the 403, saw ${JSON.stringify(links)}`);
    const adv = await waitFor('refreshed recording currentTime to advance', () => videoAdvances(page, sel, 1500), 20_000, 250);
    console.log(`    rejected link at ${before.toFixed(2)} s → new links, resumed at ${resumed.t.toFixed(2)} s, advancing ${adv.t1.toFixed(2)} → ${adv.t2.toFixed(2)}`);
    await page.keyboard.press('Escape');

    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download' }).click()]);
    const dl = new URL(download.url());
    if (!/\/recordings\/[^/]+\/download$/.test(dl.pathname) || !dl.searchParams.get('sig') || !dl.searchParams.get('expires') || dl.searchParams.has('access_token')) {
      throw new Error(`download does not use the signed download_url: ${download.url()}`);
    }
    const file = path.join(ARTIFACTS, 'recording.mp4');
    await download.saveAs(file);
    const size = fs.statSync(file).size;
    if (size < 10_000) throw new Error(`downloaded recording is only ${size} bytes`);
    console.log(`    downloaded ${download.suggestedFilename()} (${size} bytes) via signed download_url`);
    fs.rmSync(file);
  });

  await run.step('the recordings camera filter searches the server and filters by the picked camera', async () => {
    const { page } = ctx;
    const api = (r, pathname) => new URL(r.url()).pathname === `/api/v1${pathname}` && r.request().method() === 'GET';
    const filter = page.getByTestId('rec-filter-camera');
    const term = CAMERA.name.split(' ').at(-1);
    const [searched] = await Promise.all([
      page.waitForResponse((r) => api(r, '/cameras') && new URL(r.url()).searchParams.get('q') === term, { timeout: 10_000 }),
      filter.fill(term),
    ]);
    const limit = Number(new URL(searched.url()).searchParams.get('limit'));
    if (!(limit > 0 && limit <= 20)) throw new Error(`the picker asked for ${limit} cameras`);
    const [filtered] = await Promise.all([
      page.waitForResponse((r) => api(r, '/recordings') && new URL(r.url()).searchParams.get('camera_id') === ctx.cameraId, { timeout: 10_000 }),
      page.getByRole('option', { name: CAMERA.name }).click(),
    ]);
    if ((await filtered.json()).total < 1) throw new Error('no recording for the picked camera');
    await page.locator(`tr[data-camera="${ctx.cameraId}"]`).first().waitFor();
    if ((await filter.inputValue()) !== CAMERA.name) throw new Error(`the filter shows "${await filter.inputValue()}"`);
    await shot(page, '08b-recordings-filtered');
    await page.getByTestId('rec-filter-camera-clear').click();
  });

  await cameraListSteps(run, ctx, { stack: () => stack, apiCall, shot, adminPassword: ADMIN_PASSWORD });
  await storageSteps(run, ctx, { stack: () => stack, browser: () => browser, apiCall, shot, login, adminPassword: ADMIN_PASSWORD });
  await timelineSteps(run, ctx, { stack: () => stack, apiCall, shot, adminPassword: ADMIN_PASSWORD });
  await footageSteps(run, ctx, { stack: () => stack, apiCall, shot, adminPassword: ADMIN_PASSWORD });
  await alertsSteps(run, ctx, { stack: () => stack, apiCall, shot, adminPassword: ADMIN_PASSWORD });

  await run.step('admin pages: API token secret shown once, users list, audit log + CSV export', async () => {
    const { page } = ctx;
    await page.getByTestId('nav-admintokens').click();
    await page.getByTestId('token-add').click();
    await page.getByLabel('Remark').fill('e2e integration');
    await page.getByLabel('camera.watch').check();
    await page.getByLabel('Every camera (including future ones)').uncheck();
    await page.getByTestId('token-cameras-search').fill(CAMERA.name);
    await page.getByTestId('token-cameras').getByRole('checkbox', { name: CAMERA.name }).check();
    await page.getByRole('list', { name: 'Selected cameras' }).getByText(CAMERA.name).waitFor();
    await page.getByTestId('token-save').click();
    const secret = (await page.getByTestId('token-secret').textContent({ timeout: 10_000 }))?.trim();
    if (!secret?.startsWith('argus_')) throw new Error(`unexpected token secret: ${secret}`);
    await shot(page, '09a-token-secret');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByText('e2e integration').waitFor();
    const res = await fetch(`${stack.base}/api/v1/cameras`, { headers: { 'x-api-key': secret } });
    if (res.status !== 200) throw new Error(`the new token cannot list cameras: ${res.status}`);
    const { access_token } = await apiCall('POST', '/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD });
    const token = (await apiCall('GET', '/api-tokens', access_token)).items.find((t) => t.remark === 'e2e integration');
    if (JSON.stringify(token?.camera_ids) !== JSON.stringify([ctx.cameraId])) throw new Error(`token scope is ${JSON.stringify(token?.camera_ids)}`);
    await page.getByTestId('nav-adminusers').click();
    await page.getByRole('cell', { name: 'admin' }).first().waitFor();
    await page.getByTestId('nav-adminaudit').click();
    // A row's cell, not the action picker's option of the same name; the token made above is
    // among the newest entries (cameras made earlier may be pages back).
    await page.getByRole('cell', { name: 'api_token.created' }).first().waitFor({ timeout: 10_000 });
    await shot(page, '09b-audit-log');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const file = path.join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(file);
    if (fs.statSync(file).size < 50) throw new Error('audit CSV export is empty');
  });

  await run.step('a rejected access token is refreshed once, transparently (rotation)', async () => {
    const { page } = ctx;
    const before = await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('argus.session'));
      localStorage.setItem('argus.session', JSON.stringify({ ...s, accessToken: 'expired.jwt.token' }));
      return s.refreshToken;
    });
    const refreshes = [];
    page.on('request', (r) => r.url().endsWith('/auth/refresh') && refreshes.push(r.url()));
    await page.goto(`${stack.base}/cameras`);
    await badge(page).waitFor({ timeout: 15_000 });
    const after = await page.evaluate(() => JSON.parse(localStorage.getItem('argus.session')).refreshToken);
    if (after === before) throw new Error('refresh token was not rotated');
    if (refreshes.length !== 1) throw new Error(`expected exactly one refresh, saw ${refreshes.length}`);
  });

  await run.step('a viewer sees no edit controls and no admin pages', async () => {
    const { access_token } = await apiCall('POST', '/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD });
    await apiCall('POST', '/users', access_token, { ...VIEWER, role: 'viewer' });
    const { page } = ctx;
    await page.getByTestId('logout').click();
    await page.getByTestId('login-submit').waitFor();
    await login(page, VIEWER.username, VIEWER.password);
    await page.getByTestId('nav-cameras').click();
    await badge(page).waitFor();
    for (const id of ['camera-add', 'nav-adminusers', 'nav-admintokens', 'nav-adminaudit', 'nav-storage']) {
      if (await page.getByTestId(id).count()) throw new Error(`viewer can see ${id}`);
    }
    await page.getByTestId(`camera-open-${ctx.cameraId}`).click();
    await page.getByRole('dialog').waitFor();
    for (const id of ['camera-edit', 'rotate-key', 'toggle-active', 'camera-delete', 'rtmp-url']) {
      if (await page.getByTestId(id).count()) throw new Error(`viewer can see ${id} in camera details`);
    }
    await shot(page, '09-viewer-camera');
    await page.keyboard.press('Escape');
    await page.goto(`${stack.base}/admin/users`);
    await page.getByTestId('forbidden').waitFor();
  });

  await run.step('375 px phone: camera list usable, no horizontal overflow', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, colorScheme: 'dark' });
    const page = await phone.newPage();
    await login(page, VIEWER.username, VIEWER.password);
    await page.goto(`${stack.base}/cameras`);
    const row = page.getByTestId(`camera-row-${ctx.cameraId}`);
    await row.waitFor();
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    if (scrollWidth > clientWidth + 1) throw new Error(`page overflows horizontally: ${scrollWidth} > ${clientWidth}`);
    const box = await row.boundingBox();
    if (!box || box.x < 0 || box.x + box.width > 376) throw new Error(`camera card outside the viewport: ${JSON.stringify(box)}`);
    if (!(await page.getByText(CAMERA.name).isVisible())) throw new Error('camera name not visible');
    await shot(page, '10-phone-cameras', { fullPage: true });
    for (const [route, name] of [['/', 'dashboard'], ['/live', 'live'], ['/recordings', 'recordings']]) {
      await page.goto(`${stack.base}${route}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      if (w > 376) throw new Error(`${route} overflows horizontally at 375 px (${w})`);
      await shot(page, `11-phone-${name}`, { fullPage: true });
    }
    await phone.close();
  });
} finally {
  await teardown();
}

const { passed, failed, skipped } = run.summary();
console.log(`e2e finished in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots and logs: ${ARTIFACTS}${skipped ? `; ${skipped} skipped after a failure` : ''}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
