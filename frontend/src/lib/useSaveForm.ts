import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useState } from 'react';
import { mapFormError, NO_ERRORS } from './formErrors';

/**
 * A form's save: on success the lists under `invalidate` refetch and `onSaved` gets the answer;
 * on failure the error is mapped onto the form's `fields` (422 details, a 409 on `conflictField`).
 */
export function useSaveForm<B, R>({ save, invalidate, fields, conflictField, onSaved }: {
  save: (body: B) => Promise<R>;
  invalidate: QueryKey;
  fields: readonly string[];
  conflictField?: string;
  onSaved: (r: R) => void;
}) {
  const qc = useQueryClient();
  const [errors, setErrors] = useState(NO_ERRORS);
  const mutation = useMutation({
    mutationFn: save,
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: invalidate });
      onSaved(r);
    },
    onError: (e) => setErrors(mapFormError(e, fields, conflictField)),
  });
  return { mutation, errors, setErrors };
}
