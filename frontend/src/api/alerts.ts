// Issue 12's alerts, alert channels and camera health, as the shared contract describes them
// (/api/v1/alerts, /api/v1/alert-channels, /api/v1/cameras/{id}/sessions|availability, the new
// dashboard stats fields and the `alert.*` WebSocket events).
// replaced by aliases of the generated schema once the server branches merge

export const ALERT_TYPES = [
  'camera.offline',
  'recording.failed',
  'storage.low',
  'stream.degraded',
  'transcoder.crash_loop',
  'auth.brute_force',
  'job.failed',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export type AlertState = 'open' | 'acknowledged' | 'resolved';
/** The `state` filter: `active` = open + acknowledged. */
export const ALERT_STATE_FILTERS = ['active', 'open', 'acknowledged', 'resolved'] as const;
export type AlertStateFilter = (typeof ALERT_STATE_FILTERS)[number];

/** The permissions issue 12 adds to the role table. */
export type AlertPermission = 'alert.read' | 'alert.manage' | 'alert.channel.manage';

/** `AlertView`: one alert (also the body of a webhook delivery). RFC 3339 times. */
export interface Alert {
  id: string;
  type: AlertType;
  severity: AlertSeverity;
  state: AlertState;
  camera_id: string | null;
  camera_name: string | null;
  count: number;
  first_seen: string;
  last_seen: string;
  message: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
}

/** `GET /alerts?state=&type=&camera_id=&severity=&page=&limit=` */
export interface AlertQuery {
  state?: AlertStateFilter;
  type?: AlertType;
  camera_id?: string;
  severity?: AlertSeverity;
  page?: number;
  limit?: number;
}

/** `GET /alerts/summary` (the bell). */
export interface AlertSummary {
  open: number;
  acknowledged: number;
  by_type: Partial<Record<AlertType, number>>;
}

/** `alert.opened` / `alert.updated` (count bump, acknowledge) / `alert.resolved`. */
export interface AlertEvent {
  type: 'alert.opened' | 'alert.updated' | 'alert.resolved';
  data: { alert: Alert; open_count: number };
  at: string;
}

export type ChannelKind = 'webhook' | 'email';

/** An alert channel; `alert_types` / `camera_ids` null or empty = every type / camera. */
export interface AlertChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  url: string | null;
  /** Email recipients (empty for a webhook). */
  to: string[];
  alert_types: AlertType[] | null;
  camera_ids: string[] | null;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** `POST /alert-channels` answers the channel plus, for a webhook, its signing secret (once). */
export type CreatedChannel = AlertChannel & { secret?: string | null };

export interface NewAlertChannel {
  name: string;
  kind: ChannelKind;
  url?: string;
  to?: string[];
  alert_types?: AlertType[];
  camera_ids?: string[];
}

export type AlertChannelUpdate = Partial<Pick<NewAlertChannel, 'name' | 'url' | 'to' | 'alert_types' | 'camera_ids'>> & {
  enabled?: boolean;
};

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One row of a channel's delivery log (the outbox). */
export interface AlertDelivery {
  id: string;
  channel_id: string;
  alert_id: string | null;
  event: 'opened' | 'resolved' | 'test';
  state: DeliveryState;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** `GET /cameras/{id}/sessions`: one connection of the camera. */
export interface StreamSession {
  id: string;
  started_at: string;
  ended_at: string | null;
  end_reason: string | null;
  node: string | null;
  bytes_in: number | null;
  client_addr: string | null;
  duration_secs: number | null;
}

export interface SessionQuery {
  from?: string;
  to?: string;
  page?: number;
  limit?: number;
}

/** `GET /cameras/{id}/availability`: uptime and recording continuity over 24 h and 7 days. */
export interface AvailabilityWindow {
  window: '24h' | '7d';
  from: string;
  to: string;
  online_secs: number;
  uptime_percent: number | null;
  recorded_secs: number;
  /** null when the camera does not record or was never online in the window. */
  recording_percent: number | null;
}

export interface Availability {
  camera_id: string;
  windows: AvailabilityWindow[];
}

/** What `GET /dashboard/stats` gains (optional until every server has them; null = not measured here). */
export interface SystemStats {
  uptime_secs?: number | null;
  memory_rss_bytes?: number | null;
  cpu_percent?: number | null;
  recordings_total?: number;
}
