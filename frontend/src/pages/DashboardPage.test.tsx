import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockFetch, page, renderAs, stats } from '../test/fixtures';
import DashboardPage from './DashboardPage';

describe('DashboardPage', () => {
  it('shows total recordings and the bytes of each tier, with a storage link for those who may open it', async () => {
    mockFetch({ 'GET /dashboard/stats': stats({ total_recordings: 12, recordings_total: 12, storage_by_tier: { hot: 3 * 1024 ** 3, warm: 1536, cold: 0, archive: 0 } }), 'GET /cameras': page([]) });
    renderAs('operator', <DashboardPage />);
    expect(within(await screen.findByTestId('stat-total_recordings')).getByText('12')).toBeTruthy();
    expect(screen.getByTestId('stat-tier-hot').textContent).toContain('3.0 GB');
    expect(screen.getByTestId('stat-tier-warm').textContent).toContain('1.5 KB');
    expect(screen.getByTestId('stat-tier-archive').textContent).toContain('0 B');
    expect(screen.getByRole('link', { name: /Storage details/ }).getAttribute('href')).toBe('/storage');
  });

  it('a viewer sees the tiers without the storage link', async () => {
    mockFetch({ 'GET /dashboard/stats': stats(), 'GET /cameras': page([]) });
    renderAs('viewer', <DashboardPage />);
    await screen.findByTestId('stat-tier-hot');
    expect(screen.queryByRole('link', { name: /Storage details/ })).toBeNull();
  });

  it('shows the server’s uptime, memory and CPU, and recordings_total', async () => {
    mockFetch({ 'GET /dashboard/stats': stats({ total_recordings: 4, recordings_total: 40, uptime_secs: 3 * 86400 + 4 * 3600 + 59, memory_rss_bytes: 150 * 1024 ** 2, cpu_percent: 12.34 }), 'GET /cameras': page([]) });
    renderAs('viewer', <DashboardPage />);
    expect((await screen.findByTestId('stat-uptime')).textContent).toContain('3 d 4 h');
    expect(screen.getByTestId('stat-memory').textContent).toContain('150 MB');
    expect(screen.getByTestId('stat-cpu').textContent).toContain('12.3 %');
    expect(within(screen.getByTestId('stat-total_recordings')).getByText('40')).toBeTruthy();
  });

  it('a server that cannot measure itself (uptime 0, no /proc) shows no System panel', async () => {
    mockFetch({ 'GET /dashboard/stats': stats({ uptime_secs: 0, memory_rss_bytes: 0, cpu_percent: 0 }), 'GET /cameras': page([]) });
    renderAs('viewer', <DashboardPage />);
    await screen.findByTestId('stat-total');
    expect(screen.queryByTestId('stat-uptime')).toBeNull();
    expect(screen.queryByRole('heading', { name: 'System' })).toBeNull();
  });
});
