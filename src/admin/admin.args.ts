import { ArgsType, Field, ID } from 'type-graphql';

const DRY_RUN = 'Count what would be invalidated and change nothing';

@ArgsType()
export class DryRunArgs {
  @Field(() => Boolean, { nullable: true, defaultValue: false, description: DRY_RUN })
  dryRun?: boolean | null;
}

@ArgsType()
export class InvalidateTagsArgs {
  @Field(() => [String], { description: 'Tags such as "Dataset:42" or "ModelRun"; at most 1000' })
  tags!: string[];

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: DRY_RUN })
  dryRun?: boolean | null;
}

@ArgsType()
export class InvalidateKeyArgs {
  @Field({ description: 'A key under this gateway’s prefix' })
  key!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: DRY_RUN })
  dryRun?: boolean | null;
}

@ArgsType()
export class InvalidatePatternArgs {
  @Field({ description: 'A Redis glob matched against the part of a key after "{prefix}:", e.g. "*:f:Dataset.statistics:*"' })
  pattern!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: DRY_RUN })
  dryRun?: boolean | null;
}

@ArgsType()
export class InvalidateUserArgs {
  @Field(() => ID)
  userId!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: DRY_RUN })
  dryRun?: boolean | null;
}

@ArgsType()
export class InvalidateDatasetArgs {
  @Field(() => ID)
  datasetId!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: DRY_RUN })
  dryRun?: boolean | null;
}

@ArgsType()
export class InvalidateModelArgs {
  @Field(() => ID)
  modelRunId!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: DRY_RUN })
  dryRun?: boolean | null;
}
