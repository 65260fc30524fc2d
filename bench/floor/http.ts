import { GetInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createInfrastructureConfiguration, imagebuilder } from './provision.js';

/** The floor's HTTP function: the create and the read, nothing checked. */
export const handler = async (
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> => {
  if (event.routeKey === 'GET /infrastructure-configurations/{arn}') {
    const { $metadata, ...body } = await imagebuilder.send(
      new GetInfrastructureConfigurationCommand({
        infrastructureConfigurationArn: event.pathParameters?.arn,
      }),
    );
    return { statusCode: 200, body: JSON.stringify(body) };
  }
  const { clientToken, ...request } = JSON.parse(event.body ?? '{}');
  const body = await createInfrastructureConfiguration(clientToken, request, 'http');
  return { statusCode: 201, body: JSON.stringify(body) };
};
