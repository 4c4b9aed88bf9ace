// Storage: what each tier holds and has left, the forecast, per-camera usage, the dry-run plan
// of the next lifecycle run and the storage job's history. Sections show by permission.
import { Can } from '../../auth/AuthProvider';
import { STORAGE_READ } from '../../auth/permissions';
import { PageHeader } from '../../components/Layout';
import { JobSection } from './JobSection';
import { PlanSection } from './PlanSection';
import { UsageSection } from './UsageSection';

export default function StoragePage() {
  return (
    <>
      <PageHeader title="Storage" />
      <Can needs={STORAGE_READ}>
        <UsageSection />
        <PlanSection />
      </Can>
      <Can needs="job.read"><JobSection /></Can>
    </>
  );
}
