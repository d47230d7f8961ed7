import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { RecordingFormat } from './recording';

export enum EmgFormat {
  C3D = 'C3D',
  CSV = 'CSV',
}
registerEnumType(EmgFormat, {
  name: 'EmgFormat',
  description: 'The file format of an EMG recording',
  valuesConfig: {
    C3D: { description: 'C3D, the biomechanics format: analog channels, any processor type (Intel, DEC, MIPS), integer or float storage' },
    CSV: { description: 'CSV: a first column `time` in seconds, or a first line `# sample_rate=<Hz>`; then one column per channel' },
  },
});

/** A stored recording without its bytes: the resolver-facing parent of every EmgRecording field. */
@ObjectType({ description: 'An uploaded or seeded surface EMG recording, stored as its original file' })
export class EmgRecording {
  @Field(() => ID, { description: 'SHA-256 of the file (64 hex digits): the same file uploaded twice is one recording' })
  id!: string;

  @Field()
  name!: string;

  @Field(() => EmgFormat)
  format!: RecordingFormat;

  @Field(() => Int, { description: 'Size of the stored file in bytes' })
  byteSize!: number;

  @Field(() => Date)
  createdAt!: Date;

  /** Who uploaded it first (null: the system); not in the schema, see src/domains/ownership.ts. */
  owner!: string | null;
}

@ObjectType({ description: 'What the file holds, read from its header (C3D) or its columns (CSV)' })
export class EmgMetadata {
  @Field(() => EmgFormat) format!: RecordingFormat;
  @Field(() => Float, { description: 'Samples per second per channel' }) sampleRate!: number;
  @Field(() => Float) durationSeconds!: number;
  @Field(() => Int, { description: 'Samples per channel' }) frameCount!: number;
  @Field(() => Int) channelCount!: number;
  @Field(() => [String], { description: 'Channel labels, in file order' }) channels!: string[];
  @Field(() => String, { nullable: true, description: 'The subject named in the file, if any' }) subject!: string | null;
}

@ObjectType({ description: "One channel's features, in the file's units (volts for most EMG)" })
export class EmgChannelAnalysis {
  @Field() channel!: string;
  @Field(() => Float, { description: 'Root mean square' }) rms!: number;
  @Field(() => Float, { description: 'Mean absolute value' }) mav!: number;
  @Field(() => Float, { description: 'Sum of absolute differences between consecutive samples' }) waveformLength!: number;
  @Field(() => Int) zeroCrossings!: number;
  @Field(() => Float, { description: 'Largest absolute value' }) peakAmplitude!: number;
  @Field(() => Float, { description: 'Hz, from the Welch power spectrum of the whole channel' }) meanFrequency!: number;
  @Field(() => Float, { description: 'Hz, from the Welch power spectrum of the whole channel' }) medianFrequency!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'Hz per second: slope of the median frequency over consecutive windows; negative in a fatiguing muscle; null with fewer than two windows',
  })
  fatigueSlope!: number | null;
}

@ObjectType()
export class EmgAnalysis {
  @Field(() => Int) windowMs!: number;
  @Field(() => [EmgChannelAnalysis]) channels!: EmgChannelAnalysis[];
}
