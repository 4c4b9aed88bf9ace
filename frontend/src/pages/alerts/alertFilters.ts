// The Alerts page's filters: kept in the URL (the bell links to `?state=open`), turned into the
// `GET /alerts` query. Unknown values in a hand-edited URL fall back to the defaults.

import {
  ALERT_SEVERITIES, ALERT_STATE_FILTERS, ALERT_TYPES, type AlertQuery, type AlertSeverity, type AlertStateFilter, type AlertType,
} from '../../api/alerts';

export interface AlertFilters {
  state: AlertStateFilter;
  type: AlertType | '';
  camera_id: string;
  severity: AlertSeverity | '';
}

export const DEFAULT_FILTERS: AlertFilters = { state: 'active', type: '', camera_id: '', severity: '' };
export const ALERTS_PER_PAGE = 25;

const oneOf = <T extends string>(list: readonly T[], v: string | null): T | undefined => list.find((x) => x === v);

export function filtersFromParams(p: URLSearchParams): { filters: AlertFilters; page: number } {
  const page = Number(p.get('page'));
  return {
    filters: {
      state: oneOf(ALERT_STATE_FILTERS, p.get('state')) ?? DEFAULT_FILTERS.state,
      type: oneOf(ALERT_TYPES, p.get('type')) ?? '',
      camera_id: p.get('camera_id')?.trim() ?? '',
      severity: oneOf(ALERT_SEVERITIES, p.get('severity')) ?? '',
    },
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** Only what differs from the defaults, so the plain page stays `/alerts`. */
export function filtersToParams(f: AlertFilters, page: number): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of ['state', 'type', 'camera_id', 'severity'] as const) if (f[k] && f[k] !== DEFAULT_FILTERS[k]) p.set(k, f[k]);
  if (page > 1) p.set('page', String(page));
  return p;
}

export function toAlertQuery(f: AlertFilters, page: number): AlertQuery {
  const q: AlertQuery = { state: f.state, page, limit: ALERTS_PER_PAGE };
  if (f.type) q.type = f.type;
  if (f.severity) q.severity = f.severity;
  if (f.camera_id) q.camera_id = f.camera_id;
  return q;
}
