/** The AWS services the operations call, by their SDK client names. */
export type AwsService = 'imagebuilder' | 'appstream';

/** How logs and messages name each service. */
export const AWS_SERVICE_TITLES: Readonly<Record<AwsService, string>> = {
  imagebuilder: 'EC2 Image Builder',
  appstream: 'AppStream 2.0',
};
