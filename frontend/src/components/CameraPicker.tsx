// Camera pickers that search on the server as you type (at most SEARCH_LIMIT matches), so they
// work the same with ten cameras or ten thousand.

import { useId, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useCameraName, useCameraSearch, useRememberCamera } from '../api/cameraSearch';
import type { Camera } from '../api/types';

function MatchesNote({ total, shown }: { total: number; shown: number }) {
  if (total <= shown) return null;
  return <li className="camera-picker__note muted small" role="presentation">{shown} of {total} matches; type to narrow down.</li>;
}

/**
 * One camera or none ("All cameras"): a combobox whose list comes from `GET /cameras?q=`. The
 * chosen camera's name shows even when it is not among the current matches.
 */
export function CameraSelect({ value, onChange, label = 'Camera', noneLabel = 'All cameras', testId }: {
  value: string;
  onChange: (id: string) => void;
  label?: string;
  noneLabel?: string;
  testId?: string;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [active, setActive] = useState(-1);
  const selectedName = useCameraName(value);
  const remember = useRememberCamera();
  const search = useCameraSearch(text, open);
  const matches = search.data?.items ?? [];
  const pick = (c: Camera) => {
    remember(c);
    onChange(c.id);
    setOpen(false);
    setText('');
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      const n = matches.length;
      setActive((i) => (n === 0 ? -1 : i < 0 ? (step > 0 ? 0 : n - 1) : (i + step + n) % n));
    } else if (e.key === 'Enter' && open && matches[active]) {
      e.preventDefault();
      pick(matches[active]);
    } else if (e.key === 'Escape' && open) {
      e.stopPropagation();
      setOpen(false);
    }
  };
  return (
    <div className="camera-picker camera-picker--single">
      <label htmlFor={id} className="sr-only">{label}</label>
      <input
        id={id}
        role="combobox"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={open && matches[active] ? `${id}-${matches[active].id}` : undefined}
        autoComplete="off"
        placeholder={value ? selectedName : noneLabel}
        value={open ? text : selectedName}
        onFocus={() => { setOpen(true); setText(''); setActive(-1); }}
        onBlur={() => setOpen(false)}
        onChange={(e) => { setText(e.target.value); setOpen(true); setActive(-1); }}
        onKeyDown={onKey}
        data-testid={testId}
      />
      {value && (
        <button type="button" className="camera-picker__clear" aria-label={`Clear ${label.toLowerCase()}`} onClick={() => onChange('')} data-testid={testId && `${testId}-clear`}>
          ×
        </button>
      )}
      {open && (
        <ul id={`${id}-list`} role="listbox" className="camera-picker__list" aria-label={`${label} matches`} aria-busy={search.isFetching}>
          {matches.map((c, i) => (
            <li
              key={c.id}
              id={`${id}-${c.id}`}
              role="option"
              aria-selected={c.id === value}
              className={i === active ? 'is-active' : undefined}
              // Keep the focus in the input, so its blur does not close the list before the click.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(c)}
            >
              {c.name}
            </li>
          ))}
          {search.data && matches.length === 0 && <li className="camera-picker__note muted small" role="presentation">No camera matches.</li>}
          {search.data && <MatchesNote total={search.data.total} shown={matches.length} />}
        </ul>
      )}
    </div>
  );
}

function SelectedChip({ id, onRemove }: { id: string; onRemove: () => void }) {
  const name = useCameraName(id);
  return (
    <li className="chip" data-camera={id}>
      <span>{name}</span>
      <button type="button" aria-label={`Remove ${name}`} onClick={onRemove}>×</button>
    </li>
  );
}

/**
 * Several cameras, in the order picked: a search box, its matches as checkboxes, and the
 * selection as removable chips (named by id, so a selection outside the matches keeps its name).
 */
export function CameraMultiPicker({ value, onChange, label = 'Search cameras', extra, testId }: {
  value: string[];
  onChange: (ids: string[]) => void;
  label?: string;
  /** Shown after each match's name (e.g. its status). */
  extra?: (c: Camera) => ReactNode;
  testId?: string;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const search = useCameraSearch(text);
  const remember = useRememberCamera();
  const matches = search.data?.items ?? [];
  const toggle = (c: Camera) => {
    remember(c);
    onChange(value.includes(c.id) ? value.filter((x) => x !== c.id) : [...value, c.id]);
  };
  return (
    <div className="camera-picker camera-picker--multi" data-testid={testId}>
      {value.length > 0 && (
        <ul className="chips" aria-label="Selected cameras">
          {value.map((v) => <SelectedChip key={v} id={v} onRemove={() => onChange(value.filter((x) => x !== v))} />)}
        </ul>
      )}
      <label htmlFor={id} className="sr-only">{label}</label>
      <input id={id} type="search" placeholder={`${label}…`} autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} data-testid={testId && `${testId}-search`} />
      <ul className="camera-picker__matches" aria-label="Matching cameras" aria-busy={search.isFetching}>
        {matches.map((c) => (
          <li key={c.id}>
            <label className="check">
              <input type="checkbox" checked={value.includes(c.id)} onChange={() => toggle(c)} />
              <span>{c.name}</span>
              {extra?.(c)}
            </label>
          </li>
        ))}
        {search.data && matches.length === 0 && <li className="muted small">No camera matches.</li>}
        {search.data && <MatchesNote total={search.data.total} shown={matches.length} />}
      </ul>
    </div>
  );
}
