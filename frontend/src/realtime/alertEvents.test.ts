import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent, AlertQuery } from '../api/alerts';
import { keys } from '../api/keys';
import type { Page } from '../api/types';
import { alert, page } from '../test/fixtures';
import { alertMatches, bellCount, reduceSummary, type BellSummary } from './alertEvents';
import { applyEvent } from './applyEvent';

const ev = (type: AlertEvent['type'], a: Alert, open_count: number, at = '2026-01-02T03:10:00Z'): AlertEvent => ({ type, data: { alert: a, open_count }, at });

describe('bell summary reducer', () => {
  it('takes the open count from each event, keeping the rest of the summary', () => {
    const s0: BellSummary = { open: 1, acknowledged: 2, by_type: { 'camera.offline': 3 } };
    const s1 = reduceSummary(s0, ev('alert.opened', alert('a2'), 2));
    expect(s1).toEqual({ open: 2, acknowledged: 2, by_type: { 'camera.offline': 3 }, event_at: '2026-01-02T03:10:00Z' });
    const s2 = reduceSummary(s1, ev('alert.updated', alert('a2', { state: 'acknowledged' }), 1, '2026-01-02T03:11:00Z'));
    expect(bellCount(s2)).toBe(1);
    expect(bellCount(reduceSummary(s2, ev('alert.resolved', alert('a1', { state: 'resolved' }), 0, '2026-01-02T03:12:00Z')))).toBe(0);
  });

  it('ignores an event older than the last one applied (out of order)', () => {
    const newer = reduceSummary(undefined, ev('alert.opened', alert('a1'), 3, '2026-01-02T03:10:05Z'));
    expect(reduceSummary(newer, ev('alert.opened', alert('a0'), 2, '2026-01-02T03:10:00Z'))).toBe(newer);
    expect(bellCount(newer)).toBe(3);
  });

  it('starts from nothing when the summary was not fetched yet, and never goes below zero', () => {
    expect(bellCount(undefined)).toBe(0);
    expect(reduceSummary(undefined, ev('alert.resolved', alert('a1'), -1))).toMatchObject({ open: 0, acknowledged: 0, by_type: {} });
  });
});

describe('alertMatches', () => {
  it('reads active as open + acknowledged and checks type, severity and camera', () => {
    const open = alert('a1');
    const acked = alert('a1', { state: 'acknowledged' });
    const resolved = alert('a1', { state: 'resolved' });
    expect([open, acked, resolved].map((a) => alertMatches({ state: 'active' }, a))).toEqual([true, true, false]);
    expect([open, acked, resolved].map((a) => alertMatches({ state: 'open' }, a))).toEqual([true, false, false]);
    expect(alertMatches({}, resolved)).toBe(true);
    expect(alertMatches({ type: 'storage.low' }, open)).toBe(false);
    expect(alertMatches({ severity: 'critical', camera_id: 'c1' }, open)).toBe(true);
    expect(alertMatches({ camera_id: 'c2' }, open)).toBe(false);
    expect(alertMatches({ camera_id: 'c1' }, alert('a3', { camera_id: null }))).toBe(false);
  });
});

describe('applyEvent alert.*', () => {
  const openQ: AlertQuery = { state: 'open', page: 1, limit: 25 };
  const ackQ: AlertQuery = { state: 'acknowledged', page: 1, limit: 25 };

  it('sets the bell count and marks the summary stale (acknowledged / by_type are not in the event)', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.alertSummary, { open: 0, acknowledged: 0, by_type: {} });
    applyEvent(qc, ev('alert.opened', alert('a1'), 1));
    expect(bellCount(qc.getQueryData(keys.alertSummary))).toBe(1);
    expect(qc.getQueryState(keys.alertSummary)!.isInvalidated).toBe(true);
  });

  it('a count bump updates the row in place; an acknowledged alert leaves "open" lists and enters "acknowledged" ones', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.alertList(openQ), page([alert('a1'), alert('a2', { type: 'storage.low', camera_id: null })]));
    qc.setQueryData(keys.alertList(ackQ), page<Alert>([]));
    applyEvent(qc, ev('alert.updated', alert('a1', { count: 7 }), 2));
    const list = qc.getQueryData<Page<Alert>>(keys.alertList(openQ))!;
    expect(list.items.map((a) => [a.id, a.count])).toEqual([['a1', 7], ['a2', 2]]);
    expect(qc.getQueryState(keys.alertList(openQ))!.isInvalidated).toBe(false);
    expect(qc.getQueryState(keys.alertList(ackQ))!.isInvalidated).toBe(false);

    applyEvent(qc, ev('alert.updated', alert('a1', { count: 7, state: 'acknowledged', acknowledged_by: 'admin' }), 1));
    // Shown acknowledged in place until the refetch drops it from the open list.
    expect(qc.getQueryData<Page<Alert>>(keys.alertList(openQ))!.items[0].state).toBe('acknowledged');
    expect(qc.getQueryState(keys.alertList(openQ))!.isInvalidated).toBe(true);
    expect(qc.getQueryState(keys.alertList(ackQ))!.isInvalidated).toBe(true);
  });

  it('a new alert refetches only the lists whose filter it matches', () => {
    const qc = new QueryClient();
    const storageQ: AlertQuery = { state: 'active', type: 'storage.low', page: 1, limit: 25 };
    qc.setQueryData(keys.alertList(openQ), page<Alert>([]));
    qc.setQueryData(keys.alertList(storageQ), page<Alert>([]));
    applyEvent(qc, ev('alert.opened', alert('a9'), 1));
    expect(qc.getQueryState(keys.alertList(openQ))!.isInvalidated).toBe(true);
    expect(qc.getQueryState(keys.alertList(storageQ))!.isInvalidated).toBe(false);
  });
});
