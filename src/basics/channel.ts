/** The ways a request reaches the service; outcomes and logs name it. */
export type Channel = 'http' | 'sqs';
