import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AlertDelivery, NewAlertChannel } from '../../api/alerts';
import { alertChannel, jan2, mockFetch, page, renderAs } from '../../test/fixtures';
import AlertChannelsPage from './AlertChannelsPage';

const hook = alertChannel('h1', { name: 'On call' });
const mail = alertChannel('m1', { name: 'Ops mail', kind: 'email', url: null, to: ['ops@example.com', 'oncall@example.com'], enabled: false, disabled_reason: 'failing for 24 h', alert_types: ['storage.low'] });
const delivery: AlertDelivery = {
  id: 'd1', channel_id: 'h1', alert_id: null, event: 'test', state: 'pending', attempts: 2, next_attempt_at: jan2(4), last_attempt_at: jan2(3),
  last_status: 500, last_error: 'HTTP 500 Internal Server Error', created_at: jan2(3), delivered_at: null, payload: { event: 'test' },
};
const SECRET = 'whsec_3f9a0c1d2e';

function serve(extra: Record<string, unknown> = {}) {
  let sent: NewAlertChannel | null = null;
  const fetch = mockFetch({
    'GET /alert-channels': () => (sent ? [alertChannel('h2', { name: sent.name }), hook, mail] : [hook, mail]),
    'POST /alert-channels': (_u: URL, init: RequestInit) => {
      sent = JSON.parse(String(init.body));
      return sent!.kind === 'webhook' ? { ...alertChannel('h2', { name: sent!.name }), secret: SECRET } : alertChannel('m2', { kind: 'email' });
    },
    'PATCH /alert-channels/m1': { ...mail, enabled: true },
    'POST /alert-channels/h1/test': () => new Response(null, { status: 202 }),
    'GET /alert-channels/h1/deliveries': page([delivery]),
    'DELETE /alert-channels/h1': () => new Response(null, { status: 204 }),
    ...extra,
  });
  return { fetch, sent: () => sent };
}
const called = (fetch: ReturnType<typeof mockFetch>, method: string, path: string) =>
  fetch.mock.calls.some(([u, init]) => (init?.method ?? 'GET') === method && new URL(String(u), 'http://l').pathname === `/api/v1${path}`);

async function fillWebhook(name: string, url: string) {
  fireEvent.click(await screen.findByTestId('channel-add'));
  const form = screen.getByTestId('channel-form');
  fireEvent.change(within(form).getByLabelText('Name'), { target: { value: name } });
  fireEvent.change(within(form).getByLabelText('URL'), { target: { value: url } });
  return form;
}

describe('AlertChannelsPage', () => {
  it('lists channels with target, filters and state', async () => {
    serve();
    renderAs('admin', <AlertChannelsPage />);
    const row = await screen.findByTestId('channel-row-m1');
    expect(row.textContent).toMatch(/ops@example\.com, oncall@example\.com/);
    expect(row.textContent).toMatch(/storage\.low · all cameras/);
    expect(within(row).getByTestId('channel-state-m1').textContent).toBe('disabled');
    expect(row.textContent).toMatch(/failing for 24 h/);
    expect((within(row).getByTestId('channel-test-m1') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('channel-row-h1').textContent).toMatch(/all types · all cameras/);
  });

  it('checks the form before sending it', async () => {
    const { fetch } = serve();
    renderAs('admin', <AlertChannelsPage />);
    await fillWebhook('', 'not a url');
    fireEvent.click(screen.getByTestId('channel-save'));
    expect((await screen.findByTestId('error-name')).textContent).toMatch(/name/);
    expect(screen.getByTestId('error-url').textContent).toBe('This is not a valid URL.');
    expect(called(fetch, 'POST', '/alert-channels')).toBe(false);
  });

  it('shows a webhook secret once, with a copy button, and never again', async () => {
    const { sent } = serve();
    renderAs('admin', <AlertChannelsPage />);
    await fillWebhook('Pager', 'https://hooks.example.com/p');
    fireEvent.click(screen.getByTestId('channel-save'));
    expect((await screen.findByTestId('channel-secret')).textContent).toBe(SECRET);
    expect(screen.getByTestId('copy-channel-secret')).toBeTruthy();
    expect(screen.getByRole('dialog').textContent).toMatch(/shown only once/);
    expect(sent()).toEqual({ name: 'Pager', kind: 'webhook', url: 'https://hooks.example.com/p' });
    // A stray click on the backdrop does not lose it; Done does.
    fireEvent.mouseDown(document.querySelector('.modal-backdrop')!);
    expect(screen.getByTestId('channel-secret')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    await screen.findByTestId('channel-row-h2');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('an email channel has no secret: the dialog just closes', async () => {
    const { sent } = serve();
    renderAs('admin', <AlertChannelsPage />);
    fireEvent.click(await screen.findByTestId('channel-add'));
    const form = screen.getByTestId('channel-form');
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Mail' } });
    fireEvent.change(within(form).getByLabelText('Kind'), { target: { value: 'email' } });
    fireEvent.change(within(form).getByLabelText('To'), { target: { value: 'a@example.com, b@example.com' } });
    fireEvent.click(screen.getByTestId('channel-save'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(sent()).toEqual({ name: 'Mail', kind: 'email', to: ['a@example.com', 'b@example.com'] });
    expect(screen.queryByTestId('channel-secret')).toBeNull();
  });

  it('a 422 from the server lands under its field', async () => {
    serve({
      'POST /alert-channels': () => new Response(JSON.stringify({ error: { code: 'validation_failed', message: 'invalid', details: { url: [{ code: 'private', message: 'the URL must not point at this server' }] } } }), { status: 422, headers: { 'content-type': 'application/json' } }),
    });
    renderAs('admin', <AlertChannelsPage />);
    await fillWebhook('Self', 'http://127.0.0.1/api');
    fireEvent.click(screen.getByTestId('channel-save'));
    expect((await screen.findByTestId('error-url')).textContent).toBe('the URL must not point at this server');
  });

  it('enables, sends a test, shows the delivery log and deletes after confirming', async () => {
    const { fetch } = serve();
    renderAs('admin', <AlertChannelsPage />);
    fireEvent.click(await screen.findByTestId('channel-toggle-m1'));
    await waitFor(() => expect(called(fetch, 'PATCH', '/alert-channels/m1')).toBe(true));
    const patch = fetch.mock.calls.find(([u, init]) => init?.method === 'PATCH' && String(u).endsWith('/m1'))!;
    expect(JSON.parse(String(patch[1]!.body))).toEqual({ enabled: true });

    await waitFor(() => expect((screen.getByTestId('channel-test-h1') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('channel-test-h1'));
    expect((await screen.findByTestId('channel-notice')).textContent).toMatch(/test delivery to “On call” is queued/);

    fireEvent.click(screen.getByTestId('channel-log-h1'));
    const row = await screen.findByTestId('delivery-row-d1');
    expect(row.textContent).toMatch(/test/);
    expect(row.textContent).toMatch(/pending/);
    expect(row.textContent).toMatch(/HTTP 500 Internal Server Error/);
    expect(row.textContent).toMatch(/500/);
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));

    fireEvent.click(screen.getByTestId('channel-delete-h1'));
    expect(called(fetch, 'DELETE', '/alert-channels/h1')).toBe(false);
    fireEvent.click(screen.getByTestId('confirm'));
    await waitFor(() => expect(called(fetch, 'DELETE', '/alert-channels/h1')).toBe(true));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
