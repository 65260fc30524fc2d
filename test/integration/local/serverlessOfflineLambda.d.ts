/** serverless-offline's Lambda (its `./lambda` export): functions behind Lambda's Invoke API. */
declare module 'serverless-offline/lambda' {
  export interface OfflineFunction {
    functionKey: string;
    functionDefinition: {
      name: string;
      /** `<file>.<export>`, relative to the service path. */
      handler: string;
      /** Seconds. */
      timeout?: number;
    };
  }

  export default class Lambda {
    constructor(serverless: unknown, options: Record<string, unknown>);
    create(functions: OfflineFunction[]): void;
    start(): Promise<void>;
    stop(timeout: number): Promise<void>;
    cleanup(): Promise<void>;
  }
}
