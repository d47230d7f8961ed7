import { InputError } from '../../../lib/errors';
import type { ByteReader } from './byte-reader';
import { processorTypeFromByte, type ProcessorType } from './processor';

export type ParameterType = 'char' | 'byte' | 'int16' | 'float';

/** The type byte of a parameter record; its absolute value is the size of one element. */
export const PARAMETER_TYPE_CODE: Readonly<Record<ParameterType, number>> = { char: -1, byte: 1, int16: 2, float: 4 };

interface ParameterCommon {
  group: string;
  name: string;
  /** As stored: for char parameters the first dimension is the length of each string. */
  dimensions: number[];
  /** Stored with a negative name length: software is asked not to edit it. */
  locked: boolean;
  description: string;
}

/**
 * A parameter with its values flattened in C3D order (first dimension fastest). Text is
 * split into strings of `dimensions[0]` characters with trailing blanks removed; a char
 * parameter without dimensions is a single character.
 */
export type C3dParameter = ParameterCommon & ({ type: 'char'; values: string[] } | { type: 'byte' | 'int16' | 'float'; values: number[] });

export interface C3dGroup {
  id: number;
  name: string;
  description: string;
  locked: boolean;
  /** Keyed by upper-case name. */
  parameters: Map<string, C3dParameter>;
}

const SECTION_PREAMBLE_BYTES = 4;

/** The parameter section's first four bytes: block count at byte 3, processor type at byte 4. */
export function readSectionPreamble(bytes: Uint8Array, sectionStart: number): { blockCount: number; processor: ProcessorType } {
  if (sectionStart + SECTION_PREAMBLE_BYTES > bytes.byteLength) {
    throw new InputError(
      `C3D file is truncated: the parameter section should start at byte offset ${sectionStart}, but the file has ${bytes.byteLength} bytes`,
      {
        sectionStart,
        fileBytes: bytes.byteLength,
      },
    );
  }
  const blockCount = bytes[sectionStart + 2];
  const typeByte = bytes[sectionStart + 3];
  const processor = processorTypeFromByte(typeByte);
  if (!processor) {
    throw new InputError(`C3D parameter section declares processor type ${typeByte}; expected 84 (Intel), 85 (DEC) or 86 (MIPS)`, {
      processorTypeByte: typeByte,
    });
  }
  if (blockCount === 0) throw new InputError('C3D parameter section declares 0 blocks', { sectionStart });
  return { blockCount, processor };
}

/**
 * Walks the chain of group and parameter records from the section start until a record
 * with name length 0, a next-record pointer of 0, or `sectionEnd`. Pointers must move
 * forward and stay inside the file, which bounds the walk and rules out loops.
 */
export function readParameterSection(reader: ByteReader, sectionStart: number, sectionEnd: number): ParameterSet {
  const groupsById = new Map<number, C3dGroup>();
  const parametersByGroupId: Array<[number, C3dParameter]> = [];
  let pos = sectionStart + SECTION_PREAMBLE_BYTES;
  while (pos < sectionEnd) {
    const nameLength = reader.int8(pos, 'parameter record name length');
    if (nameLength === 0) break;
    const id = reader.int8(pos + 1, 'parameter record group id');
    if (id === 0) throw new InputError(`C3D parameter record at byte offset ${pos} has group id 0`, { offset: pos });
    const name = reader.text(pos + 2, Math.abs(nameLength), 'parameter record name').trim();
    const pointerAt = pos + 2 + Math.abs(nameLength);
    const offsetToNext = reader.int16(pointerAt, `pointer after parameter record ${name}`);
    const body = pointerAt + 2;
    if (id < 0) {
      const description = readDescription(reader, body, name);
      groupsById.set(-id, { id: -id, name, description, locked: nameLength < 0, parameters: new Map() });
    } else {
      parametersByGroupId.push([id, readParameterBody(reader, body, name, nameLength < 0)]);
    }
    if (offsetToNext === 0) break;
    const next = pointerAt + offsetToNext;
    if (offsetToNext < 0) {
      throw new InputError(`C3D parameter record ${name} at byte offset ${pos} points backwards to byte offset ${next}, which would loop`, {
        offset: pos,
        next,
      });
    }
    if (next >= reader.length) {
      throw new InputError(
        `C3D parameter record ${name} at byte offset ${pos} points to byte offset ${next}, outside the ${reader.length}-byte file`,
        {
          offset: pos,
          next,
          fileBytes: reader.length,
        },
      );
    }
    pos = next;
  }
  for (const [groupId, parameter] of parametersByGroupId) {
    let group = groupsById.get(groupId);
    // A parameter whose group record is missing is kept under a placeholder name rather than lost.
    if (!group) {
      group = { id: groupId, name: `#${groupId}`, description: '', locked: false, parameters: new Map() };
      groupsById.set(groupId, group);
    }
    parameter.group = group.name;
    const key = parameter.name.toUpperCase();
    if (!group.parameters.has(key)) group.parameters.set(key, parameter);
  }
  return new ParameterSet(new Map([...groupsById.values()].map((g) => [g.name.toUpperCase(), g])));
}

function readDescription(reader: ByteReader, at: number, recordName: string): string {
  const length = reader.uint8(at, `description length of ${recordName}`);
  return reader.text(at + 1, length, `description of ${recordName}`).trim();
}

function readParameterBody(reader: ByteReader, body: number, name: string, locked: boolean): C3dParameter {
  const typeCode = reader.int8(body, `type of parameter ${name}`);
  const type = (Object.keys(PARAMETER_TYPE_CODE) as ParameterType[]).find((t) => PARAMETER_TYPE_CODE[t] === typeCode);
  if (!type) throw new InputError(`C3D parameter ${name} has type code ${typeCode}; expected -1, 1, 2 or 4`, { parameter: name, typeCode });
  const dimensionCount = reader.uint8(body + 1, `dimension count of parameter ${name}`);
  const dimensions: number[] = [];
  for (let i = 0; i < dimensionCount; i++) dimensions.push(reader.uint8(body + 2 + i, `dimensions of parameter ${name}`));
  const dataAt = body + 2 + dimensionCount;
  const elementBytes = Math.abs(typeCode);
  // Checked as it grows: 255 dimensions of 255 would otherwise ask for an absurd allocation.
  let elementCount = 1;
  for (const d of dimensions) {
    elementCount *= d;
    if (elementCount * elementBytes > reader.length - dataAt) {
      throw new InputError(
        `C3D parameter ${name} declares dimensions [${dimensions.join(', ')}], more data than the file holds after byte offset ${dataAt}`,
        {
          parameter: name,
          dimensions,
        },
      );
    }
  }
  reader.require(dataAt, elementCount * elementBytes, `values of parameter ${name}`);
  const description = readDescription(reader, dataAt + elementCount * elementBytes, name);
  const common = { group: '', name, dimensions, locked, description };
  if (type === 'char') return { ...common, type, values: readStrings(reader, dataAt, dimensions, name) };
  const values = new Array<number>(elementCount);
  for (let i = 0; i < elementCount; i++) {
    const at = dataAt + i * elementBytes;
    values[i] = type === 'byte' ? reader.int8(at, name) : type === 'int16' ? reader.int16(at, name) : reader.float32(at, name);
  }
  return { ...common, type, values };
}

function readStrings(reader: ByteReader, at: number, dimensions: number[], name: string): string[] {
  const length = dimensions.length === 0 ? 1 : dimensions[0];
  let count = 1;
  for (const d of dimensions.slice(1)) {
    count *= d;
    // Empty strings take no bytes, so [0, 255, 255, …] passes the size check; bound it here.
    if (count > reader.length)
      throw new InputError(`C3D parameter ${name} declares dimensions [${dimensions.join(', ')}], an absurd number of strings`, {
        parameter: name,
        dimensions,
      });
  }
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(reader.text(at + i * length, length, `text of parameter ${name}`).replace(/[\s\0]+$/, ''));
  return out;
}

/** Lookups over the parsed groups; group and parameter names are case-insensitive. */
export class ParameterSet {
  constructor(readonly groups: ReadonlyMap<string, C3dGroup>) {}

  get(group: string, name: string): C3dParameter | undefined {
    return this.groups.get(group.toUpperCase())?.parameters.get(name.toUpperCase());
  }

  numbers(group: string, name: string): number[] | undefined {
    const p = this.get(group, name);
    if (!p) return undefined;
    if (p.type === 'char') throw new InputError(`C3D parameter ${group}:${name} should be numeric but is text`, { group, name });
    return p.values;
  }

  strings(group: string, name: string): string[] | undefined {
    const p = this.get(group, name);
    if (!p) return undefined;
    if (p.type !== 'char') throw new InputError(`C3D parameter ${group}:${name} should be text but is ${p.type}`, { group, name });
    return p.values;
  }

  firstNumber(group: string, name: string): number | undefined {
    return this.numbers(group, name)?.[0];
  }

  /** NAME followed by NAME2, NAME3 …: how C3D continues arrays past 255 entries (LABELS2). */
  continuedNumbers(group: string, name: string): number[] | undefined {
    return this.continued(group, name, (n) => this.numbers(group, n));
  }

  continuedStrings(group: string, name: string): string[] | undefined {
    return this.continued(group, name, (n) => this.strings(group, n));
  }

  private continued<T>(group: string, name: string, read: (name: string) => T[] | undefined): T[] | undefined {
    const first = read(name);
    if (!first) return undefined;
    const all = [...first];
    for (let i = 2; ; i++) {
      const more = read(`${name}${i}`);
      if (!more) return all;
      for (const v of more) all.push(v);
    }
  }
}
