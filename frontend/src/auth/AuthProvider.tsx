import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { api, client, sessionStore, setSessionEndedReason } from '../api';
import { sessionFromPair } from '../api/client';
import { keys } from '../api/keys';
import type { Me, Permission } from '../api/types';
import { can } from './permissions';
import { useIdleLogout } from './useIdleLogout';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;

interface AuthValue {
  signedIn: boolean;
  me: Me | undefined;
  meLoading: boolean;
  meError: unknown;
  login: (username: string, password: string) => Promise<void>;
  logout: (reason?: string) => Promise<void>;
  can: (p: Permission) => boolean;
}

const Ctx = createContext<AuthValue | null>(null);

export function AuthProvider({ children, idleTimeoutMs = IDLE_TIMEOUT_MS }: { children: ReactNode; idleTimeoutMs?: number }) {
  const qc = useQueryClient();
  const session = useSyncExternalStore(sessionStore.subscribe, sessionStore.get);
  const signedIn = !!session;

  const meQuery = useQuery({ queryKey: keys.me, queryFn: api.auth.me, enabled: signedIn, staleTime: 60_000 });

  // Signed out (here, by the client after a failed refresh, or in another tab): drop all data.
  useEffect(() => {
    if (!signedIn) qc.clear();
  }, [signedIn, qc]);

  const login = useCallback(
    async (username: string, password: string) => {
      const pair = await api.auth.login(username, password);
      qc.clear();
      setSessionEndedReason(null);
      sessionStore.set(sessionFromPair(pair, Date.now()));
      await qc.prefetchQuery({ queryKey: keys.me, queryFn: api.auth.me });
    },
    [qc],
  );

  const logout = useCallback(async (reason?: string) => {
    const s = sessionStore.get();
    if (s) await api.auth.logout(s.refreshToken).catch(() => undefined);
    setSessionEndedReason(reason ?? null);
    client.endSession(reason ?? '');
  }, []);

  useIdleLogout(idleTimeoutMs, () => void logout('You were signed out after 30 minutes without activity.'), signedIn);

  const value = useMemo<AuthValue>(
    () => ({
      signedIn,
      me: meQuery.data,
      meLoading: meQuery.isLoading,
      meError: meQuery.error,
      login,
      logout,
      can: (p) => can(meQuery.data, p),
    }),
    [signedIn, meQuery.data, meQuery.isLoading, meQuery.error, login, logout],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** Renders children only with permission `needs` (role-aware UI). */
export function Can({ needs, children, fallback = null }: { needs: Permission; children: ReactNode; fallback?: ReactNode }) {
  return <>{useAuth().can(needs) ? children : fallback}</>;
}
