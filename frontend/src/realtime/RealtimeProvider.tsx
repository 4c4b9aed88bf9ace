import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { client } from '../api';
import { applyEvent } from './applyEvent';
import { RealtimeClient, type ConnectionState } from './socket';

const Ctx = createContext<ConnectionState>('stopped');

/** Keeps one WebSocket open while signed in and feeds its events into the query cache. */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [state, setState] = useState<ConnectionState>('connecting');

  useEffect(() => {
    const rt = new RealtimeClient({
      getToken: () => client.accessToken(),
      onEvent: (e) => applyEvent(qc, e),
      onResync: () => void qc.invalidateQueries(),
      onState: setState,
    });
    rt.start();
    const online = () => rt.reconnectNow();
    const visible = () => document.visibilityState === 'visible' && rt.reconnectNow();
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visible);
    return () => {
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visible);
      rt.stop();
    };
  }, [qc]);

  return <Ctx.Provider value={state}>{children}</Ctx.Provider>;
}

export const useConnectionState = () => useContext(Ctx);
