import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toProvisioningRequest } from '../../../src/channels/httpRequest.js';
import { matchRoute } from '../../../src/channels/httpRoutes.js';
import { validRequests } from '../../fixtures/requests.js';
import { httpEvent } from '../../support/lambda.js';

const NOW = Date.UTC(2026, 10, 30, 10, 0, 0);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
});

/** A POST that API Gateway received at `timeEpoch`. */
const readArrivedAt = (timeEpoch: number | undefined) => {
  const event = httpEvent({
    method: 'POST',
    route: '/infrastructure-configurations',
    body: validRequests.CreateInfrastructureConfiguration,
  });
  const requestContext = { ...event.requestContext };
  if (timeEpoch === undefined) Reflect.deleteProperty(requestContext, 'timeEpoch');
  else requestContext.timeEpoch = timeEpoch;
  const route = matchRoute(event.routeKey);
  if (!route) throw new Error(`no route for ${event.routeKey}`);
  return toProvisioningRequest(
    { ...event, requestContext },
    route,
    { maxRequestBytes: 1024 },
    9_000,
  );
};

describe('the HTTP reader: when the request was first sent', () => {
  it("is the request's arrival at API Gateway (requestContext.timeEpoch)", () => {
    expect(readArrivedAt(NOW - 1_500).firstSentAt).toBe(NOW - 1_500);
  });

  it('is now when API Gateway gives no time, or one in the future', () => {
    expect(readArrivedAt(undefined).firstSentAt).toBe(NOW);
    expect(readArrivedAt(NOW + 60_000).firstSentAt).toBe(NOW);
  });
});
