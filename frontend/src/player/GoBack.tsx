// "Go back" from live: opens the Timeline on the camera's recorded footage a little before now
// (the player there can then go to any time).

import { useNavigate } from 'react-router-dom';
import { timelineHref } from '../components/RecentFootage';

export const GO_BACK_SECS = 30;

export function GoBack({ cameraId, name, className = 'btn btn--small' }: { cameraId: string; name: string; className?: string }) {
  const navigate = useNavigate();
  return (
    <button
      type="button"
      className={className}
      onClick={() => void navigate(timelineHref(cameraId, new Date(Date.now() - GO_BACK_SECS * 1000), true))}
      title={`Play the recorded footage of ${name} from ${GO_BACK_SECS} s ago`}
      aria-label={`Go back ${GO_BACK_SECS} seconds on ${name}`}
      data-testid={`go-back-${cameraId}`}
    >
      ⟲ {GO_BACK_SECS} s
    </button>
  );
}
