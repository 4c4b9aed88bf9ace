import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes, useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { newerQuality } from '../../api/hooks';
import { keys } from '../../api/keys';
import type { StreamQuality } from '../../api/types';
import { camera, mockFetch, renderAs, timeline, widen } from '../../test/fixtures';
import { CameraDetail } from './CameraDetail';

const q = (over: Partial<StreamQuality> = {}): StreamQuality => ({
  fps: 25, speed: 1, bitrate_kbps: 2450, dropped_frames: 0, score: 97, updated_at: new Date().toISOString(), ...over,
});

describe('CameraDetail quality', () => {
  it('shows the quality from GET /cameras/{id} right away (the list row has none)', async () => {
    const listRow = camera('c1', { stream_status: 'online' });
    mockFetch({ 'GET /cameras/c1': { ...listRow, quality: q() } });
    renderAs('viewer', <CameraDetail camera={listRow} onClose={() => undefined} onEdit={() => undefined} />);
    expect((await screen.findByTestId('quality-c1')).textContent).toMatch(/25 fps · 2\.5 Mbit\/s · score 97/);
    expect(screen.getByTestId('detail-quality').textContent).toMatch(/2\.5 Mbit\/s/);
  });

  it('a newer stream.quality event wins over the fetched sample', async () => {
    const listRow = camera('c1', { stream_status: 'online' });
    mockFetch({ 'GET /cameras/c1': { ...listRow, quality: q({ updated_at: '2026-01-01T00:00:00Z' }) } });
    const { qc } = renderAs('viewer', <CameraDetail camera={listRow} onClose={() => undefined} onEdit={() => undefined} />);
    await screen.findByTestId('quality-c1');
    act(() => qc.setQueryData(keys.quality('c1'), q({ fps: 30, bitrate_kbps: 800 })));
    await waitFor(() => expect(screen.getByTestId('quality-c1').textContent).toMatch(/30 fps · 800 kbit\/s/));
  });

  it('an offline camera shows no quality', async () => {
    const row = camera('c1', { stream_status: 'offline' });
    mockFetch({ 'GET /cameras/c1': row });
    renderAs('viewer', <CameraDetail camera={row} onClose={() => undefined} onEdit={() => undefined} />);
    await screen.findByText(row.serial_number);
    expect(screen.queryByTestId('quality-c1')).toBeNull();
  });

  it('newerQuality picks by updated_at', () => {
    const old = q({ updated_at: '2026-01-01T00:00:00Z', fps: 1 });
    const recent = q({ updated_at: '2026-01-01T00:00:05Z', fps: 2 });
    expect(newerQuality(old, recent)).toBe(recent);
    expect(newerQuality(recent, old)).toBe(recent);
    expect(newerQuality(undefined, old)).toBe(old);
    expect(newerQuality(null, undefined)).toBeNull();
  });
});

describe('CameraDetail recent footage', () => {
  function Where() {
    const l = useLocation();
    return <div data-testid="where">{l.pathname + l.search}</div>;
  }

  it('shows the last 24 h of the camera and opens the Timeline page at a clicked instant', async () => {
    const row = camera('c1');
    const fetch = mockFetch({ 'GET /cameras/c1': row, 'GET /cameras/c1/timeline': timeline('c1') });
    const before = Date.now();
    renderAs('viewer', (
      <Routes>
        <Route path="/" element={<CameraDetail camera={row} onClose={() => undefined} onEdit={() => undefined} />} />
        <Route path="/timeline" element={<Where />} />
      </Routes>
    ));
    const bar = await screen.findByRole('slider', { name: /Footage of/ });
    const asked = await waitFor(() => {
      const u = fetch.mock.calls.map(([x]) => new URL(String(x), 'http://x')).find((x) => x.pathname.endsWith('/cameras/c1/timeline'));
      expect(u).toBeTruthy();
      return u!;
    });
    const [from, to] = [Date.parse(asked.searchParams.get('from')!), Date.parse(asked.searchParams.get('to')!)];
    expect(to - from).toBe(24 * 3_600_000);
    expect(to).toBeGreaterThanOrEqual(before);
    expect(screen.getByTestId('open-timeline').getAttribute('href')).toMatch(/^\/timeline\?day=\d{4}-\d{2}-\d{2}&camera=c1$/);
    widen(bar, 100);
    fireEvent.click(bar, { clientX: 50 });
    const where = new URL((await screen.findByTestId('where')).textContent!, 'http://x');
    expect(where.searchParams.get('camera')).toBe('c1');
    expect(Date.parse(where.searchParams.get('at')!)).toBe(from + 12 * 3_600_000);
  });

  it('a user without recording.read gets no footage bar', async () => {
    const row = camera('c1');
    mockFetch({ 'GET /cameras/c1': row });
    renderAs('api', <CameraDetail camera={row} onClose={() => undefined} onEdit={() => undefined} />);
    await screen.findByText(row.serial_number);
    expect(screen.queryByTestId('open-timeline')).toBeNull();
  });
});
