// Where the dashboard keeps its tokens. localStorage so a reload keeps the session; other tabs
// see rotations through the `storage` event, so they never replay a rotated refresh token.

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms at which the access token expires. */
  expiresAt: number;
}

export type SessionListener = (s: Session | null) => void;

export interface SessionStore {
  get(): Session | null;
  set(s: Session | null): void;
  subscribe(fn: SessionListener): () => void;
}

const KEY = 'argus.session';

function parse(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.accessToken === 'string' && typeof s.refreshToken === 'string' && typeof s.expiresAt === 'number') {
      return { accessToken: s.accessToken, refreshToken: s.refreshToken, expiresAt: s.expiresAt };
    }
  } catch {
    /* corrupt entry: treat as signed out */
  }
  return null;
}

export function createSessionStore(storage: Storage | null = safeLocalStorage()): SessionStore {
  let current = parse(storage?.getItem(KEY) ?? null);
  const listeners = new Set<SessionListener>();
  const emit = () => listeners.forEach((fn) => fn(current));

  if (typeof window !== 'undefined' && storage) {
    window.addEventListener('storage', (e) => {
      if (e.key !== KEY) return;
      current = parse(e.newValue);
      emit();
    });
  }

  return {
    get: () => current,
    set(s) {
      current = s;
      if (s) storage?.setItem(KEY, JSON.stringify(s));
      else storage?.removeItem(KEY);
      emit();
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

export function memorySessionStore(initial: Session | null = null): SessionStore {
  let current = initial;
  const listeners = new Set<SessionListener>();
  return {
    get: () => current,
    set(s) {
      current = s;
      listeners.forEach((fn) => fn(s));
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}
