import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { mockFetch, renderAs } from '../../test/fixtures';
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
});
