// The app-wide API singletons. Tests build their own ApiClient with a memory store.

import { ApiClient } from './client';
import { endpoints } from './endpoints';
import { createSessionStore } from './session';

export const sessionStore = createSessionStore();

/** Why the last session ended (shown on the login page), consumed once. */
let endedReason: string | null = null;
export function takeSessionEndedReason(): string | null {
  const r = endedReason;
  endedReason = null;
  return r;
}
export function setSessionEndedReason(reason: string | null): void {
  endedReason = reason;
}

export const client = new ApiClient({
  store: sessionStore,
  onSessionEnded: (reason) => setSessionEndedReason(reason),
});

export const api = endpoints(client);

export { ApiError, describeError } from './errors';
export type * from './types';
