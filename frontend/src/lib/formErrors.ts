import { ApiError } from '../api/errors';

export interface FormErrorState {
  /** Messages per form field, from a 422's details (or a 409 mapped to a field). */
  fields: Record<string, string>;
  /** A message for the whole form (non-field errors, or field errors without an input). */
  form: string | null;
}

export const NO_ERRORS: FormErrorState = { fields: {}, form: null };

/**
 * Map a failed save onto a form: 422 details go to their inputs; details for fields the form
 * does not show, conflicts and anything else go to the form-level message.
 */
export function mapFormError(e: unknown, knownFields: readonly string[], conflictField?: string): FormErrorState {
  if (!(e instanceof ApiError)) return { fields: {}, form: e instanceof Error ? e.message : 'Something went wrong' };
  if (e.status === 409 && conflictField) return { fields: { [conflictField]: e.message }, form: null };
  const fe = e.fieldErrors;
  const fields: Record<string, string> = {};
  const orphans: string[] = [];
  for (const [field, errs] of Object.entries(fe)) {
    const msg = errs.map((x) => x.message).join('; ');
    if (knownFields.includes(field)) fields[field] = msg;
    else orphans.push(`${field}: ${msg}`);
  }
  if (Object.keys(fe).length === 0) return { fields, form: e.message };
  return { fields, form: orphans.length ? orphans.join('. ') : null };
}
