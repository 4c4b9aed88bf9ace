import { useEffect, useRef } from 'react';

const EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll'] as const;

/** Calls `onIdle` once after `timeoutMs` without keyboard/pointer activity. */
export function useIdleLogout(timeoutMs: number, onIdle: () => void, enabled = true): void {
  const last = useRef(Date.now());
  const cb = useRef(onIdle);
  cb.current = onIdle;

  useEffect(() => {
    if (!enabled) return;
    last.current = Date.now();
    const bump = () => {
      last.current = Date.now();
    };
    EVENTS.forEach((e) => window.addEventListener(e, bump, { passive: true, capture: true }));
    const check = () => {
      if (Date.now() - last.current >= timeoutMs) cb.current();
    };
    const t = setInterval(check, Math.min(15_000, Math.max(250, timeoutMs / 4)));
    document.addEventListener('visibilitychange', check);
    return () => {
      EVENTS.forEach((e) => window.removeEventListener(e, bump, { capture: true }));
      clearInterval(t);
      document.removeEventListener('visibilitychange', check);
    };
  }, [timeoutMs, enabled]);
}
