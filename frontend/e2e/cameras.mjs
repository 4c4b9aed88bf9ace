// E2E step for issue 13's camera list at scale: the search box and the pager ask the server
// (`q`, `page`, `limit`), never for every camera. Makes 30 cameras through the API and deletes
// them again, so later steps see the fleet they expect. Needs the admin signed in on `ctx.page`.
const COUNT = 30;
const PAGE_SIZE = 25;

export async function cameraListSteps(run, ctx, { stack, apiCall, shot, adminPassword }) {
  await run.step('cameras page: the search box and the pager query the server, one page at a time', async () => {
    const { page } = ctx;
    const token = (await apiCall('POST', '/auth/login', null, { username: 'admin', password: adminPassword })).access_token;
    const tag = `Paging ${Date.now().toString(36)}`;
    const made = [];
    try {
      for (let i = 0; i < COUNT; i++) {
        const n = String(i).padStart(2, '0');
        made.push((await apiCall('POST', '/cameras', token, { name: `${tag} ${n}`, serial_number: `${tag.replace(' ', '-')}-${n}` })).id);
      }
      const lists = [];
      const onResponse = (r) => {
        const u = new URL(r.url());
        if (u.pathname === '/api/v1/cameras' && r.request().method() === 'GET') lists.push(u.searchParams);
      };
      page.on('response', onResponse);
      try {
        await page.goto(`${stack().base}/cameras`);
        const rows = page.locator('[data-testid^="camera-row-"]');
        await rows.first().waitFor();
        await page.getByTestId('camera-search').fill(tag);
        await page.getByText(`Page 1 of 2 · ${COUNT} total`).waitFor({ timeout: 10_000 });
        const first = await rows.allTextContents();
        if (first.length !== PAGE_SIZE || !first.every((t) => t.includes(tag))) throw new Error(`page 1 shows ${first.length} rows: ${first.slice(0, 3)}`);
        await page.getByRole('button', { name: /Next/ }).click();
        await page.getByText(`Page 2 of 2 · ${COUNT} total`).waitFor();
        await page.locator('[data-testid^="camera-row-"]', { hasText: `${tag} ${COUNT - 1}` }).waitFor();
        const second = await rows.allTextContents();
        if (second.length !== COUNT - PAGE_SIZE || second.some((t) => first.includes(t))) throw new Error(`page 2 shows ${second.length} rows`);
        await shot(page, '08c-cameras-search-page-2');

        const searched = lists.filter((p) => p.get('q') === tag);
        if (!searched.some((p) => p.get('page') === '2')) throw new Error('page 2 was not asked of the server');
        if (lists.some((p) => !(Number(p.get('limit')) > 0 && Number(p.get('limit')) <= 100))) throw new Error(`an unbounded camera list was asked: ${lists.map(String)}`);
      } finally {
        page.off('response', onResponse);
      }
      await page.getByTestId('camera-search').fill('');
    } finally {
      for (const id of made) await apiCall('DELETE', `/cameras/${id}`, token).catch(() => undefined);
    }
  });
}
