import { useCallback, useState } from 'react';

/** useState persisted in localStorage (JSON); falls back to `initial` on any problem. */
export function useLocalState<T>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const raw = localStorage.getItem(key);
      return raw === null ? initial : (JSON.parse(raw) as T);
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (v: T) => {
      setValue(v);
      try {
        localStorage.setItem(key, JSON.stringify(v));
      } catch {
        /* storage full or disabled: keep it in memory */
      }
    },
    [key],
  );
  return [value, set];
}
