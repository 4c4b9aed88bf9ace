import { useEffect, useId, useRef, type ReactNode } from 'react';

const FOCUSABLE = 'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** Keeps Tab / Shift+Tab inside the dialog. */
function trapFocus(e: KeyboardEvent, root: HTMLElement | null) {
  // `*` + matches() keeps document order (a selector list does not in every DOM implementation).
  const items = root ? Array.from(root.querySelectorAll<HTMLElement>('*')).filter((el) => el.matches(FOCUSABLE)) : [];
  if (!items.length) return;
  const first = items[0];
  const last = items[items.length - 1];
  if (e.shiftKey && (document.activeElement === first || !root?.contains(document.activeElement))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

/** Accessible modal: focus moves in, Escape / backdrop closes, focus returns on close. */
export function Modal({
  title,
  onClose,
  children,
  wide = false,
  closeOnBackdrop = true,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  /** false for dialogs whose content must not be lost by a stray click (a secret shown once). */
  closeOnBackdrop?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  // Parents pass inline closures; keep the latest without re-running the mount effect (which
  // would steal focus on every parent re-render, e.g. a WebSocket update while typing).
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button:not(.modal__close)');
    (first ?? ref.current)?.focus();
    const onKey = (e: KeyboardEvent) => {
      const open = document.querySelectorAll('.modal');
      if (open[open.length - 1] !== ref.current) return; // only the topmost dialog reacts
      if (e.key === 'Escape') closeRef.current();
      if (e.key === 'Tab') trapFocus(e, ref.current);
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => closeOnBackdrop && e.target === e.currentTarget && onClose()}>
      <div className={`modal${wide ? ' modal--wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} tabIndex={-1}>
        <header className="modal__head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="modal__close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  danger = false,
  busy = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Modal title={title} onClose={onCancel}>
      <div className="modal__body">{message}</div>
      <footer className="modal__foot">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={`btn ${danger ? 'btn--danger' : 'btn--primary'}`} onClick={onConfirm} disabled={busy} data-testid="confirm">
          {busy ? 'Working…' : confirmLabel}
        </button>
      </footer>
    </Modal>
  );
}

/** The foot of a dialog's form: Cancel and the submit button, which says it is busy while saving. */
export function FormFoot({ onCancel, busy, label, busyLabel = 'Saving…', testId }: {
  onCancel: () => void;
  busy: boolean;
  label: string;
  busyLabel?: string;
  testId?: string;
}) {
  return (
    <footer className="modal__foot">
      <button type="button" className="btn" onClick={onCancel}>Cancel</button>
      <button type="submit" className="btn btn--primary" disabled={busy} data-testid={testId}>{busy ? busyLabel : label}</button>
    </footer>
  );
}
