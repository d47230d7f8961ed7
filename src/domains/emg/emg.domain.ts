import { defineDomain } from '../domain';
import { EmgResolver } from './emg.resolver';
import { seedEmgRecordings } from './emg.seed';
import { EmgService } from './emg.service';

/** Surface EMG recordings (C3D or CSV): metadata and per-channel analysis computed in a worker. */
export const emg = defineDomain({
  name: 'emg',
  resolvers: [EmgResolver],
  createService: ({ db }) => new EmgService(db),
  createLoaders: (service: EmgService) => ({ emgRecording: service.createLoader() }),
  seeds: (service) => [{ name: 'emg-recordings', run: (ctx) => seedEmgRecordings(service, ctx) }],
  close: (service) => service.close(),
  tracks: [{ table: 'emg_recording', type: 'EmgRecording', idColumn: 'id' }],
});
