import {
  listTagsForResourceShape as appstreamListTagsShape,
  tagResourceShape as appstreamTagShape,
  untagResourceShape as appstreamUntagShape,
} from './appstreamShapes.js';
import { liveBuilders } from './builderLifecycle.js';
import { ServiceError } from './errors.js';
import {
  listTagsForResourceShape as imagebuilderListTagsShape,
  tagResourceShape as imagebuilderTagShape,
  untagResourceShape as imagebuilderUntagShape,
} from './imagebuilderShapes.js';
import type { OperationContext, OperationDefinition } from './operation.js';
import type { TagMap } from './state.js';
import type { Shape } from './validation.js';

/** Most tags a resource holds: the TagMap / Tags maximum of both models. */
const MAX_TAGS = 50;

interface Tagged {
  tags?: TagMap;
}

/** How one service names the tagging members and errors. */
interface TagDialect {
  members: { arn: string; tags: string; keys: string };
  shapes: { list: Shape; tag: Shape; untag: Shape };
  /** The emulated resource with this ARN, if it exists. */
  find(context: OperationContext, arn: string): Tagged | undefined;
  /** TagResource's error for more than 50 tags in all. */
  tooManyTags: string;
}

export interface TagOperations {
  listTagsForResource: OperationDefinition;
  tagResource: OperationDefinition;
  untagResource: OperationDefinition;
}

/**
 * ListTagsForResource, TagResource and UntagResource of one service: an unknown ARN fails with
 * ResourceNotFoundException (404); TagResource adds or overwrites keys (more than 50 in all fails
 * with `tooManyTags` and changes nothing); UntagResource removes keys, absent keys are ignored.
 * List answers the tags, `{}` when there are none; the writes answer `{}`.
 */
function tagOperations(dialect: TagDialect): TagOperations {
  const { members } = dialect;
  const resource = (context: OperationContext, input: Record<string, unknown>): Tagged => {
    const arn = String(input[members.arn]);
    const found = dialect.find(context, arn);
    if (!found) {
      throw new ServiceError('ResourceNotFoundException', `The resource '${arn}' does not exist.`);
    }
    return found;
  };
  return {
    listTagsForResource: {
      name: 'ListTagsForResource',
      shape: dialect.shapes.list,
      run: (input, context) => ({ [members.tags]: { ...resource(context, input).tags } }),
    },
    tagResource: {
      name: 'TagResource',
      shape: dialect.shapes.tag,
      run(input, context) {
        const target = resource(context, input);
        const tags = { ...target.tags, ...(input[members.tags] as TagMap) };
        if (Object.keys(tags).length > MAX_TAGS) {
          throw new ServiceError(
            dialect.tooManyTags,
            `A resource can have at most ${MAX_TAGS} tags; this request would give it ${Object.keys(tags).length}.`,
          );
        }
        target.tags = tags;
        return {};
      },
    },
    untagResource: {
      name: 'UntagResource',
      shape: dialect.shapes.untag,
      run(input, context) {
        const target = resource(context, input);
        const removed = new Set(input[members.keys] as string[]);
        const kept = Object.entries(target.tags ?? {}).filter(([key]) => !removed.has(key));
        target.tags = Object.fromEntries(kept);
        return {};
      },
    },
  };
}

/** Image Builder: the configurations (other ImageBuilderArn resources do not exist here). */
export const imagebuilderTagging = tagOperations({
  members: { arn: 'resourceArn', tags: 'tags', keys: 'tagKeys' },
  shapes: {
    list: imagebuilderListTagsShape,
    tag: imagebuilderTagShape,
    untag: imagebuilderUntagShape,
  },
  find: (context, arn) =>
    context.store.infrastructureConfigurations.get(arn) ??
    context.store.distributionConfigurations.get(arn),
  tooManyTags: 'InvalidParameterException',
});

/** AppStream: the image builders (a deleted one's tags are gone with it). */
export const appstreamTagging = tagOperations({
  members: { arn: 'ResourceArn', tags: 'Tags', keys: 'TagKeys' },
  shapes: { list: appstreamListTagsShape, tag: appstreamTagShape, untag: appstreamUntagShape },
  find: (context, arn) =>
    liveBuilders(context).find(({ record }) => record.builder.Arn === arn)?.record,
  tooManyTags: 'LimitExceededException',
});
