import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';

interface Common {
  label: string;
  error?: string;
  hint?: ReactNode;
}

/** Labelled input with its API error announced and linked via aria-describedby. */
export function TextField({ label, error, hint, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const errId = `${id}-err`;
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={!!error} aria-describedby={error ? errId : undefined} {...input} />
      {hint && !error && <small className="muted">{hint}</small>}
      {error && (
        <small id={errId} className="field__error" role="alert" data-testid={`error-${input.name ?? ''}`}>
          {error}
        </small>
      )}
    </div>
  );
}

export function SelectField({ label, error, hint, children, ...select }: Common & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  const errId = `${id}-err`;
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={!!error} aria-describedby={error ? errId : undefined} {...select}>
        {children}
      </select>
      {hint && !error && <small className="muted">{hint}</small>}
      {error && (
        <small id={errId} className="field__error" role="alert" data-testid={`error-${select.name ?? ''}`}>
          {error}
        </small>
      )}
    </div>
  );
}

export function CheckField({ label, ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="check">
      <input type="checkbox" {...input} />
      <span>{label}</span>
    </label>
  );
}

export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="alert alert--error" role="alert" data-testid="form-error">
      {message}
    </div>
  );
}
