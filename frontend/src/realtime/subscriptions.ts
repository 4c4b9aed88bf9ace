// Which cameras this client asks the server for events about. A page that shows a few cameras of
// thousands (the live wall, a page of the camera list) registers the ids on screen; the socket
// subscribes to the union of what is registered, or to every camera when nothing is.

export type Subscribe = (cameraIds: string[] | null) => void;

export class CameraSubscriptions {
  private readonly sets = new Map<number, readonly string[]>();
  private nextId = 1;
  private sent: string | undefined;

  constructor(private readonly send: Subscribe) {}

  /** Registers `ids` (replaceable, removable); the subscription follows at once. */
  add(ids: readonly string[]): { set: (ids: readonly string[]) => void; remove: () => void } {
    const id = this.nextId++;
    this.sets.set(id, ids);
    this.sync();
    return {
      set: (next) => {
        if (!this.sets.has(id)) return;
        this.sets.set(id, next);
        this.sync();
      },
      remove: () => {
        if (this.sets.delete(id)) this.sync();
      },
    };
  }

  /** The camera ids subscribed to, sorted; null = all (nothing registered). */
  current(): string[] | null {
    if (this.sets.size === 0) return null;
    return [...new Set([...this.sets.values()].flat())].sort();
  }

  /** Sends only when the union changed, so re-renders with the same ids cost nothing. */
  private sync(): void {
    const ids = this.current();
    const key = ids === null ? 'all' : ids.join(',');
    if (key === this.sent) return;
    this.sent = key;
    this.send(ids);
  }
}
