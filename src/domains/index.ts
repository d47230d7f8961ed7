import type { Seed } from '../db/seed';
import { datasets } from './datasets/dataset.domain';
import type { Domain, LoadersOf, ServiceOf } from './domain';
import { emg } from './emg/emg.domain';
import { models } from './models/model.domain';
import { progress } from './progress/progress.domain';

/**
 * Every domain of the gateway, in dependency order: a domain may use the services of those
 * before it, seeds run in this order, and domains stop in the reverse one.
 */
export const domains = [progress, datasets, models, emg] as const;

type AnyDomain = (typeof domains)[number];
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Process-wide domain services, by domain name. */
export type Services = { [D in AnyDomain as D['name']]: ServiceOf<D> };

/** Per-request batch loaders of entities, from every domain. */
export type Loaders = UnionToIntersection<LoadersOf<AnyDomain>>;

/** First-start data of every domain, in list order. */
export function seedsOf(services: Services): Seed[] {
  return (domains as readonly Domain[]).flatMap((d) => d.seeds?.((services as Record<string, unknown>)[d.name]) ?? []);
}

export type { Domain };
