/** The members of an AWS SDK v3 service exception that the provisioner reads. */
export type AwsServiceError = Error & {
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode: number };
};

export interface AwsServiceErrorOptions {
  /** Defaults to `client` below HTTP 500 and `server` from 500 on. */
  readonly fault?: 'client' | 'server';
  /** Defaults to `<name> from AWS`. */
  readonly message?: string;
}

/**
 * An error shaped like the ones the AWS SDK v3 clients throw for a service error response:
 * `name` is the error shape's name, with `$fault` and `$metadata.httpStatusCode`.
 */
export const awsServiceError = (
  name: string,
  status: number,
  {
    fault = status >= 500 ? 'server' : 'client',
    message = `${name} from AWS`,
  }: AwsServiceErrorOptions = {},
): AwsServiceError =>
  Object.assign(new Error(message), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
  });
