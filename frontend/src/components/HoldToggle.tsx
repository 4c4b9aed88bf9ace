// Sets or lifts a recording's own legal hold (PUT / DELETE /recordings/{id}/hold). Render it only
// for users with `recording.hold`; a camera's hold is set on the camera, not here.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api';
import { describeError } from '../api/errors';
import { keys } from '../api/keys';
import type { Recording } from '../api/types';

export function HoldToggle({ recording, onError }: { recording: Recording; onError: (message: string | null) => void }) {
  const qc = useQueryClient();
  const held = recording.legal_hold;
  const toggle = useMutation({
    mutationFn: () => (held ? api.recordings.release(recording.id) : api.recordings.hold(recording.id)),
    onMutate: () => onError(null),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.recordings });
      void qc.invalidateQueries({ queryKey: keys.storage }); // held recordings leave the plan
    },
    onError: (e) => onError(describeError(e)),
  });
  return (
    <button type="button" className="btn btn--small" aria-pressed={held} disabled={toggle.isPending} onClick={() => toggle.mutate()}
      data-testid={`recording-hold-${recording.id}`} title={held ? 'Lift the legal hold' : 'Keep it: never moved, expired or deleted'}>
      {held ? 'Release hold' : 'Hold'}
    </button>
  );
}
