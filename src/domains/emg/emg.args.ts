import { ArgsType, Field, Int } from 'type-graphql';
import { EmgFormat } from './emg.type';
import type { RecordingFormat } from './recording';

@ArgsType()
export class EmgRecordingsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 50, description: '1 to 500' })
  limit?: number | null;
}

@ArgsType()
export class EmgAnalysisArgs {
  @Field(() => Int, { nullable: true, defaultValue: 250, description: 'Window for the fatigue slope, 50 to 5000 ms' })
  windowMs?: number | null;
}

@ArgsType()
export class UploadEmgRecordingArgs {
  @Field()
  name!: string;

  @Field(() => EmgFormat)
  format!: RecordingFormat;

  @Field({ description: 'The file as standard padded base64 without line breaks (e.g. `base64 -w0`); at most 100 MB decoded' })
  contentBase64!: string;
}
