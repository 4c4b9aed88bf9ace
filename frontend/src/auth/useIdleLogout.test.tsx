import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useIdleLogout } from './useIdleLogout';

describe('useIdleLogout', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires after the timeout without activity, and activity postpones it', () => {
    const onIdle = vi.fn();
    renderHook(() => useIdleLogout(60_000, onIdle));
    act(() => void vi.advanceTimersByTime(45_000));
    window.dispatchEvent(new KeyboardEvent('keydown'));
    act(() => void vi.advanceTimersByTime(45_000));
    expect(onIdle).not.toHaveBeenCalled();
    act(() => void vi.advanceTimersByTime(30_000));
    expect(onIdle).toHaveBeenCalled();
  });

  it('does nothing while disabled', () => {
    const onIdle = vi.fn();
    renderHook(() => useIdleLogout(1_000, onIdle, false));
    act(() => void vi.advanceTimersByTime(10_000));
    expect(onIdle).not.toHaveBeenCalled();
  });
});
