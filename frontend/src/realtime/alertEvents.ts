// How the `alert.*` WebSocket events change the cache: the bell's count at once (from the
// event's `open_count`), and every cached page of the Alerts list.

import type { QueryClient } from '@tanstack/react-query';
import type { Alert, AlertEvent, AlertQuery, AlertSummary } from '../api/alerts';
import { keys } from '../api/keys';
import type { Page } from '../api/types';

/** The bell's cache: the summary plus the time of the last event applied to it. */
export type BellSummary = AlertSummary & { event_at?: string };

/**
 * The summary after an event. The event carries the open count after the change, so it replaces
 * `open`; an event older than the last one applied (out of order through the Redis bridge) is
 * ignored. A fresh `GET /alerts/summary` replaces the whole value (and drops `event_at`).
 */
export function reduceSummary(summary: BellSummary | undefined, e: AlertEvent): BellSummary | undefined {
  if (summary?.event_at && Date.parse(e.at) < Date.parse(summary.event_at)) return summary;
  const base = summary ?? { open: 0, acknowledged: 0, by_type: {} };
  return { ...base, open: Math.max(0, e.data.open_count), event_at: e.at };
}

/** The bell's number: open alerts (acknowledged ones no longer call for attention). */
export function bellCount(summary: AlertSummary | undefined): number {
  return summary?.open ?? 0;
}

/** Whether `alert` belongs in a list fetched with `q` (page aside). */
export function alertMatches(q: AlertQuery, alert: Alert): boolean {
  if (q.state === 'active' ? alert.state === 'resolved' : q.state && q.state !== alert.state) return false;
  if (q.type && q.type !== alert.type) return false;
  if (q.severity && q.severity !== alert.severity) return false;
  if (q.camera_id && q.camera_id !== alert.camera_id) return false;
  return true;
}

/**
 * Alerts list pages: one showing the alert gets it in place (it stays until the next fetch,
 * even if it left the filter, so a row does not vanish under the pointer); a list the alert
 * entered or left is refetched.
 */
function applyToLists(qc: QueryClient, alert: Alert): void {
  const stale: AlertQuery[] = [];
  for (const [key, data] of qc.getQueriesData<Page<Alert>>({ queryKey: ['alerts', 'list'] })) {
    const q = (key[2] ?? {}) as AlertQuery;
    const listed = !!data?.items.some((a) => a.id === alert.id);
    if (listed) qc.setQueryData<Page<Alert>>(key, { ...data!, items: data!.items.map((a) => (a.id === alert.id ? alert : a)) });
    if (listed !== alertMatches(q, alert)) stale.push(q);
  }
  for (const q of stale) void qc.invalidateQueries({ queryKey: keys.alertList(q), exact: true });
}

export function applyAlertEvent(qc: QueryClient, e: AlertEvent): void {
  qc.setQueryData<BellSummary>(keys.alertSummary, (s) => reduceSummary(s, e));
  // `acknowledged` and `by_type` are not in the event: refetched when next shown.
  void qc.invalidateQueries({ queryKey: keys.alertSummary, refetchType: 'none' });
  applyToLists(qc, e.data.alert);
}
