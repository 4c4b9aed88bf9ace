import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { camera, job, jobRun, mockFetch, page, plannedAction, renderAs, storageOverview } from '../../test/fixtures';
import StoragePage from './StoragePage';

const conflict = () => new Response(JSON.stringify({ error: { code: 'conflict', message: 'job "storage" is running (its lock is held)' } }), { status: 409, headers: { 'content-type': 'application/json' } });

/** The routes the page reads; `run` answers POST /jobs/storage/run. */
function serve(run: () => unknown = () => jobRun('new', { items: 3, duration_ms: 2100 })) {
  let runs = [jobRun('r1', { outcome: 'failed', error: 'warm tier unreachable', items: 0 })];
  const fetch = mockFetch({
    'GET /storage': storageOverview(),
    'GET /storage/plan': page([plannedAction('rec-1'), plannedAction('rec-2', { action: 'delete', to: null, reason: 'retention', from: 'warm' })]),
    'GET /jobs': [job('storage', { interval_secs: 3600, last_run: runs[0], next_run_at: '2026-01-02T04:00:00Z' }), job('prune-logs')],
    'GET /jobs/storage/runs': () => page(runs),
    'GET /cameras/c1': camera('c1', { name: 'Gate' }),
    'POST /jobs/storage/run': () => {
      const out = run();
      if (!(out instanceof Response)) runs = [out as ReturnType<typeof jobRun>, ...runs];
      return out;
    },
  });
  return fetch;
}

/** How many times `method path` was fetched. */
const calls = (fetch: ReturnType<typeof serve>, method: string, path: string) =>
  fetch.mock.calls.filter(([url, init]) => (init?.method ?? 'GET') === method && new URL(String(url), 'http://x').pathname === `/api/v1${path}`).length;

describe('StoragePage', () => {
  it('shows each tier, the forecast and per-camera usage', async () => {
    serve();
    renderAs('operator', <StoragePage />);
    const hot = await screen.findByTestId('tier-hot');
    expect(within(hot).getByTestId('tier-used-hot').textContent).toBe('6.0 GB');
    expect(within(hot).getByTestId('tier-free-hot').textContent).toBe('40 GB free of 100 GB');
    expect(within(hot).getByRole('meter').getAttribute('aria-valuenow')).toBe('60');
    expect(within(hot).getByText('file:///var/lib/argus/recordings')).toBeTruthy();
    expect(within(screen.getByTestId('tier-warm')).getByText('Disk size unknown')).toBeTruthy();
    expect(within(screen.getByTestId('tier-cold')).getByText('not configured')).toBeTruthy();
    expect(screen.getByTestId('forecast-per-day').textContent).toBe('1.0 GB');
    expect(screen.getByTestId('forecast-hot-days').textContent).toBe('40 days');
    const row = screen.getByTestId('usage-row-c1');
    expect(row.textContent).toContain('Gate');
    expect(row.textContent).toContain('8.0 GB');
  });

  it('lists the dry-run plan: action, tiers, reason, camera', async () => {
    serve();
    renderAs('operator', <StoragePage />);
    const move = await screen.findByTestId('plan-row-rec-1');
    expect(move.textContent).toMatch(/move.*hot → warm.*age/);
    const del = screen.getByTestId('plan-row-rec-2');
    expect(del.textContent).toMatch(/delete.*warm.*retention/);
    expect(del.textContent).not.toContain('→');
    await waitFor(() => expect(move.textContent).toContain('Gate'));
    expect(screen.getByTestId('plan-total').textContent).toBe('2 actions');
  });

  it('shows the storage job schedule and its run history', async () => {
    serve();
    renderAs('operator', <StoragePage />);
    expect((await screen.findByTestId('job-summary')).textContent).toContain('every 1 h');
    expect(screen.getByTestId('job-last-outcome').textContent).toMatch(/failed 0 items in 1\.5 s/);
    const run = await screen.findByTestId('run-row-r1');
    expect(run.textContent).toContain('warm tier unreachable');
  });

  it('an operator gets no "Run now"', async () => {
    serve();
    renderAs('operator', <StoragePage />);
    await screen.findByTestId('job-summary');
    expect(screen.queryByTestId('job-run-now')).toBeNull();
  });

  it('"Run now" runs the job, shows the outcome and reloads the page data', async () => {
    const fetch = serve();
    renderAs('admin', <StoragePage />);
    await screen.findByTestId('run-row-r1');
    const before = { plan: calls(fetch, 'GET', '/storage/plan'), usage: calls(fetch, 'GET', '/storage') };
    fireEvent.click(screen.getByTestId('job-run-now'));
    expect((await screen.findByTestId('job-run-result')).textContent).toBe('The run finished (ok): 3 items in 2.1 s.');
    expect(calls(fetch, 'POST', '/jobs/storage/run')).toBe(1);
    await screen.findByTestId('run-row-new');
    expect(calls(fetch, 'GET', '/storage/plan')).toBeGreaterThan(before.plan);
    expect(calls(fetch, 'GET', '/storage')).toBeGreaterThan(before.usage);
  });

  it('a failed run shows its error', async () => {
    serve(() => jobRun('bad', { outcome: 'failed', error: 'disk full', items: 1, duration_ms: 400 }));
    renderAs('admin', <StoragePage />);
    fireEvent.click(await screen.findByTestId('job-run-now'));
    expect((await screen.findByTestId('job-run-result')).textContent).toBe('The run failed after 1 item in 400 ms: disk full');
  });

  it('409: the job is already running', async () => {
    serve(conflict);
    renderAs('admin', <StoragePage />);
    fireEvent.click(await screen.findByTestId('job-run-now'));
    const msg = await screen.findByTestId('job-run-result');
    expect(msg.textContent).toMatch(/already running/);
    expect(msg.className).toContain('alert--warn');
  });
});
