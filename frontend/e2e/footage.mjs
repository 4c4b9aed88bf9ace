// E2E steps for issue 11's footage navigation (written to the agreed API contract; wired into
// run.mjs by the lead): continuous recorded playback across a chunk boundary, seeking by wall
// clock, and a clip export from a range selected on the timeline to its download. Needs the admin
// signed in on `ctx.page` and at least two touching recorded chunks of `ctx.cameraId` (a short
// ARGUS_RECORD_INTERVAL_SECS while the e2e stream publishes).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, sleep, stopProcess, waitFor } from './harness.mjs';

/** How long the footage steps publish: with 10 s chunks, at least two touching ones over 10 s. */
const PUBLISH_MS = 36_000;

/** Chunks closer than this are one continuous stretch (the recorder may leave sub-second holes). */
const TOUCH_MS = 2_000;
/** How far the frame shown may be from a wall-clock seek (one GOP, plus a sample's latency). */
const SEEK_TOLERANCE_MS = 3_000;
/** The longest currentTime may stand still while playing before we call it a stall. */
const STALL_MS = 3_000;

/** The browser's local `datetime-local` value (to the second) and day of an instant. */
function local(page, ms) {
  return page.evaluate((t) => {
    const d = new Date(t);
    const p = (n) => String(n).padStart(2, '0');
    const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
    return { day, input: `${day}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` };
  }, ms);
}

/** The recorded player's position: media time, state, and the wall clock it shows. */
function sample(page) {
  return page.evaluate(() => {
    const v = document.querySelector('[data-testid="recorded-video"]');
    const wall = document.querySelector('[data-testid="recorded-wallclock"]')?.getAttribute('data-wallclock');
    return v instanceof HTMLVideoElement
      ? { t: v.currentTime, paused: v.paused, ended: v.ended, ready: v.readyState, wall: wall ? Date.parse(wall) : NaN }
      : null;
  });
}

/** Polls the player until its wall clock passes `untilMs`; fails if currentTime stands still for STALL_MS. */
async function playsThrough(page, untilMs, timeoutMs) {
  const start = Date.now();
  let last = await sample(page);
  let movedAt = Date.now();
  const trace = [];
  while (Date.now() - start < timeoutMs) {
    await sleep(250);
    const s = await sample(page);
    if (!s) throw new Error('the recorded player went away');
    trace.push(`${s.t.toFixed(2)}@${new Date(s.wall).toISOString().slice(11, 23)}`);
    if (s.t > last.t) movedAt = Date.now();
    else if (Date.now() - movedAt > STALL_MS) throw new Error(`playback stalled at currentTime ${s.t.toFixed(2)} (paused ${s.paused}, ended ${s.ended}, readyState ${s.ready}); trace ${trace.slice(-12).join(' ')}`);
    last = s;
    if (s.wall >= untilMs) return { s, trace };
  }
  throw new Error(`the wall clock never reached ${new Date(untilMs).toISOString()}; trace ${trace.slice(-12).join(' ')}`);
}

/** Seeks the recorded player to wall-clock `ms` through its "Go to" field and returns the wall clock it then shows. */
async function seekTo(page, ms) {
  await page.getByTestId('recorded-seek-input').fill((await local(page, ms)).input);
  await page.getByTestId('recorded-seek').click();
  // The shown time follows the frame once playback has moved on from the seek.
  const after = await waitFor('the player to play after the seek', async () => {
    const a = await sample(page);
    await sleep(600);
    const b = await sample(page);
    return b && a && b.t > a.t && Number.isFinite(b.wall) ? b : null;
  }, 20_000, 100);
  return after;
}

/** The x of instant `ms` on a timeline bar (its aria-valuemin/max are the window's ends). */
async function xOf(bar, ms) {
  const [min, max, box] = [Number(await bar.getAttribute('aria-valuemin')), Number(await bar.getAttribute('aria-valuemax')), await bar.boundingBox()];
  if (!(ms > min && ms < max)) throw new Error(`${new Date(ms).toISOString()} is outside the bar's window`);
  return box.x + (box.width * (ms - min)) / (max - min);
}

/**
 * Opens a timeline URL with `at`: the recorded player opens there (as "go back" from live does) and
 * the bar zooms to an hour around it; closes the player and zooms to ten minutes around `at`.
 */
async function openZoomed(page, url) {
  await page.goto(url);
  await page.getByTestId('recorded-video').waitFor({ timeout: 15_000 });
  await page.keyboard.press('Escape');
  await page.getByTestId('recorded-video').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.getByTestId('timeline').and(page.locator('[data-zoom="2"]')).waitFor();
}

export async function footageSteps(run, ctx, { stack, apiCall, shot, adminPassword }) {
  const token = async () => (await apiCall('POST', '/auth/login', null, { username: 'admin', password: adminPassword })).access_token;
  /** The first boundary between two touching chunks of the camera: `{ first, second, at }`. */
  const boundary = async () => {
    const list = await apiCall('GET', `/recordings?camera_id=${ctx.cameraId}&limit=100`, await token());
    const chunks = [...list.items].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
    for (let i = 0; i + 1 < chunks.length; i += 1) {
      const [a, b] = [chunks[i], chunks[i + 1]];
      const gap = Date.parse(b.started_at) - Date.parse(a.ended_at);
      if (gap < TOUCH_MS && Date.parse(a.ended_at) - Date.parse(a.started_at) > 10_000 && Date.parse(b.ended_at) - Date.parse(b.started_at) > 10_000) {
        return { first: a, second: b, at: Date.parse(b.started_at) };
      }
    }
    return null;
  };

  await run.step('publish 36 s more of the e2e camera, recorded in 10 s chunks', async () => {
    const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', ctx.rtmpUrl];
    const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', fs.openSync(path.join(ARTIFACTS, 'ffmpeg-footage.log'), 'w')] });
    // The publish is the footage under test: its length is what is waited for, not an event.
    await sleep(PUBLISH_MS);
    await stopProcess(ffmpeg, 5_000);
  });

  await run.step('recorded playback: a click plays the footage; it keeps playing across a chunk boundary; seeking by wall clock', async () => {
    const { page } = ctx;
    const b = await waitFor('two touching recorded chunks of the e2e camera', boundary, 180_000, 2_000);
    ctx.footageBoundary = b;
    const { day } = await local(page, b.at);
    await openZoomed(page, `${stack().base}/timeline?day=${day}&camera=${ctx.cameraId}&at=${encodeURIComponent(new Date(b.at).toISOString())}`);
    const bar = page.getByTestId(`timeline-bar-${ctx.cameraId}`);
    // The chunks show as one interval; click inside it.
    const interval = bar.locator('[data-testid="timeline-seg"][data-kind="interval"]').first();
    await interval.waitFor({ timeout: 15_000 });
    const [answer] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/cameras/${ctx.cameraId}/playback/recorded`, { timeout: 15_000 }),
      interval.click(),
    ]);
    const pb = await answer.json();
    if (!pb.url?.startsWith('/') || !(pb.duration_secs > 0) || !pb.start_at) throw new Error(`playback/recorded answered ${JSON.stringify(pb)}`);
    await page.getByTestId('recorded-video').waitFor({ timeout: 15_000 });
    await waitFor('the recorded player to start', async () => {
      const s = await sample(page);
      return s && s.ready >= 2 && s.t > 0;
    }, 30_000);

    // Seek a few seconds before the boundary and play through it.
    const before = b.at - 4_000;
    const landed = await seekTo(page, before);
    if (Math.abs(landed.wall - before) > SEEK_TOLERANCE_MS) throw new Error(`seeking to ${new Date(before).toISOString()} shows ${new Date(landed.wall).toISOString()}`);
    const through = await playsThrough(page, b.at + 3_000, 30_000);
    console.log(`    played across the chunk boundary at ${new Date(b.at).toISOString()}: ${through.trace.slice(-6).join(' ')}`);

    // Seek into the second chunk by wall clock: the shown time is the one asked for.
    const target = Math.min(b.at + 8_000, Date.parse(b.second.ended_at) - 2_000);
    const shown = await seekTo(page, target);
    if (Math.abs(shown.wall - target) > SEEK_TOLERANCE_MS) throw new Error(`seeking to ${new Date(target).toISOString()} shows ${new Date(shown.wall).toISOString()}`);
    console.log(`    seek to ${new Date(target).toISOString()} shows ${new Date(shown.wall).toISOString()} (currentTime ${shown.t.toFixed(2)})`);
    await shot(page, '08f-recorded-playback');
    await page.keyboard.press('Escape');
  });

  await run.step('export: select a range across the boundary, export it, follow it to done, download the MP4', async () => {
    const { page } = ctx;
    const b = ctx.footageBoundary;
    const { day } = await local(page, b.at);
    await openZoomed(page, `${stack().base}/timeline?day=${day}&camera=${ctx.cameraId}&at=${encodeURIComponent(new Date(b.at).toISOString())}`);
    const bar = page.getByTestId(`timeline-bar-${ctx.cameraId}`);
    await page.getByTestId('select-range').click();
    const box = await bar.boundingBox();
    const y = box.y + box.height / 2;
    await page.mouse.click(await xOf(bar, b.at - 20_000), y);
    await page.mouse.click(await xOf(bar, b.at + 20_000), y);
    const sel = page.getByTestId('timeline-selection');
    await sel.waitFor({ timeout: 5_000 });
    const [selFrom, selTo] = [Date.parse(await sel.getAttribute('data-from')), Date.parse(await sel.getAttribute('data-to'))];
    if (!(selFrom < b.at && selTo > b.at)) throw new Error(`the selection ${new Date(selFrom).toISOString()} – ${new Date(selTo).toISOString()} misses the boundary`);
    await page.getByTestId('export-open').click();

    // Exact ends typed in the dialog: 10 s either side of the boundary.
    const [from, to] = [b.at - 10_000, b.at + 10_000];
    await page.getByTestId('export-from').fill((await local(page, from)).input);
    await page.getByTestId('export-to').fill((await local(page, to)).input);
    await page.getByTestId('export-note').fill('e2e across a chunk boundary');
    await page.getByTestId('export-submit').click();
    const started = page.getByTestId('export-started');
    await started.waitFor({ timeout: 15_000 });
    const id = await started.getAttribute('data-export-id');
    const states = new Set();
    const link = page.getByTestId('export-download');
    await waitFor('the export to finish', async () => {
      states.add(await page.getByTestId('export-status').textContent());
      if (/^Failed/.test([...states].at(-1) ?? '')) throw new Error(`the export failed: ${[...states].at(-1)}`);
      return link.isVisible();
    }, 120_000, 200);
    await shot(page, '08g-export-done');
    const view = await apiCall('GET', `/exports/${id}`, await token());
    if (view.state !== 'done' || !view.download_url || !view.checksum_sha256) throw new Error(`GET /exports/${id}: ${JSON.stringify(view)}`);

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = path.join(ARTIFACTS, 'export.mp4');
    await download.saveAs(file);
    const bytes = fs.readFileSync(file);
    if (bytes.subarray(4, 8).toString('latin1') !== 'ftyp') throw new Error('the download is not an MP4');
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    if (sha !== view.checksum_sha256) throw new Error(`the download's SHA-256 ${sha} is not the export's ${view.checksum_sha256}`);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
    const secs = probe.status === 0 ? Number(probe.stdout.trim()) : NaN;
    if (probe.status === 0 && !(Math.abs(secs - 20) <= 3)) throw new Error(`the export lasts ${secs} s, asked for 20 s`);
    console.log(`    export ${id}: ${[...states].join(' → ')}; ${bytes.length} bytes, ${Number.isFinite(secs) ? `${secs.toFixed(2)} s` : 'no ffprobe'}, SHA-256 matches`);
    fs.rmSync(file);
    await page.keyboard.press('Escape');

    await page.getByTestId('nav-exports').click();
    const row = page.locator(`tr[data-testid="export-row-${id}"][data-state="done"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.getByTestId(`export-download-${id}`).waitFor();
    await shot(page, '08h-exports');
  });
}
