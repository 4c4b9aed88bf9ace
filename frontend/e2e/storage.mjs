// E2E steps for issue 10's dashboard: the legal-hold toggle on Recordings, the Storage page
// (tiers, forecast, per-camera usage, dry-run plan, job history, Run now) and the dashboard's
// storage-by-tier stats. Needs the admin signed in on `ctx.page` and a recording of `ctx.cameraId`.
/** Adds the steps to `run`; the last argument carries what run.mjs owns (`stack()` and `browser()` are read late: they start in a step). */
export async function storageSteps(run, ctx, { stack, apiCall, shot, login, adminPassword, browser }) {
  const adminToken = async () => (await apiCall('POST', '/auth/login', null, { username: 'admin', password: adminPassword })).access_token;
  await run.step('recordings: admin holds a recording (marked held, Delete disabled), then releases it', async () => {
    const { page } = ctx;
    await page.getByTestId('nav-recordings').click();
    const row = page.locator(`tr[data-camera="${ctx.cameraId}"]`).first();
    await row.waitFor({ timeout: 15_000 });
    ctx.recordingId = (await row.getAttribute('data-testid')).replace('recording-row-', '');
    const tier = (await row.getByTestId(`recording-tier-${ctx.recordingId}`).textContent())?.trim();
    if (tier !== 'hot') throw new Error(`a new recording should be on HOT, shows ${tier}`);
    const toggle = row.getByTestId(`recording-hold-${ctx.recordingId}`);
    await toggle.click();
    await toggle.filter({ hasText: 'Release hold' }).waitFor({ timeout: 10_000 });
    await page.locator(`tr[data-testid="recording-row-${ctx.recordingId}"][data-held="true"]`).waitFor();
    if (!(await row.getByRole('button', { name: 'Delete' }).isDisabled())) throw new Error('Delete is enabled on a held recording');
    const token = await adminToken();
    if (!(await apiCall('GET', `/recordings/${ctx.recordingId}`, token)).legal_hold) throw new Error('the server has no hold after the toggle');
    await shot(page, '08c-recording-held');
    await toggle.click();
    await toggle.filter({ hasText: /^Hold$/ }).waitFor({ timeout: 10_000 });
    if ((await apiCall('GET', `/recordings/${ctx.recordingId}`, token)).legal_hold) throw new Error('the hold is still set after release');
  });

  await run.step('storage page: tiers, forecast, per-camera usage, plan, job history; Run now shows the outcome', async () => {
    const { page } = ctx;
    await page.getByTestId('nav-storage').click();
    const used = page.getByTestId('tier-used-hot');
    await used.waitFor({ timeout: 15_000 });
    const overview = await apiCall('GET', '/storage', await adminToken());
    const hot = overview.tiers.find((t) => t.tier === 'hot');
    if (!(hot.used_bytes > 0 && hot.recordings >= 1)) throw new Error(`GET /storage counts no HOT recording: ${JSON.stringify(hot)}`);
    if ((await used.textContent())?.trim() === '0 B') throw new Error('the HOT card shows 0 B');
    await page.getByTestId(`usage-row-${ctx.cameraId}`).waitFor();
    await page.getByTestId('forecast-per-day').waitFor();
    await page.getByTestId('plan-table').or(page.getByText('Nothing to do')).waitFor();
    await page.getByTestId('job-summary').waitFor();
    const before = (await apiCall('GET', '/jobs/storage/runs', await adminToken())).total;
    await page.getByTestId('job-run-now').click();
    const result = (await page.getByTestId('job-run-result').textContent({ timeout: 60_000 }))?.trim();
    if (!/^The run finished \(ok\)/.test(result ?? '')) throw new Error(`Run now answered: ${result}`);
    const runs = await apiCall('GET', '/jobs/storage/runs', await adminToken());
    if (runs.total !== before + 1) throw new Error(`expected ${before + 1} recorded runs, the server has ${runs.total}`);
    await page.getByTestId(`run-row-${runs.items[0].id}`).waitFor({ timeout: 10_000 });
    console.log(`    HOT ${hot.used_bytes} bytes in ${hot.recordings} recording(s); run now: "${result}"`);
    await shot(page, '08d-storage', { fullPage: true });
  });

  await run.step('dashboard: total recordings and storage by tier', async () => {
    const { page } = ctx;
    await page.getByTestId('nav-home').click();
    const total = Number((await page.getByTestId('stat-total_recordings').locator('.stat__value').textContent())?.trim());
    if (!(total >= 1)) throw new Error(`dashboard counts ${total} recordings`);
    const hot = (await page.getByTestId('stat-tier-hot').locator('.stat__value').textContent())?.trim();
    if (hot === '0 B') throw new Error('dashboard shows no HOT bytes');
  });

  await run.step('375 px phone: storage page fits', async () => {
    const phone = await browser().newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    await login(page, 'admin', adminPassword);
    await page.goto(`${stack().base}/storage`);
    await page.getByTestId('tier-hot').waitFor();
    await page.getByTestId('job-summary').waitFor();
    await page.waitForLoadState('networkidle').catch(() => undefined);
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    if (w > 376) throw new Error(`/storage overflows horizontally at 375 px (${w})`);
    await shot(page, '11-phone-storage', { fullPage: true });
    await phone.close();
  });
}
