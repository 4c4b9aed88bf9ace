import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton';
import { Modal } from './Modal';

/** A secret the server returns once (an API token, a webhook signing key): copy it now or never. */
export function SecretShown({ title, secret, testId, onClose, children }: {
  title: string;
  secret: string;
  /** `${testId}` on the secret, `copy-${testId}` on its copy button. */
  testId: string;
  onClose: () => void;
  /** How to use it. */
  children?: ReactNode;
}) {
  return (
    <Modal title={title} onClose={onClose} closeOnBackdrop={false}>
      <div className="modal__body">
        <div className="alert alert--warn" role="status">Copy this secret now. It is shown only once and cannot be recovered.</div>
        <div className="publish__url">
          <code data-testid={testId}>{secret}</code>
          <CopyButton text={secret} testId={`copy-${testId}`} />
        </div>
        {children && <p className="muted small">{children}</p>}
      </div>
      <footer className="modal__foot"><button type="button" className="btn btn--primary" onClick={onClose}>Done</button></footer>
    </Modal>
  );
}
