import { describe, expect, it } from 'vitest';
import { fromLocalInput, MIN_RANGE_MS, moveEdge, pickEnd, rangeBetween, rangeProblem, toLocalInput } from './range';

const day = { from: new Date(2026, 0, 2), to: new Date(2026, 0, 3) };
const at = (h: number, m = 0, s = 0) => new Date(2026, 0, 2, h, m, s).getTime();

describe('range selection', () => {
  it('orders the two ends and clamps them to the day', () => {
    expect(rangeBetween(at(3), at(2), day)).toEqual({ from: at(2), to: at(3) });
    expect(rangeBetween(at(23), at(26), day)).toEqual({ from: at(23), to: day.to.getTime() });
  });

  it('a range never collapses below the minimum, even at the end of the day', () => {
    expect(rangeBetween(at(2), at(2), day)).toEqual({ from: at(2), to: at(2) + MIN_RANGE_MS });
    const end = day.to.getTime();
    expect(rangeBetween(end, end, day)).toEqual({ from: end - MIN_RANGE_MS, to: end });
  });

  it('a handle moves one end and stops short of the other', () => {
    const r = { from: at(2), to: at(3) };
    expect(moveEdge(r, 'from', at(1), day)).toEqual({ from: at(1), to: at(3) });
    expect(moveEdge(r, 'from', at(4), day)).toEqual({ from: at(3) - MIN_RANGE_MS, to: at(3) });
    expect(moveEdge(r, 'to', at(1), day)).toEqual({ from: at(2), to: at(2) + MIN_RANGE_MS });
    expect(moveEdge(r, 'to', at(30), day)).toEqual({ from: at(2), to: day.to.getTime() });
  });

  it('two picks make a range: the first sets the anchor, the second closes it', () => {
    const first = pickEnd(null, at(5), day);
    expect(first).toEqual({ anchor: at(5), range: null });
    expect(pickEnd(first.anchor, at(4, 30), day)).toEqual({ anchor: null, range: { from: at(4, 30), to: at(5) } });
  });

  it('says why a range cannot be exported', () => {
    expect(rangeProblem({ from: at(2), to: at(3) })).toBeNull();
    expect(rangeProblem({ from: at(3), to: at(2) })).toBe('The end must be after the start.');
    expect(rangeProblem({ from: at(0), to: at(0) + 25 * 3_600_000 })).toBe('At most 24 hours can be exported at once.');
    expect(rangeProblem({ from: NaN, to: at(2) })).toBe('Enter both the start and the end.');
  });

  it('datetime-local values round-trip to the second', () => {
    expect(toLocalInput(at(14, 32, 7))).toBe('2026-01-02T14:32:07');
    expect(fromLocalInput('2026-01-02T14:32:07')).toBe(at(14, 32, 7));
    expect(fromLocalInput('')).toBeNaN();
  });
});
