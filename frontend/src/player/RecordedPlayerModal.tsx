// A camera's recorded footage in a dialog, from a picked instant (Timeline page, "go back" from live).

import { useCameraName } from '../api/cameraSearch';
import { Modal } from '../components/Modal';
import { RecordedPlayer } from './RecordedPlayer';

export function RecordedPlayerModal({ cameraId, at, onClose }: { cameraId: string; at: Date; onClose: () => void }) {
  const name = useCameraName(cameraId);
  return (
    <Modal title={`${name} — ${at.toLocaleString()}`} onClose={onClose} wide>
      <div className="modal__body">
        <RecordedPlayer cameraId={cameraId} at={at} />
      </div>
    </Modal>
  );
}
