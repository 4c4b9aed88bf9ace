import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, filtersFromParams, filtersToParams, toAlertQuery } from './alertFilters';

describe('alert filters', () => {
  it('default to active alerts, page 1, and keep the plain URL', () => {
    const { filters, page } = filtersFromParams(new URLSearchParams());
    expect(filters).toEqual(DEFAULT_FILTERS);
    expect(page).toBe(1);
    expect(filtersToParams(filters, page).toString()).toBe('');
    expect(toAlertQuery(filters, page)).toEqual({ state: 'active', page: 1, limit: 25 });
  });

  it('round-trip through the URL and become the GET /alerts query', () => {
    const f = { state: 'open', type: 'storage.low', camera_id: 'c1', severity: 'warning' } as const;
    const params = filtersToParams(f, 3);
    expect(params.toString()).toBe('state=open&type=storage.low&camera_id=c1&severity=warning&page=3');
    const back = filtersFromParams(params);
    expect(back).toEqual({ filters: f, page: 3 });
    expect(toAlertQuery(back.filters, back.page)).toEqual({ state: 'open', type: 'storage.low', camera_id: 'c1', severity: 'warning', page: 3, limit: 25 });
  });

  it('ignore values the server would reject (a hand-edited URL)', () => {
    const { filters, page } = filtersFromParams(new URLSearchParams('state=closed&type=camera.exploded&severity=meh&page=-2'));
    expect(filters).toEqual(DEFAULT_FILTERS);
    expect(page).toBe(1);
    expect(filtersFromParams(new URLSearchParams('state=resolved&page=x')).filters.state).toBe('resolved');
  });
});
