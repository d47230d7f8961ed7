// Worker thread entry: runs the datasets domain's CPU-heavy jobs off the event loop (see compute/jobs.ts).
import { serveJobs } from '../../lib/worker-host';
import { datasetJobs } from './compute/jobs';

serveJobs(datasetJobs);
