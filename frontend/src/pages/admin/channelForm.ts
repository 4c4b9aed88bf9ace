// The new-channel form: its state, checks before sending (the server checks again) and the body.

import type { AlertType, ChannelKind, NewAlertChannel } from '../../api/alerts';

export interface ChannelForm {
  name: string;
  kind: ChannelKind;
  url: string;
  /** Email recipients, separated by commas, semicolons or spaces. */
  to: string;
  allTypes: boolean;
  types: AlertType[];
  allCameras: boolean;
  cameraIds: string[];
}

export const EMPTY_CHANNEL: ChannelForm = { name: '', kind: 'webhook', url: '', to: '', allTypes: true, types: [], allCameras: true, cameraIds: [] };

/** The form's inputs, by the body field the server names in a 422. */
export const CHANNEL_FIELDS = ['name', 'url', 'to', 'alert_types', 'camera_ids'] as const;
export type ChannelField = (typeof CHANNEL_FIELDS)[number];

const EMAIL = /^[^\s@,;]+@[^\s@,;]+$/;

export function parseRecipients(text: string): string[] {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

function urlError(text: string): string | undefined {
  if (!text.trim()) return 'Enter the URL the alerts are posted to.';
  try {
    const u = new URL(text.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'The URL must start with http:// or https://.';
  } catch {
    return 'This is not a valid URL.';
  }
}

function recipientsError(list: string[]): string | undefined {
  if (list.length === 0) return 'Enter at least one email address.';
  const bad = list.filter((a) => !EMAIL.test(a));
  return bad.length ? `Not an email address: ${bad.join(', ')}` : undefined;
}

/** Field errors (empty when the form may be sent) and, when valid, the `POST /alert-channels` body. */
export function validateChannel(f: ChannelForm): { errors: Partial<Record<ChannelField, string>>; body: NewAlertChannel | null } {
  const recipients = parseRecipients(f.to);
  const candidates: [ChannelField, string | undefined][] = [
    ['name', f.name.trim() ? undefined : 'Give the channel a name.'],
    ['url', f.kind === 'webhook' ? urlError(f.url) : undefined],
    ['to', f.kind === 'email' ? recipientsError(recipients) : undefined],
    ['alert_types', !f.allTypes && f.types.length === 0 ? 'Pick at least one alert type, or all types.' : undefined],
    ['camera_ids', !f.allCameras && f.cameraIds.length === 0 ? 'Pick at least one camera, or all cameras.' : undefined],
  ];
  const errors = Object.fromEntries(candidates.filter(([, m]) => m)) as Partial<Record<ChannelField, string>>;
  if (Object.keys(errors).length) return { errors, body: null };
  const body: NewAlertChannel = { name: f.name.trim(), kind: f.kind };
  if (f.kind === 'webhook') body.url = f.url.trim();
  else body.to = recipients;
  if (!f.allTypes) body.alert_types = f.types;
  if (!f.allCameras) body.camera_ids = f.cameraIds;
  return { errors, body };
}
