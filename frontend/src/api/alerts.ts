// Issue 12's alerts, alert channels and camera health: the generated types under friendly names,
// the `alert.*` WebSocket events (which the OpenAPI document cannot describe), and the few fields
// the document gives as plain strings narrowed to the values the server writes.

import {
  alertKindValues, alertSeverityValues, alertStateValues, type components, type operations,
} from './schema';

type Schemas = components['schemas'];
/** The query parameters of an operation, by its operation id. */
type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type AlertType = Schemas['AlertKind'];
export const ALERT_TYPES = alertKindValues;
export type AlertSeverity = Schemas['AlertSeverity'];
export const ALERT_SEVERITIES = alertSeverityValues;
export type AlertState = Schemas['AlertState'];
/** The `state` filter: `active` = open + acknowledged (the document gives it as a string). */
export const ALERT_STATE_FILTERS = ['active', ...alertStateValues] as const;
export type AlertStateFilter = (typeof ALERT_STATE_FILTERS)[number];

/** `AlertView`: one alert (also the body of a webhook delivery). RFC 3339 times. */
export type Alert = Schemas['AlertView'];

/** `GET /alerts?state=&type=&camera_id=&severity=&page=&limit=` (the document types them as strings). */
export type AlertQuery = Omit<QueryOf<'alerts_list'>, 'state' | 'type' | 'severity'> & {
  state?: AlertStateFilter;
  type?: AlertType;
  severity?: AlertSeverity;
};

/** `GET /alerts/summary` (the bell); `by_type` is keyed by alert type. */
export type AlertSummary = Schemas['AlertSummary'];

/** `alert.opened` / `alert.updated` (count bump, acknowledge) / `alert.resolved`. */
export interface AlertEvent {
  type: 'alert.opened' | 'alert.updated' | 'alert.resolved';
  data: { alert: Alert; open_count: number };
  at: string;
}

export type ChannelKind = Schemas['ChannelKind'];
/** The document gives `kind` and `alert_types` as strings; the server writes these values. */
type Narrowed<T> = Omit<T, 'kind' | 'alert_types'> & { kind: ChannelKind; alert_types?: AlertType[] | null };

/** An alert channel; `alert_types` / `camera_ids` null or empty = every type / camera. */
export type AlertChannel = Narrowed<Schemas['ChannelView']>;
/** `POST /alert-channels` answers the channel plus, for a webhook, its signing secret (once). */
export type CreatedChannel = AlertChannel & Pick<Schemas['CreatedChannel'], 'secret'>;
export type NewAlertChannel = Omit<Schemas['NewChannel'], 'alert_types'> & { alert_types?: AlertType[] | null };
export type AlertChannelUpdate = Omit<Schemas['UpdateChannel'], 'alert_types'> & { alert_types?: AlertType[] | null };

export type DeliveryState = 'pending' | 'delivered' | 'failed';
/** One row of a channel's delivery log (the outbox). */
export type AlertDelivery = Omit<Schemas['DeliveryView'], 'state' | 'event'> & {
  state: DeliveryState;
  event: 'opened' | 'resolved' | 'test';
};

/** `GET /cameras/{id}/sessions`: one connection of the camera. */
export type StreamSession = Schemas['SessionView'];
export type SessionQuery = QueryOf<'cameras_sessions'>;

/** `GET /cameras/{id}/availability`: uptime and recording continuity over 24 h and 7 days. */
export type AvailabilityWindow = Omit<Schemas['AvailabilityWindow'], 'window'> & { window: '24h' | '7d' };
export type Availability = Omit<Schemas['Availability'], 'windows'> & { windows: AvailabilityWindow[] };
