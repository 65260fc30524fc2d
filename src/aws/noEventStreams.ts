/**
 * Stands in for `@smithy/core/event-streams` in the deployed bundles (serverless.yml
 * `custom.esbuild.alias`). The SDK loads that module (with `import()`, which a single-file bundle
 * inlines) only for an operation with an event stream member. No operation of the APIs the
 * service calls (DynamoDB, Image Builder, AppStream, SQS, SNS) has one, and the module would add
 * about 20 kB to every function.
 */
const unsupported = (): never => {
  throw new Error('AWS event streams are not bundled with this function');
};

export const eventStreamSerdeProvider = unsupported;

export class EventStreamSerde {
  constructor() {
    unsupported();
  }
}
