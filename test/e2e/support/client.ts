import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { readCheckedAnswer } from './documents.js';
import type { paths } from './openapi.js';

/*
 * The HTTP API's client as a portal would generate it from docs/openapi.json: openapi-fetch on
 * the types openapi-typescript generates (support/openapi.ts, see support/clientTypes.ts). Its
 * answers are checked against the document like every other answer an e2e test receives.
 */

/** Checks each answer against docs/openapi.json; one it does not describe fails the test. */
const checkedAgainstTheDocument: Middleware = {
  async onResponse({ request, response }) {
    const url = new URL(request.url);
    await readCheckedAnswer(request.method, `${url.pathname}${url.search}`, response.clone());
    return undefined;
  },
};

/** The generated client for the HTTP API at `baseUrl`. */
export const generatedClient = (baseUrl: string): Client<paths> => {
  const client = createClient<paths>({ baseUrl });
  client.use(checkedAgainstTheDocument);
  return client;
};
