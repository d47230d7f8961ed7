import { setFlagsFromString } from 'node:v8';

/**
 * Sets V8's allocation-site pretenuring (V8_PRETENURING; off by default).
 *
 * Once most objects of an allocation site outlive a young-generation GC, V8 allocates that
 * site's objects straight in the old generation, and keeps doing so. A storm of slow misses
 * (hundreds of requests parked on one computation) makes that true of the HTTP request path's
 * sites. Afterwards every hit's short-lived objects are born old and die in full GCs, for the
 * life of the process. A gateway's request objects die young, so it loses nothing by never
 * pretenuring; `npm run bench:storm-aftermath` measures both settings.
 */
export function setPretenuring(enabled: boolean): void {
  setFlagsFromString(enabled ? '--allocation-site-pretenuring' : '--no-allocation-site-pretenuring');
}
