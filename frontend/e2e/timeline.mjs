// E2E step for issue 11's timeline: the camera's recording shows as an interval on its day, and a
// click in it plays the recorded footage from the clicked instant. Needs the admin signed in on
// `ctx.page` and a filed recording of `ctx.cameraId`.
export async function timelineSteps(run, ctx, { stack, apiCall, shot, adminPassword }) {
  await run.step('timeline: the recording is an interval on its day; a click in it plays it from there', async () => {
    const { page } = ctx;
    const token = (await apiCall('POST', '/auth/login', null, { username: 'admin', password: adminPassword })).access_token;
    const list = await apiCall('GET', `/recordings?camera_id=${ctx.cameraId}`, token);
    const rec = list.items[0];
    if (!rec) throw new Error('no recording of the e2e camera');
    const middle = new Date((Date.parse(rec.started_at) + Date.parse(rec.ended_at)) / 2);
    // The page's days are the browser's local days.
    const day = await page.evaluate((iso) => {
      const d = new Date(iso);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    }, middle.toISOString());
    await page.goto(`${stack().base}/timeline?day=${day}&camera=${ctx.cameraId}&at=${encodeURIComponent(middle.toISOString())}`);
    // `at` plays from there (the recorded player opens) and zooms the bar to an hour around it.
    await page.getByTestId('recorded-video').waitFor({ timeout: 15_000 });
    await page.keyboard.press('Escape');
    const bar = page.getByTestId(`timeline-bar-${ctx.cameraId}`);
    await bar.waitFor({ timeout: 15_000 });
    // Zoom to ten minutes so a short test chunk is wide enough to hit.
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const interval = bar.locator('[data-testid="timeline-seg"][data-kind="interval"]').first();
    await interval.waitFor({ timeout: 15_000 });
    const timeline = await apiCall('GET', `/cameras/${ctx.cameraId}/timeline?from=${encodeURIComponent(rec.started_at)}&to=${encodeURIComponent(rec.ended_at)}`, token);
    if (timeline.intervals.length !== 1) throw new Error(`the API timeline over the recording: ${JSON.stringify(timeline)}`);
    await interval.click();
    const video = page.getByTestId('recorded-video');
    await video.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-testid="recorded-video"]');
      return v instanceof HTMLVideoElement && v.readyState >= 2 && v.currentTime > 0;
    }, null, { timeout: 20_000 });
    await shot(page, '08e-timeline-playing');
    await page.keyboard.press('Escape');
  });
}
