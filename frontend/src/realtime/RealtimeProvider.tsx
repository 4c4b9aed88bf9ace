import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { client } from '../api';
import { EventBatcher } from './eventBatcher';
import { RealtimeClient, type ConnectionState } from './socket';
import { CameraSubscriptions } from './subscriptions';

const Ctx = createContext<ConnectionState>('stopped');
/** The registry useCameraSubscription adds to (exported for tests, which provide their own). */
export const CameraSubscriptionsContext = createContext<CameraSubscriptions | null>(null);
const SubsCtx = CameraSubscriptionsContext;

/** Keeps one WebSocket open while signed in and feeds its events, batched per frame, into the query cache. */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [state, setState] = useState<ConnectionState>('connecting');
  const rtRef = useRef<RealtimeClient | null>(null);
  const [subs] = useState(
    () =>
      new CameraSubscriptions((ids) => rtRef.current?.subscribe(ids)),
  );

  useEffect(() => {
    const batcher = new EventBatcher(qc);
    const rt = new RealtimeClient({
      getToken: () => client.accessToken(),
      onEvent: (e) => batcher.push(e),
      onResync: () => {
        batcher.flush();
        void qc.invalidateQueries();
      },
      onState: setState,
    });
    rtRef.current = rt;
    rt.subscribe(subs.current());
    rt.start();
    const online = () => rt.reconnectNow();
    const visible = () => document.visibilityState === 'visible' && rt.reconnectNow();
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visible);
    return () => {
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visible);
      rt.stop();
      rtRef.current = null;
      batcher.dispose();
    };
  }, [qc, subs]);

  return (
    <Ctx.Provider value={state}>
      <SubsCtx.Provider value={subs}>
        {children}
      </SubsCtx.Provider>
    </Ctx.Provider>
  );
}

export const useConnectionState = () => useContext(Ctx);

/**
 * While mounted, asks the server for events about these cameras only (the ones on screen); the
 * socket subscribes to the union of every mounted caller's ids. `undefined` (still loading)
 * keeps the previous ids. Outside a RealtimeProvider it does nothing.
 */
export function useCameraSubscription(ids: readonly string[] | undefined): void {
  const subs = useContext(SubsCtx);
  const key = ids?.join(',');
  const handle = useRef<ReturnType<CameraSubscriptions['add']> | null>(null);
  // Replace the registered ids in place when they change (a page turn), so the socket never
  // hears "every camera" in between; the registration goes when the caller unmounts.
  useEffect(() => {
    if (!subs || key === undefined) return;
    const next = key ? key.split(',') : [];
    if (handle.current) handle.current.set(next);
    else handle.current = subs.add(next);
  }, [subs, key]);
  useEffect(
    () => () => {
      handle.current?.remove();
      handle.current = null;
    },
    [subs],
  );
}
