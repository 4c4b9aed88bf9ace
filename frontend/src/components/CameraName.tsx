import { useCameraName } from '../api/cameraSearch';

/** A camera named by id (each camera is asked for once and cached). */
export function CameraName({ id }: { id: string }) {
  return <>{useCameraName(id)}</>;
}
