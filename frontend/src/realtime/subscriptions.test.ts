import { describe, expect, it, vi } from 'vitest';
import { CameraSubscriptions } from './subscriptions';

describe('CameraSubscriptions', () => {
  it('subscribes to the union of what is registered, and to everything once nothing is', () => {
    const send = vi.fn();
    const subs = new CameraSubscriptions(send);
    expect(subs.current()).toBeNull();
    const wall = subs.add(['c', 'a']);
    const list = subs.add(['b', 'a']);
    expect(send.mock.calls).toEqual([[['a', 'c']], [['a', 'b', 'c']]]);
    wall.remove();
    list.remove();
    expect(send.mock.calls.at(-1)).toEqual([null]);
  });

  it('a page turn replaces the ids in one message; the same ids again send nothing', () => {
    const send = vi.fn();
    const subs = new CameraSubscriptions(send);
    const page = subs.add(['a', 'b']);
    page.set(['c', 'd']);
    page.set(['d', 'c']);
    expect(send.mock.calls).toEqual([[['a', 'b']], [['c', 'd']]]);
    page.remove();
    page.set(['x']); // removed: ignored
    expect(send.mock.calls.at(-1)).toEqual([null]);
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('an empty page subscribes to no camera (not to all)', () => {
    const send = vi.fn();
    new CameraSubscriptions(send).add([]);
    expect(send).toHaveBeenCalledWith([]);
  });
});
