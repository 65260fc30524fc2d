import * as z from 'zod/mini';
import { APPSTREAM_NAME_PATTERN, int32, list, string } from './constraints.js';

/*
 * The AppStream image builder operations after CreateImageBuilder. None has an idempotency token;
 * members are PascalCase on the wire. AppStream's `String` is at least one character, no maximum;
 * `Name` is the stricter shape of the same name.
 */
const AppStreamString = string({ min: 1 });

/** com.amazonaws.appstream#DescribeImageBuildersRequest: `Integer` and `String` without bounds. */
export const DescribeImageBuildersInput = z.strictObject({
  Names: z.optional(list(AppStreamString)),
  MaxResults: z.optional(int32()),
  NextToken: z.optional(AppStreamString),
});
export type DescribeImageBuildersInput = z.output<typeof DescribeImageBuildersInput>;

/** com.amazonaws.appstream#StopImageBuilderRequest: `Name` is a plain `String` here. */
export const StopImageBuilderInput = z.strictObject({
  Name: AppStreamString,
});
export type StopImageBuilderInput = z.output<typeof StopImageBuilderInput>;

/** com.amazonaws.appstream#StartImageBuilderRequest. */
export const StartImageBuilderInput = z.strictObject({
  Name: AppStreamString,
  AppstreamAgentVersion: z.optional(string({ min: 1, max: 100 })),
});
export type StartImageBuilderInput = z.output<typeof StartImageBuilderInput>;

/** com.amazonaws.appstream#DeleteImageBuilderRequest: `Name` is the `Name` shape (pattern). */
export const DeleteImageBuilderInput = z.strictObject({
  Name: string({ pattern: APPSTREAM_NAME_PATTERN }),
});
export type DeleteImageBuilderInput = z.output<typeof DeleteImageBuilderInput>;
