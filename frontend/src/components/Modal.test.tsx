import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { Modal } from './Modal';

function Form({ tick, onClose }: { tick: number; onClose: () => void }) {
  return (
    <Modal title={`Edit ${tick}`} onClose={() => onClose()}>
      <input aria-label="first" />
      <input aria-label="second" />
    </Modal>
  );
}

describe('Modal', () => {
  it('focuses the first field once and keeps focus across parent re-renders', () => {
    const onClose = vi.fn();
    const { rerender } = render(<Form tick={1} onClose={onClose} />);
    expect(document.activeElement).toBe(screen.getByLabelText('first'));
    screen.getByLabelText('second').focus();
    rerender(<Form tick={2} onClose={onClose} />); // e.g. a WebSocket update re-renders the page
    expect(document.activeElement).toBe(screen.getByLabelText('second'));
  });

  it('Escape closes only the topmost dialog', () => {
    const outer = vi.fn();
    const inner = vi.fn();
    render(
      <Modal title="Outer" onClose={outer}>
        <Modal title="Inner" onClose={inner}>
          <button type="button">ok</button>
        </Modal>
      </Modal>,
    );
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(inner).toHaveBeenCalledTimes(1);
    expect(outer).not.toHaveBeenCalled();
  });

  it('keeps Tab inside the dialog', () => {
    render(
      <Modal title="Trap" onClose={() => undefined}>
        <input aria-label="a" />
        <button type="button">last</button>
      </Modal>,
    );
    screen.getByText('last').focus();
    fireEvent.keyDown(document, { key: 'Tab' });
    // wraps to the first focusable element (the close button in the header)
    expect(document.activeElement).toBe(screen.getByLabelText('Close'));
  });
});
