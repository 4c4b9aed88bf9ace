import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { SEARCH_DEBOUNCE_MS, SEARCH_LIMIT, searchQuery } from '../api/cameraSearch';
import type { Camera } from '../api/types';
import { camera, mockFetch, renderAs } from '../test/fixtures';
import { CameraMultiPicker, CameraSelect } from './CameraPicker';

const CAMERAS = [camera('a', { name: 'Front door' }), camera('b', { name: 'Back yard' }), camera('c', { name: 'Frontage road' })];

/** A fake `GET /cameras` that filters by `q` and sorts by name like the server, and records each query. */
function cameraServer(extra: Record<string, unknown> = {}) {
  const lists: URLSearchParams[] = [];
  const fetch = mockFetch({
    'GET /cameras': (url: URL) => {
      lists.push(url.searchParams);
      const q = url.searchParams.get('q')?.toLowerCase() ?? '';
      const items = CAMERAS.filter((c) => c.name.toLowerCase().includes(q)).sort((x, y) => x.name.localeCompare(y.name));
      return { items, total: items.length, page: 1, limit: Number(url.searchParams.get('limit')), total_pages: 1 };
    },
    ...extra,
  });
  return { fetch, lists };
}

function SelectHarness({ initial = '', onChange = () => undefined }: { initial?: string; onChange?: (id: string) => void }) {
  const [value, setValue] = useState(initial);
  return <CameraSelect value={value} onChange={(id) => { setValue(id); onChange(id); }} testId="pick" />;
}

const byIdPath = (fetch: ReturnType<typeof vi.fn>) =>
  fetch.mock.calls.map(([u]) => new URL(String(u), 'http://localhost').pathname).filter((p) => /\/cameras\/[^/]+$/.test(p));

describe('camera search query', () => {
  it('asks for at most SEARCH_LIMIT cameras by name, with the trimmed text as q', () => {
    expect(searchQuery('  front ')).toEqual({ q: 'front', sort: 'name', limit: SEARCH_LIMIT });
    expect(searchQuery('   ')).toEqual({ sort: 'name', limit: SEARCH_LIMIT });
    expect(SEARCH_LIMIT).toBeLessThanOrEqual(20);
  });
});

describe('CameraSelect', () => {
  it('searches on the server once typing pauses, not per keystroke', async () => {
    const { lists } = cameraServer();
    renderAs('viewer', <SelectHarness />);
    const input = screen.getByTestId('pick');
    fireEvent.focus(input);
    await screen.findByRole('option', { name: 'Back yard' });
    expect(lists.map((p) => p.get('q'))).toEqual([null]);
    expect(lists[0].get('limit')).toBe(String(SEARCH_LIMIT));

    for (const text of ['f', 'fr', 'fro', 'front']) fireEvent.change(input, { target: { value: text } });
    await waitFor(() => expect(screen.queryByRole('option', { name: 'Back yard' })).toBeNull(), { timeout: SEARCH_DEBOUNCE_MS * 8 });
    expect(lists.map((p) => p.get('q'))).toEqual([null, 'front']);
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['Front door', 'Frontage road']);
  });

  it('picks a match with the mouse or the keyboard and shows its name', async () => {
    cameraServer();
    const changes: string[] = [];
    renderAs('viewer', <SelectHarness onChange={(id) => changes.push(id)} />);
    const input = screen.getByTestId('pick') as HTMLInputElement;
    fireEvent.focus(input);
    fireEvent.click(await screen.findByRole('option', { name: 'Back yard' }));
    expect(changes).toEqual(['b']);
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(input.value).toBe('Back yard');

    fireEvent.focus(input);
    await screen.findByRole('option', { name: 'Front door' });
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowUp']) fireEvent.keyDown(input, { key });
    expect(screen.getByRole('option', { name: 'Frontage road' }).className).toBe('is-active');
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(changes).toEqual(['b', 'c']);
    expect(input.value).toBe('Frontage road');

    fireEvent.click(screen.getByTestId('pick-clear'));
    expect(changes).toEqual(['b', 'c', '']);
    expect(input.value).toBe('');
    expect(input.placeholder).toBe('All cameras');
  });

  it('names a selected camera that is not among the matches by asking for it by id', async () => {
    const far = camera('zz', { name: 'Loading dock 17' });
    const { fetch, lists } = cameraServer({ 'GET /cameras/zz': far });
    renderAs('viewer', <SelectHarness initial="zz" />);
    const input = screen.getByTestId('pick') as HTMLInputElement;
    await waitFor(() => expect(input.value).toBe('Loading dock 17'));
    expect(byIdPath(fetch)).toEqual(['/api/v1/cameras/zz']);
    // Closed, it searches nothing.
    expect(lists).toHaveLength(0);
  });
});

describe('CameraMultiPicker', () => {
  function MultiHarness({ initial = [] as string[], seen }: { initial?: string[]; seen: string[][] }) {
    const [value, setValue] = useState<string[]>(initial);
    return <CameraMultiPicker value={value} onChange={(ids) => { setValue(ids); seen.push(ids); }} extra={(c: Camera) => <em>{c.stream_status}</em>} testId="multi" />;
  }

  it('keeps the picked order, names each chip and removes a chip', async () => {
    const seen: string[][] = [];
    const { fetch } = cameraServer({ 'GET /cameras/zz': camera('zz', { name: 'Loading dock 17' }) });
    renderAs('admin', <MultiHarness initial={['zz']} seen={seen} />);
    const chips = () => within(screen.getByRole('list', { name: 'Selected cameras' })).getAllByRole('listitem').map((li) => li.firstChild?.textContent);
    await waitFor(() => expect(chips()).toEqual(['Loading dock 17']));

    fireEvent.click(await screen.findByRole('checkbox', { name: /Front door/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /Back yard/ }));
    expect(seen.at(-1)).toEqual(['zz', 'a', 'b']);
    // Picked from the matches: named without another request.
    expect(chips()).toEqual(['Loading dock 17', 'Front door', 'Back yard']);
    expect(byIdPath(fetch)).toEqual(['/api/v1/cameras/zz']);

    fireEvent.click(screen.getByRole('button', { name: 'Remove Front door' }));
    expect(seen.at(-1)).toEqual(['zz', 'b']);
    fireEvent.click(screen.getByRole('checkbox', { name: /Back yard/ }));
    expect(seen.at(-1)).toEqual(['zz']);
  });

  it('filters the matches through the server', async () => {
    const { lists } = cameraServer();
    renderAs('admin', <MultiHarness seen={[]} />);
    await screen.findByRole('checkbox', { name: /Back yard/ });
    await act(async () => {
      fireEvent.change(screen.getByTestId('multi-search'), { target: { value: 'yard' } });
    });
    await waitFor(() => expect(screen.queryByRole('checkbox', { name: /Front door/ })).toBeNull());
    expect(lists.map((p) => p.get('q'))).toEqual([null, 'yard']);
    expect(screen.getAllByRole('checkbox')).toHaveLength(1);
  });
});
