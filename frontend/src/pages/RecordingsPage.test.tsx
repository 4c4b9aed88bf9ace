import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Recording } from '../api/types';
import { camera, mockFetch, page, recording, renderAs, storageOverview } from '../test/fixtures';
import RecordingsPage from './RecordingsPage';

/** One recording on camera c1, whose hold PUT/DELETE flip (as the server does). */
function serve(rec: Recording, cameraHeld = false) {
  let current = rec;
  const flip = (legal_hold: boolean) => () => (current = { ...current, legal_hold });
  return mockFetch({
    'GET /recordings': () => page([current]),
    'GET /cameras': page([]),
    'GET /cameras/c1': camera('c1', { name: 'Gate', legal_hold: cameraHeld }),
    'GET /storage': storageOverview(),
    [`PUT /recordings/${rec.id}/hold`]: flip(true),
    [`DELETE /recordings/${rec.id}/hold`]: flip(false),
  });
}

describe('RecordingsPage hold and tier', () => {
  it('an admin holds a recording: PUT, then the row is marked held and offers "Release hold"', async () => {
    const fetch = serve(recording('r1'));
    renderAs('admin', <RecordingsPage />);
    const row = await screen.findByTestId('recording-row-r1');
    expect(within(row).getByTestId('recording-tier-r1').textContent).toBe('hot');
    await waitFor(() => expect(within(row).getByText('file:///var/lib/argus/recordings')).toBeTruthy());
    expect(row.getAttribute('data-held')).toBe('false');
    fireEvent.click(within(row).getByTestId('recording-hold-r1'));
    await waitFor(() => expect(screen.getByTestId('recording-hold-r1').textContent).toBe('Release hold'));
    expect(fetch.mock.calls.some(([u, i]) => i?.method === 'PUT' && String(u).endsWith('/recordings/r1/hold'))).toBe(true);
    const held = screen.getByTestId('recording-row-r1');
    expect(held.getAttribute('data-held')).toBe('true');
    expect(within(held).getByTestId('recording-held-r1')).toBeTruthy();
    expect(within(held).getByRole('button', { name: 'Delete' }).hasAttribute('disabled')).toBe(true);

    fireEvent.click(screen.getByTestId('recording-hold-r1'));
    await waitFor(() => expect(screen.getByTestId('recording-hold-r1').textContent).toBe('Hold'));
    expect(fetch.mock.calls.some(([u, i]) => i?.method === 'DELETE' && String(u).endsWith('/recordings/r1/hold'))).toBe(true);
  });

  it('an operator sees the hold marker but no hold toggle (no recording.hold)', async () => {
    serve(recording('r1', { legal_hold: true }));
    renderAs('operator', <RecordingsPage />);
    const row = await screen.findByTestId('recording-row-r1');
    expect(within(row).getByTestId('recording-held-r1')).toBeTruthy();
    expect(within(row).queryByTestId('recording-hold-r1')).toBeNull();
  });

  it("a camera's hold marks its recordings and blocks their deletion", async () => {
    serve(recording('r1'), true);
    renderAs('operator', <RecordingsPage />);
    const row = await screen.findByTestId('recording-row-r1');
    await waitFor(() => expect(within(row).getByText('camera hold')).toBeTruthy());
    expect(row.getAttribute('data-held')).toBe('true');
    expect(within(row).getByRole('button', { name: 'Delete' }).hasAttribute('disabled')).toBe(true);
  });

  it('a viewer gets no storage locations (GET /storage is not asked)', async () => {
    const fetch = serve(recording('r1'));
    renderAs('viewer', <RecordingsPage />);
    await screen.findByTestId('recording-row-r1');
    expect(fetch.mock.calls.some(([u]) => new URL(String(u), 'http://x').pathname === '/api/v1/storage')).toBe(false);
  });
});
