import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { camera, mockFetch, renderAs } from '../../test/fixtures';
import { CameraForm } from './CameraForm';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('CameraForm', () => {
  it('shows the API 422 field errors under their inputs', async () => {
    const fetch = mockFetch({
      'GET /profiles': [{ name: 'default', description: 'Source + 360p', rungs: [] }],
      'POST /cameras': () =>
        json(422, { error: { code: 'validation_failed', message: 'invalid', details: { name: [{ code: 'length', message: 'must be at most 120 characters' }] } } }),
    });
    const onSaved = vi.fn();
    renderAs('operator', <CameraForm onClose={() => undefined} onSaved={onSaved} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'x'.repeat(200) } });
    fireEvent.change(screen.getByLabelText('Serial number'), { target: { value: 'SN-1' } });
    fireEvent.click(screen.getByTestId('camera-save'));
    expect((await screen.findByTestId('error-name')).textContent).toBe('must be at most 120 characters');
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(onSaved).not.toHaveBeenCalled();
    const post = fetch.mock.calls.find(([, init]) => init?.method === 'POST')!;
    expect(JSON.parse(String(post[1]!.body))).toMatchObject({ serial_number: 'SN-1', company: null, recording_enabled: true });
  });

  it('maps a duplicate serial (409) onto the serial field', async () => {
    mockFetch({
      'GET /profiles': [],
      'POST /cameras': () => json(409, { error: { code: 'conflict', message: 'a camera with this serial number exists' } }),
    });
    renderAs('operator', <CameraForm onClose={() => undefined} onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Gate' } });
    fireEvent.change(screen.getByLabelText('Serial number'), { target: { value: 'DUP' } });
    fireEvent.click(screen.getByTestId('camera-save'));
    expect((await screen.findByTestId('error-serial_number')).textContent).toMatch(/serial number exists/);
  });

  it("edits the camera's storage rules (quota in GiB, sent in bytes) and, for an admin, its legal hold", async () => {
    const cam = camera('c1', { retention_days: 30, quota_bytes: 2 * 1024 ** 3, legal_hold: false });
    const fetch = mockFetch({
      'GET /profiles': [],
      'PATCH /cameras/c1': () =>
        json(422, { error: { code: 'validation_failed', message: 'invalid', details: { cold_after_days: [{ code: 'order', message: 'cold_after_days (5) must be greater than warm_after_days (9)' }] } } }),
    });
    renderAs('admin', <CameraForm camera={cam} onClose={() => undefined} onSaved={() => undefined} />);
    expect((screen.getByLabelText('Keep footage (days)') as HTMLInputElement).value).toBe('30');
    expect((screen.getByLabelText('Size quota (GiB, all tiers)') as HTMLInputElement).value).toBe('2');
    fireEvent.change(screen.getByLabelText('Size quota (GiB, all tiers)'), { target: { value: '1.5' } });
    fireEvent.change(screen.getByLabelText('To WARM after (days)'), { target: { value: '9' } });
    fireEvent.change(screen.getByLabelText('To COLD after (days)'), { target: { value: '5' } });
    fireEvent.change(screen.getByLabelText('Keep footage (days)'), { target: { value: '' } });
    fireEvent.click(screen.getByLabelText(/Legal hold/));
    fireEvent.click(screen.getByTestId('camera-save'));
    expect((await screen.findByTestId('error-cold_after_days')).textContent).toMatch(/greater than warm_after_days/);
    const patch = fetch.mock.calls.find(([, init]) => init?.method === 'PATCH')!;
    expect(JSON.parse(String(patch[1]!.body))).toMatchObject({
      retention_days: null,
      quota_bytes: 1.5 * 1024 ** 3,
      warm_after_days: 9,
      cold_after_days: 5,
      archive_after_days: null,
      legal_hold: true,
    });
  });

  it('offers no legal hold to an operator, nor on a new camera', () => {
    mockFetch({ 'GET /profiles': [] });
    renderAs('operator', <CameraForm camera={camera('c1')} onClose={() => undefined} onSaved={() => undefined} />);
    expect(screen.queryByLabelText(/Legal hold/)).toBeNull();
    expect(screen.getByTestId('camera-storage')).toBeTruthy();
  });
});
