import { readFileSync } from 'node:fs';
import { tableFromRecords } from '../../src/domains/datasets/compute';
import { vegaDataPath } from '../../src/domains/datasets/dataset.seed';
import type { Dataset } from '../../src/domains/datasets/dataset.type';
import type { TestGateway } from '../helpers/gateway';

export type CarRecord = Record<string, string | number | null>;

/** The raw records of vega-datasets cars.json, exactly as shipped. */
export function rawCars(): CarRecord[] {
  return JSON.parse(readFileSync(vegaDataPath('cars.json'), 'utf8')) as CarRecord[];
}

/** Loads cars.json into the gateway's database the way the first-start seed does. */
export function loadCars(gw: TestGateway): Promise<Dataset> {
  return gw.gateway.services.datasets.insert('cars', 'vega-datasets/cars.json', tableFromRecords(rawCars()));
}

/** A POST to /graphql with a raw body, for requests the typed helper cannot express. */
export async function postGraphQL(
  gw: TestGateway,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}
