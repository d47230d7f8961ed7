import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class ProgressStep {
  @Field() key!: string;
  @Field() title!: string;
  @Field() completed!: boolean;
  @Field(() => Date, { nullable: true }) completedAt!: Date | null;
}

@ObjectType({ description: "A user's way through the onboarding steps" })
export class UserProgress {
  /** The user's id again: what a client cache (Apollo's `UserProgress:<id>`, urql's Graphcache) normalises a user's progress by. */
  @Field(() => ID, { description: "The user's id: the key client caches normalise a user's progress by" }) id!: string;
  @Field(() => ID) userId!: string;
  @Field(() => [ProgressStep]) steps!: ProgressStep[];
  @Field(() => Int) completedCount!: number;
  @Field(() => Int) totalSteps!: number;
  @Field(() => Float, { description: '0 to 100' }) percentComplete!: number;
  @Field(() => Date, { nullable: true, description: 'When the user last completed a step' }) updatedAt!: Date | null;
}
