import { IsInt, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { PageSize, Sha256Id, Text } from '../../graphql/arg-bounds';
import { MAX_PAGE_SIZE } from '../paging';
import { EmgFormat } from './emg.type';
import type { RecordingFormat } from './recording';
import { MAX_WINDOW_MS, MIN_WINDOW_MS } from './signal/analyze';

const windowMessage = ({ value }: { value: unknown }) => `windowMs must be an integer from ${MIN_WINDOW_MS} to ${MAX_WINDOW_MS}, got ${value}`;
/** base64 of 100 MB (the decoded limit the service checks): 4 characters per 3 bytes. */
const MAX_BASE64_CHARACTERS = Math.ceil((100 * 1024 * 1024) / 3) * 4;

/** An EMG recording looked up or deleted by id. */
@ArgsType()
export class EmgRecordingIdArgs {
  @Sha256Id()
  @Field(() => ID)
  id!: string;
}

@ArgsType()
export class EmgRecordingsArgs {
  @PageSize(MAX_PAGE_SIZE)
  @Field(() => Int, { nullable: true, defaultValue: 50, description: '1 to 500' })
  limit?: number | null;
}

@ArgsType()
export class EmgAnalysisArgs {
  @IsInt({ message: windowMessage })
  @Min(MIN_WINDOW_MS, { message: windowMessage })
  @Max(MAX_WINDOW_MS, { message: windowMessage })
  @Field(() => Int, { nullable: true, defaultValue: 250, description: 'Window for the fatigue slope, 50 to 5000 ms' })
  windowMs?: number | null;
}

@ArgsType()
export class UploadEmgRecordingArgs {
  @Text(200)
  @Field()
  name!: string;

  @Field(() => EmgFormat)
  format!: RecordingFormat;

  @Text(MAX_BASE64_CHARACTERS + 4)
  @Field({ description: 'The file as standard padded base64 without line breaks (e.g. `base64 -w0`); at most 100 MB decoded' })
  contentBase64!: string;
}
