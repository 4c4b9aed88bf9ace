// E2E steps for issue 12's alerts in the dashboard: a webhook channel created under Admin (its
// secret shown once), an `auth.brute_force` alert raised by failed logins, the header's bell
// counting it live (WebSocket, no reload), acknowledged on the Alerts page, and delivered to a
// local receiver signed with the channel's secret. Then the camera's availability / connection
// history and the dashboard's system stats.
// Needs the admin signed in on `ctx.page` and `ctx.cameraId` (a camera that has published).
// run.mjs calls it after the footage steps (the admin is still signed in) and puts ALERTS_ENV
// into process.env before startArgus (it passes process.env through) to need fewer failed logins.
import crypto from 'node:crypto';
import http from 'node:http';
import { waitFor } from './harness.mjs';

/** Env for `argus up`: an alert after a few failed logins (the default threshold is 10). */
export const ALERTS_ENV = { ARGUS_BRUTE_FORCE_THRESHOLD: '4' };

const CHANNEL = `e2e webhook ${Date.now().toString(36)}`;

/** A local webhook receiver: keeps every request (headers + raw body), answers 200. */
function startReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/argus`, received, close: () => new Promise((r) => server.close(r)) }));
  });
}

/** `X-Argus-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` */
function signatureOk(secret, { headers, body }) {
  const expected = `sha256=${crypto.createHmac('sha256', secret).update(`${headers['x-argus-timestamp']}.${body}`).digest('hex')}`;
  const got = String(headers['x-argus-signature'] ?? '');
  return got.length === expected.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}

/** The bell's number as shown ('0' when no badge). Read in one go: the badge goes away at 0. */
function bellText(page) {
  return page.evaluate(() => document.querySelector('[data-testid="alert-bell-count"]')?.textContent?.trim() ?? '0');
}

export async function alertsSteps(run, ctx, { stack, apiCall, shot, adminPassword }) {
  const adminToken = async () => (await apiCall('POST', '/auth/login', null, { username: 'admin', password: adminPassword })).access_token;
  const threshold = Number(process.env.ARGUS_BRUTE_FORCE_THRESHOLD ?? 10);
  let receiver;

  try {
    await run.step('alert channels: admin creates a webhook channel; its secret is shown once', async () => {
      const { page } = ctx;
      receiver = await startReceiver();
      await page.getByTestId('nav-adminalertchannels').click();
      await page.getByTestId('channel-add').click();
      const form = page.getByTestId('channel-form');
      await form.getByLabel('Name').fill(CHANNEL);
      await form.getByLabel('URL').fill(receiver.url);
      await page.getByTestId('channel-save').click();
      ctx.channelSecret = (await page.getByTestId('channel-secret').textContent({ timeout: 10_000 }))?.trim();
      if (!(ctx.channelSecret?.length >= 16)) throw new Error(`unexpected channel secret: ${ctx.channelSecret}`);
      await shot(page, '12a-channel-secret');
      await page.getByRole('button', { name: 'Done' }).click();
      const row = page.locator('[data-testid^="channel-row-"]', { hasText: CHANNEL });
      await row.waitFor({ timeout: 10_000 });
      ctx.channelId = (await row.getAttribute('data-testid')).replace('channel-row-', '');
      if ((await page.content()).includes(ctx.channelSecret)) throw new Error('the secret is still on the page after Done');
      const list = await apiCall('GET', '/alert-channels', await adminToken());
      if (JSON.stringify(list).includes(ctx.channelSecret)) throw new Error('GET /alert-channels returns the secret again');
    });

    await run.step('failed logins raise auth.brute_force: the bell counts it live, without reload', async () => {
      const { page } = ctx;
      await page.getByTestId('nav-home').click();
      await page.getByTestId('alert-bell').waitFor();
      await page.getByTestId('ws-state').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
      const token = await adminToken();
      // The e2e camera published and stopped cleanly twice: no chunk of it may have failed.
      const failed = await apiCall('GET', '/alerts?type=recording.failed', token);
      if (failed.total) throw new Error(`recording.failed after clean publishes: ${failed.items.map((a) => a.message).join('; ')}`);
      const before = (await apiCall('GET', '/alerts/summary', token)).open;
      await waitFor(`the bell to show ${before}`, async () => (await bellText(page)) === String(before), 15_000);
      const navigations = [];
      page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));

      // One attempt per made-up user name: the per-address count reaches the threshold while
      // no user + address pair meets the login throttle.
      let attempts = 0;
      while ((await apiCall('GET', '/alerts/summary', token)).open === before) {
        if (attempts >= threshold + 2) throw new Error(`${attempts} failed logins raised no alert (threshold ${threshold})`);
        const res = await fetch(`${stack().base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: `e2e-intruder-${attempts}`, password: 'not-the-password' }),
        });
        if (res.status !== 401) throw new Error(`failed login #${attempts + 1} answered ${res.status}`);
        attempts += 1;
      }
      const alerts = await apiCall('GET', '/alerts?state=open&type=auth.brute_force', token);
      ctx.alertId = alerts.items[0]?.id;
      if (!ctx.alertId) throw new Error(`no open auth.brute_force alert: ${JSON.stringify(alerts)}`);
      await waitFor(`the bell to show ${before + 1}`, async () => (await bellText(page)) === String(before + 1), 15_000);
      if (navigations.length) throw new Error(`page navigated: ${navigations.join(', ')}`);
      console.log(`    alert ${ctx.alertId} after ${attempts} failed logins; bell ${before} → ${before + 1}`);
      ctx.bellBefore = before;
      await shot(page, '12b-bell');
    });

    await run.step('the Alerts page lists it; Acknowledge moves it out of the open ones and the bell goes down', async () => {
      const { page } = ctx;
      await page.getByTestId('alert-bell').click();
      const row = page.getByTestId(`alert-row-${ctx.alertId}`);
      await row.waitFor({ timeout: 10_000 });
      if ((await row.getAttribute('data-type')) !== 'auth.brute_force') throw new Error(`row type ${await row.getAttribute('data-type')}`);
      await shot(page, '12c-alerts');
      await page.getByTestId(`alert-ack-${ctx.alertId}`).click();
      await waitFor('the bell to go back down', async () => (await bellText(page)) === String(ctx.bellBefore), 15_000);
      const alert = await apiCall('GET', `/alerts/${ctx.alertId}`, await adminToken());
      if (alert.state !== 'acknowledged' || alert.acknowledged_by !== 'admin') throw new Error(`after Acknowledge: ${JSON.stringify(alert)}`);
      await row.waitFor({ state: 'detached', timeout: 10_000 }); // the open list no longer has it
      await page.getByTestId('alert-filter-state').selectOption('acknowledged');
      await page.getByTestId(`alert-state-${ctx.alertId}`).filter({ hasText: 'acknowledged' }).waitFor({ timeout: 10_000 });
    });

    await run.step('the webhook receiver got the alert, signed with the channel secret; the delivery log shows it', async () => {
      const { page } = ctx;
      const delivery = await waitFor('a signed webhook delivery of the alert', () => receiver.received.find((r) => {
        try {
          return JSON.parse(r.body).id === ctx.alertId && r;
        } catch {
          return false;
        }
      }), 60_000, 500);
      const body = JSON.parse(delivery.body);
      if (body.type !== 'auth.brute_force' || body.event !== 'opened') throw new Error(`webhook body: ${delivery.body}`);
      if (!signatureOk(ctx.channelSecret, delivery)) throw new Error(`bad signature ${delivery.headers['x-argus-signature']} (timestamp ${delivery.headers['x-argus-timestamp']})`);
      await page.getByTestId('nav-adminalertchannels').click();
      await page.getByTestId(`channel-log-${ctx.channelId}`).click();
      await page.locator('[data-testid^="delivery-row-"][data-state="delivered"]').first().waitFor({ timeout: 15_000 });
      await shot(page, '12d-deliveries');
      await page.keyboard.press('Escape');
    });

    await run.step('camera details: availability and connection history; dashboard: uptime, memory, CPU', async () => {
      const { page } = ctx;
      await page.getByTestId('nav-cameras').click();
      await page.getByTestId(`camera-open-${ctx.cameraId}`).click();
      const uptime = (await page.getByTestId('uptime-24h').textContent({ timeout: 10_000 }))?.trim();
      if (!/^\d+(\.\d)? %$/.test(uptime ?? '') || uptime === '0 %') throw new Error(`24 h uptime of a camera that streamed: ${uptime}`);
      await page.locator('[data-testid^="session-row-"]').first().waitFor({ timeout: 10_000 });
      await shot(page, '12e-camera-health');
      await page.keyboard.press('Escape');
      await page.getByTestId('nav-home').click();
      for (const id of ['stat-uptime', 'stat-memory', 'stat-cpu']) await page.getByTestId(id).waitFor({ timeout: 10_000 });
    });
  } finally {
    await receiver?.close();
  }
}
